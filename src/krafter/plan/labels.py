"""Labels Krafter puts on what it creates; selectors, pruning and users' queries rely on them."""

from __future__ import annotations

CLUSTER = "strimzi.io/cluster"
KIND = "strimzi.io/kind"
NAME = "strimzi.io/name"
POOL = "strimzi.io/pool-name"
BROKER_ROLE = "strimzi.io/broker-role"
CONTROLLER_ROLE = "strimzi.io/controller-role"
POD_NAME = "strimzi.io/pod-name"
COMPONENT_TYPE = "strimzi.io/component-type"
DISCOVERY = "strimzi.io/discovery"
"""Label (`"true"`) and annotation (JSON) on the bootstrap Service that client tooling discovers."""
MANAGED_BY = "app.kubernetes.io/managed-by"
MANAGER = "krafter"
OPERATOR = {"app.kubernetes.io/name": "krafter"}
"""Labels of the operator's own Pods (NetworkPolicy peers)."""
CERTIFICATE_AUTHORITY = "certificate-authority"


def common(cluster: str) -> dict[str, str]:
    """On every object of a cluster: what the operator selects and prunes by."""
    return {
        CLUSTER: cluster,
        KIND: "Kafka",
        MANAGED_BY: MANAGER,
        "app.kubernetes.io/name": "kafka",
        "app.kubernetes.io/instance": cluster,
        "app.kubernetes.io/part-of": f"strimzi-{cluster}",
    }


def kafka_component(cluster: str) -> dict[str, str]:
    return {**common(cluster), NAME: f"{cluster}-kafka"}


def pool(cluster: str, pool_name: str) -> dict[str, str]:
    return {**kafka_component(cluster), POOL: pool_name}


def node_owned(cluster: str, pool_name: str, pod_name: str) -> dict[str, str]:
    """A node's ConfigMap, Secret, PVCs and per-broker Services: findable by the node's Pod name."""
    return {**pool(cluster, pool_name), POD_NAME: pod_name}


def certificate_authority(cluster: str) -> dict[str, str]:
    return {**common(cluster), COMPONENT_TYPE: CERTIFICATE_AUTHORITY}


def node(cluster: str, pool: str, pod_name: str, *, broker: bool, controller: bool) -> dict[str, str]:
    return {
        **kafka_component(cluster),
        POOL: pool,
        POD_NAME: pod_name,
        BROKER_ROLE: str(broker).lower(),
        CONTROLLER_ROLE: str(controller).lower(),
        "statefulset.kubernetes.io/pod-name": pod_name,
    }


def selector(cluster: str) -> dict[str, str]:
    """Selects all Kafka node Pods of a cluster (Services, PDB, NetworkPolicy)."""
    return {CLUSTER: cluster, NAME: f"{cluster}-kafka", KIND: "Kafka"}


def broker_selector(cluster: str) -> dict[str, str]:
    return {**selector(cluster), BROKER_ROLE: "true"}


def pod_selector(cluster: str, pod_name: str) -> dict[str, str]:
    """Exactly one node's Pod (per-broker Services)."""
    return {**selector(cluster), POD_NAME: pod_name}
