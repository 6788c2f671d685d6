"""`krafter up / down / status / logs`: the local platform from the command line."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import click
from rich.console import Console
from rich.table import Table

from krafter.api import cluster as assembly
from krafter.api import parse
from krafter.api.errors import InvalidResource, Severity
from krafter.cli import progress
from krafter.core.errors import KrafterError
from krafter.plan import references
from krafter.platform.local import cluster as local
from krafter.platform.local.state import list_clusters

err = Console(stderr=True, highlight=False)
# Piped output (CI logs, `| less`) gets a wide table instead of rich's 80-column default.
out = Console(highlight=False, width=None if sys.stdout.isatty() else 160)

state_dir_option = click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="KRAFTER_STATE",
    help="Where local clusters keep config, data and logs [default: ~/.local/share/krafter].",
)


def load_clusters(files: tuple[Path, ...]) -> tuple[list[assembly.ClusterInput], list[dict[str, object]]]:
    """Parse, assemble and validate; print warnings; raise on errors (one line per finding)."""
    loaded = parse.load_files(files)
    clusters, orphans = assembly.assemble(loaded)
    findings = [f for c in clusters for f in c.findings] + orphans
    for skipped in loaded.skipped:
        err.print(f"[yellow]note[/yellow] {skipped.kind}/{skipped.name}: {skipped.reason}; skipped")
    for finding in findings:
        if finding.severity is Severity.WARNING:
            err.print(f"[yellow]warning[/yellow] {finding.render()}")
    problems = [f for f in findings if f.severity is Severity.ERROR]
    if problems:
        raise InvalidResource(problems)
    if not clusters:
        raise KrafterError("the given files contain no Kafka resource")
    documents: list[dict[str, object]] = []
    for path in files:
        documents += [d for d in parse.load_yaml(path.read_text(), str(path)) if isinstance(d, dict)]
    return clusters, documents


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
@state_dir_option
@click.option("--timeout", default=240.0, show_default=True, help="Seconds to wait for the cluster to be healthy.")
@click.option(
    "--force-scale-down",
    is_flag=True,
    help="Remove nodes even if they host partition replicas or are controllers (data or quorum at risk).",
)
def up(files: tuple[Path, ...], state_dir: Path | None, timeout: float, force_scale_down: bool) -> None:
    """Run the Kafka clusters in FILES as real Kafka processes on this machine (idempotent)."""
    clusters, documents = load_clusters(files)
    for item in clusters:
        wanted = {ref.name for ref in references.references(item.kafka)}
        mine = [d for d in documents if _belongs(d, item.name) or _is_config_map(d, wanted)]
        started = time.monotonic()
        with progress.steps(err) as report:
            platform = local.LocalPlatform(state_dir, progress=report)
            result = platform.up(item, mine, timeout=timeout, force_scale_down=force_scale_down)
        verb = "ready" if result.started or result.restarted else "unchanged and ready"
        out.print(
            f"[bold green]{item.name}[/bold green] {verb} in {time.monotonic() - started:.1f} s "
            f"({len(result.plan.nodes)} nodes, Kafka {result.plan.kafka_version})"
        )
        for listener in result.plan.listeners:
            security = f"{listener.protocol.value}" + (
                f", {listener.auth.value} auth" if listener.auth.value != "none" else ""
            )
            out.print(f"  {listener.name:<12} {result.bootstrap(listener.name)}  ({security})")
        metrics = [f"http://{n.metrics_endpoint}/metrics" for n in result.plan.nodes if n.metrics_endpoint]
        if metrics:
            out.print(f"  {'metrics':<12} {', '.join(metrics)}")
        if result.lag_endpoint:
            out.print(f"  {'lag metrics':<12} http://{result.lag_endpoint}/metrics  (Kafka Exporter names)")
        if metrics or result.lag_endpoint:
            out.print(f"  Prometheus scrape configuration: krafter metrics-config {item.name}")
        out.print(f"  CA certificate for TLS clients: {result.identity.ca_file}")
        if result.entities is not None:
            for line in result.entities.lines():
                out.print(f"  {line}")
            for problem in result.entities.problems:
                err.print(f"[yellow]warning[/yellow] {problem}")


def _is_config_map(document: dict[str, object], names: set[str]) -> bool:
    metadata = document.get("metadata")
    return document.get("kind") == "ConfigMap" and isinstance(metadata, dict) and metadata.get("name") in names


def _belongs(document: dict[str, object], cluster: str) -> bool:
    metadata = document.get("metadata")
    if not isinstance(metadata, dict):
        return False
    if document.get("kind") == "Kafka":
        return metadata.get("name") == cluster
    labels = metadata.get("labels")
    return isinstance(labels, dict) and labels.get("strimzi.io/cluster") == cluster


def _cluster_names(name: str | None, state_dir: Path | None) -> list[str]:
    if name:
        return [name]
    names = list_clusters(state_dir)
    if not names:
        raise KrafterError("no local clusters (start one with `krafter up -f kafka.yaml`)")
    return names


@click.command()
@click.argument("name", required=False)
@state_dir_option
@click.option("--delete-data", is_flag=True, help="Also delete the cluster's data, certificates and state.")
def down(name: str | None, state_dir: Path | None, delete_data: bool) -> None:
    """Stop a local cluster (all of them without NAME). Data is kept unless --delete-data."""
    for cluster in _cluster_names(name, state_dir):
        with progress.steps(err) as report:
            stopped = local.LocalPlatform(state_dir, progress=report).down(cluster, delete_data=delete_data)
        out.print(f"{cluster}: stopped {len(stopped)} node(s)" + (", data deleted" if delete_data else ""))


@click.command()
@click.argument("name", required=False)
@state_dir_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def status(name: str | None, state_dir: Path | None, as_json: bool) -> None:
    """Nodes, roles, processes, quorum and partition health of local clusters."""
    platform = local.LocalPlatform(state_dir)
    reports = [local.status(platform, cluster) for cluster in _cluster_names(name, state_dir)]
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in reports], indent=2))
    else:
        for report in reports:
            _print_status(report)
    if not all(r.ready for r in reports):
        sys.exit(3)


def _mark(value: bool | None) -> str:
    return "-" if value is None else ("[green]yes[/green]" if value else "[red]no[/red]")


def _print_status(report: local.ClusterStatus) -> None:
    state = "[green]ready[/green]" if report.ready else "[red]not ready[/red]"
    out.print(f"[bold]{report.name}[/bold] {state}  cluster id {report.cluster_id}, Kafka {report.kafka_version}")
    table = Table(show_edge=False)
    for column in ("node", "pod", "roles", "pid", "broker", "voter", "active controller"):
        table.add_column(column)
    for node in report.nodes:
        table.add_row(
            str(node.node_id),
            node.pod,
            "+".join(node.roles),
            str(node.pid) if node.pid else "[red]stopped[/red]",
            _mark(node.broker_registered),
            _mark(node.voter),
            "[bold]yes[/bold]" if node.active_controller else "",
        )
    out.print(table)
    if report.problem:
        out.print(f"  [red]{report.problem}[/red]")
    else:
        out.print(
            f"  partitions: {report.under_replicated} under-replicated, {report.under_min_isr} under min ISR, "
            f"{report.offline} offline"
        )
    for listener, bootstrap in report.listeners.items():
        out.print(f"  {listener:<12} {bootstrap}")
    if report.metrics:
        out.print(f"  {'metrics':<12} {', '.join(report.metrics)}")
    if report.lag_metrics:
        out.print(f"  {'lag metrics':<12} {report.lag_metrics}")


@click.command()
@click.argument("node")
@click.option("--cluster", "name", help="Cluster name (needed when several local clusters exist).")
@state_dir_option
@click.option("-f", "--follow", is_flag=True, help="Keep printing new lines.")
@click.option("-n", "--lines", default=50, show_default=True, help="Lines to show.")
def logs(node: str, name: str | None, state_dir: Path | None, follow: bool, lines: int) -> None:
    """Show a node's Kafka log. NODE is a node id or a pod name such as my-cluster-broker-0."""
    platform = local.LocalPlatform(state_dir)
    for cluster in _cluster_names(name, state_dir):
        state = platform.state(cluster)
        for pod in state.node_pods():
            if pod == node or pod.rsplit("-", 1)[-1] == node:
                path = state.node_dir(pod) / "kafka.log"
                _show(path, lines, follow)
                return
    raise KrafterError(f"no node '{node}' in local clusters {', '.join(_cluster_names(name, state_dir))}")


