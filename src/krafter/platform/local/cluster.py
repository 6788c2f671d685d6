"""`krafter up / down / status` on this machine: the same plan as on Kubernetes, as processes.

`up` is a reconcile: it plans from the resources and what the state directory remembers,
writes each node's files, starts what is not running, restarts (one at a time) what changed,
stops what was removed, and waits until Kafka itself reports the cluster healthy.
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import socket
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import yaml

from krafter.api.cluster import ClusterInput
from krafter.api.errors import Finding, InvalidResource
from krafter.core.errors import EnvironmentProblem, KrafterError
from krafter.kafka import dist as kafka_dist
from krafter.kafka import metrics_libs, runtime
from krafter.kafka.admin import KafkaAdmin
from krafter.kafka.admin_types import ConnectionSettings, KafkaAdminError, SecurityProtocol
from krafter.plan import node_files, references
from krafter.plan.metrics import METRICS_SLOT
from krafter.plan.model import ClusterPlan, NodePlan
from krafter.plan.node_ids import assign_node_ids
from krafter.plan.planner import PlanInput, plan_cluster
from krafter.plan.profile import LocalProfile
from krafter.platform.local import entities, lag_exporter, processes, security
from krafter.platform.local.state import ClusterRecord, ClusterState
from krafter.roll.rules import Candidate, PartitionView, Verdict, may_restart, roll_order
from krafter.scale import guard

Progress = Callable[[str], None]
# Below Linux's ephemeral range (32768-60999), which client sockets and free-port pickers use.
PORT_BASE_FIRST = 10000
PORT_BASE_STEP = 1000
PORT_BASE_CHOICES = 22
PORT_BLOCKS = 100  # a cluster's range: port_base + block * 10 + slot, 1000 ports
MAX_LOCAL_LISTENERS = METRICS_SLOT - 2
"""Slots 0 and 1 are the controller and replication listeners, the last one metrics."""


@dataclass
class UpResult:
    plan: ClusterPlan
    state: ClusterState
    identity: security.OperatorIdentity
    started: list[str] = field(default_factory=list)
    restarted: list[str] = field(default_factory=list)
    stopped: list[str] = field(default_factory=list)
    seconds: float = 0.0
    entities: entities.EntitiesReport | None = None
    """KafkaTopics and KafkaUsers reconciled after the cluster became healthy."""
    lag_endpoint: str | None = None
    """host:port of the consumer-lag exporter (for a Kafka with spec.kafkaExporter)."""

    def bootstrap(self, listener: str) -> str:
        entry = next(item for item in self.plan.listeners if item.name == listener)
        return ",".join(str(endpoint) for endpoint in entry.bootstrap)


def _port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.3)
        return sock.connect_ex((host, port)) == 0


def node_ports(node: NodePlan) -> list[int]:
    ports = [entry.bind.port for entry in node.listeners if entry.advertised is not None]
    if node.metrics_endpoint is not None:
        ports.append(node.metrics_endpoint.port)
    return ports


def dirs_of(state: ClusterState, node: NodePlan) -> processes.NodeDirs:
    return processes.NodeDirs(state.node_dir(node.pod_name))


def admin_settings(plan: ClusterPlan, identity: security.OperatorIdentity) -> ConnectionSettings:
    """Krafter talks to its clusters like the operator does: mTLS on the replication listener."""
    endpoints = [str(node.listener("replication").advertised) for node in plan.brokers]
    return ConnectionSettings(
        bootstrap_servers=",".join(endpoints),
        security_protocol=SecurityProtocol.SSL,
        ssl_cafile=str(identity.ca_file),
        ssl_certfile=str(identity.cert_file),
        ssl_keyfile=str(identity.key_file),
        request_timeout_ms=15_000,
        client_id="krafter-cli",
    )


def _properties(node_dir: Path) -> dict[str, str]:
    config = processes.NodeDirs(node_dir).config / node_files.SERVER_CONFIG
    try:
        lines = config.read_text().splitlines()
    except OSError:
        return {}
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def _running(node_dir: Path) -> bool:
    return processes.running_pid(processes.NodeDirs(node_dir)) is not None


def _pool_of(cluster: str, pod: str) -> str:
    """The pool in a node's name, `<cluster>-<pool>-<id>`."""
    return pod.removeprefix(f"{cluster}-").rsplit("-", 1)[0]


