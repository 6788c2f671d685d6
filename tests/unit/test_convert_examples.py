"""Real files: every legacy Strimzi example (and a real user's file) converts into v1 resources Krafter
accepts, and current v1 examples pass through untouched.

The files live in tests/data (see the PROVENANCE.md there): Strimzi's own examples of the
ZooKeeper era (0.45.0), of v1beta2 with KRaft (0.48.0) and of v1 (1.2.0), and a user's file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from krafter.api import convert, parse, validation
from krafter.api.errors import Finding, Severity
from krafter.api.kafka import Kafka
from krafter.api.nodepool import KafkaNodePool, ProcessRole
from krafter.api.storage import JbodStorage, PersistentClaimStorage

pytestmark = pytest.mark.unit

DATA = Path(__file__).parents[1] / "data"
EXAMPLES = DATA / "strimzi-examples"
USER_FILE = DATA / "user-examples" / "kafka-persistent-legacy.yaml"
LEGACY_FILES = sorted([*EXAMPLES.glob("legacy-*/**/*.yaml"), *USER_FILE.parent.glob("*.yaml")])
CURRENT_FILES = sorted(p for p in EXAMPLES.rglob("*.yaml") if not p.relative_to(EXAMPLES).parts[0].startswith("legacy"))
ZOOKEEPER_WITH_POOLS = EXAMPLES / "legacy-0.45.0-zookeeper" / "kafka" / "kafka-with-node-pools.yaml"
KRAFT_V1BETA2 = EXAMPLES / "legacy-0.48.0-v1beta2-kraft" / "kafka" / "kafka-persistent.yaml"
LEGACY_REASONS = {"DeprecatedFields", "ZooKeeperEraResource"}


def _ids(paths: list[Path]) -> list[str]:
    return [str(path.relative_to(DATA)) for path in paths]


def _convert(path: Path) -> convert.ConversionResult:
    return convert.convert_documents(parse.load_yaml(path.read_text(), str(path)))


def _clusters(loaded: parse.Loaded) -> list[tuple[Kafka, list[KafkaNodePool]]]:
    pools = [p.resource for p in loaded.of_kind("KafkaNodePool") if isinstance(p.resource, KafkaNodePool)]
    return [
        (k, [p for p in pools if (p.metadata.labels or {}).get(validation.CLUSTER_LABEL) == k.metadata.name])
        for k in (p.resource for p in loaded.of_kind("Kafka"))
        if isinstance(k, Kafka)
    ]


def _errors(findings: list[Finding]) -> list[str]:
    return [f.render() for f in findings if f.severity is Severity.ERROR]


def _converted_cluster(path: Path) -> tuple[Kafka, dict[str, KafkaNodePool]]:
    [(kafka, pools)] = _clusters(parse.load(_convert(path).documents))
    return kafka, {str(pool.metadata.name): pool for pool in pools}


legacy_files = pytest.mark.parametrize("path", LEGACY_FILES, ids=_ids(LEGACY_FILES))


def test_the_legacy_examples_are_found() -> None:
    assert len(LEGACY_FILES) >= 20
    assert USER_FILE in LEGACY_FILES


@legacy_files
def test_legacy_file_converts_to_documents_that_parse_as_v1_without_deprecated_fields(path: Path) -> None:
    loaded = parse.load(_convert(path).documents)
    assert {p.version for p in loaded.parsed} == {"v1"}
    assert [w.render() for p in loaded.parsed for w in p.warnings if w.reason in LEGACY_REASONS] == []


@legacy_files
def test_legacy_file_converts_to_kafkas_that_validate_without_errors_or_zookeeper_warnings(path: Path) -> None:
    for kafka, _ in _clusters(parse.load(_convert(path).documents)):
        findings = validation.validate_kafka(kafka)
        assert _errors(findings) == []
        assert [f.render() for f in findings if f.reason in LEGACY_REASONS] == []


@legacy_files
def test_legacy_file_converts_to_clusters_that_validate_with_their_pools(path: Path) -> None:
    for kafka, pools in _clusters(parse.load(_convert(path).documents)):
        assert _errors(validation.validate_cluster(kafka, pools)) == []


@legacy_files
def test_legacy_file_converts_to_node_pools_that_validate_without_errors(path: Path) -> None:
    for parsed in parse.load(_convert(path).documents).of_kind("KafkaNodePool"):
        assert isinstance(parsed.resource, KafkaNodePool)
        assert _errors(validation.validate_node_pool(parsed.resource)) == []


@legacy_files
def test_legacy_file_converted_twice_changes_nothing_the_second_time(path: Path) -> None:
    first = _convert(path)
    second = convert.convert_documents(first.documents)
    assert second.changes == []
    assert second.documents == first.documents


@legacy_files
def test_legacy_file_conversion_reads_back_identically_from_its_yaml(path: Path) -> None:
    documents = _convert(path).documents
    assert parse.load_yaml(convert.to_yaml(documents)) == documents


@pytest.mark.parametrize("path", CURRENT_FILES, ids=_ids(CURRENT_FILES))
def test_current_v1_file_converts_to_identical_documents_without_changes(path: Path) -> None:
    documents = parse.load_yaml(path.read_text())
    result = convert.convert_documents(documents)
    assert result.changes == []
    assert result.documents == documents


def test_user_file_keeps_its_three_kafka_nodes_as_brokers_in_a_pool_named_kafka() -> None:
    _, pools = _converted_cluster(USER_FILE)
    assert pools["kafka"].spec.replicas == 3
    assert pools["kafka"].spec.roles == [ProcessRole.BROKER]


def test_user_file_keeps_its_jbod_volume_of_100gi_that_is_never_deleted() -> None:
    _, pools = _converted_cluster(USER_FILE)
    storage = pools["kafka"].spec.storage
    assert isinstance(storage, JbodStorage)
    [volume] = storage.volumes
    assert isinstance(volume, PersistentClaimStorage)
    assert (volume.id, volume.size, volume.delete_claim) == (0, "100Gi", False)


def test_user_file_keeps_both_listeners() -> None:
    kafka, _ = _converted_cluster(USER_FILE)
    assert [(li.name, li.port, li.type.value, li.tls) for li in kafka.spec.kafka.listeners] == [
        ("plain", 9092, "internal", False),
        ("tls", 9093, "internal", True),
    ]


def test_user_file_keeps_its_config_except_inter_broker_protocol_version() -> None:
    kafka, _ = _converted_cluster(USER_FILE)
    assert kafka.spec.kafka.config == {
        "offsets.topic.replication.factor": 3,
        "transaction.state.log.replication.factor": 3,
        "transaction.state.log.min.isr": 2,
        "default.replication.factor": 3,
        "min.insync.replicas": 2,
    }


def test_user_file_changes_say_kafka_3_2_0_was_dropped_for_the_default_version() -> None:
    [change] = [c for c in _convert(USER_FILE).changes if c.path == "spec.kafka.version"]
    assert change.resource == "Kafka/my-cluster"
    assert "3.2.0" in change.what
    assert "removed" in change.what
    assert "4." in change.why


def test_user_file_zookeeper_becomes_three_persistent_controllers() -> None:
    kafka, pools = _converted_cluster(USER_FILE)
    controller = pools["controller"]
    assert kafka.spec.zookeeper is None
    assert (controller.spec.replicas, controller.spec.roles) == (3, [ProcessRole.CONTROLLER])
    assert isinstance(controller.spec.storage, PersistentClaimStorage)
    assert controller.spec.storage.size == "100Gi"


def test_zookeeper_era_kafka_with_broker_pools_gains_only_a_controller_pool() -> None:
    before = {p.name for p in parse.load(parse.load_yaml(ZOOKEEPER_WITH_POOLS.read_text())).of_kind("KafkaNodePool")}
    _, pools = _converted_cluster(ZOOKEEPER_WITH_POOLS)
    assert before == {"pool-a", "pool-b"}
    assert set(pools) - before == {"controller"}
    assert pools["controller"].spec.roles == [ProcessRole.CONTROLLER]


def test_v1beta2_kraft_file_only_changes_api_versions() -> None:
    result = _convert(KRAFT_V1BETA2)
    assert {c.path for c in result.changes} == {"apiVersion"}
    assert len(result.changes) == len(result.documents)
