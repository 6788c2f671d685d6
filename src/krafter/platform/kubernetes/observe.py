"""What exists in the cluster for one Kafka: the objects Krafter manages, read in a few list calls.

Level-based reconciliation recomputes everything from this snapshot each pass; nothing is
remembered from earlier events. Reads are cheap compared with writes, and one labelled list
per kind is far cheaper than one get per object.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lightkube import Client
from lightkube.core.exceptions import ApiError
from lightkube.resources.core_v1 import ConfigMap, PersistentVolumeClaim, Pod, Secret, Service, ServiceAccount
from lightkube.resources.networking_v1 import Ingress, NetworkPolicy
from lightkube.resources.policy_v1 import PodDisruptionBudget
from lightkube.resources.rbac_authorization_v1 import ClusterRoleBinding

from krafter.plan import labels
from krafter.platform.kubernetes import objects
from krafter.platform.kubernetes.apply import Key, key_of

NAMESPACED_KINDS: tuple[Any, ...] = (
    ServiceAccount,
    Secret,
    ConfigMap,
    Service,
    PodDisruptionBudget,
    NetworkPolicy,
    PersistentVolumeClaim,
    Pod,
    Ingress,
)


@dataclass
class Snapshot:
    objects: dict[Key, dict[str, Any]] = field(default_factory=dict)

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [obj for key, obj in self.objects.items() if key[1] == kind]

    def get(self, kind: str, name: str) -> dict[str, Any] | None:
        return next((o for o in self.of_kind(kind) if o["metadata"]["name"] == name), None)


def _list(client: Client, resource: Any, namespace: str | None, selector: Mapping[str, str]) -> Iterable[Any]:
    try:
        if namespace is None:
            return list(client.list(resource, labels=dict(selector)))
        return list(client.list(resource, namespace=namespace, labels=dict(selector)))
    except ApiError as exc:
        if exc.status.code == 404:  # e.g. Routes on a cluster without OpenShift's API
            return []
        raise


def snapshot(client: Client, namespace: str, cluster: str, extra_kinds: Iterable[str] = ()) -> Snapshot:
    """Every object labelled for `cluster` in `namespace` (plus its cluster-scoped RBAC)."""
    selector = {labels.CLUSTER: cluster, labels.MANAGED_BY: labels.MANAGER}
    result = Snapshot()
    kinds = list(NAMESPACED_KINDS) + [objects.generic(kind) for kind in extra_kinds]
    for resource in kinds:
        for item in _list(client, resource, namespace, selector):
            obj = objects.to_dict(item)
            result.objects[key_of(obj)] = obj
    for item in _list(client, ClusterRoleBinding, None, selector):
        obj = objects.to_dict(item)
        result.objects[key_of(obj)] = obj
    return result
