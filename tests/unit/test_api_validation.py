"""Invalid input is refused with the field path and a fix; valid input passes untouched."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from krafter.api import parse, validation
from krafter.api.errors import Finding, InvalidResource, Severity

pytestmark = pytest.mark.unit

POOL: dict[str, Any] = {
    "apiVersion": "kafka.strimzi.io/v1",
    "kind": "KafkaNodePool",
    "metadata": {"name": "dual", "labels": {"strimzi.io/cluster": "c"}},
    "spec": {
        "replicas": 3,
        "roles": ["controller", "broker"],
        "storage": {"type": "jbod", "volumes": [{"id": 0, "type": "persistent-claim", "size": "10Gi"}]},
    },
}
KAFKA: dict[str, Any] = {
    "apiVersion": "kafka.strimzi.io/v1",
    "kind": "Kafka",
    "metadata": {"name": "c"},
    "spec": {
        "kafka": {
            "listeners": [
                {"name": "plain", "port": 9092, "type": "internal", "tls": False},
                {"name": "tls", "port": 9093, "type": "internal", "tls": True},
            ],
            "config": {"min.insync.replicas": 2},
        }
    },
}
TOPIC: dict[str, Any] = {
    "apiVersion": "kafka.strimzi.io/v1",
    "kind": "KafkaTopic",
    "metadata": {"name": "orders", "labels": {"strimzi.io/cluster": "c"}},
    "spec": {"partitions": 3, "replicas": 3},
}
USER: dict[str, Any] = {
    "apiVersion": "kafka.strimzi.io/v1",
    "kind": "KafkaUser",
    "metadata": {"name": "app", "labels": {"strimzi.io/cluster": "c"}},
    "spec": {
        "authentication": {"type": "scram-sha-512"},
        "authorization": {
            "type": "simple",
            "acls": [{"resource": {"type": "topic", "name": "orders"}, "operations": ["Read"]}],
        },
    },
}


def findings(docs: list[dict[str, Any]]) -> list[Finding]:
    try:
        loaded = parse.load(docs)
    except InvalidResource as exc:
        return list(exc.findings)
    found: list[Finding] = []
    for item in loaded.parsed:
        found += validation.validate(item.resource)
    for kafka in loaded.of_kind("Kafka"):
        pools = [p.resource for p in loaded.of_kind("KafkaNodePool")]
        found += validation.validate_cluster(kafka.resource, pools)  # type: ignore[arg-type]
    return [f for f in found if f.severity is Severity.ERROR]


def mutated(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of doc with `path` (dots, [n] for list items; value DELETE removes) set."""
    result = copy.deepcopy(doc)
    parts = path.replace("[", ".[").split(".")
    target: Any = result
    for part in parts[:-1]:
        target = target[int(part[1:-1])] if part.startswith("[") else target.setdefault(part, {})
    last = parts[-1]
    key: Any = int(last[1:-1]) if last.startswith("[") else last
    if value is DELETE:
        del target[key]
    else:
        target[key] = value
    return result


DELETE = object()
L0 = "spec.kafka.listeners[0]"

