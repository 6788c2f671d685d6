"""Every decision about a managed topic, as pure functions: what to change in Kafka, and what
the resulting status says once the changes were (or were not) applied.

`plan_topic` compares one desired topic with Kafka's state; `conclude` turns the plan and the
per-item results of the batched requests into conditions, events and the replicas-change
progress; `topic_status` assembles Strimzi's status from that.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from krafter.api import validation
from krafter.api.topic import KafkaTopic, KafkaTopicStatus, ReplicasChangeStatus
from krafter.kafka.admin_types import (
    INVALID_CONFIG,
    ConfigChange,
    ConfigEntry,
    CreatedTopic,
    NewTopic,
    OpResult,
    Reassignment,
    TopicDescription,
    TopicPartition,
)
from krafter.reconcile import conditions, replicas, resources, topic_config
from krafter.reconcile.conditions import Event, EventType, Wanted

RESOURCE_CONFLICT = "ResourceConflict"
NOT_SUPPORTED = "NotSupported"
KAFKA_ERROR = "KafkaError"
INVALID_CONFIG_REASON = "InvalidConfig"
INVALID_RESOURCE = "InvalidResource"
PENDING = "pending"
ONGOING = "ongoing"


@dataclass(frozen=True)
class DesiredTopic:
    key: str
    name: str
    partitions: int | None
    replicas: int | None
    config: Mapping[str, str]
    replicas_change: ReplicasChangeStatus | None = None
    """What the previous status reported, to tell a finished change from none at all."""


def desired_topic(topic: KafkaTopic) -> DesiredTopic:
    spec = topic.spec
    return DesiredTopic(
        key=resources.key(topic.metadata),
        name=validation.topic_name(topic),
        partitions=spec.partitions if spec else None,
        replicas=spec.replicas if spec else None,
        config=topic_config.desired_config(spec.config if spec else None),
        replicas_change=topic.status.replicas_change if topic.status else None,
    )


@dataclass(frozen=True)
class Observed:
    """Kafka's state as read for one batch. A `*_error` says that read failed (the message)."""

    topics: Mapping[str, TopicDescription]
    configs: Mapping[str, Mapping[str, ConfigEntry]]
    reassignments: Mapping[TopicPartition, Reassignment] = field(default_factory=dict)
    brokers: tuple[int, ...] = ()
    """Unfenced broker ids; only read when some topic needs a replication-factor change."""
    load: Mapping[int, int] = field(default_factory=dict)
    """Replicas per broker over the cluster; only read with `brokers`."""
    configs_error: str | None = None
    replicas_error: str | None = None


@dataclass(frozen=True)
class Failure:
    reason: str
    message: str
    transient: bool = False
    """Worth retrying soon without any change to the resource (Kafka errors)."""


@dataclass(frozen=True)
class TopicPlan:
    key: str
    name: str
    topic_id: str | None = None
    create: NewTopic | None = None
    config_changes: tuple[ConfigChange, ...] = ()
    total_partitions: int | None = None
    reassignments: Mapping[int, tuple[int, ...]] = field(default_factory=dict)
    failure: Failure | None = None
    """Decided without asking Kafka (e.g. a partition decrease); the other changes still apply."""
    replicas_change: ReplicasChangeStatus | None = None
    waiting: bool = False
    """Kafka's answer was incomplete (a topic still being created, configs not visible yet): try again soon."""
    events: tuple[Event, ...] = ()

    @property
    def has_changes(self) -> bool:
        return bool(self.create or self.config_changes or self.total_partitions or self.reassignments)


def needs_replicas_check(desired: DesiredTopic, described: TopicDescription | None) -> bool:
    """Whether reassignments, brokers and load must be read for this topic."""
    if desired.replicas is None or described is None:
        return False
    if desired.replicas_change is not None:
        return True
    return any(len(p.replicas) != desired.replicas for p in described.partitions)


def plan_topics(desired: Sequence[DesiredTopic], observed: Observed) -> dict[str, TopicPlan]:
    """Plans in order; replica placement sees the replicas added by earlier topics of the batch."""
    load: Counter[int] = Counter(observed.load)
    return {d.key: plan_topic(d, observed, load) for d in desired}


