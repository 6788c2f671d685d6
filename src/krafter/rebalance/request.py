"""From a KafkaRebalance spec to the planner's goal and options."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from krafter.api.rebalance import KafkaRebalanceSpec, RebalanceMode
from krafter.rebalance.model import Goal, Mode, Partition, PlanningError
from krafter.rebalance.planner import PER_BROKER

_MODES = {
    RebalanceMode.FULL: Mode.FULL,
    RebalanceMode.ADD_BROKERS: Mode.ADD_BROKERS,
    RebalanceMode.REMOVE_BROKERS: Mode.REMOVE_BROKERS,
}


@dataclass(frozen=True)
class Request:
    goal: Goal
    per_broker: int = PER_BROKER
    throttle: int | None = None
    excluded_topics: str | None = None


def request_from_spec(spec: KafkaRebalanceSpec) -> Request:
    """The planner's request; raises PlanningError for what Krafter's planner cannot do."""
    mode = _MODES.get(spec.mode)
    if mode is None or spec.rebalance_disk:
        raise PlanningError(
            "moving replicas between the disks of one broker (remove-disks, rebalanceDisk) is not supported"
        )
    if spec.excluded_topics:
        try:
            re.compile(spec.excluded_topics)
        except re.error as exc:
            raise PlanningError(f"excludedTopics is not a valid regular expression: {exc}") from exc
    brokers = tuple(sorted(set(spec.brokers or []))) if mode is not Mode.FULL else ()
    per_broker = spec.concurrent_partition_movements_per_broker
    return Request(
        goal=Goal(mode, brokers),
        per_broker=per_broker if per_broker else PER_BROKER,
        throttle=spec.replication_throttle or None,
        excluded_topics=spec.excluded_topics,
    )


def without_excluded(partitions: Sequence[Partition], pattern: str | None) -> list[Partition]:
    """Partitions whose topic does not fully match `pattern` (Java's `Pattern.matches` semantics)."""
    if not pattern:
        return list(partitions)
    compiled = re.compile(pattern)
    return [p for p in partitions if compiled.fullmatch(p.topic) is None]
