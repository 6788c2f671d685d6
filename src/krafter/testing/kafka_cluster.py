"""A plain KRaft cluster of real Kafka processes on 127.0.0.1, for tests and benchmarks.

This harness deliberately knows nothing of Krafter's CRs or planner: it is the fixed point
other tiers are measured against (the `kafka` test tier and the "floor" in benchmarks).
Every node has combined roles and a dynamic (KIP-853) quorum, as Krafter plans them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from krafter.core.errors import EnvironmentProblem
from krafter.kafka import runtime
from krafter.kafka.dist import KafkaDistribution


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class KafkaNodeProcess:
    node_id: int
    broker_port: int
    controller_port: int
    config: Path
    log_file: Path
    process: subprocess.Popen[bytes] | None = None
    _log_handle: IO[bytes] | None = field(default=None, repr=False)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = 20) -> str:
        if not self.log_file.exists():
            return ""
        return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])


class LocalKafkaCluster:
    """N combined-role nodes, formatted in `base_dir`, started as child processes."""

    def __init__(
        self,
        dist: KafkaDistribution,
        base_dir: Path,
        *,
        nodes: int = 3,
        heap: str = "512m",
        extra_config: dict[str, str] | None = None,
    ) -> None:
        self.dist = dist
        self.base_dir = base_dir
        self.heap = heap
        self.cluster_id = runtime.random_uuid()
        self.nodes = [
            KafkaNodeProcess(
                node_id=i,
                broker_port=free_port(),
                controller_port=free_port(),
                config=base_dir / f"node-{i}" / "server.properties",
                log_file=base_dir / f"node-{i}" / "kafka.log",
            )
            for i in range(nodes)
        ]
        self.extra_config = extra_config or {}

    @property
    def bootstrap_servers(self) -> str:
        return ",".join(f"127.0.0.1:{n.broker_port}" for n in self.nodes)

    def node(self, node_id: int) -> KafkaNodeProcess:
        return next(n for n in self.nodes if n.node_id == node_id)

    def _properties(self, node: KafkaNodeProcess) -> dict[str, str]:
        replication = str(min(3, len(self.nodes)))
        quorum = ",".join(f"127.0.0.1:{n.controller_port}" for n in self.nodes)
        return {
            "process.roles": "broker,controller",
            "node.id": str(node.node_id),
            "listeners": f"PLAINTEXT://127.0.0.1:{node.broker_port},CONTROLLER://127.0.0.1:{node.controller_port}",
            "advertised.listeners": (
                f"PLAINTEXT://127.0.0.1:{node.broker_port},CONTROLLER://127.0.0.1:{node.controller_port}"
            ),
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "controller.quorum.bootstrap.servers": quorum,
            "log.dirs": str(node.config.parent / "data"),
            "num.partitions": "1",
            "default.replication.factor": replication,
            "offsets.topic.replication.factor": replication,
            "transaction.state.log.replication.factor": replication,
            "transaction.state.log.min.isr": str(min(2, len(self.nodes))),
            "min.insync.replicas": str(min(2, len(self.nodes))),
            "group.initial.rebalance.delay.ms": "0",
            **self.extra_config,
        }

    def format(self) -> None:
        directory_ids = {n.node_id: runtime.random_uuid() for n in self.nodes}
        initial = ",".join(f"{n.node_id}@127.0.0.1:{n.controller_port}:{directory_ids[n.node_id]}" for n in self.nodes)
        for node in self.nodes:
            node.config.parent.mkdir(parents=True, exist_ok=True)
            text = "".join(f"{k}={v}\n" for k, v in self._properties(node).items())
            node.config.write_text(text)
        # One StorageTool JVM per node, in parallel: formatting is JVM start-up bound.
        procs = []
        for node in self.nodes:
            args = ["format", "-t", self.cluster_id, "-c", str(node.config), "--initial-controllers", initial]
            command = runtime.java_command(self.dist, runtime.STORAGE_TOOL, args, heap="256m")
            procs.append((node, subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)))
        for node, proc in procs:
            out, _ = proc.communicate(timeout=120)
            if proc.returncode != 0:
                raise EnvironmentProblem(f"Formatting node {node.node_id} failed:\n{out.decode()[-2000:]}")

    def start_node(self, node_id: int) -> None:
        node = self.node(node_id)
        if node.running:
            return
        command = runtime.java_command(
            self.dist, runtime.KAFKA_MAIN, [str(node.config)], heap=self.heap, log_dir=node.config.parent
        )
        node._log_handle = node.log_file.open("ab")
        # A new session per node: the harness can signal it alone, and a crashed test
        # run still leaves the JVM reachable by its process group id.
        node.process = subprocess.Popen(
            command, stdout=node._log_handle, stderr=subprocess.STDOUT, start_new_session=True
        )

    def start(self, timeout: float = 120.0) -> None:
        self.format()
        for node in self.nodes:
            self.start_node(node.node_id)
        self.wait_ready(timeout=timeout)

    def wait_ready(self, timeout: float = 120.0, expected_brokers: int | None = None) -> None:
        """Until the admin client sees every running broker registered."""
        from kafka.admin import KafkaAdminClient

        wanted = expected_brokers if expected_brokers is not None else sum(n.running for n in self.nodes)
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            dead = [n for n in self.nodes if n.process is not None and n.process.poll() is not None]
            if len(dead) == len(self.nodes):
                raise EnvironmentProblem(f"All Kafka nodes exited. Last log lines:\n{dead[0].log_tail()}")
            try:
                live = ",".join(f"127.0.0.1:{n.broker_port}" for n in self.nodes if n.running)
                admin = KafkaAdminClient(bootstrap_servers=live, request_timeout_ms=5000)
                try:
                    brokers = admin.describe_cluster()["brokers"]
                finally:
                    admin.close()
                if len(brokers) >= wanted:
                    return
            except Exception as exc:  # not up yet; keep polling until the deadline
                last_error = exc
            time.sleep(0.5)
        tails = "\n".join(f"--- node {n.node_id}\n{n.log_tail(8)}" for n in self.nodes)
        raise EnvironmentProblem(f"Kafka cluster not ready after {timeout:.0f} s ({last_error}).\n{tails}")

    def kill_node(self, node_id: int, sig: signal.Signals = signal.SIGKILL) -> None:
        node = self.node(node_id)
        if node.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(node.process.pid, sig)
        node.process.wait(timeout=60)
        if node._log_handle is not None:
            node._log_handle.close()
        node.process = None

    def stop_node(self, node_id: int, timeout: float = 30.0) -> None:
        node = self.node(node_id)
        if node.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(node.process.pid, signal.SIGTERM)
        try:
            node.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill_node(node_id)
            return
        if node._log_handle is not None:
            node._log_handle.close()
        node.process = None

    def stop(self) -> None:
        # SIGTERM all at once (a controlled shutdown each), then reap; kill stragglers.
        for node in self.nodes:
            if node.process is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(node.process.pid, signal.SIGTERM)
        for node in self.nodes:
            self.stop_node(node.node_id, timeout=20.0)
