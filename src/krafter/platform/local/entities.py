"""KafkaTopics and KafkaUsers of a local cluster, reconciled by `krafter up` once the cluster is healthy.

The same reconcilers as the operator's, driven from files instead of watch events: every run
passes the complete set of resources, so a resource that disappeared from the files is a
deleted one (its topic is deleted, its credentials, ACLs and quotas removed). What
Kubernetes would keep is kept in the state directory instead:
  entities.json        each managed resource as last seen, with its status (so conditions keep
                       their transition times and a changed spec.topicName is noticed) and when
                       it was first seen (the local stand-in for creationTimestamp)
  users/<user>/<key>   each user's Secret, one file per key, mode 0600 (password,
                       sasl.jaas.config, or ca.crt, user.crt, user.key, user.p12, user.password)
  secrets/<name>/<key> Secrets the user provides (`password.valueFrom.secretKeyRef`)
Strimzi enables each part with `spec.entityOperator.topicOperator` / `userOperator` (`{}` is enough).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from krafter.api.cluster import ClusterInput
from krafter.api.topic import KafkaTopic, KafkaTopicStatus
from krafter.api.user import KafkaUser, KafkaUserStatus
from krafter.certs import authority
from krafter.kafka.admin import KafkaAdmin
from krafter.platform.local.state import ClusterState
from krafter.reconcile import conditions, resources
from krafter.reconcile.topics import TopicReconciler, TopicResult, TopicSettings
from krafter.reconcile.users import SecretAction, UserReconciler, UserResult, UserSettings

if TYPE_CHECKING:
    from krafter.platform.local.cluster import UpResult

STATE_FILE = "entities.json"
PROVIDED_SECRETS = "secrets"
_STALE_READ_ROUNDS = 10


@dataclass(frozen=True)
class EntitiesReport:
    """What one `krafter up` did to topics and users (keys are resource names)."""

    topics: dict[str, TopicResult] = field(default_factory=dict)
    users: dict[str, UserResult] = field(default_factory=dict)
    removed_topics: dict[str, TopicResult] = field(default_factory=dict)
    """Resources that disappeared from the files."""
    removed_users: dict[str, UserResult] = field(default_factory=dict)
    secrets_dir: dict[str, Path] = field(default_factory=dict)
    """Where each user's Secret files are."""
    notes: tuple[str, ...] = ()

    @property
    def problems(self) -> list[str]:
        """One line per resource that is not ready or could not be removed."""
        found = []
        for key, topic in sorted(self.topics.items()):
            if message := _problem(topic.status):
                found.append(f"KafkaTopic/{key}: {message}")
        for key, user in sorted(self.users.items()):
            if message := _problem(user.status):
                found.append(f"KafkaUser/{key}: {message}")
        for key, removed_topic in sorted(self.removed_topics.items()):
            if removed_topic.status is not None:
                found.append(f"KafkaTopic/{key} (removed): {_problem(removed_topic.status)}")
        for key, removed_user in sorted(self.removed_users.items()):
            if not removed_user.deleted:
                found.append(f"KafkaUser/{key} (removed): {_problem(removed_user.status)}")
        return found

    def lines(self) -> list[str]:
        """A human summary: one line per resource."""
        out = list(self.notes)
        for key, topic in sorted(self.topics.items()):
            out.append(f"topic {topic.topic_name} (KafkaTopic/{key}): {_state(topic.status)}")
        for key, topic in sorted(self.removed_topics.items()):
            what = "deleted" if topic.deleted else "left in Kafka" if topic.status is None else _problem(topic.status)
            out.append(f"topic {topic.topic_name} (KafkaTopic/{key} removed): {what}")
        for key, user in sorted(self.users.items()):
            where = f", credentials in {self.secrets_dir[key]}" if key in self.secrets_dir else ""
            out.append(f"user {user.username} (KafkaUser/{key}): {_state(user.status)}{where}")
        for key, user in sorted(self.removed_users.items()):
            what = "removed" if user.deleted else _problem(user.status)
            out.append(f"user {user.username} (KafkaUser/{key} removed): {what}")
        return out


