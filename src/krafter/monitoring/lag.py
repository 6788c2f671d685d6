"""Consumer-lag samples with Kafka Exporter's metric names and labels, from offsets.

Strimzi deploys danielqsj/kafka_exporter per cluster (`spec.kafkaExporter`); Krafter computes
the same series itself from one batched offsets pass, so Strimzi's consumer-lag dashboards
and alerts work unchanged. This module is the arithmetic and the filtering only; reading the
offsets is the caller's (one `OffsetsSnapshot` per scrape interval, not per scrape).

Kafka Exporter's semantics kept here: regular expressions match anywhere in the name (Go's
`MatchString`), exclusions win over inclusions, a group without members is shown only with
`showAllOffsets` (the default), and a partition without a committed offset has no
`current_offset`/`lag` sample.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from krafter.api.components import KafkaExporterSpec

TopicPartition = tuple[str, int]


@dataclass(frozen=True)
class PartitionOffsets:
    oldest: int
    latest: int
    """The high watermark: the offset the next record gets."""
    leader: int
    replicas: tuple[int, ...]
    isr: tuple[int, ...]


@dataclass(frozen=True)
class GroupOffsets:
    members: int
    committed: Mapping[TopicPartition, int]


@dataclass(frozen=True)
class OffsetsSnapshot:
    brokers: Mapping[int, str]
    """Node id -> host:port."""
    partitions: Mapping[TopicPartition, PartitionOffsets]
    groups: Mapping[str, GroupOffsets]


@dataclass(frozen=True)
class LagFilter:
    topic_regex: str = ".*"
    group_regex: str = ".*"
    topic_exclude_regex: str = "^$"
    group_exclude_regex: str = "^$"
    show_all_offsets: bool = True

    @classmethod
    def of(cls, spec: KafkaExporterSpec) -> LagFilter:
        return cls(
            topic_regex=spec.topic_regex or ".*",
            group_regex=spec.group_regex or ".*",
            topic_exclude_regex=spec.topic_exclude_regex or "^$",
            group_exclude_regex=spec.group_exclude_regex or "^$",
            show_all_offsets=spec.show_all_offsets if spec.show_all_offsets is not None else True,
        )

    def topic(self, name: str) -> bool:
        return bool(re.search(self.topic_regex, name)) and not re.search(self.topic_exclude_regex, name)

    def group(self, name: str) -> bool:
        return bool(re.search(self.group_regex, name)) and not re.search(self.group_exclude_regex, name)


@dataclass(frozen=True)
class Sample:
    name: str
    labels: tuple[tuple[str, str], ...]
    value: float


HELP = {
    "kafka_brokers": "Number of Brokers in the Kafka Cluster.",
    "kafka_broker_info": "Information about the Kafka Broker.",
    "kafka_topic_partitions": "Number of partitions for this Topic",
    "kafka_topic_partition_current_offset": "Current Offset of a Broker at Topic/Partition",
    "kafka_topic_partition_oldest_offset": "Oldest Offset of a Broker at Topic/Partition",
    "kafka_topic_partition_leader": "Leader Broker ID of this Topic/Partition",
    "kafka_topic_partition_replicas": "Number of Replicas for this Topic/Partition",
    "kafka_topic_partition_in_sync_replica": "Number of In-Sync Replicas for this Topic/Partition",
    "kafka_topic_partition_leader_is_preferred": "1 if Topic/Partition is using the Preferred Broker",
    "kafka_topic_partition_under_replicated_partition": "1 if Topic/Partition is under Replicated",
    "kafka_consumergroup_current_offset": "Current Offset of a ConsumerGroup at Topic/Partition",
    "kafka_consumergroup_current_offset_sum": "Current Offset of a ConsumerGroup at Topic for all partitions",
    "kafka_consumergroup_lag": "Current Approximate Lag of a ConsumerGroup at Topic/Partition",
    "kafka_consumergroup_lag_sum": "Current Approximate Lag of a ConsumerGroup at Topic for all partitions",
    "kafka_consumergroup_members": "Amount of members in a consumer group",
}


def _s(name: str, value: float, **labels: str | int) -> Sample:
    return Sample(name, tuple((k, str(v)) for k, v in labels.items()), float(value))


def samples(snapshot: OffsetsSnapshot, wanted: LagFilter) -> list[Sample]:
    out = [_s("kafka_brokers", len(snapshot.brokers))]
    out += [_s("kafka_broker_info", 1, address=address, id=node) for node, address in sorted(snapshot.brokers.items())]
    by_topic: dict[str, list[tuple[int, PartitionOffsets]]] = defaultdict(list)
    for (topic, partition), offsets in sorted(snapshot.partitions.items()):
        if wanted.topic(topic):
            by_topic[topic].append((partition, offsets))
    for topic, partitions in by_topic.items():
        out.append(_s("kafka_topic_partitions", len(partitions), topic=topic))
        for partition, o in partitions:
            where: dict[str, str | int] = {"topic": topic, "partition": partition}
            out += [
                _s("kafka_topic_partition_current_offset", o.latest, **where),
                _s("kafka_topic_partition_oldest_offset", o.oldest, **where),
                _s("kafka_topic_partition_leader", o.leader, **where),
                _s("kafka_topic_partition_replicas", len(o.replicas), **where),
                _s("kafka_topic_partition_in_sync_replica", len(o.isr), **where),
                _s("kafka_topic_partition_leader_is_preferred", int(o.replicas[:1] == (o.leader,)), **where),
                _s("kafka_topic_partition_under_replicated_partition", int(len(o.isr) < len(o.replicas)), **where),
            ]
    for group, group_offsets in sorted(snapshot.groups.items()):
        if not wanted.group(group) or (not wanted.show_all_offsets and group_offsets.members == 0):
            continue
        out.append(_s("kafka_consumergroup_members", group_offsets.members, consumergroup=group))
        current_sum: dict[str, int] = defaultdict(int)
        lag_sum: dict[str, int] = defaultdict(int)
        for (topic, partition), committed in sorted(group_offsets.committed.items()):
            latest = snapshot.partitions.get((topic, partition))
            if committed < 0 or latest is None or not wanted.topic(topic):
                continue
            lag = max(latest.latest - committed, 0)  # a commit can run ahead of a stale high watermark
            where = {"consumergroup": group, "topic": topic, "partition": str(partition)}
            out.append(_s("kafka_consumergroup_current_offset", committed, **where))
            out.append(_s("kafka_consumergroup_lag", lag, **where))
            current_sum[topic] += committed
            lag_sum[topic] += lag
        for topic in sorted(current_sum):
            where_sum = {"consumergroup": group, "topic": topic}
            out.append(_s("kafka_consumergroup_current_offset_sum", current_sum[topic], **where_sum))
            out.append(_s("kafka_consumergroup_lag_sum", lag_sum[topic], **where_sum))
    return out


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    return str(int(value)) if value.is_integer() else repr(value)


def exposition(found: Iterable[Sample], extra: Mapping[str, str] | None = None, *, headers: bool = True) -> str:
    """Prometheus text format; `extra` labels (namespace, cluster) go first on every sample.

    Without `headers` (no HELP/TYPE lines) several clusters' texts can be concatenated into one
    scrape: Prometheus reads the families as untyped.
    """
    lines: list[str] = []
    seen: set[str] = set()
    prefix = list((extra or {}).items())
    for sample in sorted(found, key=lambda s: s.name):
        if headers and sample.name not in seen:
            seen.add(sample.name)
            lines += [f"# HELP {sample.name} {HELP.get(sample.name, sample.name)}", f"# TYPE {sample.name} gauge"]
        labels = ",".join(f'{k}="{_escape(v)}"' for k, v in [*prefix, *sample.labels])
        selector = f"{sample.name}{{{labels}}}" if labels else sample.name
        lines.append(f"{selector} {_number(sample.value)}")
    return "\n".join(lines) + "\n"
