"""`krafter verify`: failover drills against a running cluster, with a verdict on data loss."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.table import Table

from krafter.cli import progress
from krafter.cli.local_commands import _cluster_names, err, out, state_dir_option
from krafter.core.errors import KrafterError
from krafter.verify import scenarios
from krafter.verify.drill import Drill, DrillReport, DrillSettings
from krafter.verify.judge import Phase


@click.command()
@click.argument("scenario_names", metavar="[SCENARIO]...", nargs=-1)
@click.option("--cluster", "name", help="Local cluster (needed when several exist).")
@state_dir_option
@click.option("--repeat", default=1, show_default=True, help="Run each scenario this many times in a row.")
@click.option("--acks", type=click.Choice(["all", "1", "0"]), default="all", show_default=True)
@click.option("--replication-factor", default=3, show_default=True, help="Of each scenario's fresh test topic.")
@click.option("--min-isr", default=2, show_default=True, help="min.insync.replicas of the test topic.")
@click.option("--rate", default=100.0, show_default=True, help="Records per second (a bounded load).")
@click.option(
    "--duration",
    default=6.0,
    show_default=True,
    help="Seconds of load per scenario: half before the fault, half after.",
)
@click.option(
    "--fault-seconds", default=3.0, show_default=True, help="How long a killed node stays down or a paused one frozen."
)
@click.option("--timeout", default=180.0, show_default=True, help="Seconds the cluster may take to be healthy again.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--report", "html_path", type=click.Path(dir_okay=False, path_type=Path), help="Write an HTML report.")
@click.option("--png", "png_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the chart as PNG.")
def verify(
    scenario_names: tuple[str, ...],
    name: str | None,
    state_dir: Path | None,
    repeat: int,
    acks: str,
    replication_factor: int,
    min_isr: int,
    rate: float,
    duration: float,
    fault_seconds: float,
    timeout: float,
    as_json: bool,
    html_path: Path | None,
    png_path: Path | None,
) -> None:
    """Prove failover works: inject faults under load and check that no acknowledged record is lost.

    SCENARIO is one or more of broker-down, controller-down, node-down, pause, rolling-restart,
    full-crash, or all (the default). Each runs on a fresh topic with an idempotent producer
    and a consumer; exit code 1 when any acknowledged record was not consumed back.
    """
    from krafter.platform.local import cluster as local
    from krafter.verify.faults import LocalFaultTarget

    plan = scenarios.plan_drill(scenario_names, repeat)
    if html_path is not None or png_path is not None:
        try:
            import matplotlib  # noqa: F401  (checked before a drill of minutes, not after it)
        except ImportError:
            raise KrafterError("--report and --png draw with matplotlib: pip install 'krafter[report]'") from None
    names = _cluster_names(name, state_dir)
    if len(names) > 1:
        raise KrafterError(f"several local clusters exist ({', '.join(names)}): pass --cluster NAME")
    settings = DrillSettings(
        acks=acks,
        replication_factor=replication_factor,
        min_isr=min_isr,
        rate=rate,
        duration=duration,
        fault_seconds=fault_seconds,
        recovery_timeout=timeout,
    )
    with progress.steps(err) as display:
        target = LocalFaultTarget(local.LocalPlatform(state_dir, progress=display), names[0])
        display(f"verifying {target.name}: {', '.join(s.value for s in plan)}")
        report = Drill(target, settings, say=display, tick=display.update).run(plan)
    if html_path is not None or png_path is not None:
        from krafter.verify import report as pictures

        if html_path is not None:
            pictures.write_html(report, html_path)
            err.print(f"report: {html_path}")
        if png_path is not None:
            pictures.write_png(report, png_path)
            err.print(f"chart: {png_path}")
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        _print(report)
    if not report.passed:
        sys.exit(1)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _print(report: DrillReport) -> None:
    table = Table(show_edge=False, title=f"{report.cluster}: failover drill")
    for column in ("scenario", "fault", "acked", "consumed", "read back", "lost", "unseen", "dup", "errors", "stall s"):
        table.add_column(column, justify="left" if column in {"scenario", "fault"} else "right")
    for phase in Phase:
        table.add_column(f"p50/p99 ms {phase.value}", justify="right")
    table.add_column("healthy after s", justify="right")
    for r in report.results:
        v = r.verdict
        lost = f"[red]{v.lost}[/red]" if v.lost else "[green]0[/green]"
        table.add_row(
            f"{r.scenario.value} #{r.round}",
            r.fault,
            str(v.acknowledged),
            str(v.consumed),
            str(v.read_back),
            lost,
            f"[red]{v.unseen}[/red]" if v.unseen else "0",
            str(v.duplicates),
            str(v.produce_errors),
            f"{v.longest_stall_s:.1f}",
            *(f"{_ms(v.latency[p].p50_ms)}/{_ms(v.latency[p].p99_ms)}" for p in Phase),
            "-" if v.recovery_s is None else f"{v.recovery_s:.1f}",
        )
    out.print(table)
    for r in report.results:
        if r.verdict.lost:
            sample = ", ".join(map(str, r.verdict.lost_sample))
            out.print(f"  [red]{r.scenario.value} #{r.round}: lost sequence numbers {sample}[/red]")
    if report.problem:
        out.print(f"  [red]drill stopped: {report.problem}[/red]")
    verdict = "[bold green]passed[/bold green]" if report.passed else "[bold red]FAILED[/bold red]"
    out.print(f"{verdict}: {report.lost} acknowledged record(s) lost over {len(report.results)} scenario(s)")
