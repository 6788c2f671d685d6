"""The local cluster's consumer-lag exporter: a small background process `up` starts, `down` stops.

It serves Kafka Exporter-compatible `/metrics` (see `krafter.monitoring.lag`) for a Kafka with
`spec.kafkaExporter`, from one batched offsets pass per interval, on the last port of the
cluster's port range (stable across restarts, so a scrape configuration stays valid). It runs
in its own session like the Kafka nodes, so it outlives `krafter up`.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from krafter.core.errors import EnvironmentProblem
from krafter.monitoring import lag, lag_collector
from krafter.monitoring.lag_collector import DEFAULT_INTERVAL, LagCollector
from krafter.plan.model import ClusterPlan
from krafter.platform.local import security
from krafter.platform.local.state import ClusterRecord, ClusterState

PORT_OFFSET = 999
"""Above port_base: the last port of the cluster's 1000 (node blocks fill it from the bottom)."""
MODULE = "krafter.platform.local.lag_exporter"


def port_of(record: ClusterRecord) -> int:
    return record.port_base + PORT_OFFSET


def _dir(state: ClusterState) -> Path:
    return state.root / "kafka-exporter"


def running_pid(state: ClusterState) -> int | None:
    pid_file = _dir(state) / "pid"
    try:
        pid = int(pid_file.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return pid if MODULE.encode() in cmdline else None  # a recycled pid is somebody else's process


def address(state: ClusterState) -> str | None:
    """host:port of the running exporter, or None."""
    record = state.load()
    if record is None or running_pid(state) is None:
        return None
    return f"127.0.0.1:{port_of(record)}"


def ensure(state: ClusterState, interval: float = DEFAULT_INTERVAL, timeout: float = 20.0) -> str:
    """Start the exporter unless it runs; its address once it answers."""
    record = state.load()
    if record is None:
        raise EnvironmentProblem(f"no local cluster state at {state.root}")
    endpoint = f"127.0.0.1:{port_of(record)}"
    if running_pid(state) is not None:
        return endpoint
    folder = _dir(state)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "exporter.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", MODULE, str(state.base), state.name, "--interval", str(interval)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    (folder / "pid").write_text(f"{process.pid}\n")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise EnvironmentProblem(f"the consumer-lag exporter exited; see {folder / 'exporter.log'}")
        if (folder / "ready").exists():
            return endpoint
        time.sleep(0.1)
    raise EnvironmentProblem(f"the consumer-lag exporter did not start within {timeout:.0f} s")


def stop(state: ClusterState, timeout: float = 10.0) -> bool:
    pid = running_pid(state)
    if pid is None:
        return False
    os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and running_pid(state) is not None:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.1)
    if running_pid(state) is not None:
        os.killpg(pid, signal.SIGKILL)
    (_dir(state) / "ready").unlink(missing_ok=True)
    return True


def serve(collector: LagCollector, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.startswith("/metrics"):
                body, code = collector.render().encode(), 200
            else:
                body, code = b"not found\n", 404
            self.send_response(code)
            self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    return ThreadingHTTPServer(("127.0.0.1", port), Handler)


def _collector(state: ClusterState, interval: float) -> tuple[LagCollector, ClusterRecord, ClusterPlan]:
    from krafter.platform.local import cluster as local  # the platform module imports this one

    platform = local.LocalPlatform(state.base)
    record = state.load()
    if record is None:
        raise EnvironmentProblem(f"no local cluster state at {state.root}")
    cluster = local.load_cluster_input(state)
    plan = platform.plan(cluster, record)
    spec = plan.kafka.spec.kafka_exporter
    wanted = lag.LagFilter.of(spec) if spec is not None else lag.LagFilter()
    identity = security.OperatorIdentity(
        state.operator_dir / "ca.crt", state.operator_dir / "operator.crt", state.operator_dir / "operator.key"
    )
    read = lag_collector.kafka_pass(local.admin_settings(plan, identity), wanted)
    return LagCollector(read, interval=interval, name=state.name), record, plan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Consumer-lag metrics for one local Krafter cluster.")
    parser.add_argument("state_dir", type=Path)
    parser.add_argument("cluster")
    parser.add_argument("--interval", type=float, default=DEFAULT_INTERVAL)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    state = ClusterState(args.state_dir, args.cluster)
    collector, record, _ = _collector(state, args.interval)
    server = serve(collector, port_of(record))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    (_dir(state) / "ready").write_text("")
    logging.info("cluster=%s serving consumer-lag metrics on 127.0.0.1:%d", args.cluster, port_of(record))
    try:
        server.serve_forever()
    finally:
        (_dir(state) / "ready").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
