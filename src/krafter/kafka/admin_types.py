"""Values that cross the Kafka Admin boundary: settings in, typed results and errors out.

kafka-python answers with dicts and protocol structs whose shape changes between its
releases; everything Krafter sees of the Admin API is one of these frozen values instead,
so the rest of the operator never depends on the client library's shapes.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from krafter.core.errors import KrafterError

TopicPartition = tuple[str, int]
"""A partition named as (topic, partition index)."""

# Kafka's names for the errors callers branch on (org.apache.kafka.common.protocol.Errors).
TOPIC_ALREADY_EXISTS = "TOPIC_ALREADY_EXISTS"
UNKNOWN_TOPIC_OR_PARTITION = "UNKNOWN_TOPIC_OR_PARTITION"
RESOURCE_NOT_FOUND = "RESOURCE_NOT_FOUND"
INVALID_PARTITIONS = "INVALID_PARTITIONS"
INVALID_CONFIG = "INVALID_CONFIG"


class KafkaAdminError(KrafterError):
    """A Kafka Admin request failed as a whole (per-item failures are returned as `OpResult`).

    `error_name` is Kafka's name for the error (`REQUEST_TIMED_OUT`) or, for failures that
    never reached a broker, the client's (`NoBrokersAvailable`); `error_code` is Kafka's
    numeric code, or None when there is none.
    """

    def __init__(self, message: str, *, error_name: str, error_code: int | None = None) -> None:
        super().__init__(message)
        self.error_name = error_name
        self.error_code = error_code


@dataclass(frozen=True)
class OpResult:
    """The outcome of one item of a batch request: success, or Kafka's error name, code and message."""

    error_name: str | None = None
    error_code: int = 0
    message: str | None = None

    @property
    def ok(self) -> bool:
        return self.error_code == 0

    @property
    def already_exists(self) -> bool:
        return self.error_name == TOPIC_ALREADY_EXISTS

    @property
    def not_found(self) -> bool:
        return self.error_name in {UNKNOWN_TOPIC_OR_PARTITION, RESOURCE_NOT_FOUND}

    def __str__(self) -> str:
        if self.ok:
            return "ok"
        return f"{self.error_name} ({self.error_code}): {self.message or 'no message'}"


OK = OpResult()


class SecurityProtocol(enum.Enum):
    PLAINTEXT = "PLAINTEXT"
    SSL = "SSL"
    SASL_PLAINTEXT = "SASL_PLAINTEXT"
    SASL_SSL = "SASL_SSL"


class SaslMechanism(enum.Enum):
    PLAIN = "PLAIN"
    SCRAM_SHA_256 = "SCRAM-SHA-256"
    SCRAM_SHA_512 = "SCRAM-SHA-512"


