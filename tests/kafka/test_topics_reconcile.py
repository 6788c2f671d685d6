"""The KafkaTopic reconciler against real brokers: creation, drift, partitions, conflicts, pausing, deletion."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from krafter.api.topic import KafkaTopic
from krafter.kafka.admin import KafkaAdmin
from krafter.kafka.admin_types import ConfigChange, ConfigSource, ConnectionSettings, NewTopic
from krafter.reconcile.topics import TopicReconciler, TopicResult

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
def admin(kafka_cluster) -> Iterator[KafkaAdmin]:  # type: ignore[no-untyped-def]
    with KafkaAdmin(ConnectionSettings(kafka_cluster.bootstrap_servers)) as client:
        yield client


@pytest.fixture
def reconciler(admin: KafkaAdmin) -> TopicReconciler:
    return TopicReconciler(admin)


def kafka_topic(
    name: str,
    spec: dict[str, Any],
    *,
    annotations: dict[str, str] | None = None,
    created: str = "2026-01-01T00:00:00Z",
) -> KafkaTopic:
    metadata: dict[str, Any] = {
        "name": name,
        "namespace": "kafka",
        "labels": {"strimzi.io/cluster": "my-cluster"},
        "generation": 1,
        "creationTimestamp": created,
    }
    if annotations:
        metadata["annotations"] = annotations
    return KafkaTopic.model_validate(
        {"apiVersion": "kafka.strimzi.io/v1", "kind": "KafkaTopic", "metadata": metadata, "spec": spec}
    )


def after(topic: KafkaTopic, result: TopicResult, **changes: Any) -> KafkaTopic:
    """The resource as the operator would see it next: with the status written and the spec edited."""
    updated = topic.model_copy(update={"status": result.status})
    if changes:
        spec = {**(topic.spec.to_dict() if topic.spec else {}), **changes}
        updated = updated.model_copy(update={"spec": type(topic.spec).model_validate(spec)})
    return updated


def visible(admin: KafkaAdmin, name: str, eventually: Any) -> None:
    """Wait until metadata and configs of a new topic reached the brokers (they lag a moment)."""
    eventually(lambda: admin.describe_topics([name]), lambda d: name in d and d[name].partitions)
    eventually(lambda: admin.describe_topic_configs([name]), lambda c: name in c)


def partition_count(admin: KafkaAdmin, name: str, eventually: Any) -> int:
    described = eventually(lambda: admin.describe_topics([name]), lambda d: name in d)
    return len(described[name].partitions)


def ready_reason(result: TopicResult) -> tuple[str | None, str | None, str | None]:
    assert result.status is not None
    [condition] = [c for c in result.status.conditions or [] if c.type == "Ready"]
    return condition.status, condition.reason, condition.message


def test_a_missing_topic_is_created_ready_with_kafkas_topic_id(reconciler, admin, topic_name, eventually) -> None:
    topic = kafka_topic(topic_name, {"partitions": 2, "replicas": 3, "config": {"retention.ms": 7200000}})

    result = reconciler.reconcile([topic])[f"kafka/{topic_name}"]

    described = eventually(lambda: admin.describe_topics([topic_name]), lambda d: topic_name in d)[topic_name]
    configs = eventually(lambda: admin.describe_topic_configs([topic_name]), lambda c: topic_name in c)[topic_name]
    assert result.ready
    assert result.status is not None
    assert result.status.topic_name == topic_name
    assert result.status.topic_id == described.topic_id
    assert len(result.status.topic_id or "") == 22
    assert [len(p.replicas) for p in described.partitions] == [3, 3]
    assert configs["retention.ms"].value == "7200000"
    assert [e.reason for e in result.events] == ["TopicCreated"]


def test_a_second_reconcile_of_an_unchanged_topic_changes_nothing(reconciler, admin, topic_name, eventually) -> None:
    topic = kafka_topic(topic_name, {"partitions": 1, "replicas": 1, "config": {"cleanup.policy": "compact, delete"}})
    first = reconciler.reconcile([topic])[f"kafka/{topic_name}"]
    visible(admin, topic_name, eventually)

    second = reconciler.reconcile([after(topic, first)])[f"kafka/{topic_name}"]

    assert second.status == first.status
    assert second.events == ()
    assert second.requeue_after is None


def test_config_drift_made_in_kafka_is_reverted(reconciler, admin, topic_name, eventually) -> None:
    topic = kafka_topic(topic_name, {"partitions": 1, "replicas": 1, "config": {"retention.ms": 3600000}})
    first = reconciler.reconcile([topic])[f"kafka/{topic_name}"]
    visible(admin, topic_name, eventually)
    drift = [ConfigChange("retention.ms", "1000"), ConfigChange("segment.ms", "600000")]
    assert admin.alter_topic_configs({topic_name: drift})[topic_name].ok

    def drifted(configs: dict[str, Any]) -> bool:
        return topic_name in configs and configs[topic_name]["retention.ms"].value == "1000"

    eventually(lambda: admin.describe_topic_configs([topic_name]), drifted)
    result = reconciler.reconcile([after(topic, first)])[f"kafka/{topic_name}"]
    configs = eventually(
        lambda: admin.describe_topic_configs([topic_name]),
        lambda c: (
            topic_name in c
            and c[topic_name]["retention.ms"].value == "3600000"
            and "segment.ms" not in _overrides(c[topic_name])
        ),
    )[topic_name]

    assert result.ready
    assert [e.reason for e in result.events] == ["ConfigChanged"]
    assert configs["retention.ms"].value == "3600000"
    assert configs["segment.ms"].source is not ConfigSource.DYNAMIC_TOPIC_CONFIG
    # The cluster-wide default is inherited, never copied onto or removed from the topic.
    assert configs["min.insync.replicas"].source is not ConfigSource.DYNAMIC_TOPIC_CONFIG


def _overrides(configs: dict[str, Any]) -> set[str]:
    return {k for k, e in configs.items() if e.source is ConfigSource.DYNAMIC_TOPIC_CONFIG}


def test_partitions_are_increased(reconciler, admin, topic_name, eventually) -> None:
    topic = kafka_topic(topic_name, {"partitions": 1, "replicas": 1})
    first = reconciler.reconcile([topic])[f"kafka/{topic_name}"]
    visible(admin, topic_name, eventually)

    result = reconciler.reconcile([after(topic, first, partitions=4)])[f"kafka/{topic_name}"]

    described = eventually(
        lambda: admin.describe_topics([topic_name]), lambda d: topic_name in d and len(d[topic_name].partitions) == 4
    )
    assert result.ready
    assert len(described[topic_name].partitions) == 4


def test_decreasing_partitions_is_not_supported(reconciler, admin, topic_name, eventually) -> None:
    topic = kafka_topic(topic_name, {"partitions": 3, "replicas": 1})
    first = reconciler.reconcile([topic])[f"kafka/{topic_name}"]
    visible(admin, topic_name, eventually)

    result = reconciler.reconcile([after(topic, first, partitions=2)])[f"kafka/{topic_name}"]

    assert ready_reason(result) == ("False", "NotSupported", "Decreasing partitions not supported")
    assert partition_count(admin, topic_name, eventually) == 3


def test_an_invalid_config_value_is_reported_with_kafkas_message(reconciler, admin, topic_name) -> None:
    topic = kafka_topic(topic_name, {"partitions": 1, "replicas": 1, "config": {"retention.ms": "a week"}})

    result = reconciler.reconcile([topic])[f"kafka/{topic_name}"]

    status, reason, message = ready_reason(result)
    assert (status, reason) == ("False", "InvalidConfig")
    assert message is not None
    assert "a week" in message
    assert "retention.ms" in message
    assert [(e.type.value, e.reason) for e in result.events] == [("Warning", "InvalidConfig")]
    assert topic_name not in admin.describe_topics([topic_name])


def test_a_changed_topic_name_is_not_followed(reconciler, admin, topic_name, eventually) -> None:
    topic = kafka_topic(topic_name, {"partitions": 1, "replicas": 1})
    first = reconciler.reconcile([topic])[f"kafka/{topic_name}"]

    result = reconciler.reconcile([after(topic, first, topicName=f"{topic_name}-new")])[f"kafka/{topic_name}"]

    assert ready_reason(result) == ("False", "NotSupported", "Changing spec.topicName is not supported")
    assert result.status is not None
    assert result.status.topic_name == topic_name
    assert f"{topic_name}-new" not in admin.describe_topics([f"{topic_name}-new"])


def test_the_older_of_two_kafka_topics_for_one_topic_wins(reconciler, admin, topic_name, eventually) -> None:
    older = kafka_topic(f"{topic_name}-a", {"topicName": topic_name, "partitions": 1, "replicas": 1})
    newer = kafka_topic(
        f"{topic_name}-b",
        {"topicName": topic_name, "partitions": 2, "replicas": 1},
        created="2026-01-01T00:00:05Z",
    )

    results = reconciler.reconcile([newer, older])

    described = eventually(lambda: admin.describe_topics([topic_name]), lambda d: topic_name in d)
    assert results[f"kafka/{topic_name}-a"].ready
    status, reason, message = ready_reason(results[f"kafka/{topic_name}-b"])
    assert (status, reason) == ("False", "ResourceConflict")
    assert message == f"Managed by KafkaTopic kafka/{topic_name}-a"
    assert len(described[topic_name].partitions) == 1
    # Deleting the loser leaves the topic to the winner.
    deleted = reconciler.delete([newer])[f"kafka/{topic_name}-b"]
    assert not deleted.deleted
    assert deleted.may_remove_finalizer
    assert partition_count(admin, topic_name, eventually) == 1


def test_an_unmanaged_topic_is_left_alone_and_survives_deletion(reconciler, admin, topic_name, eventually) -> None:
    topic = kafka_topic(topic_name, {"partitions": 1, "replicas": 1})
    first = reconciler.reconcile([topic])[f"kafka/{topic_name}"]
    visible(admin, topic_name, eventually)
    unmanaged = after(topic, first, partitions=3).model_copy(
        update={
            "metadata": topic.metadata.model_copy(update={"annotations": {"strimzi.io/managed": "false"}}),
        }
    )

    result = reconciler.reconcile([unmanaged])[f"kafka/{topic_name}"]
    deleted = reconciler.delete([after(unmanaged, result)])[f"kafka/{topic_name}"]

    assert result.status is not None
    assert [(c.type, c.status) for c in result.status.conditions or []] == [("Unmanaged", "True")]
    assert result.status.topic_id == first.status.topic_id  # type: ignore[union-attr]
    assert result.may_remove_finalizer
    assert deleted.may_remove_finalizer
    assert not deleted.deleted
    assert partition_count(admin, topic_name, eventually) == 1


def test_a_paused_topic_is_not_changed(reconciler, admin, topic_name, eventually) -> None:
    topic = kafka_topic(topic_name, {"partitions": 1, "replicas": 1})
    first = reconciler.reconcile([topic])[f"kafka/{topic_name}"]
    visible(admin, topic_name, eventually)
    paused = after(topic, first, partitions=2).model_copy(
        update={
            "metadata": topic.metadata.model_copy(update={"annotations": {"strimzi.io/pause-reconciliation": "true"}}),
        }
    )

    result = reconciler.reconcile([paused])[f"kafka/{topic_name}"]

    assert result.status is not None
    assert [(c.type, c.status) for c in result.status.conditions or []] == [("ReconciliationPaused", "True")]
    assert partition_count(admin, topic_name, eventually) == 1


def test_deleting_the_resource_deletes_the_topic(reconciler, admin, topic_name, eventually) -> None:
    topic = kafka_topic(topic_name, {"partitions": 1, "replicas": 1})
    first = reconciler.reconcile([topic])[f"kafka/{topic_name}"]
    visible(admin, topic_name, eventually)

    result = reconciler.delete([after(topic, first)])[f"kafka/{topic_name}"]

    assert result.deleted
    assert result.may_remove_finalizer
    assert topic_name not in eventually(lambda: admin.describe_topics([topic_name]), lambda d: topic_name not in d)


def test_a_deletion_timestamp_in_a_batch_deletes_that_topic_only(reconciler, admin, topic_name, eventually) -> None:
    keep = kafka_topic(f"{topic_name}-keep", {"partitions": 1, "replicas": 1})
    drop = kafka_topic(f"{topic_name}-drop", {"partitions": 1, "replicas": 1})
    first = reconciler.reconcile([keep, drop])
    names = [f"{topic_name}-keep", f"{topic_name}-drop"]
    for name in names:
        visible(admin, name, eventually)
    keep = after(keep, first[f"kafka/{topic_name}-keep"])
    doomed = drop.model_copy(
        update={"metadata": drop.metadata.model_copy(update={"deletion_timestamp": "2026-01-02T00:00:00Z"})}
    )

    results = reconciler.reconcile([keep, doomed])

    assert results[f"kafka/{topic_name}-keep"].ready
    assert results[f"kafka/{topic_name}-drop"].deleted
    assert set(eventually(lambda: admin.describe_topics(names), lambda d: len(d) == 1)) == {f"{topic_name}-keep"}


def test_one_bad_topic_in_a_batch_does_not_stop_the_others(reconciler, admin, topic_name, eventually) -> None:
    good = [kafka_topic(f"{topic_name}-{i}", {"partitions": 1, "replicas": 1}) for i in range(30)]
    bad = kafka_topic(f"{topic_name}-bad", {"partitions": 1, "replicas": 1, "config": {"cleanup.policy": "shred"}})
    too_many = kafka_topic(f"{topic_name}-rf", {"partitions": 1, "replicas": 9})

    results = reconciler.reconcile([*good, bad, too_many])

    assert all(results[f"kafka/{t.metadata.name}"].ready for t in good)
    assert ready_reason(results[f"kafka/{topic_name}-bad"])[1] == "InvalidConfig"
    assert ready_reason(results[f"kafka/{topic_name}-rf"])[1] == "KafkaError"
    assert results[f"kafka/{topic_name}-rf"].requeue_after is not None


def test_an_existing_topic_is_adopted(reconciler, admin, topic_name, eventually) -> None:
    admin.create_topics([NewTopic(topic_name, partitions=2, replication_factor=1, config={"retention.ms": "1000"})])
    visible(admin, topic_name, eventually)

    result = reconciler.reconcile([kafka_topic(topic_name, {"partitions": 2, "replicas": 1})])[f"kafka/{topic_name}"]

    configs = eventually(
        lambda: admin.describe_topic_configs([topic_name]),
        lambda c: topic_name in c and "retention.ms" not in _overrides(c[topic_name]),
    )
    assert result.ready
    assert "retention.ms" not in _overrides(configs[topic_name])
