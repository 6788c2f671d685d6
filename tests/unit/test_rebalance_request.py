"""A KafkaRebalance spec as the planner's request."""

from __future__ import annotations

import pytest

from krafter.api.rebalance import KafkaRebalanceSpec
from krafter.rebalance.model import Goal, Mode, Partition, PlanningError
from krafter.rebalance.request import request_from_spec, without_excluded

pytestmark = pytest.mark.unit


def _spec(**fields: object) -> KafkaRebalanceSpec:
    return KafkaRebalanceSpec.model_validate(fields)


def test_an_empty_spec_is_a_full_rebalance_with_the_default_limits() -> None:
    request = request_from_spec(_spec())
    assert request.goal == Goal(Mode.FULL)
    assert request.per_broker == 5
    assert request.throttle is None


def test_remove_brokers_carries_the_brokers_and_the_throttle() -> None:
    request = request_from_spec(
        _spec(mode="remove-brokers", brokers=[4, 3], replicationThrottle=1000, concurrentPartitionMovementsPerBroker=2)
    )
    assert request.goal == Goal(Mode.REMOVE_BROKERS, (3, 4))
    assert (request.throttle, request.per_broker) == (1000, 2)


def test_remove_disks_is_refused() -> None:
    with pytest.raises(PlanningError, match="not supported"):
        request_from_spec(_spec(mode="remove-disks"))


def test_excluded_topics_must_match_the_whole_name() -> None:
    partitions = [Partition(name, 0, (0,), 0) for name in ("logs", "logs-old", "orders")]
    kept = without_excluded(partitions, "logs.*")
    assert [p.topic for p in kept] == ["orders"]
    assert [p.topic for p in without_excluded(partitions, "logs")] == ["logs-old", "orders"]