@dataclass(frozen=True)
class ConnectionSettings:
    """How to reach a cluster's Admin API. TLS material is PEM files; the password is never shown."""

    bootstrap_servers: str
    security_protocol: SecurityProtocol = SecurityProtocol.PLAINTEXT
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    sasl_mechanism: SaslMechanism | None = None
    sasl_username: str | None = None
    sasl_password: str | None = field(default=None, repr=False)
    request_timeout_ms: int = 30_000
    client_id: str = "krafter"

    def __post_init__(self) -> None:
        uses_sasl = self.security_protocol in {SecurityProtocol.SASL_PLAINTEXT, SecurityProtocol.SASL_SSL}
        if uses_sasl and (self.sasl_mechanism is None or not self.sasl_username or not self.sasl_password):
            raise ValueError(
                f"security_protocol {self.security_protocol.value} needs sasl_mechanism, "
                "sasl_username and sasl_password; set all three or use PLAINTEXT/SSL."
            )

    @property
    def operation_timeout_ms(self) -> int:
        """How long brokers may take over a request: below the client's timeout, so a slow
        operation comes back as a per-item REQUEST_TIMED_OUT instead of a lost response."""
        return max(1_000, self.request_timeout_ms * 4 // 5)


# --- cluster -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BrokerNode:
    node_id: int
    host: str
    port: int
    rack: str | None = None
    fenced: bool = False


@dataclass(frozen=True)
class ClusterDescription:
    """`controller_id` is what DescribeCluster says; in KRaft that is a random live broker,
    not the active controller: use `QuorumState.leader_id` for that."""

    cluster_id: str
    controller_id: int
    brokers: tuple[BrokerNode, ...]


@dataclass(frozen=True)
class ReplicaState:
    node_id: int
    log_end_offset: int
    last_caught_up_ms: int | None
    last_fetch_ms: int | None = None
    directory_id: str | None = None
    """The metadata directory id (Kafka's base64 text; KIP-853 names voters by it), when known."""


@dataclass(frozen=True)
class VoterEndpoint:
    """A controller listener a quorum member is reached on (`CONTROLLER`, host, port)."""

    name: str
    host: str
    port: int


@dataclass(frozen=True)
class QuorumState:
    """The KRaft metadata quorum: `leader_id` is the active controller."""

    leader_id: int
    leader_epoch: int
    high_watermark: int
    voters: tuple[ReplicaState, ...]
    observers: tuple[ReplicaState, ...]
    endpoints: Mapping[int, tuple[VoterEndpoint, ...]] = field(default_factory=dict)
    """Controller listeners per node id, as the quorum knows them (DescribeQuorum v2+)."""

    def voter(self, node_id: int) -> ReplicaState | None:
        return next((v for v in self.voters if v.node_id == node_id), None)

    def observer(self, node_id: int) -> ReplicaState | None:
        return next((o for o in self.observers if o.node_id == node_id), None)


@dataclass(frozen=True)
class FeatureLevel:
    name: str
    supported_min: int
    supported_max: int
    finalized: int | None


# --- topics ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartitionState:
    """`leader` is -1 when the partition is offline."""

    partition: int
    leader: int
    replicas: tuple[int, ...]
    isr: tuple[int, ...]


@dataclass(frozen=True)
class TopicDescription:
    """`topic_id` is Kafka's own text form (URL-safe base64), as Strimzi's status.topicId shows it."""

    name: str
    topic_id: str | None
    internal: bool
    partitions: tuple[PartitionState, ...]


@dataclass(frozen=True)
class NewTopic:
    """None for partitions or replication_factor takes the broker's default."""

    name: str
    partitions: int | None = None
    replication_factor: int | None = None
    config: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CreatedTopic:
    """The outcome of creating one topic and, when it was created, the id Kafka gave it
    (CreateTopics v7+ answers with it, so no describe is needed right after a create)."""

    outcome: OpResult
    topic_id: str | None = None


@dataclass(frozen=True)
class Reassignment:
    replicas: tuple[int, ...]
    adding: tuple[int, ...]
    removing: tuple[int, ...]


@dataclass(frozen=True)
class PartitionHealth:
    """Counts over every partition of every topic; a partition can count in several."""

    under_replicated: int
    under_min_isr: int
    offline: int


# --- configs --------------------------------------------------------------------------------


class ConfigSource(enum.Enum):
    """Where a config value comes from (Kafka's DescribeConfigs ConfigSource)."""

    UNKNOWN = 0
    DYNAMIC_TOPIC_CONFIG = 1
    DYNAMIC_BROKER_CONFIG = 2
    DYNAMIC_DEFAULT_BROKER_CONFIG = 3
    STATIC_BROKER_CONFIG = 4
    DEFAULT_CONFIG = 5
    DYNAMIC_BROKER_LOGGER_CONFIG = 6
    DYNAMIC_CLIENT_METRICS_CONFIG = 7
    DYNAMIC_GROUP_CONFIG = 8

    @classmethod
    def from_code(cls, code: int) -> ConfigSource:
        try:
            return cls(code)
        except ValueError:
            return cls.UNKNOWN


@dataclass(frozen=True)
class ConfigEntry:
    """`default` is true only for Kafka's built-in default; `source` says exactly who set the value
    (DYNAMIC_TOPIC_CONFIG is a value set on the topic itself)."""

    name: str
    value: str | None
    source: ConfigSource
    read_only: bool
    sensitive: bool
    default: bool


@dataclass(frozen=True)
class ConfigChange:
    """Set `key` to `value`; a None value deletes the override, reverting to the inherited default."""

    key: str
    value: str | None


# --- SCRAM ----------------------------------------------------------------------------------


class ScramMechanism(enum.Enum):
    SCRAM_SHA_256 = "SCRAM-SHA-256"
    SCRAM_SHA_512 = "SCRAM-SHA-512"

    @property
    def wire_code(self) -> int:
        return 1 if self is ScramMechanism.SCRAM_SHA_256 else 2

    @property
    def hash_name(self) -> str:
        return "sha256" if self is ScramMechanism.SCRAM_SHA_256 else "sha512"

    @classmethod
    def from_code(cls, code: int) -> ScramMechanism | None:
        return {1: cls.SCRAM_SHA_256, 2: cls.SCRAM_SHA_512}.get(code)


@dataclass(frozen=True)
class ScramCredential:
    user: str
    password: str = field(repr=False)
    mechanism: ScramMechanism = ScramMechanism.SCRAM_SHA_512
    iterations: int = 4096
