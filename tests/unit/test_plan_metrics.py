"""Prometheus metrics and external logging: what each node is told to load, on both platforms."""

from __future__ import annotations

import copy
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from krafter.api.kafka import Kafka
from krafter.api.nodepool import KafkaNodePool
from krafter.core.errors import KrafterError
from krafter.plan import metrics, node_files, references
from krafter.plan.model import ClusterPlan
from krafter.plan.planner import PlanInput, plan_cluster
from krafter.plan.profile import KubernetesProfile, LocalProfile, Profile
from krafter.platform.kubernetes import node_init
from krafter.render import pods
from krafter.render.cluster import render_cluster

pytestmark = pytest.mark.unit

RULES = "rules:\n  - pattern: '.*'\n"
LOG4J = "rootLogger.level = WARN\n"
EXPORTER = {
    "type": "jmxPrometheusExporter",
    "valueFrom": {"configMapKeyRef": {"name": "kafka-metrics", "key": "rules.yml"}},
}
EXTERNAL_LOGGING = {
    "type": "external",
    "valueFrom": {"configMapKeyRef": {"name": "kafka-logging", "key": "log4j2.properties"}},
}
BASE: dict[str, Any] = {
    "apiVersion": "kafka.strimzi.io/v1",
    "kind": "Kafka",
    "metadata": {"name": "my-cluster"},
    "spec": {"kafka": {"listeners": [{"name": "plain", "port": 9092, "type": "internal", "tls": False}]}},
}
POOL: dict[str, Any] = {
    "apiVersion": "kafka.strimzi.io/v1",
    "kind": "KafkaNodePool",
    "metadata": {"name": "dual", "labels": {"strimzi.io/cluster": "my-cluster"}},
    "spec": {"replicas": 3, "roles": ["controller", "broker"], "storage": {"type": "ephemeral"}},
}


def _kafka(**kafka_spec: Any) -> Kafka:
    kafka = copy.deepcopy(BASE)
    kafka["spec"]["kafka"].update(kafka_spec)
    return Kafka.model_validate(kafka)


def _plan(
    kafka: Kafka, referenced: dict[references.ConfigKey, str] | None = None, profile: Profile | None = None
) -> ClusterPlan:
    given = PlanInput(
        kafka, (KafkaNodePool.model_validate(POOL),), "Xh3u5FkPQmW2mK1sQv3m0A", referenced=referenced or {}
    )
    return plan_cluster(given, profile or KubernetesProfile("myproject"))


def _properties(plan: ClusterPlan) -> dict[str, str]:
    return dict(plan.nodes[0].server_properties)


def test_jmx_exporter_node_files_name_the_agent_endpoint_and_carry_the_configmap_rules() -> None:
    plan = _plan(_kafka(metricsConfig=EXPORTER), {("kafka-metrics", "rules.yml"): RULES})
    files = node_files.config_files(plan, plan.nodes[0])
    # The start script puts the Pod's own address in place of the placeholder.
    assert files[node_files.METRICS] == "jmx-exporter ${KRAFTER_POD_IP}:9404\n"
    assert files[node_files.METRICS_CONFIG] == RULES


def test_jmx_exporter_without_a_configmap_reference_uses_krafters_default_rules() -> None:
    plan = _plan(_kafka(metricsConfig={"type": "jmxPrometheusExporter"}))
    assert node_files.config_files(plan, plan.nodes[0])[node_files.METRICS_CONFIG] == metrics.DEFAULT_EXPORTER_RULES


def test_a_configmap_not_given_becomes_a_placeholder_and_a_missing_finding_with_the_field_path() -> None:
    kafka = _kafka(metricsConfig=EXPORTER)
    plan = _plan(kafka)
    assert "kafka-metrics" in node_files.config_files(plan, plan.nodes[0])[node_files.METRICS_CONFIG]
    [finding] = references.missing(kafka, {})
    assert finding.path == "spec.kafka.metricsConfig.valueFrom.configMapKeyRef"
    assert "kafka-metrics" in finding.message
    assert finding.reason == "MissingConfigMap"


def test_optional_configmap_references_are_not_reported_missing() -> None:
    optional = copy.deepcopy(EXPORTER)
    optional["valueFrom"]["configMapKeyRef"]["optional"] = True
    assert references.missing(_kafka(metricsConfig=optional), {}) == []


def test_a_missing_optional_reference_keeps_krafters_defaults_instead_of_a_placeholder() -> None:
    optional = copy.deepcopy(EXTERNAL_LOGGING)
    optional["valueFrom"]["configMapKeyRef"]["optional"] = True
    plan = _plan(_kafka(logging=optional))
    assert "appender.console.type=Console" in node_files.config_files(plan, plan.nodes[0])[node_files.LOG4J]


def test_configmaps_of_another_namespace_are_not_candidates_for_a_reference() -> None:
    documents = [
        {"kind": "ConfigMap", "metadata": {"name": "m", "namespace": "other"}, "data": {"k": "theirs"}},
        {"kind": "ConfigMap", "metadata": {"name": "m", "namespace": "mine"}, "data": {"k": "ours"}},
    ]
    assert references.contents_from(documents, "mine") == {("m", "k"): "ours"}
    assert references.contents_from(list(reversed(documents)), "mine") == {("m", "k"): "ours"}


