"""Kafka listeners as users declare them (`spec.kafka.listeners[]`).

Each listener becomes a Kafka listener on every broker plus the Services (and Routes or
Ingresses) that make it reachable; `type` decides how clients outside the Pod network
reach each broker individually, which Kafka clients must be able to do.
"""

from __future__ import annotations

import enum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field

from krafter.api.base import V1, V1BETA2, Model, OpenModel, Rule
from krafter.api.common import NetworkPolicyPeer


class ListenerType(enum.StrEnum):
    INTERNAL = "internal"
    ROUTE = "route"
    TLSROUTE = "tlsroute"
    LOADBALANCER = "loadbalancer"
    NODEPORT = "nodeport"
    INGRESS = "ingress"
    CLUSTER_IP = "cluster-ip"


class TlsListenerAuthentication(Model):
    """Mutual TLS: clients present a certificate signed by the clients CA (KafkaUser `tls`)."""

    type: Literal["tls"]
    """Authentication type."""


class ScramListenerAuthentication(Model):
    """SASL SCRAM-SHA-512 username and password (KafkaUser `scram-sha-512`)."""

    type: Literal["scram-sha-512"]
    """Authentication type."""


class CustomListenerAuthentication(Model):
    """Your own authentication, configured with raw listener properties."""

    rules = (
        Rule(
            lambda auth: auth.secrets is None,
            f"'secrets' was removed from custom authentication in kafka.strimzi.io/{V1}",
            field="secrets",
            fix="mount the Secrets with spec.kafka.template.pod.volumes and "
            "spec.kafka.template.kafkaContainer.volumeMounts (`krafter convert` does this for a v1beta2 file)",
            cel="!has(self.secrets)",
            versions=(V1,),
        ),
    )

    type: Literal["custom"]
    """Authentication type."""
    sasl: bool | None = None
    """Enable SASL on this listener."""
    listener_config: dict[str, Any] | None = None
    """Listener-scoped Kafka properties (without the `listener.name.<name>.` prefix)."""
    secrets: list[dict[str, Any]] | None = None
    """Secrets mounted into the Kafka Pods for the custom authentication (v1beta2 only; in v1 mount
    them with the pod template's volumes and the Kafka container's volumeMounts)."""


class OAuthListenerAuthentication(OpenModel):
    """OAuth 2.0 (removed in Strimzi v1; Krafter rejects it: use `custom` with the OAuth plugin)."""

    api_versions: ClassVar[tuple[str, ...]] = (V1BETA2,)
    type: Literal["oauth"]
    """Authentication type."""


ListenerAuthentication = Annotated[
    TlsListenerAuthentication
    | ScramListenerAuthentication
    | CustomListenerAuthentication
    | OAuthListenerAuthentication,
    Field(discriminator="type"),
]


class CertAndKeySecretSource(Model):
    """A certificate and private key stored in a Secret."""

    secret_name: str
    """Name of the Secret."""
    certificate: str
    """Key of the certificate (PEM) in the Secret."""
    key: str
    """Key of the private key (PEM) in the Secret."""


class BootstrapConfiguration(Model):
    """Overrides for the listener's bootstrap Service/Route/Ingress."""

    alternative_names: list[str] | None = None
    """Extra subject alternative names for the broker certificates."""
    host: str | None = None
    """Hostname of the bootstrap Route or Ingress."""
    node_port: int | None = None
    """Node port of the bootstrap Service (`nodeport` listeners)."""
    load_balancer_ip: str | None = Field(default=None, alias="loadBalancerIP")
    """Requested load balancer IP (`loadbalancer` listeners)."""
    annotations: dict[str, str] | None = None
    """Annotations of the bootstrap Service/Route/Ingress, e.g. for external DNS."""
    labels: dict[str, str] | None = None
    """Labels of the bootstrap Service/Route/Ingress."""
    external_i_ps: list[str] | None = Field(default=None, alias="externalIPs")
    """External IPs of the bootstrap Service (`nodeport` listeners)."""


