"""`krafter operator` as a child process against the test API server, as a deployment would run it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from krafter.testing.kafka_cluster import free_port


@dataclass
class OperatorProcess:
    process: subprocess.Popen[bytes]
    metrics_port: int
    log_path: Path

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}{path}", timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"operator exited {self.process.returncode}:\n{self.log()}")
            try:
                if self.get("/readyz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"operator not ready after {timeout} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:] if self.log_path.exists() else ""

    def dump_stacks(self) -> str:
        """The log after asking the operator for its thread and task stacks (for a failing test's report)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGUSR1)
            self.process.send_signal(signal.SIGUSR2)
            time.sleep(1.0)
        return self.log_path.read_text(errors="replace")[-30000:] if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def start(
    kubeconfig: Path,
    namespaces: list[str],
    workdir: Path,
    *,
    lease_namespace: str = "default",
    resync_seconds: float = 30.0,
    extra_args: list[str] | None = None,
    name: str = "operator",
    env: dict[str, str] | None = None,
) -> OperatorProcess:
    port = free_port()
    log_path = workdir / f"{name}.log"
    command = [
        sys.executable, "-m", "krafter", "operator",
        "--kubeconfig", str(kubeconfig),
        "--metrics-port", str(port),
        "--resync-seconds", str(resync_seconds),
        "--lease-namespace", lease_namespace,
        *[arg for ns in namespaces for arg in ("--namespace", ns)],
        *(extra_args or []),
    ]  # fmt: skip
    log = log_path.open("ab")
    process = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}, start_new_session=True
    )
    operator = OperatorProcess(process, port, log_path)
    operator.wait_ready()
    return operator
