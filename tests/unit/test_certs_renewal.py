"""Renewal decisions: when a CA is renewed or postponed, and why a leaf is reissued."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from krafter.certs import authority, issue, renewal
from krafter.certs.renewal import CaAction, ReissueReason

pytestmark = pytest.mark.unit

ISSUED = datetime(2025, 1, 1, tzinfo=UTC)
VALIDITY_DAYS = 365
RENEWAL_DAYS = 30
NAMES = ["c-broker-0.c-kafka-brokers.ns.svc", "c-kafka-bootstrap.ns.svc"]
IPS = ["10.1.2.3"]


@pytest.fixture(scope="module")
def ca() -> authority.CertificateAuthority:
    return authority.generate_ca("cluster-ca v0", validity_days=VALIDITY_DAYS, now=ISSUED)


@pytest.fixture(scope="module")
def leaf(ca: authority.CertificateAuthority) -> issue.KeyAndCert:
    return issue.issue_server_certificate(
        ca, common_name="c-kafka", dns_names=NAMES, ip_addresses=IPS, validity_days=VALIDITY_DAYS, now=ISSUED
    )


def _days_before_expiry(ca: authority.CertificateAuthority, days: float) -> datetime:
    return ca.not_after - timedelta(days=days)


@pytest.mark.parametrize(
    ("days_before_expiry", "in_window", "policy", "expected"),
    [
        pytest.param(100, True, "renew-certificate", CaAction.KEEP, id="before-renewal-period-keeps"),
        pytest.param(30.1, True, "replace-key", CaAction.KEEP, id="just-before-renewal-period-keeps"),
        pytest.param(30, True, "renew-certificate", CaAction.RENEW_CERTIFICATE, id="renewal-period-start-renews"),
        pytest.param(10, True, "renew-certificate", CaAction.RENEW_CERTIFICATE, id="inside-period-renews-cert"),
        pytest.param(10, True, "replace-key", CaAction.REPLACE_KEY, id="inside-period-replaces-key-by-policy"),
        pytest.param(10, False, "renew-certificate", CaAction.POSTPONED, id="outside-window-postpones"),
        pytest.param(10, False, "replace-key", CaAction.POSTPONED, id="outside-window-postpones-key-too"),
        pytest.param(100, False, "renew-certificate", CaAction.KEEP, id="nothing-due-outside-window-keeps"),
        pytest.param(-1, False, "renew-certificate", CaAction.RENEW_CERTIFICATE, id="expired-renews-at-once"),
        pytest.param(0, False, "replace-key", CaAction.REPLACE_KEY, id="expired-replaces-key-at-once"),
    ],
)
def test_ca_action_follows_renewal_period_window_and_policy(
    ca: authority.CertificateAuthority,
    days_before_expiry: float,
    in_window: bool,
    policy: renewal.ExpirationPolicy,
    expected: CaAction,
) -> None:
    action = renewal.decide_ca_action(
        ca,
        validity_days=VALIDITY_DAYS,
        renewal_days=RENEWAL_DAYS,
        policy=policy,
        now=_days_before_expiry(ca, days_before_expiry),
        in_maintenance_window=in_window,
    )
    assert action is expected


def test_force_renew_renews_the_certificate_before_the_renewal_period(ca: authority.CertificateAuthority) -> None:
    action = renewal.decide_ca_action(
        ca,
        validity_days=VALIDITY_DAYS,
        renewal_days=RENEWAL_DAYS,
        policy="replace-key",
        now=ISSUED,
        in_maintenance_window=True,
        force_renew=True,
    )
    assert action is CaAction.RENEW_CERTIFICATE


def test_force_renew_still_waits_for_a_maintenance_window(ca: authority.CertificateAuthority) -> None:
    action = renewal.decide_ca_action(
        ca,
        validity_days=VALIDITY_DAYS,
        renewal_days=RENEWAL_DAYS,
        policy="renew-certificate",
        now=ISSUED,
        in_maintenance_window=False,
        force_renew=True,
    )
    assert action is CaAction.POSTPONED


def test_force_replace_replaces_the_key_whatever_the_policy(ca: authority.CertificateAuthority) -> None:
    action = renewal.decide_ca_action(
        ca,
        validity_days=VALIDITY_DAYS,
        renewal_days=RENEWAL_DAYS,
        policy="renew-certificate",
        now=ISSUED,
        in_maintenance_window=True,
        force_replace=True,
    )
    assert action is CaAction.REPLACE_KEY


def test_renewal_days_not_below_validity_days_is_rejected(ca: authority.CertificateAuthority) -> None:
    with pytest.raises(ValueError, match=r"renewalDays \(30\) must be less than validityDays \(30\)"):
        renewal.decide_ca_action(
            ca,
            validity_days=30,
            renewal_days=30,
            policy="renew-certificate",
            now=ISSUED,
            in_maintenance_window=True,
        )


def _reissue(
    cert_pem: bytes,
    ca: authority.CertificateAuthority,
    *,
    now: datetime = ISSUED + timedelta(days=1),
    names: list[str] = NAMES,
    ips: list[str] = IPS,
) -> ReissueReason | None:
    return renewal.needs_reissue(
        cert_pem, ca=ca, required_dns_names=names, required_ips=ips, renewal_days=RENEWAL_DAYS, now=now
    )


def test_fresh_certificate_with_the_required_names_needs_nothing(
    ca: authority.CertificateAuthority, leaf: issue.KeyAndCert
) -> None:
    assert _reissue(leaf.cert_pem, ca) is None


def test_san_order_and_ip_spelling_do_not_matter(ca: authority.CertificateAuthority, leaf: issue.KeyAndCert) -> None:
    assert _reissue(leaf.cert_pem, ca, names=list(reversed(NAMES)), ips=["10.1.2.3"]) is None


def test_missing_certificate_is_reissued(ca: authority.CertificateAuthority) -> None:
    assert _reissue(b"", ca) is ReissueReason.MISSING


def test_unreadable_certificate_is_reissued(ca: authority.CertificateAuthority) -> None:
    assert _reissue(b"-----BEGIN CERTIFICATE-----\nnope\n", ca) is ReissueReason.UNREADABLE


def test_certificate_signed_by_a_replaced_ca_key_is_reissued(
    ca: authority.CertificateAuthority, leaf: issue.KeyAndCert
) -> None:
    replaced = authority.replace_ca_key(ca, common_name="cluster-ca v1", validity_days=VALIDITY_DAYS, now=ISSUED)
    assert _reissue(leaf.cert_pem, replaced) is ReissueReason.OTHER_CA


def test_certificate_survives_a_renewal_of_the_ca_certificate(
    ca: authority.CertificateAuthority, leaf: issue.KeyAndCert
) -> None:
    renewed = authority.renew_ca_certificate(ca, validity_days=VALIDITY_DAYS, now=ISSUED + timedelta(days=2))
    assert _reissue(leaf.cert_pem, renewed) is None


def test_certificate_missing_a_new_dns_name_is_reissued(
    ca: authority.CertificateAuthority, leaf: issue.KeyAndCert
) -> None:
    assert _reissue(leaf.cert_pem, ca, names=[*NAMES, "kafka.example.com"]) is ReissueReason.NAMES_CHANGED


def test_certificate_with_an_ip_no_longer_required_is_reissued(
    ca: authority.CertificateAuthority, leaf: issue.KeyAndCert
) -> None:
    assert _reissue(leaf.cert_pem, ca, ips=[]) is ReissueReason.NAMES_CHANGED


def test_certificate_inside_its_renewal_period_is_reissued_in_a_window(
    ca: authority.CertificateAuthority, leaf: issue.KeyAndCert
) -> None:
    reason = _reissue(leaf.cert_pem, ca, now=leaf.certificate.not_valid_after_utc - timedelta(days=29))
    assert reason is ReissueReason.EXPIRING
    assert reason.waits_for_maintenance_window


def test_expired_certificate_is_reissued_without_waiting(
    ca: authority.CertificateAuthority, leaf: issue.KeyAndCert
) -> None:
    reason = _reissue(leaf.cert_pem, ca, now=leaf.certificate.not_valid_after_utc)
    assert reason is ReissueReason.EXPIRED
    assert not reason.waits_for_maintenance_window


def test_changed_names_are_reported_before_an_approaching_expiry(
    ca: authority.CertificateAuthority, leaf: issue.KeyAndCert
) -> None:
    expiring = leaf.certificate.not_valid_after_utc - timedelta(days=1)
    assert _reissue(leaf.cert_pem, ca, now=expiring, names=NAMES[:1]) is ReissueReason.NAMES_CHANGED


def test_client_certificate_without_sans_needs_nothing_when_none_are_required(
    ca: authority.CertificateAuthority,
) -> None:
    user = issue.issue_client_certificate(ca, common_name="alice", validity_days=VALIDITY_DAYS, now=ISSUED)
    assert _reissue(user.cert_pem, ca, names=[], ips=[]) is None


def test_reissue_reason_reads_as_a_sentence() -> None:
    assert f"reissuing: {ReissueReason.OTHER_CA}" == "reissuing: the certificate was not signed by the current CA key"
