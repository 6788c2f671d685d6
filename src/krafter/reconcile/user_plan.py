"""Every decision about a KafkaUser, as pure functions: its principal, the SCRAM, ACL and quota
changes against Kafka's state, and the status that results.

A user's Kafka name is `CN=<name>` for `tls`/`tls-external` and `<name>` otherwise. When the
authentication type changes, the name changes with it, so ACLs and quotas are reconciled for
both forms: the inactive one is emptied (Strimzi does the same).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from krafter.api.user import (
    KafkaUser,
    KafkaUserStatus,
    ScramSha512ClientAuthentication,
    TlsClientAuthentication,
    TlsExternalClientAuthentication,
)
from krafter.kafka.admin_acls import AclBinding
from krafter.kafka.admin_quotas import QuotaKey
from krafter.kafka.admin_types import OpResult, ScramMechanism
from krafter.reconcile import conditions, resources, user_acls
from krafter.reconcile.conditions import Event, EventType, Wanted

KAFKA_ERROR = "KafkaError"
INVALID_RESOURCE = "InvalidResource"


class AuthType(enum.Enum):
    SCRAM_SHA_512 = "scram-sha-512"
    TLS = "tls"
    TLS_EXTERNAL = "tls-external"
    NONE = "none"

    @property
    def uses_certificate_name(self) -> bool:
        return self in {AuthType.TLS, AuthType.TLS_EXTERNAL}


def auth_type(user: KafkaUser) -> AuthType:
    auth = user.spec.authentication if user.spec else None
    if isinstance(auth, ScramSha512ClientAuthentication):
        return AuthType.SCRAM_SHA_512
    if isinstance(auth, TlsClientAuthentication):
        return AuthType.TLS
    if isinstance(auth, TlsExternalClientAuthentication):
        return AuthType.TLS_EXTERNAL
    return AuthType.NONE


def tls_username(name: str) -> str:
    return f"CN={name}"


def principal(username: str) -> str:
    return f"User:{username}"


@dataclass(frozen=True)
class DesiredUser:
    key: str
    name: str
    auth: AuthType
    acls: frozenset[AclBinding]
    """Empty without `spec.authorization`: the user then has no ACLs of its own."""
    quotas: Mapping[str, float]

    @property
    def username(self) -> str:
        return tls_username(self.name) if self.auth.uses_certificate_name else self.name

    @property
    def usernames(self) -> tuple[str, str]:
        """Both Kafka names the user may have had; the active one first."""
        other = self.name if self.auth.uses_certificate_name else tls_username(self.name)
        return (self.username, other)


def desired_user(user: KafkaUser) -> DesiredUser:
    name = user.metadata.name or ""
    auth = auth_type(user)
    spec = user.spec
    username = tls_username(name) if auth.uses_certificate_name else name
    rules = spec.authorization.acls if spec and spec.authorization else []
    return DesiredUser(
        key=resources.key(user.metadata),
        name=name,
        auth=auth,
        acls=user_acls.bindings(principal(username), rules),
        quotas=quota_values(user),
    )


def quota_values(user: KafkaUser) -> dict[str, float]:
    quotas = user.spec.quotas if user.spec else None
    if quotas is None:
        return {}
    values = {
        QuotaKey.PRODUCER_BYTE_RATE: quotas.producer_byte_rate,
        QuotaKey.CONSUMER_BYTE_RATE: quotas.consumer_byte_rate,
        QuotaKey.REQUEST_PERCENTAGE: quotas.request_percentage,
        QuotaKey.CONTROLLER_MUTATION_RATE: quotas.controller_mutation_rate,
    }
    return {str(key): float(value) for key, value in values.items() if value is not None}


def quota_changes(desired: Mapping[str, float], current: Mapping[str, float]) -> dict[str, float | None]:
    """Keys to set (differing) and to remove (None), sorted."""
    changes: dict[str, float | None] = {k: v for k, v in sorted(desired.items()) if current.get(k) != v}
    changes.update({k: None for k in sorted(current) if k not in desired})
    return changes


@dataclass(frozen=True)
class UserObserved:
    """Kafka's user state for one batch; a `*_error` means that part could not be read."""

    scram_users: Mapping[str, tuple[ScramMechanism, ...]] = field(default_factory=dict)
    acls: Mapping[str, frozenset[AclBinding]] = field(default_factory=dict)
    """By principal."""
    quotas: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    """By Kafka username."""
    scram_error: str | None = None
    acls_error: str | None = None
    quotas_error: str | None = None


@dataclass(frozen=True)
class UserPlan:
    key: str
    username: str
    upsert_password: str | None = field(default=None, repr=False)
    """Store this SCRAM-SHA-512 password in Kafka."""
    delete_scram: bool = False
    acls_to_create: tuple[AclBinding, ...] = ()
    acls_to_delete: tuple[AclBinding, ...] = ()
    quota_changes: Mapping[str, Mapping[str, float | None]] = field(default_factory=dict)
    """By Kafka username."""
    failures: tuple[str, ...] = ()
    """Parts that could not be compared (a failed read)."""

    @property
    def has_changes(self) -> bool:
        return bool(
            self.upsert_password
            or self.delete_scram
            or self.acls_to_create
            or self.acls_to_delete
            or self.quota_changes
        )


