"""`krafter metrics-config`: a ready Prometheus configuration for local clusters."""

from __future__ import annotations

from pathlib import Path

import click
import yaml

from krafter.monitoring import scrape
from krafter.platform.local import cluster as local
from krafter.platform.local import lag_exporter
from krafter.platform.local.state import list_clusters


@click.command("metrics-config")
@click.argument("names", nargs=-1)
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="KRAFTER_STATE",
    help="Where local clusters keep config, data and logs [default: ~/.local/share/krafter].",
)
@click.option("--interval", default="15s", show_default=True, help="Scrape and rule evaluation interval.")
@click.option(
    "--rules",
    "rule_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Alert rule files to load (e.g. examples/metrics/alert-rules.yaml; repeatable).",
)
def metrics_config(names: tuple[str, ...], state_dir: Path | None, interval: str, rule_files: tuple[Path, ...]) -> None:
    """Print a prometheus.yml that scrapes local clusters (all, or NAMES) like the chart's PodMonitor.

    Every Kafka node's series get `namespace`, `pod`, `strimzi_io_cluster`, `strimzi_io_kind` and
    `strimzi_io_pool_name`, so the dashboards and alert rules in examples/metrics work unchanged;
    the consumer-lag exporter (spec.kafkaExporter) is scraped too while it runs.
    """
    platform = local.LocalPlatform(state_dir)
    targets = []
    for name in names or tuple(list_clusters(state_dir)):
        state = platform.state(name)
        record = state.load()
        if record is None:
            raise click.ClickException(f"no local cluster named '{name}' (state dir {state.base})")
        plan = platform.plan(local.load_cluster_input(state), record)
        targets.append(scrape.LocalTargets(plan, lag_exporter.address(state)))
    config = scrape.prometheus_config(
        targets, interval=interval, evaluation=interval, rule_files=tuple(str(p.resolve()) for p in rule_files)
    )
    click.echo(yaml.safe_dump(config, sort_keys=False), nl=False)
