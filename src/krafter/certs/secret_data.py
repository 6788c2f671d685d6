"""Strimzi's Secret layouts for CAs, node certificates and TLS users, as plain data.

Users, tools and client applications read these Secrets by key, so the keys and annotations
are Strimzi's exactly: `<c>-cluster-ca-cert` holds `ca.crt`, `ca.p12`, `ca.password`;
`<c>-cluster-ca` holds `ca.key`; a TLS KafkaUser's Secret holds `ca.crt`, `user.crt`,
`user.key`, `user.p12`, `user.password`. The CA generations live in the
`strimzi.io/ca-cert-generation` and `strimzi.io/ca-key-generation` annotations, and a CA
certificate retired by a key replacement stays trusted as `ca-<notAfter>.crt` until it expires.

Values are base64 strings, ready for `Secret.data`; this module never talks to Kubernetes.
(Named `secret_data`, not `secrets`, so it is never mistaken for the standard library module.)
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from cryptography import x509

from krafter.certs import _time, authority, issue

CA_CERT = "ca.crt"
CA_KEY = "ca.key"
CA_STORE = "ca.p12"
CA_STORE_PASSWORD = "ca.password"
USER_CERT = "user.crt"
USER_KEY = "user.key"
USER_STORE = "user.p12"
USER_STORE_PASSWORD = "user.password"

CA_CERT_GENERATION = "strimzi.io/ca-cert-generation"
CA_KEY_GENERATION = "strimzi.io/ca-key-generation"
FORCE_RENEW = "strimzi.io/force-renew"
"""On a CA certificate Secret: renew the CA certificate in the next maintenance window."""
FORCE_REPLACE = "strimzi.io/force-replace"
"""On a CA key Secret: replace the CA key in the next maintenance window."""

INITIAL_GENERATION = 0
PASSWORD_LENGTH = 24

_RETIRED_CA_CERT = re.compile(r"^ca-.+\.crt$")
_ALPHANUMERIC = string.ascii_letters + string.digits


@dataclass(frozen=True)
class SecretContent:
    """What goes into one Secret: `data` (base64 values) and the annotations it must carry."""

    data: dict[str, str] = field(repr=False)
    annotations: dict[str, str] = field(default_factory=dict)


def new_password() -> str:
    """A random alphanumeric store password (Strimzi's generator uses the same alphabet)."""
    return "".join(secrets.choice(_ALPHANUMERIC) for _ in range(PASSWORD_LENGTH))


def ca_cert_secret_content(
    ca: authority.CertificateAuthority,
    *,
    generation: int,
    password: str | None = None,
    retired_cert_pems: Sequence[bytes] = (),
) -> SecretContent:
    """The CA certificate Secret (`<c>-cluster-ca-cert`, `<c>-clients-ca-cert`).

    Pass the existing `password` to keep it stable; a new one is generated otherwise.
    `retired_cert_pems` are old CA certificates still to be trusted (after a key replacement);
    each is stored as `ca-<notAfter>.crt` and added to `ca.p12` under that alias.
    """
    store_password = password or new_password()
    retired = {retired_ca_cert_key(pem): pem for pem in retired_cert_pems}
    data = {
        CA_CERT: _encode(ca.cert_pem),
        CA_STORE: _encode(issue.pkcs12_truststore(ca.cert_pem, store_password, alias=CA_CERT, also_trusted=retired)),
        CA_STORE_PASSWORD: _encode(store_password.encode()),
    }
    data.update({key: _encode(pem) for key, pem in retired.items()})
    return SecretContent(data=data, annotations={CA_CERT_GENERATION: str(generation)})


def ca_key_secret_content(ca: authority.CertificateAuthority, *, generation: int) -> SecretContent:
    """The CA key Secret (`<c>-cluster-ca`, `<c>-clients-ca`)."""
    return SecretContent(data={CA_KEY: _encode(ca.key_pem)}, annotations={CA_KEY_GENERATION: str(generation)})


def ca_from_secret_data(cert_data: Mapping[str, str], key_data: Mapping[str, str]) -> authority.CertificateAuthority:
    """The CA held by a CA certificate Secret and a CA key Secret (their `data`)."""
    return authority.CertificateAuthority(
        cert_pem=_decoded(cert_data, CA_CERT, "CA certificate"),
        key_pem=_decoded(key_data, CA_KEY, "CA key"),
    )


def generation_of(annotations: Mapping[str, str] | None, key: str) -> int:
    """A generation annotation's value; absent means the initial generation, 0."""
    value = (annotations or {}).get(key)
    if value is None:
        return INITIAL_GENERATION
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise ValueError(f"annotation {key} must be a non-negative integer, got {value!r}")
    return number


def retired_ca_cert_key(cert_pem: bytes) -> str:
    """Strimzi's key for a retired CA certificate: `ca-<notAfter as YYYY-MM-DDTHH-MM-SSZ>.crt`."""
    not_after = x509.load_pem_x509_certificate(cert_pem).not_valid_after_utc
    return f"ca-{not_after:%Y-%m-%dT%H-%M-%S}Z.crt"


def live_retired_ca_certs(cert_data: Mapping[str, str], *, now: datetime) -> list[bytes]:
    """The retired CA certificates in a CA certificate Secret that have not expired yet.

    Expired ones are left out, which is how they leave the Secret on its next write.
    """
    current = _time.as_utc(now)
    live: list[bytes] = []
    for key in sorted(cert_data):
        if _RETIRED_CA_CERT.match(key):
            pem = _decoded(cert_data, key, "retired CA certificate")
            if x509.load_pem_x509_certificate(pem).not_valid_after_utc > current:
                live.append(pem)
    return live


def node_cert_secret_content(
    name: str, key_and_cert: issue.KeyAndCert, *, ca_cert_generation: int, ca_key_generation: int
) -> SecretContent:
    """A per-node (or component) certificate Secret: `<name>.crt` (with the CA chain) and `<name>.key`.

    The CA generations it was issued under are recorded so a later reconcile can tell that it
    predates a CA renewal.
    """
    return SecretContent(
        data={f"{name}.crt": _encode(key_and_cert.chain_pem), f"{name}.key": _encode(key_and_cert.key_pem)},
        annotations={CA_CERT_GENERATION: str(ca_cert_generation), CA_KEY_GENERATION: str(ca_key_generation)},
    )


def user_secret_content(key_and_cert: issue.KeyAndCert, *, password: str | None = None) -> SecretContent:
    """A TLS KafkaUser's Secret. `user.p12` is aliased by the username, as in Strimzi."""
    store_password = password or new_password()
    return SecretContent(
        data={
            CA_CERT: _encode(key_and_cert.ca_cert_pem),
            USER_CERT: _encode(key_and_cert.cert_pem),
            USER_KEY: _encode(key_and_cert.key_pem),
            USER_STORE: _encode(issue.pkcs12_bundle(key_and_cert, store_password)),
            USER_STORE_PASSWORD: _encode(store_password.encode()),
        }
    )


def key_and_cert_from_user_secret_data(data: Mapping[str, str]) -> issue.KeyAndCert:
    """The user's key and certificate back from a TLS KafkaUser Secret's `data`."""
    return issue.KeyAndCert(
        key_pem=_decoded(data, USER_KEY, "user key"),
        cert_pem=_decoded(data, USER_CERT, "user certificate"),
        ca_cert_pem=_decoded(data, CA_CERT, "CA certificate"),
    )


def _encode(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _decoded(data: Mapping[str, str], key: str, what: str) -> bytes:
    if key not in data:
        raise ValueError(f"the Secret has no {key!r} entry with the {what}")
    try:
        return base64.b64decode(data[key], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"the Secret's {key!r} entry is not valid base64: {exc}") from exc
