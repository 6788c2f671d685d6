"""The file users really bring (v1beta2, ZooKeeper-era), applied to a cluster where Krafter was
installed from install/: every node runs real Kafka in a Pod the operator created, and clients
in Pods reach it by the names the operator rendered, with the Secrets it wrote."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from lightkube.resources.apps_v1 import Deployment
from lightkube.resources.core_v1 import PersistentVolume, Pod

from krafter.testing.pod_cluster import PodCluster, numbers, wait_for

pytestmark = pytest.mark.k8s

LEGACY = Path(__file__).resolve().parents[2].parent / "shared" / "examples" / "kafka-persistent-legacy.yaml"
BOOTSTRAP = "my-cluster-kafka-bootstrap"


@pytest.fixture(scope="module")
def legacy(pod_cluster: PodCluster) -> Iterator[str]:
    namespace = f"legacy-{secrets.token_hex(3)}"
    pod_cluster.create_namespace(namespace)
    pod_cluster.kubectl("apply", "-n", namespace, "-f", str(LEGACY))
    pod_cluster.wait_kafka_ready(namespace, "my-cluster")
    yield namespace
    pod_cluster.kubectl("delete", "namespace", namespace, "--wait=true", "--timeout=180s", check=False)


def test_the_operator_runs_as_the_pod_its_deployment_made(pod_cluster: PodCluster) -> None:
    deployment = pod_cluster.client.get(Deployment, "krafter-operator", namespace="krafter")
    assert deployment.status.readyReplicas == 1
    [pod] = pod_cluster.client.list(Pod, namespace="krafter", labels={"app.kubernetes.io/name": "krafter"})
    assert pod.spec.serviceAccountName == "krafter-operator"
    assert pod.status.podIP.startswith("127.0.1.")


def test_every_node_of_the_legacy_file_runs_kafka_in_a_ready_pod(pod_cluster: PodCluster, legacy: str) -> None:
    pods = pod_cluster.client.list(Pod, namespace=legacy, labels={"strimzi.io/cluster": "my-cluster"})
    kafka_pods = {p.metadata.name: p for p in pods if p.metadata.name.startswith("my-cluster-")}
    assert set(kafka_pods) == {
        "my-cluster-kafka-0", "my-cluster-kafka-1", "my-cluster-kafka-2",
        "my-cluster-controller-100", "my-cluster-controller-101", "my-cluster-controller-102",
    }  # fmt: skip
    for name, pod in kafka_pods.items():
        assert any(c.type == "Ready" and c.status == "True" for c in pod.status.conditions), name
        log = pod_cluster.pod_log(legacy, name, "kafka")
        assert "Kafka Server started" in log or "Transition from STARTING to STARTED" in log, name


@pytest.mark.parametrize(("listener", "port"), [("plain", 9092), ("tls", 9093)])
def test_a_client_pod_produces_and_consumes_through_the_bootstrap_service(
    pod_cluster: PodCluster, legacy: str, topic: str, listener: str, port: int
) -> None:
    tls = listener == "tls"
    common = ["--bootstrap", f"{BOOTSTRAP}:{port}", "--topic", f"{topic}-{listener}", *(["--tls"] if tls else [])]
    ca = "my-cluster-cluster-ca-cert" if tls else None
    produced = pod_cluster.run_client(
        legacy, f"produce-{listener}", ["produce", *common, "--count", "200"], ca_secret=ca
    )
    consumed = pod_cluster.run_client(legacy, f"consume-{listener}", ["consume", *common, "--idle", "10"], ca_secret=ca)
    assert produced["acked_count"] == 200
    assert numbers(produced["acked"]) <= numbers(consumed["consumed"])


def test_deleting_the_namespace_stops_every_process_and_leaves_no_pod_directory_or_volume(
    pod_cluster: PodCluster, legacy: str
) -> None:
    volumes = {
        pv.metadata.name for pv in pod_cluster.client.list(PersistentVolume) if pv.spec.claimRef.namespace == legacy
    }
    assert len(volumes) == 6
    pids = [pod_cluster.container_pid(legacy, name) for name in pod_cluster.kafka_pods(legacy, "my-cluster")]
    pod_cluster.kubectl("delete", "namespace", legacy, "--wait=true", "--timeout=240s")

    def gone() -> bool:
        running = [pid for pid in pids if Path(f"/proc/{pid}").exists()]
        directories = list(pod_cluster.kubelet_dir.glob(f"pods/{legacy}_*"))
        left = [name for name in volumes if (pod_cluster.kubelet_dir / "volumes" / name).exists()]
        return not running and not directories and not left

    wait_for("no process, Pod directory or volume of the namespace left", gone, 120, 2)
    assert not [pv for pv in pod_cluster.client.list(PersistentVolume) if pv.metadata.name in volumes]
