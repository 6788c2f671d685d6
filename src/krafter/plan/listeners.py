"""Listeners as Kafka sees them: names, security protocols, and every node's advertised address.

Kafka clients bootstrap once and then connect to each broker at the address that broker
advertises, so every broker needs its own reachable address per listener. Inside Kubernetes
that is the Pod's DNS name; outside it depends on the listener type (per-broker Services,
load balancers, node ports, Ingress/Route hosts). Addresses the cluster must first create
(load balancer IPs, node ports) come in as observations; until they exist the plan says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from krafter.api.listeners import (
    CustomListenerAuthentication,
    GenericKafkaListener,
    ListenerType,
    ScramListenerAuthentication,
    TlsListenerAuthentication,
)
from krafter.plan import names
from krafter.plan.model import AuthType, SecurityProtocol
from krafter.plan.profile import CONTROLPLANE_PORT, REPLICATION_PORT, Endpoint, KubernetesProfile, Profile

CONTROLPLANE = "controlplane"
REPLICATION = "replication"
EXTERNAL_TLS_PORT = 443
NODE_ADDRESS_TOKEN = "${KRAFTER_NODE_ADDRESS}"
"""Advertised host of `nodeport` listeners: the start script substitutes the Kubernetes node's address."""


def kafka_listener_name(name: str, port: int) -> str:
    """Strimzi's scheme: `PLAIN-9092`, `REPLICATION-9091`, `CONTROLPLANE-9090`."""
    return f"{name.upper()}-{port}"


CONTROLPLANE_NAME = kafka_listener_name(CONTROLPLANE, CONTROLPLANE_PORT)
REPLICATION_NAME = kafka_listener_name(REPLICATION, REPLICATION_PORT)


def auth_type(listener: GenericKafkaListener) -> AuthType:
    auth = listener.authentication
    if isinstance(auth, TlsListenerAuthentication):
        return AuthType.TLS
    if isinstance(auth, ScramListenerAuthentication):
        return AuthType.SCRAM
    if isinstance(auth, CustomListenerAuthentication):
        return AuthType.CUSTOM
    return AuthType.NONE


def protocol(listener: GenericKafkaListener) -> SecurityProtocol:
    auth = listener.authentication
    sasl = isinstance(auth, ScramListenerAuthentication) or (
        isinstance(auth, CustomListenerAuthentication) and bool(auth.sasl)
    )
    if sasl:
        return SecurityProtocol.SASL_SSL if listener.tls else SecurityProtocol.SASL_PLAINTEXT
    return SecurityProtocol.SSL if listener.tls else SecurityProtocol.PLAINTEXT


def port_slots(listeners: list[GenericKafkaListener]) -> dict[int, int]:
    """Local-platform port slot per container port: 0 controller, 1 replication, then users'."""
    slots = {CONTROLPLANE_PORT: 0, REPLICATION_PORT: 1}
    for index, port in enumerate(sorted(listener.port for listener in listeners)):
        slots[port] = index + 2
    return slots


@dataclass(frozen=True)
class Observed:
    """Addresses only the platform knows after creating Services/Routes (Kubernetes only)."""

    broker_addresses: Mapping[tuple[str, int], Endpoint]
    """(listener, node id) -> address of the per-broker load balancer / route / node port."""
    bootstrap_addresses: Mapping[str, tuple[Endpoint, ...]]


NOTHING_OBSERVED = Observed({}, {})


def _template(text: str | None, node_id: int, pod: str) -> str | None:
    if text is None:
        return None
    return text.replace("{nodeId}", str(node_id)).replace("{nodePodName}", pod)


def advertised_address(
    listener: GenericKafkaListener,
    *,
    cluster: str,
    pool: str,
    node_id: int,
    profile: Profile,
    slot: int,
    observed: Observed,
) -> tuple[Endpoint, bool]:
    """The address a broker advertises on `listener`, and whether it is still pending."""
    pod = names.pod(cluster, pool, node_id)
    if not isinstance(profile, KubernetesProfile):
        return Endpoint(profile.node_host(cluster, pool, node_id), profile.port(node_id, listener.port, slot)), False
    config = listener.configuration
    override = next((b for b in (config.brokers or []) if b.broker == node_id), None) if config else None
    host = (override.advertised_host if override else None) or _template(
        config.advertised_host_template if config else None, node_id, pod
    )
    port_text = _template(config.advertised_port_template if config else None, node_id, pod)
    port = (override.advertised_port if override else None) or (int(port_text) if port_text else None)
    pending = False
    kind = listener.type
    if kind is ListenerType.INTERNAL:
        host = host or profile.node_host(cluster, pool, node_id)
        port = port or listener.port
    elif kind is ListenerType.CLUSTER_IP:
        host = host or profile.service_host(names.per_broker(cluster, pool, listener.name, listener.port, node_id))
        port = port or listener.port
    elif kind in (ListenerType.INGRESS, ListenerType.ROUTE, ListenerType.TLSROUTE):
        seen = observed.broker_addresses.get((listener.name, node_id))
        route_host = (override.host if override else None) or _template(
            config.host_template if config else None, node_id, pod
        )
        host = host or route_host or (seen.host if seen else None)
        port = port or EXTERNAL_TLS_PORT
        pending = host is None
    elif kind is ListenerType.LOADBALANCER:
        seen = observed.broker_addresses.get((listener.name, node_id))
        host = host or (seen.host if seen else None)
        port = port or listener.port
        pending = host is None
    elif kind is ListenerType.NODEPORT:
        seen = observed.broker_addresses.get((listener.name, node_id))
        host = host or NODE_ADDRESS_TOKEN
        port = port or (override.node_port if override else None) or (seen.port if seen else None)
        pending = port is None
    if host is None:
        host = f"{pod}.{listener.name}.address-pending.invalid"
    return Endpoint(host, port or listener.port), pending


def bootstrap_addresses(
    listener: GenericKafkaListener,
    *,
    cluster: str,
    profile: Profile,
    broker_addresses: list[Endpoint],
    observed: Observed,
) -> tuple[Endpoint, ...]:
    """What clients put in bootstrap.servers for this listener."""
    if not isinstance(profile, KubernetesProfile):
        return tuple(broker_addresses)
    kind = listener.type
    if kind is ListenerType.INTERNAL:
        return (Endpoint(profile.service_host(names.bootstrap_service(cluster)), listener.port),)
    if kind is ListenerType.CLUSTER_IP:
        service = names.external_bootstrap(cluster, listener.name, listener.port)
        return (Endpoint(profile.service_host(service), listener.port),)
    config = listener.configuration
    if kind in (ListenerType.INGRESS, ListenerType.ROUTE, ListenerType.TLSROUTE):
        host = config.bootstrap.host if config and config.bootstrap else None
        if host:
            return (Endpoint(host, EXTERNAL_TLS_PORT),)
    return observed.bootstrap_addresses.get(listener.name, ())
