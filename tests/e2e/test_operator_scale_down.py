"""The scale-down guard on Kubernetes with real replica counts from a real Kafka cluster.

The Kafka objects live in the real API server; Kafka itself is Krafter's local platform (no
kubelet runs here), reached as an operator outside the cluster network would reach it, with
KRAFTER_KAFKA_CONNECTIONS' override and the local cluster's operator certificate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from lightkube.resources.core_v1 import ConfigMap, Pod
from lightkube.types import PatchType

from krafter.kafka.admin import KafkaAdmin
from krafter.kafka.admin_types import NewTopic
from krafter.operator.cluster_reconciler import ClusterReconciler
from krafter.operator.connections import KafkaConnections
from krafter.platform.kubernetes import objects
from krafter.testing import kube_helpers

pytestmark = pytest.mark.e2e
DATA = Path(__file__).resolve().parents[1] / "data" / "krafter" / "secured-cluster.yaml"


def _connections(kube, secured_cluster, namespace: str) -> KafkaConnections:  # type: ignore[no-untyped-def]
    settings = secured_cluster.admin_settings()
    connections = KafkaConnections(kube.client)
    connections.overrides = {
        f"{namespace}/secured": {
            "bootstrap": settings.bootstrap_servers,
            "ca": settings.ssl_cafile,
            "cert": settings.ssl_certfile,
            "key": settings.ssl_keyfile,
        }
    }
    return connections


def _names(kube, resource: Any, namespace: str) -> set[str]:  # type: ignore[no-untyped-def]
    return {o.metadata.name for o in kube.client.list(resource, namespace=namespace)}


def test_removing_a_broker_that_hosts_replicas_is_refused_and_nothing_is_deleted(
    kube, secured_cluster, namespace, topic_name
) -> None:
    kube_helpers.install_crds(kube.client)
    kube_helpers.create_all(kube.client, [d for d in yaml.safe_load_all(DATA.read_text()) if d], namespace)
    reconciler = ClusterReconciler(kube.client, connections=_connections(kube, secured_cluster, namespace))
    reconciler.reconcile(namespace, "secured")
    kube_helpers.mark_pods_ready(kube.client, namespace)
    with KafkaAdmin(secured_cluster.admin_settings()) as admin:
        assert admin.create_topics([NewTopic(topic_name, partitions=2, replication_factor=3)])[topic_name].ok
        hosted = admin.replicas_per_broker()[2]
    kube.client.patch(
        objects.KAFKA_NODE_POOL,
        "dual",
        {"spec": {"replicas": 2}},
        namespace=namespace,
        patch_type=PatchType.MERGE,
    )

    result = reconciler.reconcile(namespace, "secured")

    assert not result.ready
    assert {"secured-dual-2"} <= _names(kube, Pod, namespace) & _names(kube, ConfigMap, namespace)
    kafka = objects.to_dict(kube.client.get(objects.KAFKA, "secured", namespace=namespace))
    ready = next(c for c in kafka["status"]["conditions"] if c["type"] == "NotReady")
    assert ready["reason"] == "ScaleDownBlocked"
    assert f"pool 'dual': node 2 ({hosted} replicas)" in ready["message"]
