"""Dashboard content as values: which panels, which queries, in which rows.

Kept apart from the Grafana JSON (`grafana`) so the tests can walk every query of every panel
and evaluate it against a real Prometheus without knowing Grafana's format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from krafter.monitoring import names
from krafter.monitoring.names import Flavour

GROUP = "~$group"
RATE = "$__rate_interval"
"""Grafana's rate window; the tests substitute a concrete duration."""


@dataclass(frozen=True)
class Query:
    expr: str
    legend: str = ""


@dataclass(frozen=True)
class Panel:
    title: str
    queries: tuple[Query, ...]
    unit: str = "short"
    stat: bool = False
    description: str = ""
    needs: str | None = None
    """Why a test against a local cluster cannot make this query return a series (or None)."""


@dataclass(frozen=True)
class Row:
    title: str
    panels: tuple[Panel, ...]


@dataclass(frozen=True)
class Variable:
    name: str
    label: str
    query: str
    """A `label_values(...)` query; the first variable is always the Prometheus data source."""


@dataclass(frozen=True)
class Dashboard:
    uid: str
    title: str
    file_stem: str
    description: str
    rows: tuple[Row, ...]
    variables: tuple[Variable, ...] = ()
    scope: str = ""
    """Label matchers every query gets (in terms of the variables)."""
    tags: tuple[str, ...] = field(default=("krafter", "kafka"))

    def panels(self) -> list[Panel]:
        return [panel for row in self.rows for panel in row.panels]


def q(expr: str, legend: str = "") -> Query:
    return Query(expr, legend)


_CLUSTER_SCOPE = 'namespace=~"$namespace",strimzi_io_cluster=~"$cluster"'
CONTROLLER = "kafka_controller_kafkacontroller"
REPLICA_MANAGER = "kafka_server_replicamanager"
TOPIC_METRICS = "kafka_server_brokertopicmetrics"
REQUESTS = "kafka_network_requestmetrics"
RAFT = "kafka_server_raft_metrics"
LAG_NEEDS_KUBELET = "kubelet volume statistics exist only on Kubernetes (a local cluster has no kubelet)"


def _cluster_variables(metric: str) -> tuple[Variable, ...]:
    """`metric`: a selector with the scope placeholder (from `names`)."""
    in_any_cluster = names.scoped(metric, 'strimzi_io_cluster!=""')
    in_namespace = names.scoped(metric, 'namespace=~"$namespace"')
    return (
        Variable("namespace", "Namespace", f"label_values({in_any_cluster}, namespace)"),
        Variable("cluster", "Cluster", f"label_values({in_namespace}, strimzi_io_cluster)"),
    )


