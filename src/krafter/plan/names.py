"""Names of everything Krafter creates, matching Strimzi's so users' tooling carries over.

`<c>` is the Kafka name, `<p>` a node pool, `<id>` a node id (see strimzi-reference.md §2).
"""

from __future__ import annotations

KUBERNETES_NAME_LIMIT = 63
"""Pods (their hostname), Services and label values: a DNS label."""
KUBERNETES_SUBDOMAIN_LIMIT = 253
"""Most other objects (ConfigMaps, Secrets, PVCs, ...): a DNS subdomain."""


def pod(cluster: str, pool: str, node_id: int) -> str:
    return f"{cluster}-{pool}-{node_id}"


def node_config(cluster: str, pool: str, node_id: int) -> str:
    """Per-node ConfigMap and Secret share the Pod's name, as in Strimzi."""
    return pod(cluster, pool, node_id)


def bootstrap_service(cluster: str) -> str:
    return f"{cluster}-kafka-bootstrap"


def brokers_service(cluster: str) -> str:
    return f"{cluster}-kafka-brokers"


def external_bootstrap(cluster: str, listener: str, port: int) -> str:
    # Back-compat quirk kept from Strimzi: a listener named `external` on 9094 keeps the
    # pre-generic-listener name.
    if listener == "external" and port == 9094:
        return f"{cluster}-kafka-external-bootstrap"
    return f"{cluster}-kafka-{listener}-bootstrap"


def external_bootstrap_route(cluster: str, listener: str, port: int) -> str:
    """Bootstrap Route/Ingress/TLSRoute; Strimzi's `external`-on-9094 quirk names it `<c>-kafka-bootstrap`."""
    if listener == "external" and port == 9094:
        return bootstrap_service(cluster)
    return external_bootstrap(cluster, listener, port)


def per_broker(cluster: str, pool: str, listener: str, port: int, node_id: int) -> str:
    if listener == "external" and port == 9094:
        return f"{cluster}-{pool}-{node_id}"
    return f"{cluster}-{pool}-{listener}-{node_id}"


def pvc(cluster: str, pool: str, node_id: int, volume_id: int | None) -> str:
    if volume_id is None:
        return f"data-{cluster}-{pool}-{node_id}"
    return f"data-{volume_id}-{cluster}-{pool}-{node_id}"


def volume(volume_id: int | None) -> str:
    return "data" if volume_id is None else f"data-{volume_id}"


def cluster_ca(cluster: str) -> str:
    return f"{cluster}-cluster-ca"


def cluster_ca_cert(cluster: str) -> str:
    return f"{cluster}-cluster-ca-cert"


def clients_ca(cluster: str) -> str:
    return f"{cluster}-clients-ca"


def clients_ca_cert(cluster: str) -> str:
    return f"{cluster}-clients-ca-cert"


def operator_certs(cluster: str) -> str:
    return f"{cluster}-cluster-operator-certs"


def kafka_component(cluster: str) -> str:
    """ServiceAccount and PodDisruptionBudget of the Kafka nodes."""
    return f"{cluster}-kafka"


def network_policy(cluster: str) -> str:
    return f"{cluster}-network-policy-kafka"


def init_cluster_role_binding(namespace: str, cluster: str) -> str:
    """Lets the rack-awareness init container read its Kubernetes node's labels.

    Not Strimzi's `strimzi-<ns>-<c>-kafka-init`: a binding's roleRef cannot change, and that
    one points at Strimzi's ClusterRole, so reusing the name would block a takeover.
    """
    return f"krafter-{namespace}-{cluster}-kafka-init"


INIT_CLUSTER_ROLE = "krafter-kafka-init"
"""ClusterRole (installed with the operator) allowing `get` on nodes."""


def jmx_secret(cluster: str) -> str:
    return f"{cluster}-kafka-jmx"


def metrics_config(cluster: str) -> str:
    return f"{cluster}-kafka-metrics"


def node_principal(cluster: str) -> str:
    """Common name of every node certificate; the nodes authorise each other by it."""
    return f"{cluster}-kafka"


def operator_principal(cluster: str) -> str:
    return f"{cluster}-cluster-operator"
