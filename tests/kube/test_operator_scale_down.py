"""The scale-down guard in the cluster reconciler, against a real API server.

No Kafka answers here (the bootstrap address does not resolve outside a cluster), so the
replica counts are unknown: the guard must hold the leaving broker exactly as it would one
that hosts replicas. The case with real replicas is in tests/e2e/test_operator_scale_down.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from lightkube.resources.core_v1 import ConfigMap, PersistentVolumeClaim, Pod
from lightkube.types import PatchType

from krafter.operator.cluster_reconciler import ClusterReconciler
from krafter.platform.kubernetes import objects
from krafter.testing import kube_helpers

pytestmark = pytest.mark.kube

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "strimzi-examples" / "kafka"


@pytest.fixture(scope="session")
def crds(kube):  # type: ignore[no-untyped-def]
    return kube_helpers.install_crds(kube.client)


def _persistent_example() -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all((EXAMPLES / "kafka-persistent.yaml").read_text()) if d]


def _set_broker_replicas(kube, namespace: str, replicas: int) -> None:  # type: ignore[no-untyped-def]
    kube.client.patch(
        objects.KAFKA_NODE_POOL,
        "broker",
        {"spec": {"replicas": replicas}},
        namespace=namespace,
        patch_type=PatchType.MERGE,
    )


def _names(kube, resource: Any, namespace: str) -> set[str]:  # type: ignore[no-untyped-def]
    return {o.metadata.name for o in kube.client.list(resource, namespace=namespace)}


def test_an_unverifiable_broker_scale_down_keeps_the_node_and_says_why(kube, crds, namespace) -> None:
    kube_helpers.create_all(kube.client, _persistent_example(), namespace)
    reconciler = ClusterReconciler(kube.client)
    reconciler.reconcile(namespace, "my-cluster")
    kube_helpers.mark_pods_ready(kube.client, namespace)
    assert reconciler.reconcile(namespace, "my-cluster").ready
    _set_broker_replicas(kube, namespace, 2)

    result = reconciler.reconcile(namespace, "my-cluster")

    assert not result.ready
    assert "my-cluster-broker-2" in _names(kube, Pod, namespace)
    assert "my-cluster-broker-2" in _names(kube, ConfigMap, namespace)
    assert any(name.endswith("my-cluster-broker-2") for name in _names(kube, PersistentVolumeClaim, namespace))
    kafka = objects.to_dict(kube.client.get(objects.KAFKA, "my-cluster", namespace=namespace))
    ready = next(c for c in kafka["status"]["conditions"] if c["type"] == "NotReady")
    assert ready["reason"] == "ScaleDownBlocked"
    assert "pool 'broker': node 2 (replicas unknown" in ready["message"]
    assert any(c["type"] == "Warning" and c.get("reason") == "ScaleDownBlocked" for c in kafka["status"]["conditions"])


def test_the_skip_annotation_lets_the_broker_go(kube, crds, namespace) -> None:
    kube_helpers.create_all(kube.client, _persistent_example(), namespace)
    reconciler = ClusterReconciler(kube.client)
    reconciler.reconcile(namespace, "my-cluster")
    kube_helpers.mark_pods_ready(kube.client, namespace)
    kube.client.patch(
        objects.KAFKA,
        "my-cluster",
        {"metadata": {"annotations": {"strimzi.io/skip-broker-scaledown-check": "true"}}},
        namespace=namespace,
        patch_type=PatchType.MERGE,
    )
    _set_broker_replicas(kube, namespace, 2)

    reconciler.reconcile(namespace, "my-cluster")

    assert "my-cluster-broker-2" not in _names(kube, ConfigMap, namespace)
