"""Plan a rebalance of 1,000 partitions (replication factor 3) from 3 to 5 brokers.

The planner is pure, so this needs no Kafka: it times planning (target < 1 s) and compares
the replica moves with the fewest that reach the same per-broker replica counts (a broker's
surplus has to leave it, one move per replica; any move beyond that is waste). Partition sizes
are skewed (log-normal) as real topics are; each broker has its own rack (zone), so racks
constrain every move but leave an even balance possible (with brokers 3 and 4 in the racks of
0 and 1, broker 2 would be the only broker of its rack and keep one replica of every partition).
"""

from __future__ import annotations

import random
import statistics
import time

from krafter.rebalance.model import Broker, Goal, Mode, Partition, RebalancePlan
from krafter.rebalance.planner import plan_rebalance

NAME = "rebalance"
RUNS = 5
PARTITIONS = 1000


def cluster(seed: int = 15) -> tuple[list[Broker], list[Partition]]:
    rng = random.Random(seed)
    brokers = [Broker(i, f"zone-{i}") for i in range(5)]
    partitions = []
    for i in range(PARTITIONS):
        replicas = (i % 3, (i + 1) % 3, (i + 2) % 3)
        size = int(rng.lognormvariate(18, 1.5))  # median ~65 MB, a long tail of large partitions
        partitions.append(Partition(f"topic-{i // 20}", i % 20, replicas, replicas[0], size, min_isr=2))
    return brokers, partitions


def fewest_moves(plan: RebalancePlan) -> int:
    """Moves needed to go from the counts before to the counts after: each broker's surplus."""
    before = {load.node_id: load.replicas for load in plan.before}
    return sum(max(0, before[load.node_id] - load.replicas) for load in plan.after)


def fewest_leader_moves(plan: RebalancePlan) -> int:
    """A lower bound on leadership changes for the same result: the leader counts' surplus, or the
    partitions whose leader's replica moves away (they change leader whatever is chosen)."""
    before = {load.node_id: load.leaders for load in plan.before}
    surplus = sum(max(0, before[load.node_id] - load.leaders) for load in plan.after)
    forced = sum(1 for move in plan.moves if move.leader_before not in move.after)
    return max(surplus, forced)


def _spread(values: list[int]) -> str:
    return f"{min(values)}..{max(values)}"


def main() -> None:
    brokers, partitions = cluster()
    for goal in (Goal(Mode.ADD_BROKERS, (3, 4)), Goal(Mode.FULL)):
        timings = []
        plan = None
        for _ in range(RUNS):
            started = time.perf_counter()
            plan = plan_rebalance(brokers, partitions, goal)
            timings.append((time.perf_counter() - started) * 1000)
        assert plan is not None
        label = f"{NAME} {goal.mode.value}"
        sizes = [load.size for load in plan.after]
        print(f"{label} plan_ms {statistics.median(timings):.0f} ms")
        print(f"{label} replica_moves {plan.replica_moves} moves   [floor {fewest_moves(plan)} moves]")
        print(f"{label} leader_moves {plan.leader_moves} moves   [floor {fewest_leader_moves(plan)} moves]")
        print(f"{label} replicas_per_broker {_spread([load.replicas for load in plan.after])} replicas")
        print(f"{label} leaders_per_broker {_spread([load.leaders for load in plan.after])} leaders")
        print(f"{label} size_spread {max(sizes) / min(sizes):.3f} ratio (largest/smallest broker)")
        print(f"{label} data_to_move {plan.data_to_move / 2**30:.1f} GiB")
        print(f"{label} batches {len(plan.batches)} batches")


if __name__ == "__main__":
    main()
