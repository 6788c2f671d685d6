"""The process kubelet: Nodes registered with the API server, and the Pods bound to them run as processes.

Level-based like a real kubelet: every second it lists the Pods on its Nodes, starts the new
ones, stops the deleted ones, provisions a directory-backed PersistentVolume for every unbound
claim, rewrites each Pod's /etc/hosts from the cluster's Services and ready Pods, and writes
each Pod's status when it changed. When the API server is away it keeps every Pod running as
it was and catches up when it returns.
"""

from __future__ import annotations

import base64
import contextlib
import ipaddress
import json
import logging
import shutil
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from lightkube import ApiError, Client
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import ConfigMap, Node, PersistentVolume, PersistentVolumeClaim, Pod, Secret, Service
from lightkube.types import PatchType

from krafter.platform.kubernetes.client import prepare_decoding
from krafter.testing.kubelet import dns
from krafter.testing.kubelet.containers import now_rfc3339
from krafter.testing.kubelet.images import ImageCatalog
from krafter.testing.kubelet.pod_worker import PodWorker
from krafter.testing.kubelet.volumes import VolumeBuilder

log = logging.getLogger("krafter.kubelet")
PROVISIONED_LABEL = "krafter.io/process-kubelet"
POD_NETWORK = ipaddress.ip_network("127.0.1.0/24")
HOST_IP = "127.0.0.1"
SYNC_SECONDS = 1.0
HEARTBEAT_SECONDS = 30.0
SHUTDOWN_GRACE = 10.0


@dataclass
class AddressBook:
    """127.0.1.N per Pod, kept for a Pod's name so a recreated Pod gets its address back
    (fewer stale JVM DNS caches; a real cluster would hand out a new one)."""

    by_pod: dict[str, str] = field(default_factory=dict)

    def address(self, key: str) -> str:
        if key not in self.by_pod:
            taken = set(self.by_pod.values())
            free = next((str(h) for h in list(POD_NETWORK.hosts())[1:] if str(h) not in taken), None)
            if free is None:
                raise RuntimeError("no free pod address left in 127.0.1.0/24")
            self.by_pod[key] = free
        return self.by_pod[key]


