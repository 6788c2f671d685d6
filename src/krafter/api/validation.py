"""Semantic validation: the rules a schema cannot express, each finding naming the field and the fix.

Runs after parsing, before planning. Single-resource rules live in `validate_*`; rules that
need a cluster's Kafka and its node pools together live in `validate_cluster`. Everything
here is pure, so the CLI (`krafter lint/render/up`) and the operator reject the same input
with the same words.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from krafter.api import config_rules, versions
from krafter.api.base import ALL_VERSIONS, API_GROUP, Model, Rule
from krafter.api.common import StrimziMetricsReporter
from krafter.api.components import KafkaExporterSpec
from krafter.api.errors import Finding, Severity
from krafter.api.kafka import (
    CustomAuthorization,
    KafkaClusterSpec,
    KeycloakAuthorization,
    OpaAuthorization,
)
from krafter.api.kafka import Kafka as KafkaResource
from krafter.api.listeners import (
    RESERVED_PORTS,
    GenericKafkaListener,
    OAuthListenerAuthentication,
)
from krafter.api.nodepool import KafkaNodePool, ProcessRole
from krafter.api.storage import EphemeralStorage, JbodStorage, PersistentClaimStorage
from krafter.api.topic import KafkaTopic
from krafter.api.user import KafkaUser, TlsClientAuthentication

CLUSTER_LABEL = "strimzi.io/cluster"
NEXT_NODE_IDS = "strimzi.io/next-node-ids"
REMOVE_NODE_IDS = "strimzi.io/remove-node-ids"
_TOPIC_NAME = re.compile(r"^[a-zA-Z0-9._-]{1,249}$")
_NODE_ID_RANGES = re.compile(r"^\[\s*(\d+(\s*-\s*\d+)?\s*(,\s*\d+(\s*-\s*\d+)?\s*)*)?\]$")


def _error(path: str, message: str, fix: str | None = None, reason: str = "InvalidResource") -> Finding:
    return Finding(path, message, fix, Severity.ERROR, reason)


def _warning(path: str, message: str, fix: str | None = None, reason: str = "Warning") -> Finding:
    return Finding(path, message, fix, Severity.WARNING, reason)


# --- Rules declared on the models (also CEL rules in the CRDs) ---------------------------------


def model_rules(value: Any, path: str = "", *, version: str | None = None) -> list[Finding]:
    """Findings of every `Rule` the models declare, walking the whole resource.

    With `version` None only the rules of every API version run: the operator reads every object
    through v1, whichever version it was written in, and the API server has already applied the
    version's own CEL rules when it was written. Files (`lint`, `convert`) pass the version the
    user wrote, so the version-only rules run for them too (`written_version_findings`).
    """
    found: list[Finding] = []
    if isinstance(value, Model):
        for rule in type(value).rules:
            if not _applies(rule, version):
                continue
            if not rule.holds(value):
                where = ".".join(p for p in (path, rule.field) if p)
                found.append(_error(where, rule.message, rule.fix))
        for name, info in type(value).model_fields.items():
            child = getattr(value, name)
            if child is not None:
                alias = info.alias or name
                found += model_rules(child, f"{path}.{alias}" if path else alias, version=version)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found += model_rules(item, f"{path}[{index}]", version=version)
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, Model):
                found += model_rules(item, f"{path}.{key}", version=version)
    return found


def _applies(rule: Rule, version: str | None) -> bool:
    if version is None:
        return set(rule.versions) >= set(ALL_VERSIONS)
    return version in rule.versions and set(rule.versions) < set(ALL_VERSIONS)


def written_version_findings(resource: Any, version: str) -> list[Finding]:
    """Rules of the API version the user wrote (for files: the operator only sees v1, see above)."""
    found = model_rules(resource, version=version)
    kind = getattr(resource, "kind", "")
    if version == "v1" and kind in ("KafkaTopic", "KafkaUser") and resource.spec is None:
        found.append(
            _error(
                "spec",
                f"is required in {API_GROUP}/v1",
                "add a spec (`spec: {}` takes every default)",
                "MissingSpec",
            )
        )
    return [f.about(f"{kind}/{resource.metadata.name}") for f in found]


# --- Kafka -------------------------------------------------------------------------------


def validate_kafka(kafka: KafkaResource) -> list[Finding]:
    spec = kafka.spec.kafka
    findings = [
        *_listeners(spec.listeners),
        *_config(spec),
        *_version(spec),
        *_authorization(spec),
        *model_rules(kafka.spec, "spec"),
        *_zookeeper_era(kafka),
        *_ignored_sections(kafka),
        *_metrics(spec),
        *_entity_operator_env(kafka),
    ]
    ref = f"Kafka/{kafka.metadata.name}"
    return [f.about(ref) for f in findings]


def _entity_operator_env(kafka: KafkaResource) -> list[Finding]:
    operators = kafka.spec.entity_operator
    container = operators.template.topic_operator_container if operators and operators.template else None
    found = []
    for index, variable in enumerate((container.env if container else None) or []):
        if variable.name == "STRIMZI_USE_FINALIZERS" and (variable.value or "").strip().lower() not in {
            "true",
            "false",
        }:
            found.append(
                _warning(
                    f"spec.entityOperator.template.topicOperatorContainer.env[{index}].value",
                    f"STRIMZI_USE_FINALIZERS is {variable.value!r}; only true or false mean something "
                    "(finalizers stay on)",
                    "set it to true or false",
                    "InvalidValue",
                )
            )
    return found


def _metrics(spec: Any) -> list[Finding]:
    """Kafka reads the reporter's allow list as a comma-separated list: a comma inside one
    pattern (`x{1,3}`) would split it and the broker would not start."""
    config = spec.metrics_config
    if not isinstance(config, StrimziMetricsReporter) or config.values is None:
        return []
    return [
        _error(
            f"spec.kafka.metricsConfig.values.allowList[{index}]",
            f"pattern {pattern!r} contains a comma, which Kafka's list syntax splits",
            "rewrite the pattern without a comma (e.g. an alternation instead of a {m,n} repeat)",
        )
        for index, pattern in enumerate(config.values.allow_list or [])
        if "," in pattern
    ]


def _listeners(listeners: Sequence[GenericKafkaListener]) -> list[Finding]:
    found: list[Finding] = []
    names = Counter(listener.name for listener in listeners)
    ports = Counter(listener.port for listener in listeners)
    for index, listener in enumerate(listeners):
        path = f"spec.kafka.listeners[{index}]"
        if names[listener.name] > 1:
            found.append(
                _error(
                    f"{path}.name",
                    f"listener name '{listener.name}' is used more than once",
                    "give each listener a unique name",
                )
            )
        if ports[listener.port] > 1:
            found.append(
                _error(
                    f"{path}.port",
                    f"port {listener.port} is used by more than one listener",
                    "give each listener its own port",
                )
            )
        if listener.port in RESERVED_PORTS:
            found.append(
                _error(
                    f"{path}.port",
                    f"port {listener.port} is reserved for {RESERVED_PORTS[listener.port]}",
                    "choose another port of 9092 or above, e.g. 9092-9094",
                )
            )
        auth = listener.authentication
        if isinstance(auth, OAuthListenerAuthentication):
            found.append(
                _error(
                    f"{path}.authentication.type",
                    "oauth authentication was removed from the Strimzi API and is not supported by Krafter",
                    "use type: custom with the OAuth callback handler in listenerConfig",
                )
            )
    return found


def _config(spec: KafkaClusterSpec) -> list[Finding]:
    found: list[Finding] = []
    for key, value in (spec.config or {}).items():
        path = f"spec.kafka.config.{key}"
        if isinstance(value, (dict, list)) or value is None:
            found.append(_error(path, "must be a string, number or boolean", "write the value on one line"))
            continue
        if key in config_rules.ZOOKEEPER_ERA_KEYS:
            found.append(
                _warning(
                    path,
                    "has no effect in KRaft mode and is ignored",
                    "remove it; the metadata version (spec.kafka.metadataVersion) replaces it",
                    "KafkaInterBrokerProtocolVersionInKRaft",
                )
            )
            continue
        why = config_rules.forbidden_reason(key)
        if why:
            found.append(_error(path, f"may not be set here: {why}", "remove this key"))
    return found


def _version(spec: KafkaClusterSpec) -> list[Finding]:
    found: list[Finding] = []
    kafka_version = versions.default()
    if spec.version is not None:
        known = versions.find(spec.version)
        supported = ", ".join(versions.supported_versions())
        if known is None:
            # Never replaced silently: only a ZooKeeper-era file is rewritten (by `krafter convert`,
            # which says so); a current resource keeps what the user wrote and is refused.
            major = spec.version.split(".")[0]
            zookeeper_era = major.isdigit() and int(major) < 4 and not spec.version.startswith("3.9")
            fix = f"set one of those, or remove the field to get {versions.DEFAULT_VERSION}"
            if zookeeper_era:
                fix += "; ZooKeeper-era Kafka cannot run in KRaft mode (`krafter convert` upgrades ZooKeeper-era files)"
            found.append(
                _error(
                    "spec.kafka.version",
                    f"Kafka {spec.version} is not supported; supported versions are {supported}",
                    fix + " (see `krafter explain versions`)",
                    "UnsupportedKafkaVersion",
                )
            )
            return found
        kafka_version = known
    if spec.metadata_version is not None:
        problem = versions.metadata_version_problem(spec.metadata_version, kafka_version)
        if problem:
            found.append(
                _error(
                    "spec.kafka.metadataVersion",
                    problem,
                    f"use {kafka_version.default_metadata_version} or remove the field",
                    "UnsupportedMetadataVersion",
                )
            )
    return found


def _authorization(spec: KafkaClusterSpec) -> list[Finding]:
    auth = spec.authorization
    if isinstance(auth, (OpaAuthorization, KeycloakAuthorization)):
        return [
            _error(
                "spec.kafka.authorization.type",
                f"'{auth.type}' authorization is not supported by Krafter",
                "use type: custom with the authorizer's class in authorizerClass",
            )
        ]
    if isinstance(auth, CustomAuthorization) and not auth.authorizer_class:
        return [
            _error(
                "spec.kafka.authorization.authorizerClass",
                "is required for custom authorization",
                "set the authorizer's fully qualified class name",
            )
        ]
    return []


def is_zookeeper_era(kafka: KafkaResource) -> bool:
    """A pre-KRaft definition: a ZooKeeper section or nodes declared on the Kafka itself."""
    spec = kafka.spec
    return spec.zookeeper is not None or spec.kafka.replicas is not None or spec.kafka.storage is not None


def _zookeeper_era(kafka: KafkaResource) -> list[Finding]:
    if not is_zookeeper_era(kafka):
        return []
    parts = [
        name
        for name, present in (
            ("spec.zookeeper", kafka.spec.zookeeper is not None),
            ("spec.kafka.replicas", kafka.spec.kafka.replicas is not None),
            ("spec.kafka.storage", kafka.spec.kafka.storage is not None),
        )
        if present
    ]
    return [
        Finding(
            parts[0],
            f"this is a ZooKeeper-era cluster definition ({', '.join(parts)}); Krafter runs KRaft with node pools "
            "and reads it as `krafter convert` would: the Kafka nodes become a broker pool named 'kafka' and "
            "the ZooKeeper nodes a controller pool named 'controller'",
            "run `krafter convert FILE` and apply its v1 Kafka and KafkaNodePool resources",
            Severity.WARNING,
            "ZooKeeperEraResource",
        )
    ]


def _ignored_sections(kafka: KafkaResource) -> list[Finding]:
    found: list[Finding] = []
    if kafka.spec.cruise_control is not None:
        found.append(
            _warning(
                "spec.cruiseControl",
                "is ignored: Krafter deploys no Cruise Control and does not rebalance partitions automatically "
                "(added brokers stay empty until partitions are moved to them; a scale-down that would remove "
                "brokers hosting replicas is refused)",
                "remove spec.cruiseControl; move partitions with `krafter rebalance` (local) or "
                "kafka-reassign-partitions.sh",
                "IgnoredField",
            )
        )
    if kafka.spec.kafka_exporter is not None:
        found += _exporter_regexes(kafka.spec.kafka_exporter)
    if kafka.spec.kafka.broker_rack_init_image:
        found.append(
            _warning(
                "spec.kafka.brokerRackInitImage",
                "is ignored: Krafter's init container runs `krafter node-init` from the Krafter image "
                "(the operator's --operator-image), which another image does not have",
                "remove it, or mirror the Krafter image and pass it to the operator with --operator-image",
                "IgnoredField",
            )
        )
    if kafka.spec.jmx_trans is not None:
        found.append(
            _warning(
                "spec.jmxTrans",
                "JmxTrans was removed from Strimzi and is ignored",
                "remove it",
                "IgnoredField",
            )
        )
    return found


# --- KafkaNodePool ---------------------------------------------------------------------------


def validate_node_pool(pool: KafkaNodePool) -> list[Finding]:
    found = [*_storage(pool), *_node_id_annotations(pool), *model_rules(pool.spec, "spec")]
    if CLUSTER_LABEL not in (pool.metadata.labels or {}):
        found.append(
            _error(
                f"metadata.labels.{CLUSTER_LABEL}",
                "is required: it names the Kafka cluster this pool belongs to",
                f"add the label {CLUSTER_LABEL}: <kafka name>",
            )
        )
    if len(set(pool.spec.roles)) != len(pool.spec.roles):
        found.append(_error("spec.roles", "lists a role twice", "list each role once"))
    return [f.about(f"KafkaNodePool/{pool.metadata.name}") for f in found]


def _storage(pool: KafkaNodePool) -> list[Finding]:
    storage = pool.spec.storage
    found: list[Finding] = []
    volumes: list[tuple[str, EphemeralStorage | PersistentClaimStorage]] = []
    if isinstance(storage, JbodStorage):
        volumes = [(f"spec.storage.volumes[{i}]", v) for i, v in enumerate(storage.volumes)]
        ids = Counter(v.id for _, v in volumes)
        for path, volume in volumes:
            if volume.id is None:
                found.append(
                    _error(f"{path}.id", "is required for JBOD volumes", "give each volume a unique id, e.g. 0")
                )
            elif ids[volume.id] > 1:
                found.append(
                    _error(f"{path}.id", f"volume id {volume.id} is used twice", "give each volume a unique id")
                )
        shared = [path for path, v in volumes if v.kraft_metadata == "shared"]
        if len(shared) > 1:
            found.append(
                _error(
                    f"{shared[1]}.kraftMetadata",
                    "only one volume may hold the KRaft metadata log",
                    "remove kraftMetadata from all but one volume",
                )
            )
    else:
        volumes = [("spec.storage", storage)]
    for path, volume in volumes:
        if isinstance(volume, PersistentClaimStorage):
            if not volume.size:
                found.append(
                    _error(f"{path}.size", "is required for persistent-claim storage", "set a size such as 100Gi")
                )
            if volume.overrides:
                found.append(
                    _warning(
                        f"{path}.overrides",
                        "per-broker storage overrides were removed and are ignored",
                        "use one node pool per storage class",
                    )
                )
    return found


def parse_node_id_ranges(text: str) -> list[int] | None:
    """`[0-2, 10]` -> [0, 1, 2, 10]; None if malformed (Strimzi's annotation syntax)."""
    if not _NODE_ID_RANGES.match(text.strip()):
        return None
    ids: list[int] = []
    inner = text.strip()[1:-1].strip()
    if not inner:
        return ids
    for part in inner.split(","):
        low, _, high = part.strip().partition("-")
        start = int(low)
        end = int(high) if high else start
        if end < start:
            return None
        ids.extend(range(start, end + 1))
    return ids


def _node_id_annotations(pool: KafkaNodePool) -> list[Finding]:
    found: list[Finding] = []
    for key in (NEXT_NODE_IDS, REMOVE_NODE_IDS):
        value = (pool.metadata.annotations or {}).get(key)
        if value is not None and parse_node_id_ranges(value) is None:
            found.append(
                _error(
                    f"metadata.annotations.{key}",
                    f"'{value}' is not a list of node ids",
                    "write ids and ranges in brackets, e.g. [0-2, 10, 100-110]",
                )
            )
    return found


# --- Cluster (Kafka + pools) --------------------------------------------------------------------


def validate_cluster(kafka: KafkaResource, pools: Sequence[KafkaNodePool]) -> list[Finding]:
    """Rules over a Kafka and the node pools labelled for it."""
    ref = f"Kafka/{kafka.metadata.name}"
    if not pools:
        if is_zookeeper_era(kafka):
            return []
        return [
            _error(
                "",
                f"no KafkaNodePool has the label {CLUSTER_LABEL}: {kafka.metadata.name}",
                "create a KafkaNodePool with that label, roles [controller, broker], replicas and storage",
                "NoNodePools",
            ).about(ref)
        ]
    found: list[Finding] = []
    if is_zookeeper_era(kafka) and (kafka.spec.kafka.replicas is not None or kafka.spec.kafka.storage is not None):
        found.append(
            _warning(
                "spec.kafka.replicas",
                "ignored: this cluster has KafkaNodePools, which define its nodes",
                "remove spec.kafka.replicas, spec.kafka.storage and spec.kafka.resources",
                "DeprecatedFields",
            ).about(ref)
        )
    controllers = sum(p.spec.replicas for p in pools if ProcessRole.CONTROLLER in p.spec.roles)
    brokers = sum(p.spec.replicas for p in pools if ProcessRole.BROKER in p.spec.roles)
    if controllers == 0:
        found.append(
            _error(
                "",
                "the cluster has no controller nodes",
                "give a node pool the controller role and replicas > 0",
                "NoControllers",
            ).about(ref)
        )
    if brokers == 0:
        found.append(
            _error(
                "",
                "the cluster has no broker nodes",
                "give a node pool the broker role and replicas > 0",
                "NoBrokers",
            ).about(ref)
        )
    found += _node_id_collisions(pools)
    return found


def _node_id_collisions(pools: Sequence[KafkaNodePool]) -> list[Finding]:
    """Two pools asking for the same next node ids would fight over them."""
    claimed: dict[int, str] = {}
    found: list[Finding] = []
    for pool in pools:
        wanted = parse_node_id_ranges((pool.metadata.annotations or {}).get(NEXT_NODE_IDS, "[]")) or []
        for node_id in wanted[: pool.spec.replicas]:
            other = claimed.get(node_id)
            if other is not None and other != pool.metadata.name:
                found.append(
                    _error(
                        f"metadata.annotations.{NEXT_NODE_IDS}",
                        f"node id {node_id} is also requested by pool '{other}'",
                        "give each pool its own id ranges",
                    ).about(f"KafkaNodePool/{pool.metadata.name}")
                )
            claimed[node_id] = pool.metadata.name or ""
    return found


# --- KafkaTopic / KafkaUser ---------------------------------------------------------------------


def topic_name(topic: KafkaTopic) -> str:
    return (topic.spec.topic_name if topic.spec else None) or topic.metadata.name or ""


def validate_topic(topic: KafkaTopic) -> list[Finding]:
    found: list[Finding] = model_rules(topic.spec, "spec")
    name = topic_name(topic)
    path = "spec.topicName" if topic.spec and topic.spec.topic_name else "metadata.name"
    if not _TOPIC_NAME.match(name) or name in {".", ".."}:
        found.append(
            _error(
                path,
                f"'{name}' is not a valid Kafka topic name",
                "use up to 249 letters, digits, '.', '_' or '-'",
            )
        )
    for key, value in ((topic.spec.config if topic.spec else None) or {}).items():
        if isinstance(value, dict) or value is None:
            found.append(
                _error(f"spec.config.{key}", "must be a string, number, boolean or list", "write a scalar value")
            )
    if CLUSTER_LABEL not in (topic.metadata.labels or {}):
        found.append(
            _error(
                f"metadata.labels.{CLUSTER_LABEL}",
                "is required: it names the Kafka cluster of the topic",
                f"add {CLUSTER_LABEL}: <kafka name>",
            )
        )
    return [f.about(f"KafkaTopic/{topic.metadata.name}") for f in found]


def validate_user(user: KafkaUser) -> list[Finding]:
    found: list[Finding] = model_rules(user.spec, "spec")
    spec = user.spec
    name = user.metadata.name or ""
    if spec is not None and isinstance(spec.authentication, TlsClientAuthentication) and len(name) > 64:
        found.append(
            _error(
                "metadata.name",
                "TLS user names are certificate common names and may have at most 64 characters",
                "shorten the name",
            )
        )
    if spec is not None and spec.authorization is not None:
        for index, rule in enumerate(spec.authorization.acls):
            path = f"spec.authorization.acls[{index}]"
            if rule.resource.type != "cluster" and not rule.resource.name:
                found.append(
                    _error(
                        f"{path}.resource.name",
                        f"is required for {rule.resource.type} resources",
                        "name the resource, or '*' for all",
                    )
                )
            if not rule.operations and rule.operation is None:
                found.append(
                    _error(f"{path}.operations", "lists no operations", "add operations such as [Read, Describe]")
                )
    if CLUSTER_LABEL not in (user.metadata.labels or {}):
        found.append(
            _error(
                f"metadata.labels.{CLUSTER_LABEL}",
                "is required: it names the Kafka cluster of the user",
                f"add {CLUSTER_LABEL}: <kafka name>",
            )
        )
    return [f.about(f"KafkaUser/{user.metadata.name}") for f in found]


def validate(resource: Any) -> list[Finding]:
    """Single-resource rules for any parsed resource."""
    if isinstance(resource, KafkaResource):
        return validate_kafka(resource)
    if isinstance(resource, KafkaNodePool):
        return validate_node_pool(resource)
    if isinstance(resource, KafkaTopic):
        return validate_topic(resource)
    if isinstance(resource, KafkaUser):
        return validate_user(resource)
    return []


def _exporter_regexes(spec: KafkaExporterSpec) -> list[Finding]:
    """Krafter evaluates the consumer-lag filters itself: a broken expression is refused up front."""
    found = []
    for key, value in (
        ("groupRegex", spec.group_regex),
        ("topicRegex", spec.topic_regex),
        ("groupExcludeRegex", spec.group_exclude_regex),
        ("topicExcludeRegex", spec.topic_exclude_regex),
    ):
        if value is None:
            continue
        try:
            re.compile(value)
        except re.error as exc:
            found.append(_error(f"spec.kafkaExporter.{key}", f"not a regular expression: {exc}", "fix the expression"))
    return found
