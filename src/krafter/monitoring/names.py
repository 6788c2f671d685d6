"""Kafka metric names in the two metrics flavours Krafter serves, from one description.

The JMX exporter with Krafter's default rules (every MBean, the default naming) exports a
Yammer gauge `kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions` as
`kafka_server_replicamanager_value{name="UnderReplicatedPartitions"}`; Strimzi's metrics
reporter (and Strimzi's example JMX exporter rules) as
`kafka_server_replicamanager_underreplicatedpartitions`. Meters and timers differ the same
way (`_count{name=...}` vs `_..._total`, `_99thpercentile{name=...}` vs `{quantile="0.99"}`).
Kafka's own metrics (raft, broker metadata) and the JVM's have the same names in both.
"""

from __future__ import annotations

import enum


class Flavour(enum.StrEnum):
    JMX_EXPORTER = "jmxPrometheusExporter"
    STRIMZI_REPORTER = "strimziMetricsReporter"

    @property
    def short(self) -> str:
        return "jmx" if self is Flavour.JMX_EXPORTER else "reporter"


SCOPE = "$scope"
"""Placeholder for the label matchers that pick a cluster (dashboard variables or none)."""


_JMX_PERCENTILES = {
    "0.5": "50thpercentile",
    "0.75": "75thpercentile",
    "0.95": "95thpercentile",
    "0.99": "99thpercentile",
}


def _matchers(*parts: str) -> str:
    present = [p for p in parts if p]
    return "{" + ",".join(present) + "}" if present else ""


def _labels(labels: dict[str, str]) -> str:
    """Matchers from keyword labels; a value starting with `~` is a regular expression."""
    return ",".join(
        f'{key}=~"{value[1:]}"' if value.startswith("~") else f'{key}="{value}"' for key, value in labels.items()
    )


def gauge(flavour: Flavour, group: str, name: str, **labels: str) -> str:
    """A Yammer gauge such as `kafka.server:type=ReplicaManager,name=LeaderCount`.

    (`group` is the bean's domain and type as the exporters name it: `kafka_server_replicamanager`.)
    """
    if flavour is Flavour.JMX_EXPORTER:
        return group + "_value" + _matchers(SCOPE, _labels({"name": name, **labels}))
    return f"{group}_{name.lower()}{_matchers(SCOPE, _labels(labels))}"


def meter_total(flavour: Flavour, group: str, name: str, **labels: str) -> str:
    """A Yammer meter's (or timer's) running count, for `rate()`."""
    if flavour is Flavour.JMX_EXPORTER:
        return group + "_count" + _matchers(SCOPE, _labels({"name": name, **labels}))
    return f"{group}_{name.lower()}_total{_matchers(SCOPE, _labels(labels))}"


def percentile(flavour: Flavour, group: str, name: str, quantile: str, **labels: str) -> str:
    """A Yammer histogram's or timer's percentile (`quantile` as "0.99")."""
    if flavour is Flavour.JMX_EXPORTER:
        attribute = _JMX_PERCENTILES[quantile]
        return f"{group}_{attribute}" + _matchers(SCOPE, _labels({"name": name, **labels}))
    return f"{group}_{name.lower()}" + _matchers(SCOPE, _labels({"quantile": quantile, **labels}))


def plain(metric: str, **labels: str) -> str:
    """A metric named the same in both flavours (Kafka metrics, JVM, `up`, lag, operator)."""
    return metric + _matchers(SCOPE, _labels(labels))


def scoped(expression: str, scope: str) -> str:
    """Replace the scope placeholder: `{$scope}` with no matchers becomes nothing."""
    return expression.replace("{" + SCOPE + "}", "{" + scope + "}" if scope else "").replace(
        SCOPE + ",", scope + "," if scope else ""
    )
