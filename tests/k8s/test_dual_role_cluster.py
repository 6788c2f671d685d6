"""Strimzi's `kafka-with-dual-role-nodes.yaml` on a cluster where Krafter's own Pods run Kafka:
day-2 changes, failures and a control-plane outage under an idempotent acks=all producer, judged
as Kafka's system tests judge (every acknowledged record is consumed afterwards)."""

from __future__ import annotations

import json
import os
import secrets
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lightkube.generic_resource import create_namespaced_resource
from lightkube.resources.core_v1 import ConfigMap, Pod, Secret, Service

from krafter.testing.pod_cluster import PodCluster, numbers, wait_for

pytestmark = pytest.mark.k8s

EXAMPLE = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "strimzi-examples"
    / "kafka"
    / "kafka-with-dual-role-nodes.yaml"
)
CLUSTER = "my-cluster"
BOOTSTRAP = f"{CLUSTER}-kafka-bootstrap"
CA = f"{CLUSTER}-cluster-ca-cert"
NodePool = create_namespaced_resource("kafka.strimzi.io", "v1", "KafkaNodePool", "kafkanodepools")
SECURED_LISTENERS = [
    {"name": "plain", "port": 9092, "type": "internal", "tls": False},
    {"name": "tls", "port": 9093, "type": "internal", "tls": True},
    {"name": "scram", "port": 9094, "type": "internal", "tls": False, "authentication": {"type": "scram-sha-512"}},
    {"name": "mtls", "port": 9095, "type": "internal", "tls": True, "authentication": {"type": "tls"}},
]


@pytest.fixture(scope="module")
def dual(pod_cluster: PodCluster) -> Iterator[str]:
    namespace = f"dual-{secrets.token_hex(3)}"
    pod_cluster.create_namespace(namespace)
    pod_cluster.kubectl("apply", "-n", namespace, "-f", str(EXAMPLE))
    pod_cluster.wait_kafka_ready(namespace, CLUSTER)
    yield namespace
    # Topics and users first, while Kafka still runs to release their finalizers: a namespace
    # deleted with them inside hangs today (issue 17, Strimzi's #11901).
    pod_cluster.kubectl("-n", namespace, "delete", "kafkatopic,kafkauser", "--all", "--timeout=120s", check=False)
    pod_cluster.kubectl("delete", "namespace", namespace, "--wait=true", "--timeout=240s", check=False)


class Load:
    """An idempotent acks=all producer Pod running until stopped, then a consumer reading it all."""

    def __init__(self, cluster: PodCluster, namespace: str, name: str) -> None:
        self.cluster, self.namespace, self.name = cluster, namespace, name
        self.topic = f"load-{secrets.token_hex(3)}"
        self.args = ["--bootstrap", f"{BOOTSTRAP}:9092", "--topic", self.topic]
        cluster.run_client(namespace, name, ["produce", *self.args, "--seconds", "900", "--rate", "100"], wait=False)
        wait_for(
            "producer running",
            lambda: "starting client" in cluster.pod_log(namespace, name) and time.sleep(5) is None,
            120,
        )

    def finish(self) -> dict[str, Any]:
        self.cluster.stop_client(self.namespace, self.name)
        produced = self.cluster.client_result(self.namespace, self.name, timeout=300)
        consumed = self.cluster.run_client(
            self.namespace, f"{self.name}-check", ["consume", *self.args, "--idle", "15"]
        )
        lost = numbers(produced["acked"]) - numbers(consumed["consumed"])
        return {**produced, **consumed, "lost": sorted(lost)[:20], "lost_count": len(lost)}


def _replaced_and_ready(cluster: PodCluster, namespace: str, name: str, old_uid: str) -> bool:
    pod = cluster.kafka_pods(namespace, CLUSTER).get(name)
    return pod is not None and pod.metadata.uid != old_uid and cluster.is_ready(pod)


def _restart_count(cluster: PodCluster, namespace: str, name: str) -> int:
    return int(cluster.client.get(Pod, name, namespace=namespace).status.containerStatuses[0].restartCount)


def _watch_readiness(cluster: PodCluster, namespace: str, stop: threading.Event, seen: list[int]) -> None:
    while not stop.is_set():
        try:
            pods = cluster.kafka_pods(namespace, CLUSTER)
            seen.append(sum(1 for pod in pods.values() if not cluster.is_ready(pod)))
        except Exception:  # an API hiccup is not a finding here
            pass
        time.sleep(1)


def _pod_uids(cluster: PodCluster, namespace: str) -> dict[str, str]:
    return {name: pod.metadata.uid for name, pod in cluster.kafka_pods(namespace, CLUSTER).items()}


