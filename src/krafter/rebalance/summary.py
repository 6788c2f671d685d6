"""A plan as Strimzi's KafkaRebalance shows a proposal: `status.optimizationResult` and the
per-broker load before and after (Strimzi keeps that in a ConfigMap named after the rebalance,
key `brokerLoad.json`).

Only the figures Krafter's planner really computes are filled in; Cruise Control's CPU and
network estimates, balancedness scores and provisioning advice have no counterpart and are left
out rather than invented.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from krafter.rebalance.model import BrokerLoad, Move, RebalancePlan

MB = 1024 * 1024
BROKER_LOAD_KEY = "brokerLoad.json"


def optimization_result(
    plan: RebalancePlan, *, load_config_map: str | None = None, excluded_topics: list[str] | None = None
) -> dict[str, Any]:
    """`status.optimizationResult` with Cruise Control's key names."""
    result: dict[str, Any] = {
        "numReplicaMovements": plan.replica_moves,
        "numLeaderMovements": plan.leader_moves,
        "dataToMoveMB": round(plan.data_to_move / MB),
        "numIntraBrokerReplicaMovements": 0,
        "intraBrokerDataToMoveMB": 0,
        "excludedBrokersForLeadership": [],
        "excludedBrokersForReplicaMove": sorted(plan.goal.brokers) if plan.goal.mode.value == "remove-brokers" else [],
        "excludedTopics": sorted(excluded_topics or []),
        "monitoredPartitionsPercentage": 100.0,
        "numPartitionsToMove": len(plan.moves),
        "numBatches": len(plan.batches),
    }
    if plan.unmovable:
        result["unmovablePartitions"] = [f"{topic}-{partition}" for topic, partition in plan.unmovable]
    if load_config_map:
        result["afterBeforeLoadConfigMap"] = load_config_map
    return result


def _figure(before: float, after: float) -> dict[str, float]:
    return {"before": before, "after": after, "diff": after - before}


def broker_load(plan: RebalancePlan) -> dict[str, dict[str, dict[str, float]]]:
    """Per broker: replicas, leaders and disk use (MB) before and after, Strimzi's brokerLoad shape."""
    after = {load.node_id: load for load in plan.after}
    loads: dict[str, dict[str, dict[str, float]]] = {}
    for before in plan.before:
        now = after.get(before.node_id, BrokerLoad(before.node_id))
        loads[str(before.node_id)] = {
            "replicas": _figure(before.replicas, now.replicas),
            "leaders": _figure(before.leaders, now.leaders),
            "diskUsedMB": _figure(round(before.size / MB, 3), round(now.size / MB, 3)),
        }
    return loads


MOVES_KEY = "moves.json"


def moves_to_json(moves: Sequence[Move]) -> str:
    """The approved moves, kept in the rebalance's ConfigMap so an operator restart finds them."""
    return json.dumps(
        [[m.topic, m.partition, list(m.before), list(m.after), m.leader_before, m.size] for m in moves],
        separators=(",", ":"),
    )


def moves_from_json(text: str) -> tuple[Move, ...]:
    return tuple(
        Move(topic, partition, tuple(before), tuple(after), leader, size)
        for topic, partition, before, after, leader, size in json.loads(text)
    )
