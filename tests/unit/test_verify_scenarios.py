"""Which faults a drill runs, in which order, and at which nodes."""

from __future__ import annotations

import pytest

from krafter.core.errors import KrafterError
from krafter.verify.scenarios import Action, ClusterView, NodeView, Scenario, choose_fault, plan_drill

pytestmark = pytest.mark.unit

DUAL = tuple(NodeView(i, f"c-dual-{i}", broker=True, controller=True) for i in range(3))
SPLIT = (
    *(NodeView(i, f"c-broker-{i}", broker=True, controller=False) for i in range(3)),
    *(NodeView(i, f"c-controller-{i}", broker=False, controller=True) for i in range(3, 6)),
)


def test_all_is_every_scenario_with_the_full_crash_last() -> None:
    plan = plan_drill(["all"])
    assert set(plan) == set(Scenario)
    assert plan[-1] is Scenario.FULL_CRASH


def test_no_scenario_named_means_all() -> None:
    assert plan_drill([]) == plan_drill(["all"])


def test_repeat_runs_each_scenario_several_times_in_a_row() -> None:
    assert plan_drill(["pause", "broker-down"], repeat=2) == [
        Scenario.PAUSE,
        Scenario.PAUSE,
        Scenario.BROKER_DOWN,
        Scenario.BROKER_DOWN,
    ]


def test_a_scenario_named_twice_runs_once_per_repeat() -> None:
    assert plan_drill(["pause", "all", "pause"]).count(Scenario.PAUSE) == 1


def test_an_unknown_scenario_is_refused_with_the_known_ones() -> None:
    with pytest.raises(KrafterError, match="known: broker-down"):
        plan_drill(["broker-crash"])


def test_repeat_below_one_is_refused() -> None:
    with pytest.raises(KrafterError, match="--repeat"):
        plan_drill(["pause"], repeat=0)


def test_broker_down_kills_the_test_partition_leader() -> None:
    fault = choose_fault(Scenario.BROKER_DOWN, ClusterView(DUAL, partition_leader=2, active_controller=0))
    assert (fault.action, fault.node_ids) == (Action.KILL, (2,))


def test_controller_down_kills_the_active_controller() -> None:
    fault = choose_fault(Scenario.CONTROLLER_DOWN, ClusterView(SPLIT, partition_leader=1, active_controller=4))
    assert (fault.action, fault.node_ids) == (Action.KILL, (4,))


def test_pause_freezes_the_leader() -> None:
    fault = choose_fault(Scenario.PAUSE, ClusterView(DUAL, partition_leader=1, active_controller=0))
    assert (fault.action, fault.node_ids) == (Action.PAUSE, (1,))


def test_node_down_prefers_the_node_that_leads_the_partition_and_the_quorum() -> None:
    fault = choose_fault(Scenario.NODE_DOWN, ClusterView(DUAL, partition_leader=1, active_controller=1))
    assert (fault.action, fault.node_ids) == (Action.KILL_NODE, (1,))


def test_node_down_takes_the_leader_when_no_node_leads_both() -> None:
    fault = choose_fault(Scenario.NODE_DOWN, ClusterView(SPLIT, partition_leader=2, active_controller=3))
    assert fault.node_ids == (2,)


def test_full_crash_and_rolling_restart_involve_every_node() -> None:
    view = ClusterView(SPLIT, partition_leader=0, active_controller=3)
    assert choose_fault(Scenario.FULL_CRASH, view).node_ids == tuple(range(6))
    assert choose_fault(Scenario.ROLLING_RESTART, view).action is Action.ROLL


def test_a_partition_without_leader_cannot_be_aimed_at() -> None:
    with pytest.raises(KrafterError, match="has none"):
        choose_fault(Scenario.BROKER_DOWN, ClusterView(DUAL, partition_leader=-1, active_controller=0))


def test_faults_describe_themselves_with_node_names() -> None:
    view = ClusterView(DUAL, partition_leader=2, active_controller=0)
    assert choose_fault(Scenario.BROKER_DOWN, view).describe(view) == "SIGKILL c-dual-2"
