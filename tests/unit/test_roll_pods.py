"""The Kubernetes roller's next step: which Pod to delete now, or why none."""

from __future__ import annotations

import pytest

from krafter.kafka.admin_types import PartitionState, QuorumState, ReplicaState
from krafter.render.pods import CONFIGURATION_HASH, REVISION
from krafter.roll.pods import (
    MANUAL_ROLLING_UPDATE,
    Action,
    KafkaView,
    PodView,
    RollStep,
    next_step,
    restart_reasons,
)
from krafter.roll.rules import PartitionView

pytestmark = pytest.mark.unit
CHANGED = ("node configuration changed",)


def pod(node_id: int, *, reasons: tuple[str, ...] = CHANGED, ready: bool = True, **state: bool) -> PodView:
    roles = {"is_controller": node_id < 3, "is_broker": node_id >= 3}
    return PodView(
        node_id,
        f"c-pool-{node_id}",
        roles["is_controller"],
        roles["is_broker"],
        exists=state.get("exists", True),
        terminating=state.get("terminating", False),
        ready=ready,
        reasons=reasons,
    )


def healthy_kafka(leader: int = 0, partitions: tuple[PartitionView, ...] = ()) -> KafkaView:
    voters = tuple(ReplicaState(n, 100, 1000) for n in range(3))
    return KafkaView(QuorumState(leader, 1, 100, voters, ()), partitions)


def restarted(step: RollStep) -> int | None:
    return step.pod.node_id if step.action is Action.RESTART and step.pod is not None else None


def test_a_pod_with_the_desired_annotations_needs_no_restart() -> None:
    wanted = {REVISION: "a", CONFIGURATION_HASH: "b"}
    assert restart_reasons(wanted, dict(wanted)) == ()


def test_a_changed_revision_or_configuration_hash_is_a_reason_to_restart() -> None:
    wanted = {REVISION: "a", CONFIGURATION_HASH: "b"}
    assert restart_reasons(wanted, {REVISION: "old", CONFIGURATION_HASH: "old"}) == (
        "Pod spec changed",
        "node configuration changed",
    )


def test_the_manual_rolling_update_annotation_is_a_reason_to_restart() -> None:
    wanted = {REVISION: "a", CONFIGURATION_HASH: "b"}
    assert restart_reasons(wanted, {**wanted, MANUAL_ROLLING_UPDATE: "true"}) == (
        f"{MANUAL_ROLLING_UPDATE} annotation",
    )


def test_nothing_to_do_when_every_pod_is_current() -> None:
    assert next_step([pod(0, reasons=()), pod(3, reasons=())]).action is Action.NONE


def test_a_restart_under_way_is_waited_for() -> None:
    step = next_step([pod(0), pod(1, exists=False), pod(2, reasons=(), terminating=True)])
    assert step.action is Action.WAIT
    assert "c-pool-1, c-pool-2" in step.message


def test_the_decision_asks_for_the_kafka_view_before_restarting_a_ready_node() -> None:
    assert next_step([pod(0), pod(3)]).action is Action.ASK_KAFKA


def test_controllers_restart_before_brokers_and_the_active_controller_last() -> None:
    step = next_step([pod(0), pod(1), pod(3)], healthy_kafka(leader=0))
    assert restarted(step) == 1


def test_the_active_controller_restarts_once_it_is_the_last_outdated_controller() -> None:
    step = next_step([pod(0), pod(1, reasons=()), pod(3)], healthy_kafka(leader=0))
    assert restarted(step) == 0


def test_a_broker_that_would_take_a_partition_below_min_isr_is_skipped_for_one_that_would_not() -> None:
    at_min = PartitionView("orders", PartitionState(0, 3, (3, 4, 5), (3, 4)), 2)
    step = next_step([pod(3), pod(5)], healthy_kafka(partitions=(at_min,)))
    assert restarted(step) == 5


def test_the_roll_is_blocked_with_the_reason_when_no_outdated_node_may_restart() -> None:
    at_min = PartitionView("orders", PartitionState(0, 3, (3, 4, 5), (3, 4)), 2)
    step = next_step([pod(3), pod(4)], healthy_kafka(partitions=(at_min,)))
    assert step.action is Action.BLOCKED
    assert "orders-0" in step.message
    assert "min.insync.replicas" in step.message


def test_a_restarted_node_must_be_ready_before_the_next_one_goes_whatever_kafka_says() -> None:
    step = next_step([pod(3, reasons=(), ready=False), pod(4), pod(5)])
    assert step.action is Action.WAIT
    assert "c-pool-3 to be ready" in step.message


def test_an_outdated_unready_node_is_not_waited_for_it_may_restart() -> None:
    assert next_step([pod(3, ready=False), pod(4)]).action is Action.ASK_KAFKA


def test_brokers_wait_while_an_outdated_controller_may_not_restart() -> None:
    voters = (ReplicaState(0, 100, 1000), ReplicaState(1, 100, 1000), ReplicaState(2, 10, -5000))
    lagging = KafkaView(QuorumState(0, 1, 100, voters, ()), ())
    step = next_step([pod(0, reasons=()), pod(1), pod(2, reasons=()), pod(3)], lagging)
    assert step.action is Action.BLOCKED
    assert "controller 1" in step.message


def test_an_admin_error_that_is_not_a_connection_failure_blocks_the_roll() -> None:
    step = next_step([pod(0), pod(3)], KafkaView(error="CLUSTER_AUTHORIZATION_FAILED"))
    assert step.action is Action.BLOCKED
    assert "cannot check availability" in step.message


def test_kafka_unreachable_for_a_short_while_blocks_the_roll_saying_when_it_would_go_ahead() -> None:
    step = next_step([pod(0), pod(3)], unreachable(30), force_after=120)
    assert step.action is Action.BLOCKED
    assert "Kafka not reachable (timed out)" in step.message
    assert "unreachable for 120 s" in step.message


def unreachable(seconds: float) -> KafkaView:
    return KafkaView(error="timed out", unreachable=True, unreachable_for=seconds)


def test_kafka_unreachable_long_enough_restarts_an_unready_outdated_node_first() -> None:
    step = next_step([pod(0), pod(4, ready=False)], unreachable(200), force_after=120)
    assert restarted(step) == 4
    assert "timed out" in step.warning


def test_kafka_unreachable_long_enough_restarts_a_ready_node_with_a_warning() -> None:
    step = next_step([pod(0), pod(3)], unreachable(200), force_after=120)
    assert restarted(step) == 0
    assert step.warning.startswith("restarting without availability checks")
