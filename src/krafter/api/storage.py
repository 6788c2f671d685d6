"""Storage of Kafka nodes: ephemeral, one persistent volume, or JBOD (several volumes).

In v1 storage lives on KafkaNodePool; v1beta2 also allowed it on `spec.kafka` (pre-node-pool
clusters), which `krafter convert` moves into a pool.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from krafter.api.base import V1BETA2, Default, Model, Rule, only_in
from krafter.api.common import QUANTITY_PATTERN, is_quantity


class EphemeralStorage(Model):
    """An emptyDir volume: data is lost whenever the Pod is deleted. For development only."""

    type: Literal["ephemeral"]
    """Ephemeral storage (emptyDir)."""
    id: Annotated[int, Field(ge=0)] | None = None
    """Volume id; required inside JBOD storage, where it names the volume and its log dir."""
    size_limit: Annotated[str, Field(pattern=QUANTITY_PATTERN)] | None = None
    """Maximum size of the emptyDir, e.g. `10Gi`."""
    kraft_metadata: Literal["shared"] | None = None
    """Put the KRaft metadata log on this volume (one JBOD volume at most)."""


class PersistentClaimStorage(Model):
    """A PersistentVolumeClaim per node: data survives restarts and rescheduling."""

    rules = (
        # Python only: Strimzi's CRD takes any string here (the claim is refused later), and a CEL
        # regular expression over an unbounded string costs more than the API server allows.
        Rule(
            lambda storage: storage.size is None or is_quantity(storage.size),
            "is not a Kubernetes quantity",
            field="size",
            fix="write a size such as 100Gi",
        ),
    )

    type: Literal["persistent-claim"]
    """Persistent storage through a PersistentVolumeClaim."""
    size: str | None = None
    """Requested size, e.g. `100Gi`; required when the claim is created. Can be increased later."""
    storage_class: str | None = Field(default=None, alias="class")
    """StorageClass of the claims (default: the cluster's default StorageClass)."""
    selector: dict[str, str] | None = None
    """Label selector for choosing a pre-provisioned PersistentVolume."""
    delete_claim: bool = Default(False)
    """Delete the claims when the cluster or node is removed. Off by default to protect data."""
    id: Annotated[int, Field(ge=0)] | None = None
    """Volume id; required inside JBOD storage, where it names the volume and its log dir."""
    kraft_metadata: Literal["shared"] | None = None
    """Put the KRaft metadata log on this volume (one JBOD volume at most)."""
    volume_attributes_class: str | None = None
    """VolumeAttributesClass of the claims (Kubernetes 1.34+)."""
    overrides: list[dict[str, Any]] | None = Field(
        default=None, json_schema_extra=only_in(V1BETA2, note="removed in Strimzi 0.46; ignored")
    )
    """Per-broker storage class overrides (removed; ignored with a warning)."""


SingleVolume = Annotated[EphemeralStorage | PersistentClaimStorage, Field(discriminator="type")]


class JbodStorage(Model):
    """Several volumes per node ("just a bunch of disks"); Kafka spreads partitions over them."""

    type: Literal["jbod"]
    """JBOD storage: a list of volumes."""
    volumes: Annotated[list[SingleVolume], Field(min_length=1)]
    """The volumes; each needs a unique `id`."""


Storage = Annotated[EphemeralStorage | PersistentClaimStorage | JbodStorage, Field(discriminator="type")]


def volumes_of(
    storage: EphemeralStorage | PersistentClaimStorage | JbodStorage,
) -> list[EphemeralStorage | PersistentClaimStorage]:
    """The individual volumes, whatever the storage type (a single volume counts as id 0)."""
    if isinstance(storage, JbodStorage):
        return list(storage.volumes)
    return [storage]
