"""`krafter up` runs a Kafka CR as real local processes: it keeps data, reports failures, applies changes."""

from __future__ import annotations

import copy
import os
import signal
from pathlib import Path
from typing import Any

import pytest
import yaml
from kafka import KafkaConsumer, KafkaProducer

from krafter.api import cluster as assembly
from krafter.api import parse
from krafter.core.errors import EnvironmentProblem, KrafterError
from krafter.kafka.admin import KafkaAdmin
from krafter.kafka.admin_types import NewTopic
from krafter.operator.pod_roller import read_kafka_view
from krafter.platform.local import cluster as local
from krafter.platform.local import processes
from krafter.roll.pods import Action, PodView, next_step
from krafter.roll.rules import Candidate
from krafter.testing.waiting import eventually

pytestmark = pytest.mark.e2e

POOL: dict[str, Any] = {
    "apiVersion": "kafka.strimzi.io/v1",
    "kind": "KafkaNodePool",
    "metadata": {"name": "dual", "labels": {"strimzi.io/cluster": "e2e"}},
    "spec": {
        "replicas": 3,
        "roles": ["controller", "broker"],
        "storage": {"type": "jbod", "volumes": [{"id": 0, "type": "persistent-claim", "size": "1Gi"}]},
    },
}
KAFKA: dict[str, Any] = {
    "apiVersion": "kafka.strimzi.io/v1",
    "kind": "Kafka",
    "metadata": {"name": "e2e"},
    "spec": {
        "kafka": {
            "listeners": [{"name": "plain", "port": 9092, "type": "internal", "tls": False}],
            "config": {
                "offsets.topic.replication.factor": 3,
                "default.replication.factor": 3,
                "min.insync.replicas": 2,
                "replica.lag.time.max.ms": 5000,  # a stalled broker leaves the ISR within seconds
            },
        }
    },
}


def cluster_input(*docs: dict[str, Any]) -> assembly.ClusterInput:
    [cluster], _ = assembly.assemble(parse.load(list(docs)))
    assert not cluster.errors, cluster.errors
    return cluster


@pytest.fixture(scope="module")
def platform(kafka_dist, tmp_path_factory) -> local.LocalPlatform:  # type: ignore[no-untyped-def]
    return local.LocalPlatform(Path(tmp_path_factory.mktemp("local-state")))


@pytest.fixture(scope="module")
def running(platform: local.LocalPlatform):  # type: ignore[no-untyped-def]
    result = platform.up(cluster_input(POOL, KAFKA), [POOL, KAFKA])
    yield result
    platform.down("e2e", delete_data=True)


def broker_pool(name: str) -> dict[str, Any]:
    """A one-broker pool next to the dual-role nodes."""
    pool = copy.deepcopy(POOL)
    pool["metadata"]["name"] = name
    pool["spec"]["replicas"] = 1
    pool["spec"]["roles"] = ["broker"]
    return pool


def produce(bootstrap: str, topic: str, value: bytes) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    try:
        producer.send(topic, value).get(timeout=30)
    finally:
        producer.close()


def consume(bootstrap: str, topic: str) -> list[bytes]:
    consumer = KafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", consumer_timeout_ms=10000
    )
    try:
        return [record.value for record in consumer]
    finally:
        consumer.close()


def test_up_prints_a_working_bootstrap_address(running: local.UpResult, topic_name: str) -> None:
    produce(running.bootstrap("plain"), topic_name, b"hello")
    assert consume(running.bootstrap("plain"), topic_name) == [b"hello"]


def test_second_up_of_an_unchanged_cluster_starts_and_restarts_nothing(
    platform: local.LocalPlatform, running: local.UpResult
) -> None:
    again = platform.up(cluster_input(POOL, KAFKA), [POOL, KAFKA])
    assert (again.started, again.restarted, again.stopped) == ([], [], [])


def test_data_survives_down_and_up(platform: local.LocalPlatform, running: local.UpResult, topic_name: str) -> None:
    produce(running.bootstrap("plain"), topic_name, b"kept")
    platform.down("e2e")
    assert not local.status(platform, "e2e").ready
    again = platform.up(cluster_input(POOL, KAFKA), [POOL, KAFKA])
    assert consume(again.bootstrap("plain"), topic_name) == [b"kept"]


def test_status_reports_a_killed_node_as_not_running(platform: local.LocalPlatform, running: local.UpResult) -> None:
    victim = running.plan.nodes[1]
    pid = processes.running_pid(local.dirs_of(running.state, victim))
    assert pid is not None
    os.killpg(pid, signal.SIGKILL)
    try:
        report = local.status(platform, "e2e")
        assert not report.ready
        assert next(n for n in report.nodes if n.node_id == victim.node_id).pid is None
    finally:
        platform.up(cluster_input(POOL, KAFKA), [POOL, KAFKA])
    assert local.status(platform, "e2e").ready


