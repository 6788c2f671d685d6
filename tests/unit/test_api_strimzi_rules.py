"""Strimzi's rules, case by case: what Strimzi refuses Krafter refuses, with Strimzi's words and the field.

The table lives in tests/data/strimzi-rules/cases.yaml (shared with the kube tier, which shows
the API server refusing the same objects through Krafter's CRDs). Each case goes through what
`krafter lint` runs: parsing, validation and the best-practice checks.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from krafter.api import cluster as assembly
from krafter.api import convert, parse
from krafter.api.errors import Finding, InvalidResource, Severity
from krafter.api.kafka import Kafka
from krafter.api.nodepool import KafkaNodePool
from krafter.cli.render_commands import lint_loaded
from krafter.testing import rule_cases

pytestmark = pytest.mark.unit

TABLE = rule_cases.load_table()
CASES = TABLE["cases"]


def patched(case: dict[str, Any]) -> dict[str, Any]:
    return rule_cases.patched(TABLE, case)


def documents(case: dict[str, Any]) -> list[dict[str, Any]]:
    """A Kafka or pool case comes with the rest of its cluster; topics and users are linted alone."""
    doc = patched(case)
    if case["base"] == "kafka":
        return [doc, copy.deepcopy(TABLE["bases"]["pool"])]
    if case["base"] == "pool":
        return [copy.deepcopy(TABLE["bases"]["kafka"]), doc]
    return [doc]


def lint_errors(docs: list[dict[str, Any]]) -> list[Finding]:
    try:
        findings = lint_loaded(parse.load(docs))
    except InvalidResource as exc:
        return list(exc.findings)
    return [f for f in findings if f.severity is Severity.ERROR]


@pytest.mark.parametrize("case", [c for c in CASES if "refused" not in c], ids=lambda c: c["name"])
def test_strimzi_accepts_and_so_does_krafter(case: dict[str, Any]) -> None:
    assert lint_errors(documents(case)) == []


@pytest.mark.parametrize("case", [c for c in CASES if "refused" in c], ids=lambda c: c["name"])
def test_strimzi_refuses_and_so_does_krafter(case: dict[str, Any]) -> None:
    expected = case["refused"]
    found = [(f.path, f.render()) for f in lint_errors(documents(case))]
    assert any(path == expected["path"] and expected["message"] in text for path, text in found), found


def test_every_refusal_says_how_to_fix_it() -> None:
    for case in (c for c in CASES if "refused" in c):
        for finding in lint_errors(documents(case)):
            assert finding.fix, f"{case['name']}: {finding.render()}"


# --- Rules that are about more than one field -----------------------------------------------------


def _case(name: str) -> dict[str, Any]:
    return next(c for c in CASES if c["name"] == name)


def test_kafka_defaults_on_a_one_broker_cluster_are_a_warning_not_an_error() -> None:
    kafka, pool = documents(_case("plain cluster"))
    del kafka["spec"]["kafka"]["config"]
    findings = lint_loaded(parse.load([kafka, pool]))
    offsets = [f for f in findings if f.path == "spec.kafka.config.offsets.topic.replication.factor"]
    assert [(f.severity, "(Kafka default)" in f.message) for f in offsets] == [(Severity.WARNING, True)]


def test_a_replication_factor_the_file_sets_above_the_broker_count_is_an_error() -> None:
    kafka, pool = documents(_case("plain cluster"))
    kafka["spec"]["kafka"]["config"]["offsets.topic.replication.factor"] = 3
    errors = lint_errors([kafka, pool])
    assert [f.path for f in errors] == ["spec.kafka.config.offsets.topic.replication.factor"]


def test_an_unknown_field_close_to_a_known_one_suggests_it() -> None:
    kafka, pool = documents(_case("topology-label rack with a key"))
    kafka["spec"]["kafka"]["rack"]["topologykey"] = kafka["spec"]["kafka"]["rack"].pop("topologyKey")
    [parsed, _] = parse.load([kafka, pool]).parsed
    [unknown] = [w for w in parsed.warnings if w.reason == "UnknownFields"]
    assert unknown.path == "spec.kafka.rack.topologykey"
    assert (unknown.fix or "").startswith("did you mean topologyKey?")


def test_an_unknown_field_like_no_known_one_gets_no_suggestion() -> None:
    kafka, pool = documents(_case("plain cluster"))
    kafka["spec"]["kafka"]["flavour"] = "vanilla"
    [parsed, _] = parse.load([kafka, pool]).parsed
    [unknown] = [w for w in parsed.warnings if w.reason == "UnknownFields"]
    assert "did you mean" not in (unknown.fix or "")


# --- Conversion ---------------------------------------------------------------------------------


ZOOKEEPER_KAFKA = {
    "apiVersion": "kafka.strimzi.io/v1beta2",
    "kind": "Kafka",
    "metadata": {"name": "old"},
    "spec": {
        "kafka": {
            "version": "3.2.0",
            "replicas": 3,
            "storage": {"type": "ephemeral"},
            "listeners": [{"name": "plain", "port": 9092, "type": "internal", "tls": False}],
        },
        "zookeeper": {
            "replicas": 3,
            "storage": {"type": "ephemeral"},
            "jvmOptions": {"-Xms": "2g", "-Xmx": "2g"},
            "resources": {"limits": {"memory": "1Gi"}},
        },
    },
}


def test_conversion_does_not_copy_zookeepers_jvm_options_onto_the_controller_pool() -> None:
    result = convert.convert_documents([ZOOKEEPER_KAFKA])
    [controller] = [d for d in result.documents if d["metadata"]["name"] == convert.CONTROLLER_POOL]
    assert "jvmOptions" not in controller["spec"]
    assert controller["spec"]["resources"] == {"limits": {"memory": "1Gi"}}
    assert lint_errors(result.documents) == []


def test_conversion_replaces_the_version_of_a_zookeeper_era_cluster_only() -> None:
    converted = convert.convert_documents([ZOOKEEPER_KAFKA])
    assert "version" not in converted.documents[-1]["spec"]["kafka"]
    current = documents(_case("unsupported kafka version on a current cluster"))
    with pytest.raises(InvalidResource) as refused:
        convert.convert_documents(current)
    assert [f.path for f in refused.value.findings] == ["spec.kafka.version"]


def test_conversion_mounts_v1beta2_custom_authentication_secrets_through_the_pod_template() -> None:
    result = convert.convert_documents(documents(_case("v1beta2 custom authentication with secrets")))
    kafka = next(d for d in result.documents if d["kind"] == "Kafka")["spec"]["kafka"]
    assert "secrets" not in kafka["listeners"][0]["authentication"]
    [volume] = kafka["template"]["pod"]["volumes"]
    assert volume["secret"] == {"secretName": "plugin", "items": [{"key": "keytab", "path": "keytab"}]}
    [mount] = kafka["template"]["kafkaContainer"]["volumeMounts"]
    assert mount["mountPath"] == "/opt/kafka/custom-authn-secrets/custom-listener-plain-9092/plugin"
    assert lint_errors(result.documents) == []


def test_conversion_refuses_a_misspelt_api_group() -> None:
    with pytest.raises(InvalidResource) as refused:
        convert.convert_documents(documents(_case("kafka under a misspelt API group"))[:1])
    assert "did you mean kafka.strimzi.io/v1" in (refused.value.findings[0].fix or "")


def test_conversion_refuses_keycloak_authorization_saying_what_to_use() -> None:
    kafka = copy.deepcopy(ZOOKEEPER_KAFKA)
    kafka["spec"]["kafka"]["authorization"] = {"type": "keycloak"}
    with pytest.raises(InvalidResource) as refused:
        convert.convert_documents([kafka])
    [finding] = refused.value.findings
    assert finding.path == "spec.kafka.authorization.type"
    assert "type: custom" in (finding.fix or "")


# --- The operator's path --------------------------------------------------------------------------


def test_the_operator_reports_a_rule_violation_as_the_lint_does() -> None:
    kafka, pool = (parse.parse_resource(d).resource for d in documents(_case("jmx exporter without valueFrom")))
    assert isinstance(kafka, Kafka)
    assert isinstance(pool, KafkaNodePool)
    [error] = assembly.assemble_one(kafka, [pool]).errors  # what the cluster reconciler writes to status
    assert (error.path, error.message) == ("spec.kafka.metricsConfig", "valueFrom property is required")


def test_the_operator_leaves_v1_only_rules_to_the_api_server() -> None:
    # It reads every Kafka through v1, also those written as v1beta2, where custom secrets are fine.
    docs = documents(_case("v1 custom authentication with secrets"))
    kafka, pool = (parse.parse_resource(d).resource for d in docs)
    assert isinstance(kafka, Kafka)
    assert isinstance(pool, KafkaNodePool)
    assert assembly.assemble_one(kafka, [pool]).errors == []
    assert [f.path for f in lint_errors(docs)] == ["spec.kafka.listeners[0].authentication.secrets"]
