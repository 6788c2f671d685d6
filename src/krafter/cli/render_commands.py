"""`krafter render` and `krafter lint`: what the operator would create, and what it would warn about.

Both read files the way the operator reads resources (`api.cluster.assemble`: grouped by the
`strimzi.io/cluster` label, legacy files read as `krafter convert` would, validated), so a
file that renders cleanly here is accepted there.

`render` output is byte-identical across runs for the same input, so it can be committed and
diffed. That needs a fixed cluster id: a real cluster gets a random one when it is first
created (the operator records it in status), but here it is derived from namespace and name
(`preview_cluster_id`). `--with-secrets` is the exception: it generates real CAs and node
certificates, fresh on every run, so its output differs each time by design.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import click

from krafter.api import cluster as assembly
from krafter.api import parse
from krafter.api.common import CertificateAuthority as CaSpec
from krafter.api.errors import Finding, InvalidResource, Severity
from krafter.certs import authority, issue, secret_data
from krafter.plan import lint as lint_module
from krafter.plan import references
from krafter.plan.model import ClusterPlan
from krafter.plan.planner import PlanInput, plan_cluster
from krafter.plan.profile import KubernetesProfile
from krafter.render import output
from krafter.render.cluster import render_cluster
from krafter.render.meta import Object
from krafter.render.security import CaMaterial, SecretMaterial, Truststore

DEFAULT_NAMESPACE = "default"


def preview_cluster_id(namespace: str, name: str) -> str:
    """A Kafka cluster id (16 bytes, URL-safe base64) that depends only on namespace and name."""
    digest = hashlib.sha256(f"krafter-render/{namespace}/{name}".encode()).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


@dataclass
class RenderResult:
    objects: list[Object] = field(default_factory=list)
    """Empty when any finding is an error."""
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)


def _issue_ca(name: str, spec: CaSpec, now: datetime) -> CaMaterial:
    ca = authority.generate_ca(authority.ca_common_name(name, 0), validity_days=spec.validity_days, now=now)
    content = secret_data.ca_cert_secret_content(ca, generation=secret_data.INITIAL_GENERATION)
    store = Truststore(
        base64.b64decode(content.data[secret_data.CA_STORE]),
        base64.b64decode(content.data[secret_data.CA_STORE_PASSWORD]).decode(),
    )
    return CaMaterial(ca, truststore=store)


def issue_material(plan: ClusterPlan, now: datetime) -> SecretMaterial:
    """Fresh CAs and node certificates for a plan (what the operator does on a cluster's first reconcile)."""
    spec = plan.kafka.spec
    cluster_spec = spec.cluster_ca or CaSpec()
    cluster_ca = _issue_ca("cluster-ca", cluster_spec, now)
    clients_ca = _issue_ca("clients-ca", spec.clients_ca or CaSpec(), now)
    nodes = {
        node.node_id: issue.issue_server_certificate(
            cluster_ca.authority,
            common_name=node.certificate.common_name,
            dns_names=node.certificate.dns_names,
            ip_addresses=node.certificate.ip_addresses,
            validity_days=cluster_spec.validity_days,
            now=now,
        )
        for node in plan.nodes
    }
    return SecretMaterial(cluster_ca, clients_ca, nodes)


def _pending_notes(plan: ClusterPlan) -> list[str]:
    by_listener: dict[str, list[str]] = {}
    for entry in plan.pending_addresses:
        listener, _, node_id = entry.partition("/")
        by_listener.setdefault(listener, []).append(node_id)
    return [
        f"Kafka/{plan.name}: listener '{listener}': the address of broker(s) {', '.join(ids)} is known only once "
        "the load balancer, node port or route exists; the operator advertises it then"
        for listener, ids in by_listener.items()
    ]


def render_loaded(loaded: parse.Loaded, *, namespace: str | None = None, with_secrets: bool = False) -> RenderResult:
    """Every object for every Kafka in `loaded` (clusters in name order), or the errors that prevent it."""
    clusters, orphans = assembly.assemble(loaded)
    result = RenderResult(findings=[f for c in clusters for f in c.findings] + orphans)
    result.notes += [f"{s.kind}/{s.name}: {s.reason}; skipped" for s in loaded.skipped]
    if not clusters:
        result.findings.append(Finding("", "the given files contain no Kafka resource", "add a Kafka resource"))
    plans: list[ClusterPlan] = []
    for item in sorted(clusters, key=lambda c: c.name):
        if item.errors:
            continue
        ns = namespace or item.kafka.metadata.namespace or DEFAULT_NAMESPACE
        kafka = item.kafka.model_copy(update={"metadata": item.kafka.metadata.model_copy(update={"namespace": ns})})
        # ConfigMaps the Kafka refers to (metrics rules, logging) may come in the same files;
        # without them the preview shows a placeholder and says so, the operator would refuse.
        contents = references.contents_from(loaded.other, ns)
        for finding in references.missing(kafka, contents, severity=Severity.WARNING):
            fix = f"{finding.fix}; give it to render with -f to see its contents"
            result.findings.append(dataclasses.replace(finding, fix=fix, resource=f"Kafka/{item.name}"))
        given = PlanInput(kafka, item.pools, preview_cluster_id(ns, item.name), referenced=contents)
        plan = plan_cluster(given, KubernetesProfile(ns))
        result.findings += plan.findings
        result.notes += _pending_notes(plan)
        plans.append(plan)
    if result.failed:
        return result
    now = datetime.now(UTC)
    for plan in plans:
        material = None
        if with_secrets:
            spec = plan.kafka.spec
            if all((ca or CaSpec()).generate_certificate_authority for ca in (spec.cluster_ca, spec.clients_ca)):
                material = issue_material(plan, now)
            else:
                result.notes.append(
                    f"Kafka/{plan.name}: uses your own CA (generateCertificateAuthority: false), which render "
                    "cannot sign with; node Secrets keep placeholders"
                )
        result.objects += render_cluster(plan, owner=None, secrets=material)
    return result


def _report(findings: Sequence[Finding], notes: Sequence[str] = (), *, err: bool = True) -> None:
    for note in notes:
        click.echo(f"note: {note}", err=err)
    for finding in findings:
        click.echo(f"{finding.severity.value}: {finding.render()} [{finding.reason}]", err=err)


def _load(files: Sequence[Path]) -> parse.Loaded:
    try:
        return parse.load_files(files)
    except InvalidResource as exc:
        _report(exc.findings)
        sys.exit(1)


@click.command()
@click.option(
    "-f",
    "--filename",
    "files",
    multiple=True,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Kafka, KafkaNodePool, KafkaTopic and KafkaUser YAML (repeatable).",
)
@click.option(
    "--output",
    "output_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write one file per object (<kind>-<name>.yaml) into this directory instead of printing one stream.",
)
@click.option(
    "--with-secrets",
    is_flag=True,
    help="Generate real CAs and node certificates (differs on every run) instead of placeholders.",
)
@click.option(
    "--namespace",
    "-n",
    help=f"Namespace of the objects [default: the Kafka's metadata.namespace, else {DEFAULT_NAMESPACE}].",
)
def render(files: tuple[Path, ...], output_dir: Path | None, with_secrets: bool, namespace: str | None) -> None:
    """Print the Kubernetes objects Krafter creates for the Kafka clusters in the given files.

    Without --with-secrets, Secret values are placeholders and the output is identical on every run.
    """
    result = render_loaded(_load(files), namespace=namespace, with_secrets=with_secrets)
    _report(result.findings, result.notes)
    if result.failed:
        sys.exit(1)
    if output_dir is None:
        click.echo(output.to_yaml_stream(result.objects), nl=False)
        return
    output_dir.mkdir(parents=True, exist_ok=True)
    for obj in result.objects:
        (output_dir / output.file_name(obj)).write_text(output.to_yaml(obj))
    click.echo(f"wrote {len(result.objects)} objects to {output_dir}", err=True)


def lint_loaded(loaded: parse.Loaded) -> list[Finding]:
    """Validation findings, then best-practice findings for every cluster that is valid."""
    clusters, orphans = assembly.assemble(loaded)
    findings = [f for c in clusters for f in c.findings] + orphans
    for item in sorted(clusters, key=lambda c: c.name):
        if not item.errors:
            findings += lint_module.lint_cluster(item.kafka, item.pools)
    return findings


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def lint(files: tuple[Path, ...]) -> None:
    """Check resources for errors and risky settings (replication, quorum size, storage, resources, JVM heap).

    Exits 1 when any finding is an error.
    """
    loaded = _load(files)
    findings = lint_loaded(loaded)
    _report(findings, [f"{s.kind}/{s.name}: {s.reason}; skipped" for s in loaded.skipped], err=False)
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    warnings = sum(1 for f in findings if f.severity is Severity.WARNING)
    click.echo(f"{errors} error(s), {warnings} warning(s)", err=True)
    if errors:
        sys.exit(1)