def _is_controller(node_dir: Path) -> bool:
    return "controller" in _properties(node_dir).get("process.roles", "")


class LocalPlatform:
    def __init__(self, state_dir: Path | None = None, progress: Progress | None = None) -> None:
        self.state_dir = state_dir
        self.say: Progress = progress or (lambda _message: None)

    def state(self, name: str) -> ClusterState:
        return ClusterState.at(name, self.state_dir)

    # --- planning ----------------------------------------------------------------------------

    def _choose_port_base(self, name: str) -> int:
        """A port range no other local cluster uses, stable for the cluster's name."""
        taken = set()
        root = self.state(name).base
        if root.is_dir():
            for other in root.iterdir():
                record = ClusterState(root, other.name).load()
                if record is not None and other.name != name:
                    taken.add(record.port_base)
        start = zlib.crc32(name.encode()) % PORT_BASE_CHOICES
        for offset in range(PORT_BASE_CHOICES):
            base = PORT_BASE_FIRST + ((start + offset) % PORT_BASE_CHOICES) * PORT_BASE_STEP
            if base not in taken and all(_port_free(base + p) for p in range(PORT_BASE_STEP)):
                return base
        last = PORT_BASE_FIRST + PORT_BASE_CHOICES * PORT_BASE_STEP
        raise EnvironmentProblem(f"no free port range between {PORT_BASE_FIRST} and {last} for a local cluster")

    def plan(
        self, cluster: ClusterInput, record: ClusterRecord, referenced: Mapping[references.ConfigKey, str] | None = None
    ) -> ClusterPlan:
        self._assign_port_blocks(cluster, record)
        profile = LocalProfile(
            PurePosixPath(str(self.state(cluster.name).root)),
            port_base=record.port_base,
            port_blocks=tuple(sorted((int(k), v) for k, v in record.port_blocks.items())),
        )
        given = PlanInput(
            kafka=cluster.kafka,
            pools=cluster.pools,
            cluster_id=record.cluster_id,
            current_node_ids=record.node_ids,
            founding_voters=tuple(record.founding_voters) if record.founding_voters is not None else None,
            referenced=referenced or {},
        )
        return plan_cluster(given, profile)

    @staticmethod
    def _assign_port_blocks(cluster: ClusterInput, record: ClusterRecord) -> None:
        """Give every node id a port block once; ids keep theirs, so addresses never move."""
        ids = assign_node_ids(cluster.pools, record.node_ids)
        used = set(record.port_blocks.values())
        for node_id in sorted(i for pool in ids.values() for i in pool.node_ids):
            if str(node_id) in record.port_blocks:
                continue
            free = next((b for b in range(PORT_BLOCKS) if b not in used), None)
            if free is None:
                raise KrafterError(f"a local cluster can have at most {PORT_BLOCKS} nodes")
            record.port_blocks[str(node_id)] = free
            used.add(free)

    # --- up ----------------------------------------------------------------------------------

    def up(
        self,
        cluster: ClusterInput,
        documents: Sequence[dict[str, object]] = (),
        timeout: float = 240.0,
        *,
        force_scale_down: bool = False,
    ) -> UpResult:
        started_at = time.monotonic()
        listeners = cluster.kafka.spec.kafka.listeners
        if len(listeners) > MAX_LOCAL_LISTENERS:
            raise InvalidResource(
                [
                    Finding(
                        "spec.kafka.listeners",
                        f"has {len(listeners)} listeners; a local node has ports for {MAX_LOCAL_LISTENERS}",
                        "drop listeners that only matter on Kubernetes (route, ingress, ...) for the local cluster",
                        resource=f"Kafka/{cluster.name}",
                    )
                ]
            )
        referenced = references.contents_from(documents, cluster.kafka.metadata.namespace)
        missing = references.missing(cluster.kafka, referenced)
        if missing:
            fix = "add that ConfigMap (kind: ConfigMap) to the files given to `krafter up`"
            raise InvalidResource([dataclasses.replace(f, fix=fix, resource=f"Kafka/{cluster.name}") for f in missing])
        state = self.state(cluster.name)
        record = state.load()
        if record is None:
            record = ClusterRecord(
                name=cluster.name,
                cluster_id=runtime.random_uuid(),
                port_base=self._choose_port_base(cluster.name),
            )
        plan = self.plan(cluster, record, referenced)
        self._check_scale_down(
            state,
            plan,
            force=force_scale_down,
            skip_check=guard.skip_requested(cluster.kafka.metadata.annotations),
        )
        dist = kafka_dist.resolve(plan.kafka_version, progress=self.say)
        if plan.metrics is not None:
            dist = dataclasses.replace(dist, metrics_libs=metrics_libs.resolve(progress=self.say))
        now = datetime.now(UTC)
        cas = security.ensure_cas(state.ca_dir, plan, now)
        identity = security.ensure_operator_identity(state.operator_dir, plan, cas, now)
        result = UpResult(plan, state, identity)

        changed: set[int] = set()
        for node in plan.nodes:
            dirs = dirs_of(state, node)
            config = {name: text.encode() for name, text in node_files.config_files(plan, node).items()}
            config_changed = security.write_files(dirs.config, config, prune=node_files.OPTIONAL_FILES)
            certs = security.node_certificate_files(dirs.certs, node, cas, plan.kafka.spec.cluster_ca, now)
            certs_changed = security.write_files(dirs.certs, certs)
            if config_changed or certs_changed:
                changed.add(node.node_id)

        self._stop_removed(state, plan, result)
        running = {n.node_id for n in plan.nodes if processes.running_pid(dirs_of(state, n)) is not None}
        to_start = [n for n in plan.nodes if n.node_id not in running]
        self._check_ports(to_start)
        # Remembered before any node starts: a node formats its storage with this cluster id, these
        # node ids and founding voters at its first start, so a run that fails later (a node dying
        # at start) must leave them behind. Otherwise the next run draws a new cluster id, every
        # node's files change, and it restarts the nodes that did start "to apply" a new identity.
        record.node_ids = {pool.name: list(pool.node_ids) for pool in plan.pools}
        if record.founding_voters is None:
            record.founding_voters = list(plan.quorum.voter_ids)
        record.kafka_version = plan.kafka_version
        state.save(record)
        if documents:
            (state.root / "resources.yaml").write_text(yaml.safe_dump_all(list(documents), sort_keys=False))
        pids = {}
        for node in to_start:
            self.say(f"starting {node.pod_name} ({'+'.join(node.roles)})")
            pids[node.node_id] = processes.start(dirs_of(state, node), dist, node.jvm.heap_opts(), node.jvm.options)
            result.started.append(node.pod_name)
        if pids:
            self.say(f"waiting for {len(pids)} node(s) to start and the cluster to be healthy")
        self._wait_started(state, plan, pids, timeout)
        self.wait_healthy(plan, identity, timeout, state)
        restart = [n for n in plan.nodes if n.node_id in changed and n.node_id in running]
        if restart:
            self._rolling_restart(
                state=state, plan=plan, identity=identity, nodes=restart, dist=dist, timeout=timeout, result=result
            )
        if cluster.topics or cluster.users:
            self.say(f"reconciling {len(cluster.topics)} KafkaTopic(s) and {len(cluster.users)} KafkaUser(s)")
        result.entities = entities.reconcile_entities(result, cluster, timeout=timeout)
        if plan.kafka.spec.kafka_exporter is not None:
            result.lag_endpoint = lag_exporter.ensure(state)
        elif lag_exporter.stop(state):
            self.say("stopped the consumer-lag exporter (spec.kafkaExporter removed)")
        result.seconds = time.monotonic() - started_at
        return result

    def _check_ports(self, nodes: Sequence[NodePlan]) -> None:
        for node in nodes:
            busy = [port for port in node_ports(node) if not _port_free(port)]
            if busy:
                raise EnvironmentProblem(
                    f"port(s) {', '.join(map(str, busy))} needed by {node.pod_name} are in use by another "
                    "program; stop it, or `krafter down` the cluster that uses them"
                )

    def _check_scale_down(self, state: ClusterState, plan: ClusterPlan, *, force: bool, skip_check: bool) -> None:
        """Refuse to remove a node whose loss would lose data or the quorum.

        Brokers follow the scale-down guard shared with Kubernetes (`krafter.scale.guard`):
        a broker leaving (fewer replicas, a removed pool, the broker role dropped) while it
        hosts partition replicas is refused. Controllers leave a KIP-853 quorum only through
        RemoveRaftVoter, which Krafter does not send yet. `force` accepts both risks;
        `skip_check` (Strimzi's annotation) only the brokers' one.
        """
        if force:
            return
        wanted = {node.pod_name for node in plan.nodes}
        running = [
            pod
            for pod in state.node_pods()
            if processes.running_pid(processes.NodeDirs(state.node_dir(pod))) is not None
        ]
        roles = {pod: _properties(state.node_dir(pod)) for pod in running}
        controllers = [
            pod for pod in running if pod not in wanted and "controller" in roles[pod].get("process.roles", "")
        ]
        if controllers:
            raise KrafterError(
                f"removing controller node(s) {', '.join(controllers)} is not supported yet (the KRaft quorum "
                "would keep them as voters); restore the pool's replicas, or pass --force-scale-down to accept that"
            )
        current = [
            guard.Node(int(roles[pod]["node.id"]), _pool_of(plan.name, pod), "broker" in roles[pod]["process.roles"])
            for pod in running
            if roles[pod].get("node.id", "").isdigit() and "process.roles" in roles[pod]
        ]
        planned = [guard.Node(node.node_id, node.pool, node.is_broker) for node in plan.nodes]
        leaving = guard.leaving_brokers(current, planned)
        if not leaving:
            return
        counts = None
        if not skip_check:
            identity = security.OperatorIdentity(
                state.operator_dir / "ca.crt", state.operator_dir / "operator.crt", state.operator_dir / "operator.key"
            )
            with contextlib.suppress(KafkaAdminError), KafkaAdmin(admin_settings(plan, identity)) as admin:
                counts = admin.replicas_per_broker()
        verdict = guard.check_scale_down(leaving, counts, skip=skip_check)
        if verdict.blocked:
            raise KrafterError(f"{verdict.message()}. Fix: {verdict.fix()}, or pass --force-scale-down")

    def _stop_removed(self, state: ClusterState, plan: ClusterPlan, result: UpResult) -> None:
        wanted = {node.pod_name for node in plan.nodes}
        for pod in state.node_pods():
            if pod in wanted:
                continue
            dirs = processes.NodeDirs(state.node_dir(pod))
            if processes.stop(dirs):
                self.say(f"stopped {pod} (no longer in the plan)")
                result.stopped.append(pod)

    def _wait_started(self, state: ClusterState, plan: ClusterPlan, pids: dict[int, int], timeout: float) -> None:
        """Until every started node listens on its ports; a node that dies shows its log."""
        deadline = time.monotonic() + timeout
        waiting = {node_id for node_id in pids}
        while waiting and time.monotonic() < deadline:
            for node_id in sorted(waiting):
                node = plan.node(node_id)
                dirs = dirs_of(state, node)
                if processes.exited_early(dirs, pids[node_id]):
                    raise EnvironmentProblem(
                        f"{node.pod_name} exited during start-up. Last log lines ({dirs.log}):\n"
                        f"{processes.log_tail(dirs)}"
                    )
                if all(port_open(port) for port in node_ports(node)):
                    waiting.discard(node_id)
            time.sleep(0.25)
        if waiting:
            names = ", ".join(plan.node(i).pod_name for i in sorted(waiting))
            raise EnvironmentProblem(f"{names} did not open their ports within {timeout:.0f} s")

    def wait_healthy(
        self, plan: ClusterPlan, identity: security.OperatorIdentity, timeout: float, state: ClusterState
    ) -> None:
        """Until every broker is registered and unfenced and every controller is a voter."""
        deadline = time.monotonic() + timeout
        problem = "not reachable yet"
        brokers = {n.node_id for n in plan.brokers}
        voters = set(plan.quorum.voter_ids)
        while time.monotonic() < deadline:
            self._raise_if_exited(state, plan)
            try:
                with KafkaAdmin(admin_settings(plan, identity)) as admin:
                    described = admin.describe_cluster()
                    registered = {b.node_id for b in described.brokers if not b.fenced}
                    quorum = admin.describe_quorum()
                    in_quorum = {v.node_id for v in quorum.voters}
                if brokers <= registered and voters <= in_quorum:
                    return
                problem = (
                    f"brokers registered {sorted(registered)} of {sorted(brokers)}, "
                    f"voters {sorted(in_quorum)} of {sorted(voters)}"
                )
            except (KafkaAdminError, OSError) as exc:
                problem = str(exc)
            time.sleep(0.5)
        tails = "\n".join(f"--- {n.pod_name}\n{processes.log_tail(dirs_of(state, n), 5)}" for n in plan.nodes)
        raise EnvironmentProblem(f"cluster {plan.name} not healthy after {timeout:.0f} s: {problem}\n{tails}")

    @staticmethod
    def _raise_if_exited(state: ClusterState, plan: ClusterPlan) -> None:
        """A node that died (a broker shutting down during start-up, say) never makes the cluster
        healthy: report it at once with its own last words instead of waiting out the timeout."""
        for node in plan.nodes:
            dirs = dirs_of(state, node)
            if processes.running_pid(dirs) is None:
                raise EnvironmentProblem(
                    f"{node.pod_name} is not running (it exited). Last log lines ({dirs.log}):\n"
                    f"{processes.log_tail(dirs)}"
                )

    def _rolling_restart(
        self,
        *,
        state: ClusterState,
        plan: ClusterPlan,
        identity: security.OperatorIdentity,
        nodes: Sequence[NodePlan],
        dist: kafka_dist.KafkaDistribution,
        timeout: float,
        result: UpResult,
        reason: str = "to apply its new configuration",
    ) -> None:
        """One node at a time, in the roller's order (controllers first, unready first, the active
        controller last), each only once Kafka says it may go: the quorum keeps a caught-up
        majority and no partition drops below min.insync.replicas."""
        leader, registered = None, set()
        with contextlib.suppress(KafkaAdminError, OSError), KafkaAdmin(admin_settings(plan, identity)) as admin:
            leader = admin.describe_quorum().leader_id
            registered = {b.node_id for b in admin.describe_cluster().brokers if not b.fenced}
        candidates = [
            Candidate(n.node_id, n.is_controller, n.is_broker, ready=not n.is_broker or n.node_id in registered)
            for n in nodes
        ]
        for candidate in roll_order(candidates, leader):
            node = plan.node(candidate.node_id)
            self.wait_until_safe(plan, identity, candidate, timeout)
            dirs = dirs_of(state, node)
            self.say(f"restarting {node.pod_name} {reason}")
            processes.stop(dirs)
            pid = processes.start(dirs, dist, node.jvm.heap_opts(), node.jvm.options)
            self._wait_started(state, plan, {node.node_id: pid}, timeout)
            self.wait_healthy(plan, identity, timeout, state)
            result.restarted.append(node.pod_name)

    def wait_until_safe(
        self, plan: ClusterPlan, identity: security.OperatorIdentity, candidate: Candidate, timeout: float
    ) -> None:
        deadline = time.monotonic() + timeout
        reported = ""
        verdict = Verdict(False, "Kafka did not answer")
        while time.monotonic() < deadline:
            try:
                with KafkaAdmin(admin_settings(plan, identity)) as admin:
                    quorum = admin.describe_quorum()
                    partitions = [PartitionView(*entry) for entry in admin.partitions_with_min_isr()]
                verdict = may_restart(candidate, quorum, partitions)
            except (KafkaAdminError, OSError) as exc:
                verdict = Verdict(False, f"Kafka did not answer: {exc}")
            if verdict.allowed:
                if verdict.reason:
                    self.say(f"note: {verdict.reason}")
                return
            if verdict.reason != reported:
                self.say(f"waiting before restarting node {candidate.node_id}: {verdict.reason}")
                reported = verdict.reason
            time.sleep(1.0)
        raise EnvironmentProblem(
            f"rolling restart stopped before node {candidate.node_id} after {timeout:.0f} s: {verdict.reason}. "
            "Nodes not restarted yet keep their old configuration; run `krafter up` again once the cluster recovers."
        )

    # --- running clusters (failover drills) ---------------------------------------------------

    def attach(self, name: str) -> RunningCluster:
        """A cluster `krafter up` started, with what acting on its nodes needs."""
        state = self.state(name)
        record = state.load()
        if record is None:
            raise KrafterError(f"no local cluster named '{name}' (state dir {state.base}); start it with `krafter up`")
        cluster = load_cluster_input(state)
        plan = self.plan(
            cluster, record, references.contents_from(load_documents(state), cluster.kafka.metadata.namespace)
        )
        identity = security.OperatorIdentity(
            state.operator_dir / "ca.crt", state.operator_dir / "operator.crt", state.operator_dir / "operator.key"
        )
        return RunningCluster(state, plan, identity)

    def _dist(self, plan: ClusterPlan) -> kafka_dist.KafkaDistribution:
        dist = kafka_dist.resolve(plan.kafka_version, progress=self.say)
        if plan.metrics is not None:
            dist = dataclasses.replace(dist, metrics_libs=metrics_libs.resolve(progress=self.say))
        return dist

    def start_nodes(self, running: RunningCluster, node_ids: Sequence[int], timeout: float = 240.0) -> list[str]:
        """Start those of these nodes that are not running (as `up` would) and wait until they
        listen; a node that dies while starting is reported with its log. Names of those started."""
        dist = self._dist(running.plan)
        pids = {}
        for node_id in node_ids:
            node = running.plan.node(node_id)
            dirs = dirs_of(running.state, node)
            if processes.running_pid(dirs) is None:
                pids[node_id] = processes.start(dirs, dist, node.jvm.heap_opts(), node.jvm.options)
        self._wait_started(running.state, running.plan, pids, timeout)
        return [running.plan.node(i).pod_name for i in pids]

    def roll(self, running: RunningCluster, timeout: float = 240.0) -> list[str]:
        """Restart every node, one at a time, by the roller's rules (what `up` does after a change)."""
        result = UpResult(running.plan, running.state, running.identity)
        self._rolling_restart(
            state=running.state,
            plan=running.plan,
            identity=running.identity,
            nodes=running.plan.nodes,
            dist=self._dist(running.plan),
            timeout=timeout,
            result=result,
            reason="(rolling restart)",
        )
        return result.restarted

    # --- down --------------------------------------------------------------------------------

    def down(self, name: str, *, delete_data: bool = False) -> list[str]:
        state = self.state(name)
        if not state.root.exists():
            raise KrafterError(f"no local cluster named '{name}' (state dir {state.base})")
        pods = state.node_pods()
        record = state.load()
        # Brokers first, all at once, then controllers: brokers shut down cleanly while the quorum
        # still exists, and nobody waits for a quorum that is already gone.
        brokers_first = (
            [p for p in pods if not _is_controller(state.node_dir(p))],
            [p for p in pods if _is_controller(state.node_dir(p))],
        )
        if lag_exporter.stop(state):
            self.say("stopped the consumer-lag exporter")
        stopped = []
        for group in brokers_first:
            stopped += processes.stop_all([processes.NodeDirs(state.node_dir(pod)) for pod in group])
        for pod in stopped:
            self.say(f"stopped {pod}")
        if delete_data:
            state.delete()
            self.say(f"deleted {state.root}")
        elif record is not None:
            self._wipe_ephemeral(state, record)
        return stopped

    def _wipe_ephemeral(self, state: ClusterState, record: ClusterRecord) -> None:
        """Ephemeral storage is an emptyDir on Kubernetes: it does not outlive the node."""
        try:
            plan = self.plan(load_cluster_input(state), record)
        except KrafterError:
            return
        for node in plan.nodes:
            for volume in node.volumes:
                if volume.type == "ephemeral":
                    shutil.rmtree(volume.mount_path, ignore_errors=True)


