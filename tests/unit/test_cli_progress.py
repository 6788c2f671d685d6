"""The CLI's step display: every step is a line, in logs as on terminals."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from krafter.cli import progress

pytestmark = pytest.mark.unit


def test_every_step_is_printed_as_a_line_when_output_is_not_a_terminal() -> None:
    buffer = io.StringIO()
    with progress.steps(Console(file=buffer, force_terminal=False, width=100)) as report:
        report("fetching Kafka")
        report("starting node 0")
    assert buffer.getvalue().splitlines() == ["• fetching Kafka", "• starting node 0"]


def test_live_status_updates_print_nothing_when_output_is_not_a_terminal() -> None:
    buffer = io.StringIO()
    with progress.steps(Console(file=buffer, force_terminal=False, width=100)) as report:
        report("broker-down #1: SIGKILL node 1")
        report.update("broker-down #1: 3 s: 300 sent")
    assert buffer.getvalue().splitlines() == ["• broker-down #1: SIGKILL node 1"]
