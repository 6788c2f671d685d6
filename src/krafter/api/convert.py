"""Turns v1beta2 and ZooKeeper-era Strimzi resources into current v1 resources, keeping the user's intent.

Strimzi 1.0 serves only `kafka.strimzi.io/v1`, and KRaft replaced ZooKeeper, so files written for
older Strimzi releases need rewriting: nodes declared on the Kafka move to a broker KafkaNodePool,
ZooKeeper becomes a controller pool, and fields v1 dropped go away. `krafter convert` rewrites files
with `convert_documents`; the operator and `krafter up` read legacy resources through `kraft_view`,
which runs the very same conversion in memory, so a legacy file means the same thing everywhere.
Every edit is recorded as a `Change` saying what changed and why.

Decisions are taken on the typed models; edits are made on the raw documents, so fields Krafter
does not know and the key order the user wrote survive conversion.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import yaml

from krafter.api import config_rules, parse, validation, versions
from krafter.api.base import API_GROUP, V1, V1BETA2, Model, field_versions
from krafter.api.errors import Finding, InvalidResource, errors
from krafter.api.kafka import Kafka, OperatorComponentSpec
from krafter.api.nodepool import KafkaNodePool, ProcessRole
from krafter.api.user import AclRule

TARGET_API_VERSION = f"{API_GROUP}/{V1}"
BROKER_POOL = "kafka"
"""Name of the pool made from a ZooKeeper-era Kafka's nodes: Pods and PVCs keep their `<cluster>-kafka-` names."""
CONTROLLER_POOL = "controller"
"""Name of the pool that takes over from ZooKeeper (the name Strimzi's migration guide uses)."""
DEFAULT_CONTROLLERS = 3
"""Controllers when the ZooKeeper section does not say (Strimzi's ZooKeeper default was 3 as well)."""
CONTROLLER_ID_BLOCK = 100
"""Controller node ids are a block of this size, starting at the first multiple of it above every broker id."""

_KafkaOrPool = TypeVar("_KafkaOrPool", Kafka, KafkaNodePool)

# Older API versions read as v1beta2: KafkaTopic and KafkaUser kept their shape from v1alpha1 on.
_CONVERTIBLE_VERSIONS = {
    "Kafka": {V1, V1BETA2},
    "KafkaNodePool": {V1, V1BETA2},
    "KafkaTopic": {V1, V1BETA2, "v1beta1", "v1alpha1"},
    "KafkaUser": {V1, V1BETA2, "v1beta1", "v1alpha1"},
}
_STRIMZI_GROUPS = (API_GROUP, "core.strimzi.io")
_OBSOLETE_ANNOTATIONS = {
    "strimzi.io/node-pools": "node pools are always used (Strimzi ignores this annotation since 0.48)",
    "strimzi.io/kraft": "KRaft is always used (Strimzi ignores this annotation since 0.48)",
}
_ZOOKEEPER_ERA_KEY_WHY = {
    "inter.broker.protocol.version": "has no effect in KRaft: the metadata version (spec.kafka.metadataVersion, "
    "defaulting to the Kafka version's) decides the features brokers use",
    "log.message.format.version": "has no effect in KRaft (deprecated since Kafka 3.0, removed in 4.0: brokers "
    "always write the current message format)",
}
_ZOOKEEPER_KEY_WHY = "a ZooKeeper client setting; there is no ZooKeeper in KRaft"
# Parts of spec.zookeeper that mean the same on a KRaft controller pool (same key in the pool's spec).
# Not jvmOptions: a heap sized for ZooKeeper says nothing about a KRaft controller, which Krafter
# sizes from its memory limit; copying it made lint refuse the pool it had just written.
_ZOOKEEPER_CARRIED = ("replicas", "storage", "resources")


