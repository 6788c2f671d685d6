"""`krafter rebalance`: move partition replicas between the brokers of a local cluster.

Plans with Krafter's planner (no Cruise Control), prints the proposal, then carries it out by
partition reassignment with a progress bar. Interrupting it leaves the running moves to Kafka;
running the command again plans from where Kafka stands and continues.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from krafter.api.rebalance import KafkaRebalanceSpec
from krafter.cli.local_commands import _cluster_names, state_dir_option
from krafter.core.errors import KrafterError
from krafter.platform.local import cluster as local
from krafter.platform.local import rebalance as local_rebalance
from krafter.rebalance import progress, summary
from krafter.rebalance.model import PlanningError, RebalancePlan
from krafter.rebalance.request import request_from_spec

err = Console(stderr=True, highlight=False)
out = Console(highlight=False, width=None if sys.stdout.isatty() else 160)


def _proposal(plan: RebalancePlan) -> None:
    result = summary.optimization_result(plan)
    out.print(
        f"proposal ({plan.goal.mode.value}): {result['numReplicaMovements']} replica move(s), "
        f"{result['numLeaderMovements']} leader move(s), {result['dataToMoveMB']} MB to copy, "
        f"{result['numBatches']} batch(es)"
    )
    table = Table("broker", "replicas", "leaders", "disk MB")
    for broker, load in summary.broker_load(plan).items():
        table.add_row(
            broker,
            *(f"{load[key]['before']:g} -> {load[key]['after']:g}" for key in ("replicas", "leaders", "diskUsedMB")),
        )
    out.print(table)
    if plan.unmovable:
        err.print(f"[yellow]warning[/yellow] {len(plan.unmovable)} partition(s) have nowhere to go and stay")


@click.command()
@click.argument("name", required=False)
@state_dir_option
@click.option(
    "--mode",
    type=click.Choice(["full", "add-brokers", "remove-brokers"]),
    default="full",
    show_default=True,
    help="Balance every broker, fill new brokers, or empty brokers before removing them.",
)
@click.option("--broker", "brokers", type=int, multiple=True, help="Broker added or to be removed (repeatable).")
@click.option("--throttle", type=int, help="Replication throttle in bytes per second per broker while moving.")
@click.option("--per-broker", type=int, default=5, show_default=True, help="Concurrent moves into or out of a broker.")
@click.option("--exclude-topics", help="Regular expression of topics whose partitions stay where they are.")
@click.option("--dry-run", is_flag=True, help="Print the proposal only.")
@click.option("--timeout", default=3600.0, show_default=True, help="Seconds to wait for the moves to finish.")
def rebalance(
    name: str | None,
    state_dir: Path | None,
    mode: str,
    brokers: tuple[int, ...],
    throttle: int | None,
    per_broker: int,
    exclude_topics: str | None,
    dry_run: bool,
    timeout: float,
) -> None:
    """Move partition replicas so the brokers of a local cluster carry even load."""
    names = _cluster_names(name, state_dir)
    if len(names) > 1:
        raise KrafterError(f"several local clusters exist ({', '.join(names)}): name one")
    spec = KafkaRebalanceSpec.model_validate(
        {
            "mode": mode,
            "brokers": list(brokers) or None,
            "replicationThrottle": throttle,
            "concurrentPartitionMovementsPerBroker": per_broker,
            "excludedTopics": exclude_topics,
        }
    )
    try:
        request = request_from_spec(spec)
        settings = local_rebalance.settings_of(local.LocalPlatform(state_dir), names[0])
        plan = local_rebalance.propose(settings, request)
    except PlanningError as exc:
        raise KrafterError(str(exc)) from exc
    _proposal(plan)
    if dry_run or not plan.moves:
        return
    bar = Progress(
        TextColumn("moving"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err, transient=False
    )
    with bar:
        task = bar.add_task("moves", total=len(plan.moves))

        def show(step: progress.ExecutionStep) -> None:
            bar.update(task, completed=step.done)

        final = local_rebalance.execute(settings, plan, request, timeout=timeout, on_step=show)
    out.print(f"[bold green]{names[0]}[/bold green] rebalanced: {final.done} of {final.total} move(s) done")
    if final.stale:
        err.print(
            f"[yellow]warning[/yellow] {len(final.stale)} partition(s) changed while moving and were skipped; "
            "run krafter rebalance again"
        )
