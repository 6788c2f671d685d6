"""The KafkaUser reconciler: batches of users in, credentials/ACLs/quotas changed, one result per user out.

Kafka's side is read with one request per kind for the whole batch (all SCRAM users, all
quotas, and all ACLs, or each principal's when the batch is tiny) and written the same way,
so reconciling a thousand users costs a handful of round trips. Credentials are decided
here but stored by the caller: each result carries the user's Secret in Strimzi's layout
and what to do with it.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from krafter.api import validation
from krafter.api.errors import errors
from krafter.api.user import KafkaUser, KafkaUserStatus
from krafter.certs import authority
from krafter.kafka.admin import KafkaAdmin
from krafter.kafka.admin_acls import AclBinding
from krafter.kafka.admin_types import KafkaAdminError, OpResult, ScramCredential, ScramMechanism
from krafter.reconcile import conditions, resources, user_plan, user_secrets
from krafter.reconcile.conditions import Event, EventType, Wanted
from krafter.reconcile.user_plan import AuthType, DesiredUser, UserApplied, UserObserved, UserPlan
from krafter.reconcile.user_secrets import SecretLookup, UserSecret, no_secrets

log = logging.getLogger("krafter.reconcile.users")


class SecretAction(enum.Enum):
    APPLY = "apply"
    """Create or update the Secret with `UserResult.secret`."""
    DELETE = "delete"
    """The user has no Secret (tls-external, no authentication, or deleted): remove ours if it exists."""
    KEEP = "keep"
    """Leave the Secret as it is (paused, invalid, or its new password could not be stored in Kafka)."""


@dataclass(frozen=True)
class UserSettings:
    secret_prefix: str = ""
    """Strimzi's `userOperator.secretPrefix`: Secrets are named `<prefix><user>`."""
    validity_days: int = 365
    """Default certificate validity (the clients CA's `validityDays`)."""
    renewal_days: int = 30
    """Default renewal period (the clients CA's `renewalDays`)."""
    retry_seconds: float = 30.0
    describe_all_acls_from: int = 3
    """From this many users on, one DescribeAcls for every ACL instead of two per user."""


@dataclass(frozen=True)
class UserResult:
    key: str
    username: str | None
    status: KafkaUserStatus | None
    """The status to write; None when the resource is being deleted."""
    secret_name: str
    secret_action: SecretAction
    secret: UserSecret | None = None
    """With APPLY: the Secret to store."""
    events: tuple[Event, ...] = ()
    requeue_after: float | None = None
    deleted: bool = False
    """Credentials, ACLs and quotas of a deleted user are gone from Kafka."""

    @property
    def ready(self) -> bool:
        return self.status is not None and conditions.is_ready(self.status.conditions)


@dataclass
class _Active:
    user: KafkaUser
    desired: DesiredUser
    password: str | None = None
    password_changed: bool = False
    secret_data: dict[str, str] | None = None


