"""The drill as a picture: produce latency and throughput over time, faults and recoveries marked.

Drawn with matplotlib (object API, Agg canvas: no display, no global state), embedded as
inline SVG in one self-contained HTML page with the results table (the thousands of latency
dots are rasterized inside the SVG, which keeps the page small and quick to open); `--png` writes the same
figure as a PNG. No script and no external file, so the page opens anywhere, offline.
"""

from __future__ import annotations

import html
import io
from pathlib import Path

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from krafter.verify.drill import DrillReport, ScenarioResult
from krafter.verify.judge import Phase

THROUGHPUT_BIN_S = 0.5
FAULT_COLOUR = "#d62728"
RECOVERY_COLOUR = "#2ca02c"


def figure(report: DrillReport) -> Figure:
    fig = Figure(figsize=(12, 6.5), layout="constrained")
    latency_ax, rate_ax = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    points = [p for r in report.results for p in r.acks]
    latency_ax.scatter(
        [p.sent_s for p in points], [max(p.latency_ms, 0.1) for p in points], s=4, alpha=0.6, rasterized=True
    )
    failed = [t for r in report.results for t in r.failed_s]
    if failed:
        top = max((p.latency_ms for p in points), default=1000.0) * 1.5
        latency_ax.scatter(
            failed, [top] * len(failed), marker="x", color=FAULT_COLOUR, s=12, label="failed after retries"
        )
        latency_ax.legend(loc="lower right")
    latency_ax.set_yscale("log")
    latency_ax.set_ylabel("produce latency (ms, by send time)")
    latency_ax.grid(True, which="both", alpha=0.3)
    times, rates = _throughput(report)
    rate_ax.plot(times, rates, linewidth=1.2)
    rate_ax.set_ylabel("acknowledged records/s")
    rate_ax.set_xlabel("seconds since the drill started")
    rate_ax.grid(True, alpha=0.3)
    for result in report.results:
        _mark(latency_ax, rate_ax, result, report.origin)
    verdict = "passed" if report.passed else "FAILED"
    fig.suptitle(f"krafter verify: {report.cluster} ({report.platform}), {verdict}, {report.lost} lost")
    return fig


def _throughput(report: DrillReport) -> tuple[list[float], list[float]]:
    """Acknowledgements per second in fixed bins, by acknowledgement time (zero bins included)."""
    acked = sorted(p.sent_s + p.latency_ms / 1000 for r in report.results for p in r.acks)
    if not acked:
        return [], []
    bins = [0] * (int(acked[-1] / THROUGHPUT_BIN_S) + 1)
    for at in acked:
        bins[int(at / THROUGHPUT_BIN_S)] += 1
    return [i * THROUGHPUT_BIN_S for i in range(len(bins))], [n / THROUGHPUT_BIN_S for n in bins]


def _mark(latency_ax: Axes, rate_ax: Axes, result: ScenarioResult, origin: float) -> None:
    fault = result.timeline.fault - origin
    recovered = None if result.timeline.recovered is None else result.timeline.recovered - origin
    for ax in (latency_ax, rate_ax):
        ax.axvline(fault, color=FAULT_COLOUR, linewidth=1)
        if recovered is not None:
            ax.axvspan(fault, recovered, color=FAULT_COLOUR, alpha=0.08)
            ax.axvline(recovered, color=RECOVERY_COLOUR, linewidth=1, linestyle="--")
    latency_ax.annotate(
        f"{result.scenario.value} #{result.round}",
        xy=(fault, 1.0),
        xycoords=("data", "axes fraction"),
        rotation=90,
        va="top",
        ha="right",
        fontsize=8,
        color=FAULT_COLOUR,
    )


def write_png(report: DrillReport, path: Path) -> None:
    figure(report).savefig(path, format="png", dpi=110)


def _svg(report: DrillReport) -> str:
    buffer = io.StringIO()
    figure(report).savefig(buffer, format="svg")
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # drop the XML prolog and DOCTYPE: inline SVG needs neither


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _rows(report: DrillReport) -> str:
    rows = []
    for r in report.results:
        v = r.verdict
        latency = " / ".join(f"{_ms(v.latency[p].p50_ms)}, {_ms(v.latency[p].p99_ms)}" for p in Phase)
        cells = [
            f"{r.scenario.value} #{r.round}",
            r.fault,
            "passed" if r.passed else "FAILED",
            str(v.acknowledged),
            str(v.consumed),
            str(v.read_back),
            str(v.lost),
            str(v.unseen),
            str(v.duplicates),
            str(v.produce_errors),
            f"{v.longest_stall_s:.2f}",
            latency,
            "-" if v.recovery_s is None else f"{v.recovery_s:.1f}",
        ]
        css = "pass" if r.passed else "fail"
        rows.append(f'<tr class="{css}">' + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    return "\n".join(rows)


def html_page(report: DrillReport) -> str:
    settings = report.settings
    heads = [
        "scenario",
        "fault",
        "verdict",
        "acknowledged",
        "consumed",
        "read back",
        "lost",
        "unseen",
        "duplicates",
        "produce errors",
        "longest stall (s)",
        "latency p50, p99 ms: before / during / after",
        "healthy after (s)",
    ]
    problem = f'<p class="fail">{html.escape(report.problem)}</p>' if report.problem else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>krafter verify: {html.escape(report.cluster)}</title>
<style>
body {{ font-family: sans-serif; margin: 1.5em; color: #222; }}
table {{ border-collapse: collapse; font-size: 0.9em; }}
th, td {{ border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: right; }}
th {{ background: #f3f3f3; }}
td:nth-child(-n+3) {{ text-align: left; }}
tr.fail td, p.fail {{ color: #b00; font-weight: bold; }}
svg {{ max-width: 100%; height: auto; }}
</style></head>
<body>
<h1>krafter verify: {html.escape(report.cluster)} — {"passed" if report.passed else "FAILED"}</h1>
<p>{html.escape(report.platform)} platform, started {html.escape(report.started_at)};
acks={html.escape(settings.acks)}, replication factor {settings.replication_factor},
min.insync.replicas {settings.min_isr}, {settings.rate:g} records/s.
A record is lost when it was acknowledged and the topic, read back after the drill, does not hold it;
unseen when the consumer running during the drill never read it (Kafka's own system tests allow neither).</p>
{problem}
<figure>{_svg(report)}
<figcaption>Red line: fault; shaded to the dashed green line: until the cluster and the topic were healthy
again. Drawn with matplotlib {matplotlib.__version__}.</figcaption></figure>
<table><thead><tr>{"".join(f"<th>{html.escape(h)}</th>" for h in heads)}</tr></thead>
<tbody>
{_rows(report)}
</tbody></table>
</body></html>
"""


def write_html(report: DrillReport, path: Path) -> None:
    path.write_text(html_page(report))
