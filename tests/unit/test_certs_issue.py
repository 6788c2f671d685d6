"""Leaf certificates: server certificates verify for their SANs, client certificates carry the username."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from krafter.certs import authority, issue

pytestmark = pytest.mark.unit

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
DNS_NAMES = [
    "my-cluster-kafka-bootstrap.kafka.svc",
    "my-cluster-kafka-bootstrap.kafka.svc.cluster.local",
    "*.my-cluster-kafka-brokers.kafka.svc",
]


@pytest.fixture(scope="module")
def ca() -> authority.CertificateAuthority:
    return authority.generate_ca("cluster-ca v0", validity_days=365, now=NOW)


@pytest.fixture(scope="module")
def server(ca: authority.CertificateAuthority) -> issue.KeyAndCert:
    return issue.issue_server_certificate(
        ca,
        common_name="my-cluster-kafka",
        dns_names=DNS_NAMES,
        ip_addresses=["10.0.0.7", "fd00::7"],
        validity_days=365,
        now=NOW,
    )


@pytest.fixture(scope="module")
def user(ca: authority.CertificateAuthority) -> issue.KeyAndCert:
    return issue.issue_client_certificate(ca, common_name="alice", validity_days=30, now=NOW)


def _verifier(ca: authority.CertificateAuthority) -> PolicyBuilder:
    return PolicyBuilder().store(Store([ca.certificate])).time(NOW + timedelta(days=1))


@pytest.mark.parametrize(
    "hostname",
    [
        "my-cluster-kafka-bootstrap.kafka.svc",
        "my-cluster-kafka-bootstrap.kafka.svc.cluster.local",
        "my-cluster-broker-0.my-cluster-kafka-brokers.kafka.svc",
    ],
)
def test_server_certificate_verifies_against_the_ca_for_each_dns_name(
    ca: authority.CertificateAuthority, server: issue.KeyAndCert, hostname: str
) -> None:
    chain = _verifier(ca).build_server_verifier(x509.DNSName(hostname)).verify(server.certificate, [])
    assert chain[-1] == ca.certificate


@pytest.mark.parametrize("address", ["10.0.0.7", "fd00::7"])
def test_server_certificate_verifies_against_the_ca_for_each_ip_address(
    ca: authority.CertificateAuthority, server: issue.KeyAndCert, address: str
) -> None:
    verifier = _verifier(ca).build_server_verifier(x509.IPAddress(ipaddress.ip_address(address)))
    verifier.verify(server.certificate, [])


def test_server_certificate_does_not_verify_for_other_names(
    ca: authority.CertificateAuthority, server: issue.KeyAndCert
) -> None:
    with pytest.raises(VerificationError):
        _verifier(ca).build_server_verifier(x509.DNSName("evil.example.com")).verify(server.certificate, [])


def test_server_certificate_allows_server_and_client_authentication(server: issue.KeyAndCert) -> None:
    usages = server.certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert set(usages) == {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}


def test_server_certificate_subject_is_common_name_and_krafter_organisation(server: issue.KeyAndCert) -> None:
    assert server.certificate.subject.rfc4514_string() == "CN=my-cluster-kafka,O=io.krafter"


def test_leaf_authority_key_identifier_is_the_ca_subject_key_identifier(
    ca: authority.CertificateAuthority, server: issue.KeyAndCert
) -> None:
    aki = server.certificate.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    ski = ca.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert aki.key_identifier == ski.digest


def test_leaf_has_its_own_subject_key_identifier(server: issue.KeyAndCert) -> None:
    ski = server.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert ski == x509.SubjectKeyIdentifier.from_public_key(server.certificate.public_key())


def test_server_certificate_without_any_san_is_rejected(ca: authority.CertificateAuthority) -> None:
    with pytest.raises(ValueError, match="at least one DNS name or IP address"):
        issue.issue_server_certificate(ca, common_name="x", dns_names=[], ip_addresses=[], validity_days=30, now=NOW)


def test_server_certificate_with_a_malformed_ip_address_is_rejected(ca: authority.CertificateAuthority) -> None:
    with pytest.raises(ValueError, match=r"'10\.0\.0\.300' is not an IP address"):
        issue.issue_server_certificate(
            ca, common_name="x", dns_names=["x"], ip_addresses=["10.0.0.300"], validity_days=30, now=NOW
        )


def test_client_certificate_subject_is_exactly_cn_username(user: issue.KeyAndCert) -> None:
    assert user.certificate.subject.rfc4514_string() == "CN=alice"


def test_client_certificate_is_signed_by_the_ca(ca: authority.CertificateAuthority, user: issue.KeyAndCert) -> None:
    user.certificate.verify_directly_issued_by(ca.certificate)


def test_client_certificate_allows_only_client_authentication(user: issue.KeyAndCert) -> None:
    usages = user.certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usages) == [ExtendedKeyUsageOID.CLIENT_AUTH]


def test_client_certificate_for_a_component_can_carry_the_organisation(ca: authority.CertificateAuthority) -> None:
    component = issue.issue_client_certificate(
        ca, common_name="cluster-operator", validity_days=30, now=NOW, organization=authority.ORGANIZATION
    )
    assert component.certificate.subject.rfc4514_string() == "CN=cluster-operator,O=io.krafter"


def test_username_longer_than_x509_allows_is_rejected_with_the_limit(ca: authority.CertificateAuthority) -> None:
    with pytest.raises(ValueError, match=r"X\.509 allows 1 to 64"):
        issue.issue_client_certificate(ca, common_name="u" * 65, validity_days=30, now=NOW)


def test_leaf_key_is_unencrypted_pkcs8_pem(user: issue.KeyAndCert) -> None:
    assert user.key_pem.startswith(b"-----BEGIN PRIVATE KEY-----")


def test_chain_is_the_certificate_followed_by_the_ca(
    ca: authority.CertificateAuthority, server: issue.KeyAndCert
) -> None:
    assert x509.load_pem_x509_certificates(server.chain_pem) == [server.certificate, ca.certificate]


def test_leaf_repr_never_shows_the_private_key(user: issue.KeyAndCert) -> None:
    assert "PRIVATE" not in repr(user)


def test_pkcs12_bundle_holds_key_certificate_and_ca_under_the_username(
    ca: authority.CertificateAuthority, user: issue.KeyAndCert
) -> None:
    bundle = pkcs12.load_pkcs12(issue.pkcs12_bundle(user, "s3cret-pw"), b"s3cret-pw")
    assert bundle.key is not None
    assert bundle.cert is not None
    assert bundle.key.public_key() == user.certificate.public_key()
    assert bundle.cert.certificate == user.certificate
    assert bundle.cert.friendly_name == b"alice"
    assert [extra.certificate for extra in bundle.additional_certs] == [ca.certificate]


def test_pkcs12_truststore_holds_the_ca_under_the_given_alias(ca: authority.CertificateAuthority) -> None:
    store = pkcs12.load_pkcs12(issue.pkcs12_truststore(ca.cert_pem, "s3cret-pw"), b"s3cret-pw")
    assert store.key is None
    assert [(c.certificate, c.friendly_name) for c in store.additional_certs] == [(ca.certificate, b"ca.crt")]


def test_pkcs12_store_without_password_is_rejected(user: issue.KeyAndCert) -> None:
    with pytest.raises(ValueError, match="non-empty password"):
        issue.pkcs12_bundle(user, "")
