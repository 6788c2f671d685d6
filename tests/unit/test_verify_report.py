"""The drill's report: one self-contained HTML page (chart + table) and the chart as PNG."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from krafter.kafka.workload import ConsumedRecord, SendRecord
from krafter.verify import judge, report
from krafter.verify.drill import AckPoint, DrillReport, DrillSettings, ScenarioResult
from krafter.verify.scenarios import Scenario

pytestmark = pytest.mark.unit


def drill(lost: bool = False) -> DrillReport:
    timeline = judge.Timeline(started=100.0, fault=103.0, recovered=110.0, stopped=113.0)
    sent = [SendRecord(i, 100.0 + i * 0.1, 100.0 + i * 0.1 + 0.02) for i in range(120)]
    consumed = [ConsumedRecord(i, 0.0, i) for i in range(120 - (5 if lost else 0))]
    result = ScenarioResult(
        scenario=Scenario.BROKER_DOWN,
        round=1,
        fault="SIGKILL c-dual-1",
        topic="t",
        verdict=judge.judge(sent, consumed, consumed, timeline),
        timeline=timeline,
        acks=tuple(AckPoint(r.sent - 100.0, 20.0) for r in sent),
        failed_s=(4.0,),
    )
    return DrillReport("c", "local", DrillSettings(), "2026-11-27T17:00:00+00:00", 100.0, [result])


def test_the_page_is_self_contained_with_an_inline_chart_and_the_table() -> None:
    page = report.html_page(drill())
    assert "<svg" in page
    assert "<table>" in page
    assert "<script" not in page
    references = re.findall(r'(?:src|href)="([^"]*)"', page)
    # Only links inside the SVG and the rasterized dots as data: it opens offline.
    assert all(ref.startswith(("#", "data:image/png;base64,")) for ref in references)


def test_the_page_names_the_plotting_library() -> None:
    assert "matplotlib" in report.html_page(drill())


def test_a_scenario_that_lost_records_is_marked_failed_on_the_page() -> None:
    page = report.html_page(drill(lost=True))
    assert '<tr class="fail">' in page
    assert "FAILED" in page


def test_the_png_is_a_real_image(tmp_path: Path) -> None:
    path = tmp_path / "drill.png"
    report.write_png(drill(), path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 10_000
