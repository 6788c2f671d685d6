"""The credentials of a KafkaUser and its Secret, in Strimzi's exact layout.

SCRAM-SHA-512 users get `password` and `sasl.jaas.config`; TLS users get `ca.crt`,
`user.crt`, `user.key`, `user.p12` and `user.password` (from `certs.secret_data`). Values
are base64 strings, as in `Secret.data`. A generated password is kept for as long as the
Secret holds it, so existing clients keep working across reconciles; a certificate is kept
until it is due for renewal or the clients CA changed.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from krafter.api.user import KafkaUser
from krafter.certs import authority, issue, lifecycle, secret_data

PASSWORD = "password"
JAAS_CONFIG = "sasl.jaas.config"
GENERATED_PASSWORD_LENGTH = 32
_ALPHANUMERIC = string.ascii_letters + string.digits

KIND_LABEL = "strimzi.io/kind"
MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
MANAGER = "krafter"


class SecretLookup(Protocol):
    """Reads one key of a Secret as text (a `secretKeyRef`); None when the Secret or key is missing."""

    def __call__(self, namespace: str | None, name: str, key: str) -> str | None: ...


def no_secrets(namespace: str | None, name: str, key: str) -> str | None:
    """A lookup for callers without user-provided Secrets."""
    return None


class CredentialsError(Exception):
    """Credentials cannot be produced from the resource as it is (the message says which field to fix)."""


def generate_password() -> str:
    return "".join(secrets.choice(_ALPHANUMERIC) for _ in range(GENERATED_PASSWORD_LENGTH))


def jaas_config(username: str, password: str) -> str:
    return (
        f'org.apache.kafka.common.security.scram.ScramLoginModule required username="{username}" password="{password}";'
    )


def encode(text: str | bytes) -> str:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return base64.b64encode(raw).decode("ascii")


def decode_text(data: Mapping[str, str] | None, key: str) -> str | None:
    """A Secret value as text; None when absent or not base64 of UTF-8."""
    if not data or key not in data:
        return None
    try:
        return base64.b64decode(data[key], validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None


@dataclass(frozen=True)
class ScramCredentials:
    password: str = field(repr=False)
    data: dict[str, str] = field(repr=False)
    changed: bool
    """The password differs from the one in the existing Secret (or there was none)."""


def scram_credentials(user: KafkaUser, existing: Mapping[str, str] | None, lookup: SecretLookup) -> ScramCredentials:
    """The password to store in Kafka and the Secret: the user's own, else the existing one, else a new one."""
    name = user.metadata.name or ""
    auth = user.spec.authentication if user.spec else None
    given = getattr(auth, "password", None)
    current = decode_text(existing, PASSWORD)
    if given is not None:
        ref = given.value_from.secret_key_ref
        if ref is None or not ref.name or not ref.key:
            raise CredentialsError(
                "spec.authentication.password.valueFrom.secretKeyRef: name and key are required; "
                "name the Secret and the key that holds the password"
            )
        password = lookup(user.metadata.namespace, ref.name, ref.key)
        if not password:
            raise CredentialsError(
                f"spec.authentication.password.valueFrom.secretKeyRef: Secret {ref.name} has no key {ref.key} "
                "(or is missing); create it, or remove the password to have one generated"
            )
    else:
        password = current or generate_password()
    data = {PASSWORD: encode(password), JAAS_CONFIG: encode(jaas_config(name, password))}
    return ScramCredentials(password=password, data=data, changed=password != current)


@dataclass(frozen=True)
class TlsCredentials:
    data: dict[str, str] = field(repr=False)
    reason: str | None
    """Why a certificate was issued (None: the existing one was kept)."""


def tls_credentials(
    user: KafkaUser,
    existing: Mapping[str, str] | None,
    *,
    ca: authority.CertificateAuthority,
    validity_days: int,
    renewal_days: int,
    now: datetime,
) -> TlsCredentials:
    """A client certificate `CN=<user name>` from the clients CA, reissued only when due."""
    name = user.metadata.name or ""
    auth = user.spec.authentication if user.spec else None
    validity = getattr(auth, "validity_days", None) or validity_days
    renewal = getattr(auth, "renewal_days", None) or renewal_days
    if renewal >= validity:
        raise CredentialsError(
            f"spec.authentication: renewalDays ({renewal}) must be less than validityDays ({validity}); "
            "lower renewalDays or raise validityDays"
        )
    current: issue.KeyAndCert | None = None
    if existing and secret_data.USER_CERT in existing and secret_data.USER_KEY in existing:
        try:
            current = secret_data.key_and_cert_from_user_secret_data(
                {secret_data.CA_CERT: existing.get(secret_data.CA_CERT, encode(b"")), **existing}
            )
        except ValueError:
            current = None
    outcome = lifecycle.ensure_client_certificate(
        current,
        ca=ca,
        common_name=name,
        organization=None,
        validity_days=validity,
        renewal_days=renewal,
        now=now,
    )
    store_password = decode_text(existing, secret_data.USER_STORE_PASSWORD)
    pair = outcome.key_and_cert
    if outcome.reason is None and existing is not None and pair.ca_cert_pem == ca.cert_pem:
        return TlsCredentials(dict(existing), None)
    # Reissued, or kept but the CA certificate was renewed: the Secret carries the current CA.
    pair = issue.KeyAndCert(pair.key_pem, pair.cert_pem, ca.cert_pem)
    content = secret_data.user_secret_content(pair, password=store_password)
    reason = outcome.reason.value if outcome.reason is not None else "the clients CA certificate was renewed"
    return TlsCredentials(content.data, reason)


@dataclass(frozen=True)
class UserSecret:
    """A user's Secret as the caller stores it (a Kubernetes Secret, or files)."""

    name: str
    namespace: str | None
    data: Mapping[str, str] = field(repr=False)
    """Base64 values by Strimzi's keys (`Secret.data`)."""
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    changed: bool
    """`data` differs from the existing Secret's (or there was none)."""

    def decoded(self) -> dict[str, bytes]:
        return {key: base64.b64decode(value) for key, value in self.data.items()}


def secret_name(user: KafkaUser, prefix: str) -> str:
    return f"{prefix}{user.metadata.name or ''}"


def user_secret(
    user: KafkaUser, data: Mapping[str, str], existing: Mapping[str, str] | None, *, prefix: str
) -> UserSecret:
    """The Secret with Strimzi's labels: the KafkaUser's own labels, the template's, and the kind."""
    name = user.metadata.name or ""
    template = user.spec.template.secret if user.spec and user.spec.template else None
    template_meta = template.metadata if template else None
    labels = {
        **(user.metadata.labels or {}),
        **((template_meta.labels if template_meta else None) or {}),
        KIND_LABEL: "KafkaUser",
        "app.kubernetes.io/instance": name,
        "app.kubernetes.io/name": "strimzi-user-operator",
        "app.kubernetes.io/part-of": f"strimzi-{name}",
        MANAGED_BY_LABEL: MANAGER,
    }
    annotations = dict((template_meta.annotations if template_meta else None) or {})
    return UserSecret(
        name=secret_name(user, prefix),
        namespace=user.metadata.namespace,
        data=dict(data),
        labels=labels,
        annotations=annotations,
        changed=dict(data) != dict(existing or {}),
    )
