"""Object metadata shared by every rendered object: labels, template metadata, owner references, hashes.

Rendered objects are plain dicts because this is the Kubernetes/YAML edge; everything that
decides *what* they contain comes from the plan. Hashes are computed over canonical JSON so
that equal content always gives an equal hash, whatever the dict insertion order.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from krafter.api.common import MetadataTemplate, ResourceTemplate
from krafter.api.kafka import KafkaClusterTemplate
from krafter.api.nodepool import KafkaNodePoolTemplate
from krafter.plan.model import ClusterPlan

Object = dict[str, Any]
"""One Kubernetes object, ready for YAML or server-side apply."""


@dataclass(frozen=True)
class OwnerRef:
    """The Kafka resource every rendered object belongs to (garbage collection on delete).

    Like Strimzi's, the reference is neither `controller` nor `blockOwnerDeletion`: objects
    Strimzi created carry the same kind of reference, so taking a cluster over from Strimzi
    never trips the one-controller-per-object rule, and deleting the Kafka is never held up.
    """

    api_version: str
    kind: str
    name: str
    uid: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "apiVersion": self.api_version,
            "kind": self.kind,
            "name": self.name,
            "uid": self.uid,
            "controller": False,
            "blockOwnerDeletion": False,
        }


def template_metadata(*templates: ResourceTemplate | MetadataTemplate | None) -> MetadataTemplate:
    """Several templates' labels and annotations merged, later ones winning per key (pool over Kafka)."""
    merged_labels: dict[str, str] = {}
    merged_annotations: dict[str, str] = {}
    for template in templates:
        metadata = template.metadata if isinstance(template, ResourceTemplate) else template
        if metadata is None:
            continue
        merged_labels.update(metadata.labels or {})
        merged_annotations.update(metadata.annotations or {})
    return MetadataTemplate(labels=merged_labels, annotations=merged_annotations)


def kafka_template(plan: ClusterPlan) -> KafkaClusterTemplate:
    return plan.kafka.spec.kafka.template or KafkaClusterTemplate()


def pool_template(plan: ClusterPlan, pool: str) -> KafkaNodePoolTemplate:
    resource = next((p for p in plan.pool_resources if p.metadata.name == pool), None)
    return (resource.spec.template if resource else None) or KafkaNodePoolTemplate()


def metadata(
    name: str,
    *,
    namespace: str | None,
    labels: Mapping[str, str],
    annotations: Mapping[str, str] | None = None,
    template: MetadataTemplate | None = None,
    owner: OwnerRef | None = None,
    finalizers: list[str] | None = None,
) -> dict[str, Any]:
    """ObjectMeta. Krafter's own labels and annotations win over the user's template: selectors,
    pruning and the roller depend on them."""
    merged_labels = {**((template.labels or {}) if template else {}), **labels}
    merged_annotations = {**((template.annotations or {}) if template else {}), **(annotations or {})}
    meta: dict[str, Any] = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    meta["labels"] = dict(sorted(merged_labels.items()))
    if merged_annotations:
        meta["annotations"] = dict(sorted(merged_annotations.items()))
    if owner is not None:
        meta["ownerReferences"] = [owner.to_dict()]
    if finalizers:
        meta["finalizers"] = list(finalizers)
    return meta


def content_hash(value: Any) -> str:
    """A short stable hash of JSON-able content (Strimzi's hash stubs are 8 hex digits too)."""
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:8]


def fresh(value: Any) -> Any:
    """A deep copy of a value taken from a resource model (affinity, tolerations, volumes, ...).

    Rendered objects never share mutable parts with the plan or with each other, so callers
    may edit what they get (add a resourceVersion, patch a field) without side effects.
    """
    return copy.deepcopy(value)


def substitute_node(value: Any, node_id: int, pod_name: str) -> Any:
    """Strimzi's per-node placeholders `{nodeId}` and `{nodePodName}` replaced in every string."""
    if isinstance(value, str):
        return value.replace("{nodeId}", str(node_id)).replace("{nodePodName}", pod_name)
    if isinstance(value, Mapping):
        return {key: substitute_node(item, node_id, pod_name) for key, item in value.items()}
    if isinstance(value, list):
        return [substitute_node(item, node_id, pod_name) for item in value]
    return value
