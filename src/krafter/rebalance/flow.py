"""The KafkaRebalance state machine, Strimzi's: what one reconcile pass does in each state.

    (new) --propose--> ProposalReady --approve--> Rebalancing --done--> Ready
                 \\-> NotReady (the goal cannot be met)      \\--stop--> Stopped
    `refresh` proposes again from ProposalReady, Ready, Stopped or NotReady;
    `strimzi.io/rebalance-auto-approval: "true"` approves a proposal as soon as it is ready.

Pure: the state comes from the resource's status, the user's intent from its annotations, and
the pass returns the action; the reconciler does the I/O.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from krafter.api.rebalance import AUTO_APPROVAL_ANNOTATION, REBALANCE_ANNOTATION, RebalanceState


class Action(enum.Enum):
    PROPOSE = "propose"
    """Plan from Kafka's current state and show the proposal."""
    START = "start"
    """Plan again (Kafka may have changed since the proposal), keep the moves, start them."""
    CONTINUE = "continue"
    """Observe the running moves and start the next ones."""
    STOP = "stop"
    """Start no more moves (the running ones finish: cancelling a copy half-way gains nothing)."""
    NONE = "none"


class Intent(enum.Enum):
    APPROVE = "approve"
    STOP = "stop"
    REFRESH = "refresh"
    NONE = ""


@dataclass(frozen=True)
class Decision:
    action: Action
    consumes_annotation: bool = False
    """The `strimzi.io/rebalance` annotation has been acted on and is removed (as Strimzi does)."""


def intent_of(annotations: Mapping[str, str] | None) -> Intent:
    value = (annotations or {}).get(REBALANCE_ANNOTATION, "").strip().lower()
    return next((i for i in Intent if i.value == value and i is not Intent.NONE), Intent.NONE)


def auto_approved(annotations: Mapping[str, str] | None) -> bool:
    return (annotations or {}).get(AUTO_APPROVAL_ANNOTATION, "").strip().lower() == "true"


def state_of(conditions: list[Mapping[str, object]] | None) -> RebalanceState:
    """The state is the type of the condition whose status is True (Strimzi's convention)."""
    states = {s.value: s for s in RebalanceState}
    for condition in conditions or []:
        kind = str(condition.get("type", ""))
        if condition.get("status") == "True" and kind in states:
            return states[kind]
    return RebalanceState.NEW


def decide(state: RebalanceState, intent: Intent, *, auto_approve: bool, spec_changed: bool) -> Decision:
    if state in (RebalanceState.NEW, RebalanceState.PENDING_PROPOSAL):
        return Decision(Action.PROPOSE, consumes_annotation=intent is Intent.REFRESH)
    if state is RebalanceState.REBALANCING:
        if intent is Intent.STOP:
            return Decision(Action.STOP, consumes_annotation=True)
        return Decision(Action.CONTINUE)
    if intent is Intent.REFRESH or spec_changed:
        return Decision(Action.PROPOSE, consumes_annotation=intent is Intent.REFRESH)
    if state is RebalanceState.PROPOSAL_READY:
        if intent is Intent.APPROVE or auto_approve:
            return Decision(Action.START, consumes_annotation=intent is Intent.APPROVE)
        return Decision(Action.NONE)
    return Decision(Action.NONE)
