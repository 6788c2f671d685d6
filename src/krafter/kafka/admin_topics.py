"""Topics and partitions: metadata, creation, reassignment, elections and health, as typed values.

Pure translation between kafka-python's dicts/protocol structs and `admin_types`; the
requests themselves are made by `admin.KafkaAdmin`.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from kafka.protocol.admin import AlterPartitionReassignmentsRequest

from krafter.kafka import admin_wire
from krafter.kafka.admin_types import (
    CreatedTopic,
    NewTopic,
    OpResult,
    PartitionHealth,
    PartitionState,
    Reassignment,
    TopicDescription,
    TopicPartition,
)

_MISSING_TOPIC_CODES = {3, 17}  # UNKNOWN_TOPIC_OR_PARTITION, INVALID_TOPIC_EXCEPTION
_LEADER_NOT_AVAILABLE = 5  # a topic still being created: it exists, leaders are coming
_ELECTION_NOT_NEEDED = 84


def parse_metadata(raw_topics: Iterable[Mapping[str, Any]]) -> dict[str, TopicDescription]:
    """Metadata topics by name; missing topics are left out, other topic errors raise."""
    described = {}
    for topic in raw_topics:
        code = topic.get("error_code", 0)
        if code in _MISSING_TOPIC_CODES:
            continue
        if code != _LEADER_NOT_AVAILABLE:
            admin_wire.raise_for_code(code, topic.get("error_message"), f"Describing topic {topic['name']}")
        partitions = sorted(topic["partitions"], key=lambda p: p["partition_index"])
        described[topic["name"]] = TopicDescription(
            name=topic["name"],
            topic_id=kafka_topic_id(topic.get("topic_id")),
            internal=bool(topic.get("is_internal", False)),
            partitions=tuple(
                PartitionState(
                    partition=p["partition_index"],
                    leader=p["leader_id"],
                    replicas=tuple(p["replica_nodes"]),
                    isr=tuple(p["isr_nodes"]),
                )
                for p in partitions
            ),
        )
    return described


def kafka_topic_id(raw: object) -> str | None:
    """Kafka prints topic ids as URL-safe base64 of the 16 bytes; kafka-python gives UUID text."""
    if raw is None:
        return None
    value = raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw))
    if value.int == 0:
        return None
    return base64.urlsafe_b64encode(value.bytes).rstrip(b"=").decode("ascii")


def create_spec(topics: Sequence[NewTopic]) -> dict[str, dict[str, Any]]:
    """kafka-python's create_topics input: {name: options}, -1 meaning the broker default."""
    return {
        t.name: {
            "num_partitions": t.partitions if t.partitions is not None else -1,
            "replication_factor": t.replication_factor if t.replication_factor is not None else -1,
            "configs": dict(t.config),
        }
        for t in topics
    }


def parse_topic_results(raw_topics: Iterable[Mapping[str, Any]]) -> dict[str, OpResult]:
    return {t["name"]: admin_wire.op_result(t["error_code"], t.get("error_message")) for t in raw_topics}


def parse_created(raw_topics: Iterable[Mapping[str, Any]]) -> dict[str, CreatedTopic]:
    return {
        t["name"]: CreatedTopic(
            outcome=admin_wire.op_result(t["error_code"], t.get("error_message")),
            topic_id=kafka_topic_id(t.get("topic_id")) if t["error_code"] == 0 else None,
        )
        for t in raw_topics
    }


def reassignment_request(reassignments: Mapping[TopicPartition, Sequence[int] | None], timeout_ms: int) -> Any:
    topic_type = AlterPartitionReassignmentsRequest.ReassignableTopic
    by_topic: dict[str, list[Any]] = {}
    for (topic, partition), replicas in reassignments.items():
        by_topic.setdefault(topic, []).append(
            topic_type.ReassignablePartition(
                partition_index=partition, replicas=list(replicas) if replicas is not None else None
            )
        )
    return AlterPartitionReassignmentsRequest(
        timeout_ms=timeout_ms,
        topics=[topic_type(name=topic, partitions=parts) for topic, parts in by_topic.items()],
        allow_replication_factor_change=True,
    )


def parse_reassignment(response: Any) -> dict[TopicPartition, OpResult]:
    admin_wire.raise_for_code(response.error_code, response.error_message, "Altering partition reassignments")
    return {
        (topic.name, p.partition_index): admin_wire.op_result(p.error_code, p.error_message)
        for topic in response.responses
        for p in topic.partitions
    }


def parse_ongoing(raw: Mapping[Any, Mapping[str, Any]]) -> dict[TopicPartition, Reassignment]:
    return {
        (tp.topic, tp.partition): Reassignment(
            replicas=tuple(r["replicas"]),
            adding=tuple(r["adding_replicas"]),
            removing=tuple(r["removing_replicas"]),
        )
        for tp, r in raw.items()
    }


def parse_elections(response: Any) -> dict[TopicPartition, OpResult]:
    """ELECTION_NOT_NEEDED (already led by the preferred replica) counts as success."""
    admin_wire.raise_for_code(getattr(response, "error_code", 0) or 0, None, "Electing preferred leaders")
    results = {}
    for topic in response.replica_election_results:
        for p in topic.partition_result:
            code = 0 if p.error_code == _ELECTION_NOT_NEEDED else p.error_code
            results[(topic.topic, p.partition_id)] = admin_wire.op_result(code, p.error_message)
    return results


def count_health(topics: Iterable[TopicDescription], min_isr: Mapping[str, int], default: int) -> PartitionHealth:
    under_replicated = under_min_isr = offline = 0
    for topic in topics:
        topic_min_isr = min_isr.get(topic.name, default)
        for p in topic.partitions:
            under_replicated += len(p.isr) < len(p.replicas)
            under_min_isr += len(p.isr) < topic_min_isr
            offline += p.leader < 0
    return PartitionHealth(under_replicated=under_replicated, under_min_isr=under_min_isr, offline=offline)


def parse_log_dirs(responses: Iterable[Mapping[str, Any]]) -> dict[TopicPartition, int]:
    """Each partition's largest replica in bytes over every broker's log directories (a replica
    being moved between directories of one broker, a "future" log, is not counted twice)."""
    sizes: dict[TopicPartition, int] = {}
    for response in responses:
        for log_dir in response.get("log_dirs") or []:
            if log_dir.get("error_code"):
                continue  # an offline directory: its replicas show up elsewhere or not at all
            for topic in log_dir.get("topics") or []:
                for partition in topic.get("partitions") or []:
                    if partition.get("is_future_key"):
                        continue
                    key = (topic["name"], partition["partition_index"])
                    sizes[key] = max(sizes.get(key, 0), int(partition.get("partition_size") or 0))
    return sizes
