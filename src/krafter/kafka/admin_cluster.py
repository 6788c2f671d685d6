"""Cluster-level answers (DescribeCluster, DescribeQuorum, features) as typed values.

In KRaft the broker that DescribeCluster calls "controller" is a random live broker
(KAFKA-17404); the active controller is the leader of the `__cluster_metadata` quorum,
which only DescribeQuorum reports. The roller needs the latter and the voters' lag.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kafka.protocol.admin import DescribeQuorumRequest

from krafter.kafka import admin_voters, admin_wire
from krafter.kafka.admin_types import (
    BrokerNode,
    ClusterDescription,
    FeatureLevel,
    QuorumState,
    ReplicaState,
    VoterEndpoint,
)

METADATA_TOPIC = "__cluster_metadata"


def parse_cluster(raw: Mapping[str, Any]) -> ClusterDescription:
    brokers = sorted(
        (
            BrokerNode(
                node_id=b["broker_id"],
                host=b["host"],
                port=b["port"],
                rack=b.get("rack"),
                fenced=bool(b.get("is_fenced", False)),
            )
            for b in raw["brokers"]
        ),
        key=lambda b: b.node_id,
    )
    return ClusterDescription(cluster_id=raw["cluster_id"], controller_id=raw["controller_id"], brokers=tuple(brokers))


def quorum_request() -> Any:
    topic = DescribeQuorumRequest.TopicData
    return DescribeQuorumRequest(
        topics=[topic(topic_name=METADATA_TOPIC, partitions=[topic.PartitionData(partition_index=0)])]
    )


def parse_quorum(response: Any) -> QuorumState:
    action = "Describing the KRaft quorum"
    admin_wire.raise_for_code(response.error_code, response.error_message, action)
    partition = response.topics[0].partitions[0]
    admin_wire.raise_for_code(partition.error_code, partition.error_message, action)
    return QuorumState(
        leader_id=partition.leader_id,
        leader_epoch=partition.leader_epoch,
        high_watermark=partition.high_watermark,
        voters=tuple(_replica_state(r) for r in partition.current_voters),
        observers=tuple(_replica_state(r) for r in partition.observers),
        endpoints={
            node.node_id: tuple(VoterEndpoint(e.name, e.host, e.port) for e in node.listeners)
            for node in (getattr(response, "nodes", None) or [])
        },
    )


def _replica_state(raw: Any) -> ReplicaState:
    def timestamp(value: int | None) -> int | None:
        return value if value is not None and value >= 0 else None  # -1: never (or unknown)

    return ReplicaState(
        node_id=raw.replica_id,
        log_end_offset=raw.log_end_offset,
        last_caught_up_ms=timestamp(raw.last_caught_up_timestamp),
        last_fetch_ms=timestamp(raw.last_fetch_timestamp),
        directory_id=admin_voters.directory_text(getattr(raw, "replica_directory_id", None)),
    )


def parse_features(raw: Mapping[str, Mapping[str, Any]]) -> dict[str, FeatureLevel]:
    features = {}
    for name, levels in raw.items():
        supported = levels.get("supported", (0, 0))
        finalized = levels.get("finalized")
        features[name] = FeatureLevel(
            name=name,
            supported_min=supported[0],
            supported_max=supported[1],
            finalized=finalized[1] if finalized is not None else None,
        )
    return features
