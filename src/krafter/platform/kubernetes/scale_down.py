"""The scale-down guard on Kubernetes: which nodes exist, and keeping held brokers' objects.

The rule itself is `krafter.scale.guard`, shared with the local platform. Here the nodes that
exist are read from their ConfigMaps (a node's ConfigMap outlives a deleted Pod, and carries the
roles the node was started with), and a held broker is kept by leaving every object labelled
with its Pod name alone: not applied (its old configuration stays), not pruned (its Pod, PVCs,
ConfigMap, Secret and per-broker Services stay), and not rolled.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from krafter.kafka.admin import KafkaAdmin
from krafter.kafka.admin_types import ConnectionSettings, KafkaAdminError
from krafter.plan import labels, names, node_files
from krafter.plan.model import ClusterPlan
from krafter.scale import guard


def _roles(server_config: str) -> set[str]:
    for line in server_config.splitlines():
        if line.startswith("process.roles="):
            return {role.strip() for role in line.split("=", 1)[1].split(",")}
    return set()


def current_nodes(config_maps: Iterable[Mapping[str, Any]]) -> list[guard.Node]:
    """Every node that exists, from the node ConfigMaps (name `<cluster>-<pool>-<id>`)."""
    nodes = []
    for config_map in config_maps:
        data = config_map.get("data") or {}
        pool = (config_map["metadata"].get("labels") or {}).get(labels.POOL)
        node_id = config_map["metadata"]["name"].rsplit("-", 1)[-1]
        if pool and node_files.SERVER_CONFIG in data and node_id.isdigit():
            nodes.append(guard.Node(int(node_id), pool, "broker" in _roles(data[node_files.SERVER_CONFIG])))
    return nodes


def planned_nodes(plan: ClusterPlan) -> list[guard.Node]:
    return [guard.Node(node.node_id, node.pool, node.is_broker) for node in plan.nodes]


def replica_counts(settings: ConnectionSettings | None) -> dict[int, int] | None:
    """Replicas per broker from Kafka; None when Kafka cannot be asked (the guard then holds)."""
    if settings is None:
        return None
    try:
        with KafkaAdmin(settings) as admin:
            return admin.replicas_per_broker()
    except KafkaAdminError:
        return None


def held_pod_names(cluster: str, verdict: guard.ScaleDownVerdict) -> frozenset[str]:
    return frozenset(names.pod(cluster, broker.pool, broker.node_id) for broker in verdict.held)


def is_held(obj: Mapping[str, Any], pod_names: frozenset[str]) -> bool:
    """Objects of a held node: its Pod by name, everything else by the node's Pod-name label."""
    metadata = obj.get("metadata") or {}
    if obj.get("kind") == "Pod" and metadata.get("name") in pod_names:
        return True
    return (metadata.get("labels") or {}).get(labels.POD_NAME) in pod_names


def without_held(desired: Sequence[dict[str, Any]], pod_names: frozenset[str]) -> list[dict[str, Any]]:
    return [obj for obj in desired if not is_held(obj, pod_names)]


def observed_pods(pods: Iterable[dict[str, Any]], pod_names: frozenset[str]) -> list[dict[str, Any]]:
    """Held nodes' Pods as they run: given to the roller as their desired form, so it does not
    restart a node whose role change is refused."""
    return [pod for pod in pods if pod["metadata"]["name"] in pod_names]


def verdict(
    config_maps: Iterable[Mapping[str, Any]],
    plan: ClusterPlan,
    annotations: Mapping[str, str] | None,
    settings: Callable[[], ConnectionSettings | None],
) -> guard.ScaleDownVerdict:
    """The guard's decision for this pass; Kafka is only asked when a broker is leaving."""
    leaving = guard.leaving_brokers(current_nodes(config_maps), planned_nodes(plan))
    if not leaving:
        return guard.ScaleDownVerdict()
    skip = guard.skip_requested(annotations)
    return guard.check_scale_down(leaving, None if skip else replica_counts(settings()), skip=skip)
