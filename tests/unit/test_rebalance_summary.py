"""The proposal summary in Strimzi's KafkaRebalance status shape."""

from __future__ import annotations

import pytest

from krafter.rebalance.model import Broker, Goal, Mode, Partition
from krafter.rebalance.planner import plan_rebalance
from krafter.rebalance.summary import broker_load, optimization_result

pytestmark = pytest.mark.unit

MB = 1024 * 1024


def _plan():  # type: ignore[no-untyped-def]
    brokers = [Broker(i) for i in range(3)]
    partitions = [Partition("t", i, (0, 1), 0, 10 * MB) for i in range(4)]
    return plan_rebalance(brokers, partitions, Goal(Mode.REMOVE_BROKERS, (0,)))


def test_the_summary_counts_moves_and_data_like_cruise_control() -> None:
    result = optimization_result(_plan(), load_config_map="my-rebalance")
    assert result["numReplicaMovements"] == 4
    assert result["dataToMoveMB"] == 40
    assert result["numLeaderMovements"] == 4
    assert result["excludedBrokersForReplicaMove"] == [0]
    assert result["afterBeforeLoadConfigMap"] == "my-rebalance"


def test_the_broker_load_shows_before_after_and_difference_per_broker() -> None:
    load = broker_load(_plan())
    assert load["0"]["replicas"] == {"before": 4, "after": 0, "diff": -4}
    assert load["2"]["replicas"] == {"before": 0, "after": 4, "diff": 4}
    assert load["0"]["diskUsedMB"]["before"] == 40
    assert sum(b["leaders"]["after"] for b in load.values()) == 4
