"""Create-or-keep-or-renew for CAs and leaf certificates, shared by both platforms.

The operator keeps key material in Secrets and the local platform in files; both load what
exists, call these functions, and store what comes back when `changed` says so. The decisions
themselves (`renewal.py`) stay pure; this module only strings them together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from krafter.certs import authority, issue, renewal


@dataclass(frozen=True)
class CaSettings:
    validity_days: int = 365
    renewal_days: int = 30
    policy: renewal.ExpirationPolicy = "renew-certificate"
    generate: bool = True


@dataclass(frozen=True)
class CaState:
    ca: authority.CertificateAuthority
    cert_generation: int = 0
    key_generation: int = 0


@dataclass(frozen=True)
class CaOutcome:
    state: CaState
    action: str
    """`created`, `kept`, `postponed`, `renew-certificate` or `replace-key`."""

    @property
    def changed(self) -> bool:
        return self.action in {"created", "renew-certificate", "replace-key"}


def ensure_ca(
    existing: CaState | None,
    *,
    name: str,
    settings: CaSettings,
    now: datetime,
    in_maintenance_window: bool,
) -> CaOutcome:
    """The CA to use: the existing one, renewed when due, or a new one (`name`: e.g. `cluster-ca`)."""
    if existing is None:
        if not settings.generate:
            raise ValueError(f"{name} is user-provided (generateCertificateAuthority: false) but missing")
        ca = authority.generate_ca(authority.ca_common_name(name, 0), validity_days=settings.validity_days, now=now)
        return CaOutcome(CaState(ca), "created")
    if not settings.generate:
        return CaOutcome(existing, "kept")  # user-provided CAs are never renewed by Krafter
    action = renewal.decide_ca_action(
        existing.ca,
        validity_days=settings.validity_days,
        renewal_days=settings.renewal_days,
        policy=settings.policy,
        now=now,
        in_maintenance_window=in_maintenance_window,
    )
    if action is renewal.CaAction.RENEW_CERTIFICATE:
        renewed = authority.renew_ca_certificate(existing.ca, validity_days=settings.validity_days, now=now)
        return CaOutcome(CaState(renewed, existing.cert_generation + 1, existing.key_generation), action.value)
    if action is renewal.CaAction.REPLACE_KEY:
        key_generation = existing.key_generation + 1
        replaced = authority.replace_ca_key(
            existing.ca,
            common_name=authority.ca_common_name(name, key_generation),
            validity_days=settings.validity_days,
            now=now,
        )
        return CaOutcome(CaState(replaced, existing.cert_generation + 1, key_generation), action.value)
    return CaOutcome(existing, "postponed" if action is renewal.CaAction.POSTPONED else "kept")


@dataclass(frozen=True)
class LeafOutcome:
    key_and_cert: issue.KeyAndCert
    reason: renewal.ReissueReason | None
    """Why it was (re)issued; None when the existing certificate was kept."""


def ensure_server_certificate(
    existing: issue.KeyAndCert | None,
    *,
    ca: authority.CertificateAuthority,
    common_name: str,
    dns_names: Sequence[str],
    ip_addresses: Sequence[str],
    validity_days: int,
    renewal_days: int,
    now: datetime,
    in_maintenance_window: bool,
) -> LeafOutcome:
    reason = renewal.needs_reissue(
        existing.cert_pem if existing else b"",
        ca=ca,
        required_dns_names=dns_names,
        required_ips=ip_addresses,
        renewal_days=renewal_days,
        now=now,
    )
    if existing is not None and (reason is None or (reason.waits_for_maintenance_window and not in_maintenance_window)):
        if existing.ca_cert_pem == ca.cert_pem:
            return LeafOutcome(existing, None)
        # Same key, renewed CA certificate: present the current chain without reissuing.
        return LeafOutcome(issue.KeyAndCert(existing.key_pem, existing.cert_pem, ca.cert_pem), None)
    issued = issue.issue_server_certificate(
        ca,
        common_name=common_name,
        dns_names=dns_names,
        ip_addresses=ip_addresses,
        validity_days=validity_days,
        now=now,
    )
    return LeafOutcome(issued, reason or renewal.ReissueReason.MISSING)


def ensure_client_certificate(
    existing: issue.KeyAndCert | None,
    *,
    ca: authority.CertificateAuthority,
    common_name: str,
    organization: str | None,
    validity_days: int,
    renewal_days: int,
    now: datetime,
) -> LeafOutcome:
    """Client certificates have no SANs; they are reissued when stale, expiring or from another CA."""
    if existing is not None:
        reason = renewal.needs_reissue(
            existing.cert_pem, ca=ca, required_dns_names=(), required_ips=(), renewal_days=renewal_days, now=now
        )
        if reason is None and existing.common_name == common_name:
            return LeafOutcome(existing, None)
        reason = reason or renewal.ReissueReason.NAMES_CHANGED
    else:
        reason = renewal.ReissueReason.MISSING
    issued = issue.issue_client_certificate(
        ca, common_name=common_name, validity_days=validity_days, now=now, organization=organization
    )
    return LeafOutcome(issued, reason)