INVALID: list[tuple[str, list[dict[str, Any]], str]] = [
    ("listener port below 9092", [POOL, mutated(KAFKA, f"{L0}.port", 80)], f"{L0}.port"),
    ("listener port reserved", [POOL, mutated(KAFKA, f"{L0}.port", 9404)], f"{L0}.port"),
    ("listener port is a string", [POOL, mutated(KAFKA, f"{L0}.port", "abc")], f"{L0}.port"),
    (
        "listener names repeat",
        [POOL, mutated(KAFKA, "spec.kafka.listeners[1].name", "plain")],
        "spec.kafka.listeners[1].name",
    ),
    (
        "listener ports repeat",
        [POOL, mutated(KAFKA, "spec.kafka.listeners[1].port", 9092)],
        "spec.kafka.listeners[1].port",
    ),
    ("listener name has capitals", [POOL, mutated(KAFKA, f"{L0}.name", "Plain")], f"{L0}.name"),
    ("listener name too long", [POOL, mutated(KAFKA, f"{L0}.name", "abcdefghijkl")], f"{L0}.name"),
    ("listener type unknown", [POOL, mutated(KAFKA, f"{L0}.type", "public")], f"{L0}.type"),
    (
        "metrics allow list pattern with a comma",
        [
            POOL,
            mutated(
                KAFKA,
                "spec.kafka.metricsConfig",
                {"type": "strimziMetricsReporter", "values": {"allowList": ["kafka_server.*", "x{1,3}"]}},
            ),
        ],
        "spec.kafka.metricsConfig.values.allowList[1]",
    ),
    ("listener tls missing", [POOL, mutated(KAFKA, f"{L0}.tls", DELETE)], f"{L0}.tls"),
    ("route without tls", [POOL, mutated(KAFKA, f"{L0}.type", "route")], f"{L0}.tls"),
    ("ingress without tls", [POOL, mutated(KAFKA, f"{L0}.type", "ingress")], f"{L0}.tls"),
    (
        "tls auth on plain listener",
        [POOL, mutated(KAFKA, f"{L0}.authentication", {"type": "tls"})],
        f"{L0}.authentication.type",
    ),
    (
        "unknown auth type",
        [POOL, mutated(KAFKA, f"{L0}.authentication", {"type": "kerberos"})],
        f"{L0}.authentication.type",
    ),
    ("auth without type", [POOL, mutated(KAFKA, f"{L0}.authentication", {"sasl": True})], f"{L0}.authentication.type"),
    ("no listeners", [POOL, mutated(KAFKA, "spec.kafka.listeners", [])], "spec.kafka.listeners"),
    (
        "forbidden config key listeners",
        [POOL, mutated(KAFKA, "spec.kafka.config.listeners", "x")],
        "spec.kafka.config.listeners",
    ),
    (
        "forbidden config key ssl",
        [POOL, mutated(KAFKA, "spec.kafka.config", {"ssl.keystore.location": "/x"})],
        "spec.kafka.config.ssl.keystore.location",
    ),
    (
        "forbidden config key node.id",
        [POOL, mutated(KAFKA, "spec.kafka.config", {"node.id": 1})],
        "spec.kafka.config.node.id",
    ),
    (
        "config value is a map",
        [POOL, mutated(KAFKA, "spec.kafka.config", {"num.partitions": {"a": 1}})],
        "spec.kafka.config.num.partitions",
    ),
    ("unsupported Kafka version", [POOL, mutated(KAFKA, "spec.kafka.version", "2.8.0")], "spec.kafka.version"),
    (
        "metadata version too new",
        [POOL, mutated(KAFKA, "spec.kafka.metadataVersion", "9.9-IV0")],
        "spec.kafka.metadataVersion",
    ),
    (
        "metadata version garbage",
        [POOL, mutated(KAFKA, "spec.kafka.metadataVersion", "latest")],
        "spec.kafka.metadataVersion",
    ),
    (
        "opa authorization",
        [POOL, mutated(KAFKA, "spec.kafka.authorization", {"type": "opa"})],
        "spec.kafka.authorization.type",
    ),
    (
        "custom authorization without class",
        [POOL, mutated(KAFKA, "spec.kafka.authorization", {"type": "custom"})],
        "spec.kafka.authorization.authorizerClass",
    ),
    (
        "rack without topology key",
        [POOL, mutated(KAFKA, "spec.kafka.rack", {"type": "topology-label"})],
        "spec.kafka.rack.topologyKey",
    ),
    (
        "heap size malformed",
        [POOL, mutated(KAFKA, "spec.kafka.jvmOptions", {"-Xmx": "lots"})],
        "spec.kafka.jvmOptions.-Xmx",
    ),
    ("kafka without name", [POOL, mutated(KAFKA, "metadata.name", DELETE)], "metadata.name"),
    ("kafka name with underscore", [POOL, mutated(KAFKA, "metadata.name", "my_cluster")], "metadata.name"),
    ("wrong api version", [POOL, mutated(KAFKA, "apiVersion", "kafka.strimzi.io/v1alpha1")], "apiVersion"),
    ("pool replicas negative", [mutated(POOL, "spec.replicas", -1), KAFKA], "spec.replicas"),
    ("pool role unknown", [mutated(POOL, "spec.roles", ["leader"]), KAFKA], "spec.roles[0]"),
    ("pool without roles", [mutated(POOL, "spec.roles", []), KAFKA], "spec.roles"),
    ("pool storage type unknown", [mutated(POOL, "spec.storage.type", "nfs"), KAFKA], "spec.storage.type"),
    (
        "jbod volume without id",
        [mutated(POOL, "spec.storage.volumes[0].id", DELETE), KAFKA],
        "spec.storage.volumes[0].id",
    ),
    (
        "persistent volume without size",
        [mutated(POOL, "spec.storage.volumes[0].size", DELETE), KAFKA],
        "spec.storage.volumes[0].size",
    ),
    (
        "jbod inside jbod",
        [mutated(POOL, "spec.storage.volumes[0].type", "jbod"), KAFKA],
        "spec.storage.volumes[0].type",
    ),
    ("pool without cluster label", [mutated(POOL, "metadata.labels", {}), KAFKA], "metadata.labels.strimzi.io/cluster"),
    (
        "next node ids malformed",
        [mutated(POOL, "metadata.annotations", {"strimzi.io/next-node-ids": "0..3"}), KAFKA],
        "metadata.annotations.strimzi.io/next-node-ids",
    ),
    ("no controllers", [mutated(POOL, "spec.roles", ["broker"]), KAFKA], ""),
    ("no pools at all", [KAFKA], ""),
    ("topic partitions zero", [mutated(TOPIC, "spec.partitions", 0)], "spec.partitions"),
    ("topic replicas too many", [mutated(TOPIC, "spec.replicas", 40000)], "spec.replicas"),
    ("topic name invalid", [mutated(TOPIC, "spec.topicName", "a topic")], "spec.topicName"),
    ("topic without cluster label", [mutated(TOPIC, "metadata.labels", {})], "metadata.labels.strimzi.io/cluster"),
    (
        "user acl without resource name",
        [mutated(USER, "spec.authorization.acls[0].resource.name", DELETE)],
        "spec.authorization.acls[0].resource.name",
    ),
    (
        "user acl operation unknown",
        [mutated(USER, "spec.authorization.acls[0].operations", ["Eat"])],
        "spec.authorization.acls[0].operations[0]",
    ),
    (
        "user acl resource type unknown",
        [mutated(USER, "spec.authorization.acls[0].resource.type", "queue")],
        "spec.authorization.acls[0].resource.type",
    ),
    ("user auth type unknown", [mutated(USER, "spec.authentication.type", "ldap")], "spec.authentication.type"),
    ("user quota negative", [mutated(USER, "spec.quotas", {"producerByteRate": -5})], "spec.quotas.producerByteRate"),
]


