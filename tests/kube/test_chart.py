"""The Helm chart lints, renders what install/operator holds, and its objects are valid."""

from __future__ import annotations

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