def reconcile_entities(
    result: UpResult, cluster: ClusterInput, *, timeout: float = 60.0, now: datetime | None = None
) -> EntitiesReport:
    """Reconcile the cluster's KafkaTopics and KafkaUsers against the running cluster `result` describes."""
    from krafter.platform.local.cluster import admin_settings

    state = result.state
    remembered = _load(state)
    operators = cluster.kafka.spec.entity_operator
    topic_operator = operators.topic_operator if operators else None
    user_operator = operators.user_operator if operators else None
    notes = []
    report_topics: dict[str, TopicResult] = {}
    removed_topics: dict[str, TopicResult] = {}
    report_users: dict[str, UserResult] = {}
    removed_users: dict[str, UserResult] = {}
    secrets_dir: dict[str, Path] = {}
    started = now or datetime.now(UTC)
    with KafkaAdmin(admin_settings(result.plan, result.identity)) as admin:
        if topic_operator is not None:
            report_topics, removed_topics = _topics(admin, cluster.topics, remembered["topics"], started, timeout)
        elif cluster.topics:
            notes.append("KafkaTopics ignored: spec.entityOperator.topicOperator is not set (`{}` enables it)")
        if user_operator is not None:
            settings = UserSettings(
                secret_prefix=user_operator.secret_prefix or "",
                validity_days=cluster.kafka.spec.clients_ca.validity_days if cluster.kafka.spec.clients_ca else 365,
                renewal_days=cluster.kafka.spec.clients_ca.renewal_days if cluster.kafka.spec.clients_ca else 30,
            )
            reconciler = UserReconciler(admin, _clients_ca(state), settings)
            report_users, removed_users, secrets_dir = _users(reconciler, state, cluster.users, remembered["users"])
        elif cluster.users:
            notes.append("KafkaUsers ignored: spec.entityOperator.userOperator is not set (`{}` enables it)")
    _save(state, remembered)
    return EntitiesReport(report_topics, report_users, removed_topics, removed_users, secrets_dir, tuple(notes))


# --- topics ----------------------------------------------------------------------------------


def _topics(
    admin: KafkaAdmin,
    topics: Sequence[KafkaTopic],
    remembered: dict[str, Any],
    now: datetime,
    timeout: float,
) -> tuple[dict[str, TopicResult], dict[str, TopicResult]]:
    reconciler = TopicReconciler(admin, TopicSettings(use_finalizers=False))
    current = {}
    for topic in topics:
        key = resources.key(topic.metadata)
        current[key] = _with_memory(topic, remembered.get(key), now)
    gone = [KafkaTopic.model_validate(entry["resource"]) for key, entry in remembered.items() if key not in current]
    results = reconciler.reconcile(list(current.values()), complete=True, deleted=gone)
    removed = {key: results.pop(key) for key in [resources.key(t.metadata) for t in gone] if key in results}
    # Kafka's metadata may lag a moment behind a creation, and a resource that lost a conflict
    # takes over once the winner was deleted: look again briefly, as the operator would requeue.
    takeover = any(r.deleted for r in removed.values())
    deadline = time.monotonic() + timeout
    for _ in range(_STALE_READ_ROUNDS):
        again = [key for key, r in results.items() if _stale(r, reconciler.settings) or (takeover and _lost(r))]
        takeover = False
        if not again or time.monotonic() > deadline:
            break
        time.sleep(reconciler.settings.stale_read_seconds)
        results.update(reconciler.reconcile([_with_status(current[key], results[key]) for key in again]))
    for key, topic in current.items():
        entry = remembered.setdefault(key, {})
        entry["resource"] = _with_status(topic, results[key]).to_dict()
        entry.setdefault("firstSeen", topic.metadata.creation_timestamp)
    for key, outcome in removed.items():
        if outcome.status is None:  # deleted, or not this resource's to delete
            remembered.pop(key, None)
    return results, removed


def _stale(result: TopicResult, settings: TopicSettings) -> bool:
    return result.requeue_after is not None and result.requeue_after <= settings.stale_read_seconds


def _lost(result: TopicResult) -> bool:
    return _reason(result.status) == "ResourceConflict"


def _with_memory(topic: KafkaTopic, entry: Mapping[str, Any] | None, now: datetime) -> KafkaTopic:
    """The resource with what Kubernetes would have kept: its status and its creation time."""
    previous = KafkaTopic.model_validate(entry["resource"]) if entry else None
    created = (entry or {}).get("firstSeen") or conditions.timestamp(now)
    metadata = topic.metadata
    if not metadata.creation_timestamp:
        metadata = metadata.model_copy(update={"creation_timestamp": created})
    return topic.model_copy(update={"metadata": metadata, "status": previous.status if previous else None})


def _with_status(topic: KafkaTopic, result: TopicResult) -> KafkaTopic:
    return topic.model_copy(update={"status": result.status if result.status is not None else topic.status})


def _reason(status: KafkaTopicStatus | None) -> str | None:
    for condition in (status.conditions if status is not None else None) or ():
        if condition.type == conditions.READY:
            return str(condition.reason) if condition.reason else None
    return None


