"""The `KafkaNodePool` resource: a group of Kafka nodes with the same roles, storage and resources.

A cluster is the union of its pools (label `strimzi.io/cluster`); each node gets a stable
id, its own Pod, configuration and volumes, so pools can be scaled, rolled or replaced
independently.
"""

from __future__ import annotations

import enum
from typing import Annotated, Literal

from pydantic import Field

from krafter.api.base import Model
from krafter.api.common import (
    Condition,
    ContainerTemplate,
    JvmOptions,
    ObjectMeta,
    PodTemplate,
    ResourceRequirements,
    ResourceTemplate,
)
from krafter.api.storage import Storage


class ProcessRole(enum.StrEnum):
    CONTROLLER = "controller"
    BROKER = "broker"


class KafkaNodePoolTemplate(Model):
    """Customisation of the objects generated for this pool's nodes (wins over the Kafka template)."""

    pod_set: ResourceTemplate | None = None
    """Strimzi's StrimziPodSet (Krafter manages Pods directly)."""
    pod: PodTemplate | None = None
    """The pool's Pods."""
    per_pod_service: ResourceTemplate | None = None
    """Per-broker Services of external listeners."""
    per_pod_route: ResourceTemplate | None = None
    """Per-broker Routes."""
    per_pod_ingress: ResourceTemplate | None = None
    """Per-broker Ingresses."""
    persistent_volume_claim: ResourceTemplate | None = None
    """PersistentVolumeClaims."""
    kafka_container: ContainerTemplate | None = None
    """The Kafka container."""
    init_container: ContainerTemplate | None = None
    """The rack-awareness init container."""


class KafkaNodePoolSpec(Model):
    """The desired nodes of one pool."""

    replicas: Annotated[int, Field(ge=0)]
    """Number of nodes in the pool."""
    roles: Annotated[list[ProcessRole], Field(min_length=1)]
    """`controller` (KRaft quorum member), `broker` (serves clients), or both."""
    storage: Storage
    """Storage of each node."""
    resources: ResourceRequirements | None = None
    """CPU and memory of each node's Kafka container."""
    jvm_options: JvmOptions | None = None
    """JVM options (override the Kafka resource's)."""
    template: KafkaNodePoolTemplate | None = None
    """Customisation of generated objects."""


class KafkaNodePoolStatus(Model):
    """The observed state of a node pool."""

    conditions: list[Condition] | None = None
    """Conditions."""
    observed_generation: int | None = None
    """The spec generation last reconciled."""
    node_ids: list[int] | None = None
    """Node ids of the pool's nodes."""
    cluster_id: str | None = None
    """Kafka cluster id."""
    roles: list[ProcessRole] | None = None
    """Roles of the pool's nodes."""
    replicas: int | None = None
    """Current number of nodes (scale subresource)."""
    label_selector: str | None = None
    """Selector of the pool's Pods (scale subresource)."""


class KafkaNodePool(Model):
    """A pool of Kafka nodes (`kafka.strimzi.io`, kind KafkaNodePool)."""

    api_version: str = Field(alias="apiVersion")
    """`kafka.strimzi.io/v1` (or `kafka.strimzi.io/v1beta2`)."""
    kind: Literal["KafkaNodePool"]
    """Always `KafkaNodePool`."""
    metadata: ObjectMeta
    """Name, namespace, labels (`strimzi.io/cluster` names the Kafka) and annotations."""
    spec: KafkaNodePoolSpec
    """The desired nodes."""
    status: KafkaNodePoolStatus | None = None
    """The observed nodes, written by the operator."""
