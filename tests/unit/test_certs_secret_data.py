"""Strimzi's Secret layouts: keys, annotations, and loading the CA and user back."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12

from krafter.certs import authority, issue, secret_data

pytestmark = pytest.mark.unit

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def ca() -> authority.CertificateAuthority:
    return authority.generate_ca("clients-ca v0", validity_days=365, now=NOW)


@pytest.fixture(scope="module")
def user(ca: authority.CertificateAuthority) -> issue.KeyAndCert:
    return issue.issue_client_certificate(ca, common_name="alice", validity_days=30, now=NOW)


def decoded(content: secret_data.SecretContent, key: str) -> bytes:
    return base64.b64decode(content.data[key])


def test_ca_cert_secret_has_strimzi_keys_and_cert_generation(ca: authority.CertificateAuthority) -> None:
    content = secret_data.ca_cert_secret_content(ca, generation=3)
    assert set(content.data) == {"ca.crt", "ca.p12", "ca.password"}
    assert content.annotations == {"strimzi.io/ca-cert-generation": "3"}
    assert decoded(content, "ca.crt") == ca.cert_pem


def test_ca_key_secret_has_the_key_and_key_generation(ca: authority.CertificateAuthority) -> None:
    content = secret_data.ca_key_secret_content(ca, generation=2)
    assert set(content.data) == {"ca.key"}
    assert content.annotations == {"strimzi.io/ca-key-generation": "2"}
    assert decoded(content, "ca.key") == ca.key_pem


def test_ca_round_trips_through_its_two_secrets(ca: authority.CertificateAuthority) -> None:
    cert = secret_data.ca_cert_secret_content(ca, generation=0)
    key = secret_data.ca_key_secret_content(ca, generation=0)
    assert secret_data.ca_from_secret_data(cert.data, key.data) == ca


def test_ca_p12_opens_with_ca_password(ca: authority.CertificateAuthority) -> None:
    content = secret_data.ca_cert_secret_content(ca, generation=0)
    store = pkcs12.load_pkcs12(decoded(content, "ca.p12"), decoded(content, "ca.password"))
    assert [c.certificate for c in store.additional_certs] == [ca.certificate]


def test_ca_cert_secret_keeps_a_given_password(ca: authority.CertificateAuthority) -> None:
    content = secret_data.ca_cert_secret_content(ca, generation=0, password="KeepMe1234567")
    assert decoded(content, "ca.password") == b"KeepMe1234567"


def test_generated_passwords_are_long_random_alphanumerics() -> None:
    passwords = {secret_data.new_password() for _ in range(20)}
    assert len(passwords) == 20
    assert all(len(p) >= 12 and p.isalnum() and p.isascii() for p in passwords)


def test_retired_ca_cert_key_is_strimzi_dated_name() -> None:
    old = authority.generate_ca("cluster-ca v0", validity_days=10, now=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert secret_data.retired_ca_cert_key(old.cert_pem) == "ca-2025-01-12T03-04-05Z.crt"


def test_retired_ca_cert_stays_in_the_secret_and_the_truststore(ca: authority.CertificateAuthority) -> None:
    replaced = authority.replace_ca_key(ca, common_name="clients-ca v1", validity_days=365, now=NOW)
    content = secret_data.ca_cert_secret_content(replaced, generation=1, retired_cert_pems=[ca.cert_pem])
    retired_key = secret_data.retired_ca_cert_key(ca.cert_pem)
    assert decoded(content, retired_key) == ca.cert_pem
    store = pkcs12.load_pkcs12(decoded(content, "ca.p12"), decoded(content, "ca.password"))
    aliases = {c.friendly_name: c.certificate for c in store.additional_certs}
    assert aliases == {b"ca.crt": replaced.certificate, retired_key.encode(): ca.certificate}


def test_expired_retired_ca_certs_are_dropped(ca: authority.CertificateAuthority) -> None:
    short = authority.generate_ca("clients-ca v0", validity_days=1, now=NOW)
    content = secret_data.ca_cert_secret_content(ca, generation=1, retired_cert_pems=[short.cert_pem, ca.cert_pem])
    live = secret_data.live_retired_ca_certs(content.data, now=NOW + timedelta(days=2))
    assert live == [ca.cert_pem]


def test_missing_ca_key_entry_is_named(ca: authority.CertificateAuthority) -> None:
    cert = secret_data.ca_cert_secret_content(ca, generation=0)
    with pytest.raises(ValueError, match=r"no 'ca\.key' entry"):
        secret_data.ca_from_secret_data(cert.data, {})


def test_invalid_base64_is_reported_with_its_key(ca: authority.CertificateAuthority) -> None:
    key = secret_data.ca_key_secret_content(ca, generation=0)
    with pytest.raises(ValueError, match=r"'ca\.crt' entry is not valid base64"):
        secret_data.ca_from_secret_data({"ca.crt": "%%%"}, key.data)


def test_absent_generation_annotation_is_generation_zero() -> None:
    assert secret_data.generation_of({}, secret_data.CA_CERT_GENERATION) == 0
    assert secret_data.generation_of(None, secret_data.CA_KEY_GENERATION) == 0


def test_generation_annotation_must_be_a_non_negative_integer() -> None:
    with pytest.raises(ValueError, match="must be a non-negative integer"):
        secret_data.generation_of({"strimzi.io/ca-cert-generation": "two"}, secret_data.CA_CERT_GENERATION)


def test_user_secret_has_strimzi_keys(user: issue.KeyAndCert, ca: authority.CertificateAuthority) -> None:
    content = secret_data.user_secret_content(user)
    assert set(content.data) == {"ca.crt", "user.crt", "user.key", "user.p12", "user.password"}
    assert decoded(content, "ca.crt") == ca.cert_pem
    assert x509.load_pem_x509_certificates(decoded(content, "user.crt")) == [user.certificate]


def test_user_p12_opens_with_user_password_under_the_username(user: issue.KeyAndCert) -> None:
    content = secret_data.user_secret_content(user)
    store = pkcs12.load_pkcs12(decoded(content, "user.p12"), decoded(content, "user.password"))
    assert store.cert is not None
    assert store.cert.friendly_name == b"alice"


def test_user_round_trips_through_its_secret(user: issue.KeyAndCert) -> None:
    content = secret_data.user_secret_content(user, password="Stable123456")
    assert secret_data.key_and_cert_from_user_secret_data(content.data) == user


def test_node_secret_holds_the_chain_and_key_with_ca_generations(ca: authority.CertificateAuthority) -> None:
    node = issue.issue_server_certificate(
        ca, common_name="c-kafka", dns_names=["c-pool-0"], ip_addresses=[], validity_days=30, now=NOW
    )
    content = secret_data.node_cert_secret_content("c-pool-0", node, ca_cert_generation=4, ca_key_generation=1)
    assert decoded(content, "c-pool-0.crt") == node.cert_pem + ca.cert_pem
    assert decoded(content, "c-pool-0.key") == node.key_pem
    assert content.annotations == {"strimzi.io/ca-cert-generation": "4", "strimzi.io/ca-key-generation": "1"}


def test_secret_content_repr_never_shows_the_data(ca: authority.CertificateAuthority) -> None:
    content = secret_data.ca_key_secret_content(ca, generation=0)
    assert content.data["ca.key"] not in repr(content)
