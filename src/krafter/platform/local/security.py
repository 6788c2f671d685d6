"""Key material of a local cluster, kept as files: the same CAs and certificates as on Kubernetes.

Loading and storing is all this module does; whether a CA or certificate is created, kept or
renewed is decided by `certs.lifecycle`, exactly as the operator decides it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from krafter.api.common import CertificateAuthority as CaSpec
from krafter.certs import authority, issue, lifecycle
from krafter.plan import names
from krafter.plan.model import ClusterPlan, NodePlan
from krafter.plan.node_files import certificate_files


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


def settings_of(spec: CaSpec | None) -> lifecycle.CaSettings:
    if spec is None:
        return lifecycle.CaSettings()
    return lifecycle.CaSettings(
        validity_days=spec.validity_days,
        renewal_days=spec.renewal_days,
        policy=spec.certificate_expiration_policy,
        generate=spec.generate_certificate_authority,
    )


def _load_ca(directory: Path) -> lifecycle.CaState | None:
    cert, key, meta = directory / "ca.crt", directory / "ca.key", directory / "generation.json"
    if not cert.exists() or not key.exists():
        return None
    generations = json.loads(meta.read_text()) if meta.exists() else {}
    return lifecycle.CaState(
        authority.CertificateAuthority(cert.read_bytes(), key.read_bytes()),
        generations.get("cert", 0),
        generations.get("key", 0),
    )


def _store_ca(directory: Path, state: lifecycle.CaState) -> None:
    _write_private(directory / "ca.key", state.ca.key_pem)
    _write_private(directory / "ca.crt", state.ca.cert_pem)
    (directory / "generation.json").write_text(
        json.dumps({"cert": state.cert_generation, "key": state.key_generation}) + "\n"
    )


def ensure_ca(directory: Path, name: str, spec: CaSpec | None, now: datetime) -> lifecycle.CaOutcome:
    # The local platform has no maintenance windows: a `krafter up` is the user's chosen moment.
    outcome = lifecycle.ensure_ca(
        _load_ca(directory), name=name, settings=settings_of(spec), now=now, in_maintenance_window=True
    )
    if outcome.changed:
        _store_ca(directory, outcome.state)
    return outcome


@dataclass(frozen=True)
class ClusterCas:
    cluster: lifecycle.CaState
    clients: lifecycle.CaState
    changed: bool


def ensure_cas(ca_root: Path, plan: ClusterPlan, now: datetime) -> ClusterCas:
    spec = plan.kafka.spec
    cluster = ensure_ca(ca_root / "cluster", "cluster-ca", spec.cluster_ca, now)
    clients = ensure_ca(ca_root / "clients", "clients-ca", spec.clients_ca, now)
    return ClusterCas(cluster.state, clients.state, cluster.changed or clients.changed)


def _load_pair(key: Path, chain: Path, ca_pem: bytes) -> issue.KeyAndCert | None:
    if not key.exists() or not chain.exists():
        return None
    return issue.KeyAndCert(key.read_bytes(), chain.read_bytes(), ca_pem)


def node_certificate_files(
    certs_dir: Path, node: NodePlan, cas: ClusterCas, spec: CaSpec | None, now: datetime
) -> dict[str, bytes]:
    """The node's certs/ files, reissuing its certificate only when needed."""
    ca = cas.cluster.ca
    existing = _load_pair(certs_dir / "node.key", certs_dir / "node.crt", ca.cert_pem)
    settings = settings_of(spec)
    outcome = lifecycle.ensure_server_certificate(
        existing,
        ca=ca,
        common_name=node.certificate.common_name,
        dns_names=node.certificate.dns_names,
        ip_addresses=node.certificate.ip_addresses,
        validity_days=settings.validity_days,
        renewal_days=settings.renewal_days,
        now=now,
        in_maintenance_window=True,
    )
    pair = outcome.key_and_cert
    files = certificate_files(pair.key_pem, pair.chain_pem, ca.cert_pem, cas.clients.ca.cert_pem)
    files["node.key"] = pair.key_pem
    files["node.crt"] = pair.cert_pem
    return files


@dataclass(frozen=True)
class OperatorIdentity:
    """Files the CLI uses to reach the cluster's replication listener as a super user."""

    ca_file: Path
    cert_file: Path
    key_file: Path


def ensure_operator_identity(directory: Path, plan: ClusterPlan, cas: ClusterCas, now: datetime) -> OperatorIdentity:
    ca = cas.cluster.ca
    key_path, cert_path, ca_path = directory / "operator.key", directory / "operator.crt", directory / "ca.crt"
    existing = _load_pair(key_path, cert_path, ca.cert_pem)
    settings = settings_of(plan.kafka.spec.cluster_ca)
    outcome = lifecycle.ensure_client_certificate(
        existing,
        ca=ca,
        common_name=names.operator_principal(plan.name),
        organization=authority.ORGANIZATION,
        validity_days=settings.validity_days,
        renewal_days=settings.renewal_days,
        now=now,
    )
    if outcome.reason is not None or not ca_path.exists() or ca_path.read_bytes() != ca.cert_pem:
        _write_private(key_path, outcome.key_and_cert.key_pem)
        _write_private(cert_path, outcome.key_and_cert.cert_pem)
        ca_path.write_bytes(ca.cert_pem)
    return OperatorIdentity(ca_path, cert_path, key_path)


def write_files(directory: Path, files: dict[str, bytes], prune: Collection[str] = ()) -> bool:
    """Write files that differ and delete those in `prune` that are no longer wanted; True if
    anything changed (a node must not start with a file its plan dropped, e.g. metrics)."""
    changed = False
    for name in prune:
        stale = directory / name
        if name not in files and stale.exists():
            stale.unlink()
            changed = True
    for name, data in files.items():
        path = directory / name
        if path.exists() and path.read_bytes() == data:
            continue
        _write_private(path, data)
        changed = True
    return changed
