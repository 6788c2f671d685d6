"""A node's data volumes: the Pod volumes and mounts, and the PersistentVolumeClaims behind them.

PVCs get an owner reference to the Kafka only when the pool says `deleteClaim: true`:
Kubernetes' garbage collector deletes owned objects with their owner, so with the default
(`false`) deleting the Kafka resource keeps every broker's data, and recreating the cluster
under the same names finds it again. The `strimzi.io/delete-claim` annotation records the
choice on the claim itself, for the operator's scale-down and for Strimzi users' tooling.
"""

from __future__ import annotations

from krafter.plan import labels
from krafter.plan.model import ClusterPlan, NodePlan, VolumePlan
from krafter.render import meta

DELETE_CLAIM = "strimzi.io/delete-claim"


def pod_volume(volume: VolumePlan) -> meta.Object:
    if volume.claim_name is not None:
        return {"name": volume.name, "persistentVolumeClaim": {"claimName": volume.claim_name}}
    empty_dir: dict[str, str] = {}
    if volume.size_limit:
        empty_dir["sizeLimit"] = volume.size_limit
    return {"name": volume.name, "emptyDir": empty_dir}


def volume_mount(volume: VolumePlan) -> meta.Object:
    return {"name": volume.name, "mountPath": volume.mount_path}


def persistent_volume_claims(plan: ClusterPlan, node: NodePlan, owner: meta.OwnerRef | None) -> list[meta.Object]:
    claims: list[meta.Object] = []
    template = meta.template_metadata(
        meta.kafka_template(plan).persistent_volume_claim, meta.pool_template(plan, node.pool).persistent_volume_claim
    )
    for volume in node.volumes:
        if volume.claim_name is None:
            continue
        spec: meta.Object = {"accessModes": ["ReadWriteOnce"]}
        if volume.size:
            spec["resources"] = {"requests": {"storage": volume.size}}
        if volume.storage_class:
            spec["storageClassName"] = volume.storage_class
        if volume.selector:
            spec["selector"] = {"matchLabels": dict(volume.selector)}
        if volume.volume_attributes_class:
            spec["volumeAttributesClassName"] = volume.volume_attributes_class
        spec["volumeMode"] = "Filesystem"
        claims.append(
            {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": meta.metadata(
                    volume.claim_name,
                    namespace=plan.namespace,
                    labels=labels.node_owned(plan.name, node.pool, node.pod_name),
                    annotations={DELETE_CLAIM: str(volume.delete_claim).lower()},
                    template=template,
                    owner=owner if volume.delete_claim else None,
                ),
                "spec": spec,
            }
        )
    return claims
