"""The cluster reconciler against a real API server: objects converge, unchanged means zero writes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from lightkube.resources.core_v1 import ConfigMap, Pod, Secret, Service

from krafter.operator.cluster_reconciler import ClusterReconciler
from krafter.platform.kubernetes import objects
from krafter.platform.kubernetes.client import CountingClient
from krafter.testing import kube_helpers

pytestmark = pytest.mark.kube

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "strimzi-examples" / "kafka"


@pytest.fixture(scope="session")
def crds(kube):  # type: ignore[no-untyped-def]
    return kube_helpers.install_crds(kube.client)


def load(name: str) -> list[dict]:
    return [d for d in yaml.safe_load_all((EXAMPLES / name).read_text()) if d]


def test_persistent_example_creates_every_node_object(kube, crds, namespace) -> None:
    kube_helpers.create_all(kube.client, load("kafka-persistent.yaml"), namespace)
    result = ClusterReconciler(kube.client).reconcile(namespace, "my-cluster")
    assert result.outcome == "reconciled"
    pods = sorted(p.metadata.name for p in kube.client.list(Pod, namespace=namespace))
    assert pods == [f"my-cluster-broker-{i}" for i in range(3)] + [f"my-cluster-controller-{i}" for i in range(3, 6)]
    config = kube.client.get(ConfigMap, "my-cluster-broker-0", namespace=namespace)
    assert "process.roles=broker" in config.data["server.config"]
    assert kube.client.get(Secret, "my-cluster-cluster-ca-cert", namespace=namespace).data["ca.crt"]
    assert kube.client.get(Service, "my-cluster-kafka-bootstrap", namespace=namespace)


def test_second_reconcile_of_an_unchanged_cluster_writes_nothing(kube, crds, namespace) -> None:
    kube_helpers.create_all(kube.client, load("kafka-ephemeral.yaml"), namespace)
    ClusterReconciler(kube.client).reconcile(namespace, "my-cluster")
    kube_helpers.mark_pods_ready(kube.client, namespace)
    assert ClusterReconciler(kube.client).reconcile(namespace, "my-cluster").ready
    counting = CountingClient(kube.client)
    result = ClusterReconciler(counting).reconcile(namespace, "my-cluster")  # type: ignore[arg-type]
    assert counting.writes == []
    assert result.writes == 0


def test_status_becomes_ready_when_pods_are_ready(kube, crds, namespace) -> None:
    kube_helpers.create_all(kube.client, load("kafka-with-dual-role-nodes.yaml"), namespace)
    reconciler = ClusterReconciler(kube.client)
    assert not reconciler.reconcile(namespace, "my-cluster").ready
    kube_helpers.mark_pods_ready(kube.client, namespace)
    assert reconciler.reconcile(namespace, "my-cluster").ready
    kafka = objects.to_dict(kube.client.get(objects.KAFKA, "my-cluster", namespace=namespace))
    status = kafka["status"]
    assert status["conditions"][0]["type"] == "Ready"
    assert status["listeners"][0]["bootstrapServers"] == f"my-cluster-kafka-bootstrap.{namespace}.svc:9092"
    assert status["kafkaNodePools"] == [{"name": "dual-role"}]
    pool = objects.to_dict(kube.client.get(objects.KAFKA_NODE_POOL, "dual-role", namespace=namespace))
    assert pool["status"]["nodeIds"] == [0, 1, 2]


def _metrics_example() -> list[dict]:
    path = EXAMPLES.parent / "metrics" / "kafka-metrics.yaml"
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def test_metrics_rules_from_the_users_configmap_reach_every_node(kube, crds, namespace) -> None:
    documents = _metrics_example()  # Kafka, pools and the kafka-metrics ConfigMap
    kube_helpers.create_all(kube.client, documents, namespace)
    assert ClusterReconciler(kube.client).reconcile(namespace, "my-cluster").outcome == "reconciled"
    rules = next(d for d in documents if d["kind"] == "ConfigMap")["data"]["kafka-metrics-config.yml"]
    node = kube.client.get(ConfigMap, "my-cluster-broker-0", namespace=namespace)
    assert node.data["metrics-config.yml"] == rules
    assert node.data["metrics"] == "jmx-exporter ${KRAFTER_POD_IP}:9404\n"  # the start script fills in the Pod IP


def test_missing_metrics_configmap_is_not_ready_with_the_field_path_and_applies_nothing(kube, crds, namespace) -> None:
    documents = [d for d in _metrics_example() if d["kind"] != "ConfigMap"]
    kube_helpers.create_all(kube.client, documents, namespace)
    result = ClusterReconciler(kube.client).reconcile(namespace, "my-cluster")
    assert result.outcome == "invalid"
    assert list(kube.client.list(Pod, namespace=namespace)) == []
    kafka = objects.to_dict(kube.client.get(objects.KAFKA, "my-cluster", namespace=namespace))
    ready = next(c for c in kafka["status"]["conditions"] if c["type"] == "NotReady")
    assert ready["reason"] == "MissingConfigMap"
    assert "spec.kafka.metricsConfig.valueFrom.configMapKeyRef" in ready["message"]


def test_watched_namespace_elsewhere_is_a_warning_unless_the_operator_opts_in(kube, crds, namespace) -> None:
    documents = load("kafka-ephemeral.yaml")
    kafka = next(d for d in documents if d["kind"] == "Kafka")
    kafka["spec"]["entityOperator"] = {"topicOperator": {"watchedNamespace": "apps"}}
    kube_helpers.create_all(kube.client, documents, namespace)

    def warnings(reconciler: ClusterReconciler) -> list[dict]:
        reconciler.reconcile(namespace, "my-cluster")
        status = objects.to_dict(kube.client.get(objects.KAFKA, "my-cluster", namespace=namespace))["status"]
        return [c for c in status["conditions"] if c.get("reason") == "WatchedNamespaceDisabled"]

    [warning] = warnings(ClusterReconciler(kube.client))
    assert "spec.entityOperator.topicOperator.watchedNamespace" in warning["message"]
    assert warnings(ClusterReconciler(kube.client, watched_namespace_enabled=True)) == []
