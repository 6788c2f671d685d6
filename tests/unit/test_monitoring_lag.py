"""Consumer-lag samples: Kafka Exporter's names, labels and filtering, from offsets alone."""

from __future__ import annotations

import pytest

from krafter.api.components import KafkaExporterSpec
from krafter.monitoring import lag
from krafter.monitoring.lag_collector import LagCollector

pytestmark = pytest.mark.unit

SNAPSHOT = lag.OffsetsSnapshot(
    brokers={0: "127.0.0.1:9092", 1: "127.0.0.1:9093"},
    partitions={
        ("orders", 0): lag.PartitionOffsets(oldest=5, latest=100, leader=0, replicas=(0, 1), isr=(0, 1)),
        ("orders", 1): lag.PartitionOffsets(oldest=0, latest=50, leader=0, replicas=(1, 0), isr=(0,)),
        ("audit", 0): lag.PartitionOffsets(oldest=0, latest=10, leader=1, replicas=(1,), isr=(1,)),
    },
    groups={
        "billing": lag.GroupOffsets(members=2, committed={("orders", 0): 90, ("orders", 1): 50}),
        "idle": lag.GroupOffsets(members=0, committed={("audit", 0): 4}),
        "fresh": lag.GroupOffsets(members=1, committed={("orders", 0): -1}),
    },
)


def _values(samples: list[lag.Sample], name: str) -> dict[tuple[tuple[str, str], ...], float]:
    return {s.labels: s.value for s in samples if s.name == name}


def test_lag_is_the_high_watermark_minus_the_committed_offset_per_partition() -> None:
    found = _values(lag.samples(SNAPSHOT, lag.LagFilter()), "kafka_consumergroup_lag")
    assert found[(("consumergroup", "billing"), ("topic", "orders"), ("partition", "0"))] == 10
    assert found[(("consumergroup", "billing"), ("topic", "orders"), ("partition", "1"))] == 0
    sums = _values(lag.samples(SNAPSHOT, lag.LagFilter()), "kafka_consumergroup_lag_sum")
    assert sums[(("consumergroup", "billing"), ("topic", "orders"))] == 10


def test_a_partition_without_a_committed_offset_has_no_lag_sample() -> None:
    found = _values(lag.samples(SNAPSHOT, lag.LagFilter()), "kafka_consumergroup_lag")
    assert not [labels for labels in found if ("consumergroup", "fresh") in labels]


def test_topic_samples_carry_offsets_replicas_and_under_replication() -> None:
    samples = lag.samples(SNAPSHOT, lag.LagFilter())
    where = (("topic", "orders"), ("partition", "1"))
    assert _values(samples, "kafka_topic_partition_current_offset")[where] == 50
    assert _values(samples, "kafka_topic_partition_oldest_offset")[(("topic", "orders"), ("partition", "0"))] == 5
    assert _values(samples, "kafka_topic_partition_under_replicated_partition")[where] == 1
    assert _values(samples, "kafka_topic_partition_leader_is_preferred")[where] == 0
    assert _values(samples, "kafka_topic_partitions")[(("topic", "orders"),)] == 2
    assert _values(samples, "kafka_brokers")[()] == 2


def test_exclusions_win_over_inclusions_and_regexes_match_anywhere() -> None:
    wanted = lag.LagFilter(topic_regex="ord", group_regex=".*", group_exclude_regex="^idle$")
    samples = lag.samples(SNAPSHOT, wanted)
    assert {dict(s.labels).get("topic") for s in samples if "topic" in dict(s.labels)} == {"orders"}
    assert "idle" not in {dict(s.labels).get("consumergroup") for s in samples}


def test_without_show_all_offsets_groups_without_members_are_left_out() -> None:
    samples = lag.samples(SNAPSHOT, lag.LagFilter(show_all_offsets=False))
    groups = {dict(s.labels).get("consumergroup") for s in samples if s.name == "kafka_consumergroup_members"}
    assert groups == {"billing", "fresh"}


def test_filter_defaults_follow_kafka_exporter_when_the_spec_leaves_them_out() -> None:
    wanted = lag.LagFilter.of(KafkaExporterSpec.model_validate({"topicRegex": "^orders$"}))
    assert wanted.topic("orders")
    assert not wanted.topic("audit")
    assert wanted.group("anything")
    assert wanted.show_all_offsets


def test_exposition_is_prometheus_text_with_the_extra_labels_first() -> None:
    text = lag.exposition(lag.samples(SNAPSHOT, lag.LagFilter()), {"namespace": "prod", "strimzi_io_cluster": "c"})
    assert "# TYPE kafka_consumergroup_lag gauge" in text
    line = (
        'kafka_consumergroup_lag{namespace="prod",strimzi_io_cluster="c",'
        'consumergroup="billing",topic="orders",partition="0"} 10'
    )
    assert line in text.splitlines()


def test_scrapes_within_the_interval_share_one_offsets_pass() -> None:
    now = [0.0]
    passes: list[float] = []

    def read() -> str:
        passes.append(now[0])
        return f"kafka_brokers {len(passes)}\n"

    collector = LagCollector(read, interval=30, clock=lambda: now[0])
    served = []
    for moment in (0.0, 5.0, 29.0, 30.0, 45.0, 61.0):
        now[0] = moment
        served.append(collector.render())
    assert passes == [0.0, 30.0, 61.0]
    assert served[2] == served[0]
    assert served[3] != served[0]


def test_a_failed_pass_keeps_serving_the_previous_samples() -> None:
    now = [0.0]
    answers: list[str | Exception] = ["kafka_brokers 3\n", OSError("connection refused")]

    def read() -> str:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    collector = LagCollector(read, interval=1, clock=lambda: now[0])
    assert collector.render() == "kafka_brokers 3\n"
    now[0] = 2.0
    assert collector.render() == "kafka_brokers 3\n"
