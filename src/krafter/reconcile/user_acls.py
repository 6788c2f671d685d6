"""A KafkaUser's `simple` authorization as Kafka ACL bindings, and the diff against Kafka's.

Strimzi's rule shape maps one-to-one onto Kafka's: one binding per operation, `prefix`
becomes Kafka's PREFIXED pattern, a cluster rule names the one cluster resource
(`kafka-cluster`), and host `*` is any host. The deprecated single `operation` is folded in
with `operations`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from krafter.api.user import AclRule
from krafter.kafka.admin_acls import (
    CLUSTER_RESOURCE_NAME,
    AclBinding,
    AclOperation,
    AclPatternType,
    AclPermission,
    AclResourceType,
)

_RESOURCE_TYPES = {
    "topic": AclResourceType.TOPIC,
    "group": AclResourceType.GROUP,
    "cluster": AclResourceType.CLUSTER,
    "transactionalId": AclResourceType.TRANSACTIONAL_ID,
}
_PATTERNS = {"literal": AclPatternType.LITERAL, "prefix": AclPatternType.PREFIXED}
_PERMISSIONS = {"allow": AclPermission.ALLOW, "deny": AclPermission.DENY}


def bindings(principal: str, rules: Sequence[AclRule]) -> frozenset[AclBinding]:
    """Every binding the rules ask for, for `principal` (`User:alice`)."""
    result = set()
    for rule in rules:
        resource_type = _RESOURCE_TYPES[rule.resource.type]
        if resource_type is AclResourceType.CLUSTER:
            name, pattern = CLUSTER_RESOURCE_NAME, AclPatternType.LITERAL
        else:
            name, pattern = rule.resource.name or "*", _PATTERNS[rule.resource.pattern_type]
        operations = list(rule.operations or [])
        if rule.operation is not None:
            operations.append(rule.operation)
        for operation in operations:
            result.add(
                AclBinding(
                    principal=principal,
                    host=rule.host or "*",
                    operation=AclOperation(operation.value),
                    permission=_PERMISSIONS[rule.type],
                    resource_type=resource_type,
                    resource_name=name,
                    pattern_type=pattern,
                )
            )
    return frozenset(result)


def diff(
    desired: Iterable[AclBinding], current: Iterable[AclBinding]
) -> tuple[tuple[AclBinding, ...], tuple[AclBinding, ...]]:
    """(to create, to delete), each in a stable order."""
    wanted, present = set(desired), set(current)
    return tuple(sorted(wanted - present, key=_order)), tuple(sorted(present - wanted, key=_order))


def _order(binding: AclBinding) -> tuple[str, ...]:
    return (
        binding.principal,
        binding.resource_type.value,
        binding.resource_name,
        binding.pattern_type.value,
        binding.operation.value,
        binding.permission.value,
        binding.host,
    )
