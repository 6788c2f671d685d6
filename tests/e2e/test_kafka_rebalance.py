"""A KafkaRebalance through its reconciler: proposal, approval, moves, Ready, on real Kafka.

The resource lives in the real API server; Kafka is Krafter's shared local secured cluster,
reached as an operator outside the cluster network would (the connection override). Only this
test's topic is moved (excludedTopics excludes every other one), so other tests keep theirs.
"""

from __future__ import annotations

import json
import time

import pytest
from lightkube.resources.core_v1 import ConfigMap
from lightkube.types import PatchType

from krafter.kafka.admin import KafkaAdmin
from krafter.kafka.admin_types import NewTopic
from krafter.platform.kubernetes import objects
from krafter.platform.kubernetes.rebalance import RebalanceReconciler
from krafter.testing import kube_helpers

pytestmark = pytest.mark.e2e


def _single_replicas_on(admin: KafkaAdmin, topic: str, broker: int) -> None:
    """A new topic of 4 single-replica partitions, all on `broker` as every broker's metadata shows."""
    config = {"min.insync.replicas": "1"}
    assert admin.create_topics([NewTopic(topic, partitions=4, replication_factor=1, config=config)])[topic].ok
    deadline = time.monotonic() + 45
    while topic not in admin.describe_topics([topic]) and time.monotonic() < deadline:
        time.sleep(0.2)
    admin.alter_partition_reassignments({(topic, p): [broker] for p in range(4)})
    while time.monotonic() < deadline and any(
        p.replicas != (broker,) for p in admin.describe_topics([topic])[topic].partitions
    ):
        time.sleep(0.2)


def _status(kube, namespace: str, name: str) -> dict:  # type: ignore[no-untyped-def]
    return objects.to_dict(kube.client.get(objects.KAFKA_REBALANCE, name, namespace=namespace)).get("status") or {}


def _state(status: dict) -> str:
    return next(c["type"] for c in status["conditions"] if c["status"] == "True")


def test_an_approved_remove_brokers_rebalance_empties_the_broker_and_becomes_ready(
    kube, secured_cluster, namespace, topic_name
) -> None:  # type: ignore[no-untyped-def]
    kube_helpers.install_crds(kube.client)
    with KafkaAdmin(secured_cluster.admin_settings()) as admin:
        _single_replicas_on(admin, topic_name, 0)
    kube_helpers.create_all(
        kube.client,
        [
            {
                "apiVersion": "kafka.strimzi.io/v1",
                "kind": "KafkaRebalance",
                "metadata": {"name": "drain-0", "labels": {"strimzi.io/cluster": "secured"}},
                "spec": {"mode": "remove-brokers", "brokers": [0], "excludedTopics": f"(?!{topic_name}$).*"},
            }
        ],
        namespace,
    )

    def reconciler() -> RebalanceReconciler:  # a new one per pass: nothing is remembered in memory
        return RebalanceReconciler(kube.client, lambda _ns, _cluster: secured_cluster.admin_settings())

    assert reconciler().reconcile(namespace, "drain-0").state.value == "ProposalReady"
    proposal = _status(kube, namespace, "drain-0")
    assert proposal["optimizationResult"]["numReplicaMovements"] == 4
    load = json.loads(kube.client.get(ConfigMap, "drain-0", namespace=namespace).data["brokerLoad.json"])
    assert load["0"]["replicas"]["diff"] == -4

    kube.client.patch(
        objects.KAFKA_REBALANCE,
        "drain-0",
        {"metadata": {"annotations": {"strimzi.io/rebalance": "approve"}}},
        namespace=namespace,
        patch_type=PatchType.MERGE,
    )
    deadline = time.monotonic() + 120
    states = []
    while time.monotonic() < deadline:
        states.append(reconciler().reconcile(namespace, "drain-0").state.value)
        if states[-1] in {"Ready", "NotReady"}:
            break
        time.sleep(1)

    assert states[0] in {"Rebalancing", "Ready"}
    assert states[-1] == "Ready", _status(kube, namespace, "drain-0")
    annotations = (
        objects.to_dict(kube.client.get(objects.KAFKA_REBALANCE, "drain-0", namespace=namespace))["metadata"].get(
            "annotations"
        )
        or {}
    )
    assert "strimzi.io/rebalance" not in annotations
    with KafkaAdmin(secured_cluster.admin_settings()) as admin:
        placed = admin.describe_topics([topic_name])[topic_name].partitions
        admin.delete_topics([topic_name])  # single replicas: offline if a later test stops a node
    assert all(0 not in p.replicas for p in placed)


def test_a_stopped_rebalance_starts_no_more_moves_and_removes_its_throttle(
    kube, secured_cluster, namespace, topic_name
) -> None:  # type: ignore[no-untyped-def]
    kube_helpers.install_crds(kube.client)
    with KafkaAdmin(secured_cluster.admin_settings()) as admin:
        _single_replicas_on(admin, topic_name, 1)
    spec = {
        "mode": "remove-brokers",
        "brokers": [1],
        "excludedTopics": f"(?!{topic_name}$).*",
        "replicationThrottle": 10_000_000,
        "concurrentPartitionMovementsPerBroker": 1,
    }
    document = {
        "apiVersion": "kafka.strimzi.io/v1",
        "kind": "KafkaRebalance",
        "metadata": {
            "name": "stopped",
            "labels": {"strimzi.io/cluster": "secured"},
            "annotations": {"strimzi.io/rebalance-auto-approval": "true"},
        },
        "spec": spec,
    }
    kube_helpers.create_all(kube.client, [document], namespace)
    reconciler = RebalanceReconciler(kube.client, lambda _ns, _cluster: secured_cluster.admin_settings())
    assert reconciler.reconcile(namespace, "stopped").state.value == "ProposalReady"
    assert reconciler.reconcile(namespace, "stopped").state.value == "Rebalancing"  # one move at a time
    kube.client.patch(
        objects.KAFKA_REBALANCE,
        "stopped",
        {"metadata": {"annotations": {"strimzi.io/rebalance": "stop"}}},
        namespace=namespace,
        patch_type=PatchType.MERGE,
    )

    assert reconciler.reconcile(namespace, "stopped").state.value == "Stopped"
    assert reconciler.reconcile(namespace, "stopped").state.value == "Stopped"
    with KafkaAdmin(secured_cluster.admin_settings()) as admin:
        deadline = time.monotonic() + 30
        while "leader.replication.throttled.rate" in admin.describe_broker_config(1) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert "leader.replication.throttled.rate" not in admin.describe_broker_config(1)
        still_on_one = [p for p in admin.describe_topics([topic_name])[topic_name].partitions if 1 in p.replicas]
        admin.delete_topics([topic_name])
    assert len(still_on_one) >= 2  # at most the one started move (and none after the stop) left broker 1