@dataclass(frozen=True)
class NodeStatus:
    node_id: int
    pod: str
    pool: str
    roles: tuple[str, ...]
    pid: int | None
    broker_registered: bool | None
    voter: bool | None
    active_controller: bool
    log: str


@dataclass(frozen=True)
class ClusterStatus:
    name: str
    cluster_id: str
    kafka_version: str
    nodes: tuple[NodeStatus, ...]
    listeners: dict[str, str]
    ca_file: str
    under_replicated: int | None = None
    under_min_isr: int | None = None
    offline: int | None = None
    problem: str | None = None
    metrics: tuple[str, ...] = ()
    """The nodes' /metrics URLs (a Kafka with spec.kafka.metricsConfig)."""
    lag_metrics: str | None = None
    """The consumer-lag exporter's /metrics URL while it runs (a Kafka with spec.kafkaExporter)."""

    @property
    def ready(self) -> bool:
        return self.problem is None and all(
            n.pid is not None and n.broker_registered is not False and n.voter is not False for n in self.nodes
        )

    def to_dict(self) -> dict[str, object]:
        from dataclasses import asdict

        return {**asdict(self), "ready": self.ready}


@dataclass(frozen=True)
class RunningCluster:
    """A started cluster's plan, directory and Krafter's client identity for it."""

    state: ClusterState
    plan: ClusterPlan
    identity: security.OperatorIdentity

    def admin_settings(self) -> ConnectionSettings:
        return admin_settings(self.plan, self.identity)


