"""Counting the partition replicas each broker hosts, which the scale-down guard weighs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from krafter.kafka.admin import KafkaAdmin
from krafter.kafka.admin_types import ConnectionSettings, NewTopic

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
def admin(kafka_cluster) -> Iterator[KafkaAdmin]:  # type: ignore[no-untyped-def]
    with KafkaAdmin(ConnectionSettings(kafka_cluster.bootstrap_servers)) as client:
        yield client


def _wait_for(admin: KafkaAdmin, topic: str) -> None:
    import time

    deadline = time.monotonic() + 15
    while topic not in admin.describe_topics([topic]) and time.monotonic() < deadline:
        time.sleep(0.2)


def test_a_new_topic_adds_one_replica_per_partition_to_each_broker_it_is_placed_on(
    admin: KafkaAdmin, topic_name: str
) -> None:
    before = admin.replicas_per_broker()
    config = {"min.insync.replicas": "1"}
    assignment = NewTopic(topic_name, partitions=4, replication_factor=2, config=config)
    assert admin.create_topics([assignment])[topic_name].ok
    _wait_for(admin, topic_name)
    placed = admin.describe_topics([topic_name])[topic_name]
    after = admin.replicas_per_broker()
    for broker in set(after) | set(before):
        expected = sum(broker in p.replicas for p in placed.partitions)
        assert after.get(broker, 0) - before.get(broker, 0) == expected
    assert sum(after.values()) - sum(before.values()) == 8
    admin.delete_topics([topic_name])
