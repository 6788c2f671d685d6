"""The Kubernetes roller's hands: observe the nodes, ask Kafka when needed, delete one Pod.

The decision is `krafter.roll.pods.next_step` (pure). A deleted Pod is recreated by the next
reconcile from the current plan, so it comes back with the new spec and configuration; the
roller then waits for it before the next one. Nothing here remembers anything between passes.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from lightkube import Client
from lightkube.core.exceptions import ApiError
from lightkube.resources.core_v1 import Pod

from krafter.kafka.admin import KafkaAdmin
from krafter.kafka.admin_types import ConnectionSettings, KafkaAdminError
from krafter.operator.connections import KafkaConnections
from krafter.plan.model import ClusterPlan
from krafter.roll.pods import Action, KafkaView, PodView, RollStep, next_step, restart_reasons
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
            )
        )
    return views


class PodRoller:
    def __init__(self, client: Client, connections: KafkaConnections) -> None:
        self.client = client
        self.connections = connections

    def step(self, plan: ClusterPlan, views: Sequence[PodView]) -> RollStep:
        """Decide, and carry out a restart if that is the decision."""
        step = next_step(views)
        if step.action is Action.ASK_KAFKA:
            step = next_step(views, self.kafka_view(plan.namespace, plan.name))
        if step.action is Action.RESTART and step.pod is not None:
            try:
                self.client.delete(Pod, step.pod.pod_name, namespace=plan.namespace)
            except ApiError as exc:
                if exc.status.code != 404:  # already gone is what we wanted
                    return RollStep(
                        Action.BLOCKED, message=f"deleting {step.pod.pod_name} failed: {exc.status.message}"
                    )
            log.info("cluster=%s/%s %s", plan.namespace, plan.name, step.message)
        return step

    def kafka_view(self, namespace: str, cluster: str) -> KafkaView:
        connection = self.connections.connect(namespace, cluster)
        if connection is None:
            return KafkaView(error="the operator's client certificate does not exist yet")
        return read_kafka_view(connection.settings)


def read_kafka_view(settings: ConnectionSettings) -> KafkaView:
    """The quorum and every partition's ISR against its min.insync.replicas, or why not."""
    try:
        with KafkaAdmin(settings) as admin:
            quorum = admin.describe_quorum()
            partitions = tuple(PartitionView(*entry) for entry in admin.partitions_with_min_isr())
    except (KafkaAdminError, OSError) as exc:
        return KafkaView(error=str(exc))
    return KafkaView(quorum, partitions)
