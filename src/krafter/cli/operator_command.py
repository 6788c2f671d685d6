"""`krafter operator`: run the Kubernetes operator (in a Pod, or locally with a kubeconfig)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option(
    "--namespace",
    "-n",
    "namespaces",
    multiple=True,
    envvar="KRAFTER_NAMESPACES",
    help="Namespace to watch (repeatable; comma-separated in the env var). Default: all namespaces.",
)
@click.option("--kubeconfig", type=click.Path(exists=True, dir_okay=False, path_type=Path), envvar="KUBECONFIG")
@click.option("--metrics-port", default=8080, show_default=True, help="Port of /metrics, /healthz and /readyz.")
@click.option(
    "--metrics-address",
    envvar="KRAFTER_METRICS_ADDRESS",
    default="0.0.0.0",
    show_default=True,
    help="Address the metrics and health server binds (the chart passes the Pod's own address).",
)
@click.option("--workers", default=2, show_default=True, help="Clusters reconciled in parallel.")
@click.option("--resync-seconds", default=120.0, show_default=True, help="Full resynchronisation period.")
@click.option("--leader-election/--no-leader-election", default=True, show_default=True)
@click.option(
    "--lease-namespace",
    envvar="KRAFTER_OPERATOR_NAMESPACE",
    default="default",
    show_default=True,
    help="Namespace of the leader-election Lease (the operator's own namespace).",
)
@click.option("--operator-image", envvar="KRAFTER_OPERATOR_IMAGE", help="Image for Krafter's init containers.")
@click.option(
    "--watched-namespace-enabled/--no-watched-namespace-enabled",
    envvar="STRIMZI_ENTITY_OPERATOR_WATCHED_NAMESPACE_ENABLED",
    default=False,
    show_default=True,
    help="Honour entityOperator watchedNamespace values other than the Kafka's own namespace "
    "(off by default, as in Strimzi since 1.0.1: it lets a Kafka's owner manage another namespace's Secrets).",
)
@click.option("--log-level", default="INFO", show_default=True)
def operator(
    namespaces: tuple[str, ...],
    kubeconfig: Path | None,
    metrics_port: int,
    metrics_address: str,
    workers: int,
    resync_seconds: float,
    leader_election: bool,
    lease_namespace: str,
    operator_image: str | None,
    watched_namespace_enabled: bool,
    log_level: str,
) -> None:
    """Reconcile Kafka and KafkaNodePool resources into Kafka clusters."""
    from krafter.operator.app import OperatorConfig, configure_logging, run

    watched = [ns.strip() for value in namespaces for ns in value.split(",") if ns.strip()]
    configure_logging(log_level)
    run(
        OperatorConfig(
            namespaces=watched,
            kubeconfig=kubeconfig,
            metrics_port=metrics_port,
            metrics_address=metrics_address,
            workers=workers,
            resync_seconds=resync_seconds,
            leader_election=leader_election,
            lease_namespace=lease_namespace,
            operator_image=operator_image,
            watched_namespace_enabled=watched_namespace_enabled,
        )
    )


@click.command("node-init")
@click.option("--rack-label", help="Node label holding the rack (spec.kafka.rack.topologyKey).")
@click.option("--external-address", is_flag=True, help="Write the node's address for nodeport listeners.")
@click.option("--address-type", help="Preferred node address type (ExternalIP, InternalDNS, ...).")
@click.option(
    "--metrics-libs",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Directory of metrics jars to copy next to Kafka (the image's /opt/krafter/metrics).",
)
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), required=True)
def node_init(
    rack_label: str | None, external_address: bool, address_type: str | None, metrics_libs: Path | None, output: Path
) -> None:
    """Init container of Kafka Pods: record the node's rack and address, copy metrics jars."""
    from krafter.platform.kubernetes import node_init as init

    for name, value in init.run(
        rack_label=rack_label,
        external_address=external_address,
        address_type=address_type,
        output=output,
        metrics_libs=metrics_libs,
    ).items():
        click.echo(f"{name}: {value}")
