"""A stand-in for the node agent: runs the Pods the scheduler binds to its Nodes as local processes.

Container images cannot be pulled here, so the end-to-end tier needs something that runs
a Pod's containers faithfully enough that the Pod spec is what gets tested: its volumes at
their mount paths (a private mount namespace per container), its command, environment and
user, its probes, and its own loopback address as `status.podIP`. Test support only: never
part of the operator image. Kept import-light: the sandbox runs from here on every start.
"""
