"""Prometheus metrics and external logging on real local Kafka nodes, as the Kafka resource asks.

One single-node cluster per metrics kind (each ~20 s): the JMX exporter agent with rules and
log4j2 configuration from a ConfigMap in the same file, and Strimzi's metrics reporter.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from krafter.api import cluster as assembly
from krafter.api import parse
from krafter.api.errors import InvalidResource
from krafter.platform.local import cluster as local

pytestmark = pytest.mark.e2e
DATA = Path(__file__).resolve().parents[1] / "data" / "krafter"


def _documents(name: str) -> list[dict[str, object]]:
    return [d for d in parse.load_yaml((DATA / name).read_text(), name) if isinstance(d, dict)]


def _cluster(documents: list[dict[str, object]]) -> assembly.ClusterInput:
    [cluster], _ = assembly.assemble(parse.load(documents))
    assert not cluster.errors, cluster.errors
    return cluster


def _scrape(result: local.UpResult) -> str:
    endpoint = result.plan.nodes[0].metrics_endpoint
    assert endpoint is not None
    with urllib.request.urlopen(f"http://{endpoint}/metrics", timeout=10) as response:
        return str(response.read().decode())


@pytest.fixture(scope="module")
def platform(kafka_dist, tmp_path_factory) -> local.LocalPlatform:  # type: ignore[no-untyped-def]
    return local.LocalPlatform(Path(tmp_path_factory.mktemp("metrics-state")))


@pytest.fixture(scope="module")
def exporter(platform: local.LocalPlatform) -> Iterator[local.UpResult]:
    documents = _documents("metrics-exporter.yaml")
    yield platform.up(_cluster(documents), documents)
    platform.down("metrics-exporter", delete_data=True)


def test_jmx_exporter_serves_kafka_metrics_renamed_by_the_configmap_rules(exporter: local.UpResult) -> None:
    scraped = _scrape(exporter)
    assert 'jmx_exporter_build_info{name="jmx_prometheus_javaagent"' in scraped
    assert "kafka_server_replicamanager_partitioncount" in scraped


def test_external_logging_configmap_is_the_nodes_log4j_configuration(exporter: local.UpResult) -> None:
    log = local.dirs_of(exporter.state, exporter.plan.nodes[0]).log.read_text()
    assert "external-logging " in log


def test_strimzi_metrics_reporter_serves_only_the_allow_listed_metrics(platform: local.LocalPlatform) -> None:
    documents = _documents("metrics-reporter.yaml")
    try:
        scraped = _scrape(platform.up(_cluster(documents), documents))
    finally:
        platform.down("metrics-reporter", delete_data=True)
    names = {line.split("{")[0].split(" ")[0] for line in scraped.splitlines() if line and not line.startswith("#")}
    assert any(name.startswith("kafka_server_") for name in names)
    assert not any(name.startswith("kafka_network_") for name in names)


def test_up_refuses_a_metrics_configmap_that_is_not_in_the_given_files(platform: local.LocalPlatform) -> None:
    documents = [d for d in _documents("metrics-exporter.yaml") if d.get("kind") != "ConfigMap"]
    with pytest.raises(InvalidResource) as refused:
        platform.up(_cluster(documents), documents)
    paths = [f.path for f in refused.value.findings]
    assert "spec.kafka.metricsConfig.valueFrom.configMapKeyRef" in paths
    assert "add that ConfigMap" in (refused.value.findings[0].fix or "")
