"""Which KafkaTopics get reconciled at all: managed, paused, invalid, renamed or in conflict.

Two KafkaTopics may name the same Kafka topic; the one created first manages it (ties go to
the smaller `namespace/name`), the others get `ResourceConflict` and never change or delete
the topic. Deciding that needs every resource claiming the name, not only the ones in the
current batch, so the reconciler keeps `Claims`: who claims which topic, remembered across
batches (as Strimzi's topic operator does) and rebuilt whenever a complete set is passed.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from krafter.api import validation
from krafter.api.errors import errors
from krafter.api.topic import KafkaTopic
from krafter.reconcile import resources


class Disposition(enum.Enum):
    RECONCILE = "reconcile"
    DELETE = "delete"
    """Deletion requested: delete the Kafka topic."""
    RELEASE = "release"
    """Deletion requested, but the topic is not this resource's to delete (unmanaged, or it lost a conflict)."""
    UNMANAGED = "unmanaged"
    PAUSED = "paused"
    INVALID = "invalid"
    NAME_CHANGED = "name-changed"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class Claim:
    key: str
    created: datetime

    @property
    def order(self) -> tuple[datetime, str]:
        return (self.created, self.key)


@dataclass(frozen=True)
class Triage:
    key: str
    resource: KafkaTopic
    disposition: Disposition
    topic_name: str
    """The Kafka topic this resource manages: status.topicName once known, else the spec's."""
    message: str | None = None


def managed_topic_name(topic: KafkaTopic, spec_name: str | None = None) -> str:
    """The topic a resource is bound to: once created, the name in its status (a changed spec.topicName
    is refused, not followed)."""
    status_name = topic.status.topic_name if topic.status else None
    return status_name or spec_name or validation.topic_name(topic)


class Claims:
    """Kafka topic name -> the KafkaTopics claiming it."""

    def __init__(self) -> None:
        self._by_topic: dict[str, dict[str, Claim]] = {}
        self._topic_of: dict[str, str] = {}

    def claim(self, topic_name: str, claim: Claim) -> None:
        previous = self._topic_of.get(claim.key)
        if previous is not None and previous != topic_name:
            self.forget(claim.key)
        self._by_topic.setdefault(topic_name, {})[claim.key] = claim
        self._topic_of[claim.key] = topic_name

    def forget(self, key: str) -> None:
        topic_name = self._topic_of.pop(key, None)
        if topic_name is None:
            return
        claimants = self._by_topic.get(topic_name, {})
        claimants.pop(key, None)
        if not claimants:
            self._by_topic.pop(topic_name, None)

    def clear(self) -> None:
        self._by_topic.clear()
        self._topic_of.clear()

    def winner(self, topic_name: str) -> Claim | None:
        claimants = self._by_topic.get(topic_name)
        return min(claimants.values(), key=lambda c: c.order) if claimants else None


def triage(topics: Sequence[KafkaTopic], claims: Claims, *, deleting: Iterable[str] = ()) -> list[Triage]:
    """Sort a batch into dispositions, registering its claims first so the batch decides together.

    `deleting` names keys to treat as deleted even without metadata.deletionTimestamp (the
    resource is already gone, as after a watch DELETED event without finalizers).
    """
    gone = set(deleting)
    decided: list[Triage] = []
    pending: list[tuple[str, KafkaTopic, str, str, bool]] = []
    for topic in topics:
        key = resources.key(topic.metadata)
        spec_name = validation.topic_name(topic)
        name = managed_topic_name(topic, spec_name)
        deleted = key in gone or resources.is_deleting(topic.metadata)
        if not resources.is_managed(topic.metadata):
            claims.forget(key)
            disposition = Disposition.RELEASE if deleted else Disposition.UNMANAGED
            decided.append(Triage(key, topic, disposition, name))
            continue
        problems = errors(validation.validate_topic(topic))
        if problems and not deleted:
            claims.forget(key)
            message = "; ".join(f.render() for f in problems)
            decided.append(Triage(key, topic, Disposition.INVALID, name, message))
            continue
        claims.claim(name, Claim(key, resources.created_at(topic.metadata)))
        pending.append((key, topic, name, spec_name, deleted))
    for key, topic, name, spec_name, deleted in pending:
        winner = claims.winner(name)
        lost = winner is not None and winner.key != key
        conflict = f"Managed by KafkaTopic {winner.key}" if lost and winner else None
        if deleted:
            decided.append(Triage(key, topic, Disposition.RELEASE if lost else Disposition.DELETE, name, conflict))
        elif resources.is_paused(topic.metadata):
            decided.append(Triage(key, topic, Disposition.PAUSED, name))
        elif name != spec_name:
            message = "Changing spec.topicName is not supported"
            decided.append(Triage(key, topic, Disposition.NAME_CHANGED, name, message))
        elif lost:
            decided.append(Triage(key, topic, Disposition.CONFLICT, name, conflict))
        else:
            decided.append(Triage(key, topic, Disposition.RECONCILE, name))
    return decided
