"""`krafter up` when a node dies: reported at once with the node's own log, and a re-run continues the same cluster.

Issue 18, item 5: a first `up` whose broker died during start-up left no cluster record, so
the next `up` of the same file drew a new cluster id (and port range), found every node's
files changed and restarted the nodes that had started "to apply its new configuration",
then waited 240 s for brokers that could never join. The record is now written before any
node starts, and a node that exits is reported as soon as it is gone.
"""

from __future__ import annotations

import copy
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from krafter.api import cluster as assembly
from krafter.api import parse
from krafter.core.errors import EnvironmentProblem
from krafter.platform.local import cluster as local
from krafter.platform.local import processes

pytestmark = pytest.mark.e2e


def pool(name: str, roles: list[str]) -> dict[str, Any]:
    return {
        "apiVersion": "kafka.strimzi.io/v1",
        "kind": "KafkaNodePool",
        "metadata": {"name": name, "labels": {"strimzi.io/cluster": "dies"}},
        "spec": {"replicas": 1, "roles": roles, "storage": {"type": "persistent-claim", "size": "1Gi"}},
    }


CONTROLLERS = pool("controller", ["controller"])
BROKERS = pool("broker", ["broker"])
# The JVM refuses to start with an option it does not know: a node that dies during start-up.
BROKEN_BROKERS = copy.deepcopy(BROKERS)
BROKEN_BROKERS["spec"]["jvmOptions"] = {"-XX": {"KrafterNoSuchOption": "true"}}
KAFKA: dict[str, Any] = {
    "apiVersion": "kafka.strimzi.io/v1",
    "kind": "Kafka",
    "metadata": {"name": "dies"},
    "spec": {
        "kafka": {
            "listeners": [{"name": "plain", "port": 9092, "type": "internal", "tls": False}],
            "config": {"offsets.topic.replication.factor": 1, "min.insync.replicas": 1},
        }
    },
}


def up(platform: local.LocalPlatform, *docs: dict[str, Any]) -> local.UpResult:
    [cluster], _ = assembly.assemble(parse.load(list(docs)))
    return platform.up(cluster, list(docs), timeout=240)


@pytest.fixture(scope="module")
def platform(kafka_dist, tmp_path_factory) -> Any:  # type: ignore[no-untyped-def]
    platform = local.LocalPlatform(Path(tmp_path_factory.mktemp("dies-state")))
    yield platform
    if platform.state("dies").node_pods():
        platform.down("dies", delete_data=True)


@pytest.fixture(scope="module")
def failed_first_up(platform: local.LocalPlatform) -> tuple[EnvironmentProblem, float]:
    started = time.monotonic()
    with pytest.raises(EnvironmentProblem) as failure:
        up(platform, CONTROLLERS, BROKEN_BROKERS, KAFKA)
    return failure.value, time.monotonic() - started


def test_a_node_that_dies_at_start_is_reported_at_once_with_its_log(
    failed_first_up: tuple[EnvironmentProblem, float],
) -> None:
    error, seconds = failed_first_up
    assert "dies-broker-0 exited during start-up" in str(error)
    assert "KrafterNoSuchOption" in str(error)  # the JVM's own words, from the node's log
    assert seconds < 120  # not the 240 s health timeout


def test_the_cluster_identity_is_kept_when_the_first_up_fails(
    platform: local.LocalPlatform, failed_first_up: tuple[EnvironmentProblem, float]
) -> None:
    record = platform.state("dies").load()
    assert record is not None
    assert record.founding_voters == [1]  # the controller (pools take ids by name: broker 0)


def test_rerunning_after_a_failed_first_up_restarts_nothing_that_runs(
    platform: local.LocalPlatform, failed_first_up: tuple[EnvironmentProblem, float]
) -> None:
    cluster_id = platform.state("dies").load().cluster_id  # type: ignore[union-attr]
    result = up(platform, CONTROLLERS, BROKERS, KAFKA)
    assert (result.started, result.restarted) == (["dies-broker-0"], [])
    assert result.plan.cluster_id == cluster_id


def test_a_node_that_exits_while_waiting_for_health_is_reported_at_once(
    platform: local.LocalPlatform, failed_first_up: tuple[EnvironmentProblem, float]
) -> None:
    running = platform.attach("dies")
    broker = running.plan.node(0)
    pid = processes.running_pid(local.dirs_of(running.state, broker))
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    processes.wait_gone(local.dirs_of(running.state, broker), pid)
    started = time.monotonic()
    with pytest.raises(EnvironmentProblem, match="dies-broker-0 is not running") as failure:
        platform.wait_healthy(running.plan, running.identity, 240, running.state)
    assert time.monotonic() - started < 5
    assert "Last log lines" in str(failure.value)
