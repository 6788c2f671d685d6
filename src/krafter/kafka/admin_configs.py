"""DescribeConfigs and IncrementalAlterConfigs for topics and brokers, as typed values.

kafka-python's `describe_configs` drops per-resource error codes and its default filter
hides cluster-wide dynamic defaults; its `alter_configs` reports errors as formatted text.
Reconcilers need both exactly (which topic is missing, whether a value is user-set), so the
requests are built here and sent through `admin_wire.send`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from kafka.protocol.admin import DescribeConfigsRequest, IncrementalAlterConfigsRequest

from krafter.kafka import admin_wire
from krafter.kafka.admin_types import ConfigChange, ConfigEntry, ConfigSource, OpResult

TOPIC = 2
BROKER = 4
_SET, _DELETE = 0, 1


def describe_request(resource_type: int, names: Iterable[str], keys: Sequence[str] | None = None) -> Any:
    """`keys` None asks for every config; a list asks for those keys only (smaller answers)."""
    resource = DescribeConfigsRequest.DescribeConfigsResource
    return DescribeConfigsRequest(
        resources=[
            resource(
                resource_type=resource_type,
                resource_name=name,
                configuration_keys=list(keys) if keys is not None else None,
            )
            for name in names
        ],
        include_synonyms=False,
        include_documentation=False,
    )


def parse_describe(response: Any) -> dict[str, tuple[OpResult, dict[str, ConfigEntry]]]:
    """Per resource name: its outcome and, when that is ok, its config entries."""
    described: dict[str, tuple[OpResult, dict[str, ConfigEntry]]] = {}
    for result in response.results:
        outcome = admin_wire.op_result(result.error_code, result.error_message)
        entries: dict[str, ConfigEntry] = {}
        for config in result.configs if outcome.ok else ():
            source = ConfigSource.from_code(config.config_source)
            entries[config.name] = ConfigEntry(
                name=config.name,
                value=config.value,
                source=source,
                read_only=bool(config.read_only),
                sensitive=bool(config.is_sensitive),
                default=source is ConfigSource.DEFAULT_CONFIG,
            )
        described[result.resource_name] = (outcome, entries)
    return described


def alter_request(resource_type: int, changes: Mapping[str, Sequence[ConfigChange]]) -> Any:
    """One resource per name: Kafka rejects a request naming a resource twice (INVALID_REQUEST)."""
    resource = IncrementalAlterConfigsRequest.AlterConfigsResource
    config = resource.AlterableConfig
    return IncrementalAlterConfigsRequest(
        resources=[
            resource(
                resource_type=resource_type,
                resource_name=name,
                configs=[
                    config(
                        name=change.key,
                        config_operation=_DELETE if change.value is None else _SET,
                        value=change.value,
                    )
                    for change in name_changes
                ],
            )
            for name, name_changes in changes.items()
        ],
        validate_only=False,
    )


def parse_alter(response: Any) -> dict[str, OpResult]:
    return {r.resource_name: admin_wire.op_result(r.error_code, r.error_message) for r in response.responses}
