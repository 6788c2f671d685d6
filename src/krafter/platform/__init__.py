"""The two ways of making a plan real: Kubernetes objects, or local processes."""
