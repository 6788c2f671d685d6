"""Best-practice checks: valid clusters that will lose data, stall or get killed under load.

Validation rejects what cannot run; lint warns about what runs but is fragile (too few
replicas, no spreading, ephemeral disks, no resource limits). Severity ERROR is kept for
settings that break as written: a JVM heap at or above the container's memory limit gets
the container OOM-killed, and internal topics with more replicas than there are brokers are
never created (consumer groups or transactions then fail). Reasons follow Strimzi's
KafkaSpecChecker warnings where one exists, so alerts keyed on them keep working.
"""

from __future__ import annotations

from collections.abc import Sequence

from krafter.api.errors import Finding, Severity
from krafter.api.kafka import Kafka
from krafter.api.listeners import ListenerType
from krafter.api.nodepool import KafkaNodePool, ProcessRole
from krafter.api.storage import EphemeralStorage, volumes_of
from krafter.plan.jvm import heap_bytes, quantity_bytes
from krafter.plan.model import ClusterPlan, NodePlan
from krafter.plan.planner import PlanInput, plan_cluster
from krafter.plan.profile import KubernetesProfile

RECOMMENDED_REPLICATION = 3
RECOMMENDED_MIN_ISR = 2
MAX_HEAP_SHARE = 0.75
"""Above this share of the memory limit, too little is left for the page cache and off-heap."""
LINT_CLUSTER_ID = "krafter-lint-0000000000"

# Kafka's defaults when the key is not set.
_REPLICATION_KEYS = {
    "default.replication.factor": (1, "KafkaDefaultReplicationFactor", "topics created without a replication factor"),
    "offsets.topic.replication.factor": (3, "KafkaOffsetsTopicReplicationFactor", "consumer group offsets"),
    "transaction.state.log.replication.factor": (
        3,
        "KafkaTransactionStateLogReplicationFactor",
        "the transaction log",
    ),
}
_MIN_ISR_DEFAULT = 1


def _config_int(kafka: Kafka, key: str, default: int) -> int:
    value = (kafka.spec.kafka.config or {}).get(key)
    try:
        return int(value) if value is not None else default
    except (TypeError, ValueError):
        return default


def _config_path(key: str) -> str:
    return f"spec.kafka.config.{key}"


def _warning(resource: str, path: str, message: str, fix: str, reason: str) -> Finding:
    return Finding(path, message, fix, Severity.WARNING, reason, resource)


def _replication(kafka: Kafka, brokers: int) -> list[Finding]:
    ref = f"Kafka/{kafka.metadata.name}"
    found: list[Finding] = []
    for key, (default, reason, what) in _REPLICATION_KEYS.items():
        factor = _config_int(kafka, key, default)
        if factor > brokers:
            # An error only for what the file sets: Kafka's own default of 3 on a one-broker
            # cluster is what Strimzi's examples run (Kafka then waits for brokers to create the
            # topic), so it is a warning about the cluster, not a mistake in the file.
            written = key in (kafka.spec.kafka.config or {})
            found.append(
                Finding(
                    _config_path(key),
                    f"{key} is {factor}{'' if written else ' (Kafka default)'} but the cluster has {brokers} "
                    f"broker(s), so {what} cannot be created",
                    f"set {key} to at most {brokers}, or add brokers",
                    Severity.ERROR if written else Severity.WARNING,
                    reason,
                    ref,
                )
            )
        elif factor < RECOMMENDED_REPLICATION:
            found.append(
                _warning(
                    ref,
                    _config_path(key),
                    f"{key} is {factor}: losing {factor} broker(s) loses {what}",
                    f"set {key} to {RECOMMENDED_REPLICATION} (with at least {RECOMMENDED_REPLICATION} brokers)",
                    reason,
                )
            )
    replication = _config_int(kafka, "default.replication.factor", _REPLICATION_KEYS["default.replication.factor"][0])
    min_isr = _config_int(kafka, "min.insync.replicas", _MIN_ISR_DEFAULT)
    if min_isr < RECOMMENDED_MIN_ISR:
        found.append(
            _warning(
                ref,
                _config_path("min.insync.replicas"),
                f"min.insync.replicas is {min_isr}: an acks=all write may live on one broker only",
                f"set min.insync.replicas to {RECOMMENDED_MIN_ISR} (with a replication factor of 3)",
                "KafkaMinInsyncReplicas",
            )
        )
    elif min_isr >= replication:
        found.append(
            _warning(
                ref,
                _config_path("min.insync.replicas"),
                f"min.insync.replicas ({min_isr}) is not below default.replication.factor ({replication}): "
                "one broker down stops acks=all producers",
                "set min.insync.replicas to default.replication.factor - 1",
                "KafkaMinInsyncReplicas",
            )
        )
    if str((kafka.spec.kafka.config or {}).get("unclean.leader.election.enable", "false")).lower() == "true":
        found.append(
            _warning(
                ref,
                _config_path("unclean.leader.election.enable"),
                "unclean leader election lets an out-of-sync replica become leader and silently drop acknowledged "
                "records",
                "remove unclean.leader.election.enable (default false)",
                "KafkaUncleanLeaderElection",
            )
        )
    return found