def plan_user(
    desired: DesiredUser,
    observed: UserObserved,
    *,
    password: str | None = None,
    password_changed: bool = False,
    deleting: bool = False,
) -> UserPlan:
    """The changes that make Kafka match `desired` (or, `deleting`, remove every trace of the user).

    `password` is the SCRAM password the user's Secret will hold; it is stored in Kafka when
    it changed or Kafka has no SCRAM-SHA-512 credential for the user (a stored password cannot
    be read back, so an unchanged Secret and an existing credential mean no write).
    """
    failures: list[str] = []
    wants_scram = desired.auth is AuthType.SCRAM_SHA_512 and not deleting
    upsert: str | None = None
    delete_scram = False
    if observed.scram_error is not None:
        if wants_scram:
            failures.append(observed.scram_error)
    else:
        mechanisms = observed.scram_users.get(desired.name, ())
        if wants_scram and password is not None:
            if password_changed or ScramMechanism.SCRAM_SHA_512 not in mechanisms:
                upsert = password
        elif not wants_scram and mechanisms:
            delete_scram = True
    to_create: tuple[AclBinding, ...] = ()
    to_delete: list[AclBinding] = []
    if observed.acls_error is not None:
        if desired.acls and not deleting:
            failures.append(observed.acls_error)
    else:
        active, inactive = (principal(u) for u in desired.usernames)
        wanted = frozenset() if deleting else desired.acls
        to_create, stale = user_acls.diff(wanted, observed.acls.get(active, frozenset()))
        to_delete = [*stale, *user_acls.diff((), observed.acls.get(inactive, frozenset()))[1]]
    quota_plan: dict[str, dict[str, float | None]] = {}
    if observed.quotas_error is not None:
        if desired.quotas and not deleting:
            failures.append(observed.quotas_error)
    else:
        active_name, inactive_name = desired.usernames
        for username, wanted_quotas in ((active_name, {} if deleting else desired.quotas), (inactive_name, {})):
            changes = quota_changes(wanted_quotas, observed.quotas.get(username, {}))
            if changes:
                quota_plan[username] = changes
    return UserPlan(
        key=desired.key,
        username=desired.username,
        upsert_password=upsert,
        delete_scram=delete_scram,
        acls_to_create=to_create,
        acls_to_delete=tuple(to_delete),
        quota_changes=quota_plan,
        failures=tuple(failures),
    )


@dataclass(frozen=True)
class UserApplied:
    """Kafka's answers for one user's changes (absent: not requested)."""

    scram: OpResult | None = None
    acls_created: tuple[OpResult, ...] = ()
    acls_deleted: tuple[OpResult, ...] = ()
    quotas: Mapping[str, OpResult] = field(default_factory=dict)


@dataclass(frozen=True)
class UserConclusion:
    failure: str | None
    """The first thing that went wrong (None: Kafka matches the resource)."""
    events: tuple[Event, ...]
    scram_stored: bool
    """The SCRAM password was written to Kafka, or did not need to be."""


def conclude(plan: UserPlan, applied: UserApplied, *, deleting: bool = False) -> UserConclusion:
    failures = list(plan.failures)
    events: list[Event] = []
    scram_stored = True
    if plan.upsert_password is not None or plan.delete_scram:
        outcome = applied.scram
        if outcome is not None and not outcome.ok and not (plan.delete_scram and outcome.not_found):
            what = "Storing" if plan.upsert_password is not None else "Deleting"
            failures.append(f"{what} the SCRAM-SHA-512 credential failed: {outcome}")
            scram_stored = plan.upsert_password is None
        elif plan.upsert_password is not None:
            events.append(Event(EventType.NORMAL, "CredentialsChanged", f"Stored SCRAM credentials of {plan.username}"))
        elif not deleting:
            removed = "Removed SCRAM credentials: the user no longer authenticates with scram-sha-512"
            events.append(Event(EventType.NORMAL, "CredentialsRemoved", removed))
    rejected = [r for r in (*applied.acls_created, *applied.acls_deleted) if not r.ok]
    if rejected:
        failures.append(f"Changing ACLs failed: {rejected[0]}")
    elif plan.acls_to_create or plan.acls_to_delete:
        message = f"ACLs of {plan.username}: {len(plan.acls_to_create)} added, {len(plan.acls_to_delete)} removed"
        events.append(Event(EventType.NORMAL, "AclsChanged", message))
    quota_failures = [f"{name}: {r}" for name, r in applied.quotas.items() if not r.ok]
    if quota_failures:
        failures.append(f"Changing quotas failed: {quota_failures[0]}")
    elif plan.quota_changes and not deleting:
        events.append(Event(EventType.NORMAL, "QuotasChanged", f"Changed quotas of {plan.username}"))
    if failures:
        events.append(Event(EventType.WARNING, KAFKA_ERROR, failures[0]))
    return UserConclusion(failures[0] if failures else None, tuple(events), scram_stored)


def user_status(
    user: KafkaUser,
    wanted: Sequence[Wanted],
    *,
    now: datetime,
    username: str | None,
    secret: str | None,
) -> KafkaUserStatus:
    previous = user.status
    return KafkaUserStatus.model_construct(
        conditions=conditions.build(wanted, previous.conditions if previous else None, now),
        observed_generation=user.metadata.generation,
        username=username,
        secret=secret,
    )


def ready() -> tuple[Wanted, ...]:
    return (Wanted(conditions.READY),)


def not_ready(reason: str, message: str) -> tuple[Wanted, ...]:
    """Strimzi's user operator reports failures as `NotReady: True` with a reason."""
    return (Wanted(conditions.NOT_READY, conditions.TRUE, reason, message),)
