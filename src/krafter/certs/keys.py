"""Private keys: which algorithm Krafter generates and which ones it accepts.

New keys are EC P-256: generation takes microseconds instead of the hundreds of milliseconds
RSA needs, the keys are small, and every consumer accepts them (Kafka's PEM store tries the
RSA, DSA and EC key factories; Java 17 and OpenSSL speak ECDSA TLS). RSA keys are still *loaded*,
because a CA taken over from Strimzi (RSA 4096) or supplied by the user must keep signing.
Keys are PEM PKCS#8 and unencrypted, the only private key format Kafka's PEM keystore reads
without an extra key password.
"""

from __future__ import annotations

from typing import TypeAlias

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

SigningKey: TypeAlias = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
"""A private key that may sign certificates."""


def generate_key() -> ec.EllipticCurvePrivateKey:
    """A fresh EC P-256 private key."""
    return ec.generate_private_key(ec.SECP256R1())


def key_to_pem(key: SigningKey) -> bytes:
    """The key as unencrypted PEM PKCS#8 (`-----BEGIN PRIVATE KEY-----`)."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_key(pem: bytes) -> SigningKey:
    """Parse an unencrypted PEM private key (PKCS#8 or traditional), EC or RSA only."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not an unencrypted PEM private key: {exc}") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise ValueError(f"unsupported private key type {type(key).__name__}; use an EC or RSA key")
    return key
