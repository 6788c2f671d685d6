"""Prometheus alert rules for Kafka, KRaft, consumer lag and the Krafter operator.

Each rule is a *measure* (a query that returns a series whenever the thing exists, healthy or
not) and a *condition* appended to it. The tests evaluate every measure against a real
Prometheus scraping a real cluster, so a misspelt metric cannot hide behind a comparison
that is simply never true.

Rules for Kafka's own metrics come once per metrics flavour (their names differ); a cluster
only ever matches the group of its flavour, so shipping both groups raises no duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from krafter.monitoring import names
from krafter.monitoring.names import Flavour
from krafter.monitoring.panels import CONTROLLER, RAFT, REPLICA_MANAGER

CLUSTER = "namespace, strimzi_io_cluster"
THE_CLUSTER = "{{ $labels.namespace }}/{{ $labels.strimzi_io_cluster }}"
NODE_TARGETS = 'strimzi_io_kind="Kafka"'
"""Kafka node targets: PodMonitors take `strimzi.io/kind` from the Pod, local scrape configs set it."""


@dataclass(frozen=True)
class Timing:
    """How long a condition must hold, and the look-back of "growing" rules (short in tests)."""

    short: str = "1m"
    medium: str = "5m"
    long: str = "30m"
    lag_window: str = "10m"
    failure_window: str = "15m"
    """The look-back for counting reconcile failures (at least two scrapes long)."""


@dataclass(frozen=True)
class AlertRule:
    name: str
    measure: str
    condition: str
    duration: str
    severity: str
    summary: str
    description: str
    needs: str | None = None
    """Why the test against a local cluster cannot make the measure return a series (or None)."""

    @property
    def expr(self) -> str:
        return f"{self.measure} {self.condition}"


@dataclass(frozen=True)
class RuleGroup:
    name: str
    rules: tuple[AlertRule, ...]
    flavour: Flavour | None = None
    """Set on the flavour-specific groups: their alerts carry a `metrics` label, so the two
    groups' same-named alerts stay distinct series (promtool refuses duplicates)."""

    def labels(self, rule: AlertRule) -> dict[str, str]:
        labels = {"severity": rule.severity}
        if self.flavour is not None:
            labels["metrics"] = self.flavour.value
        return labels


def _s(expression: str) -> str:
    return names.scoped(expression, "")


def kafka_rules(flavour: Flavour, timing: Timing) -> RuleGroup:
    def g(group: str, name: str) -> str:
        return _s(names.gauge(flavour, group, name))

    return RuleGroup(
        f"krafter-kafka-{flavour.short}",
        (
            AlertRule(
                "KafkaOfflinePartitions",
                f"max by ({CLUSTER}) ({g(CONTROLLER, 'OfflinePartitionsCount')})",
                "> 0",
                timing.short,
                "critical",
                f"Kafka cluster {THE_CLUSTER} has offline partitions",
                "{{ $value }} partitions have no leader: producers and consumers of them are stopped.",
            ),
            AlertRule(
                "KafkaUnderReplicatedPartitions",
                f"sum by ({CLUSTER}, pod) ({g(REPLICA_MANAGER, 'UnderReplicatedPartitions')})",
                "> 0",
                timing.medium,
                "warning",
                "{{ $labels.pod }} leads under-replicated partitions",
                "{{ $value }} partitions led by {{ $labels.pod }} have fewer in-sync replicas than replicas"
                " (a broker down or slow).",
            ),
            AlertRule(
                "KafkaUnderMinIsrPartitions",
                f"sum by ({CLUSTER}, pod) ({g(REPLICA_MANAGER, 'UnderMinIsrPartitionCount')})",
                "> 0",
                timing.short,
                "critical",
                "{{ $labels.pod }} leads partitions under min.insync.replicas",
                "{{ $value }} partitions refuse acks=all writes until enough replicas catch up.",
            ),
            AlertRule(
                "KafkaNoActiveController",
                f"sum by ({CLUSTER}) ({g(CONTROLLER, 'ActiveControllerCount')})",
                "== 0",
                timing.short,
                "critical",
                f"Kafka cluster {THE_CLUSTER} has no active controller",
                "No KRaft controller is active: metadata changes (topics, leaders, ISR) are stuck.",
            ),
            AlertRule(
                "KafkaMultipleActiveControllers",
                f"sum by ({CLUSTER}) ({g(CONTROLLER, 'ActiveControllerCount')})",
                "> 1",
                timing.short,
                "critical",
                f"Kafka cluster {THE_CLUSTER} has {{ $value }} active controllers",
                "More than one controller claims to be active for longer than an election takes.",
            ),
            AlertRule(
                "KafkaFencedBrokers",
                f"max by ({CLUSTER}) ({g(CONTROLLER, 'FencedBrokerCount')})",
                "> 0",
                timing.short,
                "warning",
                f"Kafka cluster {THE_CLUSTER} has fenced brokers",
                "{{ $value }} registered brokers stopped heartbeating to the controller (down, or cut off from it).",
            ),
            AlertRule(
                "KafkaOfflineLogDirectories",
                f"sum by ({CLUSTER}, pod) ({g('kafka_log_logmanager', 'OfflineLogDirectoryCount')})",
                "> 0",
                timing.short,
                "critical",
                "{{ $labels.pod }} has offline log directories",
                "A log directory failed (disk error or full): its replicas are offline on this broker.",
            ),
        ),
        flavour,
    )


