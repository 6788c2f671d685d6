"""KafkaAdmin topics and configs on real brokers: per-item results, sources, batches.

Metadata changes reach each broker asynchronously in KRaft, so reads after a write poll
briefly (`eventually`) instead of asserting at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest

from krafter.kafka.admin import KafkaAdmin
from krafter.kafka.admin_types import ConfigChange, ConfigSource, ConnectionSettings, NewTopic

pytestmark = pytest.mark.kafka

T = TypeVar("T")


def eventually(read: Callable[[], T], accept: Callable[[T], bool], timeout: float = 15.0) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if accept(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


@pytest.fixture(scope="module")
def admin(kafka_cluster) -> Iterator[KafkaAdmin]:
    with KafkaAdmin(ConnectionSettings(kafka_cluster.bootstrap_servers)) as client:
        yield client


def test_created_topic_is_described_with_its_partitions_and_replicas(admin, topic_name) -> None:
    results = admin.create_topics([NewTopic(topic_name, partitions=2, replication_factor=3)])

    described = eventually(lambda: admin.describe_topics([topic_name]), lambda d: topic_name in d)
    assert results[topic_name].ok
    topic = described[topic_name]
    assert [p.partition for p in topic.partitions] == [0, 1]
    assert all(sorted(p.replicas) == [0, 1, 2] and p.leader in p.replicas for p in topic.partitions)
    assert topic.topic_id is not None
    assert len(topic.topic_id) == 22
    assert not topic.internal


def test_creating_an_existing_topic_reports_already_exists(admin, topic_name) -> None:
    admin.create_topics([NewTopic(topic_name, partitions=1)])

    again = admin.create_topics([NewTopic(topic_name, partitions=1), NewTopic(f"{topic_name}-other")])

    assert again[topic_name].already_exists
    assert again[topic_name].error_name == "TOPIC_ALREADY_EXISTS"
    assert again[f"{topic_name}-other"].ok


def test_describing_a_missing_topic_leaves_it_out(admin, topic_name) -> None:
    admin.create_topics([NewTopic(topic_name, partitions=1)])

    described = eventually(lambda: admin.describe_topics([topic_name, f"{topic_name}-missing"]), bool)

    assert set(described) == {topic_name}


def test_deleted_topic_disappears_and_deleting_it_again_reports_not_found(admin, topic_name) -> None:
    admin.create_topics([NewTopic(topic_name, partitions=1)])
    eventually(admin.list_topics, lambda names: topic_name in names)

    first = admin.delete_topics([topic_name])
    second = admin.delete_topics([topic_name])

    assert first[topic_name].ok
    assert second[topic_name].not_found
    assert topic_name not in eventually(admin.list_topics, lambda names: topic_name not in names)


def test_partition_count_grows_to_the_requested_total(admin, topic_name) -> None:
    admin.create_topics([NewTopic(topic_name, partitions=1)])

    result = admin.create_partitions({topic_name: 3})

    assert result[topic_name].ok
    described = eventually(
        lambda: admin.describe_topics([topic_name]),
        lambda d: topic_name in d and len(d[topic_name].partitions) == 3,
    )
    assert len(described[topic_name].partitions) == 3


def test_config_set_incrementally_shows_as_a_topic_override(admin, topic_name) -> None:
    admin.create_topics([NewTopic(topic_name, partitions=1, config={"cleanup.policy": "compact"})])

    result = admin.alter_topic_configs({topic_name: [ConfigChange("retention.ms", "3600000")]})

    configs = eventually(
        lambda: admin.describe_topic_configs([topic_name]),
        lambda c: topic_name in c and c[topic_name]["retention.ms"].value == "3600000",
    )[topic_name]
    assert result[topic_name].ok
    assert configs["retention.ms"].source is ConfigSource.DYNAMIC_TOPIC_CONFIG
    assert configs["cleanup.policy"].value == "compact"  # incremental: untouched keys stay
    assert configs["segment.bytes"].default


def test_deleting_a_config_override_reverts_it_to_the_default(admin, topic_name) -> None:
    admin.create_topics([NewTopic(topic_name, partitions=1, config={"retention.ms": "3600000"})])

    result = admin.alter_topic_configs({topic_name: [ConfigChange("retention.ms", None)]})

    entry = eventually(
        lambda: admin.describe_topic_configs([topic_name]).get(topic_name, {}).get("retention.ms"),
        lambda e: e is not None and e.source is not ConfigSource.DYNAMIC_TOPIC_CONFIG,
    )
    assert result[topic_name].ok
    assert entry is not None
    assert entry.default
    assert entry.value == "604800000"


def test_unknown_config_key_is_reported_per_topic(admin, topic_name) -> None:
    admin.create_topics([NewTopic(topic_name, partitions=1)])

    result = admin.alter_topic_configs({topic_name: [ConfigChange("no.such.key", "1")]})

    assert result[topic_name].error_name == "INVALID_CONFIG"
    assert "no.such.key" in (result[topic_name].message or "")


def test_cluster_wide_broker_config_is_set_then_reverted(admin) -> None:
    key = "log.cleaner.backoff.ms"

    set_result = admin.alter_broker_configs({None: [ConfigChange(key, "16000")]})
    visible = eventually(
        lambda: admin.describe_broker_config(1).get(key), lambda e: e is not None and e.value == "16000"
    )
    revert_result = admin.alter_broker_configs({None: [ConfigChange(key, None)]})
    reverted = eventually(lambda: admin.describe_broker_config(None), lambda c: key not in c)

    assert set_result[None].ok
    assert revert_result[None].ok
    assert visible is not None
    assert visible.source is ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG
    assert key not in reverted


def test_a_thousand_topics_are_created_in_batches_and_deleted(admin, topic_name) -> None:
    names = [f"{topic_name}-{i:04d}" for i in range(1000)]

    # One replica keeps the shared cluster's load low; min ISR 1 keeps it "healthy" meanwhile.
    topics = [NewTopic(n, partitions=1, replication_factor=1, config={"min.insync.replicas": "1"}) for n in names]

    created = admin.create_topics(topics, batch_size=500)
    deleted = admin.delete_topics(names)

    assert len(created) == 1000
    assert all(r.ok for r in created.values())
    assert len(deleted) == 1000
    assert all(r.ok for r in deleted.values())
