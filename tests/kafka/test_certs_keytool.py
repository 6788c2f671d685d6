"""The PKCS#12 stores open in Java 17's keytool, the reader every Java Kafka client shares.

These start a JVM (about a second each), the only process the certificate tests run; they skip
when keytool is not installed, and fail instead in CI, where it must be.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from krafter.certs import authority, issue

pytestmark = pytest.mark.kafka  # starts a JVM (keytool)

NOW = datetime.now(UTC)
PASSWORD = "Abc123def456ghi"


def _keytool_list(store: Path) -> str:
    keytool = shutil.which("keytool")
    if keytool is None:
        message = "keytool (Java 17) is not installed"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    # C1-only JIT and the serial GC: the JVM runs for a moment, so startup cost is all that matters.
    command = [keytool, "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC", "-list", "-v"]
    command += ["-storetype", "PKCS12", "-keystore", str(store), "-storepass", PASSWORD]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_keytool_reads_the_user_keystore_with_key_and_chain(tmp_path: Path) -> None:
    ca = authority.generate_ca("clients-ca v0", validity_days=365, now=NOW)
    user = issue.issue_client_certificate(ca, common_name="alice", validity_days=30, now=NOW)
    store = tmp_path / "user.p12"
    store.write_bytes(issue.pkcs12_bundle(user, PASSWORD))
    listing = _keytool_list(store)
    assert "Alias name: alice" in listing
    assert "Entry type: PrivateKeyEntry" in listing
    assert "Certificate chain length: 2" in listing


def test_keytool_reads_the_truststore_as_trusted_certificates(tmp_path: Path) -> None:
    ca = authority.generate_ca("cluster-ca v1", validity_days=365, now=NOW)
    retired = authority.generate_ca("cluster-ca v0", validity_days=365, now=NOW)
    store = tmp_path / "ca.p12"
    store.write_bytes(issue.pkcs12_truststore(ca.cert_pem, PASSWORD, also_trusted={"ca-old.crt": retired.cert_pem}))
    listing = _keytool_list(store)
    assert "Your keystore contains 2 entries" in listing
    assert "Alias name: ca.crt" in listing
    assert "Alias name: ca-old.crt" in listing
    assert listing.count("Entry type: trustedCertEntry") == 2
