"""Certificate authorities, leaf certificates and the decisions about renewing them.

Everything here is pure: keys and certificates are values, the current time is always passed
in, and Kubernetes Secrets appear only as their data and annotation dicts. Reading and writing
the real Secrets belongs to the reconcile layer, which makes this package testable without a cluster.
"""
