"""The KafkaRebalance state machine: one decision per pass from state and annotations."""

from __future__ import annotations

import pytest

from krafter.api.rebalance import RebalanceState
from krafter.rebalance.flow import Action, Intent, auto_approved, decide, intent_of, state_of

pytestmark = pytest.mark.unit


def _decide(state: RebalanceState, intent: Intent = Intent.NONE, *, auto: bool = False, changed: bool = False):  # type: ignore[no-untyped-def]
    return decide(state, intent, auto_approve=auto, spec_changed=changed)


def test_a_new_rebalance_is_proposed() -> None:
    assert _decide(RebalanceState.NEW).action is Action.PROPOSE


def test_a_proposal_waits_for_approval() -> None:
    assert _decide(RebalanceState.PROPOSAL_READY).action is Action.NONE


def test_approval_starts_the_moves_and_consumes_the_annotation() -> None:
    decision = _decide(RebalanceState.PROPOSAL_READY, Intent.APPROVE)
    assert decision.action is Action.START
    assert decision.consumes_annotation


def test_auto_approval_starts_without_the_annotation() -> None:
    assert _decide(RebalanceState.PROPOSAL_READY, auto=True).action is Action.START


def test_a_running_rebalance_continues_until_stopped() -> None:
    assert _decide(RebalanceState.REBALANCING).action is Action.CONTINUE
    assert _decide(RebalanceState.REBALANCING, Intent.STOP).action is Action.STOP


@pytest.mark.parametrize(
    "state", [RebalanceState.READY, RebalanceState.STOPPED, RebalanceState.NOT_READY, RebalanceState.PROPOSAL_READY]
)
def test_refresh_proposes_again(state: RebalanceState) -> None:
    assert _decide(state, Intent.REFRESH).action is Action.PROPOSE


def test_a_changed_spec_proposes_again() -> None:
    assert _decide(RebalanceState.NOT_READY, changed=True).action is Action.PROPOSE


def test_a_finished_rebalance_stays_ready() -> None:
    assert _decide(RebalanceState.READY).action is Action.NONE


def test_state_intent_and_auto_approval_come_from_the_resource() -> None:
    assert state_of([{"type": "Warning", "status": "True"}, {"type": "ProposalReady", "status": "True"}]) is (
        RebalanceState.PROPOSAL_READY
    )
    assert state_of(None) is RebalanceState.NEW
    assert intent_of({"strimzi.io/rebalance": "Approve"}) is Intent.APPROVE
    assert intent_of({"strimzi.io/rebalance": "bogus"}) is Intent.NONE
    assert auto_approved({"strimzi.io/rebalance-auto-approval": "true"})