def common_rules(timing: Timing) -> RuleGroup:
    def p(metric: str) -> str:
        return _s(names.plain(metric))

    return RuleGroup(
        "krafter-kafka",
        (
            AlertRule(
                "KafkaNodeDown",
                f"up{{{NODE_TARGETS}}}",
                "== 0",
                timing.short,
                "critical",
                "Kafka node {{ $labels.pod }} is down",
                f"Prometheus cannot scrape {{{{ $labels.pod }}}} of {THE_CLUSTER}.",
            ),
            AlertRule(
                "KafkaQuorumLag",
                f"max by ({CLUSTER}) ({p(RAFT + '_log_end_offset')}) - on ({CLUSTER}) group_right "
                f"{p(RAFT + '_log_end_offset')}",
                "> 1000",
                timing.medium,
                "warning",
                "{{ $labels.pod }} lags the metadata quorum",
                "{{ $labels.pod }} is {{ $value }} metadata records behind the most advanced node.",
            ),
            AlertRule(
                "KafkaVolumeAlmostFull",
                "max by (namespace, persistentvolumeclaim) "
                '(kubelet_volume_stats_used_bytes{persistentvolumeclaim=~"data-.*"}'
                " / kubelet_volume_stats_capacity_bytes)",
                "> 0.85",
                timing.medium,
                "warning",
                "Volume {{ $labels.persistentvolumeclaim }} is {{ $value | humanizePercentage }} full",
                "A Kafka data volume is almost full; a full volume takes the broker's log directory offline.",
                needs="kubelet volume statistics exist only on Kubernetes (a local cluster has no kubelet)",
            ),
        ),
    )


def lag_rules(timing: Timing) -> RuleGroup:
    lag = f"sum by ({CLUSTER}, consumergroup, topic) (kafka_consumergroup_lag)"
    earlier = f"sum by ({CLUSTER}, consumergroup, topic) (kafka_consumergroup_lag offset {timing.lag_window})"
    return RuleGroup(
        "krafter-consumer-lag",
        (
            AlertRule(
                "KafkaConsumerGroupLagGrowing",
                lag,
                f"> 0 and ({lag} - {earlier}) > 0",
                timing.medium,
                "warning",
                "Consumer group {{ $labels.consumergroup }} falls behind on {{ $labels.topic }}",
                "The lag of {{ $labels.consumergroup }} on {{ $labels.topic }} ({{ $value }}) keeps growing.",
            ),
        ),
    )


def operator_rules(timing: Timing) -> RuleGroup:
    return RuleGroup(
        "krafter-operator",
        (
            AlertRule(
                "KrafterCertificateInRenewalWindow",
                "krafter_certificate_expiry_timestamp_seconds - time()",
                "< on (namespace, strimzi_io_cluster, ca) group_left krafter_certificate_renewal_window_seconds",
                timing.long,
                "warning",
                f"Certificate {{{{ $labels.certificate }}}} of {THE_CLUSTER} is not renewed",
                "It expires in {{ $value | humanizeDuration }}, inside its renewal window, and has not been renewed"
                " (maintenance windows? operator down?).",
            ),
            AlertRule(
                "KrafterReconcileFailures",
                "sum by (namespace, pod, kind) "
                f"(increase(krafter_reconciliation_failures_total[{timing.failure_window}]))",
                "> 0",
                timing.medium,
                "warning",
                "The Krafter operator keeps failing to reconcile {{ $labels.kind }}",
                "{{ $value }} reconciliations failed recently; the operator's log and the resources' status say why.",
            ),
            AlertRule(
                "KrafterRollBlocked",
                f"max by ({CLUSTER}) (krafter_roll_blocked_seconds)",
                "> 1800",
                timing.short,
                "warning",
                f"The rolling update of {THE_CLUSTER} is blocked",
                "Blocked for {{ $value | humanizeDuration }};"
                " the Kafka's status condition RollingUpdateBlocked says why.",
            ),
        ),
    )


def rule_groups(timing: Timing = Timing()) -> list[RuleGroup]:
    return [*(kafka_rules(f, timing) for f in Flavour), common_rules(timing), lag_rules(timing), operator_rules(timing)]


def to_prometheus(groups: list[RuleGroup]) -> dict[str, Any]:
    """The `groups:` document Prometheus loads (and the `spec` of a PrometheusRule)."""
    return {
        "groups": [
            {
                "name": group.name,
                "rules": [
                    {
                        "alert": rule.name,
                        "expr": rule.expr,
                        "for": rule.duration,
                        "labels": group.labels(rule),
                        "annotations": {"summary": rule.summary, "description": rule.description},
                    }
                    for rule in group.rules
                ],
            }
            for group in groups
        ]
    }