class BrokerConfiguration(Model):
    """Overrides for one broker's per-broker Service/Route/Ingress and advertised address."""

    broker: int
    """Node id these overrides apply to."""
    advertised_host: str | None = None
    """Host the broker advertises to clients on this listener."""
    advertised_port: int | None = None
    """Port the broker advertises to clients on this listener."""
    host: str | None = None
    """Hostname of the broker's Route or Ingress."""
    node_port: int | None = None
    """Node port of the broker's Service (`nodeport` listeners)."""
    load_balancer_ip: str | None = Field(default=None, alias="loadBalancerIP")
    """Requested load balancer IP of the broker's Service."""
    annotations: dict[str, str] | None = None
    """Annotations of the broker's Service/Route/Ingress."""
    labels: dict[str, str] | None = None
    """Labels of the broker's Service/Route/Ingress."""
    external_i_ps: list[str] | None = Field(default=None, alias="externalIPs")
    """External IPs of the broker's Service."""


class ParentReference(Model):
    """A Gateway API parent (Gateway listener) for `tlsroute` listeners."""

    kind: str | None = None
    """Kind of the parent, usually `Gateway`."""
    group: str | None = None
    """API group of the parent."""
    name: str | None = None
    """Name of the parent."""
    namespace: str | None = None
    """Namespace of the parent."""
    port: int | None = None
    """Port of the parent listener."""
    section_name: str | None = None
    """Section (listener name) of the parent."""


class ListenerConfiguration(Model):
    """Fine-tuning of one listener: certificates, Services, advertised addresses."""

    broker_cert_chain_and_key: CertAndKeySecretSource | None = None
    """Your own server certificate for this TLS listener, instead of one signed by the cluster CA."""
    ingress_class: str | None = Field(default=None, alias="class")
    """Ingress class (`ingress`) or load balancer class (`loadbalancer`)."""
    external_traffic_policy: Literal["Local", "Cluster"] | None = None
    """External traffic policy of `nodeport`/`loadbalancer` Services (Kubernetes default Cluster)."""
    load_balancer_source_ranges: list[str] | None = None
    """CIDRs allowed to reach a `loadbalancer` listener."""
    bootstrap: BootstrapConfiguration | None = None
    """Bootstrap Service/Route/Ingress overrides."""
    brokers: list[BrokerConfiguration] | None = None
    """Per-broker overrides, matched by node id."""
    ip_family_policy: Literal["SingleStack", "PreferDualStack", "RequireDualStack"] | None = None
    """IP family policy of the listener's Services."""
    ip_families: list[Literal["IPv4", "IPv6"]] | None = None
    """IP families of the listener's Services."""
    create_bootstrap_service: bool | None = None
    """Create the bootstrap Service for `loadbalancer` listeners (default true)."""
    finalizers: list[str] | None = None
    """Finalizers set on `loadbalancer` Services."""
    use_service_dns_domain: bool | None = None
    """Advertise `.svc.cluster.local` names instead of `.svc` (`internal`, `cluster-ip`)."""
    max_connections: int | None = None
    """Maximum connections per broker on this listener."""
    max_connection_creation_rate: int | None = None
    """Maximum new connections per second per broker on this listener."""
    preferred_node_port_address_type: (
        Literal["ExternalIP", "ExternalDNS", "InternalIP", "InternalDNS", "Hostname"] | None
    ) = None
    """Which node address `nodeport` listeners advertise first."""
    publish_not_ready_addresses: bool | None = None
    """Publish addresses of not-ready Pods in the listener's Services."""
    per_broker_annotations_template: dict[str, str] | None = None
    """Annotations for every per-broker object; values may use `{nodeId}` and `{nodePodName}`."""
    per_broker_labels_template: dict[str, str] | None = None
    """Labels for every per-broker object; values may use `{nodeId}` and `{nodePodName}`."""
    host_template: str | None = None
    """Per-broker Route/Ingress host, e.g. `broker-{nodeId}.kafka.example.com`."""
    advertised_host_template: str | None = None
    """Per-broker advertised host, e.g. `broker-{nodeId}.kafka.example.com`."""
    advertised_port_template: str | None = None
    """Per-broker advertised port, e.g. `90{nodeId}`."""
    allocate_load_balancer_node_ports: bool | None = None
    """Allocate node ports for `loadbalancer` Services (Kubernetes default true)."""
    parent_refs: list[ParentReference] | None = None
    """Gateway API parents of `tlsroute` listeners."""


