"""Plan -> Kubernetes objects (plain dicts), with Strimzi's names and labels. Pure: no I/O.

Entry point: `cluster.render_cluster(plan, owner=..., secrets=...)`.
"""