def test_a_static_config_change_rolls_one_pod_at_a_time_and_loses_no_acknowledged_record(
    pod_cluster: PodCluster, dual: str
) -> None:
    before = _pod_uids(pod_cluster, dual)
    load = Load(pod_cluster, dual, "roll-producer")
    seen: list[int] = []
    stop = threading.Event()
    watcher = threading.Thread(target=_watch_readiness, args=(pod_cluster, dual, stop, seen), daemon=True)
    watcher.start()
    # New listeners and an authorizer: static broker configuration, so every node restarts. The
    # plain listener's anonymous clients (this load) stay super users; SCRAM and TLS users get ACLs.
    authorization = {"type": "simple", "superUsers": ["ANONYMOUS"]}
    patch = {"spec": {"kafka": {"listeners": SECURED_LISTENERS, "authorization": authorization}}}
    pod_cluster.kubectl("-n", dual, "patch", "kafka", CLUSTER, "--type=merge", "-p", json.dumps(patch))
    wait_for("every Pod replaced", lambda: all(before[n] != u for n, u in _pod_uids(pod_cluster, dual).items()), 600, 3)
    pod_cluster.wait_kafka_ready(dual, CLUSTER, timeout=300)
    stop.set()
    watcher.join()
    result = load.finish()
    assert max(seen) <= 1, f"more than one Kafka Pod was down at once: {seen}"
    assert result["lost_count"] == 0, result
    assert result["acked_count"] > 0


def _apply(cluster: PodCluster, namespace: str, document: dict[str, Any]) -> None:
    path = cluster.workdir / f"{document['metadata']['name']}.json"
    path.write_text(json.dumps(document))
    cluster.kubectl("apply", "-n", namespace, "-f", str(path))


def _user(name: str, authentication: str, topic: str) -> dict[str, Any]:
    acls = [
        {"resource": {"type": "topic", "name": topic}, "operations": ["Describe", "Read", "Write", "Create"]},
        {"resource": {"type": "group", "name": "*", "patternType": "literal"}, "operations": ["Read", "Describe"]},
    ]
    return {
        "apiVersion": "kafka.strimzi.io/v1",
        "kind": "KafkaUser",
        "metadata": {"name": name, "labels": {"strimzi.io/cluster": CLUSTER}},
        "spec": {"authentication": {"type": authentication}, "authorization": {"type": "simple", "acls": acls}},
    }


def test_a_topic_and_scram_and_tls_users_with_acls_are_created_used_and_deleted(
    pod_cluster: PodCluster, dual: str
) -> None:
    if pod_cluster.kafka_condition(dual, CLUSTER, "Ready") is None or "scram" not in pod_cluster.kubectl(
        "-n", dual, "get", "kafka", CLUSTER, "-o", "jsonpath={.spec.kafka.listeners[*].name}"
    ):
        pytest.fail("needs the secured listeners from the roll test")
    topic = f"orders-{secrets.token_hex(3)}"
    _apply(pod_cluster, dual, {
        "apiVersion": "kafka.strimzi.io/v1", "kind": "KafkaTopic",
        "metadata": {"name": topic, "labels": {"strimzi.io/cluster": CLUSTER}},
        "spec": {"partitions": 3, "replicas": 3},
    })  # fmt: skip
    _apply(pod_cluster, dual, _user("app-scram", "scram-sha-512", topic))
    _apply(pod_cluster, dual, _user("app-tls", "tls", topic))
    for kind, name in (("kafkatopic", topic), ("kafkauser", "app-scram"), ("kafkauser", "app-tls")):
        pod_cluster.kubectl("-n", dual, "wait", f"{kind}/{name}", "--for=condition=Ready", "--timeout=180s")
    scram = ["--bootstrap", f"{BOOTSTRAP}:9094", "--topic", topic, "--scram", "app-scram"]
    produced = pod_cluster.run_client(
        dual, "scram-produce", ["produce", *scram, "--count", "50"], user_secret="app-scram"
    )
    consumed = pod_cluster.run_client(
        dual, "scram-consume", ["consume", *scram, "--idle", "10"], user_secret="app-scram"
    )
    assert numbers(produced["acked"]) == numbers(consumed["consumed"]) == set(range(50))
    mtls = ["--bootstrap", f"{BOOTSTRAP}:9095", "--topic", topic, "--tls", "--user-cert"]
    consumed = pod_cluster.run_client(
        dual, "tls-consume", ["consume", *mtls, "--idle", "10"], ca_secret=CA, user_secret="app-tls"
    )
    assert numbers(consumed["consumed"]) == set(range(50))

    pod_cluster.kubectl(
        "-n", dual, "delete", f"kafkatopic/{topic}", "kafkauser/app-scram", "kafkauser/app-tls", "--timeout=180s"
    )
    plain = ["--bootstrap", f"{BOOTSTRAP}:9092"]
    wait_for(
        "topic deleted in Kafka",
        lambda: (
            topic not in pod_cluster.run_client(dual, f"list-{secrets.token_hex(2)}", ["cluster", *plain])["topics"]
        ),
        120,
        5,
    )
    assert not [
        s for s in pod_cluster.client.list(Secret, namespace=dual) if s.metadata.name in ("app-scram", "app-tls")
    ]


