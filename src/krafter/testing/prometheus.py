"""A real Prometheus for the monitoring tests: Debian's `prometheus` package, run on 127.0.0.1.

The package brings `prometheus` and `promtool` (2.42 on Debian 12). `prepare` installs it with
apt-get when it is missing and we may (root, apt-get present); the tests start their own
server on a free port with a throw-away data directory, never the package's service.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from krafter.core.errors import EnvironmentProblem

PACKAGE = "prometheus"


@dataclass(frozen=True)
class PrometheusBinaries:
    prometheus: Path
    promtool: Path


def find() -> PrometheusBinaries | None:
    prometheus, promtool = shutil.which("prometheus"), shutil.which("promtool")
    if prometheus is None or promtool is None:
        return None
    return PrometheusBinaries(Path(prometheus), Path(promtool))


def ensure(progress: Callable[[str], None] = lambda _: None) -> PrometheusBinaries:
    """The binaries, installing Debian's package first when they are missing and apt-get can."""
    found = find()
    if found is not None:
        return found
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        raise EnvironmentProblem(f"Prometheus is not installed: run `apt-get install -y {PACKAGE}` (as root)")
    progress(f"installing Debian's {PACKAGE} package (apt-get update + install)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in ([apt, "update", "-q"], [apt, "install", "-y", "-q", "--no-install-recommends", PACKAGE]):
        result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        if result.returncode != 0:
            raise EnvironmentProblem(f"{' '.join(command)} failed: {result.stderr.strip()[-500:]}")
    found = find()
    if found is None:
        raise EnvironmentProblem(f"the {PACKAGE} package installed no prometheus/promtool on PATH")
    return found


def check_rules(binaries: PrometheusBinaries, rules_file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(binaries.promtool), "check", "rules", str(rules_file)], capture_output=True, text=True, check=False
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PrometheusServer:
    """One Prometheus process with a given configuration; `query` and `alerts` use its HTTP API."""

    def __init__(self, binaries: PrometheusBinaries, workdir: Path, config: dict[str, Any]) -> None:
        self.binaries = binaries
        self.workdir = workdir
        self.port = free_port()
        self.config_file = workdir / "prometheus.yml"
        self.config_file.write_text(yaml.safe_dump(config, sort_keys=False))
        self.log_file = workdir / "prometheus.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        with self.log_file.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    str(self.binaries.prometheus),
                    f"--config.file={self.config_file}",
                    f"--storage.tsdb.path={self.workdir / 'data'}",
                    f"--web.listen-address=127.0.0.1:{self.port}",
                    "--web.enable-lifecycle",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise EnvironmentProblem(f"prometheus exited: {self.log_file.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise EnvironmentProblem(f"prometheus not ready within {timeout:.0f} s: {self.log_file.read_text()[-2000:]}")

    def reload(self, config: dict[str, Any]) -> None:
        self.config_file.write_text(yaml.safe_dump(config, sort_keys=False))
        request = urllib.request.Request(f"{self.url}/-/reload", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass

    def _get(self, path: str, **params: str) -> Any:
        url = f"{self.url}{path}?{urllib.parse.urlencode(params)}" if params else f"{self.url}{path}"
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                body = json.loads(response.read())
        except urllib.error.HTTPError as exc:  # a PromQL error is a 400 with a JSON body
            body = json.loads(exc.read())
        if body.get("status") != "success":
            raise PromqlError(f"{body.get('errorType')}: {body.get('error')}")
        return body["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        """Instant vector results (a scalar counts as one series)."""
        data = self._get("/api/v1/query", query=expr)
        if data["resultType"] in ("scalar", "string"):
            return [{"metric": {}, "value": data["result"]}]
        return list(data["result"])

    def alerts(self) -> list[dict[str, Any]]:
        return list(self._get("/api/v1/alerts")["alerts"])

    def rule_groups(self) -> list[dict[str, Any]]:
        return list(self._get("/api/v1/rules")["groups"])

    def targets(self) -> list[dict[str, Any]]:
        return list(self._get("/api/v1/targets")["activeTargets"])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class PromqlError(Exception):
    """Prometheus refused a query (parse or evaluation error)."""
