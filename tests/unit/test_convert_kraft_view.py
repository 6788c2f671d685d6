"""`kraft_view`: how the operator and `krafter up` read a legacy cluster, the way `krafter convert` would."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from krafter.api import convert, parse, validation
from krafter.api.errors import Severity
from krafter.api.kafka import Kafka
from krafter.api.nodepool import KafkaNodePool, ProcessRole
from krafter.api.storage import EphemeralStorage, JbodStorage, PersistentClaimStorage

pytestmark = pytest.mark.unit

LISTENERS = [{"name": "plain", "port": 9092, "type": "internal", "tls": False}]


def kafka_doc(*, zookeeper: dict[str, Any] | None = None, **kafka: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"kafka": {"listeners": LISTENERS, **kafka}}
    if zookeeper is not None:
        spec["zookeeper"] = zookeeper
    return {"apiVersion": "kafka.strimzi.io/v1beta2", "kind": "Kafka", "metadata": {"name": "c"}, "spec": spec}


def pool_doc(name: str, replicas: int, roles: list[str], **metadata: Any) -> dict[str, Any]:
    return {
        "apiVersion": "kafka.strimzi.io/v1",
        "kind": "KafkaNodePool",
        "metadata": {"name": name, "labels": {"strimzi.io/cluster": "c"}, **metadata},
        "spec": {"replicas": replicas, "roles": roles, "storage": {"type": "ephemeral"}},
    }


def read_kafka(doc: dict[str, Any]) -> Kafka:
    resource = parse.parse_resource(doc).resource
    assert isinstance(resource, Kafka)
    return resource


def read_pool(doc: dict[str, Any]) -> KafkaNodePool:
    resource = parse.parse_resource(doc).resource
    assert isinstance(resource, KafkaNodePool)
    return resource


def zookeeper_era(brokers: int = 3, controllers: int = 3, **kafka: Any) -> Kafka:
    return read_kafka(
        kafka_doc(
            replicas=brokers,
            storage={"type": "persistent-claim", "size": "10Gi"},
            zookeeper={"replicas": controllers, "storage": {"type": "persistent-claim", "size": "5Gi"}},
            **kafka,
        )
    )


def pools_by_name(view: convert.KraftView) -> dict[str, KafkaNodePool]:
    return {str(pool.metadata.name): pool for pool in view.pools}


def controller_ids(pool: KafkaNodePool) -> list[int]:
    ids = validation.parse_node_id_ranges((pool.metadata.annotations or {})[validation.NEXT_NODE_IDS])
    assert ids is not None
    return ids[: pool.spec.replicas]


def test_zookeeper_era_kafka_is_read_as_a_controller_pool_and_a_broker_pool_named_kafka() -> None:
    view = convert.kraft_view(zookeeper_era(), [])
    assert [(p.metadata.name, p.spec.roles) for p in view.pools] == [
        ("controller", [ProcessRole.CONTROLLER]),
        ("kafka", [ProcessRole.BROKER]),
    ]


def test_broker_pool_takes_the_kafka_nodes_replicas_storage_and_resources() -> None:
    resources = {"requests": {"memory": "4Gi"}}
    broker = pools_by_name(convert.kraft_view(zookeeper_era(brokers=5, resources=resources), []))["kafka"]
    assert broker.spec.replicas == 5
    assert broker.spec.storage == PersistentClaimStorage(type="persistent-claim", size="10Gi")
    assert broker.spec.resources is not None
    assert broker.spec.resources.requests == {"memory": "4Gi"}


def test_jvm_options_move_to_the_broker_pool_so_controllers_do_not_inherit_them() -> None:
    view = convert.kraft_view(zookeeper_era(jvmOptions={"-Xmx": "8g"}), [])
    assert view.kafka.spec.kafka.jvm_options is None
    jvm = pools_by_name(view)["kafka"].spec.jvm_options
    assert jvm is not None
    assert jvm.xmx == "8g"


def test_broker_storage_is_copied_without_marking_a_kraft_metadata_volume() -> None:
    jbod = {"type": "jbod", "volumes": [{"id": 1, "type": "ephemeral"}, {"id": 0, "type": "ephemeral"}]}
    kafka = read_kafka(kafka_doc(replicas=3, storage=jbod, zookeeper={}))
    storage = pools_by_name(convert.kraft_view(kafka, []))["kafka"].spec.storage
    assert isinstance(storage, JbodStorage)
    assert [(v.id, v.kraft_metadata) for v in storage.volumes] == [(1, None), (0, None)]


def test_controller_pool_takes_zookeeper_replicas_storage_and_resources() -> None:
    zookeeper = {
        "replicas": 5,
        "storage": {"type": "persistent-claim", "size": "5Gi", "class": "fast"},
        "resources": {"limits": {"memory": "2Gi"}},
        "config": {"tickTime": 2000},
    }
    kafka = read_kafka(kafka_doc(replicas=3, storage={"type": "ephemeral"}, zookeeper=zookeeper))
    controller = pools_by_name(convert.kraft_view(kafka, []))["controller"]
    assert controller.spec.replicas == 5
    assert controller.spec.storage == PersistentClaimStorage(type="persistent-claim", size="5Gi", storage_class="fast")
    assert controller.spec.resources is not None
    assert controller.spec.resources.limits == {"memory": "2Gi"}


def test_zookeeper_settings_without_a_kraft_equivalent_are_named_in_the_change() -> None:
    zookeeper = {
        "replicas": 3,
        "storage": {"type": "ephemeral"},
        "config": {"tickTime": 2000},
        "logging": {"type": "inline"},
    }
    kafka = read_kafka(kafka_doc(replicas=3, storage={"type": "ephemeral"}, zookeeper=zookeeper))
    [change] = [c for c in convert.kraft_view(kafka, []).changes if c.path == "spec.zookeeper"]
    assert change.why.endswith("config, logging")


def test_controller_pool_defaults_to_three_ephemeral_controllers_without_a_zookeeper_section() -> None:
    kafka = read_kafka(kafka_doc(replicas=3, storage={"type": "persistent-claim", "size": "1Gi"}))
    controller = pools_by_name(convert.kraft_view(kafka, []))["controller"]
    assert controller.spec.replicas == 3
    assert controller.spec.storage == EphemeralStorage(type="ephemeral")


def test_controller_node_ids_do_not_collide_with_broker_node_ids() -> None:
    view = convert.kraft_view(zookeeper_era(brokers=3, controllers=3), [])
    pools = pools_by_name(view)
    assert pools["kafka"].metadata.annotations is None  # brokers keep the lowest ids, 0-2, as in ZooKeeper days
    assert controller_ids(pools["controller"]) == [100, 101, 102]
    assert [f for f in validation.validate_cluster(view.kafka, view.pools) if f.severity is Severity.ERROR] == []


def test_controller_node_ids_start_above_a_large_broker_pool() -> None:
    controller = pools_by_name(convert.kraft_view(zookeeper_era(brokers=150), []))["controller"]
    assert (controller.metadata.annotations or {})[validation.NEXT_NODE_IDS] == "[200-299]"


def test_controller_node_ids_avoid_ids_an_existing_pool_reserves() -> None:
    brokers = read_pool(pool_doc("brokers", 2, ["broker"], annotations={validation.NEXT_NODE_IDS: "[0, 130]"}))
    kafka = read_kafka(kafka_doc(zookeeper={"replicas": 3}))
    controller = pools_by_name(convert.kraft_view(kafka, [brokers]))["controller"]
    assert controller_ids(controller) == [200, 201, 202]


def test_controller_node_ids_avoid_ids_an_existing_pool_uses() -> None:
    brokers = read_pool({**pool_doc("brokers", 2, ["broker"]), "status": {"nodeIds": [7, 340]}})
    kafka = read_kafka(kafka_doc(zookeeper={"replicas": 3}))
    controller = pools_by_name(convert.kraft_view(kafka, [brokers]))["controller"]
    assert controller_ids(controller) == [400, 401, 402]


def test_zookeeper_era_kafka_with_broker_pools_gains_only_a_controller_pool() -> None:
    kafka = read_kafka(kafka_doc(zookeeper={"replicas": 3}))
    view = convert.kraft_view(kafka, [read_pool(pool_doc("a", 3, ["broker"]))])
    assert [p.metadata.name for p in view.pools] == ["controller", "a"]


def test_no_controller_pool_is_added_when_a_pool_has_the_controller_role() -> None:
    kafka = read_kafka(kafka_doc(zookeeper={"replicas": 3}))
    view = convert.kraft_view(kafka, [read_pool(pool_doc("both", 3, ["broker", "controller"]))])
    assert [p.metadata.name for p in view.pools] == ["both"]
    assert view.kafka.spec.zookeeper is None


def test_controller_pool_name_avoids_an_existing_pool_name() -> None:
    kafka = read_kafka(kafka_doc(zookeeper={"replicas": 3}))
    view = convert.kraft_view(kafka, [read_pool(pool_doc("controller", 3, ["broker"]))])
    assert [p.metadata.name for p in view.pools] == ["controllers", "controller"]


def test_nodes_on_a_kafka_that_has_pools_are_dropped_as_ignored() -> None:
    kafka = read_kafka(kafka_doc(replicas=9, storage={"type": "ephemeral"}, zookeeper={"replicas": 3}))
    view = convert.kraft_view(kafka, [read_pool(pool_doc("a", 3, ["broker"]))])
    assert (view.kafka.spec.kafka.replicas, view.kafka.spec.kafka.storage) == (None, None)
    assert pools_by_name(view)["a"].spec.replicas == 3
    assert any(c.path == "spec.kafka.replicas" and "ignored" in c.why for c in view.changes)


def test_kafka_is_read_as_v1_without_zookeeper_era_fields() -> None:
    kafka = convert.kraft_view(zookeeper_era(resources={"limits": {"cpu": "1"}}), []).kafka
    assert kafka.api_version == "kafka.strimzi.io/v1"
    assert validation.is_zookeeper_era(kafka) is False
    assert kafka.spec.kafka.resources is None


def test_pool_names_broker_pool_kafka_in_the_why_for_pod_and_volume_names() -> None:
    [created] = [c for c in convert.kraft_view(zookeeper_era(), []).changes if c.resource == "KafkaNodePool/kafka"]
    assert "c-kafka-<id>" in created.why
    assert "PersistentVolumeClaims" in created.why


def test_current_kraft_cluster_is_read_unchanged() -> None:
    kafka = read_kafka({**kafka_doc(), "apiVersion": "kafka.strimzi.io/v1"})
    pools = [read_pool(pool_doc("a", 3, ["broker", "controller"]))]
    view = convert.kraft_view(kafka, pools)
    assert (view.kafka, view.pools, view.changes) == (kafka, tuple(pools), ())


def test_kraft_view_reads_a_cluster_exactly_as_convert_writes_it() -> None:
    doc = kafka_doc(replicas=3, storage={"type": "ephemeral"}, zookeeper={"replicas": 3}, version="3.2.0")
    written = convert.convert_documents([doc])
    view = convert.kraft_view(read_kafka(doc), [])
    assert [read_pool(d) for d in written.documents[:-1]] == list(view.pools)
    assert read_kafka(written.documents[-1]) == view.kafka
    assert written.changes == list(view.changes)


VOLUMES = [{"type": "ephemeral"}, {"type": "persistent-claim", "size": "10Gi", "deleteClaim": False}]
JBODS = [
    {"type": "jbod", "volumes": [{"id": 0, "type": "persistent-claim", "size": "1Gi"}]},
    {"type": "jbod", "volumes": [{"id": 2, "type": "ephemeral"}, {"id": 0, "type": "ephemeral"}]},
]


@st.composite
def zookeeper_era_kafkas(draw: st.DrawFn) -> dict[str, Any]:
    """ZooKeeper-era Kafka documents: any node count, storage, ZooKeeper section and (old) version."""
    zookeeper: dict[str, Any] = {}
    if draw(st.booleans()):
        zookeeper["replicas"] = draw(st.integers(min_value=1, max_value=9))
    if draw(st.booleans()):
        zookeeper["storage"] = draw(st.sampled_from(VOLUMES))
    kafka: dict[str, Any] = {
        "replicas": draw(st.integers(min_value=1, max_value=400)),
        "storage": draw(st.sampled_from(VOLUMES + JBODS)),
    }
    version = draw(st.none() | st.sampled_from(["2.8.0", "3.2.0", "3.9.0", "4.4.0"]))
    if version:
        kafka["version"] = version
    if draw(st.booleans()):
        kafka["config"] = {"inter.broker.protocol.version": "3.2"}
    return kafka_doc(zookeeper=zookeeper, **kafka)


@settings(max_examples=60, deadline=None)
@given(doc=zookeeper_era_kafkas())
def test_any_zookeeper_era_cluster_becomes_a_valid_kraft_cluster_with_distinct_node_ids(doc: dict[str, Any]) -> None:
    view = convert.kraft_view(read_kafka(doc), [])
    pools = pools_by_name(view)
    findings = [*validation.validate_kafka(view.kafka), *validation.validate_cluster(view.kafka, view.pools)]
    assert [f.render() for f in findings if f.severity is Severity.ERROR] == []
    assert set(controller_ids(pools["controller"])).isdisjoint(range(pools["kafka"].spec.replicas))
    assert convert.kraft_view(view.kafka, view.pools).changes == ()
