"""`krafter operator` running against a real API server: apply a Kafka, get a cluster; it converges.

No kubelet runs here: the tests play the kubelet by marking Pods Ready, and Kafka-level
behaviour is covered by the local platform's tests.
"""

from __future__ import annotations

import base64
import copy
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from lightkube import codecs
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.coordination_v1 import Lease
from lightkube.resources.core_v1 import ConfigMap, PersistentVolumeClaim, Pod, Secret, Service
from lightkube.types import PatchType

from krafter.platform.kubernetes import objects
from krafter.testing import kube_helpers, operator_process
from krafter.testing.waiting import eventually

pytestmark = pytest.mark.kube
EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "strimzi-examples" / "kafka"


@pytest.fixture(scope="module")
def operator_ns(kube, tmp_path_factory) -> Iterator[tuple[str, operator_process.OperatorProcess]]:  # type: ignore[no-untyped-def]
    kube_helpers.install_crds(kube.client)
    namespace = f"op-{secrets.token_hex(3)}"
    kube.create_namespace(namespace)
    operator = operator_process.start(
        kube.kubeconfig_path, [namespace], tmp_path_factory.mktemp("operator"), lease_namespace=namespace
    )
    yield namespace, operator
    operator.stop()
    kube.delete_namespace(namespace)


def load(name: str, cluster: str) -> list[dict[str, Any]]:
    return kube_helpers.example_cluster(EXAMPLES / name, cluster)


