"""The Kubernetes platform: observe what exists, apply what the plan renders, prune what is gone."""
