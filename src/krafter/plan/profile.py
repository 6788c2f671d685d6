"""Where a plan runs: the only facts that differ between Kubernetes and the local platform.

Everything else (roles, listeners, security, storage layout, quorum) is decided once, so the
local cluster is a faithful rehearsal of the Kubernetes one: same `server.properties` keys,
same certificates, only addresses, ports and paths differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from krafter.plan import names

POD_IP_PLACEHOLDER = "${KRAFTER_POD_IP}"
CONTROLPLANE_PORT = 9090
REPLICATION_PORT = 9091


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class KubernetesProfile:
    """Pods addressed through the headless Service; standard ports; the image's paths."""

    namespace: str
    use_service_dns_domain: bool = False
    name: str = "kubernetes"
    default_heap: str | None = None  # the JVM sizes itself from the container limit when unset

    @property
    def dns_suffix(self) -> str:
        return "svc.cluster.local" if self.use_service_dns_domain else "svc"

    def node_host(self, cluster: str, pool: str, node_id: int) -> str:
        """The Pod's stable DNS name under the headless `<c>-kafka-brokers` Service."""
        pod = names.pod(cluster, pool, node_id)
        return f"{pod}.{names.brokers_service(cluster)}.{self.namespace}.{self.dns_suffix}"

    def service_host(self, service: str) -> str:
        return f"{service}.{self.namespace}.{self.dns_suffix}"

    def bind_host(self) -> str:
        """The Pod's own address (the start script substitutes it from the downward API's
        `status.podIP`): the same as 0.0.0.0 in a Pod's network namespace, and what lets
        Pods share one network (the process kubelet's) without their ports colliding."""
        return POD_IP_PLACEHOLDER

    def port(self, node_id: int, container_port: int, slot: int) -> int:
        return container_port

    def data_root(self, cluster: str, pool: str, node_id: int) -> PurePosixPath:
        return PurePosixPath("/var/lib/kafka")

    def config_dir(self, cluster: str, pool: str, node_id: int) -> PurePosixPath:
        return PurePosixPath("/opt/kafka/custom-config")

    def certs_dir(self, cluster: str, pool: str, node_id: int) -> PurePosixPath:
        return PurePosixPath("/opt/kafka/certs")

    def node_ips(self, cluster: str, pool: str, node_id: int) -> tuple[str, ...]:
        return ()

    def extra_dns_names(self, cluster: str) -> tuple[str, ...]:
        ns = self.namespace
        brokers = names.brokers_service(cluster)
        bootstrap = names.bootstrap_service(cluster)
        return (
            bootstrap,
            f"{bootstrap}.{ns}",
            f"{bootstrap}.{ns}.svc",
            f"{bootstrap}.{ns}.svc.cluster.local",
            brokers,
            f"{brokers}.{ns}",
            f"{brokers}.{ns}.svc",
            f"{brokers}.{ns}.svc.cluster.local",
        )


@dataclass(frozen=True)
class LocalProfile:
    """Processes on this machine: 127.0.0.1, ports derived from the node id, a state directory.

    Ports: `port_base + block * 10 + slot`, where slot 0 is the controller listener, 1 the
    replication listener and 2.. the user listeners in port order, and `block` is the node's
    entry in `port_blocks` (the platform assigns and remembers one per node id; without one,
    the node id itself). Deterministic, so a restarted cluster comes back on the same addresses.
    """

    state_dir: PurePosixPath
    port_base: int = 20000
    port_blocks: tuple[tuple[int, int], ...] = ()
    host: str = "127.0.0.1"
    name: str = "local"
    default_heap: str | None = "512m"
    namespace: str = "local"

    def node_host(self, cluster: str, pool: str, node_id: int) -> str:
        return self.host

    def service_host(self, service: str) -> str:
        return self.host

    def bind_host(self) -> str:
        return self.host

    def port(self, node_id: int, container_port: int, slot: int) -> int:
        block = dict(self.port_blocks).get(node_id, node_id)
        return self.port_base + block * 10 + slot

    def node_dir(self, cluster: str, pool: str, node_id: int) -> PurePosixPath:
        return self.state_dir / "nodes" / names.pod(cluster, pool, node_id)

    def data_root(self, cluster: str, pool: str, node_id: int) -> PurePosixPath:
        return self.node_dir(cluster, pool, node_id) / "data"

    def config_dir(self, cluster: str, pool: str, node_id: int) -> PurePosixPath:
        return self.node_dir(cluster, pool, node_id) / "config"

    def certs_dir(self, cluster: str, pool: str, node_id: int) -> PurePosixPath:
        return self.node_dir(cluster, pool, node_id) / "certs"

    def node_ips(self, cluster: str, pool: str, node_id: int) -> tuple[str, ...]:
        return (self.host,)

    def extra_dns_names(self, cluster: str) -> tuple[str, ...]:
        return ("localhost",)


Profile = KubernetesProfile | LocalProfile
