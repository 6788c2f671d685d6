"""Which replicas to move where so brokers carry even load, with as few moves as possible.

Krafter's answer to Cruise Control's proposals, as a pure function. The goals, in order:

1. Replicas that must move do (remove-brokers: everything on a removed broker; full: a replica
   on a broker Kafka no longer knows, or sharing a rack with another replica of its partition
   when there are enough racks).
2. Replica counts: every broker within one of the others (full), or the new brokers filled up
   to that (add-brokers). Each move takes one replica from the fullest broker to the emptiest
   one that can take it, so no replica moves twice and every move closes the gap: that is the
   fewest moves for that balance whenever the replication and rack rules leave a choice.
3. Size: of the replicas that could move, the one whose size best halves the two brokers'
   difference in bytes is chosen, so data balances without extra moves.
4. Leaders (the first replica, Kafka's preferred leader): counts within one of each other,
   keeping current leaders where possible; a leader change copies no data.

Never below `min.insync.replicas`: a move keeps the replication factor and Kafka adds the new
replicas before it removes the old ones. Batching bounds how many moves touch a broker at once.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable, Iterable, Sequence

from krafter.rebalance.model import (
    Broker,
    BrokerLoad,
    Goal,
    Mode,
    Move,
    Partition,
    PlanningError,
    RebalancePlan,
    TopicPartition,
)

FULL = Goal(Mode.FULL)
BATCH_PARTITIONS = 50
"""At most this many partitions move in one batch (one AlterPartitionReassignments call)."""
PER_BROKER = 5
"""At most this many moves in one batch involve any one broker (Cruise Control's default)."""


class _State:
    """The evolving target: replicas per partition with per-broker indexes kept in step."""

    def __init__(self, brokers: Sequence[Broker], partitions: Sequence[Partition]) -> None:
        self.rack = {b.node_id: b.rack for b in brokers}
        self.size = {p.key: p.size for p in partitions}
        self.replicas: dict[TopicPartition, list[int]] = {p.key: list(p.replicas) for p in partitions}
        self.count: dict[int, int] = dict.fromkeys(self.rack, 0)
        self.load: dict[int, int] = dict.fromkeys(self.rack, 0)
        self.hosted: dict[int, list[tuple[int, TopicPartition]]] = {b: [] for b in self.rack}
        for p in partitions:
            for broker in p.replicas:
                self._add(broker, p.key)
        for entries in self.hosted.values():
            entries.sort()

    def _add(self, broker: int, key: TopicPartition) -> None:
        self.count[broker] = self.count.get(broker, 0) + 1
        self.load[broker] = self.load.get(broker, 0) + self.size[key]
        self.hosted.setdefault(broker, []).append((self.size[key], key))

    def move(self, key: TopicPartition, source: int, destination: int) -> None:
        replicas = self.replicas[key]
        replicas[replicas.index(source)] = destination  # same slot: the replica order is kept
        entry = (self.size[key], key)
        hosted = self.hosted[source]
        del hosted[bisect.bisect_left(hosted, entry)]
        bisect.insort(self.hosted[destination], entry)
        self.count[source] -= 1
        self.load[source] -= self.size[key]
        self.count[destination] += 1
        self.load[destination] += self.size[key]

    def racks_of(self, key: TopicPartition, without: int) -> set[str | None]:
        return {self.rack.get(b) for b in self.replicas[key] if b != without}

    def may_take(self, key: TopicPartition, source: int, destination: int, rack_aware: bool) -> bool:
        if destination in self.replicas[key]:
            return False
        return not rack_aware or self.rack[destination] not in self.racks_of(key, source)


def _rack_aware(brokers: Iterable[int], rack: dict[int, str | None], replication_factor: int) -> bool:
    """Racks count only when every broker has one and there are at least as many as replicas."""
    racks = [rack[b] for b in brokers]
    return all(r is not None for r in racks) and len(set(racks)) >= replication_factor


def _must_move(
    state: _State, partitions: Sequence[Partition], goal: Goal, eligible: set[int]
) -> list[tuple[TopicPartition, int]]:
    """(partition, broker) replicas that have to leave their broker, largest first."""
    forced = []
    for p in partitions:
        replicas = state.replicas[p.key]
        leaving = [b for b in replicas if b not in eligible]
        if goal.mode is Mode.FULL and _rack_aware(eligible, state.rack, len(replicas)):
            seen: set[str | None] = set()
            # The leader keeps its place; later replicas in an already-used rack move.
            for broker in sorted(replicas, key=lambda b: b != p.leader):
                if broker in leaving:
                    continue
                if state.rack[broker] in seen:
                    leaving.append(broker)
                seen.add(state.rack[broker])
        forced += [(p.key, b) for b in leaving]
    return sorted(forced, key=lambda item: (-state.size[item[0]], item))


def _place_forced(state: _State, forced: list[tuple[TopicPartition, int]], eligible: set[int]) -> list[TopicPartition]:
    unmovable = []
    for key, source in forced:
        aware = _rack_aware(eligible, state.rack, len(state.replicas[key]))
        options = [b for b in eligible if state.may_take(key, source, b, aware)]
        if not options and aware:  # no rack left: a second replica in one rack beats losing it
            options = [b for b in eligible if state.may_take(key, source, b, False)]
        if not options:
            unmovable.append(key)
            continue
        state.move(key, source, min(options, key=lambda b: (state.count[b], state.load[b], b)))
    return unmovable


def _best_replica(
    state: _State, source: int, destination: int, eligible: set[int], aware: Callable[[int], bool]
) -> TopicPartition | None:
    """The replica on `source` that `destination` may take whose size best halves their gap."""
    hosted = state.hosted[source]
    # Spread what the destination still lacks in bytes over the replicas it still lacks in count.
    brokers = sorted(eligible)
    mean_count = sum(state.count[b] for b in brokers) / len(brokers)
    mean_load = sum(state.load[b] for b in brokers) / len(brokers)
    lacking = max(1.0, mean_count - state.count[destination])
    ideal = max(0.0, (mean_load - state.load[destination]) / lacking)
    high = bisect.bisect_left(hosted, (ideal,))
    low = high - 1
    while low >= 0 or high < len(hosted):
        if high >= len(hosted) or (low >= 0 and ideal - hosted[low][0] <= hosted[high][0] - ideal):
            key = hosted[low][1]
            low -= 1
        else:
            key = hosted[high][1]
            high += 1
        if state.may_take(key, source, destination, aware(len(state.replicas[key]))):
            return key
    return None


def _balance_counts(state: _State, sources: set[int], destinations: set[int], eligible: set[int]) -> None:
    stuck: set[tuple[int, int]] = set()
    aware = functools.cache(lambda factor: _rack_aware(eligible, state.rack, factor))
    while True:
        done = True
        for destination in sorted(destinations, key=lambda b: (state.count[b], state.load[b], b)):
            for source in sorted(sources, key=lambda b: (-state.count[b], -state.load[b], b)):
                if state.count[source] - state.count[destination] <= 1:
                    break
                if (source, destination) in stuck:
                    continue
                key = _best_replica(state, source, destination, eligible, aware)
                if key is None:
                    stuck.add((source, destination))
                    continue
                state.move(key, source, destination)
                done = False
                break
            if not done:
                break
        if done:
            return


def _choose_leaders(state: _State, partitions: Sequence[Partition], eligible: set[int]) -> dict[TopicPartition, int]:
    """Leaders within one of each other in count; current leaders stay where that allows."""
    leaders: dict[TopicPartition, int] = {}
    count = dict.fromkeys(eligible, 0)
    led: dict[int, dict[TopicPartition, None]] = {b: {} for b in eligible}
    # Kept leaders first, so the partitions that must change leader anyway (theirs moved away)
    # fill the emptiest brokers; of the leaders that could stay, a broker's partitions that
    # change anyway are the first to be handed on (cheapest: no extra leader move).
    orphans = []
    for p in sorted(partitions, key=lambda p: (-p.size, p.key)):
        if p.leader in state.replicas[p.key] and p.leader in eligible:
            leaders[p.key] = p.leader
            count[p.leader] += 1
        else:
            orphans.append(p)
    for p in orphans:
        replicas = [b for b in state.replicas[p.key] if b in eligible]
        if replicas:
            leader = min(replicas, key=lambda b: (count[b], b))
            leaders[p.key] = leader
            count[leader] += 1
            led[leader][p.key] = None
    for p in partitions:
        if p.key in leaders and p.key not in led[leaders[p.key]]:
            led[leaders[p.key]][p.key] = None
    while _shift_one_leader(state, leaders, count, led):
        pass
    return leaders


def _shift_one_leader(
    state: _State, leaders: dict[TopicPartition, int], count: dict[int, int], led: dict[int, dict[TopicPartition, None]]
) -> bool:
    """Move one leadership from a broker with more leaders to one with at least two fewer, along
    a chain of partitions if no single partition links them (B leads p, which has a replica on
    C, which leads q, which has a replica on D...): each link keeps its own count, the ends move
    by one. Returns False when no broker can give a leader away, which is then the best balance."""
    for start in sorted(count, key=lambda b: (-count[b], b)):
        came_from: dict[int, tuple[int, TopicPartition]] = {}
        frontier = [start]
        seen = {start}
        while frontier:
            following = []
            for broker in frontier:
                for key in led[broker]:
                    for other in state.replicas[key]:
                        if other in seen or other not in count:
                            continue
                        seen.add(other)
                        came_from[other] = (broker, key)
                        if count[other] <= count[start] - 2:
                            _follow(other, came_from, leaders, led)
                            count[start] -= 1
                            count[other] += 1
                            return True
                        following.append(other)
            frontier = following
    return False


def _follow(
    end: int,
    came_from: dict[int, tuple[int, TopicPartition]],
    leaders: dict[TopicPartition, int],
    led: dict[int, dict[TopicPartition, None]],
) -> None:
    broker = end
    while broker in came_from:
        previous, key = came_from[broker]
        del led[previous][key]
        led[broker][key] = None
        leaders[key] = broker
        broker = previous


def _loads(
    partitions: Iterable[tuple[TopicPartition, Sequence[int], int, int]], brokers: Iterable[int]
) -> tuple[BrokerLoad, ...]:
    replicas: dict[int, int] = dict.fromkeys(brokers, 0)
    leaders = dict(replicas)
    size = dict(replicas)
    for _key, assigned, leader, bytes_ in partitions:
        for broker in assigned:
            replicas[broker] = replicas.get(broker, 0) + 1
            size[broker] = size.get(broker, 0) + bytes_
        if leader >= 0:
            leaders[leader] = leaders.get(leader, 0) + 1
    return tuple(
        BrokerLoad(b, replicas[b], leaders.get(b, 0), size.get(b, 0)) for b in sorted(set(replicas) | set(leaders))
    )


def batch_moves(
    moves: Sequence[Move], *, partitions: int = BATCH_PARTITIONS, per_broker: int = PER_BROKER
) -> tuple[tuple[Move, ...], ...]:
    """Moves in order, cut into batches; leader-only moves (no data copied) form the last ones.

    A batch holds at most `partitions` moves and at most `per_broker` moves that copy data to
    or from any one broker, so no broker's disks and network carry more than that at once.
    """
    copying = [m for m in moves if m.replica_moves]
    reordering = [m for m in moves if not m.replica_moves]
    batches: list[list[Move]] = []
    busy: list[dict[int, int]] = []
    first_open = 0  # batches before it are full: first fit without rescanning them
    for move in copying:
        touched = move.added | move.removed
        index = first_open
        while index < len(batches) and not (
            len(batches[index]) < partitions and all(busy[index].get(b, 0) < per_broker for b in touched)
        ):
            index += 1
        if index == len(batches):
            batches.append([])
            busy.append({})
        batches[index].append(move)
        for broker in touched:
            busy[index][broker] = busy[index].get(broker, 0) + 1
        while first_open < len(batches) and len(batches[first_open]) >= partitions:
            first_open += 1
    result = [tuple(batch) for batch in batches]
    for start in range(0, len(reordering), partitions):
        result.append(tuple(reordering[start : start + partitions]))
    return tuple(result)


def plan_rebalance(
    brokers: Sequence[Broker],
    partitions: Sequence[Partition],
    goal: Goal = FULL,
    *,
    batch_partitions: int = BATCH_PARTITIONS,
    per_broker: int = PER_BROKER,
) -> RebalancePlan:
    """The moves that reach the goal's balance; raises PlanningError when it cannot be met."""
    known = {b.node_id for b in brokers}
    unknown = sorted(set(goal.brokers) - known)
    if unknown:
        raise PlanningError(f"broker(s) {unknown} are not in the cluster")
    if goal.mode is not Mode.FULL and not goal.brokers:
        raise PlanningError(f"mode {goal.mode.value} needs the brokers to add or remove")
    eligible = known - set(goal.brokers) if goal.mode is Mode.REMOVE_BROKERS else set(known)
    widest = max((len(p.replicas) for p in partitions), default=0)
    if widest > len(eligible):
        raise PlanningError(
            f"a partition has {widest} replicas but only {len(eligible)} broker(s) would remain to hold them"
        )
    state = _State(brokers, partitions)
    unmovable = _place_forced(state, _must_move(state, partitions, goal, eligible), eligible)
    if goal.mode is Mode.FULL:
        _balance_counts(state, eligible, eligible, eligible)
    elif goal.mode is Mode.ADD_BROKERS:
        _balance_counts(state, eligible - set(goal.brokers), set(goal.brokers), eligible)
    leaders = _choose_leaders(state, partitions, eligible)

    moves = []
    for p in partitions:
        target = state.replicas[p.key]
        leader = leaders.get(p.key, target[0] if target else -1)
        after = (leader, *[b for b in target if b != leader]) if leader in target else tuple(target)
        if after != p.replicas or (after and after[0] != p.leader):
            moves.append(Move(p.topic, p.partition, p.replicas, after, p.leader, p.size))
    # Draining removed brokers first, then the largest copies, so the slowest work starts early.
    moves.sort(key=lambda m: (not (m.removed - eligible), -m.data, m.key))
    targets = {m.key: m.after for m in moves}
    before = _loads(((p.key, p.replicas, p.leader, p.size) for p in partitions), known)
    after_parts = []
    for p in partitions:
        assigned = targets.get(p.key, p.replicas)
        after_parts.append((p.key, assigned, assigned[0] if assigned else -1, p.size))
    return RebalancePlan(
        goal=goal,
        moves=tuple(moves),
        batches=batch_moves(moves, partitions=batch_partitions, per_broker=per_broker),
        before=before,
        after=_loads(after_parts, known),
        unmovable=tuple(sorted(unmovable)),
    )
