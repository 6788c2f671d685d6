"""The scale-down guard: a broker that still hosts partition replicas is never removed.

A removed broker takes its log directories with it; with replication factor 3 and two brokers
removed, partitions go offline, and with fewer brokers than the replication factor the data is
gone. Strimzi refuses such a scale-down since 0.38, and so does Krafter, with the same rule on
both platforms: the platform describes which nodes exist and which are planned, Kafka says how
many replicas each broker holds, and this module decides. Removing a broker covers three
changes: a pool's `replicas` lowered, a pool removed, and a pool's `broker` role dropped.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

SKIP_CHECK_ANNOTATION = "strimzi.io/skip-broker-scaledown-check"
"""Strimzi's escape hatch on the Kafka resource: `"true"` removes brokers without the check."""

REASON = "ScaleDownBlocked"


class Leaving(enum.Enum):
    """Why a broker is no longer planned as a broker."""

    SCALED_DOWN = "the pool's replicas were lowered"
    POOL_REMOVED = "the pool was removed"
    ROLE_REMOVED = "the pool no longer has the broker role"


@dataclass(frozen=True)
class Node:
    """One node as it exists now or as the plan wants it."""

    node_id: int
    pool: str
    broker: bool


@dataclass(frozen=True)
class LeavingBroker:
    node_id: int
    pool: str
    why: Leaving


@dataclass(frozen=True)
class HeldBroker:
    """A broker whose removal is refused: it still hosts `replicas` partition replicas (None:
    Kafka could not be asked, and an unknown count is treated as data at risk)."""

    node_id: int
    pool: str
    why: Leaving
    replicas: int | None


@dataclass(frozen=True)
class ScaleDownVerdict:
    """`held` are the brokers to keep as they are; empty when every leaving broker may go."""

    leaving: tuple[LeavingBroker, ...] = ()
    held: tuple[HeldBroker, ...] = ()
    skipped: bool = False

    @property
    def blocked(self) -> bool:
        return bool(self.held)

    @property
    def held_ids(self) -> frozenset[int]:
        return frozenset(b.node_id for b in self.held)

    def message(self) -> str:
        """Names the pool(s), the node ids and how many replicas each still holds."""
        by_pool: dict[str, list[HeldBroker]] = {}
        for broker in self.held:
            by_pool.setdefault(broker.pool, []).append(broker)
        parts = []
        for pool, brokers in sorted(by_pool.items()):
            nodes = ", ".join(f"node {b.node_id} ({_replicas(b.replicas)})" for b in brokers)
            whys = sorted({b.why.value for b in brokers})
            parts.append(f"pool {pool!r}: {nodes}; {' and '.join(whys)}")
        return (
            "scale-down refused: broker(s) to remove still host partition replicas, which would be lost with them: "
            + "; ".join(parts)
        )

    def fix(self) -> str:
        return (
            "move the replicas off these brokers first (a KafkaRebalance in remove-brokers mode, or a partition "
            "reassignment), or restore the pool; to remove them anyway, annotate the Kafka resource with "
            f'{SKIP_CHECK_ANNOTATION}: "true"'
        )


def _replicas(count: int | None) -> str:
    if count is None:
        return "replicas unknown: Kafka not reachable"
    return f"{count} replica{'s' if count != 1 else ''}"


def leaving_brokers(current: Iterable[Node], planned: Iterable[Node]) -> tuple[LeavingBroker, ...]:
    """Brokers that exist now and are not brokers in the plan, with why they leave."""
    wanted = {node.node_id: node for node in planned}
    planned_pools = {node.pool for node in wanted.values()}
    leaving = []
    for node in sorted(current, key=lambda n: n.node_id):
        if not node.broker:
            continue
        after = wanted.get(node.node_id)
        if after is not None and after.broker:
            continue
        if after is not None:
            why = Leaving.ROLE_REMOVED
        elif node.pool in planned_pools:
            why = Leaving.SCALED_DOWN
        else:
            why = Leaving.POOL_REMOVED
        leaving.append(LeavingBroker(node.node_id, node.pool, why))
    return tuple(leaving)


def check_scale_down(
    leaving: Sequence[LeavingBroker], replicas_per_broker: Mapping[int, int] | None, *, skip: bool = False
) -> ScaleDownVerdict:
    """Hold every leaving broker that still hosts a replica, unless the check is skipped.

    `replicas_per_broker` is None when Kafka could not be asked: every leaving broker is then
    held, since an unverified removal is exactly the data loss this guard exists to prevent.
    """
    if skip:
        return ScaleDownVerdict(tuple(leaving), (), skipped=True)
    if replicas_per_broker is None:
        return ScaleDownVerdict(tuple(leaving), tuple(HeldBroker(b.node_id, b.pool, b.why, None) for b in leaving))
    held = tuple(
        HeldBroker(b.node_id, b.pool, b.why, replicas_per_broker[b.node_id])
        for b in leaving
        if replicas_per_broker.get(b.node_id, 0) > 0
    )
    return ScaleDownVerdict(tuple(leaving), held)


def skip_requested(annotations: Mapping[str, str] | None) -> bool:
    return (annotations or {}).get(SKIP_CHECK_ANNOTATION, "").strip().lower() == "true"