def kafka_cluster(flavour: Flavour) -> Dashboard:
    g = partial(names.gauge, flavour)
    m = partial(names.meter_total, flavour)

    def per_pod_rate(group: str, name: str, **labels: str) -> str:
        return f"sum by (pod) (rate({m(group, name, **labels)}[{RATE}]))"

    overview = Row(
        "Overview",
        (
            Panel("Active brokers", (q(f"max({g(CONTROLLER, 'ActiveBrokerCount')})"),), stat=True),
            Panel("Fenced brokers", (q(f"max({g(CONTROLLER, 'FencedBrokerCount')})"),), stat=True),
            Panel("Topics", (q(f"max({g(CONTROLLER, 'GlobalTopicCount')})"),), stat=True),
            Panel("Partitions", (q(f"max({g(CONTROLLER, 'GlobalPartitionCount')})"),), stat=True),
            Panel("Offline partitions", (q(f"max({g(CONTROLLER, 'OfflinePartitionsCount')})"),), stat=True),
            Panel(
                "Under-replicated partitions",
                (q(f"sum({g(REPLICA_MANAGER, 'UnderReplicatedPartitions')})"),),
                stat=True,
            ),
            Panel("Under min ISR", (q(f"sum({g(REPLICA_MANAGER, 'UnderMinIsrPartitionCount')})"),), stat=True),
            Panel("At min ISR", (q(f"sum({g(REPLICA_MANAGER, 'AtMinIsrPartitionCount')})"),), stat=True),
        ),
    )
    replicas = Row(
        "Partitions and ISR",
        (
            Panel("Partitions per broker", (q(f"sum by (pod) ({g(REPLICA_MANAGER, 'PartitionCount')})", "{{pod}}"),)),
            Panel("Leaders per broker", (q(f"sum by (pod) ({g(REPLICA_MANAGER, 'LeaderCount')})", "{{pod}}"),)),
            Panel(
                "Under-replicated partitions per broker",
                (q(f"sum by (pod) ({g(REPLICA_MANAGER, 'UnderReplicatedPartitions')})", "{{pod}}"),),
            ),
            Panel(
                "ISR shrinks / expands",
                (
                    q(per_pod_rate(REPLICA_MANAGER, "IsrShrinksPerSec"), "shrinks {{pod}}"),
                    q(per_pod_rate(REPLICA_MANAGER, "IsrExpandsPerSec"), "expands {{pod}}"),
                ),
                unit="ops",
            ),
        ),
    )
    traffic = Row(
        "Requests",
        (
            Panel(
                "Bytes in / out",
                (
                    q(per_pod_rate(TOPIC_METRICS, "BytesInPerSec", topic=""), "in {{pod}}"),
                    q(per_pod_rate(TOPIC_METRICS, "BytesOutPerSec", topic=""), "out {{pod}}"),
                ),
                unit="Bps",
            ),
            Panel(
                "Messages in", (q(per_pod_rate(TOPIC_METRICS, "MessagesInPerSec", topic=""), "{{pod}}"),), unit="ops"
            ),
            Panel(
                "Requests by type",
                (q(f"sum by (request) (rate({m(REQUESTS, 'RequestsPerSec')}[{RATE}]))", "{{request}}"),),
                unit="reqps",
            ),
            Panel(
                "Request latency p99 (produce, consumer fetch, follower fetch)",
                (
                    q(
                        "max by (request) ("
                        + names.percentile(
                            flavour, REQUESTS, "TotalTimeMs", "0.99", request="~Produce|FetchConsumer|FetchFollower"
                        )
                        + ")",
                        "{{request}}",
                    ),
                ),
                unit="ms",
            ),
            Panel(
                "Failed produce / fetch requests",
                (
                    q(per_pod_rate(TOPIC_METRICS, "FailedProduceRequestsPerSec", topic=""), "produce {{pod}}"),
                    q(per_pod_rate(TOPIC_METRICS, "FailedFetchRequestsPerSec", topic=""), "fetch {{pod}}"),
                ),
                unit="reqps",
            ),
            Panel(
                "Network processor idle",
                (q(f"avg by (pod) ({g('kafka_network_socketserver', 'NetworkProcessorAvgIdlePercent')})", "{{pod}}"),),
                unit="percentunit",
            ),
        ),
    )
    disk = Row(
        "Disk",
        (
            Panel("Log size per broker", (q(f"sum by (pod) ({g('kafka_log_log', 'Size')})", "{{pod}}"),), unit="bytes"),
            Panel(
                "Log size per topic (largest 10)",
                (q(f"topk(10, sum by (topic) ({g('kafka_log_log', 'Size')}))", "{{topic}}"),),
                unit="bytes",
            ),
            Panel(
                "Offline log directories",
                (q(f"sum({g('kafka_log_logmanager', 'OfflineLogDirectoryCount')})"),),
                stat=True,
            ),
            Panel(
                "Volume usage",
                (
                    q(
                        'max by (persistentvolumeclaim) (kubelet_volume_stats_used_bytes{namespace=~"$namespace",'
                        'persistentvolumeclaim=~"data-(.+-)?$cluster-.+"} / kubelet_volume_stats_capacity_bytes)',
                        "{{persistentvolumeclaim}}",
                    ),
                ),
                unit="percentunit",
                needs=LAG_NEEDS_KUBELET,
            ),
        ),
    )
    return Dashboard(
        uid=f"krafter-kafka-{flavour.short}",
        title=f"Krafter / Kafka cluster ({flavour.short})",
        file_stem=f"kafka-cluster-{flavour.short}",
        description=f"Brokers, partitions, ISR, requests, disk and JVM; metrics from {flavour.value}.",
        rows=(overview, replicas, traffic, disk, jvm_row()),
        variables=_cluster_variables(g(REPLICA_MANAGER, "PartitionCount")),
        scope=_CLUSTER_SCOPE,
    )


def jvm_row() -> Row:
    p = names.plain
    return Row(
        "JVM",
        (
            Panel(
                "Heap used", (q(f"sum by (pod) ({p('jvm_memory_used_bytes', area='heap')})", "{{pod}}"),), unit="bytes"
            ),
            Panel(
                "GC time",
                (q(f"sum by (pod) (rate({p('jvm_gc_collection_seconds_sum')}[{RATE}]))", "{{pod}}"),),
                unit="percentunit",
            ),
            Panel(
                "CPU", (q(f"sum by (pod) (rate({p('process_cpu_seconds_total')}[{RATE}]))", "{{pod}}"),), unit="none"
            ),
            Panel("Threads", (q(f"sum by (pod) ({p('jvm_threads_current')})", "{{pod}}"),)),
            Panel("Open file descriptors", (q(f"sum by (pod) ({p('process_open_fds')})", "{{pod}}"),)),
        ),
    )


