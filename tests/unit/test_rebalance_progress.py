"""Where a rebalance stands, decided from Kafka's state alone."""

from __future__ import annotations

import pytest

from krafter.rebalance.model import Move
from krafter.rebalance.progress import Observed, PartitionNow, next_step

pytestmark = pytest.mark.unit


def _move(partition: int, before: tuple[int, ...], after: tuple[int, ...]) -> Move:
    return Move("t", partition, before, after, before[0], 100)


def _now(replicas: tuple[int, ...], leader: int | None = None, isr: tuple[int, ...] | None = None) -> PartitionNow:
    return PartitionNow(replicas, replicas[0] if leader is None else leader, replicas if isr is None else isr)


def test_moves_not_yet_started_are_started_within_the_per_broker_limit() -> None:
    moves = [_move(i, (0, 1), (2, 1)) for i in range(4)]
    step = next_step(moves, Observed({m.key: _now(m.before) for m in moves}), per_broker=2)
    assert [m.partition for m in step.start] == [0, 1]
    assert step.pending == 2


def test_running_reassignments_count_against_the_limits_and_are_not_resubmitted() -> None:
    moves = [_move(i, (0, 1), (2, 1)) for i in range(3)]
    observed = Observed({m.key: _now(m.before) for m in moves}, ongoing=frozenset({("t", 0), ("t", 1)}))
    step = next_step(moves, observed, per_broker=2)
    assert step.start == ()
    assert step.in_flight == 2


def test_a_move_whose_replicas_are_in_place_but_not_its_leader_needs_an_election() -> None:
    move = _move(0, (0, 1), (2, 1))
    step = next_step([move], Observed({move.key: _now((2, 1), leader=1)}))
    assert step.elect == (("t", 0),)
    assert not step.finished


def test_everything_in_place_is_finished() -> None:
    moves = [_move(0, (0, 1), (2, 1))]
    step = next_step(moves, Observed({("t", 0): _now((2, 1))}))
    assert step.finished
    assert step.percent == 100.0


def test_an_under_replicated_partition_waits_before_it_moves() -> None:
    move = _move(0, (0, 1), (2, 1))
    step = next_step([move], Observed({move.key: _now((0, 1), isr=(0,))}))
    assert step.waiting_for_isr == (("t", 0),)
    assert step.start == ()


def test_a_partition_changed_since_planning_is_skipped_as_stale() -> None:
    move = _move(0, (0, 1), (2, 1))
    step = next_step([move], Observed({move.key: _now((3, 4))}))
    assert step.stale == (("t", 0),)
    assert step.finished


def test_leader_only_moves_wait_until_the_copies_are_done() -> None:
    copy, reorder = _move(0, (0, 1), (2, 1)), _move(1, (0, 1), (1, 0))
    observed = Observed({copy.key: _now(copy.before), reorder.key: _now(reorder.before)})
    assert [m.partition for m in next_step([copy, reorder], observed).start] == [0]


def test_a_deleted_topic_counts_as_done() -> None:
    assert next_step([_move(0, (0, 1), (2, 1))], Observed({})).finished
