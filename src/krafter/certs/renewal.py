"""When a CA or a leaf certificate has to be renewed, decided from values alone.

Renewing a CA rolls every Kafka node, so Strimzi only does it inside the user's maintenance
time windows and reports it as postponed otherwise. Krafter follows that, with one exception:
a CA that has already expired has broken TLS anyway, so waiting for a window only prolongs
the outage and the renewal happens at once.

Leaf certificates are checked for the facts that make them unusable or stale: signed by a key
that is no longer the CA's, SANs that no longer match the node's addresses, or close to expiry.
Only the last waits for a maintenance window (`ReissueReason.waits_for_maintenance_window`).
"""

from __future__ import annotations

import enum
import ipaddress
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature

from krafter.certs import _time, authority

ExpirationPolicy = Literal["renew-certificate", "replace-key"]
"""Strimzi's `certificateExpirationPolicy` values."""


class CaAction(enum.Enum):
    """What to do with an existing CA in this reconcile."""

    KEEP = "keep"
    """Nothing is due."""
    POSTPONED = "postponed"
    """Renewal is due but waits for the next maintenance window; report it in the status."""
    RENEW_CERTIFICATE = "renew-certificate"
    """Issue a new CA certificate for the same key (`renew_ca_certificate`)."""
    REPLACE_KEY = "replace-key"
    """Generate a new CA key and certificate (`replace_ca_key`)."""


class ReissueReason(enum.StrEnum):
    """Why a leaf certificate must be issued again; the value reads well in logs and events."""

    MISSING = "the certificate is missing"
    UNREADABLE = "the certificate is not valid PEM"
    OTHER_CA = "the certificate was not signed by the current CA key"
    EXPIRED = "the certificate has expired"
    NAMES_CHANGED = "the certificate's DNS names or IP addresses differ from the required ones"
    EXPIRING = "the certificate is inside its renewal period"

    @property
    def waits_for_maintenance_window(self) -> bool:
        """Only a certificate that still works may wait; every other reason breaks TLS now."""
        return self is ReissueReason.EXPIRING


def decide_ca_action(
    ca: authority.CertificateAuthority,
    *,
    validity_days: int,
    renewal_days: int,
    policy: ExpirationPolicy,
    now: datetime,
    in_maintenance_window: bool,
    force_renew: bool = False,
    force_replace: bool = False,
) -> CaAction:
    """The action for `ca` now.

    `force_renew`/`force_replace` are Strimzi's `strimzi.io/force-renew` (on the CA certificate
    Secret) and `strimzi.io/force-replace` (on the CA key Secret) annotations; they skip the
    renewal period but, as in Strimzi, not the maintenance window. `validity_days` is checked
    against `renewal_days`: if a fresh certificate already fell inside its renewal period, every
    reconcile in a window would renew the CA again and roll the whole cluster.
    """
    if renewal_days >= validity_days:
        raise ValueError(
            f"renewalDays ({renewal_days}) must be less than validityDays ({validity_days}), "
            "otherwise every new CA certificate is immediately due for renewal"
        )
    current = _time.as_utc(now)
    by_policy = CaAction.REPLACE_KEY if policy == "replace-key" else CaAction.RENEW_CERTIFICATE
    if force_replace:
        due = CaAction.REPLACE_KEY
    elif force_renew:
        due = CaAction.RENEW_CERTIFICATE
    elif current >= ca.not_after:
        return by_policy
    elif current >= ca.not_after - timedelta(days=renewal_days):
        due = by_policy
    else:
        return CaAction.KEEP
    return due if in_maintenance_window else CaAction.POSTPONED


def needs_reissue(
    cert_pem: bytes,
    *,
    ca: authority.CertificateAuthority,
    required_dns_names: Iterable[str],
    required_ips: Iterable[str],
    renewal_days: int,
    now: datetime,
) -> ReissueReason | None:
    """Why the leaf certificate `cert_pem` must be reissued, or None if it is fine.

    Reasons that break TLS are reported before `EXPIRING`, so a caller that defers only
    window-bound reasons never defers an urgent one. SANs are compared as sets: a name that is
    no longer required is dropped as promptly as a new one is added.
    """
    if not cert_pem.strip():
        return ReissueReason.MISSING
    try:
        certificate = x509.load_pem_x509_certificate(cert_pem)
    except ValueError:
        return ReissueReason.UNREADABLE
    try:
        certificate.verify_directly_issued_by(ca.certificate)
    except (ValueError, TypeError, InvalidSignature):
        return ReissueReason.OTHER_CA
    current = _time.as_utc(now)
    not_after = certificate.not_valid_after_utc
    if current >= not_after:
        return ReissueReason.EXPIRED
    dns_names, ips = _subject_alternative_names(certificate)
    if dns_names != set(required_dns_names) or ips != {ipaddress.ip_address(ip) for ip in required_ips}:
        return ReissueReason.NAMES_CHANGED
    if current >= not_after - timedelta(days=renewal_days):
        return ReissueReason.EXPIRING
    return None


def _subject_alternative_names(
    certificate: x509.Certificate,
) -> tuple[set[str], set[ipaddress.IPv4Address | ipaddress.IPv6Address]]:
    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set(), set()
    # IP networks only appear in name constraints; filtering them out narrows the type.
    ips = {
        ip
        for ip in san.get_values_for_type(x509.IPAddress)
        if not isinstance(ip, ipaddress.IPv4Network | ipaddress.IPv6Network)
    }
    return set(san.get_values_for_type(x509.DNSName)), ips
