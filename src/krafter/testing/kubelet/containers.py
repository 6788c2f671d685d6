"""One container of a Pod as a local process group in a mount namespace of its own (see sandbox.py)."""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from krafter.testing.kubelet.images import ImageRuntime

SANDBOX = Path(__file__).with_name("sandbox.py")


def now_rfc3339() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class ContainerProcess:
    """A started container; `poll()` is its exit code once it has ended."""

    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    started_at: str = field(default_factory=now_rfc3339)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def poll(self) -> int | None:
        return self.popen.poll()

    def signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signum)

    def stop(self, grace: float) -> int:
        """SIGTERM, `grace` seconds, then SIGKILL: the kubelet's order."""
        if self.poll() is None:
            self.signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=max(grace, 0.1))
            except subprocess.TimeoutExpired:
                self.signal(signal.SIGKILL)
                self.popen.wait(timeout=30)
        # The group may hold children that outlived the main process.
        self.signal(signal.SIGKILL)
        return self.popen.returncode


def _user(pod: dict[str, Any], container: dict[str, Any], image: ImageRuntime) -> dict[str, Any]:
    pod_context = pod["spec"].get("securityContext") or {}
    own = container.get("securityContext") or {}
    uid = own.get("runAsUser", pod_context.get("runAsUser", image.uid))
    gid = own.get("runAsGroup", pod_context.get("runAsGroup", image.gid))
    groups = [gid, *pod_context.get("supplementalGroups", [])]
    if "fsGroup" in pod_context:
        groups.append(pod_context["fsGroup"])
    return {"uid": int(uid), "gid": int(gid), "groups": sorted({int(g) for g in groups})}


def start(
    *,
    pod: dict[str, Any],
    container: dict[str, Any],
    image: ImageRuntime,
    env: dict[str, str],
    volume_paths: dict[str, Path],
    directory: Path,
    hosts_file: Path,
) -> ContainerProcess:
    name = container["name"]
    directory.mkdir(parents=True, exist_ok=True)
    mounts = [{"source": m.source, "target": m.target, "readOnly": m.read_only} for m in image.mounts]
    for mount in container.get("volumeMounts") or []:
        source = volume_paths[mount["name"]]
        if mount.get("subPath"):
            source = source / mount["subPath"]
        mounts.append({"source": str(source), "target": mount["mountPath"], "readOnly": bool(mount.get("readOnly"))})
    args = container.get("args")
    if args is None:
        args = [] if container.get("command") else list(image.cmd)
    command = [*(container.get("command") or image.entrypoint), *args]
    if not command:
        raise ValueError(f"container {name}: no command, and its image has no entry point the process kubelet runs")
    hostname = pod["spec"].get("hostname") or pod["metadata"]["name"]
    hostname_file = directory / "hostname"
    hostname_file.write_text(hostname + "\n")
    spec = {
        "root": str(directory / "root"),
        "hostname": hostname[:63],
        "hostnameFile": str(hostname_file),
        "hosts": str(hosts_file),
        "mounts": mounts,
        "directories": list(image.directories),
        "workingDir": container.get("workingDir"),
        "command": command,
        "env": env,
        "user": _user(pod, container, image),
    }
    spec_path = directory / "spec.json"
    spec_path.write_text(json.dumps(spec, indent=1))
    log_path = directory / "container.log"
    log = log_path.open("ab")
    log.write(f"--- {now_rfc3339()} starting {name}: {' '.join(command)}\n".encode())
    log.flush()
    popen = subprocess.Popen(
        [
            "unshare",
            "--mount",
            "--uts",
            "--propagation",
            "private",
            "--",
            sys.executable,
            "-I",
            "-S",
            str(SANDBOX),
            str(spec_path),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    log.close()
    return ContainerProcess(name, popen, log_path)


def wait_all(processes: list[ContainerProcess], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.popen.wait(timeout=max(0.0, deadline - time.monotonic()))
