"""The verdict on one drill: what was acknowledged, what came back, and how the cluster behaved.

The rule is Kafka's own (`tests/kafkatest/tests/core/replication_test.py`, run_validation):
every acknowledged record must be consumed; here it is checked twice. The consumer that ran
during the drill must have seen every acknowledged record (else they are *unseen*, Jepsen's
word), and a fresh consumer reading the topic from the beginning after recovery must find
every one (else they are *lost*: the data is gone, even if the live consumer read it before
it vanished, as when a node's only replica goes with its disk). Either fails the drill.
Records that failed after the producer's retries are not losses (the application was told)
and neither are duplicates; both are reported, as is how long producing stalled and how
latency moved before, during and after the fault.

Pure: it takes the workload's lists and the drill's timestamps (monotonic seconds) and
computes; nothing here waits or talks to Kafka.
"""

from __future__ import annotations

import enum
import itertools
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from krafter.kafka.workload import ConsumedRecord, SendRecord

SHOWN_LOST = 20
"""How many lost sequence numbers a verdict lists (the count is always complete)."""


class Phase(enum.StrEnum):
    BEFORE = "before"
    DURING = "during"
    AFTER = "after"


@dataclass(frozen=True)
class Timeline:
    """When the load started, the fault hit, the cluster was healthy again, and the load stopped."""

    started: float
    fault: float
    recovered: float | None
    """None when the cluster did not become healthy again within the drill's patience."""
    stopped: float


@dataclass(frozen=True)
class Latency:
    p50_ms: float | None
    p99_ms: float | None
    count: int


@dataclass(frozen=True)
class Verdict:
    acknowledged: int
    consumed: int
    """Distinct drill records the live consumer read."""
    read_back: int
    """Distinct drill records in the topic when read from the beginning after the drill."""
    lost: int
    """Acknowledged records the topic no longer holds."""
    lost_sample: tuple[int, ...]
    unseen: int
    """Acknowledged records the live consumer never read."""
    duplicates: int
    """Extra copies of records in the topic (a record written twice counts once extra)."""
    produce_errors: int
    """Records the producer gave up on after its retries (reported to the application, not lost)."""
    unanswered: int
    """Records neither acknowledged nor failed when the producer was closed."""
    longest_stall_s: float
    """Longest time between successful acknowledgements (from the start of the load to its end)."""
    recovery_s: float | None
    latency: dict[Phase, Latency]

    @property
    def passed(self) -> bool:
        return self.lost == 0 and self.unseen == 0

    def to_dict(self) -> dict[str, object]:
        return {
            "passed": self.passed,
            "acknowledged": self.acknowledged,
            "consumed": self.consumed,
            "read_back": self.read_back,
            "lost": self.lost,
            "lost_sample": list(self.lost_sample),
            "unseen": self.unseen,
            "duplicates": self.duplicates,
            "produce_errors": self.produce_errors,
            "unanswered": self.unanswered,
            "longest_stall_s": round(self.longest_stall_s, 3),
            "recovery_s": None if self.recovery_s is None else round(self.recovery_s, 3),
            "latency_ms": {
                phase.value: {"p50": _rounded(lat.p50_ms), "p99": _rounded(lat.p99_ms), "count": lat.count}
                for phase, lat in self.latency.items()
            },
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Nearest-rank percentile (the smallest value with at least `fraction` of the values at or
    below it); None for no values. Nearest-rank never invents a latency nobody measured."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def phase_of(sent: float, timeline: Timeline) -> Phase:
    if sent < timeline.fault:
        return Phase.BEFORE
    if timeline.recovered is None or sent < timeline.recovered:
        return Phase.DURING
    return Phase.AFTER


def longest_stall(acks: Iterable[float], started: float, stopped: float) -> float:
    """The longest stretch of [started, stopped] without an acknowledgement."""
    points = sorted(a for a in acks if started <= a <= stopped)
    edges = [started, *points, stopped]
    return max((b - a for a, b in itertools.pairwise(edges)), default=stopped - started)


def judge(
    sent: Sequence[SendRecord],
    consumed: Sequence[ConsumedRecord],
    read_back: Sequence[ConsumedRecord],
    timeline: Timeline,
) -> Verdict:
    acked = {r.seq for r in sent if r.acked is not None}
    seen = {r.seq for r in consumed}
    copies = Counter(r.seq for r in read_back)
    lost = sorted(acked - copies.keys())
    latencies: dict[Phase, list[float]] = {phase: [] for phase in Phase}
    for record in sent:
        if record.acked is not None:
            latencies[phase_of(record.sent, timeline)].append((record.acked - record.sent) * 1000)
    return Verdict(
        acknowledged=len(acked),
        consumed=len(seen),
        read_back=len(copies),
        lost=len(lost),
        lost_sample=tuple(lost[:SHOWN_LOST]),
        unseen=len(acked - seen),
        duplicates=sum(n - 1 for n in copies.values()),
        produce_errors=sum(1 for r in sent if r.acked is None and r.error is not None),
        unanswered=sum(1 for r in sent if r.acked is None and r.error is None),
        longest_stall_s=longest_stall(
            (r.acked for r in sent if r.acked is not None), timeline.started, timeline.stopped
        ),
        recovery_s=None if timeline.recovered is None else timeline.recovered - timeline.fault,
        latency={
            phase: Latency(percentile(values, 0.5), percentile(values, 0.99), len(values))
            for phase, values in latencies.items()
        },
    )
