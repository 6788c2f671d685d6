"""Leaf certificates signed by a CA, and the PKCS#12 stores Java clients want.

Nodes get server certificates that also allow client auth, because a broker is a TLS client
of the other brokers and controllers. KafkaUsers get client certificates whose subject is
exactly `CN=<username>`: Kafka's default principal builder turns the subject into the
principal, so the ACLs written for `User:CN=<username>` match only if nothing else is in it.

Keys are PEM PKCS#8, which Kafka's PEM keystore reads directly. PKCS#12 files exist for
clients that cannot read PEM; they use PBES2/AES-256 with an HMAC-SHA256 MAC, which Java
has read since 8u301/11.0.12, instead of the RC2/3DES that `openssl pkcs12` used to default to.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from krafter.certs import _time, authority, keys

MAX_COMMON_NAME_LENGTH = 64
"""RFC 5280's upper bound for a CN, enforced by every X.509 library."""

_PKCS12_KDF_ROUNDS = 50_000


@dataclass(frozen=True)
class KeyAndCert:
    """A private key, its certificate and the certificates of the CA that signed it (all PEM)."""

    key_pem: bytes = field(repr=False)
    cert_pem: bytes
    ca_cert_pem: bytes

    @property
    def chain_pem(self) -> bytes:
        """The certificate followed by its CA chain: what a TLS server presents."""
        return self.cert_pem + self.ca_cert_pem

    @cached_property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert_pem)

    @property
    def common_name(self) -> str:
        names = self.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(names[0].value) if names else ""


def issue_server_certificate(
    ca: authority.CertificateAuthority,
    *,
    common_name: str,
    dns_names: Sequence[str],
    ip_addresses: Sequence[str],
    validity_days: int,
    now: datetime,
) -> KeyAndCert:
    """A certificate for a node or component: `O=io.krafter, CN=<common_name>`, the given SANs,
    usable for both server and client authentication.

    Hostname verification only looks at the SANs, so at least one is required.
    """
    names = list(dict.fromkeys(dns_names))
    ips = list(dict.fromkeys(_parse_ip(ip) for ip in ip_addresses))
    if not names and not ips:
        raise ValueError(f"server certificate {common_name!r} needs at least one DNS name or IP address")
    san: list[x509.GeneralName] = [x509.DNSName(name) for name in names]
    san += [x509.IPAddress(ip) for ip in ips]
    return _issue(
        ca,
        subject=_subject(common_name, organization=authority.ORGANIZATION),
        usages=[ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH],
        san=san,
        validity_days=validity_days,
        now=now,
    )


def issue_client_certificate(
    ca: authority.CertificateAuthority,
    *,
    common_name: str,
    validity_days: int,
    now: datetime,
    organization: str | None = None,
) -> KeyAndCert:
    """A client-auth-only certificate with subject `CN=<common_name>` (KafkaUser TLS users).

    Components that authenticate as Krafter itself pass `organization=authority.ORGANIZATION`, giving the
    principal `User:CN=<common_name>,O=io.krafter`.
    """
    return _issue(
        ca,
        subject=_subject(common_name, organization=organization),
        usages=[ExtendedKeyUsageOID.CLIENT_AUTH],
        san=[],
        validity_days=validity_days,
        now=now,
    )


def pkcs12_bundle(key_and_cert: KeyAndCert, password: str, *, alias: str | None = None) -> bytes:
    """A PKCS#12 keystore with the key, its certificate and the CA chain (`user.p12`).

    The alias defaults to the certificate's CN, as Strimzi's keystores do.
    """
    key = keys.load_key(key_and_cert.key_pem)
    ca_chain = x509.load_pem_x509_certificates(key_and_cert.ca_cert_pem)
    name = alias if alias is not None else key_and_cert.common_name
    return pkcs12.serialize_key_and_certificates(
        name.encode(), key, key_and_cert.certificate, ca_chain, _pkcs12_encryption(password)
    )


def pkcs12_truststore(
    ca_cert_pem: bytes,
    password: str,
    *,
    alias: str = "ca.crt",
    also_trusted: Mapping[str, bytes] | None = None,
) -> bytes:
    """A PKCS#12 truststore of trusted-certificate entries (`ca.p12`).

    Every certificate in `ca_cert_pem` is trusted, the first under `alias` and any further ones
    (a custom CA's chain) under `<alias>-<n>`; `also_trusted` adds entries by alias, e.g. the
    retired CA certificates kept during a key replacement. Each entry carries Java's "trusted
    key usage" attribute, without which keytool shows a bare certificate and `KeyStore` ignores it.
    """
    entries: list[pkcs12.PKCS12Certificate] = []
    for index, certificate in enumerate(x509.load_pem_x509_certificates(ca_cert_pem)):
        name = alias if index == 0 else f"{alias}-{index}"
        entries.append(pkcs12.PKCS12Certificate(certificate, name.encode()))
    for name, pem in (also_trusted or {}).items():
        entries.append(pkcs12.PKCS12Certificate(x509.load_pem_x509_certificate(pem), name.encode()))
    return pkcs12.serialize_java_truststore(entries, _pkcs12_encryption(password))


def _issue(
    ca: authority.CertificateAuthority,
    *,
    subject: x509.Name,
    usages: list[x509.ObjectIdentifier],
    san: list[x509.GeneralName],
    validity_days: int,
    now: datetime,
) -> KeyAndCert:
    key = keys.generate_key()
    not_before, not_after = _time.validity_period(now, validity_days)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            # ECDSA keys only sign (ECDHE does the key exchange), so digitalSignature suffices.
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(_authority_key_identifier(ca), critical=False)
    )
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
    certificate = builder.sign(ca.private_key, hashes.SHA256())
    return KeyAndCert(
        key_pem=keys.key_to_pem(key),
        cert_pem=certificate.public_bytes(serialization.Encoding.PEM),
        ca_cert_pem=ca.cert_pem,
    )


def _authority_key_identifier(ca: authority.CertificateAuthority) -> x509.AuthorityKeyIdentifier:
    # Must equal the CA's own SKI; a user-supplied CA may have computed it differently than we would.
    try:
        ski = ca.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    except x509.ExtensionNotFound:
        return x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.private_key.public_key())
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def _subject(common_name: str, *, organization: str | None) -> x509.Name:
    if not 1 <= len(common_name) <= MAX_COMMON_NAME_LENGTH:
        raise ValueError(
            f"common name {common_name!r} has {len(common_name)} characters; "
            f"X.509 allows 1 to {MAX_COMMON_NAME_LENGTH}, so use a shorter name"
        )
    # O before CN in the DER encoding, so the RFC 2253 form Kafka derives is "CN=...,O=...".
    attributes = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization)] if organization else []
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    try:
        return ipaddress.ip_address(text)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not an IP address") from exc


def _pkcs12_encryption(password: str) -> serialization.KeySerializationEncryption:
    if not password:
        raise ValueError("a PKCS#12 store needs a non-empty password")
    return (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(_PKCS12_KDF_ROUNDS)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(password.encode())
    )