def test_the_valid_baseline_has_no_errors() -> None:
    assert findings([POOL, KAFKA, TOPIC, USER]) == []


@pytest.mark.parametrize(("docs", "path"), [(d, p) for _, d, p in INVALID], ids=[n for n, _, _ in INVALID])
def test_invalid_input_is_reported_at_its_field(docs: list[dict[str, Any]], path: str) -> None:
    found = findings(docs)
    assert found, "expected an error"
    assert path in [f.path for f in found], [f.render() for f in found]


@pytest.mark.parametrize(("docs", "path"), [(d, p) for _, d, p in INVALID], ids=[n for n, _, _ in INVALID])
def test_every_error_names_its_resource_and_reads_as_a_sentence(docs: list[dict[str, Any]], path: str) -> None:
    for finding in findings(docs):
        assert finding.resource
        assert finding.message
        assert not finding.message.endswith(" ")


def test_zookeeper_era_version_error_points_at_convert() -> None:
    [finding] = findings([POOL, mutated(KAFKA, "spec.kafka.version", "3.2.0")])
    assert "krafter convert" in (finding.fix or "")


def test_reserved_port_error_says_what_uses_it() -> None:
    [finding] = findings([POOL, mutated(KAFKA, f"{L0}.port", 9999)])
    assert "JMX" in finding.message


def test_schema_errors_carry_a_fix() -> None:
    [finding] = findings([POOL, mutated(KAFKA, f"{L0}.port", 80)])
    assert finding.fix == "use 9092 or more"


def test_broker_rack_init_image_is_a_warning_naming_the_operator_image_option() -> None:
    kafka = parse.load([mutated(KAFKA, "spec.kafka.brokerRackInitImage", "quay.io/strimzi/kafka:latest")])
    [warning] = [f for f in validation.validate(kafka.parsed[0].resource) if f.path == "spec.kafka.brokerRackInitImage"]
    assert warning.severity is Severity.WARNING
    assert "--operator-image" in (warning.fix or "")


def test_a_use_finalizers_value_other_than_true_or_false_is_a_warning() -> None:
    env = [{"name": "STRIMZI_USE_FINALIZERS", "value": "no"}]
    kafka = mutated(
        KAFKA, "spec.entityOperator", {"topicOperator": {}, "template": {"topicOperatorContainer": {"env": env}}}
    )
    [warning] = [f for f in validation.validate(parse.load([kafka]).parsed[0].resource) if f.reason == "InvalidValue"]
    assert warning.path == "spec.entityOperator.template.topicOperatorContainer.env[0].value"
    assert warning.severity is Severity.WARNING
