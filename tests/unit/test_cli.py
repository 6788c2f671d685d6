"""The CLI entry point works without any cluster."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from krafter.cli.main import cli

pytestmark = pytest.mark.unit


def test_version_prints_krafter_and_default_kafka_version() -> None:
    result = CliRunner().invoke(cli, ["version"])
    assert result.exit_code == 0
    assert result.output.startswith("krafter ")
    assert "Kafka 4." in result.output


def test_help_lists_commands() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "version" in result.output


def test_verify_refuses_an_unknown_scenario_before_touching_any_cluster(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(cli, ["verify", "broker-crash", "--state-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "unknown scenario 'broker-crash'" in result.output


def test_verify_without_a_local_cluster_says_how_to_start_one(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(cli, ["verify", "pause", "--state-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "krafter up" in result.output
