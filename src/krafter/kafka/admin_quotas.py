"""Per-user client quotas (KIP-546 DescribeClientQuotas / AlterClientQuotas).

kafka-python 3.0.12 has the protocol classes but no Admin method for them, so this module
builds the requests and reads the responses; `admin_wire.send` carries them. Only the `user`
entity is handled: that is what Strimzi's KafkaUser `spec.quotas` maps to.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from kafka.protocol.admin.client_quotas import AlterClientQuotasRequest, DescribeClientQuotasRequest

from krafter.kafka import admin_wire
from krafter.kafka.admin_types import OpResult

DEFAULT_USER = "<default>"
"""The default-user entity (applies to users without their own quota), as kafka-configs names it."""

_USER = "user"
_MATCH_EXACT, _MATCH_DEFAULT, _MATCH_SPECIFIED = 0, 1, 2


class QuotaKey(enum.StrEnum):
    """The quota keys Strimzi's KafkaUser exposes; plain strings compare equal to them."""

    PRODUCER_BYTE_RATE = "producer_byte_rate"
    CONSUMER_BYTE_RATE = "consumer_byte_rate"
    REQUEST_PERCENTAGE = "request_percentage"
    CONTROLLER_MUTATION_RATE = "controller_mutation_rate"


def _entity_key(entity_name: str | None) -> str:
    return DEFAULT_USER if entity_name is None else entity_name


def _entity_name(user: str) -> str | None:
    return None if user == DEFAULT_USER else user


def describe_request(user: str | None) -> Any:
    component = DescribeClientQuotasRequest.ComponentData
    if user is None:
        match = component(entity_type=_USER, match_type=_MATCH_SPECIFIED, match=None)
    elif user == DEFAULT_USER:
        match = component(entity_type=_USER, match_type=_MATCH_DEFAULT, match=None)
    else:
        match = component(entity_type=_USER, match_type=_MATCH_EXACT, match=user)
    # strict: only entities made of the user component alone, not (user, client-id) pairs.
    return DescribeClientQuotasRequest(components=[match], strict=True)


def parse_describe(response: Any) -> dict[str, dict[str, float]]:
    admin_wire.raise_for_code(response.error_code, response.error_message, "Describing client quotas")
    quotas: dict[str, dict[str, float]] = {}
    for entry in response.entries or []:
        if len(entry.entity) != 1 or entry.entity[0].entity_type != _USER:
            continue
        quotas[_entity_key(entry.entity[0].entity_name)] = {v.key: float(v.value) for v in entry.values}
    return quotas


def alter_request(changes: Mapping[str, Mapping[str, float | None]]) -> Any:
    entry = AlterClientQuotasRequest.EntryData
    return AlterClientQuotasRequest(
        entries=[
            entry(
                entity=[entry.EntityData(entity_type=_USER, entity_name=_entity_name(user))],
                ops=[
                    entry.OpData(key=str(key), value=0.0 if value is None else float(value), remove=value is None)
                    for key, value in ops.items()
                ],
            )
            for user, ops in changes.items()
        ],
        validate_only=False,
    )


def parse_alter(response: Any) -> dict[str, OpResult]:
    results: dict[str, OpResult] = {}
    for entry in response.entries:
        names = [e.entity_name for e in entry.entity if e.entity_type == _USER]
        if names:
            results[_entity_key(names[0])] = admin_wire.op_result(entry.error_code, entry.error_message)
    return results
