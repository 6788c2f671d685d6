"""The Kubernetes roller's hands: observe the nodes, ask Kafka when needed, delete one Pod.

The decision is `krafter.roll.pods.next_step` (pure). A deleted Pod is recreated by the next
reconcile from the current plan, so it comes back with the new spec and configuration; the
roller then waits for it before the next one. Nothing here remembers anything between passes.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lightkube import Client
from lightkube.core.exceptions import ApiError
from lightkube.resources.core_v1 import Pod

from krafter.kafka.admin import KafkaAdmin
from krafter.kafka.admin_types import ConnectionSettings, KafkaAdminError
from krafter.operator.connections import KafkaConnections
from krafter.plan.model import ClusterPlan
from krafter.roll.pods import FORCE_AFTER_SECONDS, Action, KafkaView, PodView, RollStep, next_step, restart_reasons
from krafter.roll.rules import PartitionView

log = logging.getLogger("krafter.roller")


def pod_ready(pod: Mapping[str, Any] | None) -> bool:
    for condition in ((pod or {}).get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready":
            return bool(condition.get("status") == "True")
    return False


def pod_views(plan: ClusterPlan, desired: Sequence[Mapping[str, Any]], pods: Mapping[str, Any]) -> list[PodView]:
    """Each planned node with its Pod's state and what makes that Pod outdated."""
    wanted = {o["metadata"]["name"]: o for o in desired if o.get("kind") == "Pod"}
    views = []
    for node in plan.nodes:
        pod = pods.get(node.pod_name)
        metadata = (pod or {}).get("metadata") or {}
        desired_annotations = (wanted.get(node.pod_name, {}).get("metadata") or {}).get("annotations") or {}
        views.append(
            PodView(
                node.node_id,
                node.pod_name,
                node.is_controller,
                node.is_broker,
                exists=pod is not None,
                terminating=bool(metadata.get("deletionTimestamp")),
                ready=pod_ready(pod),
                reasons=restart_reasons(desired_annotations, metadata.get("annotations") or {}) if pod else (),
                uid=str(metadata.get("uid") or ""),
            )
        )
    return views


UNREACHABLE_ERRORS = frozenset(
    {"NoBrokersAvailable", "KafkaConnectionError", "NodeNotReadyError", "REQUEST_TIMED_OUT", "KafkaTimeoutError"}
)
"""Admin failures that mean "could not talk to Kafka", as opposed to Kafka answering no."""
WARN_AFTER_SECONDS = 120.0
"""A roll blocked this long is reported as RollingUpdateBlocked with a Warning event; shorter
waits (a restarted broker catching up on ISR) are part of a normal roll."""


@dataclass(frozen=True)
class RollOutcome:
    step: RollStep
    blocked_for: float = 0.0
    warn: bool = False
    """True once per blocked episode, when it passes WARN_AFTER_SECONDS."""


class PodRoller:
    """Remembers only timings (since when Kafka is unreachable, since when the roll is blocked):
    losing them on a restart of the operator merely restarts those clocks."""

    def __init__(self, client: Client, connections: KafkaConnections, force_after: float = FORCE_AFTER_SECONDS) -> None:
        self.client = client
        self.connections = connections
        self.force_after = force_after
        self._unreachable_since: dict[tuple[str, str], float] = {}
        self._blocked_since: dict[tuple[str, str], float] = {}
        self._warned: set[tuple[str, str]] = set()

    def step(self, plan: ClusterPlan, views: Sequence[PodView]) -> RollOutcome:
        """Decide, and carry out a restart if that is the decision; never raises."""
        key = (plan.namespace, plan.name)
        try:
            step = self._step(plan, views)
        except Exception as exc:  # a roller problem must not stop the rest of the reconcile
            log.exception("cluster=%s/%s roller failed", *key)
            step = RollStep(Action.BLOCKED, message=f"roller failed: {exc}")
        if step.action is not Action.BLOCKED:
            self._blocked_since.pop(key, None)
            self._warned.discard(key)
            return RollOutcome(step)
        blocked_for = time.monotonic() - self._blocked_since.setdefault(key, time.monotonic())
        warn = blocked_for >= WARN_AFTER_SECONDS and key not in self._warned
        if warn:
            self._warned.add(key)
        return RollOutcome(step, blocked_for, warn)

    def _step(self, plan: ClusterPlan, views: Sequence[PodView]) -> RollStep:
        step = next_step(views)
        if step.action is Action.ASK_KAFKA:
            step = next_step(views, self.kafka_view(plan.namespace, plan.name), force_after=self.force_after)
        if step.action is Action.RESTART and step.pod is not None:
            if not self._still_the_observed_pod(plan.namespace, step.pod):
                return RollStep(
                    Action.WAIT, message=f"{step.pod.pod_name} changed since it was read", outdated=step.outdated
                )
            try:
                self.client.delete(Pod, step.pod.pod_name, namespace=plan.namespace)
            except ApiError as exc:
                if exc.status.code != 404:  # already gone is what we wanted
                    failure = f"deleting {step.pod.pod_name} failed: {exc.status.message}"
                    return RollStep(Action.BLOCKED, message=failure, outdated=step.outdated)
            log.info("cluster=%s/%s %s", plan.namespace, plan.name, step.message)
        return step

    def _still_the_observed_pod(self, namespace: str, pod: PodView) -> bool:
        """Kubernetes has no delete-if-uid here (lightkube sends no preconditions): re-read instead,
        so a snapshot that went stale while Kafka was asked never deletes a recreated Pod."""
        try:
            current = self.client.get(Pod, pod.pod_name, namespace=namespace)
        except ApiError as exc:
            if exc.status.code == 404:
                return False
            raise
        return not pod.uid or (current.metadata is not None and current.metadata.uid == pod.uid)

    def kafka_view(self, namespace: str, cluster: str) -> KafkaView:
        key = (namespace, cluster)
        connection = self.connections.connect(namespace, cluster)
        if connection is None:
            return KafkaView(error="the operator's client certificate does not exist yet")
        view = read_kafka_view(connection.settings)
        if not view.unreachable:
            self._unreachable_since.pop(key, None)
            return view
        since = self._unreachable_since.setdefault(key, time.monotonic())
        return dataclasses.replace(view, unreachable_for=time.monotonic() - since)


def read_kafka_view(settings: ConnectionSettings) -> KafkaView:
    """The quorum and every partition's ISR against its min.insync.replicas, or why not."""
    try:
        with KafkaAdmin(settings) as admin:
            quorum = admin.describe_quorum()
            partitions = tuple(PartitionView(*entry) for entry in admin.partitions_with_min_isr())
    except KafkaAdminError as exc:
        return KafkaView(error=str(exc), unreachable=exc.error_name in UNREACHABLE_ERRORS)
    except OSError as exc:
        return KafkaView(error=str(exc), unreachable=True)
    return KafkaView(quorum, partitions)
