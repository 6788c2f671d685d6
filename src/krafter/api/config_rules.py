"""Which Kafka configuration keys users may set in `spec.kafka.config`, and which Krafter owns.

Krafter writes listeners, security, node identity and paths itself (they must agree with the
Services, certificates and volumes it creates), so user values for them would silently
break the cluster. The list matches Strimzi's so that files valid there are valid here.
"""

from __future__ import annotations

# Prefixes (or exact keys) Krafter manages; from Strimzi's KafkaClusterSpec.
FORBIDDEN_PREFIXES = (
    "listeners",
    "advertised.",
    "broker.",
    "listener.",
    "host.name",
    "port",
    "inter.broker.listener.name",
    "sasl.",
    "ssl.",
    "security.",
    "password.",
    "log.dir",
    "zookeeper.connect",
    "zookeeper.set.acl",
    "zookeeper.ssl",
    "zookeeper.clientCnxnSocket",
    "authorizer.",
    "super.user",
    "cruise.control.metrics.topic",
    "cruise.control.metrics.reporter.bootstrap.servers",
    "node.id",
    "process.roles",
    "controller.",
    "metadata.log.dir",
    "zookeeper.metadata.migration.enable",
    "client.quota.callback.static.",
    "prometheus.metrics.reporter.",
    "cordoned.log.dirs",
)

# Keys under a forbidden prefix that users may still tune.
ALLOWED_EXCEPTIONS = frozenset(
    {
        "ssl.cipher.suites",
        "ssl.protocol",
        "ssl.enabled.protocols",
        "ssl.secure.random.implementation",
        "cruise.control.metrics.topic.num.partitions",
        "cruise.control.metrics.topic.replication.factor",
        "cruise.control.metrics.topic.retention.ms",
        "cruise.control.metrics.topic.auto.create.retries",
        "cruise.control.metrics.topic.auto.create.timeout.ms",
        "cruise.control.metrics.topic.min.insync.replicas",
        "broker.session.timeout.ms",
        "broker.heartbeat.interval.ms",
        "controller.socket.timeout.ms",
        "controller.quorum.election.backoff.max.ms",
        "controller.quorum.election.timeout.ms",
        "controller.quorum.fetch.timeout.ms",
        "zookeeper.connection.timeout.ms",
        "sasl.server.max.receive.size",
    }
)

# ZooKeeper-era keys that mean nothing in KRaft: dropped with a warning rather than refused.
ZOOKEEPER_ERA_KEYS = frozenset(
    {
        "inter.broker.protocol.version",
        "log.message.format.version",
        "zookeeper.connection.timeout.ms",
        "zookeeper.session.timeout.ms",
    }
)

# Per-listener keys users may set under `listener.name.<name>.`.
LISTENER_SCOPED_ALLOWED = frozenset({"connections.max.reauth.ms", "max.connections", "max.connection.creation.rate"})

WHY_FORBIDDEN = {
    "listeners": "Krafter derives listeners from spec.kafka.listeners",
    "advertised.": "Krafter advertises each node's own address per listener",
    "listener.": "listener security is derived from spec.kafka.listeners",
    "inter.broker.listener.name": "replication uses Krafter's internal mTLS listener",
    "sasl.": "SASL is configured from the listeners' authentication",
    "ssl.": "TLS is configured from the listeners and the cluster CA",
    "security.": "security protocols are derived from spec.kafka.listeners",
    "authorizer.": "set spec.kafka.authorization instead",
    "super.user": "set spec.kafka.authorization.superUsers instead",
    "node.id": "node ids come from the node pools",
    "process.roles": "roles come from the node pools' spec.roles",
    "controller.": "the KRaft quorum is configured by Krafter",
    "log.dir": "log dirs follow the node pool's storage",
    "metadata.log.dir": "the metadata log dir follows the node pool's storage",
    "zookeeper.": "Krafter runs KRaft only",
}


def forbidden_reason(key: str) -> str | None:
    """Why `key` may not be set by users, or None if it may."""
    if key in ALLOWED_EXCEPTIONS or key in ZOOKEEPER_ERA_KEYS:
        return None
    if key.startswith("listener.name.") and key.count(".") >= 3 and key.split(".", 3)[3] in LISTENER_SCOPED_ALLOWED:
        return None
    # Plain prefix matching, as Strimzi does ("log.dir" also covers "log.dirs").
    if not any(key.startswith(prefix) for prefix in FORBIDDEN_PREFIXES):
        return None
    for known, why in WHY_FORBIDDEN.items():
        if key.startswith(known):
            return why
    return "Krafter manages this option"
