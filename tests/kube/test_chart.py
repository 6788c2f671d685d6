"""The Helm chart lints, renders what install/operator holds, and its objects are valid."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from krafter.testing import manifests

pytestmark = pytest.mark.kube  # needs helm, built with the test control plane's binaries
REPO = Path(__file__).resolve().parents[2]


def test_chart_passes_helm_lint_strict(kube_binaries) -> None:
    result = subprocess.run(
        [str(kube_binaries.helm), "lint", "--strict", str(manifests.CHART)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_install_manifests_are_the_rendered_chart(kube_binaries) -> None:
    committed = (REPO / "install" / "operator" / "020-krafter-operator.yaml").read_text()
    assert committed == manifests.render(kube_binaries.helm), "stale: run `make manifests` and commit"


def test_watch_namespaces_grant_rbac_only_in_those_namespaces(kube_binaries) -> None:
    text = manifests.render(kube_binaries.helm, "--set", "watchNamespaces={team-a,team-b}")
    docs = [d for d in yaml.safe_load_all(text) if d]
    bindings = sorted((d["kind"], d["metadata"].get("namespace")) for d in docs if d["kind"].endswith("Binding"))
    assert bindings == [
        ("RoleBinding", "krafter"),
        ("RoleBinding", "team-a"),
        ("RoleBinding", "team-b"),
    ]
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    env = {e["name"]: e.get("value") for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["KRAFTER_NAMESPACES"] == "team-a,team-b"


def test_rendered_chart_objects_are_valid_kubernetes_objects(kube_binaries) -> None:
    for doc in yaml.safe_load_all(manifests.render(kube_binaries.helm)):
        if doc:
            kubernetes_validate.validate(doc, "1.36", strict=True)


def test_chart_carries_the_generated_crds() -> None:
    chart_crds = sorted(p.name for p in (manifests.CHART / "crds").glob("*.yaml"))
    assert chart_crds == sorted(p.name for p in (REPO / "install" / "crds").glob("*.yaml"))


MONITORING_ON = (
    "--set",
    "monitoring.podMonitor.enabled=true,monitoring.serviceMonitor.enabled=true,"
    "monitoring.prometheusRule.enabled=true,monitoring.grafanaDashboards.enabled=true,"
    "monitoring.additionalLabels.release=prometheus",
)
MONITORING_KINDS = {"PodMonitor", "ServiceMonitor", "PrometheusRule"}


def test_monitoring_objects_are_rendered_only_when_enabled(kube_binaries) -> None:
    default = [d for d in yaml.safe_load_all(manifests.render(kube_binaries.helm)) if d]
    assert not [
        d for d in default if d["kind"] in MONITORING_KINDS or "grafana_dashboard" in d["metadata"].get("labels", {})
    ]
    enabled = [d for d in yaml.safe_load_all(manifests.render(kube_binaries.helm, *MONITORING_ON)) if d]
    kinds = sorted(d["kind"] for d in enabled if d["kind"] in MONITORING_KINDS)
    assert kinds == ["PodMonitor", "PrometheusRule", "ServiceMonitor"]
    dashboards = [d for d in enabled if d["metadata"].get("labels", {}).get("grafana_dashboard") == "1"]
    assert len(dashboards) == len(list((manifests.CHART / "monitoring" / "dashboards").glob("*.json")))
    for monitor in (d for d in enabled if d["kind"] in MONITORING_KINDS):
        assert monitor["metadata"]["labels"]["release"] == "prometheus"


def test_monitoring_objects_are_valid_and_carry_the_generated_content(kube_binaries) -> None:
    enabled = [d for d in yaml.safe_load_all(manifests.render(kube_binaries.helm, *MONITORING_ON)) if d]
    for doc in enabled:
        if doc["kind"] not in MONITORING_KINDS:
            kubernetes_validate.validate(
                doc, "1.36", strict=True
            )  # the Prometheus Operator's kinds have no schema here
    rule = next(d for d in enabled if d["kind"] == "PrometheusRule")
    assert rule["spec"] == yaml.safe_load((REPO / "examples" / "metrics" / "alert-rules.yaml").read_text())
    for config_map in (d for d in enabled if d["kind"] == "ConfigMap" and "dashboard" in d["metadata"]["name"]):
        [(file_name, text)] = config_map["data"].items()
        assert json.loads(text) == json.loads((REPO / "examples" / "metrics" / "dashboards" / file_name).read_text())
    pod_monitor = next(d for d in enabled if d["kind"] == "PodMonitor")
    assert pod_monitor["spec"]["podMetricsEndpoints"][0]["port"] == "tcp-prometheus"
    service = next(d for d in enabled if d["kind"] == "Service" and d["metadata"]["name"] == "krafter-operator-metrics")
    monitor = next(d for d in enabled if d["kind"] == "ServiceMonitor")
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
