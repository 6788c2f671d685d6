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
MANAGED_BY = "app.kubernetes.io/managed-by"
MANAGER = "krafter"


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
