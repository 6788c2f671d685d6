"""A node's volumes, mount paths and Kafka log dirs, from its pool's storage.

Paths follow Strimzi's layout (`/var/lib/kafka/data-<volume id>/kafka-log<node id>`) so that
data written by a Strimzi-managed node is found in the same place.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from krafter.api.storage import EphemeralStorage, JbodStorage, PersistentClaimStorage, Storage
from krafter.plan import names
from krafter.plan.model import VolumePlan


def plan_volumes(
    storage: Storage, *, cluster: str, pool: str, node_id: int, data_root: PurePosixPath
) -> tuple[VolumePlan, ...]:
    jbod = isinstance(storage, JbodStorage)
    volumes: list[EphemeralStorage | PersistentClaimStorage] = (
        list(storage.volumes) if isinstance(storage, JbodStorage) else [storage]
    )
    planned = []
    any_marked = any(v.kraft_metadata == "shared" for v in volumes)
    for index, volume in enumerate(volumes):
        volume_id = volume.id if jbod else None
        mount = data_root / names.volume(volume_id)
        persistent = isinstance(volume, PersistentClaimStorage)
        planned.append(
            VolumePlan(
                volume_id=volume_id,
                type="persistent-claim" if persistent else "ephemeral",
                name=names.volume(volume_id),
                mount_path=str(mount),
                log_dir=str(mount / f"kafka-log{node_id}"),
                size=volume.size if isinstance(volume, PersistentClaimStorage) else None,
                size_limit=volume.size_limit if isinstance(volume, EphemeralStorage) else None,
                storage_class=volume.storage_class if isinstance(volume, PersistentClaimStorage) else None,
                selector=tuple(sorted((volume.selector or {}).items()))
                if isinstance(volume, PersistentClaimStorage)
                else (),
                delete_claim=volume.delete_claim if isinstance(volume, PersistentClaimStorage) else False,
                claim_name=names.pvc(cluster, pool, node_id, volume_id) if persistent else None,
                volume_attributes_class=volume.volume_attributes_class
                if isinstance(volume, PersistentClaimStorage)
                else None,
                # Without an explicit choice Kafka puts the metadata log in the first log dir.
                holds_metadata=volume.kraft_metadata == "shared" if any_marked else index == 0,
            )
        )
    return tuple(planned)