def _show(path: Path, lines: int, follow: bool) -> None:
    if not path.exists():
        raise KrafterError(f"{path} does not exist yet")
    with path.open("rb") as handle:
        tail = handle.read().decode(errors="replace").splitlines()[-lines:]
        click.echo("\n".join(tail))
        while follow:
            chunk = handle.read()
            if chunk:
                click.echo(chunk.decode(errors="replace"), nl=False)
            else:
                time.sleep(0.5)


def _client_config(name: str | None, state_dir: Path | None, listener: str, user: str | None) -> dict[str, object]:
    from krafter.platform.local import clients

    platform = local.LocalPlatform(state_dir)
    names = _cluster_names(name, state_dir)
    if len(names) > 1:
        raise KrafterError(f"several local clusters exist ({', '.join(names)}): pass --cluster NAME")
    state = platform.state(names[0])
    record = state.load()
    assert record is not None
    plan = platform.plan(local.load_cluster_input(state), record)
    return clients.client_config(state, plan, listener, user)


client_options = [
    click.option("--cluster", "name", help="Local cluster (needed when several exist)."),
    click.option("--listener", default="plain", show_default=True, help="Listener to connect to."),
    click.option("--user", help="KafkaUser to authenticate as (SCRAM or TLS listeners)."),
    state_dir_option,
]