def kraft(flavour: Flavour) -> Dashboard:
    g = partial(names.gauge, flavour)
    p = names.plain
    quorum = Row(
        "Quorum",
        (
            Panel("Active controllers", (q(f"sum({g(CONTROLLER, 'ActiveControllerCount')})"),), stat=True),
            Panel("Quorum leader (node id)", (q(f"max({p(RAFT + '_current_leader')})"),), stat=True),
            Panel("Leader epoch", (q(f"max({p(RAFT + '_current_epoch')})"),), stat=True),
            Panel("Voters", (q(f"max({p(RAFT + '_number_of_voters')})"),), stat=True),
            Panel(
                "Metadata log end offset per node",
                (q(f"max by (pod) ({p(RAFT + '_log_end_offset')})", "{{pod}}"),),
            ),
            Panel(
                "Metadata log lag behind the most advanced node (records)",
                (
                    q(
                        f"max by (namespace, strimzi_io_cluster) ({p(RAFT + '_log_end_offset')}) "
                        f"- on (namespace, strimzi_io_cluster) group_right {p(RAFT + '_log_end_offset')}",
                        "{{pod}}",
                    ),
                ),
            ),
            Panel(
                "Commit latency (avg)", (q(f"max by (pod) ({p(RAFT + '_commit_latency_avg')})", "{{pod}}"),), unit="ms"
            ),
            Panel(
                "Appended / fetched records",
                (
                    q(f"sum by (pod) ({p(RAFT + '_append_records_rate')})", "append {{pod}}"),
                    q(f"sum by (pod) ({p(RAFT + '_fetch_records_rate')})", "fetch {{pod}}"),
                ),
                unit="ops",
            ),
        ),
    )
    metadata = Row(
        "Metadata",
        (
            Panel(
                "Last applied record lag",
                (
                    q(f"max by (pod) ({g(CONTROLLER, 'LastAppliedRecordLagMs')})", "controller {{pod}}"),
                    q(
                        f"max by (pod) ({p('kafka_server_broker_metadata_metrics_last_applied_record_lag_ms')})",
                        "broker {{pod}}",
                    ),
                ),
                unit="ms",
            ),
            Panel(
                "Metadata errors",
                (
                    q(f"max by (pod) ({g(CONTROLLER, 'MetadataErrorCount')})", "controller {{pod}}"),
                    q(
                        f"max by (pod) ({p('kafka_server_broker_metadata_metrics_metadata_apply_error_count')})",
                        "broker apply {{pod}}",
                    ),
                ),
            ),
            Panel(
                "Controller event queue time p99",
                (
                    q(
                        "max by (pod) ("
                        + names.percentile(
                            flavour, "kafka_controller_controllereventmanager", "EventQueueTimeMs", "0.99"
                        )
                        + ")",
                        "{{pod}}",
                    ),
                ),
                unit="ms",
            ),
            Panel("Registered brokers (fenced)", (q(f"max({g(CONTROLLER, 'FencedBrokerCount')})"),), stat=True),
        ),
    )
    return Dashboard(
        uid=f"krafter-kraft-{flavour.short}",
        title=f"Krafter / KRaft controllers ({flavour.short})",
        file_stem=f"kraft-{flavour.short}",
        description=f"The metadata quorum: leader, epochs, log offsets and lag; metrics from {flavour.value}.",
        rows=(quorum, metadata),
        variables=_cluster_variables(names.plain(RAFT + "_current_epoch")),
        scope=_CLUSTER_SCOPE,
    )