def kafka_status(kube, namespace: str, name: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return objects.to_dict(kube.client.get(objects.KAFKA, name, namespace=namespace)).get("status") or {}


def condition(status: dict[str, Any], kind: str) -> dict[str, Any] | None:
    return next((c for c in status.get("conditions") or [] if c["type"] == kind), None)


def pods_of(kube, namespace: str, cluster: str) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(
        p.metadata.name for p in kube.client.list(Pod, namespace=namespace, labels={"strimzi.io/cluster": cluster})
    )


def test_applied_kafka_becomes_ready_once_its_pods_are(kube, operator_ns) -> None:
    namespace, _ = operator_ns
    kube_helpers.create_all(kube.client, load("kafka-with-dual-role-nodes.yaml", "alpha"), namespace)
    pods = eventually(lambda: (p := pods_of(kube, namespace, "alpha")) and len(p) == 3 and p)
    assert pods == ["alpha-alpha-dual-role-0", "alpha-alpha-dual-role-1", "alpha-alpha-dual-role-2"]
    eventually(lambda: condition(kafka_status(kube, namespace, "alpha"), "NotReady"))  # written as a pass ends
    kube_helpers.mark_pods_ready(kube.client, namespace, pods)
    eventually(lambda: condition(kafka_status(kube, namespace, "alpha"), "Ready"))


def test_deleted_pod_service_and_configmap_are_recreated(kube, operator_ns) -> None:
    namespace, _ = operator_ns
    kube_helpers.create_all(kube.client, load("kafka-ephemeral.yaml", "beta"), namespace)
    eventually(lambda: len(pods_of(kube, namespace, "beta")) == 6)
    uid = kube.client.get(Pod, "beta-beta-broker-0", namespace=namespace).metadata.uid
    kube.client.delete(Pod, "beta-beta-broker-0", namespace=namespace)
    kube.client.delete(Service, "beta-kafka-bootstrap", namespace=namespace)
    kube.client.delete(ConfigMap, "beta-beta-controller-3", namespace=namespace)
    eventually(lambda: kube.client.get(Pod, "beta-beta-broker-0", namespace=namespace).metadata.uid != uid)
    eventually(lambda: kube.client.get(Service, "beta-kafka-bootstrap", namespace=namespace))
    eventually(lambda: kube.client.get(ConfigMap, "beta-beta-controller-3", namespace=namespace))


def test_config_listener_and_replica_changes_converge(kube, operator_ns) -> None:
    namespace, _ = operator_ns
    docs = load("kafka-with-dual-role-nodes.yaml", "gamma")
    kube_helpers.create_all(kube.client, docs, namespace)
    eventually(lambda: len(pods_of(kube, namespace, "gamma")) == 3)
    patch = {"spec": {"kafka": {"config": {"log.retention.hours": 72}}}}
    kube.client.patch(objects.KAFKA, "gamma", patch, namespace=namespace, patch_type=PatchType.MERGE)
    eventually(
        lambda: (
            "log.retention.hours=72"
            in kube.client.get(ConfigMap, "gamma-gamma-dual-role-0", namespace=namespace).data["server.config"]
        )
    )
    kafka = objects.to_dict(kube.client.get(objects.KAFKA, "gamma", namespace=namespace))
    listeners = copy.deepcopy(kafka["spec"]["kafka"]["listeners"])
    listeners.append({"name": "external", "port": 9094, "type": "nodeport", "tls": False})
    kube.client.patch(
        objects.KAFKA,
        "gamma",
        {"spec": {"kafka": {"listeners": listeners}}},
        namespace=namespace,
        patch_type=PatchType.MERGE,
    )
    eventually(
        lambda: kube.client.get(Service, "gamma-kafka-external-bootstrap", namespace=namespace).spec.type == "NodePort"
    )
    kube.client.patch(
        objects.KAFKA_NODE_POOL,
        "gamma-dual-role",
        {"spec": {"replicas": 4}},
        namespace=namespace,
        patch_type=PatchType.MERGE,
    )
    eventually(lambda: "gamma-gamma-dual-role-3" in pods_of(kube, namespace, "gamma"))
    pool = objects.to_dict(kube.client.get(objects.KAFKA_NODE_POOL, "gamma-dual-role", namespace=namespace))
    eventually(
        lambda: (
            objects.to_dict(kube.client.get(objects.KAFKA_NODE_POOL, "gamma-dual-role", namespace=namespace))["status"][
                "nodeIds"
            ]
            == [0, 1, 2, 3]
        )
    )
    assert pool["spec"]["replicas"] == 4


def test_invalid_kafka_is_not_ready_with_the_field_path_and_recovers_when_fixed(kube, operator_ns) -> None:
    namespace, _ = operator_ns
    docs = load("kafka-with-dual-role-nodes.yaml", "delta")
    kafka = next(d for d in docs if d["kind"] == "Kafka")
    kafka["spec"]["kafka"]["config"]["ssl.keystore.location"] = "/tmp/mine"
    kube_helpers.create_all(kube.client, docs, namespace)
    not_ready = eventually(lambda: condition(kafka_status(kube, namespace, "delta"), "NotReady"))
    assert "spec.kafka.config.ssl.keystore.location" in not_ready["message"]
    assert pods_of(kube, namespace, "delta") == []
    kube.client.patch(
        objects.KAFKA,
        "delta",
        {"spec": {"kafka": {"config": {"ssl.keystore.location": None}}}},
        namespace=namespace,
        patch_type=PatchType.MERGE,
    )
    eventually(lambda: len(pods_of(kube, namespace, "delta")) == 3)


def test_paused_kafka_reports_paused_and_resumes(kube, operator_ns) -> None:
    namespace, _ = operator_ns
    docs = load("kafka-with-dual-role-nodes.yaml", "epsilon")
    next(d for d in docs if d["kind"] == "Kafka")["metadata"]["annotations"] = {
        "strimzi.io/pause-reconciliation": "true"
    }
    kube_helpers.create_all(kube.client, docs, namespace)
    eventually(lambda: condition(kafka_status(kube, namespace, "epsilon"), "ReconciliationPaused"))
    assert pods_of(kube, namespace, "epsilon") == []
    kube.client.patch(
        objects.KAFKA,
        "epsilon",
        {"metadata": {"annotations": {"strimzi.io/pause-reconciliation": "false"}}},
        namespace=namespace,
        patch_type=PatchType.MERGE,
    )
    eventually(lambda: len(pods_of(kube, namespace, "epsilon")) == 3)


def test_deleting_the_kafka_removes_owned_objects_but_keeps_claims(kube, operator_ns) -> None:
    namespace, _ = operator_ns
    kube_helpers.create_all(kube.client, load("kafka-persistent.yaml", "zeta"), namespace)
    eventually(lambda: len(pods_of(kube, namespace, "zeta")) == 6)
    claims = [
        c.metadata.name
        for c in kube.client.list(PersistentVolumeClaim, namespace=namespace, labels={"strimzi.io/cluster": "zeta"})
    ]
    assert len(claims) == 6
    kube.client.delete(objects.KAFKA, "zeta", namespace=namespace)
    eventually(lambda: pods_of(kube, namespace, "zeta") == [], timeout=120)
    remaining = [
        c.metadata.name
        for c in kube.client.list(PersistentVolumeClaim, namespace=namespace, labels={"strimzi.io/cluster": "zeta"})
    ]
    assert sorted(remaining) == sorted(claims)


def test_operator_serves_metrics_and_health(operator_ns) -> None:
    _, operator = operator_ns
    assert operator.get("/healthz")[0] == 200
    code, body = operator.get("/metrics")
    assert code == 200
    assert "krafter_reconciliations_total" in body
    assert "krafter_reconciliation_duration_seconds_bucket" in body


def test_operator_holds_the_leader_lease(kube, operator_ns) -> None:
    namespace, _ = operator_ns
    lease = kube.client.get(Lease, "krafter-operator", namespace=namespace)
    assert lease.spec.holderIdentity


def test_created_objects_validate_as_kubernetes_objects(kube, operator_ns) -> None:
    namespace, _ = operator_ns
    pod = kube.client.get(Pod, "alpha-alpha-dual-role-0", namespace=namespace)
    assert codecs.from_dict(pod.to_dict())


def test_zookeeper_era_file_runs_as_kraft_with_a_warning(kube, operator_ns) -> None:
    namespace, _ = operator_ns
    legacy = yaml.safe_load(
        (Path(__file__).resolve().parents[1] / "data" / "user-examples" / "kafka-persistent-legacy.yaml").read_text()
    )
    legacy["metadata"]["name"] = "legacy"
    kube_helpers.create_all(kube.client, [legacy], namespace)
    pods = eventually(lambda: (p := pods_of(kube, namespace, "legacy")) and len(p) == 6 and p)
    # The broker pool is named `kafka`, so Pods keep their ZooKeeper-era names.
    assert pods[:3] == ["legacy-controller-100", "legacy-controller-101", "legacy-controller-102"]
    assert pods[3:] == ["legacy-kafka-0", "legacy-kafka-1", "legacy-kafka-2"]

    def converted_warning() -> bool:  # status is written after the Pods, in the same pass
        conditions = kafka_status(kube, namespace, "legacy").get("conditions") or []
        return any(c["type"] == "Warning" and c["reason"] == "LegacyResourceConverted" for c in conditions)

    assert eventually(converted_warning)


def test_user_provided_cluster_ca_is_used_and_its_absence_reported(kube, operator_ns) -> None:
    from krafter.certs import authority, secret_data

    namespace, _ = operator_ns
    docs = load("kafka-with-dual-role-nodes.yaml", "eta")
    kafka = next(d for d in docs if d["kind"] == "Kafka")
    kafka["spec"]["clusterCa"] = {"generateCertificateAuthority": False}
    kube_helpers.create_all(kube.client, docs, namespace)
    not_ready = eventually(lambda: condition(kafka_status(kube, namespace, "eta"), "NotReady"))
    assert "eta-cluster-ca-cert" in not_ready["message"]
    assert pods_of(kube, namespace, "eta") == []

    now = datetime.now(UTC)
    ca = authority.generate_ca("my-company-ca", validity_days=365, now=now)
    cert = secret_data.ca_cert_secret_content(ca, generation=0)
    key = secret_data.ca_key_secret_content(ca, generation=0)
    for name, content in (("eta-cluster-ca-cert", cert), ("eta-cluster-ca", key)):
        kube.client.create(
            Secret(
                metadata=ObjectMeta(name=name, namespace=namespace, annotations=content.annotations),
                data=content.data,
            )
        )
    eventually(lambda: len(pods_of(kube, namespace, "eta")) == 3)
    node = eventually(lambda: kube.client.get(Secret, "eta-eta-dual-role-0", namespace=namespace))
    trusted = base64.b64decode(node.data["cluster-ca.crt"])
    assert trusted.startswith(ca.cert_pem)
    assert (
        base64.b64decode(kube.client.get(Secret, "eta-cluster-ca-cert", namespace=namespace).data["ca.crt"])
        == ca.cert_pem
    )


def test_delete_claim_true_removes_claims_with_the_cluster(kube, operator_ns) -> None:
    namespace, _ = operator_ns
    docs = load("kafka-persistent.yaml", "theta")
    for doc in docs:
        if doc["kind"] == "KafkaNodePool":
            for volume in doc["spec"]["storage"]["volumes"]:
                volume["deleteClaim"] = True
    kube_helpers.create_all(kube.client, docs, namespace)
    eventually(lambda: len(pods_of(kube, namespace, "theta")) == 6)

    def claims() -> list[PersistentVolumeClaim]:
        return list(
            kube.client.list(PersistentVolumeClaim, namespace=namespace, labels={"strimzi.io/cluster": "theta"})
        )

    assert len(claims()) == 6
    kube.client.delete(objects.KAFKA, "theta", namespace=namespace)
    # The garbage collector deletes them; without the PVC-protection controller in this test
    # control plane they then wait in Terminating, which is as far as deletion goes here.
    eventually(lambda: all(c.metadata.deletionTimestamp for c in claims()), timeout=120)