def _node_counts(kafka: Kafka, plan: ClusterPlan) -> list[Finding]:
    ref = f"Kafka/{kafka.metadata.name}"
    found: list[Finding] = []
    controllers = len(plan.controllers)
    if controllers and (controllers < 3 or controllers % 2 == 0):
        tolerated = (controllers - 1) // 2
        found.append(
            _warning(
                ref,
                "",
                f"the cluster has {controllers} controller(s): the quorum survives only {tolerated} failure(s), "
                "and an even count adds no tolerance over one fewer",
                "run 3 or 5 controllers (an odd number, at least 3)",
                "KafkaKRaftControllerNodeCount",
            )
        )
    if len(plan.brokers) == 1:
        found.append(
            _warning(
                ref,
                "",
                "the cluster has a single broker: every restart is an outage and its disk holds the only copy",
                "run at least 3 brokers",
                "KafkaBrokerCount",
            )
        )
    return found


def _pool_checks(kafka: Kafka, pool: KafkaNodePool, node: NodePlan, brokers: int) -> list[Finding]:
    ref = f"KafkaNodePool/{pool.metadata.name}"
    found: list[Finding] = []
    for index, volume in enumerate(volumes_of(pool.spec.storage)):
        if isinstance(volume, EphemeralStorage):
            path = "spec.storage" if volume is pool.spec.storage else f"spec.storage.volumes[{index}]"
            found.append(
                _warning(
                    ref,
                    path,
                    "ephemeral storage: the node's data is lost whenever its Pod is deleted or rescheduled",
                    "use type: persistent-claim with a size",
                    "KafkaStorage",
                )
            )
            break
    template = node.pod_template
    spread = template is not None and (
        bool((template.affinity or {}).get("podAntiAffinity")) or bool(template.topology_spread_constraints)
    )
    if ProcessRole.BROKER in pool.spec.roles and brokers > 1 and not spread:
        found.append(
            _warning(
                ref,
                "spec.template.pod.affinity",
                "brokers have no pod anti-affinity or topology spread constraints, so several may land on one "
                "Kubernetes node and fail together",
                "add spec.template.pod.topologySpreadConstraints (or podAntiAffinity) over kubernetes.io/hostname",
                "KafkaPodSpreading",
            )
        )
    resources = pool.spec.resources
    missing = [
        part
        for part, values in (
            ("requests", resources.requests if resources else None),
            ("limits", resources.limits if resources else None),
        )
        if not values or "memory" not in values
    ]
    if missing:
        found.append(
            _warning(
                ref,
                "spec.resources",
                f"no memory {' or '.join(missing)}: the scheduler cannot place the node safely and the JVM sizes "
                "itself from the Kubernetes node's memory",
                "set spec.resources.requests and spec.resources.limits for memory (and a cpu request)",
                "KafkaResources",
            )
        )
    found += _heap(kafka, pool, node)
    return found


