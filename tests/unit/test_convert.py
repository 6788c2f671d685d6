"""`convert_documents` and its report: what `krafter convert FILE...` writes and says."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from krafter.api import convert, parse
from krafter.api.convert import Change
from krafter.api.errors import InvalidResource

pytestmark = pytest.mark.unit

V1BETA2 = "kafka.strimzi.io/v1beta2"
V1 = "kafka.strimzi.io/v1"


def zookeeper_kafka(name: str = "my-cluster", **kafka: Any) -> dict[str, Any]:
    """A minimal ZooKeeper-era Kafka; keyword arguments are added to (or replace) spec.kafka."""
    return {
        "apiVersion": V1BETA2,
        "kind": "Kafka",
        "metadata": {"name": name},
        "spec": {
            "kafka": {
                "replicas": 3,
                "listeners": [{"name": "plain", "port": 9092, "type": "internal", "tls": False}],
                "storage": {"type": "persistent-claim", "size": "10Gi"},
                **kafka,
            },
            "zookeeper": {"replicas": 3, "storage": {"type": "persistent-claim", "size": "5Gi"}},
        },
    }


def kraft_kafka(name: str = "my-cluster", **kafka: Any) -> dict[str, Any]:
    doc = zookeeper_kafka(name, **kafka)
    del doc["spec"]["zookeeper"], doc["spec"]["kafka"]["replicas"], doc["spec"]["kafka"]["storage"]
    return doc


def pool(name: str, cluster: str = "my-cluster", roles: tuple[str, ...] = ("broker",), **meta: Any) -> dict[str, Any]:
    return {
        "apiVersion": V1BETA2,
        "kind": "KafkaNodePool",
        "metadata": {"name": name, "labels": {"strimzi.io/cluster": cluster}, **meta},
        "spec": {"replicas": 3, "roles": list(roles), "storage": {"type": "ephemeral"}},
    }


def topic(name: str = "my-topic", api_version: str = V1BETA2) -> dict[str, Any]:
    return {
        "apiVersion": api_version,
        "kind": "KafkaTopic",
        "metadata": {"name": name, "labels": {"strimzi.io/cluster": "my-cluster"}},
        "spec": {"partitions": 1},
    }


def user_with_acl(**rule: Any) -> dict[str, Any]:
    return {
        "apiVersion": V1BETA2,
        "kind": "KafkaUser",
        "metadata": {"name": "my-user", "labels": {"strimzi.io/cluster": "my-cluster"}},
        "spec": {
            "authentication": {"type": "tls"},
            "authorization": {"type": "simple", "acls": [{"resource": {"type": "topic", "name": "t"}, **rule}]},
        },
    }


CONFIG_MAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "metrics"}, "data": {"a": "b"}}


def refs(documents: list[dict[str, Any]]) -> list[str]:
    return [parse.resource_ref(doc) for doc in documents]


def kafka_of(result: convert.ConversionResult, name: str = "my-cluster") -> dict[str, Any]:
    [doc] = [d for d in result.documents if d["kind"] == "Kafka" and d["metadata"]["name"] == name]
    return doc


def changes_at(result: convert.ConversionResult, path: str) -> list[Change]:
    return [c for c in result.changes if c.path == path]


# --- Grouping and order -----------------------------------------------------------------------


def test_each_clusters_pools_come_before_its_kafka() -> None:
    result = convert.convert_documents([kraft_kafka(), pool("a"), pool("b", roles=("controller",))])
    assert refs(result.documents) == ["KafkaNodePool/a", "KafkaNodePool/b", "Kafka/my-cluster"]


def test_other_documents_keep_their_input_order_around_a_cluster() -> None:
    docs = [CONFIG_MAP, zookeeper_kafka(), topic("t1"), topic("t2")]
    result = convert.convert_documents(docs)
    assert refs(result.documents) == [
        "ConfigMap/metrics",
        "KafkaNodePool/controller",
        "KafkaNodePool/kafka",
        "Kafka/my-cluster",
        "KafkaTopic/t1",
        "KafkaTopic/t2",
    ]


def test_a_cluster_is_written_where_its_first_document_was() -> None:
    docs = [pool("a"), topic(), kraft_kafka(), pool("c", roles=("controller",))]
    result = convert.convert_documents(docs)
    assert refs(result.documents) == ["KafkaNodePool/a", "KafkaNodePool/c", "Kafka/my-cluster", "KafkaTopic/my-topic"]


def test_pools_join_the_kafka_their_cluster_label_names() -> None:
    docs = [zookeeper_kafka("one"), zookeeper_kafka("two"), pool("two-brokers", cluster="two")]
    result = convert.convert_documents(docs)
    assert refs(result.documents) == [
        "KafkaNodePool/controller",
        "KafkaNodePool/kafka",
        "Kafka/one",
        "KafkaNodePool/controller",
        "KafkaNodePool/two-brokers",
        "Kafka/two",
    ]


def test_pools_in_another_namespace_do_not_join_the_kafka() -> None:
    kafka = kraft_kafka()
    kafka["metadata"]["namespace"] = "blue"
    docs = [kafka, pool("a", roles=("broker", "controller"), namespace="green")]
    result = convert.convert_documents(docs)
    assert refs(result.documents) == ["Kafka/my-cluster", "KafkaNodePool/a"]


def test_created_pools_get_the_kafka_namespace_and_cluster_label() -> None:
    kafka = zookeeper_kafka()
    kafka["metadata"]["namespace"] = "blue"
    result = convert.convert_documents([kafka])
    for doc in result.documents[:2]:
        assert doc["metadata"]["namespace"] == "blue"
        assert doc["metadata"]["labels"] == {"strimzi.io/cluster": "my-cluster"}


# --- Keeping what the user wrote -----------------------------------------------------------------


def test_fields_krafter_does_not_know_are_kept() -> None:
    kafka = zookeeper_kafka(futureField={"x": 1})
    kafka["spec"]["somethingNew"] = True
    result = convert.convert_documents([kafka])
    assert kafka_of(result)["spec"]["kafka"]["futureField"] == {"x": 1}
    assert kafka_of(result)["spec"]["somethingNew"] is True


def test_keys_stay_in_the_order_the_user_wrote_them() -> None:
    kafka = zookeeper_kafka(config={"z.key": 1, "a.key": 2})
    kafka["spec"] = {"entityOperator": {"userOperator": {}}, **kafka["spec"]}
    result = convert.convert_documents([kafka])
    assert list(kafka_of(result)) == ["apiVersion", "kind", "metadata", "spec"]
    assert list(kafka_of(result)["spec"]) == ["entityOperator", "kafka"]
    assert list(kafka_of(result)["spec"]["kafka"]) == ["listeners", "config"]
    assert list(kafka_of(result)["spec"]["kafka"]["config"]) == ["z.key", "a.key"]


def test_input_documents_are_not_modified() -> None:
    docs = [zookeeper_kafka(), user_with_acl(operation="Read")]
    before = copy.deepcopy(docs)
    convert.convert_documents(docs)
    assert docs == before


# --- Field conversions -----------------------------------------------------------------------------


def test_api_version_becomes_v1_for_every_krafter_kind() -> None:
    docs = [kraft_kafka(), pool("a", roles=("broker", "controller")), topic(), user_with_acl(operations=["Read"])]
    result = convert.convert_documents(docs)
    assert {doc["apiVersion"] for doc in result.documents} == {V1}
    assert sorted(c.resource for c in changes_at(result, "apiVersion")) == sorted(refs(result.documents))


def test_acl_operation_becomes_a_one_element_operations_list_in_its_place() -> None:
    result = convert.convert_documents([user_with_acl(operation="Read", host="*")])
    [rule] = result.documents[0]["spec"]["authorization"]["acls"]
    assert rule == {"resource": {"type": "topic", "name": "t"}, "operations": ["Read"], "host": "*"}
    assert list(rule) == ["resource", "operations", "host"]


def test_acl_operation_is_merged_into_existing_operations() -> None:
    result = convert.convert_documents([user_with_acl(operations=["Describe"], operation="Read")])
    [rule] = result.documents[0]["spec"]["authorization"]["acls"]
    assert rule["operations"] == ["Describe", "Read"]
    assert "operation" not in rule
    assert changes_at(result, "spec.authorization.acls[0].operation")[0].what == "merged into operations (Read added)"


def test_reconciliation_interval_seconds_becomes_milliseconds() -> None:
    kafka = kraft_kafka()
    kafka["spec"]["entityOperator"] = {"topicOperator": {"reconciliationIntervalSeconds": 90}}
    result = convert.convert_documents([kafka, pool("a", roles=("broker", "controller"))])
    assert kafka_of(result)["spec"]["entityOperator"]["topicOperator"] == {"reconciliationIntervalMs": 90000}


def test_v1beta2_only_fields_are_removed_with_the_reason_from_the_model() -> None:
    kafka = kraft_kafka(template={"statefulset": {"podManagementPolicy": "Parallel"}, "pod": {}})
    result = convert.convert_documents([kafka, pool("a", roles=("broker", "controller"))])
    assert kafka_of(result)["spec"]["kafka"]["template"] == {"pod": {}}
    [change] = changes_at(result, "spec.kafka.template.statefulset")
    assert (change.what, change.why) == (
        "removed",
        "kafka.strimzi.io/v1 has no such field (StatefulSets are not used; ignored)",
    )


def test_storage_overrides_are_removed_from_the_pool_the_storage_moves_to() -> None:
    storage = {"type": "persistent-claim", "size": "1Gi", "overrides": [{"broker": 0, "class": "fast"}]}
    result = convert.convert_documents([zookeeper_kafka(storage=storage)])
    broker_pool = result.documents[1]
    assert broker_pool["spec"]["storage"] == {"type": "persistent-claim", "size": "1Gi"}
    assert [c.resource for c in changes_at(result, "spec.storage.overrides")] == ["KafkaNodePool/kafka"]


def test_zookeeper_era_config_keys_are_removed_and_others_kept() -> None:
    config = {"inter.broker.protocol.version": "3.2", "log.message.format.version": "3.2", "num.partitions": 6}
    result = convert.convert_documents([zookeeper_kafka(config=config)])
    assert kafka_of(result)["spec"]["kafka"]["config"] == {"num.partitions": 6}
    assert len(changes_at(result, "spec.kafka.config.log.message.format.version")) == 1


def test_supported_version_and_metadata_version_are_kept() -> None:
    result = convert.convert_documents([zookeeper_kafka(version="4.1.0", metadataVersion="4.1-IV1")])
    assert kafka_of(result)["spec"]["kafka"]["version"] == "4.1.0"
    assert kafka_of(result)["spec"]["kafka"]["metadataVersion"] == "4.1-IV1"


def test_metadata_version_older_than_kraft_is_removed_with_the_unsupported_version() -> None:
    result = convert.convert_documents([zookeeper_kafka(version="3.2.0", metadataVersion="3.2-IV0")])
    assert "version" not in kafka_of(result)["spec"]["kafka"]
    assert "metadataVersion" not in kafka_of(result)["spec"]["kafka"]
    assert "predates KRaft" in changes_at(result, "spec.kafka.metadataVersion")[0].why


def test_obsolete_kraft_and_node_pool_annotations_are_removed() -> None:
    kafka = kraft_kafka()
    kafka["metadata"]["annotations"] = {"strimzi.io/kraft": "enabled", "strimzi.io/node-pools": "enabled"}
    result = convert.convert_documents([kafka, pool("a", roles=("broker", "controller"))])
    assert "annotations" not in kafka_of(result)["metadata"]
    assert len(changes_at(result, "metadata.annotations.strimzi.io/kraft")) == 1


def test_jmx_trans_is_removed() -> None:
    kafka = zookeeper_kafka()
    kafka["spec"]["jmxTrans"] = {"outputDefinitions": []}
    result = convert.convert_documents([kafka])
    assert "jmxTrans" not in kafka_of(result)["spec"]
    assert changes_at(result, "spec.jmxTrans")[0].what == "removed"


def test_oauth_listener_authentication_is_refused_with_what_to_do_instead() -> None:
    listener = {"name": "plain", "port": 9092, "type": "internal", "tls": True, "authentication": {"type": "oauth"}}
    with pytest.raises(InvalidResource) as refused:
        convert.convert_documents([zookeeper_kafka(listeners=[listener])])
    [finding] = refused.value.findings
    assert finding.path == "spec.kafka.listeners[0].authentication.type"
    assert "type: custom" in (finding.fix or "")


def test_kafka_topic_v1beta1_is_converted_to_v1() -> None:
    result = convert.convert_documents([topic(api_version="kafka.strimzi.io/v1beta1")])
    assert result.documents == [topic(api_version=V1)]
    assert changes_at(result, "apiVersion")[0].what == f"kafka.strimzi.io/v1beta1 -> {V1}"


# --- Left alone ---------------------------------------------------------------------------------------


def test_unsupported_strimzi_kinds_are_left_unchanged_and_reported() -> None:
    connect = {"apiVersion": V1BETA2, "kind": "KafkaConnect", "metadata": {"name": "c"}, "spec": {"replicas": 1}}
    result = convert.convert_documents([connect])
    assert result.documents == [connect]
    assert result.changes == []
    assert result.skipped == ["KafkaConnect/c: KafkaConnect is not supported by Krafter yet; left unchanged"]


def test_kafka_older_than_v1beta2_is_refused_naming_the_served_version() -> None:
    old = {"apiVersion": "kafka.strimzi.io/v1beta1", "kind": "Kafka", "metadata": {"name": "old"}, "spec": {}}
    with pytest.raises(InvalidResource) as refused:
        convert.convert_documents([old])
    [finding] = refused.value.findings
    assert "'kafka.strimzi.io/v1beta1' is not served" in finding.message
    assert "kafka.strimzi.io/v1" in (finding.fix or "")


def test_non_strimzi_documents_pass_through_without_a_report() -> None:
    result = convert.convert_documents([CONFIG_MAP])
    assert (result.documents, result.changes, result.skipped) == ([CONFIG_MAP], [], [])


def test_a_list_holding_strimzi_resources_is_reported() -> None:
    listing = {"apiVersion": "v1", "kind": "List", "items": [topic()]}
    result = convert.convert_documents([listing])
    assert result.documents == [listing]
    assert "convert does not look inside Lists" in result.skipped[0]


# --- Errors ------------------------------------------------------------------------------------------


def test_invalid_documents_are_reported_together() -> None:
    bad_topic = topic()
    bad_topic["spec"]["partitions"] = 0
    bad_pool = pool("a")
    del bad_pool["spec"]["roles"]
    with pytest.raises(InvalidResource) as raised:
        convert.convert_documents([bad_topic, bad_pool])
    assert {(f.resource, f.path) for f in raised.value.findings} == {
        ("KafkaTopic/my-topic", "spec.partitions"),
        ("KafkaNodePool/a", "spec.roles"),
    }


def test_a_document_that_is_not_a_mapping_is_rejected() -> None:
    with pytest.raises(InvalidResource, match="document 2 is a str"):
        convert.convert_documents([CONFIG_MAP, "just text"])  # type: ignore[list-item]


def test_zookeeper_era_kafka_without_nodes_or_pools_is_rejected_at_its_replicas() -> None:
    kafka = zookeeper_kafka()
    del kafka["spec"]["kafka"]["replicas"], kafka["spec"]["kafka"]["storage"]
    with pytest.raises(InvalidResource) as raised:
        convert.convert_documents([kafka])
    assert [(f.resource, f.path) for f in raised.value.findings] == [
        ("Kafka/my-cluster", "spec.kafka.replicas"),
        ("Kafka/my-cluster", "spec.kafka.storage"),
    ]


def test_invalid_zookeeper_storage_is_reported_where_the_user_wrote_it() -> None:
    kafka = zookeeper_kafka()
    kafka["spec"]["zookeeper"]["storage"] = {"type": "floppy"}
    with pytest.raises(InvalidResource) as raised:
        convert.convert_documents([kafka])
    [finding] = raised.value.findings
    assert (finding.resource, finding.path) == ("Kafka/my-cluster", "spec.zookeeper.storage.type")


# --- Report and YAML --------------------------------------------------------------------------------


def test_changes_list_the_kafka_before_its_pools() -> None:
    result = convert.convert_documents([zookeeper_kafka()])
    assert list(dict.fromkeys(c.resource for c in result.changes)) == [
        "Kafka/my-cluster",
        "KafkaNodePool/controller",
        "KafkaNodePool/kafka",
    ]


def test_render_changes_writes_one_line_per_change_under_its_resource() -> None:
    changes = [
        Change("Kafka/a", "spec.x", "removed", "because"),
        Change("KafkaNodePool/p", "", "created", "needed"),
        Change("Kafka/a", "spec.y", "moved", "v1"),
    ]
    assert convert.render_changes(changes) == (
        "Kafka/a:\n  - spec.x: removed -- because\n  - spec.y: moved -- v1\nKafkaNodePool/p:\n  - created -- needed\n"
    )


def test_render_changes_says_so_when_nothing_changed() -> None:
    assert (
        convert.render_changes([]) == "No changes: the documents already are current kafka.strimzi.io/v1 resources.\n"
    )


def test_to_yaml_writes_shared_values_out_instead_of_aliases() -> None:
    shared = {"type": "ephemeral"}
    text = convert.to_yaml([{"a": shared}, {"b": shared, "c": shared}])
    assert "&" not in text
    assert "*" not in text
    assert parse.load_yaml(text) == [{"a": shared}, {"b": shared, "c": shared}]
