"""Kafka node processes on this machine: start through the node start script, stop, find, tail.

Each node runs the same `kafka-node-start.sh` as in a Kubernetes Pod, with environment
variables pointing it at the local Kafka runtime and the node's directory. Nodes run in
their own session so they outlive `krafter up` and can be signalled as a group; the pid file
plus a check of the process's command line guard against a recycled pid.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from krafter.kafka.dist import KafkaDistribution
from krafter.plan.node_files import START_SCRIPT

KAFKA_PERFORMANCE_OPTS = (
    "-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -Djava.awt.headless=true"
)


@dataclass(frozen=True)
class NodeDirs:
    root: Path

    @property
    def config(self) -> Path:
        return self.root / "config"

    @property
    def certs(self) -> Path:
        return self.root / "certs"

    @property
    def run(self) -> Path:
        return self.root / "run"

    @property
    def log(self) -> Path:
        return self.root / "kafka.log"

    @property
    def pid_file(self) -> Path:
        return self.root / "pid"


def running_pid(dirs: NodeDirs) -> int | None:
    """The pid of the node's Kafka process if it is alive (and really is that node)."""
    try:
        pid = int(dirs.pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None
    if str(dirs.root) not in cmdline and str(dirs.config) not in cmdline:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    status = Path(f"/proc/{pid}/status")
    with contextlib.suppress(OSError):
        if "\nState:\tZ" in status.read_text():
            return None
    return pid


def start(dirs: NodeDirs, dist: KafkaDistribution, heap_opts: str, jvm_options: tuple[str, ...]) -> int:
    env = {
        **os.environ,
        "KAFKA_CLASSPATH": dist.classpath,
        "JAVA": str(dist.java),
        "KRAFTER_CONFIG_DIR": str(dirs.config),
        "KRAFTER_RUN_DIR": str(dirs.run),
        "KRAFTER_INIT_DIR": str(dirs.root / "init"),
        "KAFKA_HEAP_OPTS": heap_opts,
        "KAFKA_JVM_PERFORMANCE_OPTS": " ".join([KAFKA_PERFORMANCE_OPTS, *jvm_options]),
        "KAFKA_OPTS": f"-Dkafka.logs.dir={dirs.root / 'logs'} -Dkrafter.node.dir={dirs.root}",
    }
    if dist.metrics_libs is not None:
        env["KRAFTER_METRICS_LIBS"] = str(dist.metrics_libs)
    dirs.run.mkdir(parents=True, exist_ok=True)
    with dirs.log.open("ab") as log:
        process = subprocess.Popen(
            ["sh", str(dirs.config / START_SCRIPT)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=dirs.root,
        )
    dirs.pid_file.write_text(f"{process.pid}\n")
    return process.pid


def exited_early(dirs: NodeDirs, pid: int) -> bool:
    """True once a started node's process is gone (crashed during start-up)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    with contextlib.suppress(ChildProcessError):
        reaped, _ = os.waitpid(pid, os.WNOHANG)
        if reaped == pid:
            return True
    return False


def stop(dirs: NodeDirs, *, timeout: float = 60.0, kill: bool = False) -> bool:
    """Stop the node (SIGTERM: Kafka's controlled shutdown; SIGKILL after `timeout` or if `kill`)."""
    pid = running_pid(dirs)
    if pid is None:
        return False
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL if kill else signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        if running_pid(dirs) is None:
            break
        time.sleep(0.1)
    else:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        time.sleep(0.2)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    dirs.pid_file.unlink(missing_ok=True)
    return True


def stop_all(nodes: list[NodeDirs], *, timeout: float = 60.0) -> list[str]:
    """Signal every node at once, then wait for all; names of the nodes that were running."""
    running = [(dirs, pid) for dirs in nodes if (pid := running_pid(dirs)) is not None]
    for _dirs, pid in running:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for dirs, _pid in running:
        stop(dirs, timeout=max(1.0, deadline - time.monotonic()))
    return [dirs.root.name for dirs, _pid in running]


def send_signal(dirs: NodeDirs, signum: signal.Signals, *, group: bool = False) -> int | None:
    """Signal the node's Kafka process (or with `group` every process of its session, as a
    machine failure would); its pid, or None when it was not running. Used by failover drills."""
    pid = running_pid(dirs)
    if pid is None:
        return None
    with contextlib.suppress(ProcessLookupError):
        if group:
            os.killpg(pid, signum)
        else:
            os.kill(pid, signum)
    return pid


def wait_gone(dirs: NodeDirs, pid: int, timeout: float = 10.0) -> bool:
    """Until the killed process `pid` is gone (reaped when it is our child); False on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        if running_pid(dirs) != pid:
            return True
        time.sleep(0.05)
    return False


def log_tail(dirs: NodeDirs, lines: int = 15) -> str:
    if not dirs.log.exists():
        return "(no log yet)"
    with dirs.log.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - 64 * 1024))
        text = handle.read().decode(errors="replace")
    return "\n".join(text.splitlines()[-lines:])
