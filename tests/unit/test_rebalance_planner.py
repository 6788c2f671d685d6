"""The rebalance planner: its invariants over arbitrary clusters, and its choices in small ones."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from krafter.rebalance.model import Broker, Goal, Mode, Partition, PlanningError, RebalancePlan
from krafter.rebalance.planner import batch_moves, plan_rebalance

pytestmark = pytest.mark.unit


@st.composite
def clusters(draw: st.DrawFn, racks: bool = False) -> tuple[list[Broker], list[Partition]]:
    count = draw(st.integers(3, 7))
    rack_count = draw(st.integers(1, count)) if racks else 0
    brokers = [Broker(i, f"r{i % rack_count}" if racks else None) for i in range(count)]
    factor = draw(st.integers(1, 3))
    partitions = []
    for i in range(draw(st.integers(1, 40))):
        replicas = tuple(draw(st.permutations(range(count)))[:factor])
        size = draw(st.integers(0, 10_000))
        min_isr = draw(st.integers(1, factor))
        partitions.append(Partition(f"t{i % 4}", i, replicas, replicas[0], size, min_isr))
    return brokers, partitions


def _after(plan: RebalancePlan, partitions: list[Partition]) -> dict[tuple[str, int], tuple[int, ...]]:
    target = plan.target()
    return {p.key: target.get(p.key, p.replicas) for p in partitions}


def _counts(assignment: dict[tuple[str, int], tuple[int, ...]], brokers: list[Broker]) -> Counter[int]:
    counts: Counter[int] = Counter({b.node_id: 0 for b in brokers})
    for replicas in assignment.values():
        counts.update(replicas)
    return counts


@given(clusters())
def test_a_full_rebalance_leaves_replica_counts_within_one_of_each_other(cluster) -> None:  # type: ignore[no-untyped-def]
    brokers, partitions = cluster
    counts = _counts(_after(plan_rebalance(brokers, partitions), partitions), brokers)
    assert max(counts.values()) - min(counts.values()) <= 1


@given(clusters())
def test_a_full_rebalance_moves_no_more_replicas_than_the_surplus_of_each_broker(cluster) -> None:  # type: ignore[no-untyped-def]
    brokers, partitions = cluster
    plan = plan_rebalance(brokers, partitions)
    before = {load.node_id: load.replicas for load in plan.before}
    surplus = sum(max(0, before[load.node_id] - load.replicas) for load in plan.after)
    assert plan.replica_moves == surplus


@given(clusters(racks=True))
def test_moves_keep_the_replication_factor_and_never_shrink_the_replica_set_in_flight(cluster) -> None:  # type: ignore[no-untyped-def]
    brokers, partitions = cluster
    by_key = {p.key: p for p in partitions}
    for move in plan_rebalance(brokers, partitions).moves:
        original = by_key[move.key]
        assert len(move.after) == len(set(move.after)) == len(original.replicas)
        assert len(move.during) >= len(move.before) >= original.min_isr


@given(clusters(racks=True))
def test_no_two_replicas_share_a_rack_when_there_are_enough_racks(cluster) -> None:  # type: ignore[no-untyped-def]
    brokers, partitions = cluster
    rack = {b.node_id: b.rack for b in brokers}
    after = _after(plan_rebalance(brokers, partitions), partitions)
    for replicas in after.values():
        if len(set(rack.values())) >= len(replicas):
            assert len({rack[b] for b in replicas}) == len(replicas)


@given(clusters(racks=True))
def test_planning_again_from_the_target_moves_nothing(cluster) -> None:  # type: ignore[no-untyped-def]
    brokers, partitions = cluster
    after = _after(plan_rebalance(brokers, partitions), partitions)
    moved = [Partition(p.topic, p.partition, after[p.key], after[p.key][0], p.size, p.min_isr) for p in partitions]
    assert plan_rebalance(brokers, moved).moves == ()


@given(clusters(), st.data())
def test_remove_brokers_empties_them_and_moves_nothing_else(cluster, data) -> None:  # type: ignore[no-untyped-def]
    brokers, partitions = cluster
    widest = max(len(p.replicas) for p in partitions)
    removable = len(brokers) - widest
    if removable < 1:
        return
    gone = tuple(data.draw(st.sets(st.sampled_from([b.node_id for b in brokers]), min_size=1, max_size=removable)))
    plan = plan_rebalance(brokers, partitions, Goal(Mode.REMOVE_BROKERS, gone))
    after = _after(plan, partitions)
    assert not any(set(replicas) & set(gone) for replicas in after.values())
    for p in partitions:
        assert len(set(after[p.key]) - set(p.replicas)) == len(set(p.replicas) & set(gone))


@given(clusters())
def test_add_brokers_only_moves_replicas_onto_the_new_brokers(cluster) -> None:  # type: ignore[no-untyped-def]
    brokers, partitions = cluster
    new = (brokers[-1].node_id,)
    plan = plan_rebalance(brokers, partitions, Goal(Mode.ADD_BROKERS, new))
    for move in plan.moves:
        assert move.added <= set(new)


@given(clusters(racks=True))
@settings(max_examples=50)
def test_batches_hold_every_move_once_and_respect_the_per_broker_limit(cluster) -> None:  # type: ignore[no-untyped-def]
    brokers, partitions = cluster
    plan = plan_rebalance(brokers, partitions, batch_partitions=7, per_broker=2)
    flat = [m for batch in plan.batches for m in batch]
    assert sorted(m.key for m in flat) == sorted(m.key for m in plan.moves)
    for batch in plan.batches:
        assert len(batch) <= 7
        busy = Counter(b for m in batch for b in m.added | m.removed)
        assert all(n <= 2 for n in busy.values())


@given(clusters())
def test_leader_counts_end_within_one_of_each_other_when_replicas_allow(cluster) -> None:  # type: ignore[no-untyped-def]
    brokers, partitions = cluster
    plan = plan_rebalance(brokers, partitions)
    if all(len(p.replicas) >= 2 for p in partitions) and len(partitions) >= len(brokers) * 3:
        leaders = [load.leaders for load in plan.after]
        assert max(leaders) - min(leaders) <= 1


def test_adding_two_brokers_to_three_moves_the_surplus_onto_them() -> None:
    brokers = [Broker(i) for i in range(5)]
    partitions = [Partition("t", i, (i % 3, (i + 1) % 3, (i + 2) % 3), i % 3, 100) for i in range(10)]
    plan = plan_rebalance(brokers, partitions, Goal(Mode.ADD_BROKERS, (3, 4)))
    assert sorted(load.replicas for load in plan.after) == [6, 6, 6, 6, 6]
    assert plan.replica_moves == 12
    assert plan.data_to_move == 1200


def test_a_replica_sharing_a_rack_moves_to_a_free_rack() -> None:
    brokers = [Broker(0, "a"), Broker(1, "a"), Broker(2, "b")]
    plan = plan_rebalance(brokers, [Partition("t", 0, (0, 1), 0)])
    assert plan.target() == {("t", 0): (0, 2)}


def test_removing_too_many_brokers_for_the_replication_factor_is_refused() -> None:
    brokers = [Broker(i) for i in range(3)]
    with pytest.raises(PlanningError, match="only 2 broker"):
        plan_rebalance(brokers, [Partition("t", 0, (0, 1, 2), 0)], Goal(Mode.REMOVE_BROKERS, (2,)))


def test_an_unknown_broker_in_the_goal_is_refused() -> None:
    with pytest.raises(PlanningError, match=r"\[9\]"):
        plan_rebalance([Broker(0)], [], Goal(Mode.ADD_BROKERS, (9,)))


def test_copying_moves_come_before_leader_only_moves() -> None:
    brokers = [Broker(i) for i in range(3)]
    partitions = [Partition("t", 0, (0, 1), 1), Partition("t", 1, (0, 1), 0), Partition("t", 2, (0, 1), 0)]
    plan = plan_rebalance(brokers, partitions)
    copying = [i for i, batch in enumerate(plan.batches) for m in batch if m.replica_moves]
    reordering = [i for i, batch in enumerate(plan.batches) for m in batch if not m.replica_moves]
    assert copying
    assert not reordering or max(copying) < min(reordering)


def test_batch_moves_of_nothing_is_no_batches() -> None:
    assert batch_moves([]) == ()