def plan_topic(desired: DesiredTopic, observed: Observed, load: Counter[int] | None = None) -> TopicPlan:
    described = observed.topics.get(desired.name)
    if described is None:
        create = NewTopic(desired.name, desired.partitions, desired.replicas, dict(desired.config))
        return TopicPlan(desired.key, desired.name, create=create)
    if not described.partitions:
        # A topic whose creation is still propagating: metadata lists it before its partitions.
        return TopicPlan(desired.key, desired.name, topic_id=described.topic_id, waiting=True)
    failure: Failure | None = None
    waiting = False
    config_changes: tuple[ConfigChange, ...] = ()
    current_configs = observed.configs.get(desired.name)
    if current_configs is not None:
        config_changes = tuple(topic_config.config_changes(desired.config, current_configs))
    elif observed.configs_error is not None:
        failure = Failure(KAFKA_ERROR, observed.configs_error, transient=True)
    else:
        waiting = True  # in metadata, but its configs are not visible yet
    total: int | None = None
    current_count = len(described.partitions)
    if desired.partitions is not None and desired.partitions > current_count:
        total = desired.partitions
    elif desired.partitions is not None and desired.partitions < current_count:
        failure = failure or Failure(NOT_SUPPORTED, "Decreasing partitions not supported")
    rf = _plan_replicas(desired, described, observed, load if load is not None else Counter(observed.load))
    return TopicPlan(
        desired.key,
        desired.name,
        topic_id=described.topic_id,
        config_changes=config_changes,
        total_partitions=total,
        reassignments=rf.reassignments,
        failure=failure or rf.failure,
        replicas_change=rf.status,
        waiting=waiting,
        events=rf.events,
    )


@dataclass(frozen=True)
class _ReplicasDecision:
    status: ReplicasChangeStatus | None = None
    reassignments: Mapping[int, tuple[int, ...]] = field(default_factory=dict)
    failure: Failure | None = None
    events: tuple[Event, ...] = ()


def _plan_replicas(
    desired: DesiredTopic, described: TopicDescription, observed: Observed, load: Counter[int]
) -> _ReplicasDecision:
    target = desired.replicas
    if target is None or not needs_replicas_check(desired, described):
        return _ReplicasDecision()
    if observed.replicas_error is not None:
        status = ReplicasChangeStatus(target_replicas=target, state=PENDING, message=observed.replicas_error)
        return _ReplicasDecision(status, failure=Failure(KAFKA_ERROR, observed.replicas_error, transient=True))
    moving = sorted(p for (t, p) in observed.reassignments if t == desired.name)
    if moving:
        targets = {
            len(r.replicas) - len(r.removing) for (t, _), r in observed.reassignments.items() if t == desired.name
        }
        if targets == {target}:
            return _ReplicasDecision(ReplicasChangeStatus(target_replicas=target, state=ONGOING))
        message = f"Waiting for the ongoing reassignment of partitions {moving} to finish"
        return _ReplicasDecision(ReplicasChangeStatus(target_replicas=target, state=PENDING, message=message))
    mismatched = [p for p in described.partitions if len(p.replicas) != target]
    if not mismatched:
        events: tuple[Event, ...] = ()
        if desired.replicas_change is not None:
            done = f"Replication factor of topic {desired.name} is now {target}"
            events = (Event(EventType.NORMAL, "ReplicasChangeCompleted", done),)
        return _ReplicasDecision(None, events=events)
    try:
        assignments = replicas.reassign(mismatched, target, observed.brokers, load)
    except ValueError as exc:
        message = f"Replication factor change to {target} is not possible: {exc}"
        status = ReplicasChangeStatus(target_replicas=target, state=PENDING, message=message)
        return _ReplicasDecision(status, failure=Failure(NOT_SUPPORTED, message))
    started = f"Changing the replication factor of topic {desired.name} to {target} ({len(assignments)} partitions)"
    return _ReplicasDecision(
        ReplicasChangeStatus(target_replicas=target, state=ONGOING),
        reassignments=assignments,
        events=(Event(EventType.NORMAL, "ReplicasChangeStarted", started),),
    )


@dataclass(frozen=True)
class Applied:
    """What Kafka answered to one topic's changes (None: that change was not requested)."""

    created: CreatedTopic | None = None
    configs: OpResult | None = None
    partitions: OpResult | None = None
    reassignments: Mapping[int, OpResult] = field(default_factory=dict)


class Retry(enum.Enum):
    STALE_READ = "stale-read"
    """Kafka's metadata lagged behind; look again in a moment."""
    IN_PROGRESS = "in-progress"
    """A replication-factor change is running or waiting."""
    FAILED = "failed"
    """A transient failure; retry with back-off."""


