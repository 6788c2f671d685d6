"""A KafkaTopic's `spec.config` against the topic's configs in Kafka: what to set, what to delete.

Values are compared the way Kafka stores them, not as typed: DescribeConfigs answers with
Kafka's normalised form (`compact, delete` comes back as `compact,delete`, `0.50` as `0.5`,
`TRUE` as `true`, `0604800000` as `604800000`), so a plain string comparison would "revert"
such a value on every reconcile. Only overrides set on the topic itself
(DYNAMIC_TOPIC_CONFIG) are ever deleted; broker and cluster defaults are never touched.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from krafter.kafka.admin_types import ConfigChange, ConfigEntry, ConfigSource


def config_value(value: Any) -> str:
    """A `spec.config` value as Kafka expects it: lists comma-joined, booleans lower case."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(config_value(item) for item in value)
    return str(value)


def desired_config(spec_config: Mapping[str, Any] | None) -> dict[str, str]:
    return {key: config_value(value) for key, value in (spec_config or {}).items()}


def values_equal(desired: str, actual: str | None) -> bool:
    """Whether Kafka would store `desired` as `actual` (see the module docstring)."""
    if actual is None:
        return False
    if desired == actual:
        return True
    wanted_items = [item.strip() for item in desired.split(",")]
    actual_items = [item.strip() for item in actual.split(",")]
    if len(wanted_items) != len(actual_items):
        return False
    return all(_scalar_equal(w, a) for w, a in zip(wanted_items, actual_items, strict=True))


def _scalar_equal(desired: str, actual: str) -> bool:
    if desired == actual:
        return True
    if desired.lower() in {"true", "false"}:
        return desired.lower() == actual.lower()
    try:
        return Decimal(desired) == Decimal(actual)
    except InvalidOperation:
        return False


def config_changes(desired: Mapping[str, str], current: Mapping[str, ConfigEntry]) -> list[ConfigChange]:
    """Set every desired key whose effective value differs; delete topic overrides not desired.

    A desired key whose value already equals the inherited default is left alone, as Strimzi
    does; sorted so a plan is deterministic.
    """
    changes = [
        ConfigChange(key, value)
        for key, value in sorted(desired.items())
        if not values_equal(value, current[key].value if key in current else None)
    ]
    changes += [
        ConfigChange(key, None)
        for key, entry in sorted(current.items())
        if entry.source is ConfigSource.DYNAMIC_TOPIC_CONFIG and key not in desired
    ]
    return changes