def consumer_lag() -> Dashboard:
    p = names.plain
    return Dashboard(
        uid="krafter-consumer-lag",
        title="Krafter / Consumer lag",
        file_stem="consumer-lag",
        description="Kafka Exporter metrics (served by Krafter for a Kafka with spec.kafkaExporter).",
        rows=(
            Row(
                "Consumer groups",
                (
                    Panel(
                        "Lag by group",
                        (
                            q(
                                f"sum by (consumergroup) ({p('kafka_consumergroup_lag', consumergroup=GROUP)})",
                                "{{consumergroup}}",
                            ),
                        ),
                    ),
                    Panel(
                        "Lag by group and topic",
                        (
                            q(
                                f"sum by (consumergroup, topic) ({p('kafka_consumergroup_lag', consumergroup=GROUP)})",
                                "{{consumergroup}} {{topic}}",
                            ),
                        ),
                    ),
                    Panel(
                        "Consumption rate",
                        (
                            q(
                                "sum by (consumergroup, topic) "
                                f"(rate({p('kafka_consumergroup_current_offset', consumergroup=GROUP)}[{RATE}]))",
                                "{{consumergroup}} {{topic}}",
                            ),
                        ),
                        unit="ops",
                    ),
                    Panel(
                        "Members",
                        (
                            q(
                                f"sum by (consumergroup) ({p('kafka_consumergroup_members', consumergroup=GROUP)})",
                                "{{consumergroup}}",
                            ),
                        ),
                    ),
                ),
            ),
            Row(
                "Topics",
                (
                    Panel(
                        "Production rate",
                        (
                            q(
                                f"sum by (topic) (rate({p('kafka_topic_partition_current_offset')}[{RATE}]))",
                                "{{topic}}",
                            ),
                        ),
                        unit="ops",
                    ),
                    Panel(
                        "Records retained",
                        (
                            q(
                                f"sum by (topic) ({p('kafka_topic_partition_current_offset')} "
                                f"- {p('kafka_topic_partition_oldest_offset')})",
                                "{{topic}}",
                            ),
                        ),
                    ),
                    Panel("Partitions per topic", (q(f"sum by (topic) ({p('kafka_topic_partitions')})", "{{topic}}"),)),
                    Panel("Brokers", (q(f"max({p('kafka_brokers')})"),), stat=True),
                ),
            ),
        ),
        variables=(
            *_cluster_variables(names.plain("kafka_brokers")),
            Variable(
                "group",
                "Consumer group",
                "label_values(kafka_consumergroup_members"
                '{namespace=~"$namespace",strimzi_io_cluster=~"$cluster"}, consumergroup)',
            ),
        ),
        scope=_CLUSTER_SCOPE,
    )


def operator() -> Dashboard:
    p = names.plain
    return Dashboard(
        uid="krafter-operator",
        title="Krafter / Operator",
        file_stem="operator",
        description="Reconciliations, failures, durations, rolls and certificate expiry.",
        rows=(
            Row(
                "Reconciliation",
                (
                    Panel(
                        "Reconciliations by outcome",
                        (
                            q(
                                f"sum by (kind, outcome) (rate({p('krafter_reconciliations_total')}[{RATE}]))",
                                "{{kind}} {{outcome}}",
                            ),
                        ),
                        unit="ops",
                    ),
                    Panel(
                        "Failures",
                        (
                            q(
                                f"sum by (kind) (increase({p('krafter_reconciliation_failures_total')}[{RATE}]))",
                                "{{kind}}",
                            ),
                        ),
                    ),
                    Panel(
                        "Duration p95",
                        (
                            q(
                                "histogram_quantile(0.95, sum by (le, kind) "
                                f"(rate({p('krafter_reconciliation_duration_seconds_bucket')}[{RATE}])))",
                                "{{kind}}",
                            ),
                        ),
                        unit="s",
                    ),
                    Panel("Work queue depth", (q(f"sum by (kind) ({p('krafter_work_queue_depth')})", "{{kind}}"),)),
                    Panel(
                        "Kubernetes API writes",
                        (q(f"sum by (kind) (rate({p('krafter_api_writes_total')}[{RATE}]))", "{{kind}}"),),
                        unit="ops",
                    ),
                    Panel("Leader replicas", (q(f"sum({p('krafter_leader')})"),), stat=True),
                ),
            ),
            Row(
                "Rolls and certificates",
                (
                    Panel(
                        "Pod restarts by the roller",
                        (
                            q(
                                "sum by (namespace, strimzi_io_cluster) "
                                f"(increase({p('krafter_pod_restarts_total')}[{RATE}]))",
                                "{{namespace}}/{{strimzi_io_cluster}}",
                            ),
                        ),
                    ),
                    Panel(
                        "Roll blocked for",
                        (
                            q(
                                f"max by (namespace, strimzi_io_cluster) ({p('krafter_roll_blocked_seconds')})",
                                "{{namespace}}/{{strimzi_io_cluster}}",
                            ),
                        ),
                        unit="s",
                    ),
                    Panel(
                        "Certificate expiry (time left)",
                        (
                            q(
                                "min by (namespace, strimzi_io_cluster, certificate) "
                                f"({p('krafter_certificate_expiry_timestamp_seconds')}) - time()",
                                "{{namespace}}/{{strimzi_io_cluster}} {{certificate}}",
                            ),
                        ),
                        unit="s",
                    ),
                ),
            ),
        ),
        tags=("krafter", "operator"),
    )


def all_dashboards() -> list[Dashboard]:
    return [
        *(kafka_cluster(f) for f in Flavour),
        *(kraft(f) for f in Flavour),
        consumer_lag(),
        operator(),
    ]
