"""KafkaTopics and KafkaUsers through the running operator into a real Kafka cluster.

The operator runs as a process against the real API server; the Kafka cluster is Krafter's
local platform (no kubelet runs here), reached through KRAFTER_KAFKA_CONNECTIONS with the
local cluster's operator certificate, as an operator outside the cluster network would.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from kafka import KafkaProducer
from lightkube.resources.core_v1 import Secret
from lightkube.types import PatchType

from krafter.kafka.admin import KafkaAdmin
from krafter.operator.connections import CONNECTIONS_ENV
from krafter.platform.kubernetes import objects
from krafter.testing import kube_helpers, operator_process
from krafter.testing.waiting import eventually

pytestmark = pytest.mark.e2e
DATA = Path(__file__).resolve().parents[1] / "data" / "krafter" / "secured-cluster.yaml"


@pytest.fixture(scope="module")
def operator_for_secured(kube, secured_cluster, tmp_path_factory) -> Iterator[tuple[str, Any]]:  # type: ignore[no-untyped-def]
    kube_helpers.install_crds(kube.client)
    namespace = f"ent-{secrets.token_hex(3)}"
    kube.create_namespace(namespace)
    kube.create_namespace(f"{namespace}-apps")  # for watchedNamespace
    kube_helpers.create_all(kube.client, [d for d in yaml.safe_load_all(DATA.read_text()) if d], namespace)
    settings = secured_cluster.admin_settings()
    connections = {
        f"{namespace}/secured": {
            "bootstrap": settings.bootstrap_servers,
            "ca": settings.ssl_cafile,
            "cert": settings.ssl_certfile,
            "key": settings.ssl_keyfile,
            "clients_ca_dir": str(secured_cluster.result.state.ca_dir / "clients"),
        }
    }
    operator = operator_process.start(
        kube.kubeconfig_path,
        [namespace, f"{namespace}-apps"],
        tmp_path_factory.mktemp("entities"),
        lease_namespace=namespace,
        env={CONNECTIONS_ENV: json.dumps(connections)},
        extra_args=["--watched-namespace-enabled"],
    )
    yield namespace, operator
    operator.stop()
    kube.delete_namespace(namespace)
    kube.delete_namespace(f"{namespace}-apps")


def ready(kube, resource: Any, name: str, namespace: str) -> dict[str, Any] | None:  # type: ignore[no-untyped-def]
    status = objects.to_dict(kube.client.get(resource, name, namespace=namespace)).get("status") or {}
    condition = next((c for c in status.get("conditions") or [] if c["type"] == "Ready"), None)
    return status if condition and condition["status"] == "True" else None


def test_kafka_topic_becomes_a_kafka_topic_and_its_deletion_deletes_it(
    kube, secured_cluster, operator_for_secured
) -> None:
    namespace, _ = operator_for_secured
    topic = {
        "apiVersion": "kafka.strimzi.io/v1",
        "kind": "KafkaTopic",
        "metadata": {"name": "payments", "labels": {"strimzi.io/cluster": "secured"}},
        "spec": {"partitions": 3, "replicas": 3, "config": {"retention.ms": 3600000}},
    }
    kube_helpers.create_all(kube.client, [topic], namespace)
    status = eventually(lambda: ready(kube, objects.KAFKA_TOPIC, "payments", namespace), timeout=90)
    assert status["topicName"] == "payments"
    assert status["topicId"]
    with KafkaAdmin(secured_cluster.admin_settings()) as admin:
        assert len(admin.describe_topics(["payments"])["payments"].partitions) == 3
    assert (
        "strimzi.io/topic-operator"
        in kube.client.get(objects.KAFKA_TOPIC, "payments", namespace=namespace).metadata.finalizers
    )
    kube.client.delete(objects.KAFKA_TOPIC, "payments", namespace=namespace)

    def gone_from_kafka() -> bool:
        with KafkaAdmin(secured_cluster.admin_settings()) as admin:
            return "payments" not in admin.list_topics()

    eventually(gone_from_kafka, timeout=90)


def test_scram_kafka_user_gets_a_secret_that_logs_in(kube, secured_cluster, operator_for_secured) -> None:
    namespace, _ = operator_for_secured
    user = {
        "apiVersion": "kafka.strimzi.io/v1",
        "kind": "KafkaUser",
        "metadata": {"name": "billing", "labels": {"strimzi.io/cluster": "secured"}},
        "spec": {
            "authentication": {"type": "scram-sha-512"},
            "authorization": {
                "type": "simple",
                "acls": [
                    {
                        "resource": {"type": "topic", "name": "billing-", "patternType": "prefix"},
                        "operations": ["Write", "Describe", "Create"],
                    }
                ],
            },
        },
    }
    kube_helpers.create_all(kube.client, [user], namespace)
    status = eventually(lambda: ready(kube, objects.KAFKA_USER, "billing", namespace), timeout=90)
    assert status["username"] == "billing"
    secret = eventually(lambda: kube.client.get(Secret, "billing", namespace=namespace))
    password = base64.b64decode(secret.data["password"]).decode()
    assert "ScramLoginModule" in base64.b64decode(secret.data["sasl.jaas.config"]).decode()
    producer = KafkaProducer(
        bootstrap_servers=secured_cluster.bootstrap("scram"),
        security_protocol="SASL_PLAINTEXT",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_plain_username="billing",
        sasl_plain_password=password,
        acks="all",
    )
    try:
        topic = f"billing-{secrets.token_hex(3)}"
        eventually(lambda: producer.send(topic, b"invoice").get(timeout=10), timeout=60)
    finally:
        producer.close()


def test_topic_operator_watched_namespace_takes_topics_from_that_namespace(
    kube, secured_cluster, operator_for_secured
) -> None:
    namespace, _ = operator_for_secured
    apps = f"{namespace}-apps"
    watch = {"spec": {"entityOperator": {"topicOperator": {"watchedNamespace": apps}}}}
    kube.client.patch(objects.KAFKA, "secured", watch, namespace=namespace, patch_type=PatchType.MERGE)
    try:
        topic = {
            "apiVersion": "kafka.strimzi.io/v1",
            "kind": "KafkaTopic",
            "metadata": {"name": "shipments", "labels": {"strimzi.io/cluster": "secured"}},
            "spec": {"partitions": 2, "replicas": 3},
        }
        kube_helpers.create_all(kube.client, [topic], apps)
        status = eventually(lambda: ready(kube, objects.KAFKA_TOPIC, "shipments", apps), timeout=90)
        assert status["topicName"] == "shipments"
        with KafkaAdmin(secured_cluster.admin_settings()) as admin:
            assert len(admin.describe_topics(["shipments"])["shipments"].partitions) == 2
    finally:
        unwatch = {"spec": {"entityOperator": {"topicOperator": {"watchedNamespace": None}}}}
        kube.client.patch(objects.KAFKA, "secured", unwatch, namespace=namespace, patch_type=PatchType.MERGE)


def test_without_topic_finalizers_the_deletion_event_deletes_the_kafka_topic(
    kube, secured_cluster, operator_for_secured
) -> None:
    namespace, _ = operator_for_secured
    env = [{"name": "STRIMZI_USE_FINALIZERS", "value": "false"}]
    no_finalizers = {"spec": {"entityOperator": {"template": {"topicOperatorContainer": {"env": env}}}}}
    kube.client.patch(objects.KAFKA, "secured", no_finalizers, namespace=namespace, patch_type=PatchType.MERGE)
    try:
        topic = {
            "apiVersion": "kafka.strimzi.io/v1",
            "kind": "KafkaTopic",
            "metadata": {"name": "audit", "labels": {"strimzi.io/cluster": "secured"}},
            "spec": {"partitions": 1, "replicas": 3},
        }
        kube_helpers.create_all(kube.client, [topic], namespace)
        eventually(lambda: ready(kube, objects.KAFKA_TOPIC, "audit", namespace), timeout=90)
        assert not kube.client.get(objects.KAFKA_TOPIC, "audit", namespace=namespace).metadata.finalizers
        kube.client.delete(objects.KAFKA_TOPIC, "audit", namespace=namespace)

        def gone_from_kafka() -> bool:
            with KafkaAdmin(secured_cluster.admin_settings()) as admin:
                return "audit" not in admin.list_topics()

        eventually(gone_from_kafka, timeout=90)
    finally:
        restore = {"spec": {"entityOperator": {"template": None}}}
        kube.client.patch(objects.KAFKA, "secured", restore, namespace=namespace, patch_type=PatchType.MERGE)
