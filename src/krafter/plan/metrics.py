"""Prometheus metrics for Kafka nodes: the JMX exporter agent or Strimzi's metrics reporter.

Neither ships with Apache Kafka. Both come from Maven Central (`metrics-libs.pom.xml`): the
local platform keeps them in its cache, the Krafter image carries them and its init container
copies them next to Kafka. The start script reads the node's `metrics` file to know which
one to load, so both platforms start Kafka the same way.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from krafter.api.common import JmxPrometheusExporterMetrics, StrimziMetricsReporter
from krafter.api.kafka import KafkaClusterSpec
from krafter.plan.profile import Endpoint

METRICS_PORT = 9404
METRICS_SLOT = 9
"""Local-platform port slot (the last of a node's ten; user listeners take 2..8)."""
JMX_REPORTER = "org.apache.kafka.common.metrics.JmxReporter"
KAFKA_REPORTER = "io.strimzi.kafka.metrics.KafkaPrometheusMetricsReporter"
YAMMER_REPORTER = "io.strimzi.kafka.metrics.YammerPrometheusMetricsReporter"
DEFAULT_ALLOW_LIST = (".*",)
DEFAULT_EXPORTER_RULES = """\
# Krafter's default: every MBean, names lower-cased (give metricsConfig.valueFrom for your own rules).
lowercaseOutputName: true
lowercaseOutputLabelNames: true
rules:
  - pattern: ".*"
"""


class MetricsKind(enum.StrEnum):
    JMX_EXPORTER = "jmx-exporter"
    STRIMZI_REPORTER = "strimzi-reporter"


@dataclass(frozen=True)
class MetricsPlan:
    kind: MetricsKind
    exporter_rules: str | None = None
    """The JMX exporter's YAML (from the referenced ConfigMap, or Krafter's default)."""
    allow_list: tuple[str, ...] = DEFAULT_ALLOW_LIST


def plan_metrics(spec: KafkaClusterSpec, exporter_rules: str | None) -> MetricsPlan | None:
    config = spec.metrics_config
    if isinstance(config, JmxPrometheusExporterMetrics):
        return MetricsPlan(MetricsKind.JMX_EXPORTER, exporter_rules or DEFAULT_EXPORTER_RULES)
    if isinstance(config, StrimziMetricsReporter):
        allow = tuple(config.values.allow_list or ()) if config.values else ()
        return MetricsPlan(MetricsKind.STRIMZI_REPORTER, allow_list=allow or DEFAULT_ALLOW_LIST)
    return None


def agent_line(metrics: MetricsPlan, endpoint: Endpoint) -> str:
    """The node's `metrics` file: what the start script loads and where it listens."""
    if metrics.kind is MetricsKind.JMX_EXPORTER:
        return f"{metrics.kind.value} {endpoint}\n"
    return f"{metrics.kind.value}\n"


def _appended(existing: str | None, *classes: str) -> str:
    present = [c.strip() for c in (existing or "").split(",") if c.strip()]
    return ",".join(present + [c for c in classes if c not in present])


def reporter_properties(
    metrics: MetricsPlan, endpoint: Endpoint, user_config: Mapping[str, object]
) -> list[tuple[str, str]]:
    """Broker/controller keys that switch Strimzi's reporter on; the user's own reporters are kept."""
    if metrics.kind is not MetricsKind.STRIMZI_REPORTER:
        return []
    user_metric = user_config.get("metric.reporters")
    user_yammer = user_config.get("kafka.metrics.reporters")
    return [
        (
            "metric.reporters",
            _appended(str(user_metric) if user_metric is not None else JMX_REPORTER, KAFKA_REPORTER),
        ),
        ("kafka.metrics.reporters", _appended(str(user_yammer) if user_yammer is not None else None, YAMMER_REPORTER)),
        ("prometheus.metrics.reporter.listener.enable", "true"),
        ("prometheus.metrics.reporter.listener", f"http://{endpoint}"),
        ("prometheus.metrics.reporter.allowlist", ",".join(metrics.allow_list)),
    ]
