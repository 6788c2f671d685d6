"""The plan's value types: everything a platform needs to make a cluster real, nothing it must decide.

Platforms read these and never look back at the CRs for *what* to create; they only choose
*how* (Kubernetes objects, or local processes).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Literal

from krafter.api.common import ContainerTemplate, PodTemplate, ResourceRequirements
from krafter.api.errors import Finding
from krafter.api.kafka import Kafka
from krafter.api.listeners import ListenerType
from krafter.api.nodepool import KafkaNodePool
from krafter.plan.metrics import MetricsPlan
from krafter.plan.profile import Endpoint


class SecurityProtocol(enum.StrEnum):
    PLAINTEXT = "PLAINTEXT"
    SSL = "SSL"
    SASL_PLAINTEXT = "SASL_PLAINTEXT"
    SASL_SSL = "SASL_SSL"


class AuthType(enum.StrEnum):
    NONE = "none"
    TLS = "tls"
    SCRAM = "scram-sha-512"
    CUSTOM = "custom"


class FormatMode(enum.StrEnum):
    """How a node formats its storage on first start (KIP-853 dynamic quorum)."""

    INITIAL_CONTROLLER = "initial-controller"  # one of the quorum's founding voters
    JOIN = "join"  # brokers, and controllers added after the cluster exists


@dataclass(frozen=True)
class VolumePlan:
    volume_id: int | None
    """JBOD volume id; None for single-volume storage (Strimzi names those without an id)."""
    type: Literal["ephemeral", "persistent-claim"]
    name: str
    """Pod volume name (`data` or `data-<id>`)."""
    mount_path: str
    log_dir: str
    size: str | None = None
    size_limit: str | None = None
    storage_class: str | None = None
    selector: tuple[tuple[str, str], ...] = ()
    delete_claim: bool = False
    claim_name: str | None = None
    """PersistentVolumeClaim name, for persistent-claim volumes."""
    volume_attributes_class: str | None = None
    holds_metadata: bool = False


@dataclass(frozen=True)
class NodeListener:
    """One Kafka listener as one node runs it."""

    listener: str
    """User listener name, or `controlplane` / `replication` for the internal ones."""
    kafka_name: str
    """Kafka's listener name, e.g. `PLAIN-9092` (Strimzi's scheme)."""
    container_port: int
    bind: Endpoint
    advertised: Endpoint | None
    """None for the controller listener of broker-only nodes (they do not serve it)."""
    protocol: SecurityProtocol


@dataclass(frozen=True)
class CertificateRequest:
    """A server certificate a node needs: the SANs cover every name clients may dial."""

    common_name: str
    dns_names: tuple[str, ...]
    ip_addresses: tuple[str, ...]


@dataclass(frozen=True)
class JvmPlan:
    heap_max: str | None
    heap_min: str | None
    options: tuple[str, ...]

    def heap_opts(self) -> str:
        parts = []
        if self.heap_min:
            parts.append(f"-Xms{self.heap_min}")
        if self.heap_max:
            parts.append(f"-Xmx{self.heap_max}")
        return " ".join(parts)


@dataclass(frozen=True)
class RackPlan:
    """Where a node's `broker.rack` comes from at start-up (substituted by the start script)."""

    source: Literal["topology-label", "environment-variable"]
    topology_key: str | None = None
    env_var_name: str | None = None


@dataclass(frozen=True)
class NodePlan:
    node_id: int
    pool: str
    pod_name: str
    is_broker: bool
    is_controller: bool
    volumes: tuple[VolumePlan, ...]
    listeners: tuple[NodeListener, ...]
    server_properties: tuple[tuple[str, str], ...]
    """Complete server.properties, in a stable order."""
    format_mode: FormatMode
    directory_id: str
    """The KRaft directory id of the metadata log dir (needed for --initial-controllers)."""
    jvm: JvmPlan
    certificate: CertificateRequest
    labels: tuple[tuple[str, str], ...]
    resources: ResourceRequirements | None = None
    pod_template: PodTemplate | None = None
    container_template: ContainerTemplate | None = None
    init_container_template: ContainerTemplate | None = None
    rack: RackPlan | None = None
    metrics_endpoint: Endpoint | None = None
    """Where the node serves Prometheus metrics (None: metrics off)."""

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(r for r, on in (("controller", self.is_controller), ("broker", self.is_broker)) if on)

    def properties(self) -> dict[str, str]:
        return dict(self.server_properties)

    def listener(self, name: str) -> NodeListener:
        return next(entry for entry in self.listeners if entry.listener == name)

    @property
    def metadata_log_dir(self) -> str:
        for volume in self.volumes:
            if volume.holds_metadata:
                return volume.log_dir
        return self.volumes[0].log_dir


@dataclass(frozen=True)
class ListenerPlan:
    """A user listener across the cluster: how clients bootstrap and reach each broker."""

    name: str
    type: ListenerType
    port: int
    tls: bool
    auth: AuthType
    kafka_name: str
    protocol: SecurityProtocol
    bootstrap: tuple[Endpoint, ...]
    """What goes into clients' bootstrap.servers (status.listeners[].bootstrapServers)."""
    broker_addresses: tuple[tuple[int, Endpoint], ...]
    """Advertised address of every broker on this listener."""
    custom_certificate_secret: str | None = None


@dataclass(frozen=True)
class QuorumPlan:
    voter_ids: tuple[int, ...]
    bootstrap_servers: str
    """`controller.quorum.bootstrap.servers`."""
    initial_controllers: str
    """`--initial-controllers` for the founding voters: `id@host:port:directoryId,...`."""


@dataclass(frozen=True)
class PoolPlan:
    name: str
    roles: tuple[str, ...]
    replicas: int
    node_ids: tuple[int, ...]
    added: tuple[int, ...]
    removed: tuple[int, ...]
    label_selector: str


@dataclass(frozen=True)
class ClusterPlan:
    name: str
    namespace: str
    cluster_id: str
    kafka_version: str
    metadata_version: str
    image: str
    kafka: Kafka
    """The (legacy-normalised) Kafka resource, for templates the renderer reads."""
    pools: tuple[PoolPlan, ...]
    pool_resources: tuple[KafkaNodePool, ...]
    nodes: tuple[NodePlan, ...]
    listeners: tuple[ListenerPlan, ...]
    quorum: QuorumPlan
    super_users: tuple[str, ...]
    profile_name: str
    pdb_max_unavailable: int = 1
    pending_addresses: tuple[str, ...] = ()
    """`listener/node` pairs whose external address does not exist yet (load balancers, routes)."""
    findings: tuple[Finding, ...] = field(default=())
    metrics: MetricsPlan | None = None
    external_log4j: str | None = None
    """A complete log4j2 configuration from `spec.kafka.logging` (type external)."""

    def node(self, node_id: int) -> NodePlan:
        return next(n for n in self.nodes if n.node_id == node_id)

    @property
    def brokers(self) -> tuple[NodePlan, ...]:
        return tuple(n for n in self.nodes if n.is_broker)

    @property
    def controllers(self) -> tuple[NodePlan, ...]:
        return tuple(n for n in self.nodes if n.is_controller)