TLS_ONLY_TYPES = frozenset({ListenerType.ROUTE, ListenerType.INGRESS, ListenerType.TLSROUTE})


def _value_at(model: Any, path: str) -> Any:
    """The value at a dotted path of wire names (`configuration.bootstrap.host`), None if unset."""
    for part in path.split("."):
        if model is None:
            return None
        fields = type(model).model_fields
        name = next((n for n, f in fields.items() if (f.alias or n) == part), part)
        model = getattr(model, name, None)
    return model


def _cel_unset(path: str) -> str:
    parts = path.split(".")
    prefixes = [".".join(parts[: i + 1]) for i in range(len(parts))]
    absent = " || ".join(f"!has(self.{p})" for p in prefixes)
    return absent


def _only_for(path: str, types: tuple[ListenerType, ...], kinds: str, *, empty_ok: bool = False) -> Rule:
    """A listener setting that only some listener types have (Strimzi's ListenersValidator)."""
    names = [t.value for t in types]

    def holds(listener: GenericKafkaListener) -> bool:
        value = _value_at(listener, path)
        return listener.type.value in names or value is None or (empty_ok and not value)

    unset = _cel_unset(path)
    if empty_ok:
        unset += f" || size(self.{path}) == 0"
    field = path.removeprefix("configuration.")
    return Rule(
        holds,
        f"cannot configure {field} because it is not {kinds} based listener",
        field=path,
        fix=f"remove {path}; it is used by {' and '.join(names)} listeners only",
        cel=f"self.type in {names!r} || {unset}".replace('"', "'"),
    )


def _ingress_hosts(listener: GenericKafkaListener) -> bool:
    config = listener.configuration
    if listener.type is not ListenerType.INGRESS:
        return True
    if config is None:
        return False
    return bool(config.host_template) or bool(config.brokers and all(b.host for b in config.brokers))


