"""Which node ids each pool's nodes get: stable for existing nodes, chosen predictably for new ones.

A node id is a node's identity in Kafka (replica assignments, quorum membership), so existing
nodes keep theirs forever. Scaling up takes ids from `strimzi.io/next-node-ids` when given,
else the lowest free ids in the cluster; scaling down drops the ids in
`strimzi.io/remove-node-ids` when given, else the highest ones (Strimzi's rules).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from krafter.api.nodepool import KafkaNodePool
from krafter.api.validation import NEXT_NODE_IDS, REMOVE_NODE_IDS, parse_node_id_ranges


@dataclass(frozen=True)
class PoolNodeIds:
    pool: str
    node_ids: tuple[int, ...]
    added: tuple[int, ...]
    removed: tuple[int, ...]


def _annotation_ids(pool: KafkaNodePool, key: str) -> list[int]:
    return parse_node_id_ranges((pool.metadata.annotations or {}).get(key, "[]")) or []


def assign_node_ids(
    pools: Sequence[KafkaNodePool], current: Mapping[str, Sequence[int]] | None = None
) -> dict[str, PoolNodeIds]:
    """Node ids per pool name, given the ids each pool's nodes have now (`current`)."""
    current = current or {}
    kept: dict[str, list[int]] = {}
    removed: dict[str, list[int]] = {}
    for pool in sorted(pools, key=lambda p: p.metadata.name or ""):
        name = pool.metadata.name or ""
        ids = sorted(set(current.get(name, ())))
        excess = len(ids) - pool.spec.replicas
        drop: list[int] = []
        if excess > 0:
            preferred = [i for i in _annotation_ids(pool, REMOVE_NODE_IDS) if i in ids]
            drop = preferred[:excess]
            rest = [i for i in reversed(ids) if i not in drop]
            drop += rest[: excess - len(drop)]
        kept[name] = [i for i in ids if i not in drop]
        removed[name] = sorted(drop)
    # Ids of nodes still being removed elsewhere are not reused in the same pass.
    used = {i for ids in kept.values() for i in ids} | {i for ids in removed.values() for i in ids}
    added: dict[str, list[int]] = {}
    for pool in sorted(pools, key=lambda p: p.metadata.name or ""):
        name = pool.metadata.name or ""
        missing = pool.spec.replicas - len(kept[name])
        new: list[int] = []
        for candidate in _annotation_ids(pool, NEXT_NODE_IDS):
            if len(new) >= missing:
                break
            if candidate not in used:
                new.append(candidate)
                used.add(candidate)
        candidate = 0
        while len(new) < missing:
            if candidate not in used:
                new.append(candidate)
                used.add(candidate)
            candidate += 1
        added[name] = new
    return {
        name: PoolNodeIds(
            name, tuple(sorted(kept[name] + added[name])), tuple(sorted(added[name])), tuple(removed[name])
        )
        for name in kept
    }
