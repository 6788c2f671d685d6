"""The KafkaTopic reconciler: batches of resources in, Kafka topics changed, one result per resource out.

Strimzi's unidirectional semantics (Kubernetes -> Kafka only): missing topics are created,
config drift is reverted, partitions grow (never shrink), and deleting a resource deletes its
topic. Unlike Strimzi, a replication-factor change is carried out here by reassigning
partitions, and tracked in `status.replicasChange` until Kafka reports it finished.

Every Admin request covers the whole batch (one describe, one CreateTopics per 500 topics,
one IncrementalAlterConfigs per 500 topics, ...), and every item's outcome is its own: a
rejected config or an unreachable broker for one request fails those resources only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from krafter.api.topic import KafkaTopic, KafkaTopicStatus
from krafter.kafka.admin import KafkaAdmin
from krafter.kafka.admin_types import (
    OK,
    ConfigChange,
    ConfigEntry,
    CreatedTopic,
    KafkaAdminError,
    NewTopic,
    OpResult,
    TopicDescription,
    TopicPartition,
)
from krafter.reconcile import conditions, replicas, resources, topic_plan, topic_triage
from krafter.reconcile.conditions import Event, EventType, Wanted
from krafter.reconcile.topic_plan import Applied, Observed, Retry, TopicPlan
from krafter.reconcile.topic_triage import Disposition, Triage

log = logging.getLogger("krafter.reconcile.topics")

FINALIZER = "strimzi.io/topic-operator"
"""Strimzi's finalizer on KafkaTopics: the Kafka topic is deleted before the resource goes."""


@dataclass(frozen=True)
class TopicSettings:
    use_finalizers: bool = True
    """Strimzi's STRIMZI_USE_FINALIZERS. Without finalizers a topic is only deleted if the
    operator sees the deletion."""
    retry_seconds: float = 30.0
    """When to retry after a transient Kafka failure."""
    progress_seconds: float = 10.0
    """How often to check on a replication-factor change."""
    stale_read_seconds: float = 1.0
    """When to look again after Kafka's metadata lagged behind a change."""


@dataclass(frozen=True)
class TopicResult:
    key: str
    """`namespace/name` of the KafkaTopic (just the name without a namespace)."""
    topic_name: str
    status: KafkaTopicStatus | None
    """The status to write. None: nothing to write (the resource is being deleted, or nothing new was learnt
    about a resource that has no status yet)."""
    finalizer: bool | None
    """Whether the resource should carry `FINALIZER`; None: leave it as it is."""
    events: tuple[Event, ...] = ()
    requeue_after: float | None = None
    """Reconcile again after this many seconds even without a change (None: wait for one)."""
    deleted: bool = False
    """The Kafka topic was deleted (or was already gone)."""

    @property
    def ready(self) -> bool:
        return self.status is not None and conditions.is_ready(self.status.conditions)

    @property
    def may_remove_finalizer(self) -> bool:
        return self.finalizer is False


def _failed(exc: KafkaAdminError) -> OpResult:
    return OpResult(error_name=exc.error_name, error_code=exc.error_code or -1, message=str(exc))


