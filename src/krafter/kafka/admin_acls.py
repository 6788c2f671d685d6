"""Typed ACL bindings and their translation to and from Kafka's ACL wire codes.

The enum values are Strimzi's spellings (KafkaUser `spec.authorization.acls`), so the API
layer maps a CR to a binding without a table of its own; the wire codes are Kafka's
(AclOperation, AclPermissionType, ResourceType, PatternType in the Java client).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kafka.protocol.admin import CreateAclsRequest, DeleteAclsRequest, DescribeAclsRequest

from krafter.kafka import admin_wire
from krafter.kafka.admin_types import OpResult

log = logging.getLogger(__name__)

CLUSTER_RESOURCE_NAME = "kafka-cluster"
"""The one name a cluster-type ACL resource can have."""

_ANY = 1  # the wildcard code of every ACL enum, valid in filters only


class AclOperation(enum.Enum):
    ALL = "All"
    READ = "Read"
    WRITE = "Write"
    CREATE = "Create"
    DELETE = "Delete"
    ALTER = "Alter"
    DESCRIBE = "Describe"
    CLUSTER_ACTION = "ClusterAction"
    DESCRIBE_CONFIGS = "DescribeConfigs"
    ALTER_CONFIGS = "AlterConfigs"
    IDEMPOTENT_WRITE = "IdempotentWrite"
    CREATE_TOKENS = "CreateTokens"
    DESCRIBE_TOKENS = "DescribeTokens"


class AclPermission(enum.Enum):
    ALLOW = "allow"
    DENY = "deny"


class AclResourceType(enum.Enum):
    TOPIC = "topic"
    GROUP = "group"
    CLUSTER = "cluster"
    TRANSACTIONAL_ID = "transactionalId"
    DELEGATION_TOKEN = "delegationToken"
    USER = "user"


class AclPatternType(enum.Enum):
    LITERAL = "literal"
    PREFIXED = "prefixed"


_OPERATION_CODES = {
    AclOperation.ALL: 2,
    AclOperation.READ: 3,
    AclOperation.WRITE: 4,
    AclOperation.CREATE: 5,
    AclOperation.DELETE: 6,
    AclOperation.ALTER: 7,
    AclOperation.DESCRIBE: 8,
    AclOperation.CLUSTER_ACTION: 9,
    AclOperation.DESCRIBE_CONFIGS: 10,
    AclOperation.ALTER_CONFIGS: 11,
    AclOperation.IDEMPOTENT_WRITE: 12,
    AclOperation.CREATE_TOKENS: 13,
    AclOperation.DESCRIBE_TOKENS: 14,
}
_PERMISSION_CODES = {AclPermission.DENY: 2, AclPermission.ALLOW: 3}
_RESOURCE_CODES = {
    AclResourceType.TOPIC: 2,
    AclResourceType.GROUP: 3,
    AclResourceType.CLUSTER: 4,
    AclResourceType.TRANSACTIONAL_ID: 5,
    AclResourceType.DELEGATION_TOKEN: 6,
    AclResourceType.USER: 7,
}
_PATTERN_CODES = {AclPatternType.LITERAL: 3, AclPatternType.PREFIXED: 4}


@dataclass(frozen=True, kw_only=True)
class AclBinding:
    """One ACL: `principal` is Kafka's form (`User:alice`, `User:CN=alice`); host `*` is any host."""

    principal: str
    host: str = "*"
    operation: AclOperation
    permission: AclPermission = AclPermission.ALLOW
    resource_type: AclResourceType
    resource_name: str
    pattern_type: AclPatternType = AclPatternType.LITERAL


def _decode(codes: dict[Any, int], code: int) -> Any:
    return next((member for member, value in codes.items() if value == code), None)


def describe_request(principal: str | None) -> Any:
    return DescribeAclsRequest(
        resource_type_filter=_ANY,
        resource_name_filter=None,
        pattern_type_filter=_ANY,
        principal_filter=principal,
        host_filter=None,
        operation=_ANY,
        permission_type=_ANY,
    )


def parse_describe(response: Any) -> list[AclBinding]:
    admin_wire.raise_for_code(response.error_code, response.error_message, "Describing ACLs")
    bindings = []
    for resource in response.resources:
        for acl in resource.acls:
            values = (
                _decode(_OPERATION_CODES, acl.operation),
                _decode(_PERMISSION_CODES, acl.permission_type),
                _decode(_RESOURCE_CODES, resource.resource_type),
                _decode(_PATTERN_CODES, resource.pattern_type),
            )
            if None in values:
                # A newer Kafka may know codes this build does not; skipping is safer than
                # failing every describe, and nothing Krafter creates uses such codes.
                log.warning("Skipping an ACL with unknown codes on %s %r", resource.resource_type, acl)
                continue
            operation, permission, resource_type, pattern_type = values
            bindings.append(
                AclBinding(
                    principal=acl.principal,
                    host=acl.host,
                    operation=operation,
                    permission=permission,
                    resource_type=resource_type,
                    resource_name=resource.resource_name,
                    pattern_type=pattern_type,
                )
            )
    return bindings


def create_request(bindings: Sequence[AclBinding]) -> Any:
    creation = CreateAclsRequest.AclCreation
    return CreateAclsRequest(
        creations=[
            creation(
                resource_type=_RESOURCE_CODES[b.resource_type],
                resource_name=b.resource_name,
                resource_pattern_type=_PATTERN_CODES[b.pattern_type],
                principal=b.principal,
                host=b.host,
                operation=_OPERATION_CODES[b.operation],
                permission_type=_PERMISSION_CODES[b.permission],
            )
            for b in bindings
        ]
    )


def parse_create(response: Any) -> list[OpResult]:
    return [admin_wire.op_result(r.error_code, r.error_message) for r in response.results]


def delete_request(bindings: Sequence[AclBinding]) -> Any:
    """Filters that match each binding exactly (a LITERAL filter matches literal ACLs only)."""
    acl_filter = DeleteAclsRequest.DeleteAclsFilter
    return DeleteAclsRequest(
        filters=[
            acl_filter(
                resource_type_filter=_RESOURCE_CODES[b.resource_type],
                resource_name_filter=b.resource_name,
                pattern_type_filter=_PATTERN_CODES[b.pattern_type],
                principal_filter=b.principal,
                host_filter=b.host,
                operation=_OPERATION_CODES[b.operation],
                permission_type=_PERMISSION_CODES[b.permission],
            )
            for b in bindings
        ]
    )


def parse_delete(response: Any) -> list[OpResult]:
    """One result per filter; a filter that matched nothing is a success (already absent)."""
    results = []
    for filter_result in response.filter_results:
        outcome = admin_wire.op_result(filter_result.error_code, filter_result.error_message)
        for matched in filter_result.matching_acls:
            if outcome.ok and matched.error_code:
                outcome = admin_wire.op_result(matched.error_code, matched.error_message)
        results.append(outcome)
    return results
