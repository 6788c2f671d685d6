"""The install manifests work on a real API server, and their RBAC is enough for the operator.

The operator runs with the ServiceAccount's own token, so a missing permission fails the test
the way it would fail in a cluster.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from lightkube import codecs
from lightkube.models.authentication_v1 import TokenRequestSpec
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Pod, ServiceAccount

from krafter.platform.kubernetes import objects
from krafter.testing import kube_helpers, operator_process
from krafter.testing.waiting import eventually

pytestmark = pytest.mark.kube
REPO = Path(__file__).resolve().parents[2]


def manifests() -> list[dict]:
    docs = []
    for path in sorted((REPO / "install" / "operator").glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


@pytest.fixture(scope="module")
def installed(kube) -> list[dict]:  # type: ignore[no-untyped-def]
    kube_helpers.install_crds(kube.client)
    docs = manifests()
    for doc in docs:
        kube.client.apply(codecs.from_dict(doc), field_manager="krafter-tests", force=True)
    return docs


def test_install_manifests_are_accepted_by_the_api_server(installed) -> None:
    kinds = sorted({d["kind"] for d in installed})
    assert kinds == [
        "ClusterRole",
        "ClusterRoleBinding",
        "Deployment",
        "Namespace",
        "Role",
        "RoleBinding",
        "ServiceAccount",
    ]


def _service_account_kubeconfig(kube, path: Path) -> Path:  # type: ignore[no-untyped-def]
    from lightkube.resources.core_v1 import ServiceAccount as SA

    token = kube.client.create(
        SA.Token(metadata=ObjectMeta(), spec=TokenRequestSpec(audiences=[], expirationSeconds=3600)),  # type: ignore[attr-defined]
        "krafter-operator",
        namespace="krafter",
    ).status.token
    config = kube.plane.kubeconfig()
    config["users"] = [{"name": "admin", "user": {"token": token}}]  # type: ignore[index]
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture(scope="module")
def rbac_operator(kube, installed, tmp_path_factory) -> Iterator[tuple[str, operator_process.OperatorProcess]]:  # type: ignore[no-untyped-def]
    namespace = f"rbac-{secrets.token_hex(3)}"
    kube.create_namespace(namespace)
    workdir = tmp_path_factory.mktemp("rbac")
    kubeconfig = _service_account_kubeconfig(kube, workdir / "kubeconfig")
    operator = operator_process.start(kubeconfig, [namespace], workdir, lease_namespace="krafter")
    yield namespace, operator
    operator.stop()
    kube.delete_namespace(namespace)


def test_operator_with_only_the_installed_rbac_creates_a_cluster(kube, rbac_operator) -> None:
    namespace, operator = rbac_operator
    docs = [
        d
        for d in yaml.safe_load_all((REPO / "tests/data/strimzi-examples/kafka/kafka-persistent.yaml").read_text())
        if d
    ]
    kube_helpers.create_all(kube.client, docs, namespace)
    eventually(lambda: len(list(kube.client.list(Pod, namespace=namespace))) == 6, timeout=90)
    kube_helpers.mark_pods_ready(kube.client, namespace)
    eventually(
        lambda: any(
            c["type"] == "Ready"
            for c in (
                objects.to_dict(kube.client.get(objects.KAFKA, "my-cluster", namespace=namespace)).get("status") or {}
            ).get("conditions", [])
        ),
        timeout=90,
    )
    assert "forbidden" not in operator.log().lower(), operator.log()
    assert kube.client.get(ServiceAccount, "my-cluster-kafka", namespace=namespace)
