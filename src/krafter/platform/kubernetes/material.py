"""Key material kept in Secrets: load what exists, keep it when still good, issue what is due.

Re-encoding a PKCS#12 store or reissuing a certificate changes its bytes (random salts,
serials), which would make every reconcile write Secrets and roll Pods. So existing material
is reused byte for byte unless `certs.lifecycle` decides it must change.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lightkube import Client
from lightkube.core.exceptions import ApiError
from lightkube.resources.core_v1 import Secret

from krafter.api.common import CertificateAuthority as CaSpec
from krafter.certs import authority, issue, lifecycle, secret_data
from krafter.certs.maintenance import in_maintenance_window
from krafter.plan import names, server_config
from krafter.plan.model import ClusterPlan
from krafter.render.security import CaMaterial, SecretMaterial, Truststore

_PEM_BLOCK = re.compile(rb"-----BEGIN [A-Z ]+-----.+?-----END [A-Z ]+-----\n?", re.DOTALL)


class MissingUserCa(Exception):
    """A user-provided CA (generateCertificateAuthority: false) whose Secrets do not exist."""


def _decoded(secret: Mapping[str, Any] | None) -> dict[str, bytes]:
    if secret is None:
        return {}
    return {k: base64.b64decode(v) for k, v in (secret.get("data") or {}).items()}


def _annotations(secret: Mapping[str, Any] | None) -> dict[str, str]:
    return dict(((secret or {}).get("metadata") or {}).get("annotations") or {})


def read_secret(client: Client, namespace: str, name: str) -> dict[str, Any] | None:
    try:
        return client.get(Secret, name, namespace=namespace).to_dict()
    except ApiError as exc:
        if exc.status.code == 404:
            return None
        raise


def settings_of(spec: CaSpec | None) -> lifecycle.CaSettings:
    spec = spec or CaSpec()
    return lifecycle.CaSettings(
        validity_days=spec.validity_days,
        renewal_days=spec.renewal_days,
        policy=spec.certificate_expiration_policy,
        generate=spec.generate_certificate_authority,
    )


@dataclass
class MaterialReport:
    material: SecretMaterial
    events: list[str] = field(default_factory=list)
    """Human-readable notes for Kubernetes Events (CA created/renewed, certificates issued)."""
    postponed: list[str] = field(default_factory=list)


def _ca(
    client: Client,
    namespace: str,
    *,
    label: str,
    cert_name: str,
    key_name: str,
    spec: CaSpec | None,
    now: datetime,
    window: bool,
    report_events: list[str],
    postponed: list[str],
) -> CaMaterial:
    cert_secret = read_secret(client, namespace, cert_name)
    key_secret = read_secret(client, namespace, key_name)
    cert_data, key_data = _decoded(cert_secret), _decoded(key_secret)
    existing = None
    if secret_data.CA_CERT in cert_data and secret_data.CA_KEY in key_data:
        existing = lifecycle.CaState(
            authority.CertificateAuthority(cert_data[secret_data.CA_CERT], key_data[secret_data.CA_KEY]),
            secret_data.generation_of(_annotations(cert_secret), secret_data.CA_CERT_GENERATION),
            secret_data.generation_of(_annotations(key_secret), secret_data.CA_KEY_GENERATION),
        )
    settings = settings_of(spec)
    if existing is None and not settings.generate:
        raise MissingUserCa(
            f"the {label} is user-provided (generateCertificateAuthority: false) but Secrets {cert_name} (ca.crt) "
            f"and {key_name} (ca.key) are missing; create them or set generateCertificateAuthority: true"
        )
    outcome = lifecycle.ensure_ca(existing, name=label, settings=settings, now=now, in_maintenance_window=window)
    if outcome.action == "created":
        report_events.append(f"created the {label}")
    elif outcome.action in {"renew-certificate", "replace-key"}:
        report_events.append(f"{label}: {outcome.action} (generation {outcome.state.cert_generation})")
    elif outcome.action == "postponed":
        postponed.append(f"{label} renewal is due and waits for a maintenance time window")
    truststore = None
    if not outcome.changed and secret_data.CA_STORE in cert_data and secret_data.CA_STORE_PASSWORD in cert_data:
        truststore = Truststore(cert_data[secret_data.CA_STORE], cert_data[secret_data.CA_STORE_PASSWORD].decode())
    elif settings.generate:
        password = secret_data.new_password()
        truststore = Truststore(issue.pkcs12_truststore(outcome.state.ca.cert_pem, password), password)
    return CaMaterial(
        outcome.state.ca,
        cert_generation=outcome.state.cert_generation,
        key_generation=outcome.state.key_generation,
        truststore=truststore,
    )


def _node_pair(secret: Mapping[str, Any] | None, ca: authority.CertificateAuthority) -> issue.KeyAndCert | None:
    keystore = _decoded(secret).get(server_config.NODE_KEYSTORE)
    if not keystore:
        return None
    blocks = _PEM_BLOCK.findall(keystore)
    if len(blocks) < 2:
        return None
    key = next((b for b in blocks if b"PRIVATE KEY" in b), None)
    certs = [b for b in blocks if b"CERTIFICATE" in b]
    if key is None or not certs:
        return None
    return issue.KeyAndCert(key, certs[0], ca.cert_pem)


def load_material(
    client: Client, plan: ClusterPlan, node_secrets: Mapping[int, Mapping[str, Any] | None], now: datetime
) -> MaterialReport:
    spec = plan.kafka.spec
    window = in_maintenance_window(spec.maintenance_time_windows or [], now)
    events: list[str] = []
    postponed: list[str] = []
    cluster_ca = _ca(
        client,
        plan.namespace,
        label="cluster-ca",
        cert_name=names.cluster_ca_cert(plan.name),
        key_name=names.cluster_ca(plan.name),
        spec=spec.cluster_ca,
        now=now,
        window=window,
        report_events=events,
        postponed=postponed,
    )
    clients_ca = _ca(
        client,
        plan.namespace,
        label="clients-ca",
        cert_name=names.clients_ca_cert(plan.name),
        key_name=names.clients_ca(plan.name),
        spec=spec.clients_ca,
        now=now,
        window=window,
        report_events=events,
        postponed=postponed,
    )
    settings = settings_of(spec.cluster_ca)
    nodes: dict[int, issue.KeyAndCert] = {}
    for node in plan.nodes:
        existing = _node_pair(node_secrets.get(node.node_id), cluster_ca.authority)
        outcome = lifecycle.ensure_server_certificate(
            existing,
            ca=cluster_ca.authority,
            common_name=node.certificate.common_name,
            dns_names=node.certificate.dns_names,
            ip_addresses=node.certificate.ip_addresses,
            validity_days=settings.validity_days,
            renewal_days=settings.renewal_days,
            now=now,
            in_maintenance_window=window,
        )
        if outcome.reason is not None and existing is not None:
            events.append(f"reissued the certificate of {node.pod_name}: {outcome.reason.value}")
        nodes[node.node_id] = outcome.key_and_cert
    return MaterialReport(SecretMaterial(cluster_ca, clients_ca, nodes), events, postponed)


def operator_identity(
    client: Client, plan: ClusterPlan, ca: authority.CertificateAuthority, now: datetime
) -> tuple[issue.KeyAndCert, bool]:
    """Krafter's own client certificate for this cluster (`<c>-cluster-operator-certs`)."""
    secret = read_secret(client, plan.namespace, names.operator_certs(plan.name))
    data = _decoded(secret)
    existing = None
    if "operator.key" in data and "operator.crt" in data:
        existing = issue.KeyAndCert(data["operator.key"], data["operator.crt"], ca.cert_pem)
    outcome = lifecycle.ensure_client_certificate(
        existing,
        ca=ca,
        common_name=names.operator_principal(plan.name),
        organization=authority.ORGANIZATION,
        validity_days=settings_of(plan.kafka.spec.cluster_ca).validity_days,
        renewal_days=settings_of(plan.kafka.spec.cluster_ca).renewal_days,
        now=now,
    )
    return outcome.key_and_cert, outcome.reason is not None
