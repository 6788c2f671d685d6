"""Readiness, liveness and startup probes, run locally the way the kubelet runs them.

tcpSocket connects to the Pod's own address, httpGet asks it over HTTP(S) (certificates not
checked, as the kubelet does), exec runs the command inside the container's mount namespace
and root (`nsenter`). Thresholds, periods and initial delays are the Pod's own.
"""

from __future__ import annotations

import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any


@dataclass
class ProbeState:
    """One probe of one running container: when it runs next and what it concluded."""

    spec: dict[str, Any]
    started: float
    success: bool
    successes: int = 0
    failures: int = 0
    next_run: float = 0.0

    @property
    def period(self) -> float:
        return float(self.spec.get("periodSeconds", 10))

    def due(self, now: float) -> bool:
        return now >= max(self.next_run, self.started + float(self.spec.get("initialDelaySeconds", 0)))

    def record(self, ok: bool, now: float) -> None:
        self.next_run = now + self.period
        if ok:
            self.successes, self.failures = self.successes + 1, 0
            if self.successes >= int(self.spec.get("successThreshold", 1)):
                self.success = True
        else:
            self.successes, self.failures = 0, self.failures + 1
            if self.failures >= int(self.spec.get("failureThreshold", 3)):
                self.success = False


def _port(value: Any, container: dict[str, Any]) -> int:
    if isinstance(value, int) or str(value).isdigit():
        return int(value)
    for port in container.get("ports") or []:
        if port.get("name") == value:
            return int(port["containerPort"])
    raise ValueError(f"container {container['name']} has no port named {value}")


def run_probe(spec: dict[str, Any], container: dict[str, Any], ip: str, pid: int | None) -> bool:
    timeout = float(spec.get("timeoutSeconds", 1))
    try:
        if "tcpSocket" in spec:
            with socket.create_connection((ip, _port(spec["tcpSocket"]["port"], container)), timeout=timeout):
                return True
        if "httpGet" in spec:
            get = spec["httpGet"]
            scheme = str(get.get("scheme", "HTTP")).lower()
            url = f"{scheme}://{ip}:{_port(get['port'], container)}{get.get('path', '/')}"
            context = ssl._create_unverified_context() if scheme == "https" else None
            headers = {h["name"]: h["value"] for h in get.get("httpHeaders") or []}
            request = urllib.request.Request(url, headers=headers)
            with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
                return bool(200 <= response.status < 400)
        if "exec" in spec:
            if pid is None:
                return False
            command = ["nsenter", "-t", str(pid), "-m", "-u", "-r", "-w", "--", *spec["exec"]["command"]]
            result = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
            return result.returncode == 0
    except (OSError, urllib.error.URLError, subprocess.TimeoutExpired, ValueError):
        return False
    raise ValueError(f"unsupported probe {sorted(spec)}")


def new_state(spec: dict[str, Any] | None, *, initially: bool) -> ProbeState | None:
    return ProbeState(spec, time.monotonic(), initially) if spec else None
