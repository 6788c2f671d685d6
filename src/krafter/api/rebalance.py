"""The `KafkaRebalance` resource: move partition replicas between brokers, Strimzi's schema.

Served so that Strimzi files apply and `krafter explain` describes them. The operator process
does not watch KafkaRebalance resources yet (no proposal, no status appears by itself). The
pieces exist: Krafter's own planner (`krafter.rebalance`, no Cruise Control), its executor
(`krafter.scale.reassign`), Strimzi's state machine (`krafter.rebalance.flow`) and a reconciler
(`krafter.platform.kubernetes.rebalance`), tested against real Kafka; the operator's watch and
RBAC for kafkarebalances are what is missing. The field texts say what the planner does with
each field, and which Cruise Control knobs it ignores.
"""

from __future__ import annotations

import enum
from typing import Annotated, Any, Literal

from pydantic import Field

from krafter.api.base import Model
from krafter.api.common import Condition, ObjectMeta

REBALANCE_ANNOTATION = "strimzi.io/rebalance"
"""`approve`, `stop` or `refresh` (Strimzi's names); removed by the operator once acted on."""
AUTO_APPROVAL_ANNOTATION = "strimzi.io/rebalance-auto-approval"
TEMPLATE_ANNOTATION = "strimzi.io/rebalance-template"


class RebalanceMode(enum.StrEnum):
    FULL = "full"
    ADD_BROKERS = "add-brokers"
    REMOVE_BROKERS = "remove-brokers"
    REMOVE_DISKS = "remove-disks"


class RebalanceState(enum.StrEnum):
    """The condition type that names where a rebalance is (Strimzi's state machine)."""

    NEW = "New"
    PENDING_PROPOSAL = "PendingProposal"
    PROPOSAL_READY = "ProposalReady"
    REBALANCING = "Rebalancing"
    STOPPED = "Stopped"
    NOT_READY = "NotReady"
    READY = "Ready"
    REBALANCE_ON_HOLD = "ReconciliationPaused"


class BrokerAndVolumeIds(Model):
    """A broker and the volumes to empty (remove-disks mode)."""

    broker_id: int | None = None
    """ID of the broker that contains the disks."""
    volume_ids: Annotated[list[int], Field(min_length=1)] | None = None
    """IDs of the disks from which the partition replicas need to be moved."""


class KafkaRebalanceSpec(Model):
    """The rebalance to plan (not acted on by the operator yet). Krafter's planner has its own fixed
    goals; each field says whether the planner uses it."""

    mode: RebalanceMode = Field(default=RebalanceMode.FULL)
    """`full` balances every broker (any replica may move); `add-brokers` only moves replicas onto
    the brokers listed in `brokers` (use after scaling up); `remove-brokers` moves every replica off
    the brokers listed in `brokers` and nothing else (use before scaling down: the scale-down guard
    refuses to remove brokers that still host replicas). `remove-disks` is not supported by Krafter's
    planner. Default: full."""
    brokers: list[int] | None = None
    """The brokers added (`add-brokers`) or to be removed (`remove-brokers`); ignored in `full` mode."""
    goals: list[str] | None = None
    """Cruise Control goals. Ignored by Krafter: its planner balances replica counts, then bytes
    (partition sizes from DescribeLogDirs), then leader counts, never puts two replicas of a
    partition in one rack when there are enough racks, and makes as few moves as possible."""
    skip_hard_goal_check: bool | None = None
    """Cruise Control option. Ignored by Krafter (it has no hard goals to skip)."""
    rebalance_disk: bool | None = None
    """Intra-broker disk balancing (Cruise Control). Not supported by Krafter's planner."""
    excluded_topics: str | None = None
    """A regular expression (Python `re` syntax, which agrees with Java's for common patterns); the
    partitions of matching topics are not moved."""
    concurrent_partition_movements_per_broker: Annotated[int, Field(ge=0)] | None = None
    """At most this many partition moves into or out of any one broker at a time. Default: 5."""
    concurrent_intra_broker_partition_movements: Annotated[int, Field(ge=0)] | None = None
    """Cruise Control option for disk moves. Ignored by Krafter."""
    concurrent_leader_movements: Annotated[int, Field(ge=0)] | None = None
    """Cruise Control option. Ignored by Krafter: leader-only moves (reordering the replicas, no data
    copied) are batched like the others, after all copies."""
    replication_throttle: Annotated[int, Field(ge=0)] | None = None
    """Bytes per second each broker may spend copying moved replicas (Kafka's
    `leader.replication.throttled.rate` and `follower.replication.throttled.rate`, set while the
    rebalance runs and removed after). Unset: no limit."""
    replica_movement_strategies: list[str] | None = None
    """Cruise Control's ordering strategies. Ignored by Krafter: moves off removed brokers go first,
    then the largest copies, leader-only moves last."""
    move_replicas_off_volumes: Annotated[list[BrokerAndVolumeIds], Field(min_length=1)] | None = None
    """The disks to empty in `remove-disks` mode, which Krafter does not support."""


class RebalanceProgress(Model):
    """Where the progress of a running rebalance is written."""

    rebalance_progress_config_map: str | None = None
    """The name of the `ConfigMap` containing information related to the progress of a partition rebalance."""


class KafkaRebalanceStatus(Model):
    """The observed rebalance."""

    conditions: list[Condition] | None = None
    """Conditions; the type of the one with status True is the state (ProposalReady, Rebalancing, ...)."""
    observed_generation: int | None = None
    """The spec generation last reconciled."""
    session_id: str | None = None
    """Cruise Control's session id in Strimzi; Krafter leaves it unset (nothing runs outside Kafka)."""
    progress: RebalanceProgress | None = None
    """A reference to the ConfigMap with the progress information."""
    optimization_result: dict[str, Any] | None = None
    """The proposal summary: replicas and leaders to move, data to move (MB), the ConfigMap with
    the per-broker load before and after (`afterBeforeLoadConfigMap`)."""


class KafkaRebalance(Model):
    """A rebalance of one Kafka cluster (`kafka.strimzi.io`, kind KafkaRebalance). Not acted on by the
    Krafter operator yet: the resource is stored, no proposal is made and no partition moves."""

    api_version: str = Field(alias="apiVersion")
    """`kafka.strimzi.io/v1` (or `kafka.strimzi.io/v1beta2`)."""
    kind: Literal["KafkaRebalance"]
    """Always `KafkaRebalance`."""
    metadata: ObjectMeta
    """Name, namespace, labels (`strimzi.io/cluster` names the Kafka) and annotations
    (`strimzi.io/rebalance`, `strimzi.io/rebalance-auto-approval`)."""
    spec: KafkaRebalanceSpec | None = None
    """The rebalance to plan (the operator process does not act on it yet; see the kind's text)."""
    status: KafkaRebalanceStatus | None = None
    """The observed rebalance, written by the operator."""