class TopicReconciler:
    """Reconciles KafkaTopics of one Kafka cluster. Not thread-safe: one batch at a time."""

    def __init__(
        self,
        admin: KafkaAdmin,
        settings: TopicSettings | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._admin = admin
        self.settings = settings or TopicSettings()
        self._clock = clock or (lambda: datetime.now(UTC))
        self._claims = topic_triage.Claims()

    # --- entry points ----------------------------------------------------------------------

    def reconcile(
        self, topics: Sequence[KafkaTopic], *, complete: bool = False, deleted: Sequence[KafkaTopic] = ()
    ) -> dict[str, TopicResult]:
        """Reconcile a batch; resources with metadata.deletionTimestamp, and `deleted` ones, are deleted.

        `complete`: `topics` and `deleted` are every KafkaTopic of the cluster (a full resync,
        or the local platform's files), so claims of resources not among them are forgotten.
        Passing deletions with the rest lets a conflict between a deleted and a remaining
        resource be decided with both known.
        """
        if complete:
            self._claims.clear()
        return self._run([*topics, *deleted], deleting={resources.key(t.metadata) for t in deleted})

    def delete(self, topics: Sequence[KafkaTopic]) -> dict[str, TopicResult]:
        """Delete the Kafka topics of these resources (unless unmanaged or not theirs to delete)."""
        return self._run(topics, deleting={resources.key(t.metadata) for t in topics})

    # --- batch -----------------------------------------------------------------------------

    def _run(self, topics: Sequence[KafkaTopic], deleting: set[str]) -> dict[str, TopicResult]:
        now = self._clock()
        triaged = topic_triage.triage(topics, self._claims, deleting=deleting)
        results: dict[str, TopicResult] = {}
        active = [t for t in triaged if t.disposition is Disposition.RECONCILE]
        doomed = [t for t in triaged if t.disposition is Disposition.DELETE]
        for item in triaged:
            if item.disposition not in {Disposition.RECONCILE, Disposition.DELETE}:
                results[item.key] = self._passive(item, now)
        if doomed:
            results.update(self._delete(doomed, now))
        if active:
            results.update(self._reconcile(active, now))
        return results

    def _passive(self, item: Triage, now: datetime) -> TopicResult:
        """Resources that cause no Kafka request: their status only."""
        topic = item.resource
        keep_finalizer = None if self.settings.use_finalizers else False
        if item.disposition is Disposition.RELEASE:
            return TopicResult(item.key, item.topic_name, None, finalizer=False)
        if item.disposition is Disposition.UNMANAGED:
            wanted = [Wanted(conditions.UNMANAGED)]
            status = topic_plan.topic_status(topic, wanted, now=now, keep_identity=True)
            return TopicResult(item.key, item.topic_name, status, finalizer=False)
        if item.disposition is Disposition.PAUSED:
            wanted = [Wanted(conditions.PAUSED)]
            status = topic_plan.topic_status(topic, wanted, now=now, keep_identity=True)
            return TopicResult(item.key, item.topic_name, status, finalizer=keep_finalizer)
        reason, finalizer = {
            Disposition.INVALID: (topic_plan.INVALID_RESOURCE, keep_finalizer),
            Disposition.NAME_CHANGED: (topic_plan.NOT_SUPPORTED, keep_finalizer),
            Disposition.CONFLICT: (topic_plan.RESOURCE_CONFLICT, False),
        }[item.disposition]
        wanted = [Wanted(conditions.READY, conditions.FALSE, reason, item.message)]
        status = topic_plan.topic_status(topic, wanted, now=now, keep_identity=True)
        events = self._warnings(topic, wanted, (Event(EventType.WARNING, reason, item.message or reason),))
        return TopicResult(item.key, item.topic_name, status, finalizer=finalizer, events=events)

    def _warnings(self, topic: KafkaTopic, wanted: Sequence[Wanted], events: Sequence[Event]) -> tuple[Event, ...]:
        """Warnings only when the status changes to say them; a repeated failure is not a new event."""
        previous = topic.status.conditions if topic.status else None
        if conditions.already_reported(wanted, previous):
            return tuple(e for e in events if e.type is not EventType.WARNING)
        return tuple(events)

    # --- deletion --------------------------------------------------------------------------

    def _delete(self, doomed: Sequence[Triage], now: datetime) -> dict[str, TopicResult]:
        names = list(dict.fromkeys(t.topic_name for t in doomed))
        try:
            outcomes = self._admin.delete_topics(names)
        except KafkaAdminError as exc:
            log.warning("deleting %d topics failed: %s", len(names), exc)
            outcomes = {name: _failed(exc) for name in names}
        results = {}
        for item in doomed:
            outcome = outcomes.get(item.topic_name, OK)
            if outcome.ok or outcome.not_found:
                self._claims.forget(item.key)
                event = Event(EventType.NORMAL, "TopicDeleted", f"Deleted topic {item.topic_name}")
                results[item.key] = TopicResult(
                    item.key, item.topic_name, None, finalizer=False, events=(event,), deleted=True
                )
                continue
            message = f"Deleting topic {item.topic_name} failed: {outcome}"
            log.warning("%s: %s", item.key, message)
            wanted = [Wanted(conditions.READY, conditions.FALSE, topic_plan.KAFKA_ERROR, message)]
            status = topic_plan.topic_status(item.resource, wanted, now=now, keep_identity=True)
            results[item.key] = TopicResult(
                item.key,
                item.topic_name,
                status,
                finalizer=self.settings.use_finalizers,
                events=self._warnings(item.resource, wanted, (Event(EventType.WARNING, "KafkaError", message),)),
                requeue_after=self.settings.retry_seconds,
            )
        return results

    # --- create / update -------------------------------------------------------------------

    def _reconcile(self, active: Sequence[Triage], now: datetime) -> dict[str, TopicResult]:
        desired = [topic_plan.desired_topic(t.resource) for t in active]
        try:
            described = self._admin.describe_topics(d.name for d in desired)
        except KafkaAdminError as exc:
            log.warning("describing %d topics failed: %s", len(desired), exc)
            return {t.key: self._describe_failed(t, str(exc), now) for t in active}
        observed = self._observe(desired, described)
        plans = topic_plan.plan_topics(desired, observed)
        applied = self._apply(plans.values())
        return {t.key: self._result(t, plans[t.key], applied.get(t.key, Applied()), now) for t in active}

    def _observe(self, desired: Sequence[topic_plan.DesiredTopic], described: dict[str, TopicDescription]) -> Observed:
        """Everything the plans need, in as few requests as the batch allows."""
        existing = [d.name for d in desired if d.name in described and described[d.name].partitions]
        configs: dict[str, dict[str, ConfigEntry]] = {}
        configs_error = None
        if existing:
            try:
                configs = self._admin.describe_topic_configs(existing)
            except KafkaAdminError as exc:
                configs_error = str(exc)
        if not any(topic_plan.needs_replicas_check(d, described.get(d.name)) for d in desired):
            return Observed(described, configs, configs_error=configs_error)
        try:
            reassignments = self._admin.list_partition_reassignments()
            brokers = tuple(b.node_id for b in self._admin.describe_cluster().brokers if not b.fenced)
            everything = self._admin.describe_topics(self._admin.list_topics(include_internal=True))
        except KafkaAdminError as exc:
            return Observed(described, configs, configs_error=configs_error, replicas_error=str(exc))
        return Observed(
            described,
            configs,
            reassignments=reassignments,
            brokers=brokers,
            load=replicas.replica_load(everything.values()),
            configs_error=configs_error,
        )

    def _apply(self, plans: Iterable[TopicPlan]) -> dict[str, Applied]:
        plans = list(plans)
        created = self._create([p.create for p in plans if p.create is not None])
        altered = self._alter_configs({p.name: p.config_changes for p in plans if p.config_changes})
        grown = self._create_partitions({p.name: p.total_partitions for p in plans if p.total_partitions})
        moved = self._reassign(
            {(p.name, partition): list(replicas) for p in plans for partition, replicas in p.reassignments.items()}
        )
        applied = {}
        for plan in plans:
            applied[plan.key] = Applied(
                created=created.get(plan.name) if plan.create is not None else None,
                configs=altered.get(plan.name, OK) if plan.config_changes else None,
                partitions=grown.get(plan.name, OK) if plan.total_partitions else None,
                reassignments={p: moved.get((plan.name, p), OK) for p in plan.reassignments},
            )
        return applied

    def _create(self, new_topics: list[NewTopic]) -> dict[str, CreatedTopic]:
        if not new_topics:
            return {}
        try:
            return self._admin.create_topics_with_ids(new_topics)
        except KafkaAdminError as exc:
            log.warning("creating %d topics failed: %s", len(new_topics), exc)
            return {t.name: CreatedTopic(_failed(exc)) for t in new_topics}

    def _alter_configs(self, changes: dict[str, tuple[ConfigChange, ...]]) -> dict[str, OpResult]:
        if not changes:
            return {}
        try:
            return self._admin.alter_topic_configs(changes)
        except KafkaAdminError as exc:
            log.warning("altering configs of %d topics failed: %s", len(changes), exc)
            return {name: _failed(exc) for name in changes}

    def _create_partitions(self, totals: dict[str, int | None]) -> dict[str, OpResult]:
        counts = {name: total for name, total in totals.items() if total is not None}
        if not counts:
            return {}
        try:
            return self._admin.create_partitions(counts)
        except KafkaAdminError as exc:
            log.warning("creating partitions of %d topics failed: %s", len(counts), exc)
            return {name: _failed(exc) for name in counts}

    def _reassign(self, moves: dict[TopicPartition, list[int]]) -> dict[TopicPartition, OpResult]:
        if not moves:
            return {}
        try:
            return self._admin.alter_partition_reassignments(moves)
        except KafkaAdminError as exc:
            log.warning("reassigning %d partitions failed: %s", len(moves), exc)
            return {tp: _failed(exc) for tp in moves}

    def _requeue_after(self, retry: Retry | None) -> float | None:
        if retry is None:
            return None
        if retry is Retry.STALE_READ:
            return self.settings.stale_read_seconds
        if retry is Retry.IN_PROGRESS:
            return self.settings.progress_seconds
        return self.settings.retry_seconds

    def _describe_failed(self, item: Triage, message: str, now: datetime) -> TopicResult:
        wanted = [Wanted(conditions.READY, conditions.FALSE, topic_plan.KAFKA_ERROR, message)]
        status = topic_plan.topic_status(item.resource, wanted, now=now, keep_identity=True)
        return TopicResult(
            item.key,
            item.topic_name,
            status,
            finalizer=self.settings.use_finalizers,
            events=self._warnings(item.resource, wanted, (Event(EventType.WARNING, topic_plan.KAFKA_ERROR, message),)),
            requeue_after=self.settings.retry_seconds,
        )

    def _result(self, item: Triage, plan: TopicPlan, applied: Applied, now: datetime) -> TopicResult:
        conclusion = topic_plan.conclude(plan, applied)
        for event in conclusion.events:
            log.info("%s: %s", item.key, event.message)
        requeue = self._requeue_after(conclusion.retry)
        finalizer = self.settings.use_finalizers
        if conclusion.keep_status:
            return TopicResult(
                item.key, plan.name, item.resource.status, finalizer, conclusion.events, requeue_after=requeue
            )
        status = topic_plan.topic_status(
            item.resource,
            conclusion.wanted,
            now=now,
            topic_name=plan.name,
            topic_id=conclusion.topic_id,
            replicas_change=conclusion.replicas_change,
        )
        events = self._warnings(item.resource, conclusion.wanted, conclusion.events)
        return TopicResult(item.key, plan.name, status, finalizer, events, requeue_after=requeue)
