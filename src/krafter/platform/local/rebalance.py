"""`krafter rebalance` on a local cluster: plan from Kafka's state, then carry the plan out.

The same planner and executor the operator is meant to use; the local part is only how to
reach the cluster (the operator identity `krafter up` created).
"""

from __future__ import annotations

from collections.abc import Callable

from krafter.core.errors import KrafterError
from krafter.kafka.admin import KafkaAdmin
from krafter.kafka.admin_types import ConnectionSettings
from krafter.platform.local import cluster as local
from krafter.platform.local import security
from krafter.rebalance import progress
from krafter.rebalance.model import RebalancePlan
from krafter.rebalance.planner import plan_rebalance
from krafter.rebalance.request import Request, without_excluded
from krafter.scale import reassign


def settings_of(platform: local.LocalPlatform, name: str) -> ConnectionSettings:
    state = platform.state(name)
    record = state.load()
    if record is None:
        raise KrafterError(f"no local cluster named '{name}' (state dir {state.base})")
    plan = platform.plan(local.load_cluster_input(state), record)
    identity = security.OperatorIdentity(
        state.operator_dir / "ca.crt", state.operator_dir / "operator.crt", state.operator_dir / "operator.key"
    )
    return local.admin_settings(plan, identity)


def propose(settings: ConnectionSettings, request: Request) -> RebalancePlan:
    with KafkaAdmin(settings) as admin:
        brokers, partitions = reassign.describe_for_planning(admin)
    return plan_rebalance(
        brokers, without_excluded(partitions, request.excluded_topics), request.goal, per_broker=request.per_broker
    )


def execute(
    settings: ConnectionSettings,
    plan: RebalancePlan,
    request: Request,
    *,
    timeout: float,
    on_step: Callable[[progress.ExecutionStep], None],
) -> progress.ExecutionStep:
    with KafkaAdmin(settings) as admin:
        return reassign.run(
            admin,
            plan.moves,
            throttle=request.throttle,
            per_broker=request.per_broker,
            timeout=timeout,
            on_step=on_step,
        )