@dataclass(frozen=True)
class Change:
    """One edit made while converting, with the reason a user needs to trust it."""

    resource: str
    """`Kind/name` of the changed or created resource."""
    path: str
    """Field path in that resource, e.g. `spec.kafka.version`; empty for the whole resource."""
    what: str
    """What happened, e.g. `removed (was 3.2.0)` or `moved to KafkaNodePool/kafka spec.storage`."""
    why: str
    """Why, in terms of Kafka, Strimzi and Krafter."""

    def render(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{where}{self.what} -- {self.why}"


@dataclass(frozen=True)
class KraftView:
    """A Kafka cluster as Krafter runs it: a v1 Kafka plus node pools, however it was written."""

    kafka: Kafka
    pools: tuple[KafkaNodePool, ...]
    """Every pool of the cluster: those created by the conversion first (controllers, then brokers),
    then the given ones in their order."""
    changes: tuple[Change, ...]
    """Empty when the input already was a current v1 cluster."""


@dataclass(frozen=True)
class ConversionResult:
    """What `krafter convert` writes and reports."""

    documents: list[dict[str, Any]]
    """The converted documents: each cluster's pools then its Kafka, other documents in input order."""
    changes: list[Change]
    """Every edit, cluster by cluster in the order of `documents`; within a cluster the Kafka's come
    first (they say where its fields went), then its pools'."""
    skipped: list[str]
    """`Kind/name: reason` for Strimzi documents left unchanged because Krafter does not convert them."""


@dataclass
class _Resource:
    """A document being converted together with its parsed model (which describes the document as read)."""

    doc: dict[str, Any]
    model: parse.Resource

    @property
    def ref(self) -> str:
        return f"{self.model.kind}/{self.model.metadata.name}"


# --- Public API ------------------------------------------------------------------------------


def kraft_view(kafka: Kafka, pools: Sequence[KafkaNodePool]) -> KraftView:
    """The cluster as `krafter convert` would write it; raises InvalidResource if it cannot be read so."""
    kafka_resource = _Resource(kafka.to_dict(), kafka)
    pool_resources = [_Resource(pool.to_dict(), pool) for pool in pools]
    changes: list[Change] = []
    pool_docs = _convert_cluster(kafka_resource, pool_resources, changes)
    converted = _parsed(kafka_resource.doc, Kafka)
    return KraftView(converted, tuple(_parsed(doc, KafkaNodePool) for doc in pool_docs), tuple(changes))


def convert_documents(docs: Sequence[Mapping[str, Any]]) -> ConversionResult:
    """Convert a set of documents (e.g. every file given to `krafter convert`); the input is not modified.

    Kafka resources are converted together with the node pools labelled for them. Documents that
    are not Krafter resources pass through unchanged. Invalid resources raise InvalidResource with
    every finding at once, as `parse.load` does.
    """
    problems = [
        Finding("", f"document {number} is a {type(doc).__name__}, not a Kubernetes resource")
        for number, doc in enumerate(docs, start=1)
        if not isinstance(doc, Mapping)
    ]
    if problems:
        raise InvalidResource(problems)
    documents = [copy.deepcopy(dict(doc)) for doc in docs]
    resources: dict[int, _Resource] = {}
    skipped: list[str] = []
    for index, doc in enumerate(documents):
        if not _is_convertible(doc):
            refusal = parse.wrong_api_version(doc)
            if refusal is not None:
                problems.append(refusal)
                continue
            reason = _skip_reason(doc)
            if reason:
                skipped.append(f"{parse.resource_ref(doc)}: {reason}")
            continue
        try:
            parsed = parse.parse_resource(_readable(doc))
        except InvalidResource as exc:
            problems += exc.findings
            continue
        resources[index] = _Resource(doc, parsed.resource)
        problems += errors(validation.written_version_findings(parsed.resource, parsed.version))
    if problems:
        raise InvalidResource(problems)

    # Each cluster is emitted, pools first, where its first document was; its other documents are absorbed.
    slots: dict[int, tuple[list[dict[str, Any]], list[Change]]] = {}
    absorbed: set[int] = set()
    owners = _pool_owners(resources)
    for index, resource in resources.items():
        if not isinstance(resource.model, Kafka):
            continue
        members = [pool for pool, owner in owners.items() if owner == index]
        changes: list[Change] = []
        pool_docs = _convert_cluster(resource, [resources[m] for m in members], changes)
        slots[min([index, *members])] = ([*pool_docs, resource.doc], changes)
        absorbed.update([index, *members])
    for index, resource in resources.items():
        if index not in absorbed:
            changes = []
            _convert_resource(resource, changes)
            slots[index] = ([resource.doc], changes)
            absorbed.add(index)

    output: list[dict[str, Any]] = []
    all_changes: list[Change] = []
    for index, doc in enumerate(documents):
        if index in slots:
            slot_docs, slot_changes = slots[index]
            output += slot_docs
            all_changes += slot_changes
        elif index not in absorbed:
            output.append(doc)
    _refuse_invalid_output(output)
    return ConversionResult(output, all_changes, skipped)


def _refuse_invalid_output(documents: Sequence[dict[str, Any]]) -> None:
    """`krafter convert` promises output that validates: what conversion cannot fix (oauth, keycloak
    or opa, which Strimzi v1 removed) is refused with what to do, never written out as if valid."""
    problems: list[Finding] = []
    for doc in documents:
        if not _is_convertible(doc):
            continue
        resource = parse.parse_resource(doc).resource
        problems += errors(validation.validate(resource))
    if problems:
        raise InvalidResource(problems)


def render_changes(changes: Sequence[Change]) -> str:
    """A readable report: one line per change, grouped by resource in order of first appearance."""
    if not changes:
        return f"No changes: the documents already are current {TARGET_API_VERSION} resources.\n"
    grouped: dict[str, list[Change]] = {}
    for change in changes:
        grouped.setdefault(change.resource, []).append(change)
    lines: list[str] = []
    for resource, items in grouped.items():
        lines.append(f"{resource}:")
        lines += [f"  - {change.render()}" for change in items]
    return "\n".join(lines) + "\n"


def to_yaml(documents: Sequence[Any]) -> str:
    """The documents as one YAML stream, keys in the order they are in (what `krafter convert` prints)."""
    return "---\n".join(
        yaml.dump(doc, Dumper=_PlainDumper, sort_keys=False, width=120, allow_unicode=True) for doc in documents
    )


class _PlainDumper(yaml.SafeDumper):
    """Never writes anchors and aliases (`&id001`), which Kubernetes users do not expect."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


# --- Reading documents -------------------------------------------------------------------------


def _is_convertible(doc: Mapping[str, Any]) -> bool:
    group, _, version = str(doc.get("apiVersion", "")).rpartition("/")
    return group == API_GROUP and version in _CONVERTIBLE_VERSIONS.get(str(doc.get("kind")), ())


def _skip_reason(doc: Mapping[str, Any]) -> str | None:
    """Why a Strimzi document is left unchanged; None for documents that are none of Strimzi's business."""
    kind = doc.get("kind")
    group, _, version = str(doc.get("apiVersion", "")).rpartition("/")
    if kind == "List" and any(isinstance(item, Mapping) and _is_strimzi(item) for item in doc.get("items") or []):
        return "holds Strimzi resources, but convert does not look inside Lists; split it into one document each"
    if isinstance(kind, str) and kind in parse.KNOWN_UNSUPPORTED:
        return f"{kind} is not supported by Krafter yet; left unchanged"
    if group not in _STRIMZI_GROUPS:
        return None
    if not isinstance(kind, str) or kind not in _CONVERTIBLE_VERSIONS:
        return f"{kind} is not a Krafter resource; left unchanged"
    readable = ", ".join(f"{API_GROUP}/{v}" for v in sorted(_CONVERTIBLE_VERSIONS[kind]))
    return f"{group}/{version} cannot be converted (only {readable}); left unchanged"


def _is_strimzi(doc: Mapping[str, Any]) -> bool:
    return str(doc.get("apiVersion", "")).rpartition("/")[0] in _STRIMZI_GROUPS


def _readable(doc: dict[str, Any]) -> dict[str, Any]:
    """The document with an apiVersion the parser serves (older KafkaTopic/KafkaUser versions read as v1beta2)."""
    version = str(doc.get("apiVersion", "")).rpartition("/")[2]
    if version in (V1, V1BETA2):
        return doc
    return {**doc, "apiVersion": f"{API_GROUP}/{V1BETA2}"}


def _pool_owners(resources: Mapping[int, _Resource]) -> dict[int, int]:
    """Pool index -> index of its Kafka (label strimzi.io/cluster; a missing namespace matches any)."""
    kafkas = [(i, r.model) for i, r in resources.items() if isinstance(r.model, Kafka)]
    owners: dict[int, int] = {}
    for index, resource in resources.items():
        pool = resource.model
        if not isinstance(pool, KafkaNodePool):
            continue
        cluster = (pool.metadata.labels or {}).get(validation.CLUSTER_LABEL)
        for kafka_index, kafka in kafkas:
            namespaces = {pool.metadata.namespace, kafka.metadata.namespace} - {None}
            if cluster == kafka.metadata.name and len(namespaces) <= 1:
                owners[index] = kafka_index
                break
    return owners


def _parsed(doc: dict[str, Any], kind: type[_KafkaOrPool]) -> _KafkaOrPool:
    resource = parse.parse_resource(doc).resource
    assert isinstance(resource, kind)
    return resource


# --- One cluster -----------------------------------------------------------------------------


def _convert_cluster(kafka: _Resource, pools: list[_Resource], changes: list[Change]) -> list[dict[str, Any]]:
    """Convert a Kafka and its pools in place; returns the cluster's pool documents, created ones first."""
    model = kafka.model
    assert isinstance(model, Kafka)
    found: list[Change] = []
    created = _kraft_pools(kafka, model, pools, found) if validation.is_zookeeper_era(model) else []
    _tidy_kafka(kafka, model, found)
    _move_custom_authentication_secrets(kafka, pools, found)
    members = [kafka, *created, *pools]
    for member in members:
        _convert_resource(member, found)
    # The Kafka's changes first (they say where its fields went), then the pools' in output order;
    # for each resource its creation or apiVersion line first.
    order = {member.ref: position for position, member in enumerate(members)}
    found.sort(key=lambda c: (order.get(c.resource, len(order)), c.path not in ("", "apiVersion")))
    changes += found
    return [pool.doc for pool in [*created, *pools]]


def _kraft_pools(kafka: _Resource, model: Kafka, pools: list[_Resource], changes: list[Change]) -> list[_Resource]:
    """Node pools for a ZooKeeper-era Kafka: its own nodes become brokers, ZooKeeper becomes controllers."""
    spec_doc = kafka.doc["spec"]
    created: list[_Resource] = []
    if pools:
        names = ", ".join(sorted(str(p.model.metadata.name) for p in pools))
        for key in ("replicas", "storage", "resources"):
            if spec_doc["kafka"].pop(key, None) is not None:
                changes.append(
                    Change(
                        kafka.ref,
                        f"spec.kafka.{key}",
                        "removed",
                        f"ignored: the cluster's KafkaNodePools ({names}) define its nodes, as they did in Strimzi "
                        "once node pools were enabled",
                    )
                )
    else:
        created.append(_broker_pool(kafka, model, changes))
    pool_models = [p.model for p in [*pools, *created] if isinstance(p.model, KafkaNodePool)]
    controllers = sorted(str(p.metadata.name) for p in pool_models if ProcessRole.CONTROLLER in p.spec.roles)
    zookeeper = spec_doc.get("zookeeper")
    if not controllers and (isinstance(zookeeper, Mapping) or not pools):
        name = _free_pool_name({str(p.metadata.name) for p in pool_models})
        start = _controller_id_start(pool_models)
        created.insert(0, _controller_pool(kafka, model, zookeeper or {}, name=name, start=start, changes=changes))
        controllers = [name]
    if spec_doc.pop("zookeeper", None) is not None:
        changes.append(_zookeeper_removed(kafka.ref, zookeeper, controllers))
    return created


def _broker_pool(kafka: _Resource, model: Kafka, changes: list[Change]) -> _Resource:
    kafka_doc = kafka.doc["spec"]["kafka"]
    missing = [key for key in ("replicas", "storage") if kafka_doc.get(key) is None]
    if missing:
        raise InvalidResource(
            Finding(
                f"spec.kafka.{key}",
                "is required when no KafkaNodePool is labelled for this cluster",
                f"set spec.kafka.{key}, or convert the cluster's KafkaNodePools "
                f"(label {validation.CLUSTER_LABEL}: {model.metadata.name}) together with it",
                resource=kafka.ref,
            )
            for key in missing
        )
    spec: dict[str, Any] = {
        "replicas": kafka_doc.pop("replicas"),
        "roles": [ProcessRole.BROKER.value],
        "storage": kafka_doc.pop("storage"),
    }
    moved = ["replicas", "storage"]
    for key in ("resources", "jvmOptions"):
        if kafka_doc.get(key) is not None:
            spec[key] = kafka_doc.pop(key)
            moved.append(key)
    doc = _pool_doc(BROKER_POOL, model, spec, annotations=None)
    pool = _Resource(doc, _new_pool(doc, "spec.kafka", kafka.ref))
    for key in moved:
        why = (
            "in v1, spec.kafka.jvmOptions would apply to the new controllers as well; on the pool it applies "
            "to the brokers only, as before"
            if key == "jvmOptions"
            else "v1 declares nodes in KafkaNodePools; the Kafka resource no longer has this field"
        )
        changes.append(Change(kafka.ref, f"spec.kafka.{key}", f"moved to {pool.ref} spec.{key}", why))
    replicas = spec["replicas"]
    changes.append(
        Change(
            pool.ref,
            "",
            f"created: roles [broker], {replicas} replicas",
            f"the nodes declared on the ZooKeeper-era Kafka become a broker pool named '{BROKER_POOL}', as in "
            f"Strimzi's ZooKeeper-to-KRaft migration, so Pods keep their names ({model.metadata.name}-kafka-<id>), "
            f"volumes keep their PersistentVolumeClaims and brokers keep node ids {_id_range(0, replicas)}; the "
            "storage is copied unchanged, so the KRaft metadata log goes on the volume with the lowest id (the "
            "default when no volume sets kraftMetadata)",
        )
    )
    return pool


def _controller_pool(
    kafka: _Resource, model: Kafka, zookeeper: Mapping[str, Any], *, name: str, start: int, changes: list[Change]
) -> _Resource:
    storage = zookeeper.get("storage")
    replicas = zookeeper.get("replicas")
    spec: dict[str, Any] = {
        "replicas": replicas if replicas is not None else DEFAULT_CONTROLLERS,
        "roles": [ProcessRole.CONTROLLER.value],
        "storage": copy.deepcopy(storage) if storage is not None else {"type": "ephemeral"},
    }
    if zookeeper.get("resources") is not None:
        spec["resources"] = copy.deepcopy(zookeeper["resources"])
    ids = f"[{start}-{start + CONTROLLER_ID_BLOCK - 1}]"
    doc = _pool_doc(name, model, spec, annotations={validation.NEXT_NODE_IDS: ids})
    pool = _Resource(doc, _new_pool(doc, "spec.zookeeper", kafka.ref))
    carried = [key for key in _ZOOKEEPER_CARRIED if zookeeper.get(key) is not None]
    reasons = ["KRaft controllers hold the cluster metadata ZooKeeper held"]
    if carried:
        reasons.append(f"{', '.join(carried)} from spec.zookeeper")
    if "replicas" not in carried:
        reasons.append(f"{DEFAULT_CONTROLLERS} replicas, Strimzi's ZooKeeper default, as none were given")
    if storage is None:
        reasons.append(
            "ephemeral storage, as spec.zookeeper gives none: use persistent-claim in production, since "
            "controllers that all lose their disks lose the cluster's metadata"
        )
    reasons.append(
        f"node ids come from {ids} (annotation {validation.NEXT_NODE_IDS}), above every broker id, so they never "
        "collide with brokers and brokers added later still get the ids right after the existing ones; the "
        "block leaves room to replace or add controllers"
    )
    changes.append(
        Change(
            pool.ref,
            "",
            f"created: roles [controller], {spec['replicas']} replicas, node ids from {ids}",
            "; ".join(reasons),
        )
    )
    return pool


def _zookeeper_removed(ref: str, zookeeper: Any, controllers: list[str]) -> Change:
    pools = ", ".join(f"KafkaNodePool/{name}" for name in controllers)
    dropped = [key for key in zookeeper if key not in _ZOOKEEPER_CARRIED] if isinstance(zookeeper, Mapping) else []
    why = "Krafter runs Kafka in KRaft mode only, where controller nodes replace ZooKeeper"
    if dropped:
        why += f"; not carried over, as they are ZooKeeper settings: {', '.join(dropped)}"
    return Change(ref, "spec.zookeeper", f"removed; the cluster's controllers are {pools}", why)


def _pool_doc(name: str, kafka: Kafka, spec: dict[str, Any], annotations: dict[str, str] | None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if kafka.metadata.namespace:
        metadata["namespace"] = kafka.metadata.namespace
    metadata["labels"] = {validation.CLUSTER_LABEL: kafka.metadata.name}
    if annotations:
        metadata["annotations"] = annotations
    return {"apiVersion": TARGET_API_VERSION, "kind": "KafkaNodePool", "metadata": metadata, "spec": spec}


def _new_pool(doc: dict[str, Any], source: str, owner: str) -> KafkaNodePool:
    """Parse a created pool; problems are reported where the user wrote the values (`source` for `spec`)."""
    try:
        return _parsed(doc, KafkaNodePool)
    except InvalidResource as exc:
        raise InvalidResource(
            Finding(
                source + f.path.removeprefix("spec") if f.path.startswith("spec") else f.path,
                f.message,
                f.fix,
                f.severity,
                f.reason,
                owner,
            )
            for f in exc.findings
        ) from None


def _controller_id_start(pools: Sequence[KafkaNodePool]) -> int:
    """The first multiple of CONTROLLER_ID_BLOCK above every id the other pools have, or may take next."""
    bound = sum(pool.spec.replicas for pool in pools)
    for pool in pools:
        ids = list((pool.status.node_ids if pool.status else None) or [])
        wanted = (pool.metadata.annotations or {}).get(validation.NEXT_NODE_IDS, "[]")
        ids += validation.parse_node_id_ranges(wanted) or []
        bound = max([bound, *(node_id + 1 for node_id in ids)])
    return max(1, -(-bound // CONTROLLER_ID_BLOCK)) * CONTROLLER_ID_BLOCK


def _free_pool_name(taken: set[str]) -> str:
    candidates = [CONTROLLER_POOL, "controllers", "kraft-controller"]
    candidates += [f"{CONTROLLER_POOL}-{n}" for n in range(2, len(taken) + 3)]
    return next(name for name in candidates if name not in taken)


def _id_range(start: int, count: int) -> str:
    return str(start) if count == 1 else f"{start}-{start + count - 1}"


def _tidy_kafka(kafka: _Resource, model: Kafka, changes: list[Change]) -> None:
    """What every Kafka loses on the way to v1 KRaft: ZooKeeper-era keys, unsupported versions, old annotations."""
    kafka_doc = kafka.doc["spec"]["kafka"]
    config = kafka_doc.get("config")
    if isinstance(config, dict):
        for key in [key for key in config if key in config_rules.ZOOKEEPER_ERA_KEYS]:
            value = config.pop(key)
            why = _ZOOKEEPER_ERA_KEY_WHY.get(key, _ZOOKEEPER_KEY_WHY)
            changes.append(Change(kafka.ref, f"spec.kafka.config.{key}", f"removed (was {value})", why))
    spec = model.spec.kafka
    effective = versions.default()
    if spec.version is not None:
        known = versions.find(spec.version)
        # Only a ZooKeeper-era cluster's version is replaced: it names a ZooKeeper-era Kafka that
        # cannot run in KRaft at all. A current resource's version is the user's choice, and an
        # unsupported one is refused by validation instead of being swapped for another.
        if known is None and validation.is_zookeeper_era(model):
            _pop_field(kafka_doc, "version", "version")
            changes.append(
                Change(
                    kafka.ref,
                    "spec.kafka.version",
                    f"removed (was {spec.version})",
                    f"Kafka {spec.version} is not a version Krafter runs ({_supported_range()}, KRaft with a "
                    "dynamic controller quorum; see `krafter explain versions`); without a version the default, "
                    f"Kafka {versions.DEFAULT_VERSION}, applies. Set a supported version to pin one",
                )
            )
        elif known is not None:
            effective = known
    if spec.metadata_version is not None and validation.is_zookeeper_era(model):
        problem = versions.metadata_version_problem(spec.metadata_version, effective)
        if problem:
            _pop_field(kafka_doc, "metadataVersion", "metadata_version")
            changes.append(
                Change(
                    kafka.ref,
                    "spec.kafka.metadataVersion",
                    f"removed (was {spec.metadata_version})",
                    f"{problem}; without it Kafka {effective.version}'s default, "
                    f"{effective.default_metadata_version}, applies",
                )
            )
    metadata = kafka.doc.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    if isinstance(metadata, dict) and isinstance(annotations, dict):
        for key, why in _OBSOLETE_ANNOTATIONS.items():
            if key in annotations:
                value = annotations.pop(key)
                changes.append(Change(kafka.ref, f"metadata.annotations.{key}", f"removed (was {value})", why))
        if not annotations:
            del metadata["annotations"]


CUSTOM_AUTHN_SECRETS = "/opt/kafka/custom-authn-secrets"
"""Where Strimzi mounted a custom authentication's `secrets`: plugin configs name files there."""


def _move_custom_authentication_secrets(kafka: _Resource, pools: list[_Resource], changes: list[Change]) -> None:
    """v1 removed `authentication.secrets` of custom listeners: the same Secrets, mounted at the same
    paths, become pod template volumes and Kafka container volume mounts."""
    if str(kafka.doc.get("apiVersion", "")).endswith(f"/{V1}"):
        return  # a v1 file with secrets is refused by validation, with this fix
    listeners = kafka.doc["spec"]["kafka"].get("listeners")
    volumes: list[dict[str, Any]] = []
    mounts: list[dict[str, Any]] = []
    for index, listener in enumerate(listeners if isinstance(listeners, list) else []):
        auth = listener.get("authentication") if isinstance(listener, dict) else None
        if not isinstance(auth, dict) or auth.get("type") != "custom" or "secrets" not in auth:
            continue
        keys: dict[str, list[str]] = {}
        for source in auth.pop("secrets") or []:
            secret, key = source.get("secretName"), source.get("key")
            if secret and key and str(key) not in keys.setdefault(str(secret), []):
                keys[str(secret)].append(str(key))
        base = f"custom-listener-{listener.get('name')}-{listener.get('port')}"
        for number, (secret, secret_keys) in enumerate(keys.items()):
            name = f"{base}-{number}"
            volumes.append(
                {"name": name, "secret": {"secretName": secret, "items": [{"key": k, "path": k} for k in secret_keys]}}
            )
            mounts.append({"name": name, "mountPath": f"{CUSTOM_AUTHN_SECRETS}/{base}/{secret}", "readOnly": True})
        changes.append(
            Change(
                kafka.ref,
                f"spec.kafka.listeners[{index}].authentication.secrets",
                f"moved to spec.kafka.template.pod.volumes and kafkaContainer.volumeMounts ({', '.join(keys)})",
                f"{API_GROUP}/{V1} removed `secrets` from custom authentication; the Secrets are mounted at the "
                f"same paths ({CUSTOM_AUTHN_SECRETS}/{base}/<secret>), so the listener's configuration still "
                "finds its files (on every node of the cluster, not only brokers)",
            )
        )
    if not volumes:
        return
    targets = [kafka.doc["spec"]["kafka"]]
    # A pool's own template replaces the Kafka's volumes and mounts, so the mounts go there too.
    targets += [pool.doc["spec"] for pool in pools if _sets_volumes(pool.doc.get("spec"))]
    for target in targets:
        template = target.setdefault("template", {})
        pod = template.setdefault("pod", {})
        pod["volumes"] = [*(pod.get("volumes") or []), *copy.deepcopy(volumes)]
        container = template.setdefault("kafkaContainer", {})
        container["volumeMounts"] = [*(container.get("volumeMounts") or []), *copy.deepcopy(mounts)]


def _sets_volumes(spec: Any) -> bool:
    template = spec.get("template") if isinstance(spec, dict) else None
    if not isinstance(template, dict):
        return False
    pod, container = template.get("pod") or {}, template.get("kafkaContainer") or {}
    return bool(pod.get("volumes")) or bool(container.get("volumeMounts"))


def _supported_range() -> str:
    supported = sorted(versions.supported_versions(), key=lambda v: tuple(int(p) for p in v.split(".")))
    return f"{supported[0]} to {supported[-1]}"


def _pop_field(raw: dict[str, Any], alias: str, name: str) -> None:
    """Remove a field written by its wire name or (as pydantic also accepts) its Python name."""
    raw.pop(alias, None)
    raw.pop(name, None)


# --- One resource ----------------------------------------------------------------------------


def _convert_resource(resource: _Resource, changes: list[Change]) -> None:
    """Drop or translate fields v1 does not have, then set the v1 apiVersion."""
    found: list[Change] = []
    _convert_fields(resource.model, resource.doc, "", resource.ref, found)
    current = resource.doc.get("apiVersion")
    if current != TARGET_API_VERSION:
        resource.doc["apiVersion"] = TARGET_API_VERSION
        changes.append(
            Change(
                resource.ref,
                "apiVersion",
                f"{current} -> {TARGET_API_VERSION}",
                "Strimzi 1.0 removed the older API versions; v1 is the one Strimzi and Krafter serve",
            )
        )
    changes += found


def _convert_fields(value: Any, raw: Any, path: str, ref: str, changes: list[Change]) -> None:
    """Walk the model and its document together; fields marked as not in v1 are translated or removed.

    The model says which fields exist only in v1beta2 (`base.only_in` markers), the document is
    what gets edited; keys the model does not know are left alone.
    """
    if isinstance(value, Model) and isinstance(raw, dict):
        for name, info in type(value).model_fields.items():
            child = getattr(value, name)
            alias = info.alias or name
            key = alias if alias in raw else name if name in raw else None
            if child is None or key is None:
                continue
            child_path = f"{path}.{alias}" if path else alias
            allowed = field_versions(info.json_schema_extra)
            if V1 in allowed:
                _convert_fields(child, raw[key], child_path, ref, changes)
                continue
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, Mapping) else {}
            note = extra.get("versionNote") or f"it exists only in {', '.join(allowed)}"
            what, why = _translate_field(value, name, raw, key, str(note))
            changes.append(Change(ref, child_path, what, why))
    elif isinstance(value, (list, tuple)) and isinstance(raw, list):
        for index, (item, raw_item) in enumerate(zip(value, raw, strict=False)):
            _convert_fields(item, raw_item, f"{path}[{index}]", ref, changes)


def _translate_field(owner: Model, name: str, raw: dict[str, Any], key: str, note: str) -> tuple[str, str]:
    """Edit one v1beta2-only field of `raw`; returns (what, why)."""
    if isinstance(owner, AclRule) and name == "operation":
        operation = raw[key]
        operations = raw.get("operations")
        why = "v1 lists a rule's operations in `operations`; the single `operation` field was removed"
        if isinstance(operations, list):
            del raw[key]
            if operation in operations:
                return "removed (already in operations)", why
            operations.append(operation)
            return f"merged into operations ({operation} added)", why
        _rename_key(raw, key, "operations", [operation])
        return f"replaced by operations: [{operation}]", why
    if isinstance(owner, OperatorComponentSpec) and name == "reconciliation_interval_seconds":
        milliseconds = int(getattr(owner, name)) * 1000
        if "reconciliationIntervalMs" in raw:
            del raw[key]
            return "removed (reconciliationIntervalMs is set)", "v1 has only reconciliationIntervalMs"
        _rename_key(raw, key, "reconciliationIntervalMs", milliseconds)
        return f"replaced by reconciliationIntervalMs: {milliseconds}", "v1 has only the interval in milliseconds"
    del raw[key]
    return "removed", f"{API_GROUP}/{V1} has no such field ({note})"


def _rename_key(raw: dict[str, Any], old: str, new: str, value: Any) -> None:
    """Replace key `old` by `new` at the same position, so the document keeps the order the user wrote."""
    items = list(raw.items())
    raw.clear()
    for key, item in items:
        if key == old:
            raw[new] = value
        elif key != new:
            raw[key] = item


__all__ = [
    "BROKER_POOL",
    "CONTROLLER_ID_BLOCK",
    "CONTROLLER_POOL",
    "Change",
    "ConversionResult",
    "KraftView",
    "convert_documents",
    "kraft_view",
    "render_changes",
    "to_yaml",
]