class GenericKafkaListener(Model):
    """One Kafka listener: a name, a port, how it is exposed, and how clients authenticate."""

    rules = (
        Rule(
            lambda listener: listener.tls or listener.type not in TLS_ONLY_TYPES,
            "listeners of type route, ingress and tlsroute need TLS (they are routed by SNI)",
            field="tls",
            fix="set tls: true",
            cel="self.tls || !(self.type in ['route', 'ingress', 'tlsroute'])",
        ),
        Rule(
            lambda listener: listener.tls or not isinstance(listener.authentication, TlsListenerAuthentication),
            "tls client authentication needs an encrypted listener",
            field="authentication.type",
            fix="set tls: true on this listener, or use scram-sha-512",
            cel="self.tls || !has(self.authentication) || self.authentication.type != 'tls'",
        ),
        Rule(
            lambda listener: listener.tls or _value_at(listener, "configuration.brokerCertChainAndKey") is None,
            "a custom server certificate needs a TLS listener",
            field="configuration.brokerCertChainAndKey",
            fix="set tls: true or remove brokerCertChainAndKey",
            cel="self.tls || !has(self.configuration) || !has(self.configuration.brokerCertChainAndKey)",
        ),
        Rule(
            lambda listener: (
                listener.type is not ListenerType.INGRESS or bool(_value_at(listener, "configuration.bootstrap.host"))
            ),
            "is missing a bootstrap host name which is required for Ingress based listeners",
            field="configuration.bootstrap.host",
            fix="set configuration.bootstrap.host to the host name clients bootstrap from",
            cel="self.type != 'ingress' || (has(self.configuration) && has(self.configuration.bootstrap) "
            "&& has(self.configuration.bootstrap.host))",
        ),
        Rule(
            _ingress_hosts,
            "is missing broker host names which are required for Ingress based listeners",
            field="configuration",
            fix="set configuration.hostTemplate (e.g. broker-{nodeId}.kafka.example.com) or a host for every "
            "broker in configuration.brokers[].host",
            # That every broker listed has a host, and every broker node is listed, is checked by
            # validation and lint only: a CEL loop over brokers costs more than the server allows.
            cel="self.type != 'ingress' || (has(self.configuration) && (has(self.configuration.hostTemplate) "
            "|| (has(self.configuration.brokers) && size(self.configuration.brokers) > 0)))",
        ),
        Rule(
            lambda listener: (
                listener.type is not ListenerType.TLSROUTE or bool(_value_at(listener, "configuration.parentRefs"))
            ),
            "is missing parentRefs which are required for TLSRoute based listeners",
            field="configuration",
            fix="list the Gateway (listener) the TLSRoutes attach to in configuration.parentRefs",
            cel="self.type != 'tlsroute' || (has(self.configuration) && has(self.configuration.parentRefs) "
            "&& size(self.configuration.parentRefs) > 0)",
        ),
        _only_for(
            "configuration.bootstrap.host",
            (ListenerType.ROUTE, ListenerType.INGRESS, ListenerType.TLSROUTE),
            "a Route, Ingress or TLSRoute",
        ),
        _only_for("configuration.bootstrap.nodePort", (ListenerType.NODEPORT,), "a NodePort"),
        _only_for("configuration.bootstrap.loadBalancerIP", (ListenerType.LOADBALANCER,), "a LoadBalancer"),
        _only_for("configuration.preferredNodePortAddressType", (ListenerType.NODEPORT,), "a NodePort"),
        _only_for(
            "configuration.useServiceDnsDomain",
            (ListenerType.INTERNAL, ListenerType.CLUSTER_IP),
            "an internal or cluster-ip",
        ),
        _only_for(
            "configuration.externalTrafficPolicy",
            (ListenerType.LOADBALANCER, ListenerType.NODEPORT),
            "a LoadBalancer or NodePort",
        ),
        _only_for(
            "configuration.loadBalancerSourceRanges", (ListenerType.LOADBALANCER,), "a LoadBalancer", empty_ok=True
        ),
        _only_for("configuration.finalizers", (ListenerType.LOADBALANCER,), "a LoadBalancer", empty_ok=True),
        _only_for(
            "configuration.class", (ListenerType.INGRESS, ListenerType.LOADBALANCER), "an Ingress or LoadBalancer"
        ),
    )

    name: Annotated[str, Field(pattern=r"^[a-z0-9]{1,11}$")]
    """Listener name, unique in the cluster: 1-11 lowercase letters or digits."""
    port: Annotated[int, Field(ge=9092)]
    """Port inside the Pod, 9092 or above; unique; not 9090, 9091, 9404, 9999 or 8443 (used internally)."""
    type: ListenerType
    """How the listener is exposed: `internal` (headless Service, in-cluster only), `cluster-ip` (a
    ClusterIP Service per broker), `nodeport`, `loadbalancer`, `ingress` (needs tls), `route`
    (OpenShift, needs tls) or `tlsroute` (Gateway API, needs tls)."""
    tls: bool
    """Encrypt the listener with TLS (server certificates signed by the cluster CA unless overridden)."""
    authentication: ListenerAuthentication | None = None
    """Client authentication on this listener; unset means none."""
    configuration: ListenerConfiguration | None = None
    """Fine-tuning of the listener."""
    network_policy_peers: list[NetworkPolicyPeer] | None = None
    """Who may connect (Kubernetes NetworkPolicyPeer list); unset means everyone."""


# Ports Krafter (and Strimzi) use inside Kafka Pods; user listeners must avoid them.
RESERVED_PORTS = {
    9090: "the KRaft controller listener",
    9091: "the internal replication listener",
    8443: "the node agent",
    9404: "Prometheus metrics",
    9999: "JMX",
}
