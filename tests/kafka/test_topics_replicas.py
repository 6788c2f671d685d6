"""Replication-factor changes done by Krafter itself, by reassigning partitions on real brokers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from krafter.api.topic import KafkaTopic
from krafter.kafka.admin import KafkaAdmin
from krafter.kafka.admin_types import ConnectionSettings
from krafter.reconcile.topics import TopicReconciler, TopicResult

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
def admin(kafka_cluster) -> Iterator[KafkaAdmin]:  # type: ignore[no-untyped-def]
    with KafkaAdmin(ConnectionSettings(kafka_cluster.bootstrap_servers)) as client:
        yield client


def kafka_topic(name: str, partitions: int, replicas: int, status: Any = None) -> KafkaTopic:
    return KafkaTopic.model_validate(
        {
            "apiVersion": "kafka.strimzi.io/v1",
            "kind": "KafkaTopic",
            "metadata": {"name": name, "labels": {"strimzi.io/cluster": "my-cluster"}, "generation": 1},
            "spec": {"partitions": partitions, "replicas": replicas},
            "status": status.to_dict() if status is not None else None,
        }
    )


def created(admin: KafkaAdmin, reconciler: TopicReconciler, name: str, replicas: int, eventually: Any) -> TopicResult:
    result = reconciler.reconcile([kafka_topic(name, 3, replicas)])[name]
    assert result.ready
    eventually(lambda: admin.describe_topics([name]), lambda d: name in d and len(d[name].partitions) == 3)
    eventually(lambda: admin.describe_topic_configs([name]), lambda c: name in c)
    return result


def until_settled(reconciler: TopicReconciler, topic: KafkaTopic, timeout: float = 60.0) -> list[TopicResult]:
    """Reconcile as the operator would on each requeue, until no replicas change is reported."""
    results = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = reconciler.reconcile([topic])[topic.metadata.name or ""]
        results.append(result)
        topic = topic.model_copy(update={"status": result.status or topic.status})
        if result.status is not None and result.status.replicas_change is None and result.requeue_after is None:
            return results
        time.sleep(0.5)
    return results


def test_growing_the_replication_factor_reports_progress_and_completes(admin, topic_name, eventually) -> None:
    reconciler = TopicReconciler(admin)
    first = created(admin, reconciler, topic_name, 1, eventually)

    results = until_settled(reconciler, kafka_topic(topic_name, 3, 3, first.status))

    states = [r.status.replicas_change.state for r in results if r.status and r.status.replicas_change]
    described = eventually(
        lambda: admin.describe_topics([topic_name]),
        lambda d: topic_name in d and all(len(p.replicas) == 3 for p in d[topic_name].partitions),
    )[topic_name]
    assert states[0] == "ongoing"
    assert results[0].status is not None
    assert results[0].status.replicas_change is not None
    assert results[0].status.replicas_change.target_replicas == 3
    assert results[0].ready
    assert results[-1].ready
    assert results[-1].status is not None
    assert results[-1].status.replicas_change is None
    assert "ReplicasChangeCompleted" in [e.reason for r in results for e in r.events]
    assert all(len(set(p.replicas)) == 3 for p in described.partitions)


def test_shrinking_the_replication_factor_keeps_each_partitions_leader(admin, topic_name, eventually) -> None:
    reconciler = TopicReconciler(admin)
    first = created(admin, reconciler, topic_name, 3, eventually)
    leaders = {p.partition: p.leader for p in admin.describe_topics([topic_name])[topic_name].partitions}

    results = until_settled(reconciler, kafka_topic(topic_name, 3, 1, first.status))

    described = eventually(
        lambda: admin.describe_topics([topic_name]),
        lambda d: topic_name in d and all(len(p.replicas) == 1 for p in d[topic_name].partitions),
    )[topic_name]
    assert results[-1].ready
    assert {p.partition: p.replicas for p in described.partitions} == {p: (leader,) for p, leader in leaders.items()}


def test_a_replication_factor_above_the_broker_count_stays_pending(admin, topic_name, eventually) -> None:
    reconciler = TopicReconciler(admin)
    first = created(admin, reconciler, topic_name, 1, eventually)

    result = reconciler.reconcile([kafka_topic(topic_name, 3, 4, first.status)])[topic_name]

    assert result.status is not None
    change = result.status.replicas_change
    assert change is not None
    assert (change.state, change.target_replicas) == ("pending", 4)
    assert change.message is not None
    assert "needs 4 brokers, the cluster has 3" in change.message
    assert not result.ready
