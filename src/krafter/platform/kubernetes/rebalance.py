"""One reconcile pass of a KafkaRebalance: propose, start, continue or stop, and report.

The flow is `krafter.rebalance.flow`; the planner and executor are shared with the local
platform. The approved moves are kept in a ConfigMap named after the rebalance (with
`brokerLoad.json`, as in Strimzi), so a restarted operator continues the same moves; where they
stand is read from Kafka on every pass. Not wired into the operator process yet: call
`RebalanceReconciler.reconcile` (the operator's watch and RBAC for kafkarebalances are missing).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lightkube import Client
from lightkube.core.exceptions import ApiError
from lightkube.resources.core_v1 import ConfigMap
from lightkube.types import PatchType

from krafter.api.rebalance import (
    REBALANCE_ANNOTATION,
    TEMPLATE_ANNOTATION,
    KafkaRebalance,
    KafkaRebalanceSpec,
    RebalanceState,
)
from krafter.core.errors import KrafterError
from krafter.kafka.admin import KafkaAdmin
from krafter.kafka.admin_types import ConnectionSettings, KafkaAdminError
from krafter.platform.kubernetes import objects
from krafter.platform.kubernetes import status as status_writer
from krafter.rebalance import flow, progress, summary
from krafter.rebalance.model import PlanningError, RebalancePlan
from krafter.rebalance.planner import plan_rebalance
from krafter.rebalance.request import Request, request_from_spec, without_excluded
from krafter.scale import reassign
from krafter.status import conditions

CLUSTER_LABEL = "strimzi.io/cluster"
POLL_SECONDS = 5.0

Settings = Callable[[str, str], ConnectionSettings | None]


@dataclass
class RebalanceResult:
    state: RebalanceState
    requeue_after: float | None = None
    message: str = ""


class RebalanceReconciler:
    def __init__(
        self, client: Client, settings: Settings, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.client = client
        self.settings = settings
        self.clock = clock

    def reconcile(self, namespace: str, name: str) -> RebalanceResult:
        try:
            raw = objects.to_dict(self.client.get(objects.KAFKA_REBALANCE, name, namespace=namespace))
        except ApiError as exc:
            if exc.status.code == 404:
                return RebalanceResult(RebalanceState.NEW)
            raise
        metadata = raw["metadata"]
        annotations = metadata.get("annotations") or {}
        if (annotations.get(TEMPLATE_ANNOTATION) or "").lower() == "true":
            return RebalanceResult(RebalanceState.NEW, message="a template: not reconciled")
        previous = raw.get("status") or {}
        state = flow.state_of(previous.get("conditions"))
        intent = flow.intent_of(annotations)
        generation = metadata.get("generation")
        spec_changed = state is not RebalanceState.NEW and previous.get("observedGeneration") != generation
        decision = flow.decide(state, intent, auto_approve=flow.auto_approved(annotations), spec_changed=spec_changed)
        cluster = (metadata.get("labels") or {}).get(CLUSTER_LABEL)
        try:
            if not cluster:
                raise PlanningError(f"label {CLUSTER_LABEL} naming the Kafka cluster is missing")
            request = request_from_spec(KafkaRebalance.model_validate(raw).spec or KafkaRebalanceSpec())
            result = self._act(
                raw, action=decision.action, request=request, namespace=namespace, cluster=cluster, previous=previous
            )
        except (PlanningError, KafkaAdminError, KrafterError) as exc:
            result = self._write(raw, RebalanceState.NOT_READY, str(exc), previous, reason=type(exc).__name__)
        if decision.consumes_annotation:
            self._remove_annotation(namespace, name)
        if result.state is RebalanceState.PROPOSAL_READY and flow.auto_approved(annotations):
            result.requeue_after = 0.0  # approved already: start on the next pass
        return result

    # --- actions ------------------------------------------------------------------------------

    def _act(
        self,
        raw: dict[str, Any],
        *,
        action: flow.Action,
        request: Request,
        namespace: str,
        cluster: str,
        previous: dict[str, Any],
    ) -> RebalanceResult:
        if action is flow.Action.NONE:
            state = flow.state_of(previous.get("conditions"))
            return RebalanceResult(state)
        settings = self.settings(namespace, cluster)
        if settings is None:
            raise KrafterError(f"cannot reach Kafka cluster {cluster!r} (no operator credentials yet)")
        with KafkaAdmin(settings) as admin:
            if action is flow.Action.STOP:
                if request.throttle is not None:  # no step will finish the plan and remove it
                    reassign.set_throttle(admin, self._saved_moves(raw), None)
                return self._write(raw, RebalanceState.STOPPED, "stopped; running moves finish", previous)
            if action is flow.Action.PROPOSE:
                plan = self._plan(admin, request)
                self._save(raw, plan, moves=False)
                return self._write(raw, RebalanceState.PROPOSAL_READY, _proposal_message(plan), previous, plan=plan)
            if action is flow.Action.START:
                plan = self._plan(admin, request)
                self._save(raw, plan, moves=True)
                moves = plan.moves
            else:
                moves = self._saved_moves(raw)
            step = reassign.execute_step(admin, moves, throttle=request.throttle, per_broker=request.per_broker)
        if step.finished:
            return self._write(raw, RebalanceState.READY, _done_message(step), previous, keep_result=True)
        return RebalanceResult(
            self._write(raw, RebalanceState.REBALANCING, _progress_message(step), previous, keep_result=True).state,
            requeue_after=POLL_SECONDS,
        )

    def _plan(self, admin: KafkaAdmin, request: Request) -> RebalancePlan:
        brokers, partitions = reassign.describe_for_planning(admin)
        return plan_rebalance(
            brokers, without_excluded(partitions, request.excluded_topics), request.goal, per_broker=request.per_broker
        )

    # --- state kept in Kubernetes -------------------------------------------------------------

    def _save(self, raw: dict[str, Any], plan: RebalancePlan, *, moves: bool) -> None:
        metadata = raw["metadata"]
        data = {summary.BROKER_LOAD_KEY: json.dumps(summary.broker_load(plan))}
        if moves:
            data[summary.MOVES_KEY] = summary.moves_to_json(plan.moves)
        config_map = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": metadata["name"],
                "namespace": metadata["namespace"],
                "labels": {CLUSTER_LABEL: (metadata.get("labels") or {}).get(CLUSTER_LABEL, "")},
                "ownerReferences": [
                    {
                        "apiVersion": raw["apiVersion"],
                        "kind": "KafkaRebalance",
                        "name": metadata["name"],
                        "uid": metadata["uid"],
                        "controller": True,
                    }
                ],
            },
            "data": data,
        }
        self.client.apply(objects.to_resource(config_map), field_manager="krafter", force=True)

    def _saved_moves(self, raw: dict[str, Any]) -> tuple[Any, ...]:
        metadata = raw["metadata"]
        try:
            config_map = self.client.get(ConfigMap, metadata["name"], namespace=metadata["namespace"])
        except ApiError as exc:
            if exc.status.code == 404:
                raise KrafterError(f"the approved moves (ConfigMap {metadata['name']}) are gone; refresh") from exc
            raise
        text = (config_map.data or {}).get(summary.MOVES_KEY)
        if not text:
            raise KrafterError(f"ConfigMap {metadata['name']} holds no approved moves; refresh the rebalance")
        return summary.moves_from_json(text)

    def _write(
        self,
        raw: dict[str, Any],
        state: RebalanceState,
        message: str,
        previous: dict[str, Any],
        *,
        plan: RebalancePlan | None = None,
        keep_result: bool = False,
        reason: str | None = None,
    ) -> RebalanceResult:
        condition = conditions.Condition(state.value, "True", reason, message)
        status: dict[str, Any] = {
            "observedGeneration": raw["metadata"].get("generation"),
            "conditions": conditions.merge(previous.get("conditions"), [condition], self.clock()),
        }
        if plan is not None:
            status["optimizationResult"] = summary.optimization_result(
                plan, load_config_map=raw["metadata"]["name"], excluded_topics=None
            )
        elif keep_result and previous.get("optimizationResult"):
            status["optimizationResult"] = previous["optimizationResult"]
        if state in (RebalanceState.REBALANCING, RebalanceState.READY, RebalanceState.STOPPED):
            status["progress"] = {"rebalanceProgressConfigMap": raw["metadata"]["name"]}
        status_writer.write_status(self.client, objects.KAFKA_REBALANCE, raw, status)
        return RebalanceResult(state, message=message)

    def _remove_annotation(self, namespace: str, name: str) -> None:
        patch = {"metadata": {"annotations": {REBALANCE_ANNOTATION: None}}}
        self.client.patch(objects.KAFKA_REBALANCE, name, patch, namespace=namespace, patch_type=PatchType.MERGE)


def _proposal_message(plan: RebalancePlan) -> str:
    return (
        f"{plan.replica_moves} replica move(s), {plan.leader_moves} leader move(s), "
        f"{plan.data_to_move // summary.MB} MB to copy; approve with {REBALANCE_ANNOTATION}=approve"
    )


def _progress_message(step: progress.ExecutionStep) -> str:
    return f"{step.done} of {step.total} move(s) done, {step.in_flight} running"


def _done_message(step: progress.ExecutionStep) -> str:
    skipped = f"; {len(step.stale)} changed meanwhile and skipped" if step.stale else ""
    return f"{step.done} of {step.total} move(s) done{skipped}"
