"""The committed dashboards and alert rules are the generated ones, and they are shaped right."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from krafter.api import cluster as assembly
from krafter.api import parse
from krafter.monitoring import alerts, files, grafana, panels
from krafter.monitoring.names import Flavour

pytestmark = pytest.mark.unit
REPO = Path(__file__).resolve().parents[2]


def test_committed_monitoring_files_are_current() -> None:
    assert files.stale(REPO) == [], "stale: run `make monitoring` and commit"


def test_every_kafka_dashboard_exists_once_per_metrics_flavour() -> None:
    stems = {d.file_stem for d in panels.all_dashboards()}
    for flavour in Flavour:
        assert {f"kafka-cluster-{flavour.short}", f"kraft-{flavour.short}"} <= stems


def test_every_dashboard_query_is_scoped_to_the_chosen_namespace_and_cluster() -> None:
    for dashboard in panels.all_dashboards():
        if not dashboard.scope:
            continue
        for panel in dashboard.panels():
            for expr in grafana.expressions(dashboard, panel):
                assert "$scope" not in expr
                assert 'strimzi_io_cluster=~"$cluster"' in expr or "kubelet_volume" in expr, (panel.title, expr)


def test_dashboard_panels_have_unique_ids_and_known_datasource() -> None:
    for dashboard in panels.all_dashboards():
        rendered = json.loads(json.dumps(grafana.render(dashboard)))
        ids = [p["id"] for p in rendered["panels"]]
        assert len(ids) == len(set(ids))
        assert rendered["templating"]["list"][0]["type"] == "datasource"


def test_flavour_rules_carry_the_flavour_so_both_groups_can_be_installed_together() -> None:
    document = alerts.to_prometheus(alerts.rule_groups())
    seen: set[tuple[str, str]] = set()
    for group in document["groups"]:
        for rule in group["rules"]:
            key = (rule["alert"], json.dumps(rule["labels"], sort_keys=True))
            assert key not in seen
            seen.add(key)


def test_the_issue_s_alerts_all_exist() -> None:
    names = {rule.name for group in alerts.rule_groups() for rule in group.rules}
    assert {
        "KafkaOfflinePartitions",
        "KafkaUnderReplicatedPartitions",
        "KafkaUnderMinIsrPartitions",
        "KafkaNoActiveController",
        "KafkaMultipleActiveControllers",
        "KafkaQuorumLag",
        "KafkaVolumeAlmostFull",
        "KafkaNodeDown",
        "KafkaConsumerGroupLagGrowing",
        "KrafterCertificateInRenewalWindow",
        "KrafterReconcileFailures",
        "KrafterRollBlocked",
    } <= names


def test_the_metrics_example_cluster_is_valid_and_asks_for_metrics_and_consumer_lag() -> None:
    [cluster], _ = assembly.assemble(parse.load_files([REPO / "examples" / "metrics" / "kafka.yaml"]))
    assert not cluster.errors
    assert cluster.kafka.spec.kafka.metrics_config is not None
    assert cluster.kafka.spec.kafka_exporter is not None


def test_an_invalid_consumer_lag_regex_is_refused_with_its_field() -> None:
    text = (REPO / "examples" / "metrics" / "kafka.yaml").read_text().replace('groupRegex: ".*"', 'groupRegex: "(("')
    [cluster], _ = assembly.assemble(parse.load(parse.load_yaml(text, "kafka.yaml")))
    assert [f.path for f in cluster.errors] == ["spec.kafkaExporter.groupRegex"]
