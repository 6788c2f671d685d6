"""Documents a Kafka resource keeps in ConfigMaps: exporter rules and external logging.

The planner stays pure: platforms read the referenced ConfigMaps (the API server, or the
files given to `krafter up` / `krafter render`) and pass their contents in. Each platform
decides what a missing one means: the operator and `krafter up` refuse with the field path,
`krafter render` shows a placeholder and warns, so a preview never needs a live cluster.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from krafter.api.common import ExternalConfigurationReference, ExternalLogging, JmxPrometheusExporterMetrics
from krafter.api.errors import Finding, Severity
from krafter.api.kafka import Kafka

ConfigKey = tuple[str, str]
"""(ConfigMap name, key)."""


@dataclass(frozen=True)
class ConfigReference:
    path: str
    """Field path of the reference, e.g. `spec.kafka.metricsConfig.valueFrom.configMapKeyRef`."""
    name: str
    key: str
    optional: bool = False


def _reference(path: str, value_from: ExternalConfigurationReference | None) -> ConfigReference | None:
    selector = value_from.config_map_key_ref if value_from is not None else None
    if selector is None or not selector.name or not selector.key:
        return None
    return ConfigReference(f"{path}.valueFrom.configMapKeyRef", selector.name, selector.key, bool(selector.optional))


def references(kafka: Kafka) -> list[ConfigReference]:
    spec = kafka.spec.kafka
    found: list[ConfigReference] = []
    if isinstance(spec.metrics_config, JmxPrometheusExporterMetrics):
        ref = _reference("spec.kafka.metricsConfig", spec.metrics_config.value_from)
        if ref is not None:
            found.append(ref)
    if isinstance(spec.logging, ExternalLogging):
        ref = _reference("spec.kafka.logging", spec.logging.value_from)
        if ref is not None:
            found.append(ref)
    return found


def contents_from(config_maps: Iterable[Mapping[str, Any]], namespace: str | None = None) -> dict[ConfigKey, str]:
    """Every key of the given ConfigMap documents, as the planner's `referenced` input.

    References are namespace-local: a ConfigMap that names another namespace than the Kafka's
    is not a candidate (one without a namespace is, as `kubectl apply -n` would put it there).
    """
    contents: dict[ConfigKey, str] = {}
    for config_map in config_maps:
        if config_map.get("kind", "ConfigMap") != "ConfigMap":
            continue
        own = (config_map.get("metadata") or {}).get("namespace")
        if own and namespace and own != namespace:
            continue
        name = (config_map.get("metadata") or {}).get("name") or ""
        for key, value in (config_map.get("data") or {}).items():
            contents[(name, key)] = str(value)
    return contents


def missing(kafka: Kafka, contents: Mapping[ConfigKey, str], *, severity: Severity = Severity.ERROR) -> list[Finding]:
    """A finding per required reference whose ConfigMap key is not in `contents`."""
    findings = []
    for ref in references(kafka):
        if ref.optional or (ref.name, ref.key) in contents:
            continue
        findings.append(
            Finding(
                ref.path,
                f"ConfigMap {ref.name!r} has no key {ref.key!r} (or does not exist)",
                f"create ConfigMap {ref.name} with key {ref.key} in the Kafka resource's namespace",
                severity,
                "MissingConfigMap",
            )
        )
    return findings


def placeholder(ref: ConfigKey) -> str:
    return f"# contents of ConfigMap {ref[0]}, key {ref[1]} (not given)\n"
