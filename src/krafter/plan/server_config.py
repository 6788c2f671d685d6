"""A node's complete `server.properties`: Krafter's managed keys, then the user's configuration.

Managed keys (identity, listeners, security, paths, quorum) are generated here and nowhere
else; users cannot set them (validation refuses), so there is never a conflict to resolve.
Internal traffic (controller quorum, replication, the operator) always uses mutual TLS with
node certificates signed by the cluster CA.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from krafter.api.kafka import CustomAuthorization, KafkaClusterSpec, SimpleAuthorization
from krafter.api.listeners import CustomListenerAuthentication, GenericKafkaListener
from krafter.api.versions import find as find_version
from krafter.plan import listeners as listener_plan
from krafter.plan.model import AuthType, NodeListener, RackPlan, VolumePlan

STANDARD_AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
SCRAM_LOGIN = "org.apache.kafka.common.security.scram.ScramLoginModule required;"
RACK_TOKEN = "${KRAFTER_RACK}"
NODE_KEYSTORE = "node.keystore.pem"
CLUSTER_CA_FILE = "cluster-ca.crt"
CLIENTS_CA_FILE = "clients-ca.crt"


def custom_keystore_file(listener: str) -> str:
    return f"listener-{listener}.keystore.pem"


@dataclass(frozen=True)
class NodeFacts:
    node_id: int
    is_broker: bool
    is_controller: bool
    listeners: Sequence[NodeListener]
    volumes: Sequence[VolumePlan]
    certs_dir: PurePosixPath
    quorum_bootstrap: str
    super_users: Sequence[str]
    rack: RackPlan | None


def _format(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_format(v) for v in value)
    return str(value)


def _tls_keys(prefix: str, certs: PurePosixPath, keystore: str, truststore: str | None) -> list[tuple[str, str]]:
    keys = [
        (f"{prefix}ssl.keystore.type", "PEM"),
        (f"{prefix}ssl.keystore.location", str(certs / keystore)),
    ]
    if truststore:
        keys += [
            (f"{prefix}ssl.truststore.type", "PEM"),
            (f"{prefix}ssl.truststore.location", str(certs / truststore)),
            (f"{prefix}ssl.client.auth", "required"),
        ]
    return keys


def _user_listener_keys(listener: GenericKafkaListener, kafka_name: str, certs: PurePosixPath) -> list[tuple[str, str]]:
    prefix = f"listener.name.{kafka_name.lower()}."
    keys: list[tuple[str, str]] = []
    auth = listener_plan.auth_type(listener)
    config = listener.configuration
    if listener.tls:
        keystore = (
            custom_keystore_file(listener.name)
            if config is not None and config.broker_cert_chain_and_key is not None
            else NODE_KEYSTORE
        )
        keys += _tls_keys(prefix, certs, keystore, CLIENTS_CA_FILE if auth is AuthType.TLS else None)
    if auth is AuthType.SCRAM:
        keys += [
            (f"{prefix}sasl.enabled.mechanisms", "SCRAM-SHA-512"),
            (f"{prefix}scram-sha-512.sasl.jaas.config", SCRAM_LOGIN),
        ]
    if isinstance(listener.authentication, CustomListenerAuthentication):
        for key, value in sorted((listener.authentication.listener_config or {}).items()):
            keys.append((f"{prefix}{key}", _format(value)))
    if config is not None:
        if config.max_connections is not None:
            keys.append((f"{prefix}max.connections", str(config.max_connections)))
        if config.max_connection_creation_rate is not None:
            keys.append((f"{prefix}max.connection.creation.rate", str(config.max_connection_creation_rate)))
    return keys


def managed_properties(facts: NodeFacts, spec: KafkaClusterSpec) -> list[tuple[str, str]]:
    roles = [r for r, on in (("broker", facts.is_broker), ("controller", facts.is_controller)) if on]
    served = [entry for entry in facts.listeners if entry.advertised is not None]
    props: list[tuple[str, str]] = [
        ("node.id", str(facts.node_id)),
        ("process.roles", ",".join(roles)),
        ("controller.listener.names", listener_plan.CONTROLPLANE_NAME),
        ("controller.quorum.bootstrap.servers", facts.quorum_bootstrap),
        ("listeners", ",".join(f"{e.kafka_name}://{e.bind}" for e in served)),
        (
            "advertised.listeners",
            ",".join(f"{e.kafka_name}://{e.advertised}" for e in served),
        ),
        (
            "listener.security.protocol.map",
            ",".join(f"{e.kafka_name}:{e.protocol.value}" for e in facts.listeners),
        ),
    ]
    if facts.is_broker:
        props.append(("inter.broker.listener.name", listener_plan.REPLICATION_NAME))
    props.append(("log.dirs", ",".join(v.log_dir for v in facts.volumes)))
    metadata = next((v for v in facts.volumes if v.holds_metadata), None)
    if metadata is not None:
        props.append(("metadata.log.dir", metadata.log_dir))
    if facts.rack is not None and facts.is_broker:
        props.append(("broker.rack", RACK_TOKEN))
    for internal in (listener_plan.CONTROLPLANE_NAME, listener_plan.REPLICATION_NAME):
        if any(e.kafka_name == internal for e in facts.listeners):
            props += _tls_keys(f"listener.name.{internal.lower()}.", facts.certs_dir, NODE_KEYSTORE, CLUSTER_CA_FILE)
    if facts.is_broker:
        for listener in spec.listeners:
            entry = next((e for e in facts.listeners if e.listener == listener.name), None)
            if entry is not None:
                props += _user_listener_keys(listener, entry.kafka_name, facts.certs_dir)
    auth = spec.authorization
    if isinstance(auth, SimpleAuthorization):
        props.append(("authorizer.class.name", STANDARD_AUTHORIZER))
    elif isinstance(auth, CustomAuthorization) and auth.authorizer_class:
        props.append(("authorizer.class.name", auth.authorizer_class))
    if auth is not None:
        props.append(("super.users", ";".join(facts.super_users)))
    return props


def user_properties(spec: KafkaClusterSpec, managed: Collection[str] = ()) -> list[tuple[str, str]]:
    """The user's `spec.kafka.config`, minus ZooKeeper-era keys and keys Krafter merged in, in key order."""
    from krafter.api.config_rules import ZOOKEEPER_ERA_KEYS, forbidden_reason

    result = []
    for key, value in sorted((spec.config or {}).items()):
        if key in ZOOKEEPER_ERA_KEYS or key in managed or forbidden_reason(key) or value is None:
            continue
        result.append((key, _format(value)))
    return result


def metadata_version(spec: KafkaClusterSpec, kafka_version: str) -> str:
    if spec.metadata_version:
        return spec.metadata_version
    known = find_version(kafka_version)
    assert known is not None
    return known.default_metadata_version
