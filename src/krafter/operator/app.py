"""The running operator: kopf watches feed a coalescing queue; workers run level-based reconciles.

kopf is used for what it is good at (watch streams with reconnects, namespaces, start-up and
shutdown) through low-level `on.event` handlers only, so it never writes its own annotations
or finalizers to our resources. Every event just marks a cluster dirty; the reconcile reads
the world afresh. A periodic resync re-marks every cluster, so nothing depends on an event
having been seen.
"""

from __future__ import annotations

import asyncio
import dataclasses
import faulthandler
import logging
import os
import pwd
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import kopf

from krafter.api.base import API_GROUP
from krafter.operator import metrics
from krafter.operator.cluster_reconciler import ClusterReconciler
from krafter.operator.connections import KafkaConnections
from krafter.operator.entities import EntityController
from krafter.operator.lag import LagMetrics
from krafter.operator.leader import LeaderElector
from krafter.operator.watched import WatchIndex
from krafter.operator.workqueue import Heartbeat, WorkQueue
from krafter.plan import labels as plan_labels
from krafter.platform.kubernetes import objects
from krafter.platform.kubernetes.client import make_client

log = logging.getLogger("krafter.operator")
Key = tuple[str, str]
OWNED = ("pods", "configmaps", "services", "secrets", "persistentvolumeclaims")
MAX_BACKOFF = 300.0
NOT_READY_POLL = 15.0
SLOW_CALL_SECONDS = 60.0
T = TypeVar("T")


@dataclass
class OperatorConfig:
    namespaces: list[str] = field(default_factory=list)
    """Namespaces to watch; empty means all."""
    kubeconfig: Path | None = None
    metrics_port: int = 8080
    metrics_address: str = "0.0.0.0"
    workers: int = 2
    resync_seconds: float = 120.0
    leader_election: bool = True
    lease_namespace: str = "default"
    identity: str = field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}")
    operator_image: str | None = None
    watched_namespace_enabled: bool = False
    """Honour `watchedNamespace` values naming another namespace (Strimzi's opt-in since 1.0.1)."""


class ClusterLog(logging.LoggerAdapter):  # type: ignore[type-arg]
    """Every line about a cluster names it (`cluster=ns/name`)."""

    def process(self, msg: Any, kwargs: Any) -> tuple[Any, Any]:
        return f"cluster={self.extra['cluster'] if self.extra else '?'} {msg}", kwargs