def test_a_deleted_broker_pod_and_then_the_active_controller_come_back_with_nothing_lost(
    pod_cluster: PodCluster, dual: str
) -> None:
    load = Load(pod_cluster, dual, "delete-producer")
    for victim in ("my-cluster-dual-role-1", pod_cluster.active_controller(dual, CLUSTER)):
        uid = pod_cluster.kafka_pods(dual, CLUSTER)[victim].metadata.uid
        pod_cluster.client.delete(Pod, victim, namespace=dual)
        wait_for(
            f"{victim} back and ready", lambda v=victim, u=uid: _replaced_and_ready(pod_cluster, dual, v, u), 300, 2
        )
        pod_cluster.wait_kafka_ready(dual, CLUSTER, timeout=300)
    result = load.finish()
    assert result["lost_count"] == 0, result


def test_kafka_keeps_serving_through_a_60_s_api_server_outage_and_everything_recovers_on_its_own(
    pod_cluster: PodCluster, dual: str
) -> None:
    pods_before = _pod_uids(pod_cluster, dual)
    pids = {name: pod_cluster.container_pid(dual, name) for name in pods_before}
    operator = next(iter(pod_cluster.client.list(Pod, namespace="krafter")))
    restarts = operator.status.containerStatuses[0].restartCount
    load = Load(pod_cluster, dual, "outage-producer")
    pod_cluster.plane.stop_apiserver()
    try:
        time.sleep(60)
        for name, pid in pids.items():
            assert Path(f"/proc/{pid}").exists(), f"{name}'s Kafka stopped while the API server was away"
    finally:
        pod_cluster.plane.restart_apiserver()
    result = load.finish()  # also proves the kubelet runs new Pods again
    assert result["lost_count"] == 0, result
    assert _pod_uids(pod_cluster, dual) == pods_before
    operator = pod_cluster.client.get(Pod, operator.metadata.name, namespace="krafter")
    assert operator.status.containerStatuses[0].restartCount == restarts, "the operator restarted"
    # The operator reconciles again: a new topic becomes Ready.
    topic = f"after-outage-{secrets.token_hex(2)}"
    _apply(pod_cluster, dual, {"apiVersion": "kafka.strimzi.io/v1", "kind": "KafkaTopic",
                               "metadata": {"name": topic, "labels": {"strimzi.io/cluster": CLUSTER}},
                               "spec": {"partitions": 1, "replicas": 3}})  # fmt: skip
    pod_cluster.kubectl("-n", dual, "wait", f"kafkatopic/{topic}", "--for=condition=Ready", "--timeout=180s")


def _owned_objects(cluster: PodCluster, namespace: str) -> list[str]:
    found = []
    for kind in (Pod, Service, ConfigMap, Secret):
        for item in cluster.client.list(kind, namespace=namespace, labels={"strimzi.io/cluster": CLUSTER}):
            found.append(f"{kind.__name__}/{item.metadata.name}")
    return sorted(found)


def test_an_operator_killed_mid_reconcile_converges_without_duplicates_or_orphans(
    pod_cluster: PodCluster, dual: str
) -> None:
    before = _owned_objects(pod_cluster, dual)
    [operator] = pod_cluster.client.list(Pod, namespace="krafter")
    restarts = operator.status.containerStatuses[0].restartCount
    # Scale the pool up by one and kill the operator while it works on it.
    pod_cluster.kubectl(
        "-n", dual, "patch", "kafkanodepool", "dual-role", "--type=merge", "-p", '{"spec":{"replicas":4}}'
    )
    wait_for(
        "the new node's ConfigMap", lambda: any("dual-role-3" in o for o in _owned_objects(pod_cluster, dual)), 60, 0.5
    )
    os.kill(pod_cluster.container_pid("krafter", operator.metadata.name), signal.SIGKILL)
    name = operator.metadata.name
    wait_for("operator restarted by the kubelet", lambda: _restart_count(pod_cluster, "krafter", name) > restarts, 120)
    pod_cluster.wait_kafka_ready(dual, CLUSTER, timeout=420)
    after = _owned_objects(pod_cluster, dual)
    added = sorted(set(after) - set(before))
    assert all("dual-role-3" in name for name in added), added
    assert not set(before) - set(after)
    brokers = pod_cluster.run_client(dual, "brokers", ["cluster", "--bootstrap", f"{BOOTSTRAP}:9092"])["brokers"]
    assert brokers == [0, 1, 2, 3]
