"""New replica lists for a replication-factor change, done by reassignment (no Cruise Control).

Growing keeps every current replica in its place and appends the brokers that hold the
fewest replicas so far; shrinking drops replicas from the end of the list, skipping the
current leader, so the partition keeps its leader and preferred leader where possible.
Only the brokers' replica counts are balanced, not disk or traffic: a topic's RF change
should not turn into a cluster rebalance.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from krafter.kafka.admin_types import PartitionState, TopicDescription


def replica_load(topics: Iterable[TopicDescription]) -> Counter[int]:
    """Replicas per broker over these topics."""
    load: Counter[int] = Counter()
    for topic in topics:
        for partition in topic.partitions:
            load.update(partition.replicas)
    return load


def reassign(
    partitions: Sequence[PartitionState], target: int, brokers: Sequence[int], load: Counter[int]
) -> dict[int, tuple[int, ...]]:
    """Replica lists for the partitions whose replication factor is not `target` (others are left out).

    `load` is updated as replicas are added and dropped, so several topics planned in turn
    spread over the brokers. Raises ValueError if there are fewer usable brokers than `target`.
    """
    usable = sorted(set(brokers))
    if target > len(usable):
        raise ValueError(f"replication factor {target} needs {target} brokers, the cluster has {len(usable)}")
    changes: dict[int, tuple[int, ...]] = {}
    for partition in partitions:
        current = list(partition.replicas)
        if len(current) == target:
            continue
        if len(current) < target:
            new = _grow(current, target, usable, load)
        else:
            new = _shrink(current, target, partition.leader, load)
        changes[partition.partition] = tuple(new)
    return changes


def _grow(current: list[int], target: int, brokers: Sequence[int], load: Counter[int]) -> list[int]:
    replicas = list(current)
    while len(replicas) < target:
        candidates = [b for b in brokers if b not in replicas]
        chosen = min(candidates, key=lambda b: (load[b], b))
        replicas.append(chosen)
        load[chosen] += 1
    return replicas


def _shrink(current: list[int], target: int, leader: int, load: Counter[int]) -> list[int]:
    replicas = list(current)
    while len(replicas) > target:
        # The last replica that is not the leader; the leader only if it is all that is left to drop.
        drop_at = next((i for i in range(len(replicas) - 1, -1, -1) if replicas[i] != leader), len(replicas) - 1)
        dropped = replicas.pop(drop_at)
        load[dropped] -= 1
    return replicas
