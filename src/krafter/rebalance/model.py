"""The values the rebalance planner reads and writes: brokers, partitions, goals, moves.

Kept apart from the planner so the Kubernetes status (a KafkaRebalance's proposal), the
executor and the tests share them without importing the algorithm.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

TopicPartition = tuple[str, int]


class Mode(enum.Enum):
    """Strimzi's KafkaRebalance modes."""

    FULL = "full"
    """Balance every broker; any replica may move."""
    ADD_BROKERS = "add-brokers"
    """Fill the given (new) brokers; replicas only move onto them."""
    REMOVE_BROKERS = "remove-brokers"
    """Empty the given brokers; their replicas go to the others, nothing else moves."""


class PlanningError(ValueError):
    """The goal cannot be met at all (an unknown broker, fewer brokers than a replication factor)."""


@dataclass(frozen=True)
class Broker:
    node_id: int
    rack: str | None = None


@dataclass(frozen=True)
class Partition:
    """One partition as Kafka describes it; `size` is its largest replica's bytes (DescribeLogDirs)."""

    topic: str
    partition: int
    replicas: tuple[int, ...]
    leader: int
    size: int = 0
    min_isr: int = 1

    @property
    def key(self) -> TopicPartition:
        return (self.topic, self.partition)


@dataclass(frozen=True)
class Goal:
    mode: Mode = Mode.FULL
    brokers: tuple[int, ...] = ()
    """The brokers added (add-brokers) or removed (remove-brokers); unused for full."""


@dataclass(frozen=True)
class Move:
    """One partition's reassignment. Kafka adds the new replicas, waits until they are in sync,
    and only then drops the old ones, so the partition never has fewer in-sync replicas than
    before the move: `during` is the replica set while it runs."""

    topic: str
    partition: int
    before: tuple[int, ...]
    after: tuple[int, ...]
    leader_before: int
    size: int = 0

    @property
    def key(self) -> TopicPartition:
        return (self.topic, self.partition)

    @property
    def added(self) -> frozenset[int]:
        return frozenset(self.after) - frozenset(self.before)

    @property
    def removed(self) -> frozenset[int]:
        return frozenset(self.before) - frozenset(self.after)

    @property
    def during(self) -> frozenset[int]:
        return frozenset(self.before) | frozenset(self.after)

    @property
    def replica_moves(self) -> int:
        return len(self.added)

    @property
    def moves_leader(self) -> bool:
        return self.after[0] != self.leader_before

    @property
    def data(self) -> int:
        """Bytes copied: the partition's size once per new replica."""
        return self.size * self.replica_moves


@dataclass(frozen=True)
class BrokerLoad:
    node_id: int
    replicas: int = 0
    leaders: int = 0
    size: int = 0


@dataclass(frozen=True)
class RebalancePlan:
    """The target and how to get there: `batches` run in order, one after the other; leader-only
    moves (no data copied) come last."""

    goal: Goal
    moves: tuple[Move, ...]
    batches: tuple[tuple[Move, ...], ...]
    before: tuple[BrokerLoad, ...]
    after: tuple[BrokerLoad, ...]
    unmovable: tuple[TopicPartition, ...] = field(default=())
    """Partitions that had to move (off a removed broker) but had nowhere to go."""

    @property
    def replica_moves(self) -> int:
        return sum(m.replica_moves for m in self.moves)

    @property
    def leader_moves(self) -> int:
        return sum(1 for m in self.moves if m.moves_leader)

    @property
    def data_to_move(self) -> int:
        return sum(m.data for m in self.moves)

    def target(self) -> dict[TopicPartition, tuple[int, ...]]:
        return {m.key: m.after for m in self.moves}
