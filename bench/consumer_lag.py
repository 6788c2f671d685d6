"""The consumer-lag offsets pass for 1,000 partitions and 100 consumer groups.

A real single-node Kafka with 10 topics of 100 partitions, a record in each, and 100 groups
that committed offsets on one topic each (100 partitions per group). Figures:

  consumer_lag pass_s          one batched offsets pass (metadata, ListOffsets x2, ListGroups,
                               DescribeGroups, OffsetFetch) + samples + text, median of 5
  consumer_lag samples         Kafka Exporter samples the pass produces
  consumer_lag text_kb         the exposition text a scrape gets
  consumer_lag worst_samples_s samples + text alone for 100 groups committed on all 1,000 partitions

One pass per scrape interval (30 s by default) is the cost to Kafka, whatever the number of scrapes.
Sizes: KRAFTER_BENCH_LAG_TOPICS (10), KRAFTER_BENCH_LAG_PARTITIONS (100), KRAFTER_BENCH_LAG_GROUPS (100).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from kafka import KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from krafter.kafka import dist as kafka_dist
from krafter.kafka.admin import KafkaAdmin
from krafter.kafka.admin_types import ConnectionSettings, NewTopic
from krafter.monitoring import lag
from krafter.monitoring.lag_collector import read_snapshot
from krafter.testing.kafka_cluster import LocalKafkaCluster

TOPICS = int(os.environ.get("KRAFTER_BENCH_LAG_TOPICS", "10"))
PARTITIONS = int(os.environ.get("KRAFTER_BENCH_LAG_PARTITIONS", "100"))
GROUPS = int(os.environ.get("KRAFTER_BENCH_LAG_GROUPS", "100"))


def figure(name: str, value: float, unit: str) -> None:
    print(f"consumer_lag {name} {value:.3f} {unit}", flush=True)


def _fill(bootstrap: str, admin: KafkaAdmin) -> None:
    topics = [f"lag-{t}" for t in range(TOPICS)]
    admin.create_topics([NewTopic(name, PARTITIONS, 1) for name in topics])
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks=1, linger_ms=20)
    for name in topics:
        for partition in range(PARTITIONS):
            producer.send(name, b"x", partition=partition)
    producer.flush(timeout=120)
    producer.close()
    raw = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=120_000)
    try:
        for group in range(GROUPS):
            topic = topics[group % len(topics)]
            offsets = {TopicPartition(topic, p): OffsetAndMetadata(0, "", -1) for p in range(PARTITIONS)}
            _retried(partial(raw.alter_group_offsets, f"group-{group}", offsets))
    finally:
        raw.close()


def _retried(call: Callable[[], object], attempts: int = 30) -> None:
    """The first commit creates __consumer_offsets; its coordinator is unavailable until then."""
    for attempt in range(attempts):
        try:
            call()
            return
        except KafkaError:
            if attempt == attempts - 1:
                raise
            time.sleep(1)


def _worst_case() -> float:
    partitions = {
        (f"lag-{t}", p): lag.PartitionOffsets(0, 1000, 0, (0,), (0,)) for t in range(TOPICS) for p in range(PARTITIONS)
    }
    groups = {f"group-{g}": lag.GroupOffsets(0, dict.fromkeys(partitions, 10)) for g in range(GROUPS)}
    snapshot = lag.OffsetsSnapshot({0: "127.0.0.1:9092"}, partitions, groups)
    started = time.perf_counter()
    lag.exposition(lag.samples(snapshot, lag.LagFilter()), {"namespace": "prod", "strimzi_io_cluster": "c"})
    return time.perf_counter() - started


def main() -> None:
    dist = kafka_dist.resolve()
    print(
        f"# {TOPICS * PARTITIONS} partitions, {GROUPS} groups; 1 Kafka {dist.version} node, {os.cpu_count()} CPUs",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="krafter-bench-lag-") as directory:
        cluster = LocalKafkaCluster(dist, Path(directory), nodes=1, heap="1g")
        try:
            cluster.start()
            settings = ConnectionSettings(cluster.bootstrap_servers, request_timeout_ms=120_000)
            with KafkaAdmin(settings) as admin:
                _fill(cluster.bootstrap_servers, admin)
            wanted = lag.LagFilter()
            durations = []
            text = ""
            found: list[lag.Sample] = []
            for _ in range(5):
                started = time.perf_counter()
                with KafkaAdmin(settings) as admin:
                    found = lag.samples(read_snapshot(admin, wanted), wanted)
                text = lag.exposition(found)
                durations.append(time.perf_counter() - started)
            figure("pass_s", statistics.median(durations), "s")
            figure("samples", len(found), "samples")
            figure("text_kb", len(text) / 1024, "KiB")
        finally:
            cluster.stop()
    figure("worst_samples_s", _worst_case(), "s")


if __name__ == "__main__":
    main()
