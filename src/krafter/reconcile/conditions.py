"""Status conditions and events as Strimzi's topic and user operators write them.

A condition's `lastTransitionTime` only moves when its status flips (a new reason or
message on an unchanged status keeps the old time), so an unchanged reconcile produces an
identical status and the caller can skip the write.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from krafter.api.common import Condition

READY = "Ready"
NOT_READY = "NotReady"
PAUSED = "ReconciliationPaused"
UNMANAGED = "Unmanaged"
TRUE = "True"
FALSE = "False"


class EventType(enum.StrEnum):
    NORMAL = "Normal"
    WARNING = "Warning"


@dataclass(frozen=True)
class Event:
    """Something worth a Kubernetes Event on the resource (or a line of `krafter up` output)."""

    type: EventType
    reason: str
    message: str


@dataclass(frozen=True)
class Wanted:
    """A condition before it gets its transition time."""

    type: str
    status: str = TRUE
    reason: str | None = None
    message: str | None = None


@functools.lru_cache(maxsize=8)
def timestamp(now: datetime) -> str:
    """RFC 3339 in UTC, to the second (cached: a batch of 10,000 statuses shares one `now`)."""
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build(wanted: Sequence[Wanted], previous: Sequence[Condition] | None, now: datetime) -> list[Condition]:
    """The conditions to write; each keeps its previous lastTransitionTime if its status did not change."""
    before = {(c.type, c.status): c.last_transition_time for c in previous or ()}
    # model_construct: these values are built here from valid parts; validating 10,000 of them per batch
    # would cost more than the rest of the decision.
    return [
        Condition.model_construct(
            type=w.type,
            status=w.status,
            reason=w.reason,
            message=w.message,
            last_transition_time=before.get((w.type, w.status)) or timestamp(now),
        )
        for w in wanted
    ]


def is_ready(conditions: Sequence[Condition] | None) -> bool:
    return any(c.type == READY and c.status == TRUE for c in conditions or ())


def already_reported(wanted: Sequence[Wanted], previous: Sequence[Condition] | None) -> bool:
    """Whether the previous status already said exactly this (a repeated failure needs no new Warning event)."""
    before = {(c.type, c.status, c.reason, c.message) for c in previous or ()}
    return bool(wanted) and all((w.type, w.status, w.reason, w.message) in before for w in wanted)
