"""The roller's decisions, pure: in which order nodes restart and whether one may restart now.

Strimzi's KafkaRoller rules (../shared/notes/strimzi-reference.md §3), so a cluster behaves
the same under Krafter: controllers before brokers, unready nodes first, the active controller
last; a controller only while a majority of the other voters is caught up; a broker only if
no partition it hosts would drop below `min.insync.replicas`. Platforms observe (Admin API,
Pods or processes) and act; these functions only decide, so every rule is unit-tested.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from krafter.kafka.admin_types import PartitionState, QuorumState

QUORUM_FETCH_TIMEOUT_MS = 2000
"""Kafka's controller.quorum.fetch.timeout.ms default: a voter further behind is not caught up."""
MAX_LISTED = 5


@dataclass(frozen=True)
class Candidate:
    node_id: int
    is_controller: bool
    is_broker: bool
    ready: bool


@dataclass(frozen=True)
class PartitionView:
    topic: str
    partition: PartitionState
    min_isr: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str = ""
    """Why not (or, when allowed, a warning such as a single controller)."""


def roll_order(candidates: Iterable[Candidate], active_controller: int | None) -> list[Candidate]:
    """Controllers (incl. combined nodes) first, then brokers; unready first within each; the
    active controller last among the controllers, so leadership moves once."""
    nodes = list(candidates)
    controllers = [c for c in nodes if c.is_controller]
    brokers = [c for c in nodes if not c.is_controller]
    return sorted(controllers, key=lambda c: (c.node_id == active_controller, c.ready, c.node_id)) + sorted(
        brokers, key=lambda c: (c.ready, c.node_id)
    )


def quorum_allows(node_id: int, quorum: QuorumState, fetch_timeout_ms: int = QUORUM_FETCH_TIMEOUT_MS) -> Verdict:
    """A voter may restart while the others it leaves behind still form a caught-up majority."""
    voters = {v.node_id: v for v in quorum.voters}
    if node_id not in voters:
        return Verdict(True)
    if len(voters) == 1:
        return Verdict(True, "the only controller: the cluster has no quorum while it restarts")
    leader = voters.get(quorum.leader_id)
    reference = leader.last_caught_up_ms if leader is not None else None
    if reference is None:
        reference = max((v.last_caught_up_ms or 0) for v in voters.values())
    caught_up = [
        v.node_id
        for v in voters.values()
        if v.node_id != node_id
        and v.last_caught_up_ms is not None
        and reference - v.last_caught_up_ms < fetch_timeout_ms
    ]
    needed = len(voters) // 2 + 1
    if len(caught_up) >= needed:
        return Verdict(True)
    return Verdict(
        False,
        f"controller {node_id}: only {len(caught_up)} other voter(s) caught up ({sorted(caught_up)}), "
        f"{needed} needed for a quorum while it restarts",
    )


def availability_allows(node_id: int, partitions: Iterable[PartitionView]) -> Verdict:
    """A broker may restart unless a partition it hosts is, or would go, below min.insync.replicas.

    Partitions whose replication factor is at most min.insync.replicas are ignored, as in
    Strimzi: they cannot keep min ISR through any restart, and must not block every roll.
    """
    blocked: list[str] = []
    for view in partitions:
        p = view.partition
        if node_id not in p.replicas or len(p.replicas) <= view.min_isr:
            continue
        if len(p.isr) < view.min_isr:
            blocked.append(f"{view.topic}-{p.partition} (ISR {len(p.isr)} < min {view.min_isr})")
        elif len(p.isr) == view.min_isr and node_id in p.isr:
            blocked.append(f"{view.topic}-{p.partition} (ISR {len(p.isr)} = min {view.min_isr})")
    if not blocked:
        return Verdict(True)
    more = f" and {len(blocked) - MAX_LISTED} more" if len(blocked) > MAX_LISTED else ""
    return Verdict(
        False,
        f"broker {node_id}: restarting it would leave partitions below min.insync.replicas: "
        f"{', '.join(blocked[:MAX_LISTED])}{more}",
    )


def may_restart(
    candidate: Candidate,
    quorum: QuorumState | None,
    partitions: Sequence[PartitionView],
    fetch_timeout_ms: int = QUORUM_FETCH_TIMEOUT_MS,
) -> Verdict:
    """Both checks for a combined node; an unknown quorum blocks a controller (it is not safe to guess)."""
    warnings = []
    if candidate.is_controller:
        if quorum is None:
            return Verdict(False, f"controller {candidate.node_id}: the quorum state is unknown")
        verdict = quorum_allows(candidate.node_id, quorum, fetch_timeout_ms)
        if not verdict.allowed:
            return verdict
        warnings.append(verdict.reason)
    if candidate.is_broker:
        verdict = availability_allows(candidate.node_id, partitions)
        if not verdict.allowed:
            return verdict
    return Verdict(True, "; ".join(w for w in warnings if w))
