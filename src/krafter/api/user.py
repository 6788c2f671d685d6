"""The `KafkaUser` resource: credentials, ACLs and quotas of one Kafka client identity."""

from __future__ import annotations

import enum
from typing import Annotated, Literal

from pydantic import Field

from krafter.api.base import V1, V1BETA2, Model, Rule, only_in, required_in
from krafter.api.common import Condition, MetadataTemplate, ObjectMeta, SecretKeySelector


class PasswordSource(Model):
    """Where a user-supplied password is read from."""

    secret_key_ref: SecretKeySelector | None = None
    """The Secret key holding the password."""


class Password(Model):
    """A password you provide instead of a generated one."""

    value_from: PasswordSource
    """The Secret key holding the password."""


_DAYS_FIX = "set both validityDays and renewalDays (renewalDays below validityDays), or neither"


def _days_set_together(auth: TlsClientAuthentication) -> bool:
    return (auth.validity_days is None) == (auth.renewal_days is None)


def _renewal_before_expiry(auth: TlsClientAuthentication) -> bool:
    return auth.validity_days is None or auth.renewal_days is None or auth.renewal_days < auth.validity_days


def _no_certificate_days(auth: Model) -> bool:
    return not {"validityDays", "renewalDays"} & set(auth.model_extra or {})


ONLY_TLS_HAS_DAYS = Rule(
    _no_certificate_days,
    "'validityDays' and 'renewalDays' can be configured only with 'type: tls'",
    fix="remove them: only tls users get a certificate from the clients CA",
    cel="self.type == 'tls' || (!has(self.validityDays) && !has(self.renewalDays))",
)


class TlsClientAuthentication(Model):
    """A client certificate signed by the clients CA; the principal is `CN=<user name>`."""

    rules = (
        Rule(
            _days_set_together,
            "Both 'validityDays' and 'renewalDays' must be set together, or both must be unset",
            fix=_DAYS_FIX,
            cel="self.type != 'tls' || (has(self.renewalDays) == has(self.validityDays))",
        ),
        Rule(
            _renewal_before_expiry,
            "'renewalDays' must be less than 'validityDays'",
            field="renewalDays",
            fix="renewal must start before the certificate expires: lower renewalDays or raise validityDays",
            cel="self.type != 'tls' || !has(self.renewalDays) || !has(self.validityDays) "
            "|| self.renewalDays < self.validityDays",
        ),
    )

    type: Literal["tls"]
    """Authentication type."""
    validity_days: Annotated[int, Field(ge=1)] | None = None
    """Days the user certificate is valid (default: the clients CA's validityDays)."""
    renewal_days: Annotated[int, Field(ge=1)] | None = None
    """Days before expiry when the certificate is renewed (default: the clients CA's renewalDays)."""


class TlsExternalClientAuthentication(Model):
    """A certificate issued outside Krafter; only ACLs and quotas are managed."""

    rules = (ONLY_TLS_HAS_DAYS,)

    type: Literal["tls-external"]
    """Authentication type."""


class ScramSha512ClientAuthentication(Model):
    """SASL SCRAM-SHA-512; the password is generated unless given."""

    rules = (ONLY_TLS_HAS_DAYS,)

    type: Literal["scram-sha-512"]
    """Authentication type."""
    password: Password | None = None
    """Use this password instead of generating one."""


UserAuthentication = Annotated[
    TlsClientAuthentication | TlsExternalClientAuthentication | ScramSha512ClientAuthentication,
    Field(discriminator="type"),
]


class AclOperation(enum.StrEnum):
    READ = "Read"
    WRITE = "Write"
    CREATE = "Create"
    DELETE = "Delete"
    ALTER = "Alter"
    DESCRIBE = "Describe"
    CLUSTER_ACTION = "ClusterAction"
    ALTER_CONFIGS = "AlterConfigs"
    DESCRIBE_CONFIGS = "DescribeConfigs"
    IDEMPOTENT_WRITE = "IdempotentWrite"
    ALL = "All"


class AclResource(Model):
    """What an ACL rule applies to."""

    type: Literal["topic", "group", "cluster", "transactionalId"]
    """Resource type."""
    name: str | None = None
    """Resource name (not for `cluster`); `*` matches all."""
    pattern_type: Literal["literal", "prefix"] = Field(default="literal")
    """Match the name exactly (`literal`) or as a prefix (`prefix`). Default: literal."""


class AclRule(Model):
    """One ACL rule."""

    type: Literal["allow", "deny"] = Field(default="allow")
    """Allow or deny. Default: allow."""
    resource: AclResource
    """The resource."""
    host: str = Field(default="*")
    """Client host the rule applies to. Default: `*` (any)."""
    operations: list[AclOperation] | None = Field(default=None, json_schema_extra=required_in(V1))
    """Operations the rule covers (required in v1)."""
    operation: AclOperation | None = Field(default=None, json_schema_extra=only_in(V1BETA2, note="use operations"))
    """A single operation (deprecated; use operations)."""


class SimpleUserAuthorization(Model):
    """ACL rules evaluated by Kafka's built-in authorizer."""

    type: Literal["simple"]
    """Authorization type."""
    acls: list[AclRule]
    """The rules."""


class UserQuotas(Model):
    """Limits on this user's clients."""

    producer_byte_rate: Annotated[int, Field(ge=0)] | None = None
    """Produce bytes per second per broker."""
    consumer_byte_rate: Annotated[int, Field(ge=0)] | None = None
    """Fetch bytes per second per broker."""
    request_percentage: Annotated[int, Field(ge=0)] | None = None
    """Share of request-handler and network threads, in percent."""
    controller_mutation_rate: Annotated[float, Field(ge=0)] | None = None
    """Topic/partition creations and deletions per second."""


class SecretTemplate(Model):
    """Customisation of the user Secret."""

    metadata: MetadataTemplate | None = None
    """Labels and annotations of the Secret."""


class KafkaUserTemplate(Model):
    """Customisation of objects generated for the user."""

    secret: SecretTemplate | None = None
    """The user's Secret."""


class KafkaUserSpec(Model):
    """The desired user."""

    authentication: UserAuthentication | None = None
    """How the user proves its identity; unset means ACLs and quotas only."""
    authorization: SimpleUserAuthorization | None = None
    """ACL rules."""
    quotas: UserQuotas | None = None
    """Quotas."""
    template: KafkaUserTemplate | None = None
    """Customisation of generated objects."""


class KafkaUserStatus(Model):
    """The observed user."""

    conditions: list[Condition] | None = None
    """Conditions."""
    observed_generation: int | None = None
    """The spec generation last reconciled."""
    username: str | None = None
    """The Kafka principal name (`CN=<name>` for tls users)."""
    secret: str | None = None
    """Name of the Secret with the credentials."""


class KafkaUser(Model):
    """A Kafka user (`kafka.strimzi.io`, kind KafkaUser)."""

    api_version: str = Field(alias="apiVersion")
    """`kafka.strimzi.io/v1` (or `kafka.strimzi.io/v1beta2`)."""
    kind: Literal["KafkaUser"]
    """Always `KafkaUser`."""
    metadata: ObjectMeta
    """Name, namespace, labels (`strimzi.io/cluster` names the Kafka) and annotations."""
    spec: KafkaUserSpec | None = None
    """The desired user."""
    status: KafkaUserStatus | None = None
    """The observed user, written by the operator."""