class Operator:
    def __init__(self, config: OperatorConfig) -> None:
        self.config = config
        self.client = make_client(config.kubeconfig)
        connections = KafkaConnections(self.client)
        self.lag = LagMetrics(connections)
        self.reconciler = ClusterReconciler(
            self.client,
            operator_image=config.operator_image,
            watched_namespace_enabled=config.watched_namespace_enabled,
            connections=connections,
        )
        self.queue: WorkQueue[Key] | None = None
        self.entity_queue: WorkQueue[Key] | None = None
        self.entities = EntityController(
            self.client, connections, watched_namespace_enabled=config.watched_namespace_enabled
        )
        self.watch_index = WatchIndex()
        self.heartbeat = Heartbeat()
        self.failures: dict[Key, int] = {}
        self.entity_failures: dict[Key, int] = {}
        self.elector: LeaderElector | None = None
        self.started = threading.Event()
        self.broken: list[str] = []
        self.loop: asyncio.AbstractEventLoop | None = None
        self.tasks: list[asyncio.Task[None]] = []
        # Reconciles block on API and Kafka calls; a pool of their own means they never wait behind
        # (or starve) the loop's default executor, which kopf and DNS lookups share. One thread
        # per worker, the entity worker, the resync loop and a resync on election.
        self.executor = ThreadPoolExecutor(max_workers=config.workers + 3, thread_name_prefix="krafter-reconcile")

    # --- kopf wiring -------------------------------------------------------------------------

    def registry(self) -> kopf.OperatorRegistry:
        registry = kopf.OperatorRegistry()

        @kopf.on.login(registry=registry)
        def login(**kwargs: Any) -> Any:
            return kopf.login_with_kubeconfig(**kwargs) or login_in_cluster(**kwargs)

        @kopf.on.startup(registry=registry)
        async def startup(settings: kopf.OperatorSettings, **_: Any) -> None:
            settings.posting.enabled = False  # we post our own, more specific Events
            settings.scanning.disabled = bool(self.config.namespaces)
            settings.watching.server_timeout = 300
            settings.watching.client_timeout = 330
            settings.networking.request_timeout = 60
            await self._start_background()

        @kopf.on.cleanup(registry=registry)
        async def cleanup(**_: Any) -> None:
            if self.elector is not None:
                await asyncio.to_thread(self.elector.stop)

        @kopf.on.event(API_GROUP, "v1", "kafkas", registry=registry)
        async def kafka_event(
            name: str, namespace: str | None, spec: Mapping[str, Any], type: str | None, **_: Any
        ) -> None:
            if namespace:
                if self.config.watched_namespace_enabled:
                    self.watch_index.update((namespace, name), None if type == "DELETED" else spec)
                self.enqueue((namespace, name))

        for plural in ("kafkatopics", "kafkausers"):

            @kopf.on.event(API_GROUP, "v1", plural, registry=registry)
            async def entity_event(
                namespace: str | None,
                labels: Mapping[str, str],
                body: Mapping[str, Any],
                type: str | None,
                **_: Any,
            ) -> None:
                cluster = labels.get("strimzi.io/cluster")
                if cluster and namespace:
                    for key in self.watch_index.clusters_for(namespace, cluster):
                        if type == "DELETED" and body.get("kind") == "KafkaTopic":
                            self.entities.note_deleted_topic(key, body)
                        self.enqueue_entities(key)

        @kopf.on.event(API_GROUP, "v1", "kafkanodepools", registry=registry)
        async def pool_event(namespace: str | None, labels: Mapping[str, str], **_: Any) -> None:
            cluster = labels.get("strimzi.io/cluster")
            if cluster and namespace:
                self.enqueue((namespace, cluster))

        for plural in OWNED:

            @kopf.on.event("", "v1", plural, registry=registry, labels={plan_labels.MANAGED_BY: plan_labels.MANAGER})
            async def owned_event(namespace: str | None, labels: Mapping[str, str], **_: Any) -> None:
                cluster = labels.get("strimzi.io/cluster")
                if cluster and namespace:
                    self.enqueue((namespace, cluster))

        return registry

    def enqueue(self, key: Key, delay: float = 0.0) -> None:
        if self.queue is not None:
            self._in_loop(self.queue.add, key, delay)

    def enqueue_entities(self, key: Key, delay: float = 0.0) -> None:
        if self.entity_queue is not None:
            self._in_loop(self.entity_queue.add, key, delay)

    def _in_loop(self, add: Any, key: Key, delay: float) -> None:
        """Queues are asyncio objects: touching one from another thread would not wake the loop."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            add(key, delay)
        elif self.loop is not None:
            self.loop.call_soon_threadsafe(add, key, delay)

    async def _start_background(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.loop.add_signal_handler(signal.SIGUSR2, log_tasks)
        self.queue = WorkQueue()
        self.entity_queue = WorkQueue()
        if self.config.leader_election:
            self.elector = LeaderElector(
                # Its own client: lease renewal must never queue behind a slow reconcile's requests.
                make_client(self.config.kubeconfig),
                namespace=self.config.lease_namespace,
                identity=self.config.identity,
                on_elected=self._threadsafe_resync,
            )
            self.elector.start()
        metrics.serve(
            self.config.metrics_port,
            healthy=self.healthy,
            ready=self.ready,
            host=self.config.metrics_address,
            extra=self.lag.text,
        )
        # Keep references: the event loop holds tasks only weakly.
        self.tasks = [
            asyncio.create_task(self._worker(index), name=f"kafka-worker-{index}")
            for index in range(self.config.workers)
        ]
        self.tasks.append(asyncio.create_task(self._resync_loop(), name="resync"))
        # One entity worker: a pass already batches every topic and user of a cluster.
        self.tasks.append(asyncio.create_task(self._entity_worker(), name="entity-worker"))
        for task in self.tasks:
            task.add_done_callback(self._task_ended)
        self.started.set()
        log.info(
            "operator started: namespaces=%s workers=%d resync=%.0fs leader-election=%s",
            ",".join(self.config.namespaces) or "all",
            self.config.workers,
            self.config.resync_seconds,
            self.config.leader_election,
        )

    def _task_ended(self, task: asyncio.Task[None]) -> None:
        """A worker loop never ends on its own: if one does, say why and fail /healthz so it is restarted."""
        if task.cancelled():
            return
        self.broken.append(task.get_name())
        log.critical("%s stopped: %r; /healthz now fails", task.get_name(), task.exception())

    # --- health ---------------------------------------------------------------------------------

    def healthy(self) -> bool:
        # The resync loop beats at least every resync period; a stuck loop stops beating.
        return (
            not self.broken
            and self.started.is_set()
            and self.heartbeat.age() < max(60.0, 3 * self.config.resync_seconds)
        )

    def ready(self) -> bool:
        return self.started.is_set()

    @property
    def is_leader(self) -> bool:
        return self.elector is None or self.elector.is_leader

    # --- work -----------------------------------------------------------------------------------

    def _threadsafe_resync(self) -> None:
        if self.loop is not None:
            asyncio.run_coroutine_threadsafe(self._resync_once(), self.loop)

    async def _blocking(self, what: str, call: Callable[..., T], *args: Any) -> T:
        """`call(*args)` on the reconcile pool; a call that takes minutes says so instead of going silent."""
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self.executor, call, *args)
        waited = 0.0
        while True:
            done, _ = await asyncio.wait({future}, timeout=SLOW_CALL_SECONDS)
            if done:
                return future.result()
            waited += SLOW_CALL_SECONDS
            log.warning("%s still running after %.0fs (kill -USR1 <pid> prints where)", what, waited)

    async def _resync_once(self) -> None:
        log.debug("resync: marking every cluster dirty (queue depth %d)", self.queue.depth if self.queue else 0)
        namespaces: list[str | None] = list(self.config.namespaces) or [None]
        for namespace in namespaces:
            try:
                found = await self._blocking("listing Kafka resources", self._list_kafkas, namespace)
            except Exception as exc:  # a failed list is retried next period; log it, never die
                log.warning("resync list of Kafka resources failed: %s", exc)
                continue
            metrics.MANAGED.labels("Kafka").set(len(found))
            for kafka in found:
                key = (kafka["metadata"]["namespace"], kafka["metadata"]["name"])
                self.enqueue(key)
                self.enqueue_entities(key)

    def _list_kafkas(self, namespace: str | None) -> list[dict[str, Any]]:
        return [objects.to_dict(k) for k in self.client.list(objects.KAFKA, namespace=namespace)]

    async def _resync_loop(self) -> None:
        while True:
            self.heartbeat.beat()
            metrics.LEADER.set(1 if self.is_leader else 0)
            if self.is_leader:
                await self._resync_once()
            await asyncio.sleep(self.config.resync_seconds)

    async def _worker(self, index: int) -> None:
        assert self.queue is not None
        while True:
            key = await self.queue.get()
            metrics.QUEUE_DEPTH.labels("Kafka").set(self.queue.depth)
            try:
                if not self.is_leader:
                    log.debug("not the leader: %s/%s waits", *key)
                    self.enqueue(key, delay=5.0)  # followers keep the key until they lead
                    continue
                await self._reconcile(key)
            finally:
                self.queue.done(key)

    async def _reconcile(self, key: Key) -> None:
        namespace, name = key
        clog = ClusterLog(log, {"cluster": f"{namespace}/{name}"})
        clog.debug("reconciling")
        started = time.monotonic()
        try:
            result = await self._blocking(
                f"reconcile of {namespace}/{name}", self.reconciler.reconcile, namespace, name
            )
        except Exception as exc:  # one broken cluster must not stop the others: back off and retry
            failures = self.failures.get(key, 0) + 1
            self.failures[key] = failures
            delay = min(MAX_BACKOFF, 2.0**failures)
            clog.exception("reconcile failed (attempt %d, retry in %.0fs): %s", failures, delay, exc)
            metrics.FAILURES.labels("Kafka").inc()
            metrics.RECONCILIATIONS.labels("Kafka", "error").inc()
            self.enqueue(key, delay=delay)
            return
        finally:
            metrics.DURATION.labels("Kafka").observe(time.monotonic() - started)
        self.failures.pop(key, None)
        self.lag.sync(namespace, name, result.kafka_exporter)
        metrics.RECONCILIATIONS.labels("Kafka", result.outcome).inc()
        metrics.WRITES.labels("Kafka").inc(result.writes)
        clog.info(
            "reconciled: outcome=%s ready=%s writes=%d in %.2fs",
            result.outcome,
            result.ready,
            result.writes,
            time.monotonic() - started,
        )
        if result.ready:
            self.enqueue_entities(key)  # topics and users wait for a ready cluster
        if result.outcome == "reconciled" and not result.ready:
            # Pod readiness changes arrive as events too; this poll covers addresses and certs.
            self.enqueue(key, delay=NOT_READY_POLL)

    async def _entity_worker(self) -> None:
        assert self.entity_queue is not None
        while True:
            key = await self.entity_queue.get()
            metrics.QUEUE_DEPTH.labels("entities").set(self.entity_queue.depth)
            try:
                if not self.is_leader:
                    self.enqueue_entities(key, delay=5.0)
                    continue
                await self._reconcile_entities(key)
            finally:
                self.entity_queue.done(key)

    async def _reconcile_entities(self, key: Key) -> None:
        namespace, name = key
        clog = ClusterLog(log, {"cluster": f"{namespace}/{name}"})
        started = time.monotonic()
        try:
            result = await self._blocking(
                f"topic/user pass of {namespace}/{name}", self.entities.reconcile, namespace, name
            )
        except Exception as exc:  # keep the other clusters going; retry with backoff
            failures = self.entity_failures.get(key, 0) + 1
            self.entity_failures[key] = failures
            delay = min(MAX_BACKOFF, 2.0**failures)
            clog.exception("topic/user pass failed (retry in %.0fs): %s", delay, exc)
            metrics.FAILURES.labels("entities").inc()
            self.enqueue_entities(key, delay=delay)
            return
        finally:
            metrics.DURATION.labels("entities").observe(time.monotonic() - started)
        self.entity_failures.pop(key, None)
        metrics.RECONCILIATIONS.labels("entities", "ok" if not result.problems else "waiting").inc()
        metrics.WRITES.labels("entities").inc(result.writes)
        if result.writes or result.problems:
            clog.info(
                "topics/users: writes=%d %s in %.2fs",
                result.writes,
                "; ".join(result.problems),
                time.monotonic() - started,
            )
        if result.requeue_after is not None:
            self.enqueue_entities(key, delay=result.requeue_after)


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    # kopf logs every handler call at INFO; Krafter logs what its reconciles did instead.
    for noisy in ("httpx", "httpx2", "httpcore", "httpcore2", "kafka", "aiohttp.access", "kopf"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def install_stack_dumps() -> None:
    """`kill -USR1` prints every thread's stack: the one way to see where a silent operator hangs."""
    faulthandler.register(signal.SIGUSR1, file=sys.stderr, all_threads=True)