# --- users -----------------------------------------------------------------------------------


def _users(
    reconciler: UserReconciler, state: ClusterState, users: Sequence[KafkaUser], remembered: dict[str, Any]
) -> tuple[dict[str, UserResult], dict[str, UserResult], dict[str, Path]]:
    current = {}
    for user in users:
        key = resources.key(user.metadata)
        entry = remembered.get(key)
        status = KafkaUser.model_validate(entry["resource"]).status if entry else None
        current[key] = user.model_copy(update={"status": status})
    existing = {reconciler.secret_key(u): _read_secret(state.user_dir(u.metadata.name or "")) for u in current.values()}
    existing = {k: v for k, v in existing.items() if v}
    results = reconciler.reconcile(list(current.values()), existing, _ProvidedSecrets(state.root / PROVIDED_SECRETS))
    dirs: dict[str, Path] = {}
    for key, user in current.items():
        result = results[key]
        directory = state.user_dir(user.metadata.name or "")
        if result.secret_action is SecretAction.APPLY and result.secret is not None:
            _write_secret(directory, result.secret.decoded())
        elif result.secret_action is SecretAction.DELETE:
            shutil.rmtree(directory, ignore_errors=True)
        if directory.is_dir():
            dirs[key] = directory
        status = result.status if result.status is not None else user.status
        remembered[key] = {"resource": user.model_copy(update={"status": status}).to_dict()}
    gone = [KafkaUser.model_validate(entry["resource"]) for key, entry in remembered.items() if key not in current]
    removed = reconciler.delete(gone) if gone else {}
    for user in gone:
        key = resources.key(user.metadata)
        outcome = removed.get(key)
        if outcome is not None and outcome.deleted:
            shutil.rmtree(state.user_dir(user.metadata.name or ""), ignore_errors=True)
            remembered.pop(key, None)
    return results, removed, dirs


class _ProvidedSecrets:
    """`secretKeyRef` lookups answered from `<state>/secrets/<name>/<key>` files."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def __call__(self, namespace: str | None, name: str, key: str) -> str | None:
        path = self.root / name / key
        try:
            return path.read_text().rstrip("\n") or None
        except OSError:
            return None


def _read_secret(directory: Path) -> dict[str, str]:
    """A user's Secret files as `Secret.data` (base64 values)."""
    if not directory.is_dir():
        return {}
    return {
        path.name: base64.b64encode(path.read_bytes()).decode("ascii")
        for path in sorted(directory.iterdir())
        if path.is_file() and not path.name.endswith(".tmp")
    }


def _write_secret(directory: Path, files: Mapping[str, bytes]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    for name, data in files.items():
        path = directory / name
        if path.exists() and path.read_bytes() == data:
            continue
        temporary = path.with_name(path.name + ".tmp")
        with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    for path in directory.iterdir():
        if path.is_file() and path.name not in files:
            path.unlink()


def _clients_ca(state: ClusterState) -> authority.CertificateAuthority | None:
    directory = state.ca_dir / "clients"
    cert, key = directory / "ca.crt", directory / "ca.key"
    if not cert.exists() or not key.exists():
        return None
    return authority.CertificateAuthority(cert.read_bytes(), key.read_bytes())


# --- state -----------------------------------------------------------------------------------


def _load(state: ClusterState) -> dict[str, dict[str, Any]]:
    path = state.root / STATE_FILE
    data: dict[str, dict[str, Any]] = json.loads(path.read_text()) if path.exists() else {}
    data.setdefault("topics", {})
    data.setdefault("users", {})
    return data


def _save(state: ClusterState, data: Mapping[str, Any]) -> None:
    state.root.mkdir(parents=True, exist_ok=True)
    path = state.root / STATE_FILE
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    os.replace(temporary, path)


def _problem(status: KafkaTopicStatus | KafkaUserStatus | None) -> str | None:
    """The failure a status reports (Ready False for topics, NotReady True for users), if any."""
    for condition in (status.conditions if status else None) or ():
        failed = (condition.type == conditions.READY and condition.status == conditions.FALSE) or (
            condition.type == conditions.NOT_READY and condition.status == conditions.TRUE
        )
        if failed:
            return f"{condition.reason}: {condition.message}"
    return None


def _state(status: KafkaTopicStatus | KafkaUserStatus | None) -> str:
    found = status.conditions if status else None
    if conditions.is_ready(found):
        return "ready"
    for condition in found or ():
        if condition.type == conditions.PAUSED:
            return "reconciliation paused"
        if condition.type == conditions.UNMANAGED:
            return "unmanaged"
    return _problem(status) or "not reconciled yet"