def _heap(kafka: Kafka, pool: KafkaNodePool, node: NodePlan) -> list[Finding]:
    limits = node.resources.limits if node.resources else None
    limit = (limits or {}).get("memory")
    heap = node.jvm.heap_max
    if limit is None or heap is None:
        return []
    limit_bytes = quantity_bytes(limit)
    heap_size = heap_bytes(heap)
    if not limit_bytes or not heap_size:
        return []
    if pool.spec.jvm_options is not None and pool.spec.jvm_options.xmx is not None:
        ref, path = f"KafkaNodePool/{pool.metadata.name}", "spec.jvmOptions.-Xmx"
    else:
        ref, path = f"Kafka/{kafka.metadata.name}", "spec.kafka.jvmOptions.-Xmx"
    if heap_size >= limit_bytes:
        return [
            Finding(
                path,
                f"-Xmx{heap} is not below the memory limit {limit} of pool '{pool.metadata.name}': "
                "the container is OOM-killed once the heap fills",
                f"keep -Xmx at most {int(MAX_HEAP_SHARE * 100)}% of the limit (Kafka needs memory outside the heap)",
                Severity.ERROR,
                "KafkaJvmHeap",
                ref,
            )
        ]
    if heap_size > MAX_HEAP_SHARE * limit_bytes:
        return [
            _warning(
                ref,
                path,
                f"-Xmx{heap} is more than {int(MAX_HEAP_SHARE * 100)}% of the memory limit {limit} of pool "
                f"'{pool.metadata.name}': little is left for off-heap memory and the page cache Kafka relies on",
                "lower -Xmx to about half the limit, or raise the limit",
                "KafkaJvmHeap",
            )
        ]
    return []


def _ingress_hosts(kafka: Kafka, plan: ClusterPlan) -> list[Finding]:
    """Strimzi's per-broker rule for ingress listeners: every broker needs a host (or hostTemplate);
    the CRD can only check the hosts given, not that each broker's node id has one."""
    found: list[Finding] = []
    for index, listener in enumerate(kafka.spec.kafka.listeners):
        config = listener.configuration
        if listener.type is not ListenerType.INGRESS or config is None or config.host_template:
            continue
        hosts = {b.broker for b in config.brokers or [] if b.host}
        for node in plan.brokers:
            if node.node_id not in hosts:
                found.append(
                    Finding(
                        f"spec.kafka.listeners[{index}].configuration.brokers",
                        f"listener {listener.name} is missing a broker host name for broker with ID {node.node_id} "
                        "which is required for Ingress based listeners",
                        "add a brokers[] entry with this broker id and a host, or set hostTemplate",
                        Severity.ERROR,
                        "InvalidResource",
                        f"Kafka/{kafka.metadata.name}",
                    )
                )
    return found


def lint_cluster(kafka: Kafka, pools: Sequence[KafkaNodePool]) -> list[Finding]:
    """Best-practice findings for a valid cluster (run validation first)."""
    namespace = kafka.metadata.namespace or "default"
    plan = plan_cluster(PlanInput(kafka, tuple(pools), LINT_CLUSTER_ID), KubernetesProfile(namespace))
    brokers = len(plan.brokers)
    found = [*plan.findings, *_replication(kafka, brokers), *_node_counts(kafka, plan), *_ingress_hosts(kafka, plan)]
    for pool in sorted(pools, key=lambda p: p.metadata.name or ""):
        nodes = [node for node in plan.nodes if node.pool == pool.metadata.name]
        if nodes:
            found += _pool_checks(kafka, pool, nodes[0], brokers)
    return found