def log_tasks() -> None:
    """`kill -USR2` logs every asyncio task's stack (the loop must be running to answer)."""
    for task in asyncio.all_tasks():
        frames = task.get_stack()
        where = " <- ".join(f"{f.f_code.co_name}:{f.f_lineno}" for f in reversed(frames)) or "(not started)"
        log.warning("task %s: %s", task.get_name(), where)


def login_in_cluster(**kwargs: Any) -> Any:
    """kopf's service-account login with the API server's address from KUBERNETES_SERVICE_HOST/PORT,
    as client-go and lightkube take it: kopf's own names https://kubernetes.default.svc, which needs
    cluster DNS (absent with `dnsPolicy: Default`, on hostNetwork Pods, or under the process kubelet)."""
    info = kopf.login_with_service_account(**kwargs)
    host, port = os.environ.get("KUBERNETES_SERVICE_HOST"), os.environ.get("KUBERNETES_SERVICE_PORT")
    if info is None or not host or not port:
        return info
    address = f"[{host}]" if ":" in host else host
    return dataclasses.replace(info, server=f"https://{address}:{port}")


def ensure_user_name() -> None:
    """kopf names its peer identity after the user (getpass.getuser), which fails for a uid with no
    passwd entry: OpenShift's arbitrary uids, or an image run with another `runAsUser`."""
    if any(os.environ.get(name) for name in ("LOGNAME", "USER", "LNAME", "USERNAME")):
        return
    try:
        pwd.getpwuid(os.getuid())
    except KeyError:
        os.environ["USER"] = f"uid-{os.getuid()}"


def run(config: OperatorConfig) -> None:
    install_stack_dumps()
    ensure_user_name()
    if config.kubeconfig is not None:
        os.environ["KUBECONFIG"] = str(config.kubeconfig)  # kopf's own login reads it
    operator = Operator(config)
    registry = operator.registry()
    asyncio.run(
        kopf.operator(
            registry=registry,
            namespaces=config.namespaces,
            clusterwide=not config.namespaces,
            standalone=True,
        )
    )
