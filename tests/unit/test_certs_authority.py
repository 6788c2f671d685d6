"""Certificate authorities: what a new CA looks like, and both ways of refreshing one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from krafter.certs import authority, issue

pytestmark = pytest.mark.unit

NOW = datetime(2025, 3, 1, 12, 0, 30, 123456, tzinfo=UTC)


@pytest.fixture(scope="module")
def ca() -> authority.CertificateAuthority:
    return authority.generate_ca("cluster-ca v0", validity_days=365, now=NOW)


def _strimzi_style_rsa_ca() -> authority.CertificateAuthority:
    """A CA shaped like the ones Strimzi creates with openssl, to be taken over by Krafter."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "io.strimzi"),
            x509.NameAttribute(NameOID.COMMON_NAME, "cluster-ca v0"),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(NOW)
        .not_valid_after(NOW + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    return authority.CertificateAuthority(certificate.public_bytes(serialization.Encoding.PEM), key_pem)


def test_generated_ca_is_self_signed(ca: authority.CertificateAuthority) -> None:
    ca.certificate.verify_directly_issued_by(ca.certificate)
    assert ca.is_self_signed


def test_generated_ca_is_a_critical_ca_true_that_signs_only_leaves(ca: authority.CertificateAuthority) -> None:
    extension = ca.certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    assert extension.critical
    assert (extension.value.ca, extension.value.path_length) == (True, 0)


def test_generated_ca_key_usage_is_certificate_and_crl_signing(ca: authority.CertificateAuthority) -> None:
    usage = ca.certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert (usage.key_cert_sign, usage.crl_sign, usage.digital_signature) == (True, True, False)


def test_generated_ca_subject_is_krafter_organisation_and_given_common_name(
    ca: authority.CertificateAuthority,
) -> None:
    assert ca.certificate.subject.rfc4514_string() == "CN=cluster-ca v0,O=io.krafter"
    assert ca.common_name == "cluster-ca v0"


def test_ca_validity_starts_just_before_now_and_lasts_validity_days(ca: authority.CertificateAuthority) -> None:
    start = NOW.replace(microsecond=0)
    assert ca.not_before == start - timedelta(minutes=5)
    assert ca.not_after == start + timedelta(days=365)


def test_ca_key_is_ec_p256_as_unencrypted_pkcs8_pem(ca: authority.CertificateAuthority) -> None:
    assert ca.key_pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert isinstance(ca.private_key, ec.EllipticCurvePrivateKey)
    assert ca.private_key.curve.name == "secp256r1"


def test_ca_repr_never_shows_the_private_key(ca: authority.CertificateAuthority) -> None:
    assert b"PRIVATE" not in repr(ca).encode()


def test_ca_common_name_carries_the_key_generation() -> None:
    assert authority.ca_common_name("clients-ca", 3) == "clients-ca v3"


def test_naive_now_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        authority.generate_ca("cluster-ca v0", validity_days=365, now=datetime(2025, 1, 1))


def test_renewed_certificate_keeps_the_key_and_subject(ca: authority.CertificateAuthority) -> None:
    renewed = authority.renew_ca_certificate(ca, validity_days=365, now=NOW + timedelta(days=340))
    assert renewed.key_pem == ca.key_pem
    assert renewed.certificate.subject == ca.certificate.subject


def test_renewed_certificate_has_a_new_serial_and_validity(ca: authority.CertificateAuthority) -> None:
    later = NOW + timedelta(days=340)
    renewed = authority.renew_ca_certificate(ca, validity_days=365, now=later)
    assert renewed.serial_number != ca.serial_number
    assert renewed.not_after == later.replace(microsecond=0) + timedelta(days=365)


def test_leaf_issued_before_renewal_verifies_against_the_renewed_certificate(
    ca: authority.CertificateAuthority,
) -> None:
    leaf = issue.issue_client_certificate(ca, common_name="alice", validity_days=30, now=NOW)
    renewed = authority.renew_ca_certificate(ca, validity_days=365, now=NOW + timedelta(days=1))
    leaf.certificate.verify_directly_issued_by(renewed.certificate)


def test_replaced_ca_has_a_new_key_and_common_name(ca: authority.CertificateAuthority) -> None:
    replaced = authority.replace_ca_key(ca, common_name="cluster-ca v1", validity_days=365, now=NOW)
    assert replaced.private_key.public_key() != ca.private_key.public_key()
    assert replaced.common_name == "cluster-ca v1"


def test_replacing_the_key_under_the_same_common_name_is_rejected(ca: authority.CertificateAuthority) -> None:
    with pytest.raises(ValueError, match="increment the key generation"):
        authority.replace_ca_key(ca, common_name="cluster-ca v0", validity_days=365, now=NOW)


def test_ca_whose_key_belongs_to_another_certificate_is_rejected(ca: authority.CertificateAuthority) -> None:
    other = authority.generate_ca("cluster-ca v0", validity_days=365, now=NOW)
    with pytest.raises(ValueError, match="does not belong"):
        authority.CertificateAuthority(cert_pem=ca.cert_pem, key_pem=other.key_pem)


def test_leaf_certificate_is_rejected_as_a_ca(ca: authority.CertificateAuthority) -> None:
    leaf = issue.issue_client_certificate(ca, common_name="alice", validity_days=30, now=NOW)
    with pytest.raises(ValueError, match="not a CA certificate"):
        authority.CertificateAuthority(cert_pem=leaf.cert_pem, key_pem=leaf.key_pem)


def test_garbage_certificate_is_rejected_with_a_reason() -> None:
    with pytest.raises(ValueError, match="not valid PEM"):
        authority.CertificateAuthority(cert_pem=b"nonsense", key_pem=b"nonsense")


def test_strimzi_rsa_ca_is_accepted_and_signs_leaves() -> None:
    strimzi_ca = _strimzi_style_rsa_ca()
    leaf = issue.issue_server_certificate(
        strimzi_ca, common_name="c-kafka", dns_names=["c-kafka-0"], ip_addresses=[], validity_days=30, now=NOW
    )
    leaf.certificate.verify_directly_issued_by(strimzi_ca.certificate)


def test_ca_issued_by_another_ca_cannot_be_renewed_by_krafter(ca: authority.CertificateAuthority) -> None:
    intermediate_key = ec.generate_private_key(ec.SECP256R1())
    intermediate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "intermediate")]))
        .issuer_name(ca.certificate.subject)
        .public_key(intermediate_key.public_key())
        .serial_number(2)
        .not_valid_before(NOW)
        .not_valid_after(NOW + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca.private_key, hashes.SHA256())
    )
    custom = authority.CertificateAuthority(
        cert_pem=intermediate.public_bytes(serialization.Encoding.PEM) + ca.cert_pem,
        key_pem=intermediate_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )
    assert [c.subject.rfc4514_string() for c in custom.chain] == ["CN=intermediate", "CN=cluster-ca v0,O=io.krafter"]
    with pytest.raises(ValueError, match="not self-signed"):
        authority.renew_ca_certificate(custom, validity_days=365, now=NOW)
