"""The `KafkaTopic` resource: a Kafka topic managed from Kubernetes (Kubernetes -> Kafka only)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from krafter.api.base import Model
from krafter.api.common import Condition, ObjectMeta


class KafkaTopicSpec(Model):
    """The desired topic."""

    topic_name: str | None = None
    """Name of the topic in Kafka; unset means the resource name. Cannot be changed later."""
    partitions: Annotated[int, Field(ge=1)] | None = None
    """Number of partitions; unset means the broker's `num.partitions`. Can only grow."""
    replicas: Annotated[int, Field(ge=1, le=32767)] | None = None
    """Replicas of each partition; unset means the broker's `default.replication.factor`. Krafter
    changes it by reassigning partitions."""
    config: dict[str, Any] | None = None
    """Topic configuration, e.g. `{retention.ms: 604800000, cleanup.policy: compact}`."""


class ReplicasChangeStatus(Model):
    """Progress of a replication-factor change."""

    target_replicas: int | None = None
    """The replication factor being moved to."""
    state: Literal["pending", "ongoing"] | None = None
    """`pending` (not started) or `ongoing` (partitions being reassigned)."""
    message: str | None = None
    """Details, e.g. why the change is blocked."""
    session_id: str | None = None
    """Id of the reassignment."""


class KafkaTopicStatus(Model):
    """The observed topic."""

    conditions: list[Condition] | None = None
    """`Ready`, or `NotReady`-style failures with a reason, `Unmanaged`, `ReconciliationPaused`."""
    observed_generation: int | None = None
    """The spec generation last reconciled."""
    topic_name: str | None = None
    """The topic's name in Kafka."""
    topic_id: str | None = None
    """The topic's Kafka id."""
    replicas_change: ReplicasChangeStatus | None = None
    """A replication-factor change in progress."""


class KafkaTopic(Model):
    """A Kafka topic (`kafka.strimzi.io`, kind KafkaTopic)."""

    api_version: str = Field(alias="apiVersion")
    """`kafka.strimzi.io/v1` (or `kafka.strimzi.io/v1beta2`)."""
    kind: Literal["KafkaTopic"]
    """Always `KafkaTopic`."""
    metadata: ObjectMeta
    """Name, namespace, labels (`strimzi.io/cluster` names the Kafka) and annotations."""
    spec: KafkaTopicSpec | None = None
    """The desired topic."""
    status: KafkaTopicStatus | None = None
    """The observed topic, written by the operator."""
