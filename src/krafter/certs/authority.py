"""The self-signed certificate authorities of a Kafka cluster, and how they age.

Like Strimzi, every cluster has a cluster CA (signs node and component certificates) and a
clients CA (signs KafkaUser certificates). A CA is just its certificate and key; the two ways
it can be refreshed mirror Strimzi's `certificateExpirationPolicy`:

- `renew-certificate` (default): a new certificate for the *same* key and subject. Everything
  the old certificate signed still verifies against the new one, so nothing has to be reissued
  before clients pick up the new CA certificate.
- `replace-key`: a new key and a new subject. Clients must trust both CAs while leaves are
  reissued, which is why the subject carries the key generation (`cluster-ca v1`): two CA
  certificates with one subject but different keys confuse path building.

Subjects follow Strimzi's shape with Krafter's organisation, `O=io.krafter, CN=<name> v<key
generation>`. Nothing validates the issuer's name, so a Strimzi CA taken over unchanged
(`O=io.strimzi`) keeps working; the organisation only tells a human who made the certificate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

from krafter.certs import _time, keys

ORGANIZATION = "io.krafter"
"""The O= of every subject Krafter generates."""


def ca_common_name(name: str, key_generation: int) -> str:
    """The CN of a CA: Strimzi's `"<name> v<key generation>"`, e.g. `cluster-ca v0`."""
    return f"{name} v{key_generation}"


@dataclass(frozen=True)
class CertificateAuthority:
    """A CA certificate and its private key, both PEM.

    `cert_pem` starts with the signing certificate; a user-supplied CA may follow it with the
    certificates that issued it (an intermediate CA with its root), and that whole chain is what
    clients are given to trust and what leaves carry after their own certificate.
    """

    cert_pem: bytes
    key_pem: bytes = field(repr=False)

    def __post_init__(self) -> None:
        # Parse eagerly so a broken Secret fails where it is loaded, with a reason.
        certificate = self.certificate
        if certificate.public_key() != self.private_key.public_key():
            raise ValueError(
                f"the CA key does not belong to the CA certificate {certificate.subject.rfc4514_string()!r}"
            )
        try:
            constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
        except x509.ExtensionNotFound:
            constraints = None
        if constraints is None or not constraints.ca:
            raise ValueError(
                f"certificate {certificate.subject.rfc4514_string()!r} is not a CA certificate "
                "(it lacks basicConstraints CA:TRUE)"
            )

    @cached_property
    def chain(self) -> tuple[x509.Certificate, ...]:
        """Every certificate in `cert_pem`, the signing certificate first."""
        try:
            chain = tuple(x509.load_pem_x509_certificates(self.cert_pem))
        except ValueError as exc:
            raise ValueError(f"the CA certificate is not valid PEM: {exc}") from exc
        return chain

    @property
    def certificate(self) -> x509.Certificate:
        """The certificate that signs: the first in `cert_pem`."""
        return self.chain[0]

    @cached_property
    def private_key(self) -> keys.SigningKey:
        return keys.load_key(self.key_pem)

    @property
    def not_before(self) -> datetime:
        return self.certificate.not_valid_before_utc

    @property
    def not_after(self) -> datetime:
        return self.certificate.not_valid_after_utc

    @property
    def common_name(self) -> str:
        names = self.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(names[0].value) if names else ""

    @property
    def serial_number(self) -> int:
        return self.certificate.serial_number

    @property
    def is_self_signed(self) -> bool:
        try:
            self.certificate.verify_directly_issued_by(self.certificate)
        except (ValueError, TypeError, InvalidSignature):
            return False
        return True


def generate_ca(common_name: str, *, validity_days: int, now: datetime) -> CertificateAuthority:
    """A new self-signed CA with a fresh key, subject `O=io.krafter, CN=<common_name>`."""
    key = keys.generate_key()
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    return _self_sign(key, subject, validity_days=validity_days, now=now)


def renew_ca_certificate(ca: CertificateAuthority, *, validity_days: int, now: datetime) -> CertificateAuthority:
    """A new certificate for the same key and subject (`renew-certificate`); new serial and dates."""
    if not ca.is_self_signed:
        raise ValueError(
            f"CA {ca.common_name!r} is not self-signed, so Krafter cannot renew it; "
            "renew it with the CA that issued it and update the Secret"
        )
    return _self_sign(ca.private_key, ca.certificate.subject, validity_days=validity_days, now=now)


def replace_ca_key(
    ca: CertificateAuthority, *, common_name: str, validity_days: int, now: datetime
) -> CertificateAuthority:
    """A CA with a new key and subject (`replace-key`), to be trusted alongside `ca` for a while.

    `common_name` must differ from the old one (pass the next key generation, see
    `ca_common_name`): during the switch both certificates sit in every truststore.
    """
    if common_name == ca.common_name:
        raise ValueError(
            f"the replacement CA needs a new common name, not {common_name!r}: increment the key generation in it"
        )
    return generate_ca(common_name, validity_days=validity_days, now=now)


def _self_sign(key: keys.SigningKey, subject: x509.Name, *, validity_days: int, now: datetime) -> CertificateAuthority:
    not_before, not_after = _time.validity_period(now, validity_days)
    public_key = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        # path_length=0: this CA signs leaves only, never another CA.
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )
    return CertificateAuthority(
        cert_pem=certificate.public_bytes(serialization.Encoding.PEM),
        key_pem=keys.key_to_pem(key),
    )