class Kubelet:
    def __init__(
        self, client: Client, state_dir: Path, *, nodes: int, zones: int | None = None, krafter_image: str | None = None
    ) -> None:
        self.client = client
        self.state_dir = state_dir
        self.node_names = [f"node-{index}" for index in range(nodes)]
        self.zones = zones or nodes
        self.catalog = ImageCatalog(krafter_image) if krafter_image else ImageCatalog()
        self.volumes = VolumeBuilder(client, state_dir)
        self.addresses = AddressBook()
        self.workers: dict[str, PodWorker] = {}
        self._written: dict[str, str] = {}
        self._hosts_written: dict[str, str] = {}
        self._stop = threading.Event()
        self._last_heartbeat = 0.0
        server = urllib.parse.urlsplit(str(client.config.cluster.server))
        host, port = server.hostname or HOST_IP, str(server.port or 443)
        # What a Pod sees of the `kubernetes` Service: the API server itself (never a ClusterIP).
        self.service_env = {
            "KUBERNETES_SERVICE_HOST": host,
            "KUBERNETES_SERVICE_PORT": port,
            "KUBERNETES_SERVICE_PORT_HTTPS": port,
            "KUBERNETES_PORT": f"tcp://{host}:{port}",
            "KUBERNETES_PORT_443_TCP": f"tcp://{host}:{port}",
        }
        prepare_decoding()

    # --- nodes -------------------------------------------------------------------------------
    def _node_status(self, name: str) -> dict[str, Any]:
        stamp = now_rfc3339()
        capacity = {"cpu": "16", "memory": "64Gi", "pods": "110", "ephemeral-storage": "100Gi"}
        pressures = (
            ("MemoryPressure", "SufficientMemory"),
            ("DiskPressure", "NoDiskPressure"),
            ("PIDPressure", "SufficientPID"),
        )
        conditions = [
            {"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "process kubelet is ready"},
            *({"type": kind, "status": "False", "reason": f"KubeletHas{reason}"} for kind, reason in pressures),
        ]
        return {
            "capacity": capacity,
            "allocatable": capacity,
            "conditions": [{**c, "lastHeartbeatTime": stamp, "lastTransitionTime": stamp} for c in conditions],
            "addresses": [{"type": "InternalIP", "address": HOST_IP}, {"type": "Hostname", "address": name}],
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": "",
                "containerRuntimeVersion": "process://1",
                "kernelVersion": "",
                "kubeProxyVersion": "",
                "kubeletVersion": "v1.36.3",
                "machineID": "",
                "operatingSystem": "linux",
                "osImage": "process kubelet",
                "systemUUID": name,
            },
        }

    def register_nodes(self) -> None:
        for index, name in enumerate(self.node_names):
            labels = {
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "topology.kubernetes.io/zone": f"zone-{index % self.zones}",
                PROVISIONED_LABEL: "true",
            }
            with contextlib.suppress(ApiError):
                self.client.create(Node(metadata=ObjectMeta(name=name, labels=labels)))
            self._heartbeat(name)
            # The TaintNodesByCondition admission plugin marks new Nodes not-ready; the node
            # lifecycle controller would lift it once Ready, and is not run here.
            self.client.patch(Node, name, {"spec": {"taints": None}}, patch_type=PatchType.MERGE)
        self._last_heartbeat = time.monotonic()

    def _heartbeat(self, name: str) -> None:
        self.client.patch(Node.Status, name, {"status": self._node_status(name)}, patch_type=PatchType.STRATEGIC)

    # --- volumes -----------------------------------------------------------------------------
    def _list(self, kind: Any, **selection: Any) -> list[dict[str, Any]]:
        return [item.to_dict() for item in self.client.list(kind, **selection)]

    def provision(self) -> None:
        """A directory-backed PV for every unbound claim; the directory of a released one is removed."""
        claims = {
            (c["metadata"]["namespace"], c["metadata"]["name"]): c
            for c in self._list(PersistentVolumeClaim, namespace="*")
        }
        for claim in claims.values():
            if not claim["spec"].get("volumeName") and not claim["metadata"].get("deletionTimestamp"):
                self._bind(claim)
        for volume in self._list(PersistentVolume, labels={PROVISIONED_LABEL: "true"}):
            ref = volume["spec"].get("claimRef") or {}
            owner = claims.get((ref.get("namespace"), ref.get("name")))
            if owner is None or owner["metadata"]["uid"] != ref.get("uid"):
                self._release(str(volume["metadata"]["name"]))

    def _release(self, name: str) -> None:
        log.info("removing volume %s (its claim is gone)", name)
        shutil.rmtree(self.state_dir / "volumes" / name, ignore_errors=True)
        with contextlib.suppress(ApiError):
            # Released first: the pv-protection finalizer holds a Bound volume.
            self.client.patch(
                PersistentVolume.Status, name, {"status": {"phase": "Released"}}, patch_type=PatchType.MERGE
            )
            self.client.delete(PersistentVolume, name)

    def _bind(self, claim: dict[str, Any]) -> None:
        metadata, spec = claim["metadata"], claim["spec"]
        namespace, claim_name = str(metadata["namespace"]), str(metadata["name"])
        name = f"pvc-{metadata['uid']}"
        path = self.state_dir / "volumes" / name
        path.mkdir(parents=True, exist_ok=True)
        size = ((spec.get("resources") or {}).get("requests") or {}).get("storage", "1Gi")
        modes = spec.get("accessModes") or ["ReadWriteOnce"]
        volume = {
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": {
                "name": name,
                "labels": {PROVISIONED_LABEL: "true"},
                "annotations": {"pv.kubernetes.io/provisioned-by": "process-kubelet"},
            },
            "spec": {
                "capacity": {"storage": size},
                "accessModes": modes,
                "storageClassName": spec.get("storageClassName") or "",
                "persistentVolumeReclaimPolicy": "Delete",
                "hostPath": {"path": str(path), "type": "Directory"},
                "claimRef": {
                    "kind": "PersistentVolumeClaim",
                    "apiVersion": "v1",
                    "namespace": namespace,
                    "name": claim_name,
                    "uid": metadata["uid"],
                },
            },
        }
        with contextlib.suppress(ApiError):
            self.client.create(cast(PersistentVolume, PersistentVolume.from_dict(volume)))
        self.client.patch(PersistentVolume.Status, name, {"status": {"phase": "Bound"}}, patch_type=PatchType.MERGE)
        annotations = {"pv.kubernetes.io/bind-completed": "yes", "pv.kubernetes.io/bound-by-controller": "yes"}
        bound = {"metadata": {"annotations": annotations}, "spec": {"volumeName": name}}
        self.client.patch(PersistentVolumeClaim, claim_name, bound, namespace=namespace, patch_type=PatchType.MERGE)
        status = {"status": {"phase": "Bound", "capacity": {"storage": size}, "accessModes": modes}}
        self.client.patch(
            PersistentVolumeClaim.Status, claim_name, status, namespace=namespace, patch_type=PatchType.MERGE
        )
        log.info("bound claim %s/%s to %s", namespace, claim_name, name)

    # --- pods --------------------------------------------------------------------------------
    def _lookup(self, kind: str, name: str, namespace: str) -> dict[str, str] | None:
        try:
            if kind == "Secret":
                found = self.client.get(Secret, name, namespace=namespace)
                return {k: base64.b64decode(v).decode(errors="replace") for k, v in (found.data or {}).items()}
            config = self.client.get(ConfigMap, name, namespace=namespace)
            return dict(config.data or {})
        except ApiError as exc:
            if exc.status.code == 404:
                return None
            raise

    def _worker(self, pod: dict[str, Any]) -> PodWorker:
        metadata = pod["metadata"]
        key = f"{metadata['namespace']}/{metadata['name']}"
        base = self.state_dir / "pods" / f"{metadata['namespace']}_{metadata['name']}_{metadata['uid']}"
        namespace = metadata["namespace"]
        return PodWorker(
            pod=pod,
            ip=self.addresses.address(key),
            host_ip=HOST_IP,
            base=base,
            volumes_builder=self.volumes,
            catalog=self.catalog,
            hosts_file=base / "hosts",
            lookup=lambda kind, name: self._lookup(kind, name, namespace),
            service_env=self.service_env,
        )

    def sync(self) -> None:
        pods = [p.to_dict() for p in self.client.list(Pod, namespace="*")]
        services = self._list(Service, namespace="*")
        mine = {p["metadata"]["uid"]: p for p in pods if p["spec"].get("nodeName") in self.node_names}
        for uid, pod in mine.items():
            deleting = pod["metadata"].get("deletionTimestamp") is not None
            if (
                uid not in self.workers
                and not deleting
                and pod.get("status", {}).get("phase") not in ("Succeeded", "Failed")
            ):
                worker = self._worker(pod)
                worker.base.mkdir(parents=True, exist_ok=True)
                self._write_hosts(worker, pods, services)
                self.workers[uid] = worker
                log.info("pod %s: starting on %s at %s", worker.key, pod["spec"]["nodeName"], worker.ip)
                worker.start()
            elif uid not in self.workers and deleting:  # nothing of it runs here (a kubelet restart)
                with contextlib.suppress(ApiError):
                    metadata = pod["metadata"]
                    self.client.delete(Pod, metadata["name"], namespace=metadata["namespace"], grace_period=0)
            elif uid in self.workers and deleting:
                worker = self.workers[uid]
                grace = pod["metadata"].get("deletionGracePeriodSeconds")
                worker.stop(float(grace if grace is not None else pod["spec"].get("terminationGracePeriodSeconds", 30)))
        for uid, worker in list(self.workers.items()):
            if uid not in mine:  # removed without us (force delete): stop it at once
                worker.stop(0)
            if worker.stopped and (uid not in mine or mine[uid]["metadata"].get("deletionTimestamp")):
                self._finish(uid, worker, mine.get(uid))
        for uid, worker in self.workers.items():
            self._write_hosts(worker, pods, services)
            if uid in mine and not mine[uid]["metadata"].get("deletionTimestamp"):
                self._write_status(worker, mine[uid])

    def _finish(self, uid: str, worker: PodWorker, pod: dict[str, Any] | None) -> None:
        del self.workers[uid]
        self._written.pop(uid, None)
        self._hosts_written.pop(uid, None)
        if pod is not None:
            with contextlib.suppress(ApiError):
                self.client.delete(Pod, pod["metadata"]["name"], namespace=pod["metadata"]["namespace"], grace_period=0)
        shutil.rmtree(worker.base, ignore_errors=True)
        log.info("pod %s: removed", worker.key)

    def _write_hosts(self, worker: PodWorker, pods: list[dict[str, Any]], services: list[dict[str, Any]]) -> None:
        records = [
            self._pod_record(p)
            for p in pods
            if p["metadata"]["uid"] in self.workers or p["metadata"]["uid"] == worker.uid
        ]
        service_records = [
            dns.ServiceRecord(
                namespace=s["metadata"]["namespace"],
                name=s["metadata"]["name"],
                selector=dict(s["spec"].get("selector") or {}),
                headless=s["spec"].get("clusterIP") == "None",
                publish_not_ready=bool(s["spec"].get("publishNotReadyAddresses")),
            )
            for s in services
        ]
        spec, metadata = worker.pod["spec"], worker.pod["metadata"]
        text = dns.hosts_file(
            namespace=metadata["namespace"],
            ip=worker.ip,
            hostname=spec.get("hostname") or metadata["name"],
            subdomain=spec.get("subdomain"),
            entries=dns.cluster_entries([r for r in records if r is not None], service_records),
        )
        if self._hosts_written.get(worker.uid) != text:
            # In place, not renamed: every container of the Pod has this very file bind-mounted.
            with worker.hosts_file.open("w") as handle:
                handle.write(text)
            self._hosts_written[worker.uid] = text

    def _pod_record(self, pod: dict[str, Any]) -> dns.PodRecord | None:
        worker = self.workers.get(pod["metadata"]["uid"])
        if worker is None:
            return None
        ready = any(
            c.get("type") == "Ready" and c.get("status") == "True"
            for c in (pod.get("status") or {}).get("conditions") or []
        )
        return dns.PodRecord(
            namespace=pod["metadata"]["namespace"],
            name=pod["metadata"]["name"],
            ip=worker.ip,
            ready=ready and not worker.stopped,
            labels=pod["metadata"].get("labels") or {},
            hostname=pod["spec"].get("hostname"),
            subdomain=pod["spec"].get("subdomain"),
        )

    def _write_status(self, worker: PodWorker, pod: dict[str, Any]) -> None:
        gates = {c["type"]: c["status"] for c in (pod.get("status") or {}).get("conditions") or []}
        status = worker.status(gates)
        text = json.dumps(status, sort_keys=True)
        if self._written.get(worker.uid) == text:
            return
        self.client.patch(
            Pod.Status,
            pod["metadata"]["name"],
            {"status": status},
            namespace=pod["metadata"]["namespace"],
            patch_type=PatchType.STRATEGIC,
        )
        self._written[worker.uid] = text

    # --- the loop ----------------------------------------------------------------------------
    def run(self) -> None:
        self.register_nodes()
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                self.provision()
                self.sync()
                if started - self._last_heartbeat > HEARTBEAT_SECONDS:
                    for name in self.node_names:
                        self._heartbeat(name)
                    self._last_heartbeat = started
            except Exception as exc:  # the API server may be away: keep every Pod running as it is
                log.warning("sync failed (Pods keep running): %s", exc)
            self._stop.wait(max(0.0, SYNC_SECONDS - (time.monotonic() - started)))
        self.shutdown()

    def stop(self) -> None:
        self._stop.set()

    def shutdown(self) -> None:
        for worker in self.workers.values():
            worker.stop(SHUTDOWN_GRACE)
        for worker in self.workers.values():
            worker.wait_stopped(SHUTDOWN_GRACE + 35)
        self.workers.clear()