def load_documents(state: ClusterState) -> list[dict[str, object]]:
    """The documents of the last `krafter up` (ConfigMaps included), or none."""
    path = state.root / "resources.yaml"
    if not path.exists():
        return []
    return [d for d in yaml.safe_load_all(path.read_text()) if isinstance(d, dict)]


def load_cluster_input(state: ClusterState) -> ClusterInput:
    """The resources of the last `krafter up`, assembled again (status, logs, down need the plan)."""
    from krafter.api import cluster as assembly
    from krafter.api import parse

    path = state.root / "resources.yaml"
    if not path.exists():
        raise KrafterError(f"no local cluster named '{state.name}' was started (no {path})")
    clusters, _ = assembly.assemble(parse.load(parse.load_yaml(path.read_text(), str(path)), str(path)))
    found = next((c for c in clusters if c.name == state.name), None)
    if found is None:
        raise KrafterError(f"{path} does not describe Kafka '{state.name}'")
    return found


def status(platform: LocalPlatform, name: str) -> ClusterStatus:
    state = platform.state(name)
    record = state.load()
    if record is None:
        raise KrafterError(f"no local cluster named '{name}' (state dir {state.base})")
    plan = platform.plan(load_cluster_input(state), record)
    identity = security.OperatorIdentity(
        state.operator_dir / "ca.crt", state.operator_dir / "operator.crt", state.operator_dir / "operator.key"
    )
    registered: set[int] | None = None
    voters: set[int] | None = None
    leader = None
    health = None
    problem = None
    if any(processes.running_pid(dirs_of(state, n)) for n in plan.brokers):
        try:
            with KafkaAdmin(admin_settings(plan, identity)) as admin:
                registered = {b.node_id for b in admin.describe_cluster().brokers if not b.fenced}
                quorum = admin.describe_quorum()
                voters = {v.node_id for v in quorum.voters}
                leader = quorum.leader_id
                health = admin.partition_health()
        except (KafkaAdminError, OSError) as exc:
            problem = f"cannot reach the cluster: {exc}"
    else:
        problem = "no broker is running (krafter up starts the cluster)"
    nodes = tuple(
        NodeStatus(
            node_id=n.node_id,
            pod=n.pod_name,
            pool=n.pool,
            roles=n.roles,
            pid=processes.running_pid(dirs_of(state, n)),
            broker_registered=(n.node_id in registered) if registered is not None and n.is_broker else None,
            voter=(n.node_id in voters) if voters is not None and n.is_controller else None,
            active_controller=n.node_id == leader,
            log=str(dirs_of(state, n).log),
        )
        for n in plan.nodes
    )
    return ClusterStatus(
        name=name,
        cluster_id=record.cluster_id,
        kafka_version=plan.kafka_version,
        nodes=nodes,
        listeners={item.name: ",".join(str(e) for e in item.bootstrap) for item in plan.listeners},
        ca_file=str(identity.ca_file),
        under_replicated=health.under_replicated if health else None,
        under_min_isr=health.under_min_isr if health else None,
        offline=health.offline if health else None,
        problem=problem,
        metrics=tuple(f"http://{n.metrics_endpoint}/metrics" for n in plan.nodes if n.metrics_endpoint),
        lag_metrics=f"http://{lag}/metrics" if (lag := lag_exporter.address(state)) else None,
    )
