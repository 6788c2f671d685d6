"""KafkaTopics and KafkaUsers inside the operator process: no extra Deployment, one pass per cluster.

Strimzi runs an entity-operator Deployment per Kafka cluster; Krafter runs the same work in
the operator: watch events mark a cluster's topics or users dirty, and one pass reconciles
all of that cluster's resources in batched Admin calls (the reconcilers in `krafter.reconcile`,
shared with `krafter up`). Writes to Kubernetes are only what changed: a status whose
content differs, a finalizer to add or drop, a user Secret to create, update or delete.

Brokers are reached through `krafter.operator.connections`.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from lightkube import Client
from lightkube.core.exceptions import ApiError
from lightkube.resources.core_v1 import Secret
from lightkube.types import PatchType

from krafter.api import parse
from krafter.api.errors import InvalidResource
from krafter.api.kafka import Kafka, topic_finalizers_enabled
from krafter.api.topic import KafkaTopic
from krafter.api.user import KafkaUser
from krafter.kafka.admin import KafkaAdmin
from krafter.kafka.admin_types import KafkaAdminError
from krafter.operator import events
from krafter.operator.connections import CONNECTION_RETRY, KafkaConnections
from krafter.plan import labels
from krafter.platform.kubernetes import apply, material, objects
from krafter.platform.kubernetes import status as status_writer
from krafter.reconcile.conditions import Event
from krafter.reconcile.topics import FINALIZER as TOPIC_FINALIZER
from krafter.reconcile.topics import TopicReconciler, TopicResult, TopicSettings
from krafter.reconcile.users import SecretAction, UserReconciler, UserResult, UserSettings
from krafter.status import conditions as status_conditions

log = logging.getLogger("krafter.entities")
EntityT = TypeVar("EntityT", KafkaTopic, KafkaUser)
USER_FINALIZER = "krafter.io/user-operator"
"""Ours (Strimzi's User Operator has none): a deleted KafkaUser's credentials, ACLs and quotas
are removed from Kafka before the resource goes, even if the operator was down at the time."""


@dataclass
class PassResult:
    writes: int = 0
    requeue_after: float | None = None
    problems: list[str] = field(default_factory=list)

    def requeue(self, seconds: float | None) -> None:
        if seconds is not None:
            self.requeue_after = seconds if self.requeue_after is None else min(self.requeue_after, seconds)


class EntityController:
    def __init__(
        self, client: Client, connections: KafkaConnections | None = None, *, watched_namespace_enabled: bool = False
    ) -> None:
        self.client = client
        self.connections = connections or KafkaConnections(client)
        self.watched_namespace_enabled = watched_namespace_enabled
        self._deleted_topics: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
        self._deleted_lock = threading.Lock()

    def note_deleted_topic(self, cluster: tuple[str, str], body: Mapping[str, Any]) -> None:
        """A KafkaTopic is gone from the API. Without finalizers (STRIMZI_USE_FINALIZERS=false)
        this event is the only notice, so the next pass deletes its Kafka topic, as Strimzi does."""
        metadata = body.get("metadata") or {}
        with self._deleted_lock:
            self._deleted_topics.setdefault(cluster, {})[f"{metadata.get('namespace')}/{metadata.get('name')}"] = dict(
                body
            )

    def _take_deleted_topics(self, cluster: tuple[str, str]) -> list[dict[str, Any]]:
        with self._deleted_lock:
            return list(self._deleted_topics.pop(cluster, {}).values())

    # --- the pass -------------------------------------------------------------------------------

    def reconcile(self, namespace: str, cluster: str) -> PassResult:
        result = PassResult()
        try:
            kafka_dict = objects.to_dict(self.client.get(objects.KAFKA, cluster, namespace=namespace))
            parsed = parse.parse_resource(kafka_dict).resource
        except (ApiError, InvalidResource):
            return result  # no (valid) Kafka: nothing to reconcile against; its own status says why
        assert isinstance(parsed, Kafka)
        operators = parsed.spec.entity_operator
        topic_op = operators.topic_operator if operators else None
        user_op = operators.user_operator if operators else None
        if topic_op is None and user_op is None:
            return result
        topics = self._list(objects.KAFKA_TOPIC, topic_op.watched_namespace if topic_op else None, namespace, cluster)
        users = self._list(objects.KAFKA_USER, user_op.watched_namespace if user_op else None, namespace, cluster)
        if not (topic_op and topics) and not (user_op and users) and not self._has_deleted_topics((namespace, cluster)):
            return result
        connection = self.connections.connect(namespace, cluster)
        if connection is None:
            result.problems.append("the cluster's operator certificate does not exist yet")
            result.requeue(CONNECTION_RETRY)
            return result
        try:
            with KafkaAdmin(connection.settings) as admin:
                deleted = self._take_deleted_topics((namespace, cluster))
                if topic_op is not None and (topics or deleted):
                    use_finalizers = topic_finalizers_enabled(parsed.spec.entity_operator)
                    # With finalizers a deletion was already handled through deletionTimestamp.
                    gone = [] if use_finalizers else deleted
                    self._topics(admin, topics, gone, TopicSettings(use_finalizers=use_finalizers), result)
                if user_op is not None and users:
                    settings = UserSettings(
                        secret_prefix=user_op.secret_prefix or "",
                        validity_days=parsed.spec.clients_ca.validity_days if parsed.spec.clients_ca else 365,
                        renewal_days=parsed.spec.clients_ca.renewal_days if parsed.spec.clients_ca else 30,
                    )
                    self._users(UserReconciler(admin, connection.clients_ca, settings), users, result)
        except KafkaAdminError as exc:
            result.problems.append(f"Kafka is not reachable: {exc}")
            result.requeue(CONNECTION_RETRY)
        return result

    def _list(self, resource: Any, watched: str | None, namespace: str, cluster: str) -> list[dict[str, Any]]:
        # Another namespace only with the operator's opt-in; the Kafka's status warns otherwise.
        where = (watched if self.watched_namespace_enabled else None) or namespace
        return [
            objects.to_dict(item)
            for item in self.client.list(resource, namespace=where, labels={labels.CLUSTER: cluster})
        ]

    # --- topics ---------------------------------------------------------------------------------

    def _parse_all(
        self, resource: Any, model: type[EntityT], raw: list[dict[str, Any]], result: PassResult
    ) -> tuple[list[EntityT], dict[str, dict[str, Any]]]:
        """The valid resources, and every raw one by `namespace/name`; invalid ones get a status saying why."""
        parsed: list[EntityT] = []
        by_key: dict[str, dict[str, Any]] = {}
        for item in raw:
            by_key[f"{item['metadata']['namespace']}/{item['metadata']['name']}"] = item
            try:
                entity = parse.parse_resource(item).resource
            except InvalidResource as exc:
                self._refuse(resource, item, exc, result)
                continue
            assert isinstance(entity, model)
            parsed.append(entity)
        return parsed, by_key

    def _has_deleted_topics(self, cluster: tuple[str, str]) -> bool:
        with self._deleted_lock:
            return bool(self._deleted_topics.get(cluster))

    def _topics(
        self,
        admin: KafkaAdmin,
        raw: list[dict[str, Any]],
        gone: list[dict[str, Any]],
        settings: TopicSettings,
        result: PassResult,
    ) -> None:
        parsed, by_key = self._parse_all(objects.KAFKA_TOPIC, KafkaTopic, raw, result)
        deleted: list[KafkaTopic] = []
        for item in gone:
            with contextlib.suppress(InvalidResource):
                resource = parse.parse_resource(item).resource
                if isinstance(resource, KafkaTopic):
                    deleted.append(resource)
        reconciler = TopicReconciler(admin, settings)
        outcomes = reconciler.reconcile(parsed, complete=True, deleted=deleted)
        for key, outcome in outcomes.items():
            found = by_key.get(key)
            if found is not None:
                self._apply_topic(found, outcome, result)

    def _apply_topic(self, item: dict[str, Any], outcome: TopicResult, result: PassResult) -> None:
        if outcome.finalizer is not None:
            self._set_finalizer(objects.KAFKA_TOPIC, item, TOPIC_FINALIZER, outcome.finalizer, result)
        if outcome.status is not None:
            self._write_status(objects.KAFKA_TOPIC, item, outcome.status.to_dict(), result)
        self._post(item, outcome.events, result)
        result.requeue(outcome.requeue_after)

    # --- users ----------------------------------------------------------------------------------

    def _users(self, reconciler: UserReconciler, raw: list[dict[str, Any]], result: PassResult) -> None:
        parsed, by_key = self._parse_all(objects.KAFKA_USER, KafkaUser, raw, result)
        living = [u for u in parsed if not u.metadata.deletion_timestamp]
        dying = [u for u in parsed if u.metadata.deletion_timestamp]
        existing = self._user_secrets(reconciler, living)
        outcomes = reconciler.reconcile(living, existing, self._lookup) if living else {}
        if dying:
            outcomes.update(reconciler.delete(dying))
        for key, outcome in outcomes.items():
            found = by_key.get(key)
            if found is not None:
                self._apply_user(found, outcome, result)

    def _user_secrets(self, reconciler: UserReconciler, users: Sequence[KafkaUser]) -> dict[str, Mapping[str, str]]:
        found: dict[str, Mapping[str, str]] = {}
        for user in users:
            key = reconciler.secret_key(user)
            namespace, _, name = key.rpartition("/")
            secret = material.read_secret(self.client, namespace or (user.metadata.namespace or ""), name)
            if secret is not None:
                found[key] = secret.get("data") or {}
        return found

    def _lookup(self, namespace: str | None, name: str, key: str) -> str | None:
        secret = material.read_secret(self.client, namespace or "", name)
        value = ((secret or {}).get("data") or {}).get(key)
        return base64.b64decode(value).decode() if value else None

    def _apply_user(self, item: dict[str, Any], outcome: UserResult, result: PassResult) -> None:
        meta = item["metadata"]
        if outcome.deleted or meta.get("deletionTimestamp"):
            if outcome.deleted:
                self._set_finalizer(objects.KAFKA_USER, item, USER_FINALIZER, False, result)
        else:
            self._set_finalizer(objects.KAFKA_USER, item, USER_FINALIZER, True, result)
        if outcome.secret_action is SecretAction.APPLY and outcome.secret is not None and outcome.secret.changed:
            secret = outcome.secret
            body = {
                "apiVersion": "v1",
                "kind": "Secret",
                "type": "Opaque",
                "metadata": {
                    "name": secret.name,
                    "namespace": secret.namespace or meta["namespace"],
                    "labels": dict(secret.labels),
                    "annotations": dict(secret.annotations),
                    "ownerReferences": [
                        {
                            "apiVersion": item["apiVersion"],
                            "kind": "KafkaUser",
                            "name": meta["name"],
                            "uid": meta["uid"],
                            "controller": False,
                            "blockOwnerDeletion": False,
                        }
                    ],
                },
                "data": dict(secret.data),
            }
            self.client.apply(objects.to_resource(body), field_manager=apply.FIELD_MANAGER, force=True)
            result.writes += 1
        elif outcome.secret_action is SecretAction.DELETE:
            try:
                self.client.delete(Secret, outcome.secret_name, namespace=meta["namespace"])
                result.writes += 1
            except ApiError as exc:
                if exc.status.code != 404:
                    raise
        if outcome.status is not None and not meta.get("deletionTimestamp"):
            self._write_status(objects.KAFKA_USER, item, outcome.status.to_dict(), result)
        self._post(item, outcome.events, result)
        result.requeue(outcome.requeue_after)

    # --- writes ---------------------------------------------------------------------------------

    def _refuse(self, resource: Any, item: dict[str, Any], exc: InvalidResource, result: PassResult) -> None:
        from datetime import UTC, datetime

        status = {
            "conditions": status_conditions.merge(
                (item.get("status") or {}).get("conditions"),
                [
                    status_conditions.Condition(
                        "Ready", "False", "InvalidResource", "; ".join(f.render() for f in exc.findings)
                    )
                ],
                datetime.now(UTC),
            ),
            "observedGeneration": item["metadata"].get("generation"),
        }
        self._write_status(resource, item, status, result)

    def _write_status(self, resource: Any, item: dict[str, Any], status: dict[str, Any], result: PassResult) -> None:
        if status_writer.write_status(self.client, resource, item, status):
            result.writes += 1

    def _set_finalizer(
        self, resource: Any, item: dict[str, Any], finalizer: str, wanted: bool, result: PassResult
    ) -> None:
        meta = item["metadata"]
        current = list(meta.get("finalizers") or [])
        if (finalizer in current) == wanted:
            return
        updated = [*current, finalizer] if wanted else [f for f in current if f != finalizer]
        try:
            self.client.patch(
                resource,
                meta["name"],
                {"metadata": {"finalizers": updated, "resourceVersion": meta.get("resourceVersion")}},
                namespace=meta["namespace"],
                patch_type=PatchType.MERGE,
            )
            result.writes += 1
        except ApiError as exc:
            if exc.status.code == 409:
                result.requeue(1.0)  # changed meanwhile: look again with the new version
            elif exc.status.code != 404:
                raise

    def _post(self, item: dict[str, Any], items: Sequence[Event], result: PassResult) -> None:
        for event in items:
            try:
                events.post(self.client, item, event.type.value, event.reason, event.message)
                result.writes += 1
            except ApiError as exc:
                log.warning("event for %s/%s: %s", item["metadata"]["namespace"], item["metadata"]["name"], exc)
