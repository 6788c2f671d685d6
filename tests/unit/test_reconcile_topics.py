"""Topic reconciler decisions, without Kafka: triage, config drift, partitions, replicas and statuses."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from krafter.api.common import Condition
from krafter.api.topic import KafkaTopic, KafkaTopicStatus, ReplicasChangeStatus
from krafter.kafka.admin_types import (
    ConfigChange,
    ConfigEntry,
    ConfigSource,
    CreatedTopic,
    OpResult,
    PartitionState,
    Reassignment,
    TopicDescription,
)
from krafter.reconcile import conditions, replicas, topic_config, topic_plan, topic_triage
from krafter.reconcile.topic_plan import Applied, Observed, Retry
from krafter.reconcile.topic_triage import Claims, Disposition

pytestmark = pytest.mark.unit

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def kafka_topic(
    name: str = "orders",
    *,
    spec: dict[str, Any] | None = None,
    annotations: dict[str, str] | None = None,
    created: str | None = "2026-01-01T00:00:00Z",
    status: dict[str, Any] | None = None,
    namespace: str | None = "kafka",
    deleting: bool = False,
) -> KafkaTopic:
    metadata: dict[str, Any] = {"name": name, "labels": {"strimzi.io/cluster": "my-cluster"}, "generation": 4}
    if namespace:
        metadata["namespace"] = namespace
    if annotations:
        metadata["annotations"] = annotations
    if created:
        metadata["creationTimestamp"] = created
    if deleting:
        metadata["deletionTimestamp"] = "2026-01-02T00:00:00Z"
    document: dict[str, Any] = {"apiVersion": "kafka.strimzi.io/v1", "kind": "KafkaTopic", "metadata": metadata}
    document["spec"] = spec if spec is not None else {"partitions": 3, "replicas": 3}
    if status is not None:
        document["status"] = status
    return KafkaTopic.model_validate(document)


def entry(name: str, value: str, source: ConfigSource = ConfigSource.DYNAMIC_TOPIC_CONFIG) -> ConfigEntry:
    return ConfigEntry(
        name, value, source, read_only=False, sensitive=False, default=source is ConfigSource.DEFAULT_CONFIG
    )


def described(name: str = "orders", layout: tuple[tuple[int, ...], ...] = ((0, 1, 2),) * 3) -> TopicDescription:
    partitions = tuple(PartitionState(i, r[0], r, r) for i, r in enumerate(layout))
    return TopicDescription(name, "AAAAAAAAAAAAAAAAAAAAAA", False, partitions)


def dispositions(topics: list[KafkaTopic], claims: Claims | None = None) -> dict[str, Disposition]:
    return {t.key: t.disposition for t in topic_triage.triage(topics, claims or Claims())}


# --- triage ---------------------------------------------------------------------------------


def test_the_older_of_two_topics_for_one_kafka_topic_wins_and_the_other_is_in_conflict() -> None:
    old = kafka_topic("a-new-name", spec={"topicName": "orders"}, created="2026-01-01T00:00:00Z")
    new = kafka_topic("orders", created="2026-01-01T00:00:01Z")

    triaged = {t.key: t for t in topic_triage.triage([new, old], Claims())}

    assert triaged["kafka/a-new-name"].disposition is Disposition.RECONCILE
    assert triaged["kafka/orders"].disposition is Disposition.CONFLICT
    assert triaged["kafka/orders"].message == "Managed by KafkaTopic kafka/a-new-name"


def test_a_creation_time_tie_is_won_by_the_smaller_name() -> None:
    assert dispositions([kafka_topic("b", spec={"topicName": "t"}), kafka_topic("a", spec={"topicName": "t"})]) == {
        "kafka/a": Disposition.RECONCILE,
        "kafka/b": Disposition.CONFLICT,
    }


def test_claims_from_an_earlier_batch_still_decide_a_conflict() -> None:
    claims = Claims()
    topic_triage.triage([kafka_topic("first", spec={"topicName": "t"})], claims)

    later = kafka_topic("second", spec={"topicName": "t"}, created="2026-02-01T00:00:00Z")

    assert dispositions([later], claims) == {"kafka/second": Disposition.CONFLICT}


def test_an_unmanaged_topic_releases_its_claim() -> None:
    claims = Claims()
    topic_triage.triage([kafka_topic("first", spec={"topicName": "t"})], claims)
    topic_triage.triage(
        [kafka_topic("first", spec={"topicName": "t"}, annotations={"strimzi.io/managed": "false"})], claims
    )

    later = kafka_topic("second", spec={"topicName": "t"}, created="2026-02-01T00:00:00Z")

    assert dispositions([later], claims) == {"kafka/second": Disposition.RECONCILE}


def test_deleting_a_conflict_loser_releases_it_without_deleting_the_topic() -> None:
    winner = kafka_topic("first", spec={"topicName": "t"})
    loser = kafka_topic("second", spec={"topicName": "t"}, created="2026-02-01T00:00:00Z", deleting=True)

    assert dispositions([winner, loser]) == {"kafka/first": Disposition.RECONCILE, "kafka/second": Disposition.RELEASE}


def test_deleting_an_unmanaged_topic_leaves_the_kafka_topic() -> None:
    topic = kafka_topic(annotations={"strimzi.io/managed": "false"}, deleting=True)

    assert dispositions([topic]) == {"kafka/orders": Disposition.RELEASE}


def test_paused_topics_are_left_alone() -> None:
    topic = kafka_topic(annotations={"strimzi.io/pause-reconciliation": "true"})

    assert dispositions([topic]) == {"kafka/orders": Disposition.PAUSED}


def test_a_changed_topic_name_is_refused_and_keeps_the_old_topic_claimed() -> None:
    topic = kafka_topic(spec={"topicName": "renamed"}, status={"topicName": "orders"})

    [item] = topic_triage.triage([topic], Claims())

    assert item.disposition is Disposition.NAME_CHANGED
    assert item.topic_name == "orders"
    assert item.message == "Changing spec.topicName is not supported"


def test_an_invalid_topic_name_makes_the_resource_invalid() -> None:
    [item] = topic_triage.triage([kafka_topic(spec={"topicName": "no spaces please"})], Claims())

    assert item.disposition is Disposition.INVALID
    assert item.message is not None
    assert "not a valid Kafka topic name" in item.message


def test_a_resource_without_a_namespace_is_keyed_by_name() -> None:
    assert dispositions([kafka_topic(namespace=None)]) == {"orders": Disposition.RECONCILE}


# --- config ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(604800000, "604800000"), (True, "true"), (0.5, "0.5"), (["compact", "delete"], "compact,delete"), ("x", "x")],
)
def test_spec_config_values_become_kafka_strings(value: object, expected: str) -> None:
    assert topic_config.config_value(value) == expected


@pytest.mark.parametrize(
    ("desired", "actual"),
    [("compact, delete", "compact,delete"), ("0.50", "0.5"), ("TRUE", "true"), ("0604800000", "604800000")],
)
def test_values_kafka_normalises_compare_equal(desired: str, actual: str) -> None:
    assert topic_config.values_equal(desired, actual)


@pytest.mark.parametrize(("desired", "actual"), [("compact", "delete"), ("1000", "1001"), ("a,b", "a"), ("x", None)])
def test_different_values_compare_unequal(desired: str, actual: str | None) -> None:
    assert not topic_config.values_equal(desired, actual)


def test_drift_is_reverted_and_extra_topic_overrides_are_deleted_but_defaults_untouched() -> None:
    current = {
        "retention.ms": entry("retention.ms", "1000"),
        "segment.bytes": entry("segment.bytes", "1048576"),
        "min.insync.replicas": entry("min.insync.replicas", "2", ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG),
        "cleanup.policy": entry("cleanup.policy", "delete", ConfigSource.DEFAULT_CONFIG),
    }

    changes = topic_config.config_changes({"retention.ms": "86400000", "cleanup.policy": "delete"}, current)

    assert changes == [ConfigChange("retention.ms", "86400000"), ConfigChange("segment.bytes", None)]


def test_matching_config_needs_no_change() -> None:
    current = {"cleanup.policy": entry("cleanup.policy", "compact,delete")}

    assert topic_config.config_changes({"cleanup.policy": "compact, delete"}, current) == []


# --- replicas -------------------------------------------------------------------------------


def test_growing_keeps_current_replicas_first_and_adds_the_least_loaded_brokers() -> None:
    partitions = [PartitionState(0, 1, (1,), (1,)), PartitionState(1, 2, (2,), (2,))]
    load = Counter({0: 5, 1: 1, 2: 1, 3: 0})

    assignments = replicas.reassign(partitions, 2, [0, 1, 2, 3], load)

    assert assignments == {0: (1, 3), 1: (2, 1)}
    assert load[3] == 1
    assert load[1] == 2


def test_shrinking_drops_the_last_replicas_but_not_the_leader() -> None:
    partitions = [PartitionState(0, 2, (0, 1, 2), (0, 1, 2)), PartitionState(1, 0, (0, 1, 2), (0, 1, 2))]

    assignments = replicas.reassign(partitions, 1, [0, 1, 2], Counter({0: 2, 1: 2, 2: 2}))

    assert assignments == {0: (2,), 1: (0,)}


def test_partitions_already_at_the_target_are_left_out() -> None:
    partitions = [PartitionState(0, 0, (0, 1), (0, 1)), PartitionState(1, 0, (0,), (0,))]

    assert set(replicas.reassign(partitions, 2, [0, 1, 2], Counter())) == {1}


def test_a_replication_factor_above_the_broker_count_is_refused() -> None:
    with pytest.raises(ValueError, match="needs 4 brokers, the cluster has 3"):
        replicas.reassign([PartitionState(0, 0, (0,), (0,))], 4, [0, 1, 2], Counter())


@given(
    layout=st.lists(st.lists(st.integers(0, 5), min_size=1, max_size=6, unique=True), min_size=1, max_size=8),
    target=st.integers(1, 6),
)
def test_reassignment_always_reaches_the_target_with_distinct_brokers(layout: list[list[int]], target: int) -> None:
    partitions = [PartitionState(i, r[-1], tuple(r), tuple(r)) for i, r in enumerate(layout)]

    assignments = replicas.reassign(partitions, target, range(6), Counter())  # type: ignore[arg-type]

    for partition in partitions:
        new = assignments.get(partition.partition, partition.replicas)
        assert len(new) == target
        assert len(set(new)) == target
        kept = [b for b in partition.replicas if b in new]
        assert list(new[: len(kept)]) == kept  # surviving replicas keep their order, first
        if partition.leader in partition.replicas:
            assert partition.leader in new or target == 0


# --- planning -------------------------------------------------------------------------------


def desired(**spec: Any) -> topic_plan.DesiredTopic:
    return topic_plan.desired_topic(kafka_topic(spec=spec))


def test_a_missing_topic_is_created_with_its_spec() -> None:
    plan = topic_plan.plan_topic(desired(partitions=2, replicas=1, config={"retention.ms": 1000}), Observed({}, {}))

    assert plan.create is not None
    assert (plan.create.name, plan.create.partitions, plan.create.replication_factor) == ("orders", 2, 1)
    assert plan.create.config == {"retention.ms": "1000"}


def test_unset_partitions_and_replicas_take_the_broker_defaults_on_creation() -> None:
    plan = topic_plan.plan_topic(desired(), Observed({}, {}))

    assert plan.create is not None
    assert (plan.create.partitions, plan.create.replication_factor) == (None, None)


def test_an_existing_topic_grows_partitions_and_reverts_config() -> None:
    observed = Observed({"orders": described()}, {"orders": {"retention.ms": entry("retention.ms", "5")}})

    plan = topic_plan.plan_topic(desired(partitions=5, replicas=3, config={"retention.ms": 10}), observed)

    assert plan.create is None
    assert plan.total_partitions == 5
    assert plan.config_changes == (ConfigChange("retention.ms", "10"),)
    assert plan.failure is None


def test_decreasing_partitions_is_not_supported_but_config_still_applies() -> None:
    observed = Observed({"orders": described()}, {"orders": {}})

    plan = topic_plan.plan_topic(desired(partitions=1, replicas=3, config={"retention.ms": 10}), observed)

    assert plan.failure == topic_plan.Failure("NotSupported", "Decreasing partitions not supported")
    assert plan.config_changes == (ConfigChange("retention.ms", "10"),)


def test_a_topic_without_visible_configs_waits_instead_of_guessing() -> None:
    plan = topic_plan.plan_topic(desired(partitions=3, replicas=3), Observed({"orders": described()}, {}))

    assert plan.waiting
    assert not plan.has_changes


def test_a_replication_factor_increase_plans_reassignments_and_reports_ongoing() -> None:
    observed = Observed(
        {"orders": described(layout=((0,), (1,), (2,)))}, {"orders": {}}, brokers=(0, 1, 2), load=Counter()
    )

    plan = topic_plan.plan_topic(desired(partitions=3, replicas=2), observed)

    assert set(plan.reassignments) == {0, 1, 2}
    assert all(len(r) == 2 for r in plan.reassignments.values())
    assert plan.replicas_change == ReplicasChangeStatus(target_replicas=2, state="ongoing")


def test_a_running_reassignment_is_reported_ongoing_and_not_started_again() -> None:
    observed = Observed(
        {"orders": described(layout=((0, 1),))},
        {"orders": {}},
        reassignments={("orders", 0): Reassignment(replicas=(0, 1), adding=(1,), removing=())},
        brokers=(0, 1, 2),
    )
    topic = kafka_topic(spec={"partitions": 1, "replicas": 2}, status={"replicasChange": {"state": "ongoing"}})

    plan = topic_plan.plan_topic(topic_plan.desired_topic(topic), observed)

    assert plan.reassignments == {}
    assert plan.replicas_change == ReplicasChangeStatus(target_replicas=2, state="ongoing")


def test_a_finished_replication_factor_change_is_cleared() -> None:
    observed = Observed({"orders": described(layout=((0, 1),))}, {"orders": {}}, brokers=(0, 1, 2))
    topic = kafka_topic(spec={"partitions": 1, "replicas": 2}, status={"replicasChange": {"state": "ongoing"}})

    plan = topic_plan.plan_topic(topic_plan.desired_topic(topic), observed)

    assert plan.replicas_change is None
    assert [e.reason for e in plan.events] == ["ReplicasChangeCompleted"]


def test_too_few_brokers_leaves_the_change_pending_with_a_message() -> None:
    observed = Observed({"orders": described(layout=((0,),))}, {"orders": {}}, brokers=(0, 1, 2))

    plan = topic_plan.plan_topic(desired(partitions=1, replicas=5), observed)

    assert plan.replicas_change is not None
    assert plan.replicas_change.state == "pending"
    assert plan.failure is not None
    assert plan.failure.reason == "NotSupported"


def test_replica_placement_spreads_over_a_batch() -> None:
    observed = Observed(
        {"a": described("a", ((0,),)), "b": described("b", ((0,),))},
        {"a": {}, "b": {}},
        brokers=(0, 1, 2),
        load=Counter({0: 2}),
    )
    first = topic_plan.desired_topic(kafka_topic("a", spec={"replicas": 2}))
    second = topic_plan.desired_topic(kafka_topic("b", spec={"replicas": 2}))

    plans = topic_plan.plan_topics([first, second], observed)

    assert plans["kafka/a"].reassignments == {0: (0, 1)}
    assert plans["kafka/b"].reassignments == {0: (0, 2)}


# --- conclusions and status -----------------------------------------------------------------


def test_a_created_topic_is_ready_with_its_new_id() -> None:
    plan = topic_plan.plan_topic(desired(), Observed({}, {}))

    conclusion = topic_plan.conclude(plan, Applied(created=CreatedTopic(OpResult(), "NEWID")))

    assert conclusion.ready
    assert conclusion.topic_id == "NEWID"
    assert [e.reason for e in conclusion.events] == ["TopicCreated"]


def test_an_invalid_config_is_reported_with_kafkas_message() -> None:
    plan = topic_plan.plan_topic(desired(), Observed({}, {}))
    rejected = OpResult("INVALID_CONFIG", 40, "Invalid value x for configuration retention.ms")

    conclusion = topic_plan.conclude(plan, Applied(created=CreatedTopic(rejected)))

    assert conclusion.wanted == (
        conditions.Wanted("Ready", "False", "InvalidConfig", "Invalid value x for configuration retention.ms"),
    )
    assert conclusion.events[-1].type is conditions.EventType.WARNING
    assert conclusion.retry is None


def test_an_already_existing_topic_on_create_is_a_stale_read_retried_soon() -> None:
    plan = topic_plan.plan_topic(desired(), Observed({}, {}))
    exists = OpResult("TOPIC_ALREADY_EXISTS", 36, "exists")

    conclusion = topic_plan.conclude(plan, Applied(created=CreatedTopic(exists)))

    assert conclusion.keep_status
    assert conclusion.retry is Retry.STALE_READ


def test_the_first_failure_wins() -> None:
    observed = Observed({"orders": described()}, {"orders": {}})
    plan = topic_plan.plan_topic(desired(partitions=1, replicas=3, config={"retention.ms": "x"}), observed)

    conclusion = topic_plan.conclude(plan, Applied(configs=OpResult("INVALID_CONFIG", 40, "bad")))

    assert conclusion.wanted[0].reason == "NotSupported"


def test_a_rejected_reassignment_leaves_the_change_pending() -> None:
    observed = Observed({"orders": described(layout=((0,),))}, {"orders": {}}, brokers=(0, 1, 2))
    plan = topic_plan.plan_topic(desired(partitions=1, replicas=2), observed)

    conclusion = topic_plan.conclude(plan, Applied(reassignments={0: OpResult("UNKNOWN_SERVER_ERROR", -1, "no")}))

    assert conclusion.replicas_change is not None
    assert conclusion.replicas_change.state == "pending"
    assert conclusion.wanted[0].reason == "KafkaError"
    assert "ReplicasChangeStarted" not in [e.reason for e in conclusion.events]


def test_last_transition_time_only_moves_when_the_status_flips() -> None:
    previous = [Condition(type="Ready", status="True", last_transition_time="2025-01-01T00:00:00Z")]

    same = conditions.build([conditions.Wanted("Ready")], previous, NOW)
    flipped = conditions.build([conditions.Wanted("Ready", "False", "KafkaError", "x")], previous, NOW)

    assert same[0].last_transition_time == "2025-01-01T00:00:00Z"
    assert flipped[0].last_transition_time == "2026-01-02T03:04:05Z"


def test_status_carries_generation_name_and_id() -> None:
    topic = kafka_topic()

    status = topic_plan.topic_status(topic, [conditions.Wanted("Ready")], now=NOW, topic_name="orders", topic_id="ID")

    assert status.to_dict() == {
        "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "2026-01-02T03:04:05Z"}],
        "observedGeneration": 4,
        "topicName": "orders",
        "topicId": "ID",
    }


def test_a_status_that_keeps_its_identity_keeps_name_id_and_replicas_change() -> None:
    previous = KafkaTopicStatus(
        topic_name="orders", topic_id="ID", replicas_change=ReplicasChangeStatus(state="ongoing")
    )
    topic = kafka_topic().model_copy(update={"status": previous})

    status = topic_plan.topic_status(topic, [conditions.Wanted("ReconciliationPaused")], now=NOW, keep_identity=True)

    assert (status.topic_name, status.topic_id, status.replicas_change) == ("orders", "ID", previous.replicas_change)
