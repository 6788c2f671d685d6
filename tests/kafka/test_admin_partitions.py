"""KafkaAdmin partition moves, elections and health on real brokers.

The last test kills a node and restarts it; it waits until every replica is back in sync
before returning, so tests after it (in any module) see a healthy cluster.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest

from krafter.kafka.admin import KafkaAdmin
from krafter.kafka.admin_types import ConnectionSettings, KafkaAdminError, NewTopic

pytestmark = pytest.mark.kafka

T = TypeVar("T")

# The shared cluster's min.insync.replicas is 2: a single-replica topic would count as
# under min ISR for every later cluster-wide health check.
SINGLE_REPLICA = {"min.insync.replicas": "1"}


def eventually(read: Callable[[], T], accept: Callable[[T], bool], timeout: float = 15.0) -> T:
    """Poll `read` until `accept`; errors while a node is down count as not yet."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = read()
            if accept(value) or time.monotonic() > deadline:
                return value
        except KafkaAdminError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.25)


@pytest.fixture(scope="module")
def admin(kafka_cluster) -> Iterator[KafkaAdmin]:
    with KafkaAdmin(ConnectionSettings(kafka_cluster.bootstrap_servers)) as client:
        yield client


def test_reassignment_from_one_to_three_replicas_is_listed_then_completes(admin, topic_name) -> None:
    admin.create_topics([NewTopic(topic_name, partitions=3, replication_factor=1, config=SINGLE_REPLICA)])
    eventually(lambda: admin.describe_topics([topic_name]), lambda d: topic_name in d)
    target = {(topic_name, p): [p, (p + 1) % 3, (p + 2) % 3] for p in range(3)}

    results = admin.alter_partition_reassignments(target)
    ongoing = admin.list_partition_reassignments()
    done = eventually(admin.list_partition_reassignments, lambda r: not any(t == topic_name for t, _ in r), 60)
    described = admin.describe_topics([topic_name])[topic_name]

    assert all(r.ok for r in results.values())
    assert set(results) == set(target)
    listed = {tp: r for tp, r in ongoing.items() if tp[0] == topic_name}
    assert listed, "a fresh RF 1 -> 3 move should still be in progress right after it is accepted"
    assert all(len(r.replicas) == 3 and len(r.adding) == 2 and not r.removing for r in listed.values())
    assert not any(t == topic_name for t, _ in done)
    assert all(list(p.replicas) == target[(topic_name, p.partition)] for p in described.partitions)


def test_reassigning_a_missing_partition_is_reported_per_partition(admin, topic_name) -> None:
    admin.create_topics([NewTopic(topic_name, partitions=1, replication_factor=1, config=SINGLE_REPLICA)])
    eventually(lambda: admin.describe_topics([topic_name]), lambda d: topic_name in d)

    results = admin.alter_partition_reassignments({(topic_name, 0): [0], (topic_name, 7): [0]})

    assert results[(topic_name, 0)].ok
    assert results[(topic_name, 7)].error_name == "UNKNOWN_TOPIC_OR_PARTITION"


def test_preferred_leader_election_moves_leadership_to_the_first_replica(admin, topic_name) -> None:
    admin.create_topics([NewTopic(topic_name, partitions=1, replication_factor=3)])
    before = eventually(lambda: admin.describe_topics([topic_name]), lambda d: topic_name in d)[topic_name]
    leader, replicas = before.partitions[0].leader, list(before.partitions[0].replicas)
    # Same replica set, new order: completes at once and leaves the old leader in place.
    rotated = [*replicas[1:], replicas[0]] if replicas[0] == leader else replicas
    admin.alter_partition_reassignments({(topic_name, 0): rotated})
    eventually(
        lambda: admin.describe_topics([topic_name])[topic_name].partitions[0],
        lambda p: list(p.replicas) == rotated,
    )

    results = admin.elect_preferred_leaders({topic_name: [0]})

    after = eventually(
        lambda: admin.describe_topics([topic_name])[topic_name].partitions[0], lambda p: p.leader == rotated[0]
    )
    assert results[(topic_name, 0)].ok
    assert after.leader == rotated[0] != leader


def test_partition_health_is_clean_on_a_healthy_cluster(admin) -> None:
    # Polls in case an earlier test in the session restarted a node that is still catching up.
    health = eventually(admin.partition_health, lambda h: h.under_replicated == 0, 60)

    assert (health.under_replicated, health.under_min_isr, health.offline) == (0, 0, 0)


def test_partition_health_counts_under_min_isr_after_a_node_is_killed(admin, kafka_cluster, topic_name) -> None:
    partitions = 3
    admin.create_topics(
        [NewTopic(topic_name, partitions=partitions, replication_factor=3, config={"min.insync.replicas": "3"})]
    )
    eventually(lambda: admin.describe_topics([topic_name]), lambda d: topic_name in d)
    assert admin.partition_health().under_min_isr == 0

    kafka_cluster.kill_node(2)
    try:
        # The controller fences the dead broker (broker.session.timeout.ms, 9 s) and drops
        # it from every ISR.
        degraded = eventually(admin.partition_health, lambda h: h.under_min_isr >= partitions, 60)
    finally:
        kafka_cluster.start_node(2)
        kafka_cluster.wait_ready(expected_brokers=3)
        healed = eventually(admin.partition_health, lambda h: h.under_replicated == 0, 90)
        admin.delete_topics([topic_name])

    assert degraded.under_min_isr >= partitions
    assert degraded.under_replicated >= partitions
    assert degraded.offline == 0
    assert healed.under_replicated == 0