class UserReconciler:
    """Reconciles KafkaUsers of one Kafka cluster; `clients_ca` signs TLS users' certificates."""

    def __init__(
        self,
        admin: KafkaAdmin,
        clients_ca: authority.CertificateAuthority | None,
        settings: UserSettings | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._admin = admin
        self._ca = clients_ca
        self.settings = settings or UserSettings()
        self._clock = clock or (lambda: datetime.now(UTC))

    def secret_key(self, user: KafkaUser) -> str:
        """How `existing_secrets` is keyed: `namespace/<secret name>`, or the Secret name without a namespace."""
        name = user_secrets.secret_name(user, self.settings.secret_prefix)
        return f"{user.metadata.namespace}/{name}" if user.metadata.namespace else name

    # --- entry points ----------------------------------------------------------------------

    def reconcile(
        self,
        users: Sequence[KafkaUser],
        existing_secrets: Mapping[str, Mapping[str, str]] | None = None,
        lookup: SecretLookup = no_secrets,
    ) -> dict[str, UserResult]:
        """Reconcile a batch. `existing_secrets`: the `data` of the users' current Secrets by `secret_key`;
        `lookup` reads user-provided passwords (`password.valueFrom.secretKeyRef`)."""
        return self._run(users, existing_secrets or {}, lookup, deleting=set())

    def delete(self, users: Sequence[KafkaUser]) -> dict[str, UserResult]:
        """Remove the users' SCRAM credentials, ACLs and quotas from Kafka."""
        return self._run(users, {}, no_secrets, deleting={resources.key(u.metadata) for u in users})

    # --- batch -----------------------------------------------------------------------------

    def _run(
        self,
        users: Sequence[KafkaUser],
        existing: Mapping[str, Mapping[str, str]],
        lookup: SecretLookup,
        deleting: set[str],
    ) -> dict[str, UserResult]:
        now = self._clock()
        results: dict[str, UserResult] = {}
        active: list[_Active] = []
        doomed: list[_Active] = []
        for user in users:
            key = resources.key(user.metadata)
            if key in deleting or resources.is_deleting(user.metadata):
                doomed.append(_Active(user, user_plan.desired_user(user)))
                continue
            if resources.is_paused(user.metadata):
                results[key] = self._kept(user, [Wanted(conditions.PAUSED)], now)
                continue
            problems = errors(validation.validate_user(user))
            if problems:
                message = "; ".join(f.render() for f in problems)
                results[key] = self._invalid(user, message, now)
                continue
            try:
                active.append(self._credentials(user, existing.get(self.secret_key(user)), lookup, now))
            except (user_secrets.CredentialsError, ValueError) as exc:
                results[key] = self._invalid(user, str(exc), now)
        everyone = [*active, *doomed]
        if not everyone:
            return results
        observed = self._observe([a.desired for a in everyone])
        plans = {
            a.desired.key: user_plan.plan_user(
                a.desired, observed, password=a.password, password_changed=a.password_changed
            )
            for a in active
        }
        plans.update({d.desired.key: user_plan.plan_user(d.desired, observed, deleting=True) for d in doomed})
        applied = self._apply([a.desired for a in everyone], plans)
        for item in active:
            results[item.desired.key] = self._active_result(item, plans[item.desired.key], applied, existing, now)
        for item in doomed:
            results[item.desired.key] = self._deleted_result(item, plans[item.desired.key], applied, now)
        return results

    def _credentials(
        self, user: KafkaUser, existing: Mapping[str, str] | None, lookup: SecretLookup, now: datetime
    ) -> _Active:
        desired = user_plan.desired_user(user)
        item = _Active(user, desired)
        if desired.auth is AuthType.SCRAM_SHA_512:
            scram = user_secrets.scram_credentials(user, existing, lookup)
            item.password, item.password_changed, item.secret_data = scram.password, scram.changed, scram.data
        elif desired.auth is AuthType.TLS:
            if self._ca is None:
                raise user_secrets.CredentialsError(
                    "spec.authentication: tls users need the clients CA, which is missing"
                )
            tls = user_secrets.tls_credentials(
                user,
                existing,
                ca=self._ca,
                validity_days=self.settings.validity_days,
                renewal_days=self.settings.renewal_days,
                now=now,
            )
            item.secret_data = tls.data
            if tls.reason is not None:
                log.info("%s: issued a client certificate (%s)", desired.key, tls.reason)
        return item

    # --- Kafka -----------------------------------------------------------------------------

    def _observe(self, desired: Sequence[DesiredUser]) -> UserObserved:
        scram_users: Mapping[str, tuple[ScramMechanism, ...]] = {}
        scram_error = acls_error = quotas_error = None
        try:
            scram_users = self._admin.describe_scram_users()
        except KafkaAdminError as exc:
            scram_error = str(exc)
        by_principal: dict[str, set[AclBinding]] = {}
        try:
            principals = [user_plan.principal(u) for d in desired for u in d.usernames]
            if len(desired) >= self.settings.describe_all_acls_from:
                bindings = self._admin.describe_acls()
            else:
                bindings = [b for p in principals for b in self._admin.describe_acls(p)]
            for binding in bindings:
                by_principal.setdefault(binding.principal, set()).add(binding)
        except KafkaAdminError as exc:
            acls_error = str(exc)
        quotas: Mapping[str, Mapping[str, float]] = {}
        try:
            quotas = self._admin.describe_client_quotas()
        except KafkaAdminError as exc:
            quotas_error = str(exc)
        return UserObserved(
            scram_users=scram_users,
            acls={p: frozenset(b) for p, b in by_principal.items()},
            quotas=quotas,
            scram_error=scram_error,
            acls_error=acls_error,
            quotas_error=quotas_error,
        )

    def _apply(self, desired: Sequence[DesiredUser], plans: Mapping[str, UserPlan]) -> dict[str, UserApplied]:
        admin = self._admin
        names = {d.key: d.name for d in desired}
        upserts = [
            ScramCredential(names[key], plan.upsert_password)
            for key, plan in plans.items()
            if plan.upsert_password is not None
        ]
        scram = _guarded(
            "storing SCRAM credentials", [c.user for c in upserts], lambda: admin.upsert_scram_credentials(upserts)
        )
        removals = [names[key] for key, plan in plans.items() if plan.delete_scram]
        scram.update(_guarded("deleting SCRAM credentials", removals, lambda: admin.delete_scram_credentials(removals)))
        created = _acl_results([(k, b) for k, p in plans.items() for b in p.acls_to_create], admin.create_acls)
        deleted = _acl_results([(k, b) for k, p in plans.items() for b in p.acls_to_delete], admin.delete_acls)
        changes = {name: dict(ops) for plan in plans.values() for name, ops in plan.quota_changes.items()}
        quotas = _guarded("changing quotas", list(changes), lambda: admin.alter_client_quotas(changes))
        applied = {}
        for key, plan in plans.items():
            applied[key] = UserApplied(
                scram=scram.get(names[key]) if plan.upsert_password is not None or plan.delete_scram else None,
                acls_created=tuple(created.get(key, ())),
                acls_deleted=tuple(deleted.get(key, ())),
                quotas={name: quotas.get(name, _MISSING) for name in plan.quota_changes},
            )
        return applied

    # --- results ---------------------------------------------------------------------------

    def _active_result(
        self,
        item: _Active,
        plan: UserPlan,
        applied: Mapping[str, UserApplied],
        existing: Mapping[str, Mapping[str, str]],
        now: datetime,
    ) -> UserResult:
        user, desired = item.user, item.desired
        conclusion = user_plan.conclude(plan, applied.get(desired.key, UserApplied()))
        name = user_secrets.secret_name(user, self.settings.secret_prefix)
        current = existing.get(self.secret_key(user))
        secret: UserSecret | None = None
        if item.secret_data is None:
            action = SecretAction.DELETE
        elif not conclusion.scram_stored:
            action = SecretAction.KEEP  # never hand out a password Kafka does not know
        else:
            action = SecretAction.APPLY
            secret = user_secrets.user_secret(user, item.secret_data, current, prefix=self.settings.secret_prefix)
        has_secret = action is SecretAction.APPLY or (action is SecretAction.KEEP and current is not None)
        if conclusion.failure is None:
            wanted = user_plan.ready()
        else:
            wanted = user_plan.not_ready(user_plan.KAFKA_ERROR, conclusion.failure)
        status = user_plan.user_status(
            user, wanted, now=now, username=desired.username, secret=name if has_secret else None
        )
        for event in conclusion.events:
            log.info("%s: %s", desired.key, event.message)
        return UserResult(
            desired.key,
            desired.username,
            status,
            name,
            action,
            secret,
            events=self._warnings(user, wanted, conclusion.events),
            requeue_after=self.settings.retry_seconds if conclusion.failure else None,
        )

    def _deleted_result(
        self, item: _Active, plan: UserPlan, applied: Mapping[str, UserApplied], now: datetime
    ) -> UserResult:
        user, desired = item.user, item.desired
        conclusion = user_plan.conclude(plan, applied.get(desired.key, UserApplied()), deleting=True)
        name = user_secrets.secret_name(user, self.settings.secret_prefix)
        if conclusion.failure is None:
            event = Event(
                EventType.NORMAL, "UserDeleted", f"Removed credentials, ACLs and quotas of {desired.username}"
            )
            return UserResult(
                desired.key, desired.username, None, name, SecretAction.DELETE, events=(event,), deleted=True
            )
        wanted = user_plan.not_ready(user_plan.KAFKA_ERROR, conclusion.failure)
        status = user_plan.user_status(user, wanted, now=now, username=desired.username, secret=None)
        return UserResult(
            desired.key,
            desired.username,
            status,
            name,
            SecretAction.KEEP,
            events=self._warnings(user, wanted, conclusion.events),
            requeue_after=self.settings.retry_seconds,
        )

    def _kept(self, user: KafkaUser, wanted: Sequence[Wanted], now: datetime) -> UserResult:
        previous = user.status
        status = user_plan.user_status(
            user,
            wanted,
            now=now,
            username=previous.username if previous else None,
            secret=previous.secret if previous else None,
        )
        name = user_secrets.secret_name(user, self.settings.secret_prefix)
        return UserResult(resources.key(user.metadata), status.username, status, name, SecretAction.KEEP)

    def _invalid(self, user: KafkaUser, message: str, now: datetime) -> UserResult:
        wanted = user_plan.not_ready(user_plan.INVALID_RESOURCE, message)
        result = self._kept(user, wanted, now)
        events = self._warnings(user, wanted, (Event(EventType.WARNING, user_plan.INVALID_RESOURCE, message),))
        return UserResult(
            result.key, result.username, result.status, result.secret_name, SecretAction.KEEP, events=events
        )

    def _warnings(self, user: KafkaUser, wanted: Sequence[Wanted], events: Sequence[Event]) -> tuple[Event, ...]:
        previous = user.status.conditions if user.status else None
        if conditions.already_reported(wanted, previous):
            return tuple(e for e in events if e.type is not EventType.WARNING)
        return tuple(events)


_MISSING = OpResult(error_name="UNKNOWN_SERVER_ERROR", error_code=-1, message="Kafka did not answer for this user")


def _failed(exc: KafkaAdminError) -> OpResult:
    return OpResult(error_name=exc.error_name, error_code=exc.error_code or -1, message=str(exc))


def _guarded(action: str, names: list[str], call: Callable[[], Mapping[str, OpResult]]) -> dict[str, OpResult]:
    """One batched call; a failure of the whole request becomes every item's failure."""
    if not names:
        return {}
    try:
        return dict(call())
    except KafkaAdminError as exc:
        log.warning("%s for %d users failed: %s", action, len(names), exc)
        return {name: _failed(exc) for name in names}


def _acl_results(
    owned: list[tuple[str, AclBinding]], call: Callable[[Sequence[AclBinding]], list[OpResult]]
) -> dict[str, list[OpResult]]:
    """One batched ACL request; results are in request order, handed back to each binding's user."""
    if not owned:
        return {}
    try:
        outcomes = call([binding for _, binding in owned])
    except KafkaAdminError as exc:
        log.warning("ACL request for %d bindings failed: %s", len(owned), exc)
        outcomes = [_failed(exc)] * len(owned)
    by_key: dict[str, list[OpResult]] = {}
    for (key, _), outcome in zip(owned, outcomes, strict=False):
        by_key.setdefault(key, []).append(outcome)
    return by_key
