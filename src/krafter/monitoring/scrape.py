"""Prometheus scrape configuration for a local cluster, labelled like Kubernetes targets.

On Kubernetes the chart's PodMonitor gives every Kafka node's series `namespace`, `pod`,
`strimzi_io_cluster`, `strimzi_io_kind` and `strimzi_io_pool_name`; the same labels here
make the same dashboards and alert rules work against a `krafter up` cluster unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from krafter.plan.model import ClusterPlan

KIND_LABEL = "strimzi_io_kind"


@dataclass(frozen=True)
class LocalTargets:
    plan: ClusterPlan
    lag_endpoint: str | None = None
    """host:port of the cluster's consumer-lag exporter, when the Kafka asks for one."""


def scrape_configs(targets: LocalTargets, interval: str = "15s") -> list[dict[str, Any]]:
    plan = targets.plan
    cluster = {"namespace": plan.namespace, "strimzi_io_cluster": plan.name}
    nodes = [
        {
            "targets": [str(node.metrics_endpoint)],
            "labels": {**cluster, "pod": node.pod_name, "strimzi_io_pool_name": node.pool, KIND_LABEL: "Kafka"},
        }
        for node in plan.nodes
        if node.metrics_endpoint is not None
    ]
    configs: list[dict[str, Any]] = []
    if nodes:
        configs.append({"job_name": f"{plan.name}-kafka", "scrape_interval": interval, "static_configs": nodes})
    if targets.lag_endpoint is not None:
        configs.append(
            {
                "job_name": f"{plan.name}-kafka-exporter",
                "scrape_interval": interval,
                "static_configs": [{"targets": [targets.lag_endpoint], "labels": cluster}],
            }
        )
    return configs


def prometheus_config(
    clusters: list[LocalTargets],
    interval: str = "15s",
    rule_files: tuple[str, ...] = (),
    extra: tuple[dict[str, Any], ...] = (),
    evaluation: str = "15s",
) -> dict[str, Any]:
    """A whole `prometheus.yml`: every cluster's jobs, plus `extra` scrape configs."""
    return {
        # The JMX exporter walks every MBean on each scrape (seconds on a busy machine): allow
        # a scrape the whole interval.
        "global": {"scrape_interval": interval, "scrape_timeout": interval, "evaluation_interval": evaluation},
        "rule_files": list(rule_files),
        "scrape_configs": [c for targets in clusters for c in scrape_configs(targets, interval)] + list(extra),
    }