def test_strimzi_reporter_keeps_the_jmx_reporter_and_serves_the_allow_list() -> None:
    reporter = {"type": "strimziMetricsReporter", "values": {"allowList": ["kafka_server.*", "kafka_log.*"]}}
    props = _properties(_plan(_kafka(metricsConfig=reporter)))
    assert props["metric.reporters"] == f"{metrics.JMX_REPORTER},{metrics.KAFKA_REPORTER}"
    assert props["kafka.metrics.reporters"] == metrics.YAMMER_REPORTER
    assert props["prometheus.metrics.reporter.listener"] == "http://${KRAFTER_POD_IP}:9404"
    assert props["prometheus.metrics.reporter.allowlist"] == "kafka_server.*,kafka_log.*"


def test_strimzi_reporter_adds_to_the_users_own_reporters_once() -> None:
    kafka = _kafka(metricsConfig={"type": "strimziMetricsReporter"}, config={"metric.reporters": "com.acme.Reporter"})
    plan = _plan(kafka)
    keys = [key for key, _ in plan.nodes[0].server_properties]
    assert keys.count("metric.reporters") == 1
    assert _properties(plan)["metric.reporters"] == f"com.acme.Reporter,{metrics.KAFKA_REPORTER}"


def test_strimzi_reporter_node_file_puts_the_reporter_on_the_classpath() -> None:
    plan = _plan(_kafka(metricsConfig={"type": "strimziMetricsReporter"}))
    files = node_files.config_files(plan, plan.nodes[0])
    assert files[node_files.METRICS] == "strimzi-reporter\n"
    assert node_files.METRICS_CONFIG not in files


def test_without_metrics_config_nodes_load_nothing_extra() -> None:
    plan = _plan(_kafka())
    files = node_files.config_files(plan, plan.nodes[0])
    assert node_files.METRICS not in files
    assert plan.nodes[0].metrics_endpoint is None
    assert not any(key.startswith("prometheus.") for key in _properties(plan))


def test_local_metrics_port_is_the_last_slot_of_each_nodes_port_block() -> None:
    profile = LocalProfile(PurePosixPath("/state"), port_base=20000)
    plan = _plan(_kafka(metricsConfig=EXPORTER), profile=profile)
    assert [n.metrics_endpoint and n.metrics_endpoint.port for n in plan.nodes] == [20009, 20019, 20029]


def test_external_logging_replaces_the_generated_log4j_configuration() -> None:
    plan = _plan(_kafka(logging=EXTERNAL_LOGGING), {("kafka-logging", "log4j2.properties"): LOG4J})
    assert node_files.config_files(plan, plan.nodes[0])[node_files.LOG4J] == LOG4J


def test_references_are_read_from_configmap_documents_of_any_origin() -> None:
    documents = [
        {"kind": "ConfigMap", "metadata": {"name": "kafka-logging"}, "data": {"log4j2.properties": LOG4J}},
        {"kind": "Secret", "metadata": {"name": "kafka-logging"}, "data": {"other": "x"}},
    ]
    assert references.contents_from(documents) == {("kafka-logging", "log4j2.properties"): LOG4J}


def test_kafka_pods_with_metrics_copy_the_jars_in_an_init_container_and_expose_9404() -> None:
    plan = _plan(_kafka(metricsConfig=EXPORTER), {("kafka-metrics", "rules.yml"): RULES})
    pod = next(o for o in render_cluster(plan, owner=None, secrets=None) if o["kind"] == "Pod")
    [init] = pod["spec"]["initContainers"]
    assert init["command"][-4:-2] == ["--metrics-libs", pods.OPERATOR_IMAGE_METRICS_LIBS]
    ports = {p["containerPort"] for p in pod["spec"]["containers"][0]["ports"]}
    assert metrics.METRICS_PORT in ports


def test_node_init_copies_the_metrics_jars_next_to_kafka(tmp_path: Path) -> None:
    source = tmp_path / "image"
    (source / "reporter").mkdir(parents=True)
    (source / "jmx_prometheus_javaagent.jar").write_bytes(b"agent")
    (source / "reporter" / "metrics-reporter.jar").write_bytes(b"reporter")
    node_init.run(
        rack_label=None, external_address=False, address_type=None, output=tmp_path / "init", metrics_libs=source
    )
    assert (tmp_path / "init/metrics/jmx_prometheus_javaagent.jar").read_bytes() == b"agent"
    assert (tmp_path / "init/metrics/reporter/metrics-reporter.jar").is_file()


def test_node_init_says_where_metrics_jars_should_be_when_they_are_missing(tmp_path: Path) -> None:
    with pytest.raises(KrafterError, match="/opt/krafter/metrics"):
        node_init.copy_metrics_libs(tmp_path, tmp_path / "init")
