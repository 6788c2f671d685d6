"""A real Kubernetes control plane (etcd + kube-apiserver [+ kube-controller-manager]) on loopback.

The envtest approach: the API server is the real one (schema validation, server-side
apply, RBAC, finalizers, status subresources behave exactly as in production); there is
no kubelet or scheduler, so Pods never run and tests play the kubelet by patching Pod
status. The controller manager, when started, adds garbage collection and namespace
deletion. Everything binds to 127.0.0.1 on free ports; `stop()` leaves no process behind.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from krafter.core.errors import EnvironmentProblem
from krafter.testing.kafka_cluster import free_port
from krafter.testing.kube_binaries import KubeBinaries

# Only the controllers Krafter's tests rely on: owner-reference garbage collection,
# namespace cleanup and the default ServiceAccount. Fewer controllers, less CPU.
CONTROLLERS = "garbage-collector-controller,namespace-controller,serviceaccount-controller"
# What a cluster that runs Pods needs besides: Deployments and ReplicaSets (the operator's own
# Deployment), the kube-root-ca.crt ConfigMap (projected service-account volumes), the
# finalizers that keep a claim or volume while in use, and PodDisruptionBudget status.
WORKLOAD_CONTROLLERS = ",".join(
    (
        CONTROLLERS,
        "deployment-controller",
        "replicaset-controller",
        "root-ca-certificate-publisher-controller",
        "persistentvolumeclaim-protection-controller",
        "persistentvolume-protection-controller",
        "disruption-controller",
    )
)


@dataclass
class _Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: IO[bytes]
    log_path: Path


@dataclass
class ControlPlane:
    binaries: KubeBinaries
    workdir: Path
    with_controller_manager: bool = True
    runs_pods: bool = False
    """Scheduler, workload controllers and the ServiceAccount admission plugin: for a process kubelet."""
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    apiserver_port: int = 0
    _procs: list[_Proc] = field(default_factory=list)

    @property
    def server(self) -> str:
        return f"https://127.0.0.1:{self.apiserver_port}"

    @property
    def kubeconfig_path(self) -> Path:
        return self.workdir / "kubeconfig"

    def start(self, timeout: float = 60.0) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        try:
            self._start_etcd()
            self._start_apiserver(timeout)
            self._write_kubeconfig()
            if self.with_controller_manager:
                self._start_controller_manager()
            if self.runs_pods:
                self._start_scheduler()
        except BaseException:
            self.stop()
            raise

    def _spawn(self, name: str, command: list[str]) -> _Proc:
        log_path = self.workdir / f"{name}.log"
        log = log_path.open("ab")
        popen = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        proc = _Proc(name, popen, log, log_path)
        self._procs.append(proc)
        return proc

    def _start_etcd(self) -> None:
        client, peer = free_port(), free_port()
        self.etcd_url = f"http://127.0.0.1:{client}"
        self._spawn(
            "etcd",
            [
                str(self.binaries.etcd),
                f"--data-dir={self.workdir / 'etcd'}",
                f"--listen-client-urls={self.etcd_url}",
                f"--advertise-client-urls={self.etcd_url}",
                f"--listen-peer-urls=http://127.0.0.1:{peer}",
                f"--initial-advertise-peer-urls=http://127.0.0.1:{peer}",
                f"--initial-cluster=default=http://127.0.0.1:{peer}",
                "--unsafe-no-fsync",
                "--log-level=warn",
            ],
        )

    def _service_account_keys(self) -> tuple[Path, Path]:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        key_path, pub_path = self.workdir / "sa.key", self.workdir / "sa.pub"
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            )
        )
        pub_path.write_bytes(
            key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
        return key_path, pub_path

    def _start_apiserver(self, timeout: float) -> None:
        self.apiserver_port = free_port()
        key_path, pub_path = self._service_account_keys()
        tokens = self.workdir / "tokens.csv"
        tokens.write_text(f'{self.token},admin,admin-uid,"system:masters"\n')
        proc = self._spawn(
            "kube-apiserver",
            [
                str(self.binaries.kube_apiserver),
                f"--etcd-servers={self.etcd_url}",
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                f"--secure-port={self.apiserver_port}",
                f"--cert-dir={self.workdir / 'certs'}",
                f"--service-account-issuer={self.server}",
                f"--service-account-key-file={pub_path}",
                f"--service-account-signing-key-file={key_path}",
                "--service-cluster-ip-range=10.0.0.0/16",
                "--authorization-mode=RBAC",
                f"--token-auth-file={tokens}",
                *(() if self.runs_pods else ("--disable-admission-plugins=ServiceAccount",)),
                "--allow-privileged=true",
                "--profiling=false",
                "--v=0",
            ],
        )
        self._wait_ready(proc, timeout)

    def _wait_ready(self, proc: _Proc, timeout: float) -> None:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        request = urllib.request.Request(f"{self.server}/readyz", headers={"Authorization": f"Bearer {self.token}"})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.popen.poll() is not None:
                raise EnvironmentProblem(f"kube-apiserver exited:\n{self._tail(proc)}")
            with (
                contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError, OSError),
                urllib.request.urlopen(request, context=context, timeout=2) as response,
            ):
                if response.status == 200:
                    return
            time.sleep(0.2)
        raise EnvironmentProblem(f"kube-apiserver not ready after {timeout:.0f} s:\n{self._tail(proc)}")

    @staticmethod
    def _tail(proc: _Proc) -> str:
        return "\n".join(proc.log_path.read_text(errors="replace").splitlines()[-15:])

    def kubeconfig(self) -> dict[str, object]:
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": "krafter-test",
                    "cluster": {
                        "server": self.server,
                        "certificate-authority": str(self.workdir / "certs" / "apiserver.crt"),
                    },
                }
            ],
            "users": [{"name": "admin", "user": {"token": self.token}}],
            "contexts": [{"name": "krafter-test", "context": {"cluster": "krafter-test", "user": "admin"}}],
            "current-context": "krafter-test",
        }

    def _write_kubeconfig(self) -> None:
        self.kubeconfig_path.write_text(yaml.safe_dump(self.kubeconfig()))
        os.chmod(self.kubeconfig_path, 0o600)

    def _start_controller_manager(self) -> None:
        self._spawn(
            "kube-controller-manager",
            [
                str(self.binaries.kube_controller_manager),
                f"--kubeconfig={self.kubeconfig_path}",
                "--leader-elect=false",
                "--bind-address=127.0.0.1",
                f"--secure-port={free_port()}",
                f"--service-account-private-key-file={self.workdir / 'sa.key'}",
                f"--root-ca-file={self.workdir / 'certs' / 'apiserver.crt'}",
                f"--controllers={WORKLOAD_CONTROLLERS if self.runs_pods else CONTROLLERS}",
                "--concurrent-gc-syncs=5",
                "--v=0",
            ],
        )

    def _start_scheduler(self) -> None:
        self._spawn(
            "kube-scheduler",
            [
                str(self.binaries.kube_scheduler),
                f"--kubeconfig={self.kubeconfig_path}",
                "--leader-elect=false",
                "--bind-address=127.0.0.1",
                f"--secure-port={free_port()}",
                "--v=0",
            ],
        )

    def stop_apiserver(self) -> None:
        """Stop only the API server (a control-plane outage); `restart_apiserver` brings it back."""
        proc = next(p for p in self._procs if p.name == "kube-apiserver")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.popen.pid, signal.SIGTERM)
        try:
            proc.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:  # it drains watches for a while: an outage need not wait
            os.killpg(proc.popen.pid, signal.SIGKILL)
            proc.popen.wait(timeout=30)
        proc.log.close()
        self._procs.remove(proc)
        self._apiserver_command = proc.popen.args

    def restart_apiserver(self, timeout: float = 60.0) -> None:
        proc = self._spawn("kube-apiserver", list(self._apiserver_command))  # type: ignore[arg-type]
        self._wait_ready(proc, timeout)

    def stop(self) -> None:
        for proc in reversed(self._procs):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.popen.pid, signal.SIGTERM)
        for proc in reversed(self._procs):
            try:
                # Nothing here needs a graceful shutdown; don't let the test run wait for one.
                proc.popen.wait(timeout=3)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.popen.pid, signal.SIGKILL)
                proc.popen.wait(timeout=15)
            proc.log.close()
        self._procs.clear()
