"""Two operator replicas: only the Lease holder acts, and the other takes over when it dies."""

from __future__ import annotations

import secrets
import signal
from pathlib import Path

import pytest
from lightkube.resources.coordination_v1 import Lease
from lightkube.resources.core_v1 import Pod

from krafter.testing import kube_helpers, operator_process
from krafter.testing.waiting import eventually

pytestmark = pytest.mark.kube
EXAMPLE = (
    Path(__file__).resolve().parents[1] / "data" / "strimzi-examples" / "kafka" / "kafka-with-dual-role-nodes.yaml"
)


def docs(cluster: str) -> list[dict]:
    return kube_helpers.example_cluster(EXAMPLE, cluster)


def test_only_the_leader_reconciles_and_a_follower_takes_over(kube, tmp_path) -> None:
    kube_helpers.install_crds(kube.client)
    namespace = f"le-{secrets.token_hex(3)}"
    kube.create_namespace(namespace)
    debug = ["--log-level", "DEBUG"]
    first = operator_process.start(
        kube.kubeconfig_path, [namespace], tmp_path, lease_namespace=namespace, name="a", extra_args=debug
    )
    second = operator_process.start(
        kube.kubeconfig_path, [namespace], tmp_path, lease_namespace=namespace, name="b", extra_args=debug
    )
    try:
        holder = eventually(lambda: kube.client.get(Lease, "krafter-operator", namespace=namespace).spec.holderIdentity)
        leader, follower = (first, second) if holder.endswith(f"-{first.process.pid}") else (second, first)
        kube_helpers.create_all(kube.client, docs("one"), namespace)
        eventually(lambda: len(list(kube.client.list(Pod, namespace=namespace))) == 3)
        eventually(lambda: "reconciled:" in leader.log())  # logged once the pass (status included) ends
        assert "reconciled:" not in follower.log()

        leader.process.send_signal(signal.SIGKILL)
        leader.process.wait(timeout=10)
        eventually(
            lambda: kube.client.get(Lease, "krafter-operator", namespace=namespace).spec.holderIdentity.endswith(
                f"-{follower.process.pid}"
            ),
            timeout=60,
        )
        kube_helpers.create_all(kube.client, docs("two"), namespace)
        try:
            eventually(lambda: len(list(kube.client.list(Pod, namespace=namespace))) == 6, timeout=60)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\nnew leader's log with stacks:\n{follower.dump_stacks()}") from exc
    finally:
        first.stop()
        second.stop()
        kube.delete_namespace(namespace)
