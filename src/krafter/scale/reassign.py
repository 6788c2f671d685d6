"""Carrying out a rebalance plan through Kafka's Admin API: reassignments, throttle, elections.

Each call of `execute_step` reads Kafka (current replicas, ongoing reassignments), lets the pure
`krafter.rebalance.progress.next_step` decide, and acts; nothing is remembered between calls,
so it resumes after an operator restart. Kafka itself keeps every move safe: a reassignment
adds the new replicas, waits until they are in sync and only then drops the old ones.

The replication throttle is Kafka's own (as `kafka-reassign-partitions.sh --throttle` sets it):
the rate on every broker a move touches, and the throttled replicas on each moving topic
(leaders: the current replicas; followers: the new ones). It is removed when the plan is done;
a throttle set by hand on those brokers or topics is removed with it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence

from krafter.core.errors import KrafterError
from krafter.kafka.admin import KafkaAdmin
from krafter.kafka.admin_types import ConfigChange
from krafter.rebalance import progress
from krafter.rebalance.model import Broker, Move, Partition
from krafter.rebalance.planner import BATCH_PARTITIONS, PER_BROKER

LEADER_RATE = "leader.replication.throttled.rate"
FOLLOWER_RATE = "follower.replication.throttled.rate"
LEADER_REPLICAS = "leader.replication.throttled.replicas"
FOLLOWER_REPLICAS = "follower.replication.throttled.replicas"


class ReassignmentFailed(KrafterError):
    """Kafka refused part of a step (e.g. a broker gone, an invalid replica list)."""


def describe_for_planning(
    admin: KafkaAdmin, topics: Iterable[str] | None = None
) -> tuple[list[Broker], list[Partition]]:
    """The planner's input from Kafka: brokers with racks; partitions with leader, size and the
    topic's effective min.insync.replicas. `topics` None means every topic, internal ones too."""
    cluster = admin.describe_cluster()
    brokers = [Broker(b.node_id, b.rack) for b in cluster.brokers]
    wanted = set(topics) if topics is not None else None
    entries = [e for e in admin.partitions_with_min_isr() if wanted is None or e[0] in wanted]
    sizes = admin.partition_sizes(sorted({name for name, _, _ in entries}))
    partitions = [
        Partition(name, p.partition, p.replicas, p.leader, sizes.get((name, p.partition), 0), min_isr)
        for name, p, min_isr in entries
    ]
    return brokers, partitions


def observe(admin: KafkaAdmin, moves: Sequence[Move]) -> progress.Observed:
    topics = admin.describe_topics({m.topic for m in moves})
    partitions = {
        (name, p.partition): progress.PartitionNow(p.replicas, p.leader, p.isr)
        for name, topic in topics.items()
        for p in topic.partitions
    }
    return progress.Observed(partitions, frozenset(admin.list_partition_reassignments()))


def _throttle_changes(
    moves: Sequence[Move], rate: int | None
) -> tuple[dict[int | None, list[ConfigChange]], dict[str, list[ConfigChange]]]:
    """Broker rates and topic replica lists for these moves; `rate` None removes them."""
    copying = [m for m in moves if m.replica_moves]
    brokers = sorted({b for m in copying for b in m.added | m.removed | frozenset(m.before)})
    value = str(rate) if rate is not None else None
    broker_changes: dict[int | None, list[ConfigChange]] = {
        b: [ConfigChange(LEADER_RATE, value), ConfigChange(FOLLOWER_RATE, value)] for b in brokers
    }
    leaders: dict[str, list[str]] = {}
    followers: dict[str, list[str]] = {}
    for move in copying:
        leaders.setdefault(move.topic, []).extend(f"{move.partition}:{b}" for b in move.before)
        followers.setdefault(move.topic, []).extend(f"{move.partition}:{b}" for b in sorted(move.added))
    topic_changes = {
        topic: [
            ConfigChange(LEADER_REPLICAS, ",".join(leaders[topic]) if rate is not None else None),
            ConfigChange(FOLLOWER_REPLICAS, ",".join(followers.get(topic, [])) if rate is not None else None),
        ]
        for topic in sorted(leaders)
    }
    return broker_changes, topic_changes


def set_throttle(admin: KafkaAdmin, moves: Sequence[Move], rate: int | None) -> None:
    """Apply (a rate) or remove (None) the replication throttle for these moves."""
    broker_changes, topic_changes = _throttle_changes(moves, rate)
    results = [(f"broker {b}", r) for b, r in admin.alter_broker_configs(broker_changes).items()]
    results += [(f"topic {t}", r) for t, r in admin.alter_topic_configs(topic_changes).items()]
    failed = [f"{what}: {r.message or r.error_name}" for what, r in results if not r.ok]
    if failed:
        raise ReassignmentFailed("Setting the replication throttle failed: " + "; ".join(failed))


def execute_step(
    admin: KafkaAdmin,
    moves: Sequence[Move],
    *,
    throttle: int | None = None,
    batch_partitions: int = BATCH_PARTITIONS,
    per_broker: int = PER_BROKER,
) -> progress.ExecutionStep:
    """Observe, decide, act once. Call again until `finished`; the throttle is removed then."""
    step = progress.next_step(moves, observe(admin, moves), batch_partitions=batch_partitions, per_broker=per_broker)
    if step.start:
        if throttle is not None and any(m.replica_moves for m in step.start):
            set_throttle(admin, moves, throttle)
        results = admin.alter_partition_reassignments({m.key: list(m.after) for m in step.start})
        failed = [f"{t}-{p}: {r.message or r.error_name}" for (t, p), r in results.items() if not r.ok]
        if failed:
            raise ReassignmentFailed("Starting partition reassignments failed: " + "; ".join(failed))
    if step.elect:
        wanted: dict[str, list[int]] = {}
        for topic, partition in step.elect:
            wanted.setdefault(topic, []).append(partition)
        admin.elect_preferred_leaders(wanted)  # per-partition errors (e.g. leader busy) retry next step
    if step.finished and throttle is not None:
        set_throttle(admin, moves, None)
    return step


def run(
    admin: KafkaAdmin,
    moves: Sequence[Move],
    *,
    throttle: int | None = None,
    batch_partitions: int = BATCH_PARTITIONS,
    per_broker: int = PER_BROKER,
    timeout: float = 3600.0,
    poll: float = 1.0,
    on_step: Callable[[progress.ExecutionStep], None] = lambda _step: None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> progress.ExecutionStep:
    """Steps until the plan is carried out; raises ReassignmentFailed after `timeout` seconds
    (the moves keep running in Kafka; a later run picks them up)."""
    deadline = clock() + timeout
    while True:
        step = execute_step(admin, moves, throttle=throttle, batch_partitions=batch_partitions, per_broker=per_broker)
        on_step(step)
        if step.finished:
            return step
        if clock() > deadline:
            raise ReassignmentFailed(
                f"rebalance not finished after {timeout:.0f} s ({step.done} of {step.total} moves done, "
                f"{step.in_flight} running); run it again to continue"
            )
        sleep(poll)
