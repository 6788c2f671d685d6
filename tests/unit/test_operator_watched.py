"""Entity-operator settings read from the Kafka: watchedNamespace routing, topic finalizers."""

from __future__ import annotations

import pytest

from krafter.api.kafka import EntityOperatorSpec, topic_finalizers_enabled
from krafter.operator.watched import WatchIndex, watched_namespaces

pytestmark = pytest.mark.unit

WATCHING_APPS = {"entityOperator": {"topicOperator": {"watchedNamespace": "apps"}, "userOperator": {}}}


def test_watched_namespaces_come_from_the_topic_and_user_operators() -> None:
    spec = {"entityOperator": {"topicOperator": {"watchedNamespace": "a"}, "userOperator": {"watchedNamespace": "b"}}}
    assert watched_namespaces(spec) == {"a", "b"}


def test_a_resource_always_reaches_the_kafka_of_its_own_namespace() -> None:
    assert WatchIndex().clusters_for("apps", "main") == [("apps", "main")]


def test_a_resource_in_a_watched_namespace_reaches_the_kafka_watching_it() -> None:
    index = WatchIndex()
    index.update(("kafka", "main"), WATCHING_APPS)
    assert index.clusters_for("apps", "main") == [("apps", "main"), ("kafka", "main")]


def test_the_cluster_label_must_still_match_the_watching_kafkas_name() -> None:
    index = WatchIndex()
    index.update(("kafka", "main"), WATCHING_APPS)
    assert index.clusters_for("apps", "other") == [("apps", "other")]


def test_a_deleted_or_changed_kafka_stops_receiving_the_namespaces_events() -> None:
    index = WatchIndex()
    index.update(("kafka", "main"), WATCHING_APPS)
    index.update(("kafka", "main"), None)
    assert index.clusters_for("apps", "main") == [("apps", "main")]
    index.update(("kafka", "other"), WATCHING_APPS)
    index.update(("kafka", "other"), {"entityOperator": {"topicOperator": {}}})
    assert index.clusters_for("apps", "other") == [("apps", "other")]


@pytest.mark.parametrize(("env", "expected"), [(None, True), ("false", False), ("FALSE", False), ("true", True)])
def test_topic_finalizers_follow_strimzis_use_finalizers_variable(env: str | None, expected: bool) -> None:
    container = {"env": [{"name": "STRIMZI_USE_FINALIZERS", "value": env}]} if env is not None else {}
    spec = EntityOperatorSpec.model_validate({"topicOperator": {}, "template": {"topicOperatorContainer": container}})
    assert topic_finalizers_enabled(spec) is expected
