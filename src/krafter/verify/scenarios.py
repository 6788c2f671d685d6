"""Which faults a drill injects, in which order, and at which nodes.

The scenarios follow Kafka's system tests and Jepsen's nemeses: kill the partition leader
(`replication_test.py`'s hard bounce), the active controller, a whole node, pause a leader
(Trogdor's ProcessStopFaultSpec), crash everything at once, and a rolling restart. The
target of each is chosen from the cluster as it is right before the fault, because the
leader and the active controller move between scenarios.

Pure: `plan_drill` and `choose_fault` decide; a fault target (`krafter.verify.faults`) acts.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from krafter.core.errors import KrafterError


class Scenario(enum.StrEnum):
    BROKER_DOWN = "broker-down"
    CONTROLLER_DOWN = "controller-down"
    NODE_DOWN = "node-down"
    PAUSE = "pause"
    ROLLING_RESTART = "rolling-restart"
    FULL_CRASH = "full-crash"


ALL = "all"
DESCRIPTIONS = {
    Scenario.BROKER_DOWN: "SIGKILL the leader of the test partition, start it again",
    Scenario.CONTROLLER_DOWN: "SIGKILL the active KRaft controller, start it again",
    Scenario.NODE_DOWN: "kill every process of one node (the one with the most roles in the drill)",
    Scenario.PAUSE: "SIGSTOP the leader of the test partition for a while, then SIGCONT",
    Scenario.ROLLING_RESTART: "restart every node, one at a time, through the platform's roller",
    Scenario.FULL_CRASH: "SIGKILL every node at once, then start them all",
}


class Action(enum.Enum):
    KILL = "kill"
    """The node's Kafka process dies at once (SIGKILL); the target starts it again."""
    KILL_NODE = "kill-node"
    """Every process of the node dies at once."""
    PAUSE = "pause"
    """The node's processes are frozen (SIGSTOP) and later resumed (SIGCONT)."""
    ROLL = "roll"
    """A rolling restart of the whole cluster through the platform's own roller."""


@dataclass(frozen=True)
class NodeView:
    node_id: int
    name: str
    broker: bool
    controller: bool


@dataclass(frozen=True)
class ClusterView:
    """What a fault is aimed by: the nodes, the test partition's leader, the active controller."""

    nodes: tuple[NodeView, ...]
    partition_leader: int | None
    active_controller: int | None


@dataclass(frozen=True)
class Fault:
    scenario: Scenario
    action: Action
    node_ids: tuple[int, ...]
    """Targeted nodes (every node for a roll)."""

    def describe(self, view: ClusterView) -> str:
        names = ", ".join(next(n.name for n in view.nodes if n.node_id == i) for i in self.node_ids)
        if self.action is Action.ROLL:
            return f"rolling restart of {len(self.node_ids)} node(s)"
        verb = {Action.KILL: "SIGKILL", Action.KILL_NODE: "kill node", Action.PAUSE: "SIGSTOP"}[self.action]
        return f"{verb} {names}"


def plan_drill(names: Iterable[str], repeat: int = 1) -> list[Scenario]:
    """The scenarios to run, in order: each named one (or every one for `all`) `repeat` times.

    Every repetition runs in place (broker-down x3, then controller-down x3), as Kafka's
    replication test bounces the leader several times in a row. `all` puts the full crash
    last: it is the slowest to recover from and exercises the most at once.
    """
    if repeat < 1:
        raise KrafterError(f"--repeat must be at least 1, not {repeat}")
    wanted = list(names) or [ALL]
    chosen: list[Scenario] = []
    for name in wanted:
        if name == ALL:
            chosen += [s for s in Scenario if s not in chosen]
            continue
        try:
            scenario = Scenario(name)
        except ValueError:
            known = ", ".join([*(s.value for s in Scenario), ALL])
            raise KrafterError(f"unknown scenario '{name}' (known: {known})") from None
        if scenario not in chosen:
            chosen.append(scenario)
    return [scenario for scenario in chosen for _ in range(repeat)]


def choose_fault(scenario: Scenario, view: ClusterView) -> Fault:
    """Aim `scenario` at the nodes that make it hurt most, given the cluster right now."""
    ids = tuple(n.node_id for n in view.nodes)
    if scenario is Scenario.ROLLING_RESTART:
        return Fault(scenario, Action.ROLL, ids)
    if scenario is Scenario.FULL_CRASH:
        return Fault(scenario, Action.KILL, ids)
    if scenario is Scenario.CONTROLLER_DOWN:
        if view.active_controller is None:
            raise KrafterError("controller-down needs an active controller, and the quorum reports none")
        return Fault(scenario, Action.KILL, (view.active_controller,))
    leader = _leader(scenario, view)
    if scenario is Scenario.BROKER_DOWN:
        return Fault(scenario, Action.KILL, (leader,))
    if scenario is Scenario.PAUSE:
        return Fault(scenario, Action.PAUSE, (leader,))
    return Fault(scenario, Action.KILL_NODE, (_most_roles(view, leader),))


def _leader(scenario: Scenario, view: ClusterView) -> int:
    if view.partition_leader is None or view.partition_leader < 0:
        raise KrafterError(f"{scenario.value} needs the test partition's leader, and the partition has none")
    return view.partition_leader


def _most_roles(view: ClusterView, leader: int) -> int:
    """The node whose loss takes the most with it: the partition leader, and preferably one that
    is also the active controller (on combined nodes); ties go to the leader itself."""

    def weight(node: NodeView) -> tuple[int, int, bool]:
        takes = (node.node_id == leader) + (node.node_id == view.active_controller)
        return (takes, node.controller + node.broker, node.node_id == leader)

    candidates: Sequence[NodeView] = view.nodes
    return max(candidates, key=weight).node_id
