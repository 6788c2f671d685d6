"""Fault targets: how a drill reaches into one platform's cluster to break it and bring it back.

A drill decides *what* to break (`scenarios.choose_fault`); a target knows *how* on its
platform. The local platform breaks nodes with signals to their processes (the pids
`krafter up` keeps in the state dir) and restarts them as `krafter up` would. A lost node
(`node-down`) also loses its ephemeral volumes, as a Kubernetes Pod loses its emptyDir:
persistent volumes survive, so with persistent storage a node's data outlives any fault.

TODO(kubernetes): a `KubernetesFaultTarget` for clusters the operator manages (`--kubeconfig`,
`-n`): `crash` deletes the node's Pod with grace period 0 through lightkube (node-down: every
Pod of the node; full-crash: every Pod of the cluster), `restore` waits until the operator has
recreated the Pods and they are Ready, `roll` annotates every Pod with
`strimzi.io/manual-rolling-update=true` and waits for the operator's roll to finish, and
`pause` is unsupported (no SIGSTOP through the API; in the test tier the process kubelet's
processes could be stopped). Its `wait_healthy` is the Kafka's Ready condition plus the checks
below. The drill itself needs no change: it only uses the `FaultTarget` protocol. One open
question is where the workload runs: a client outside the cluster reaches brokers only through
an external listener, so `client_settings` would pick one (route/loadbalancer/nodeport), or the
producer and consumer run in a Pod as tests/k8s/kafka_client.py does and report back.
"""

from __future__ import annotations

import shutil
import signal
from typing import Protocol

from krafter.kafka.admin_types import ConnectionSettings, SecurityProtocol
from krafter.plan.model import AuthType
from krafter.platform.local import cluster as local
from krafter.platform.local import processes
from krafter.verify.scenarios import Action, Fault, NodeView


class FaultTarget(Protocol):
    """One cluster on one platform, as a drill sees it."""

    @property
    def name(self) -> str: ...

    def nodes(self) -> tuple[NodeView, ...]: ...

    def admin_settings(self) -> ConnectionSettings:
        """Super-user Admin access (topic creation and deletion, leader and quorum lookups)."""
        ...

    def client_settings(self) -> ConnectionSettings:
        """Where the drill's producer and consumer connect."""
        ...

    def inject(self, fault: Fault) -> None:
        """Break the nodes (a roll runs to its end here)."""
        ...

    def restore(self, fault: Fault) -> None:
        """Bring the broken nodes back (start or resume them); returns once they are started."""
        ...

    def wait_healthy(self, timeout: float) -> None:
        """Until every node runs, every broker is registered and every controller is a voter;
        raises with the reason (and the node's own log where there is one) otherwise."""
        ...


class LocalFaultTarget:
    """A cluster `krafter up` started on this machine; faults are signals to its processes."""

    def __init__(self, platform: local.LocalPlatform, name: str) -> None:
        self.platform = platform
        self.running = platform.attach(name)

    @property
    def name(self) -> str:
        return self.running.plan.name

    def nodes(self) -> tuple[NodeView, ...]:
        return tuple(
            NodeView(n.node_id, n.pod_name, broker=n.is_broker, controller=n.is_controller)
            for n in self.running.plan.nodes
        )

    def admin_settings(self) -> ConnectionSettings:
        return self.running.admin_settings()

    def client_settings(self) -> ConnectionSettings:
        """A plain, unauthenticated listener when the cluster has one (cheapest on CPU, so the
        drill measures Kafka rather than TLS); else Krafter's own mTLS identity."""
        for listener in self.running.plan.listeners:
            if listener.protocol.value == SecurityProtocol.PLAINTEXT.value and listener.auth is AuthType.NONE:
                return ConnectionSettings(
                    bootstrap_servers=",".join(str(e) for e in listener.bootstrap), client_id="krafter-verify"
                )
        return self.admin_settings()

    def _dirs(self, node_id: int) -> processes.NodeDirs:
        return local.dirs_of(self.running.state, self.running.plan.node(node_id))

    def inject(self, fault: Fault) -> None:
        if fault.action is Action.ROLL:
            self.platform.roll(self.running)
            return
        signum = signal.SIGSTOP if fault.action is Action.PAUSE else signal.SIGKILL
        whole_node = fault.action in {Action.KILL_NODE, Action.PAUSE}
        # Signal every target first, then wait: a full crash is all nodes at the same moment.
        killed = [
            (node_id, pid)
            for node_id in fault.node_ids
            if (pid := processes.send_signal(self._dirs(node_id), signum, group=whole_node)) is not None
        ]
        if fault.action is Action.PAUSE:
            return
        for node_id, pid in killed:
            processes.wait_gone(self._dirs(node_id), pid)
        if fault.action is Action.KILL_NODE:
            for node_id in fault.node_ids:
                self._lose_ephemeral_volumes(node_id)

    def _lose_ephemeral_volumes(self, node_id: int) -> None:
        for volume in self.running.plan.node(node_id).volumes:
            if volume.type == "ephemeral":
                shutil.rmtree(volume.mount_path, ignore_errors=True)

    def restore(self, fault: Fault) -> None:
        if fault.action is Action.ROLL:
            return
        if fault.action is Action.PAUSE:
            for node_id in fault.node_ids:
                processes.send_signal(self._dirs(node_id), signal.SIGCONT, group=True)
            return
        self.platform.start_nodes(self.running, fault.node_ids)

    def wait_healthy(self, timeout: float) -> None:
        self.platform.wait_healthy(self.running.plan, self.running.identity, timeout, self.running.state)
