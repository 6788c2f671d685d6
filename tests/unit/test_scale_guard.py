"""The scale-down guard: which brokers leave, and which are held because they host replicas."""

from __future__ import annotations

import pytest

from krafter.scale.guard import (
    SKIP_CHECK_ANNOTATION,
    Leaving,
    LeavingBroker,
    Node,
    check_scale_down,
    leaving_brokers,
    skip_requested,
)

pytestmark = pytest.mark.unit

FIVE = [Node(i, "brokers", True) for i in range(5)]


def test_lowered_replicas_make_the_highest_brokers_leave() -> None:
    leaving = leaving_brokers(FIVE, FIVE[:3])
    assert leaving == (
        LeavingBroker(3, "brokers", Leaving.SCALED_DOWN),
        LeavingBroker(4, "brokers", Leaving.SCALED_DOWN),
    )


def test_a_removed_pool_makes_all_its_brokers_leave() -> None:
    current = [Node(0, "a", True), Node(1, "b", True)]
    assert leaving_brokers(current, [Node(0, "a", True)]) == (LeavingBroker(1, "b", Leaving.POOL_REMOVED),)


def test_dropping_the_broker_role_makes_the_node_leave_as_a_broker() -> None:
    leaving = leaving_brokers([Node(0, "mixed", True)], [Node(0, "mixed", False)])
    assert leaving == (LeavingBroker(0, "mixed", Leaving.ROLE_REMOVED),)


def test_removed_controller_only_nodes_are_not_brokers_leaving() -> None:
    assert leaving_brokers([Node(9, "controllers", False)], []) == ()


def test_an_unchanged_cluster_has_nobody_leaving() -> None:
    assert leaving_brokers(FIVE, FIVE) == ()


def test_a_leaving_broker_with_replicas_is_held_with_its_count() -> None:
    verdict = check_scale_down(leaving_brokers(FIVE, FIVE[:3]), {0: 10, 3: 7, 4: 0})
    assert verdict.blocked
    assert verdict.held_ids == {3}
    assert [h.replicas for h in verdict.held] == [7]


def test_empty_brokers_may_leave() -> None:
    verdict = check_scale_down(leaving_brokers(FIVE, FIVE[:3]), {0: 10, 1: 10, 2: 10})
    assert not verdict.blocked


def test_unknown_replica_counts_hold_every_leaving_broker() -> None:
    verdict = check_scale_down(leaving_brokers(FIVE, FIVE[:3]), None)
    assert verdict.held_ids == {3, 4}
    assert "Kafka not reachable" in verdict.message()


def test_the_skip_annotation_lets_brokers_with_replicas_leave() -> None:
    verdict = check_scale_down(leaving_brokers(FIVE, FIVE[:3]), {3: 7}, skip=True)
    assert not verdict.blocked
    assert verdict.skipped


def test_the_message_names_pool_nodes_and_replica_counts() -> None:
    current = [*FIVE, Node(7, "old", True)]
    verdict = check_scale_down(leaving_brokers(current, FIVE[:4]), {4: 1, 7: 12})
    message = verdict.message()
    assert "pool 'brokers': node 4 (1 replica)" in message
    assert "pool 'old': node 7 (12 replicas)" in message
    assert "the pool was removed" in message
    assert SKIP_CHECK_ANNOTATION in verdict.fix()


@pytest.mark.parametrize(("value", "skip"), [("true", True), ("True ", True), ("false", False), ("", False)])
def test_only_true_skips_the_check(value: str, skip: bool) -> None:
    assert skip_requested({SKIP_CHECK_ANNOTATION: value}) is skip