def test_config_change_restarts_nodes_one_at_a_time_without_losing_records(
    platform: local.LocalPlatform, running: local.UpResult, topic_name: str
) -> None:
    with KafkaAdmin(local.admin_settings(running.plan, running.identity)) as admin:
        assert admin.create_topics([NewTopic(topic_name, partitions=3, replication_factor=3)])[topic_name].ok
    produce(running.bootstrap("plain"), topic_name, b"before")
    changed = copy.deepcopy(KAFKA)
    changed["spec"]["kafka"]["config"]["log.retention.hours"] = 100
    result = platform.up(cluster_input(POOL, changed), [POOL, changed])
    assert sorted(result.restarted) == sorted(n.pod_name for n in running.plan.nodes)
    assert consume(result.bootstrap("plain"), topic_name) == [b"before"]
    properties = (running.state.node_dir(running.plan.nodes[0].pod_name) / "config" / "server.config").read_text()
    assert "log.retention.hours=100" in properties


def test_scaling_a_pool_up_starts_the_new_broker(platform: local.LocalPlatform, running: local.UpResult) -> None:
    brokers = broker_pool("extra")
    result = platform.up(cluster_input(POOL, brokers, KAFKA), [POOL, brokers, KAFKA])
    assert result.started == ["e2e-extra-3"]
    with KafkaAdmin(local.admin_settings(result.plan, result.identity)) as admin:
        assert sorted(b.node_id for b in admin.describe_cluster().brokers) == [0, 1, 2, 3]
    removed = platform.up(cluster_input(POOL, KAFKA), [POOL, KAFKA])
    assert removed.stopped == ["e2e-extra-3"]


def test_resources_of_the_last_up_are_kept_for_status(running: local.UpResult) -> None:
    saved = list(yaml.safe_load_all((running.state.root / "resources.yaml").read_text()))
    assert {d["kind"] for d in saved} == {"Kafka", "KafkaNodePool"}


def test_scaling_down_a_broker_that_hosts_replicas_is_refused(
    platform: local.LocalPlatform, running: local.UpResult, topic_name: str
) -> None:
    brokers = broker_pool("extra")
    grown = platform.up(cluster_input(POOL, brokers, KAFKA), [POOL, brokers, KAFKA])
    new_broker = next(n.node_id for n in grown.plan.nodes if n.pool == "extra")
    with KafkaAdmin(local.admin_settings(grown.plan, grown.identity)) as admin:
        created = admin.create_topics([NewTopic(topic_name, partitions=1, replication_factor=1)])
        assert created[topic_name].ok
        admin.alter_partition_reassignments({(topic_name, 0): [new_broker]})
    with pytest.raises(KrafterError, match=rf"scale-down refused.*pool 'extra': node {new_broker} \(1 replica\)"):
        platform.up(cluster_input(POOL, KAFKA), [POOL, KAFKA])
    assert processes.running_pid(local.dirs_of(grown.state, grown.plan.node(new_broker))) is not None
    skipping = copy.deepcopy(KAFKA)
    skipping["metadata"]["annotations"] = {"strimzi.io/skip-broker-scaledown-check": "true"}
    forced = platform.up(cluster_input(POOL, skipping), [POOL, skipping])
    assert forced.stopped == [f"e2e-extra-{new_broker}"]


def test_remove_brokers_rebalance_drains_a_broker_so_its_scale_down_succeeds_without_losing_records(
    platform: local.LocalPlatform, running: local.UpResult, topic_name: str
) -> None:
    from click.testing import CliRunner

    from krafter.cli.main import cli

    brokers = broker_pool("drained")
    grown = platform.up(cluster_input(POOL, brokers, KAFKA), [POOL, brokers, KAFKA])
    leaving = next(n.node_id for n in grown.plan.nodes if n.pool == "drained")
    with KafkaAdmin(local.admin_settings(grown.plan, grown.identity)) as admin:
        assert admin.create_topics([NewTopic(topic_name, partitions=4, replication_factor=2)])[topic_name].ok
        eventually(lambda: topic_name in admin.describe_topics([topic_name]), timeout=15)
        admin.alter_partition_reassignments({(topic_name, p): [leaving, p % 3] for p in range(4)})
        eventually(
            lambda: all(
                p.replicas == (leaving, p.partition % 3)
                for p in admin.describe_topics([topic_name])[topic_name].partitions
            ),
            timeout=60,
        )
    sent = [f"record-{i}".encode() for i in range(20)]
    for value in sent:
        produce(grown.bootstrap("plain"), topic_name, value)
    with pytest.raises(KrafterError, match="scale-down refused"):
        platform.up(cluster_input(POOL, KAFKA), [POOL, KAFKA])

    drained = CliRunner().invoke(
        cli,
        [
            "rebalance",
            "e2e",
            "--state-dir",
            str(platform.state_dir),
            "--mode",
            "remove-brokers",
            "--broker",
            str(leaving),
        ],
    )

    assert drained.exit_code == 0, drained.output
    removed = platform.up(cluster_input(POOL, KAFKA), [POOL, KAFKA])
    assert removed.stopped == [f"e2e-drained-{leaving}"]
    assert sorted(consume(removed.bootstrap("plain"), topic_name)) == sorted(sent)


