"""How the operator reaches each cluster's Admin API (topics, users, the roller's checks).

Like Strimzi's operators: the replication listener (9091) of the bootstrap Service, with the
operator's client certificate from `<cluster>-cluster-operator-certs`.
`KRAFTER_KAFKA_CONNECTIONS` (JSON) can point a cluster elsewhere for an operator running
outside the cluster network (development, tests).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import tempfile
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path

from lightkube import Client

from krafter.certs import authority, secret_data
from krafter.kafka.admin_types import ConnectionSettings, SecurityProtocol
from krafter.plan import names
from krafter.platform.kubernetes import material

CONNECTIONS_ENV = "KRAFTER_KAFKA_CONNECTIONS"
CONNECTION_RETRY = 30.0


@dataclass(frozen=True)
class Connection:
    settings: ConnectionSettings
    clients_ca: authority.CertificateAuthority | None


class KafkaConnections:
    """How to reach each cluster's Admin API, from its Secrets or an explicit override."""

    def __init__(self, client: Client, workdir: Path | None = None) -> None:
        self.client = client
        self._workdir = workdir
        self._lock = threading.Lock()
        raw = os.environ.get(CONNECTIONS_ENV, "")
        self.overrides: dict[str, dict[str, str]] = json.loads(raw) if raw else {}

    @property
    def workdir(self) -> Path:
        """Created on first use and removed at exit: it holds the operator's private key in PEM."""
        with self._lock:
            if self._workdir is None:
                self._workdir = Path(tempfile.mkdtemp(prefix="krafter-kafka-"))
                weakref.finalize(self, shutil.rmtree, self._workdir, ignore_errors=True)
            return self._workdir

    def _write_set(self, base: Path, files: dict[str, bytes]) -> dict[str, str]:
        """Files that never change once written: one directory per content, each file written
        whole and renamed into place, so threads connecting while certificates are renewed
        never read a half-written file or a new certificate with an old key."""
        digest = hashlib.sha256(b"".join(name.encode() + b"\0" + data for name, data in sorted(files.items())))
        directory = base / digest.hexdigest()[:16]
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        paths = {}
        for name, data in files.items():
            path = directory / name
            if not path.exists():
                fd, temporary = tempfile.mkstemp(dir=directory, prefix=f".{name}.")
                with os.fdopen(fd, "wb") as handle:  # mkstemp creates it 0600
                    handle.write(data)
                os.replace(temporary, path)
            paths[name] = str(path)
        return paths

    def clients_ca(self, namespace: str, cluster: str) -> authority.CertificateAuthority | None:
        cert = material.read_secret(self.client, namespace, names.clients_ca_cert(cluster))
        key = material.read_secret(self.client, namespace, names.clients_ca(cluster))
        cert_pem = base64.b64decode(((cert or {}).get("data") or {}).get(secret_data.CA_CERT, ""))
        key_pem = base64.b64decode(((key or {}).get("data") or {}).get(secret_data.CA_KEY, ""))
        if not cert_pem or not key_pem:
            return None
        return authority.CertificateAuthority(cert_pem, key_pem)

    def connect(self, namespace: str, cluster: str) -> Connection | None:
        override = self.overrides.get(f"{namespace}/{cluster}")
        if override is not None:
            ca_dir = override.get("clients_ca_dir")
            clients_ca = None
            if ca_dir:
                clients_ca = authority.CertificateAuthority(
                    Path(ca_dir, "ca.crt").read_bytes(), Path(ca_dir, "ca.key").read_bytes()
                )
            return Connection(
                _tls(override["bootstrap"], override["ca"], override["cert"], override["key"]), clients_ca
            )
        secret = material.read_secret(self.client, namespace, names.operator_certs(cluster))
        data = {k: base64.b64decode(v) for k, v in ((secret or {}).get("data") or {}).items()}
        if not {"operator.key", "operator.crt", "ca.crt"} <= set(data):
            return None
        files = self._write_set(
            self.workdir / namespace / cluster,
            {name: data[name] for name in ("ca.crt", "operator.crt", "operator.key")},
        )
        bootstrap = f"{names.bootstrap_service(cluster)}.{namespace}.svc:9091"
        return Connection(
            _tls(bootstrap, files["ca.crt"], files["operator.crt"], files["operator.key"]),
            self.clients_ca(namespace, cluster),
        )


def _tls(bootstrap: str, ca: str, cert: str, key: str) -> ConnectionSettings:
    """The operator's mutual-TLS Admin connection (the replication listener's authentication)."""
    return ConnectionSettings(
        bootstrap_servers=bootstrap,
        security_protocol=SecurityProtocol.SSL,
        ssl_cafile=ca,
        ssl_certfile=cert,
        ssl_keyfile=key,
        request_timeout_ms=20_000,
        client_id="krafter-operator",
    )
