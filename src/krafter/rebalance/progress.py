"""Where a rebalance stands and what to start next, from what Kafka says now.

No memory: the plan's moves are compared with each partition's current replicas and Kafka's
ongoing reassignments on every step, so an operator restarted mid-rebalance (or a second
operator taking over) picks up exactly where the first one was. A move is submitted again only
if Kafka shows it neither running nor done, which is harmless: a reassignment to the replicas a
partition already has, or is already moving to, changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from krafter.rebalance.model import Move, TopicPartition
from krafter.rebalance.planner import BATCH_PARTITIONS, PER_BROKER


@dataclass(frozen=True)
class PartitionNow:
    replicas: tuple[int, ...]
    leader: int
    isr: tuple[int, ...]


@dataclass(frozen=True)
class Observed:
    """The plan's partitions as Kafka describes them (a deleted topic's are absent)."""

    partitions: Mapping[TopicPartition, PartitionNow]
    ongoing: frozenset[TopicPartition] = frozenset()


@dataclass(frozen=True)
class ExecutionStep:
    start: tuple[Move, ...] = ()
    """Reassignments to submit now."""
    elect: tuple[TopicPartition, ...] = ()
    """Partitions with their replicas in place whose leader is not yet the planned one."""
    done: int = 0
    in_flight: int = 0
    pending: int = 0
    waiting_for_isr: tuple[TopicPartition, ...] = ()
    """Not started while under-replicated: the move would wait behind the missing replica anyway."""
    stale: tuple[TopicPartition, ...] = field(default=())
    """Changed by someone else since planning (neither the planned start nor its end): skipped;
    refresh the plan to include them."""
    total: int = 0

    @property
    def finished(self) -> bool:
        return not (self.start or self.elect or self.in_flight or self.pending or self.waiting_for_isr)

    @property
    def percent(self) -> float:
        return 100.0 * self.done / self.total if self.total else 100.0


def next_step(
    moves: Sequence[Move],
    observed: Observed,
    *,
    batch_partitions: int = BATCH_PARTITIONS,
    per_broker: int = PER_BROKER,
) -> ExecutionStep:
    """What to start now, keeping at most `batch_partitions` moves running and at most
    `per_broker` copies into or out of any broker; leader-only moves wait for the copies."""
    done = 0
    elect: list[TopicPartition] = []
    running: list[Move] = []
    pending: list[Move] = []
    waiting: list[TopicPartition] = []
    stale: list[TopicPartition] = []
    for move in moves:
        now = observed.partitions.get(move.key)
        if now is None:
            done += 1  # the topic was deleted: nothing left to move
        elif move.key in observed.ongoing:
            running.append(move)
        elif now.replicas == move.after:
            if now.leader != move.after[0]:
                elect.append(move.key)
            else:
                done += 1
        elif set(now.replicas) not in (set(move.before), set(move.after)):
            stale.append(move.key)
        elif set(now.isr) != set(now.replicas):
            waiting.append(move.key)
        else:
            pending.append(move)
    busy: dict[int, int] = {}
    for move in running:
        for broker in move.added | move.removed:
            busy[broker] = busy.get(broker, 0) + 1
    room = batch_partitions - len(running)
    copies_left = any(m.replica_moves for m in running) or any(m.replica_moves for m in pending)
    start = []
    for move in pending:
        if room <= 0:
            break
        if not move.replica_moves:
            if copies_left:
                continue
            start.append(move)
            room -= 1
            continue
        touched = move.added | move.removed
        if all(busy.get(b, 0) < per_broker for b in touched):
            start.append(move)
            room -= 1
            for broker in touched:
                busy[broker] = busy.get(broker, 0) + 1
    return ExecutionStep(
        start=tuple(start),
        elect=tuple(elect),
        done=done,
        in_flight=len(running),
        pending=len(pending) - len(start),
        waiting_for_isr=tuple(waiting),
        stale=tuple(stale),
        total=len(moves),
    )
