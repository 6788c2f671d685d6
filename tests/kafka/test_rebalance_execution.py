"""Executing a rebalance plan on real brokers: batched reassignments, throttle, resumption.

Each test moves only its own topic (planning from the cluster's other topics would move
partitions that other tests' topics are using).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from kafka import KafkaProducer

from krafter.kafka.admin import KafkaAdmin
from krafter.kafka.admin_types import ConnectionSettings, NewTopic
from krafter.rebalance.model import Goal, Mode, Move
from krafter.rebalance.planner import plan_rebalance
from krafter.scale import reassign

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
def admin(kafka_cluster) -> Iterator[KafkaAdmin]:  # type: ignore[no-untyped-def]
    with KafkaAdmin(ConnectionSettings(kafka_cluster.bootstrap_servers)) as client:
        yield client


@pytest.fixture
def topic(admin: KafkaAdmin, topic_name: str) -> Iterator[str]:
    """A single-replica topic would go offline when a later test kills a node: deleted after."""
    yield topic_name
    admin.delete_topics([topic_name])


def _topic_on_one_broker(admin: KafkaAdmin, bootstrap: str, topic: str, broker: int) -> None:
    """Six single-replica partitions, all on `broker`, with some data to copy."""
    config = {"min.insync.replicas": "1"}
    assert admin.create_topics([NewTopic(topic, partitions=6, replication_factor=1, config=config)])[topic].ok
    deadline = time.monotonic() + 15
    while topic not in admin.describe_topics([topic]) and time.monotonic() < deadline:
        time.sleep(0.2)
    admin.alter_partition_reassignments({(topic, p): [broker] for p in range(6)})
    # Done once every broker's metadata shows it: planning from a stale view plans stale moves.
    while time.monotonic() < deadline + 30 and any(
        p.replicas != (broker,) for p in admin.describe_topics([topic])[topic].partitions
    ):
        time.sleep(0.2)
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for i in range(600):
        producer.send(topic, value=b"x" * 1000, partition=i % 6)
    producer.flush()
    producer.close()


def _run(admin: KafkaAdmin, moves: tuple[Move, ...], throttle: int | None, limit: float = 90) -> int:
    deadline = time.monotonic() + limit
    steps = 0
    while True:
        steps += 1
        step = reassign.execute_step(admin, moves, throttle=throttle, batch_partitions=2, per_broker=2)
        if step.finished:
            return steps
        assert time.monotonic() < deadline, step
        time.sleep(0.3)


def test_planner_input_carries_sizes_from_the_log_directories(admin, kafka_cluster, topic) -> None:  # type: ignore[no-untyped-def]
    _topic_on_one_broker(admin, kafka_cluster.bootstrap_servers, topic, 0)
    brokers, partitions = reassign.describe_for_planning(admin, [topic])
    assert {b.node_id for b in brokers} == {0, 1, 2}
    assert len(partitions) == 6
    assert all(p.replicas == (0,) and p.size > 0 and p.min_isr == 1 for p in partitions)


def test_remove_brokers_plan_empties_the_broker_under_a_throttle_which_is_removed_after(
    admin, kafka_cluster, topic, eventually
) -> None:  # type: ignore[no-untyped-def]
    _topic_on_one_broker(admin, kafka_cluster.bootstrap_servers, topic, 0)
    brokers, partitions = reassign.describe_for_planning(admin, [topic])
    plan = plan_rebalance(brokers, partitions, Goal(Mode.REMOVE_BROKERS, (0,)))
    assert plan.replica_moves == 6

    first = reassign.execute_step(admin, plan.moves, throttle=50_000_000, batch_partitions=2, per_broker=2)
    assert len(first.start) == 2
    rate = eventually(lambda: admin.describe_broker_config(0).get(reassign.LEADER_RATE), lambda e: e is not None)
    assert rate is not None
    assert rate.value == "50000000"
    assert _run(admin, plan.moves, throttle=50_000_000) > 1  # batches of 2: several steps

    placed = admin.describe_topics([topic])[topic].partitions
    assert all(0 not in p.replicas for p in placed)
    assert {p.replicas for p in placed} == set(plan.target().values())

    def throttled() -> bool:  # config changes reach every broker asynchronously
        topic_config = admin.describe_topic_configs([topic])[topic]
        entry = topic_config.get(reassign.LEADER_REPLICAS)
        return bool(entry and entry.value) or reassign.LEADER_RATE in admin.describe_broker_config(0)

    assert not eventually(throttled, lambda still: not still)


def test_a_new_executor_resumes_a_rebalance_another_one_started(admin, kafka_cluster, topic) -> None:  # type: ignore[no-untyped-def]
    _topic_on_one_broker(admin, kafka_cluster.bootstrap_servers, topic, 1)
    brokers, partitions = reassign.describe_for_planning(admin, [topic])
    plan = plan_rebalance(brokers, partitions, Goal(Mode.REMOVE_BROKERS, (1,)))
    first = reassign.execute_step(admin, plan.moves, batch_partitions=2, per_broker=2)
    assert len(first.start) == 2
    assert not first.finished
    # Only the plan survives a restart; where the moves stand is read back from Kafka.
    resumed = reassign.progress.next_step(plan.moves, reassign.observe(admin, plan.moves))
    assert not {m.key for m in first.start} & {m.key for m in resumed.start}
    assert resumed.done + resumed.in_flight + len(resumed.elect) >= 2
    final = reassign.run(admin, plan.moves, batch_partitions=2, per_broker=2, timeout=90, poll=0.3)
    assert final.stale == ()
    assert all(1 not in p.replicas for p in admin.describe_topics([topic])[topic].partitions)