@dataclass(frozen=True)
class Conclusion:
    """How a reconcile of one topic ended."""

    wanted: tuple[Wanted, ...]
    topic_id: str | None
    replicas_change: ReplicasChangeStatus | None
    events: tuple[Event, ...]
    retry: Retry | None = None
    """Why to reconcile again without waiting for a change of the resource."""
    keep_status: bool = False
    """Nothing was learnt (stale read): leave the previous status as it is."""

    @property
    def ready(self) -> bool:
        return any(w.type == conditions.READY and w.status == conditions.TRUE for w in self.wanted)


def failure_of(result: OpResult, what: str) -> Failure:
    if result.error_name == INVALID_CONFIG:
        return Failure(INVALID_CONFIG_REASON, result.message or str(result))
    return Failure(KAFKA_ERROR, f"{what} failed: {result}", transient=True)


def conclude(plan: TopicPlan, applied: Applied) -> Conclusion:
    """The first failure wins, as in Strimzi; changes that did succeed are still reported as events."""
    failures: list[Failure] = [plan.failure] if plan.failure else []
    events = list(plan.events)
    topic_id = plan.topic_id
    if plan.create is not None:
        created = applied.created
        if created is None or created.outcome.already_exists:
            # Metadata did not show the topic, yet it exists: a stale read. Look again soon.
            return Conclusion((), None, None, (), retry=Retry.STALE_READ, keep_status=True)
        if created.outcome.ok:
            topic_id = created.topic_id
            events.append(Event(EventType.NORMAL, "TopicCreated", f"Created topic {plan.name}"))
        else:
            failures.append(failure_of(created.outcome, f"Creating topic {plan.name}"))
    if plan.config_changes and applied.configs is not None:
        if applied.configs.ok:
            keys = ", ".join(c.key for c in plan.config_changes)
            events.append(Event(EventType.NORMAL, "ConfigChanged", f"Changed configs of topic {plan.name}: {keys}"))
        else:
            failures.append(failure_of(applied.configs, f"Altering configs of topic {plan.name}"))
    if plan.total_partitions is not None and applied.partitions is not None:
        if applied.partitions.ok:
            message = f"Increased partitions of topic {plan.name} to {plan.total_partitions}"
            events.append(Event(EventType.NORMAL, "PartitionsIncreased", message))
        else:
            failures.append(failure_of(applied.partitions, f"Increasing partitions of topic {plan.name}"))
    replicas_change = plan.replicas_change
    rejected = {p: r for p, r in applied.reassignments.items() if not r.ok}
    if plan.reassignments and rejected:
        first = rejected[min(rejected)]
        failure = failure_of(first, f"Reassigning partitions {sorted(rejected)} of topic {plan.name}")
        failures.append(failure)
        target = replicas_change.target_replicas if replicas_change else None
        replicas_change = ReplicasChangeStatus(target_replicas=target, state=PENDING, message=failure.message)
        events = [e for e in events if e.reason != "ReplicasChangeStarted"]
    in_progress = replicas_change is not None and replicas_change.state == ONGOING
    if failures:
        first_failure = failures[0]
        events.append(Event(EventType.WARNING, first_failure.reason, first_failure.message))
        wanted = (Wanted(conditions.READY, conditions.FALSE, first_failure.reason, first_failure.message),)
        retry = Retry.FAILED if first_failure.transient else Retry.IN_PROGRESS if in_progress else None
        return Conclusion(wanted, topic_id, replicas_change, tuple(events), retry=retry)
    if plan.waiting:
        # Part of the topic was not visible yet, so it was not fully compared: say nothing new.
        return Conclusion((), topic_id, replicas_change, tuple(events), retry=Retry.STALE_READ, keep_status=True)
    retry = Retry.IN_PROGRESS if replicas_change is not None else None
    return Conclusion((Wanted(conditions.READY),), topic_id, replicas_change, tuple(events), retry=retry)


def topic_status(
    topic: KafkaTopic,
    wanted: Sequence[Wanted],
    *,
    now: datetime,
    topic_name: str | None = None,
    topic_id: str | None = None,
    replicas_change: ReplicasChangeStatus | None = None,
    keep_identity: bool = False,
) -> KafkaTopicStatus:
    """Strimzi's KafkaTopic status. With `keep_identity` the previous topicName/topicId/replicasChange stay
    (a resource that was not reconciled this time)."""
    previous = topic.status
    if keep_identity:
        topic_name = previous.topic_name if previous else None
        topic_id = previous.topic_id if previous else None
        replicas_change = previous.replicas_change if previous else None
    return KafkaTopicStatus.model_construct(
        conditions=conditions.build(wanted, previous.conditions if previous else None, now),
        observed_generation=topic.metadata.generation,
        topic_name=topic_name,
        topic_id=topic_id,
        replicas_change=replicas_change,
    )
