"""A Kubernetes cluster whose Pods really run: control plane + process kubelet + Krafter installed
the way a user installs it (`kubectl apply --server-side -f install/crds -f install/operator`).

What the end-to-end tier holds: helpers to apply files, wait for conditions, run a client Pod
(the Krafter image with a script from a ConfigMap, as an application would run) and read a
Pod's log from the kubelet's state directory. Everything binds to loopback; `stop()` leaves
no process, mount or directory behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from lightkube import ApiError, Client
from lightkube.generic_resource import create_namespaced_resource
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import ConfigMap, Namespace, Pod

from krafter.core import images
from krafter.testing.control_plane import ControlPlane
from krafter.testing.kube_binaries import KubeBinaries

REPO = Path(__file__).resolve().parents[3]
KafkaResource = create_namespaced_resource("kafka.strimzi.io", "v1", "Kafka", "kafkas")


def wait_for(what: str, check: Callable[[], Any], timeout: float, interval: float = 1.0) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        with contextlib.suppress(ApiError, OSError):
            last = check()
            if last:
                return last
        time.sleep(interval)
    raise TimeoutError(f"{what}: not within {timeout:.0f} s (last: {last!r})")


@dataclass
class PodCluster:
    binaries: KubeBinaries
    workdir: Path
    nodes: int = 3
    plane: ControlPlane = field(init=False)
    client: Client = field(init=False)
    kubelet: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        self.plane = ControlPlane(self.binaries, self.workdir / "plane", runs_pods=True)

    @property
    def kubelet_dir(self) -> Path:
        return self.workdir / "kubelet"

    @property
    def kubeconfig(self) -> Path:
        return self.plane.kubeconfig_path

    def start(self) -> None:
        self.plane.start()
        from lightkube import KubeConfig

        self.client = Client(KubeConfig.from_dict(self.plane.kubeconfig()), field_manager="krafter-tests")
        self.start_kubelet()

    def start_kubelet(self) -> None:
        log = (self.workdir / "kubelet.log").open("ab")
        self.kubelet = subprocess.Popen(
            [sys.executable, "-m", "krafter.testing.kubelet", "--kubeconfig", str(self.kubeconfig),
             "--state-dir", str(self.kubelet_dir), "--nodes", str(self.nodes)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        log.close()

    def kubectl(self, *args: str, check: bool = True) -> str:
        result = subprocess.run(
            ["kubectl", f"--kubeconfig={self.kubeconfig}", *args], capture_output=True, text=True, check=False
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"kubectl {' '.join(args)}: {result.stderr}")
        return result.stdout

    def install_krafter(self) -> None:
        """As install/README.md says, then wait for the operator's Deployment."""
        self.kubectl("apply", "--server-side", "-f", str(REPO / "install" / "crds"))
        self.kubectl("apply", "--server-side", "-f", str(REPO / "install" / "operator"))
        self.kubectl("-n", "krafter", "rollout", "status", "deployment/krafter-operator", "--timeout=180s")

    def create_namespace(self, name: str) -> None:
        self.client.create(Namespace(metadata=ObjectMeta(name=name)))
        # The ServiceAccount admission plugin refuses Pods until the default account exists.
        wait_for(f"default ServiceAccount in {name}", lambda: self.kubectl("-n", name, "get", "sa", "default"), 30)

    def kafka_condition(self, namespace: str, name: str, kind: str) -> dict[str, Any] | None:
        found = self.client.get(KafkaResource, name, namespace=namespace)
        for condition in (found.get("status") or {}).get("conditions") or []:
            if condition.get("type") == kind and condition.get("status") == "True":
                return dict(condition)
        return None

    def wait_kafka_ready(self, namespace: str, name: str, timeout: float = 420) -> None:
        def ready() -> bool:
            found = self.client.get(KafkaResource, name, namespace=namespace)
            status = found.get("status") or {}
            generation = found["metadata"].get("generation")
            return status.get("observedGeneration") == generation and any(
                c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or []
            )

        wait_for(f"Kafka {namespace}/{name} Ready", ready, timeout, interval=2)

    def kafka_pods(self, namespace: str, cluster: str) -> dict[str, Any]:
        pods: list[Any] = list(self.client.list(Pod, namespace=namespace, labels={"strimzi.io/cluster": cluster}))
        return {p.metadata.name: p for p in pods if p.metadata.name.startswith(f"{cluster}-")}

    @staticmethod
    def is_ready(pod: Any) -> bool:
        return any(c.type == "Ready" and c.status == "True" for c in (pod.status.conditions or []))

    def container_pid(self, namespace: str, name: str) -> int:
        """The main process of a Pod's first container (the kubelet reports `process://PID`)."""
        pod: Any = self.client.get(Pod, name, namespace=namespace)
        return int(pod.status.containerStatuses[0].containerID.removeprefix("process://"))

    def active_controller(self, namespace: str, cluster: str) -> str:
        """The Pod whose node most recently became the quorum leader, from the nodes' own logs."""
        latest: tuple[str, str] | None = None
        for name in self.kafka_pods(namespace, cluster):
            for line in self.pod_log(namespace, name, "kafka").splitlines():
                if "Completed transition to Leader(" in line and (latest is None or line[:23] > latest[0]):
                    latest = (line[:23], name)
        if latest is None:
            raise AssertionError("no node logged becoming the quorum leader")
        return latest[1]

    # --- Pods and their logs ---------------------------------------------------------------
    def pod_log(self, namespace: str, name: str, container: str | None = None) -> str:
        found = sorted(self.kubelet_dir.glob(f"pods/{namespace}_{name}_*/containers/{container or '*'}/container.log"))
        return "\n".join(path.read_text(errors="replace") for path in found)

    def run_client(
        self,
        namespace: str,
        name: str,
        args: list[str],
        *,
        ca_secret: str | None = None,
        user_secret: str | None = None,
        wait: bool = True,
        timeout: float = 300,
    ) -> dict[str, Any]:
        """A Pod running tests/k8s/kafka_client.py; its summary (the log's last JSON line) once it ends."""
        script = REPO / "tests" / "k8s" / "kafka_client.py"
        with contextlib.suppress(ApiError):
            self.client.create(
                ConfigMap(
                    metadata=ObjectMeta(name="kafka-client", namespace=namespace),
                    data={"kafka_client.py": script.read_text()},
                )
            )
        volumes: list[dict[str, Any]] = [
            {"name": "script", "configMap": {"name": "kafka-client"}},
            {"name": "control", "configMap": {"name": f"{name}-control", "optional": True}},
        ]
        mounts: list[dict[str, Any]] = [
            {"name": "script", "mountPath": "/scripts"},
            {"name": "control", "mountPath": "/control"},
        ]
        env: list[dict[str, Any]] = []
        if ca_secret:
            volumes.append(
                {"name": "ca", "secret": {"secretName": ca_secret, "items": [{"key": "ca.crt", "path": "ca.crt"}]}}
            )
            mounts.append({"name": "ca", "mountPath": "/ca"})
        if user_secret:
            volumes.append({"name": "user", "secret": {"secretName": user_secret}})
            mounts.append({"name": "user", "mountPath": "/user"})
            if "--scram" in args:
                env.append(
                    {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": user_secret, "key": "password"}}}
                )
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace, "labels": {"app": "kafka-client"}},
            "spec": {
                "restartPolicy": "Never",
                "containers": [{
                    "name": "client",
                    "image": images.operator_image(),
                    "command": ["python", "/scripts/kafka_client.py", *args],
                    "env": env,
                    "volumeMounts": mounts,
                }],
                "volumes": volumes,
            },
        }  # fmt: skip
        self.client.create(cast(Pod, Pod.from_dict(pod)))
        if not wait:
            return {}
        return self.client_result(namespace, name, timeout)

    def stop_client(self, namespace: str, name: str) -> None:
        """Ask a producer to finish (it checks /control/stop, refreshed within seconds)."""
        control = ObjectMeta(name=f"{name}-control", namespace=namespace)
        self.client.create(ConfigMap(metadata=control, data={"stop": "1"}))

    def client_result(self, namespace: str, name: str, timeout: float = 300) -> dict[str, Any]:
        def ended() -> str | None:
            pod: Any = self.client.get(Pod, name, namespace=namespace)
            phase = pod.status.phase
            return phase if phase in ("Succeeded", "Failed") else None

        phase = wait_for(f"client Pod {name}", ended, timeout)
        log = self.pod_log(namespace, name)
        if phase != "Succeeded":
            raise AssertionError(f"client Pod {name} {phase}:\n{log[-3000:]}")
        summary = json.loads(log.strip().splitlines()[-1])
        self.client.delete(Pod, name, namespace=namespace)
        return dict(summary)

    # --- teardown ----------------------------------------------------------------------------
    def stop_kubelet(self) -> None:
        if self.kubelet is not None and self.kubelet.poll() is None:
            os.killpg(self.kubelet.pid, signal.SIGTERM)
            try:
                self.kubelet.wait(timeout=90)
            except subprocess.TimeoutExpired:
                os.killpg(self.kubelet.pid, signal.SIGKILL)
                self.kubelet.wait(timeout=30)
        self.kubelet = None

    def stop(self) -> None:
        self.stop_kubelet()
        with contextlib.suppress(AttributeError):
            self.client.close()
        self.plane.stop()


def numbers(ranges: list[list[int]]) -> set[int]:
    return {n for start, end in ranges for n in range(start, end + 1)}