F = TypeVar("F", bound=Callable[..., Any])


def _with_client_options(function: F) -> F:
    decorated: Any = function
    for option in reversed(client_options):
        decorated = option(decorated)
    return cast(F, decorated)


@click.command()
@click.argument("topic")
@_with_client_options
@click.option("--message", "-m", "messages", multiple=True, help="Record value (repeatable); default: stdin lines.")
def produce(
    topic: str, name: str | None, listener: str, user: str | None, state_dir: Path | None, messages: tuple[str, ...]
) -> None:
    """Send records to TOPIC of a local cluster (acks=all), one per --message or stdin line."""
    from kafka import KafkaProducer

    config = _client_config(name, state_dir, listener, user)
    values = list(messages) or [line.rstrip("\n") for line in sys.stdin]
    producer = KafkaProducer(acks="all", **config)
    try:
        for value in values:
            metadata = producer.send(topic, value.encode()).get(timeout=30)
            out.print(f"{topic}-{metadata.partition}@{metadata.offset}: {value}")
    finally:
        producer.close()


@click.command()
@click.argument("topic")
@_with_client_options
@click.option("--group", help="Consumer group (needs Read on the group when ACLs are on).")
@click.option("--max-messages", default=0, help="Stop after this many records (0: until idle).")
@click.option("--timeout", default=10.0, show_default=True, help="Stop after this many idle seconds.")
def consume(
    topic: str,
    name: str | None,
    listener: str,
    user: str | None,
    state_dir: Path | None,
    group: str | None,
    max_messages: int,
    timeout: float,
) -> None:
    """Print records of TOPIC of a local cluster, from the beginning."""
    from kafka import KafkaConsumer

    config = _client_config(name, state_dir, listener, user)
    consumer = KafkaConsumer(
        topic,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=group is not None,
        consumer_timeout_ms=int(timeout * 1000),
        **config,
    )
    count = 0
    try:
        for record in consumer:
            click.echo(record.value.decode(errors="replace"))
            count += 1
            if max_messages and count >= max_messages:
                break
    finally:
        consumer.close()
    err.print(f"[dim]{count} record(s)[/dim]")
