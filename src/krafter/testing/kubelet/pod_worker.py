"""One Pod's life on a process kubelet node: volumes, init containers, containers, probes, status.

A thread per Pod. It keeps what a real kubelet keeps true in the Pod's status (phase,
conditions, container states, restart counts, `podIP`), restarts containers per
`restartPolicy` with a back-off (1 s doubling to 20 s: shorter than the kubelet's 5 minutes,
so tests see restarts within their time), and stops them in the kubelet's order on deletion.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from krafter.testing.kubelet import containers, fieldpaths, probes
from krafter.testing.kubelet.images import ImageCatalog, ImageRefused
from krafter.testing.kubelet.volumes import PodVolumes, VolumeBuilder, VolumeNotReady, VolumeRefused

log = logging.getLogger("krafter.kubelet")
BACKOFF_START = 1.0
BACKOFF_MAX = 20.0
VOLUME_REFRESH_SECONDS = 5.0


@dataclass
class ContainerSlot:
    """A container of the Pod: its process (if running) and what its status says."""

    spec: dict[str, Any]
    process: containers.ContainerProcess | None = None
    restarts: int = 0
    waiting: tuple[str, str] | None = ("ContainerCreating", "")
    terminated: dict[str, Any] | None = None
    last_terminated: dict[str, Any] | None = None
    readiness: probes.ProbeState | None = None
    liveness: probes.ProbeState | None = None
    startup: probes.ProbeState | None = None
    backoff_until: float = 0.0
    backoff: float = BACKOFF_START

    @property
    def name(self) -> str:
        return str(self.spec["name"])

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def ready(self) -> bool:
        if not self.running():
            return False
        if self.startup is not None and not self.startup.success:
            return False
        return self.readiness.success if self.readiness is not None else True

    def status(self, image: str) -> dict[str, Any]:
        state: dict[str, Any]
        if self.running() and self.process is not None:
            state = {"running": {"startedAt": self.process.started_at}}
        elif self.terminated is not None:
            state = {"terminated": self.terminated}
        else:
            reason, message = self.waiting or ("ContainerCreating", "")
            state = {"waiting": {"reason": reason, **({"message": message} if message else {})}}
        status: dict[str, Any] = {
            "name": self.name,
            "image": image,
            "imageID": f"process-kubelet://{image}",
            "ready": self.ready(),
            "started": self.running() and (self.startup is None or self.startup.success),
            "restartCount": self.restarts,
            "state": state,
        }
        if self.process is not None:
            status["containerID"] = f"process://{self.process.pid}"
        if self.last_terminated is not None:
            status["lastState"] = {"terminated": self.last_terminated}
        return status


@dataclass
class PodWorker:
    """Runs one Pod until it is stopped; `status()` is what its status subresource should say."""

    pod: dict[str, Any]
    ip: str
    host_ip: str
    base: Path
    volumes_builder: VolumeBuilder
    catalog: ImageCatalog
    hosts_file: Path
    lookup: fieldpaths.Lookup
    service_env: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)
    _stopped: threading.Event = field(default_factory=threading.Event)
    grace: float = 30.0
    phase: str = "Pending"
    message: str = ""
    initialized: bool = False
    started_at: str = field(default_factory=containers.now_rfc3339)

    def __post_init__(self) -> None:
        spec = self.pod["spec"]
        self.inits = [ContainerSlot(c) for c in spec.get("initContainers") or []]
        self.mains = [ContainerSlot(c) for c in spec.get("containers") or []]
        self.restart_policy = spec.get("restartPolicy", "Always")
        self.volumes = PodVolumes(self.base / "volumes")
        self.thread = threading.Thread(target=self._run, name=f"pod-{self.key}", daemon=True)

    @property
    def key(self) -> str:
        return f"{self.pod['metadata']['namespace']}/{self.pod['metadata']['name']}"

    @property
    def uid(self) -> str:
        return str(self.pod["metadata"]["uid"])

    def start(self) -> None:
        self.thread.start()

    def stop(self, grace: float) -> None:
        """Ask the Pod to stop; `stopped` is set once every process has ended."""
        self.grace = grace
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def wait_stopped(self, timeout: float) -> bool:
        return self._stopped.wait(timeout)

    # --- the Pod's life -------------------------------------------------------------------
    def _run(self) -> None:
        try:
            self._prepare()
            if not self._stop.is_set():
                self._run_init_containers()
            if not self._stop.is_set():
                self._run_containers()
        except Exception as exc:  # a kubelet bug must show in the Pod, not kill the thread silently
            log.exception("pod %s: worker failed", self.key)
            with self._lock:
                self.message = f"process kubelet error: {exc}"
        finally:
            self._terminate_all()
            self._stopped.set()

    def _prepare(self) -> None:
        """Volumes (waiting for what they reference) and images (refused ones keep the Pod pending)."""
        while not self._stop.is_set():
            try:
                for slot in self.inits + self.mains:
                    self.catalog.runtime(slot.spec["image"])
                self.volumes_builder.build(self.pod, self.volumes)
                return
            except ImageRefused as exc:
                self._wait_all(("ErrImagePull", str(exc)))
            except VolumeRefused as exc:
                self._wait_all(("ContainerCreating", str(exc)))
            except (VolumeNotReady, fieldpaths.MissingReference) as exc:
                self._wait_all(("ContainerCreating", str(exc)))
            except Exception as exc:  # the API server may be away for a while
                self._wait_all(("ContainerCreating", f"preparing volumes: {exc}"))
            self._stop.wait(2.0)

    def _wait_all(self, waiting: tuple[str, str]) -> None:
        with self._lock:
            for slot in self.inits + self.mains:
                slot.waiting = waiting

    def _start(self, slot: ContainerSlot) -> bool:
        image = self.catalog.runtime(slot.spec["image"])
        try:
            defaults = {**image.env, **self.service_env}
            env = fieldpaths.environment(self._pod_with_status(), slot.spec, self.lookup, defaults)
        except (fieldpaths.MissingReference, Exception) as exc:
            with self._lock:
                slot.waiting = ("CreateContainerConfigError", str(exc))
            return False
        env.setdefault("HOSTNAME", self.pod["spec"].get("hostname") or self.pod["metadata"]["name"])
        process = containers.start(
            pod=self.pod,
            container=slot.spec,
            image=image,
            env=env,
            volume_paths=self.volumes.paths,
            directory=self.base / "containers" / slot.name,
            hosts_file=self.hosts_file,
        )
        with self._lock:
            slot.process = process
            slot.waiting = None
            slot.terminated = None
            slot.readiness = probes.new_state(slot.spec.get("readinessProbe"), initially=False)
            slot.liveness = probes.new_state(slot.spec.get("livenessProbe"), initially=True)
            slot.startup = probes.new_state(slot.spec.get("startupProbe"), initially=False)
        log.info("pod %s: started %s (pid %d)", self.key, slot.name, process.pid)
        return True

    def _ended(self, slot: ContainerSlot, code: int) -> None:
        finished = {
            "exitCode": code if code >= 0 else 128 - code,
            "reason": "Completed" if code == 0 else "Error",
            "startedAt": slot.process.started_at if slot.process else containers.now_rfc3339(),
            "finishedAt": containers.now_rfc3339(),
        }
        if code < 0:
            finished["signal"] = -code
        with self._lock:
            slot.terminated = finished
            slot.last_terminated = finished
            slot.readiness = None

    def _run_init_containers(self) -> None:
        for slot in self.inits:
            while not self._stop.is_set():
                if time.monotonic() < slot.backoff_until:
                    self._stop.wait(0.2)
                    continue
                if not self._start(slot):
                    self._stop.wait(2.0)
                    continue
                assert slot.process is not None
                while slot.process.poll() is None and not self._stop.is_set():
                    self._stop.wait(0.2)
                if self._stop.is_set():
                    return
                code = slot.process.poll()
                assert code is not None
                self._ended(slot, code)
                if code == 0:
                    break
                if self.restart_policy == "Never":
                    with self._lock:
                        self.phase = "Failed"
                    self._stop.set()
                    return
                self._back_off(slot)
        with self._lock:
            self.initialized = True

    def _back_off(self, slot: ContainerSlot) -> None:
        with self._lock:
            slot.restarts += 1
            slot.waiting = ("CrashLoopBackOff", f"back-off {slot.backoff:.0f}s restarting failed container")
            slot.backoff_until = time.monotonic() + slot.backoff
            slot.backoff = min(slot.backoff * 2, BACKOFF_MAX)
            slot.process = None
            slot.terminated = None

    def _run_containers(self) -> None:
        with self._lock:
            self.phase = "Running"
        for slot in self.mains:
            self._start(slot)
        next_refresh = time.monotonic() + VOLUME_REFRESH_SECONDS
        while not self._stop.is_set():
            now = time.monotonic()
            for slot in self.mains:
                self._tend(slot, now)
            if self._all_done():
                return
            if now >= next_refresh:
                next_refresh = now + VOLUME_REFRESH_SECONDS
                try:
                    self.volumes_builder.build(self.pod, self.volumes, refresh_only=True)
                except Exception as exc:  # keep running on what it has, as the kubelet does
                    log.debug("pod %s: volume refresh failed: %s", self.key, exc)
            self._stop.wait(0.2)

    def _tend(self, slot: ContainerSlot, now: float) -> None:
        if slot.process is not None and slot.process.poll() is None:
            self._probe(slot, now)
            return
        if slot.process is not None:
            if slot.terminated is None:  # it has just ended
                code = slot.process.poll()
                assert code is not None
                self._ended(slot, code)
                log.info("pod %s: %s exited %s", self.key, slot.name, code)
                if self._restarts(code):
                    self._back_off(slot)
            return
        if now >= slot.backoff_until and not self._start(slot):
            slot.backoff_until = now + 2.0

    def _restarts(self, code: int) -> bool:
        return self.restart_policy == "Always" or (self.restart_policy == "OnFailure" and code != 0)

    def _probe(self, slot: ContainerSlot, now: float) -> None:
        assert slot.process is not None
        if slot.startup is not None and not slot.startup.success:
            if slot.startup.due(now):
                slot.startup.record(probes.run_probe(slot.startup.spec, slot.spec, self.ip, slot.process.pid), now)
                if slot.startup.failures >= int(slot.startup.spec.get("failureThreshold", 3)):
                    log.info("pod %s: %s failed its startup probe, restarting it", self.key, slot.name)
                    slot.process.stop(self._pod_grace())
            return
        if slot.readiness is not None and slot.readiness.due(now):
            ok = probes.run_probe(slot.readiness.spec, slot.spec, self.ip, slot.process.pid)
            with self._lock:
                slot.readiness.record(ok, now)
        if slot.liveness is not None and slot.liveness.due(now):
            slot.liveness.record(probes.run_probe(slot.liveness.spec, slot.spec, self.ip, slot.process.pid), now)
            if not slot.liveness.success:
                log.info("pod %s: %s failed its liveness probe, restarting it", self.key, slot.name)
                grace = float(slot.liveness.spec.get("terminationGracePeriodSeconds", self._pod_grace()))
                slot.process.stop(grace)

    def _pod_grace(self) -> float:
        return float(self.pod["spec"].get("terminationGracePeriodSeconds", 30))

    def _all_done(self) -> bool:
        if self.restart_policy == "Always":
            return False
        codes = [slot.terminated["exitCode"] if slot.terminated else None for slot in self.mains]
        if any(code is None for code in codes) or any(slot.running() for slot in self.mains):
            return False
        if self.restart_policy == "OnFailure" and any(code != 0 for code in codes):
            return False
        with self._lock:
            self.phase = "Succeeded" if all(code == 0 for code in codes) else "Failed"
        return True

    def _terminate_all(self) -> None:
        running = [
            slot.process for slot in self.inits + self.mains if slot.process is not None and slot.process.poll() is None
        ]
        for process in running:
            process.signal(signal.SIGTERM)
        containers.wait_all(running, self.grace)
        for slot in self.inits + self.mains:
            if slot.process is not None:
                code = slot.process.stop(0)
                if slot.terminated is None:
                    self._ended(slot, code)

    # --- status ----------------------------------------------------------------------------
    def _pod_with_status(self) -> dict[str, Any]:
        return {**self.pod, "status": {**(self.pod.get("status") or {}), **self._addresses()}}

    def _addresses(self) -> dict[str, Any]:
        return {
            "podIP": self.ip,
            "podIPs": [{"ip": self.ip}],
            "hostIP": self.host_ip,
            "hostIPs": [{"ip": self.host_ip}],
        }

    def status(self, gates: dict[str, str]) -> dict[str, Any]:
        """The status to write; `gates` holds the readiness-gate conditions others have set."""
        with self._lock:
            main_statuses = [slot.status(slot.spec["image"]) for slot in self.mains]
            init_statuses = [slot.status(slot.spec["image"]) for slot in self.inits]
            containers_ready = bool(self.mains) and all(slot.ready() for slot in self.mains)
            phase, initialized = self.phase, self.initialized or not self.inits
        gated = all(gates.get(g["conditionType"]) == "True" for g in self.pod["spec"].get("readinessGates") or [])
        ready = containers_ready and gated and phase == "Running"

        def condition(kind: str, value: bool) -> dict[str, str]:
            return {"type": kind, "status": "True" if value else "False"}

        status: dict[str, Any] = {
            "phase": phase,
            **self._addresses(),
            "startTime": self.started_at,
            "conditions": [
                condition("PodReadyToStartContainers", True),
                condition("Initialized", initialized),
                condition("ContainersReady", containers_ready),
                condition("Ready", ready),
            ],
            "containerStatuses": main_statuses,
        }
        if init_statuses:
            status["initContainerStatuses"] = init_statuses
        if self.message:
            status["message"] = self.message
        return status
