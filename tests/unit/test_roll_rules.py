"""The roller's rules (Strimzi's KafkaRoller): order, quorum safety, min.insync.replicas safety."""

from __future__ import annotations

import pytest

from krafter.kafka.admin_types import PartitionState, QuorumState, ReplicaState
from krafter.roll.rules import Candidate, PartitionView, availability_allows, may_restart, quorum_allows, roll_order

pytestmark = pytest.mark.unit


def quorum(leader: int, caught_up: dict[int, int | None]) -> QuorumState:
    voters = tuple(ReplicaState(node_id, 0, last) for node_id, last in caught_up.items())
    return QuorumState(leader, 1, 0, voters, ())


def view(replicas: tuple[int, ...], isr: tuple[int, ...], min_isr: int = 2, topic: str = "t") -> PartitionView:
    return PartitionView(topic, PartitionState(0, isr[0] if isr else -1, replicas, isr), min_isr)


def ids(nodes: list[Candidate]) -> list[int]:
    return [n.node_id for n in nodes]


def test_controllers_go_first_unready_first_and_the_active_controller_last() -> None:
    nodes = [
        Candidate(0, True, False, ready=True),
        Candidate(1, True, False, ready=False),
        Candidate(2, True, False, ready=True),
        Candidate(3, False, True, ready=True),
        Candidate(4, False, True, ready=False),
    ]
    assert ids(roll_order(nodes, active_controller=0)) == [1, 2, 0, 4, 3]


def test_combined_nodes_count_as_controllers() -> None:
    nodes = [Candidate(5, False, True, ready=True), Candidate(0, True, True, ready=True)]
    assert ids(roll_order(nodes, active_controller=None)) == [0, 5]


def test_a_controller_may_restart_while_the_others_are_a_caught_up_majority() -> None:
    assert quorum_allows(1, quorum(0, {0: 10_000, 1: 10_000, 2: 9_500})).allowed


def test_a_controller_may_not_restart_when_that_leaves_no_caught_up_majority() -> None:
    verdict = quorum_allows(1, quorum(0, {0: 10_000, 1: 10_000, 2: 5_000}))
    assert not verdict.allowed
    assert "1 other voter(s) caught up" in verdict.reason


def test_a_voter_that_never_caught_up_does_not_count() -> None:
    assert not quorum_allows(1, quorum(0, {0: 10_000, 1: 10_000, 2: None})).allowed


def test_the_only_controller_may_restart_with_a_warning() -> None:
    verdict = quorum_allows(0, quorum(0, {0: 10_000}))
    assert verdict.allowed
    assert "no quorum" in verdict.reason


def test_a_node_that_is_not_a_voter_is_not_held_by_the_quorum() -> None:
    assert quorum_allows(7, quorum(0, {0: 10_000, 1: 0, 2: 0})).allowed


def test_a_broker_in_an_isr_at_min_isr_may_not_restart() -> None:
    verdict = availability_allows(1, [view((0, 1, 2), (0, 1))])
    assert not verdict.allowed
    assert "t-0 (ISR 2 = min 2)" in verdict.reason


def test_a_broker_outside_an_isr_at_min_isr_may_restart() -> None:
    assert availability_allows(2, [view((0, 1, 2), (0, 1))]).allowed


def test_a_broker_hosting_a_partition_already_under_min_isr_may_not_restart() -> None:
    assert not availability_allows(2, [view((0, 1, 2), (0,))]).allowed


def test_partitions_with_replication_factor_at_most_min_isr_never_block() -> None:
    assert availability_allows(0, [view((0, 1), (0, 1), min_isr=2)]).allowed


def test_a_fully_replicated_partition_never_blocks() -> None:
    assert availability_allows(0, [view((0, 1, 2), (0, 1, 2))]).allowed


def test_a_combined_node_needs_both_the_quorum_and_the_partitions() -> None:
    node = Candidate(1, True, True, ready=True)
    healthy = quorum(0, {0: 10_000, 1: 10_000, 2: 10_000})
    assert may_restart(node, healthy, [view((0, 1, 2), (0, 1, 2))]).allowed
    assert not may_restart(node, healthy, [view((0, 1, 2), (0, 1))]).allowed
    assert not may_restart(node, None, []).allowed


def test_blocking_reasons_list_a_few_partitions_and_count_the_rest() -> None:
    views = [view((0, 1, 2), (0, 1), topic=f"t{i}") for i in range(8)]
    assert "and 3 more" in availability_allows(0, views).reason