def test_roller_holds_restarts_that_would_take_a_partition_below_min_isr(
    platform: local.LocalPlatform, running: local.UpResult, topic_name: str
) -> None:
    plan, identity = running.plan, running.identity
    with KafkaAdmin(local.admin_settings(plan, identity)) as admin:
        assert admin.create_topics([NewTopic(topic_name, partitions=1, replication_factor=3)])[topic_name].ok
    produce(running.bootstrap("plain"), topic_name, b"guarded")

    def isr_size() -> int:
        with KafkaAdmin(local.admin_settings(plan, identity)) as admin:
            return len(admin.describe_topics([topic_name])[topic_name].partitions[0].isr)

    healthy, lost = plan.nodes[0], plan.nodes[2]
    pid = processes.running_pid(local.dirs_of(running.state, lost))
    assert pid is not None
    os.killpg(pid, signal.SIGKILL)  # the partition is left with ISR 2 = min.insync.replicas
    try:
        eventually(lambda: isr_size() == 2, timeout=60)
        as_broker = Candidate(healthy.node_id, is_controller=False, is_broker=True, ready=True)
        with pytest.raises(EnvironmentProblem, match=r"below min\.insync\.replicas"):
            platform.wait_until_safe(plan, identity, as_broker, timeout=3)
        as_controller = Candidate(healthy.node_id, is_controller=True, is_broker=False, ready=True)
        with pytest.raises(EnvironmentProblem, match="caught up"):
            platform.wait_until_safe(plan, identity, as_controller, timeout=3)
        # The lost node is outside every ISR and its peers keep the quorum: it may go (first).
        platform.wait_until_safe(plan, identity, Candidate(lost.node_id, True, True, ready=False), timeout=10)
    finally:
        platform.up(cluster_input(POOL, KAFKA), [POOL, KAFKA])  # starts the lost node again
    eventually(lambda: isr_size() == 3, timeout=60)
    platform.wait_until_safe(plan, identity, Candidate(healthy.node_id, True, True, ready=True), timeout=30)


def test_kubernetes_roller_restarts_a_lost_node_first_and_holds_healthy_ones_on_real_kafka(
    platform: local.LocalPlatform, running: local.UpResult, topic_name: str
) -> None:
    """The Kubernetes roller's decision (roll.pods) fed with what this real cluster's Admin API says."""
    plan, identity = running.plan, running.identity
    settings = local.admin_settings(plan, identity)
    with KafkaAdmin(settings) as admin:
        assert admin.create_topics([NewTopic(topic_name, partitions=1, replication_factor=3)])[topic_name].ok
    produce(running.bootstrap("plain"), topic_name, b"guarded")

    def views(lost: int | None, lost_current: bool = False, lost_ready: bool = False) -> list[PodView]:
        outdated = ("node configuration changed",)
        return [
            PodView(
                n.node_id, n.pod_name, n.is_controller, n.is_broker, exists=True, terminating=False,
                ready=n.node_id != lost or lost_ready, reasons=() if (n.node_id == lost and lost_current) else outdated,
            )
            for n in plan.nodes
        ]  # fmt: skip

    def isr_size() -> int:
        with KafkaAdmin(settings) as admin:
            return len(admin.describe_topics([topic_name])[topic_name].partitions[0].isr)

    lost = plan.nodes[2]
    pid = processes.running_pid(local.dirs_of(running.state, lost))
    assert pid is not None
    os.killpg(pid, signal.SIGKILL)
    try:
        eventually(lambda: isr_size() == 2, timeout=60)
        first = next_step(views(lost.node_id), read_kafka_view(settings))
        assert first.action is Action.RESTART
        assert first.pod is not None
        assert first.pod.node_id == lost.node_id
        # The lost node is current now but its Pod is not Ready: the roll waits for it.
        assert next_step(views(lost.node_id, lost_current=True)).action is Action.WAIT
        # Its Pod reports Ready (the probe only checks a port) but Kafka has not got it back: held.
        held = next_step(views(lost.node_id, lost_current=True, lost_ready=True), read_kafka_view(settings))
        assert held.action is Action.BLOCKED
        assert "caught up" in held.message or "min.insync.replicas" in held.message
    finally:
        platform.up(cluster_input(POOL, KAFKA), [POOL, KAFKA])
    eventually(lambda: isr_size() == 3, timeout=60)

    def next_restart() -> PodView | None:
        step = next_step(views(None), read_kafka_view(settings))
        return step.pod if step.action is Action.RESTART else None

    chosen = eventually(next_restart, timeout=60)  # once every voter has caught up again
    with KafkaAdmin(settings) as admin:
        assert chosen.node_id != admin.describe_quorum().leader_id  # the active controller goes last
