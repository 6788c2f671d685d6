"""The kafka tier stands on real brokers: a record survives the loss of one node."""

from __future__ import annotations

import pytest
from kafka import KafkaConsumer, KafkaProducer

from krafter.kafka.admin import KafkaAdmin
from krafter.kafka.admin_types import ConnectionSettings, NewTopic

pytestmark = pytest.mark.kafka


def _consume_all(bootstrap: str, topic: str, expected: int) -> list[bytes]:
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=15000,
    )
    try:
        values: list[bytes] = []
        for record in consumer:
            values.append(record.value)
            if len(values) >= expected:
                break
        return values
    finally:
        consumer.close()


def test_three_node_cluster_registers_every_broker(kafka_cluster) -> None:
    with KafkaAdmin(ConnectionSettings(kafka_cluster.bootstrap_servers)) as admin:
        brokers = admin.describe_cluster().brokers
    assert sorted(b.node_id for b in brokers) == [0, 1, 2]


def test_record_is_readable_after_one_node_is_killed(kafka_cluster, topic_name) -> None:
    with KafkaAdmin(ConnectionSettings(kafka_cluster.bootstrap_servers)) as admin:
        result = admin.create_topics([NewTopic(topic_name, partitions=1, replication_factor=3)])
    assert result[topic_name].ok
    producer = KafkaProducer(bootstrap_servers=kafka_cluster.bootstrap_servers, acks="all")
    producer.send(topic_name, b"survives").get(timeout=30)
    producer.close()
    assert _consume_all(kafka_cluster.bootstrap_servers, topic_name, 1) == [b"survives"]

    kafka_cluster.kill_node(1)
    try:
        assert _consume_all(kafka_cluster.bootstrap_servers, topic_name, 1) == [b"survives"]
    finally:
        kafka_cluster.start_node(1)
        kafka_cluster.wait_ready(expected_brokers=3)


def test_single_node_cluster_accepts_a_record(kafka_single, topic_name) -> None:
    producer = KafkaProducer(bootstrap_servers=kafka_single.bootstrap_servers, acks="all")
    producer.send(topic_name, b"one").get(timeout=30)
    producer.close()
    assert _consume_all(kafka_single.bootstrap_servers, topic_name, 1) == [b"one"]
