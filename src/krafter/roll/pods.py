"""Which running Pod to restart next, pure: the Kubernetes roller's decision for one reconcile.

Pods are restarted by deleting them (the reconcile recreates a missing Pod from the current
plan), one per pass: a level-based roller needs no memory, because the Pods' annotations say
what is outdated and their readiness says whether the last restart has finished.

A restarted node must be Ready again before the next one goes (Strimzi waits the same way).
Then the Kafka view decides as Strimzi's KafkaRoller does (`rules.may_restart`): every
outdated controller before any broker, the active controller last. When Kafka cannot be
reached for `force_after` seconds (Strimzi: about two minutes of retries), Strimzi restarts
the unresponsive node anyway; Krafter does too, unready outdated nodes first, and still one
at a time with every other Pod Ready. Any other Admin error blocks the roll.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from krafter.kafka.admin_types import QuorumState
from krafter.render.pods import CONFIGURATION_HASH, REVISION
from krafter.roll.rules import Candidate, PartitionView, may_restart, roll_order

MANUAL_ROLLING_UPDATE = "strimzi.io/manual-rolling-update"
"""Set to "true" on a Pod to have it restarted (what Strimzi Drain Cleaner sets on eviction)."""
FORCE_AFTER_SECONDS = 120.0
"""How long Kafka must stay unreachable before restarts go ahead without its checks."""


@dataclass(frozen=True)
class PodView:
    """One node as the roller sees it: its roles, its Pod's state, and why it is outdated."""

    node_id: int
    pod_name: str
    is_controller: bool
    is_broker: bool
    exists: bool
    terminating: bool
    ready: bool
    reasons: tuple[str, ...] = ()
    uid: str = ""
    """The observed Pod's uid: the restart deletes that Pod only, not one recreated since."""

    @property
    def candidate(self) -> Candidate:
        return Candidate(self.node_id, self.is_controller, self.is_broker, self.ready)


@dataclass(frozen=True)
class KafkaView:
    """What the Admin API said; `error` when it could not be asked, `unreachable` when that was
    a connection failure (not, say, an authorization error), for `unreachable_for` seconds."""

    quorum: QuorumState | None = None
    partitions: tuple[PartitionView, ...] = ()
    error: str | None = None
    unreachable: bool = False
    unreachable_for: float = 0.0


class Action(Enum):
    NONE = "none"
    """Every Pod is current."""
    WAIT = "wait"
    """A restart is under way (a Pod is missing or terminating); try again on the next event."""
    ASK_KAFKA = "ask-kafka"
    """Pods need restarting and every Pod is present: the decision needs the Kafka view."""
    RESTART = "restart"
    BLOCKED = "blocked"
    """Restarting any outdated node now would hurt availability."""


@dataclass(frozen=True)
class RollStep:
    action: Action
    pod: PodView | None = None
    message: str = ""
    warning: str = ""
    """Set when a restart goes ahead without the Kafka checks, or with a caveat (single controller)."""
    outdated: int = 0


def restart_reasons(desired: Mapping[str, str], current: Mapping[str, str]) -> tuple[str, ...]:
    """Why a running Pod no longer matches its desired form (empty: it is current)."""
    reasons = []
    if desired.get(REVISION) != current.get(REVISION):
        reasons.append("Pod spec changed")
    if desired.get(CONFIGURATION_HASH) != current.get(CONFIGURATION_HASH):
        reasons.append("node configuration changed")
    if str(current.get(MANUAL_ROLLING_UPDATE, "")).lower() == "true":
        reasons.append(f"{MANUAL_ROLLING_UPDATE} annotation")
    return tuple(reasons)


def next_step(
    pods: Sequence[PodView], kafka: KafkaView | None = None, *, force_after: float = FORCE_AFTER_SECONDS
) -> RollStep:
    """The one thing to do now. Call without `kafka` first; `ASK_KAFKA` means call again with it."""
    outdated = [p for p in pods if p.exists and p.reasons]
    if not outdated:
        return RollStep(Action.NONE)
    busy = [p.pod_name for p in pods if not p.exists or p.terminating]
    if busy:
        return RollStep(Action.WAIT, message=f"waiting for {', '.join(busy)} to be recreated", outdated=len(outdated))
    recovering = [p.pod_name for p in pods if not p.reasons and not p.ready]
    if recovering:  # the last restart has not finished; an outdated unready node may still go
        return RollStep(Action.WAIT, message=f"waiting for {', '.join(recovering)} to be ready", outdated=len(outdated))
    if kafka is None:
        return RollStep(Action.ASK_KAFKA, outdated=len(outdated))
    active = kafka.quorum.leader_id if kafka.quorum is not None else None
    order = [_view(outdated, c.node_id) for c in roll_order((p.candidate for p in outdated), active)]
    if kafka.error is not None:
        if not kafka.unreachable:
            return RollStep(Action.BLOCKED, message=f"cannot check availability: {kafka.error}", outdated=len(order))
        if kafka.unreachable_for < force_after:
            return RollStep(
                Action.BLOCKED,
                message=f"Kafka not reachable ({kafka.error}); restarts go ahead without availability "
                f"checks once it has been unreachable for {force_after:.0f} s",
                outdated=len(order),
            )
        return _without_kafka(order, kafka.error)
    controllers = [p for p in order if p.is_controller]
    first_refusal = ""
    for pod in controllers or order:  # every outdated controller before any broker
        if pod.is_controller and pod.node_id == active and len(controllers) > 1:
            continue  # the active controller goes last among the controllers: leadership moves once
        verdict = may_restart(pod.candidate, kafka.quorum, kafka.partitions)
        if verdict.allowed:
            return RollStep(Action.RESTART, pod, _restart_message(pod), verdict.reason, len(outdated))
        first_refusal = first_refusal or verdict.reason
    return RollStep(Action.BLOCKED, message=first_refusal, outdated=len(outdated))


def _without_kafka(order: list[PodView], error: str) -> RollStep:
    unready = [p for p in order if not p.ready]
    pod = unready[0] if unready else order[0]  # an unready node serves nothing: it goes first
    warning = f"restarting without availability checks: Kafka not reachable ({error})"
    return RollStep(Action.RESTART, pod, _restart_message(pod), warning, len(order))


def _view(pods: Sequence[PodView], node_id: int) -> PodView:
    return next(p for p in pods if p.node_id == node_id)


def _restart_message(pod: PodView) -> str:
    return f"restarting {pod.pod_name}: {', '.join(pod.reasons)}"
