"""`krafter verify` against a cluster `krafter up` started: every fault loses nothing, and the judge can fail.

One drill of every scenario runs once for the module (a few minutes on a busy 2-core
machine, mostly Kafka restarting); the tests read its JSON and its HTML report. The
negative control runs on its own small cluster whose brokers keep their data on ephemeral
storage, so losing a node loses its only replica.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from krafter.api import cluster as assembly
from krafter.api import parse
from krafter.cli.main import cli
from krafter.core.errors import EnvironmentProblem
from krafter.platform.local import cluster as local
from krafter.verify.scenarios import Scenario

pytestmark = pytest.mark.e2e

DATA = Path(__file__).parent.parent / "data" / "krafter"


def start(path: Path, state_dir: Path) -> tuple[local.LocalPlatform, str]:
    [cluster], _ = assembly.assemble(parse.load_files([path]))
    documents = parse.load_yaml(path.read_text(), str(path))
    platform = local.LocalPlatform(state_dir)
    try:
        platform.up(cluster, [d for d in documents if isinstance(d, dict)])
    except EnvironmentProblem:
        platform.down(cluster.name, delete_data=True)
        raise
    return platform, cluster.name


def verify(state_dir: Path, *arguments: str) -> Result:
    return CliRunner().invoke(cli, ["verify", "--state-dir", str(state_dir), *arguments], catch_exceptions=False)


@pytest.fixture(scope="module")
def drill(kafka_dist, tmp_path_factory) -> Any:  # type: ignore[no-untyped-def]
    """`krafter verify all --json --report --png` on a 3-node cluster, run once."""
    state_dir = tmp_path_factory.mktemp("verify-state")
    out = tmp_path_factory.mktemp("verify-report")
    platform, name = start(DATA / "verify-cluster.yaml", state_dir)
    try:
        result = verify(
            state_dir,
            "all",
            "--duration",
            "4",
            "--fault-seconds",
            "2",
            "--json",
            "--report",
            str(out / "drill.html"),
            "--png",
            str(out / "drill.png"),
        )
        yield result, json.loads(result.stdout), out, platform, name
    finally:
        platform.down(name, delete_data=True)


def test_every_scenario_loses_no_acknowledged_record(drill: Any) -> None:
    result, report, *_ = drill
    assert report["problem"] is None
    assert {s["scenario"] for s in report["scenarios"]} == {s.value for s in Scenario}
    assert [(s["scenario"], s["lost"]) for s in report["scenarios"]] == [
        (s["scenario"], 0) for s in report["scenarios"]
    ]
    assert result.exit_code == 0, result.stdout


def test_every_scenario_produced_and_read_back_under_load(drill: Any) -> None:
    _, report, *_ = drill
    for scenario in report["scenarios"]:
        assert scenario["acknowledged"] > 100, scenario
        assert scenario["consumed"] >= scenario["acknowledged"], scenario
        assert scenario["duplicates"] == 0, scenario  # the idempotent producer's promise
        assert scenario["recovery_s"] is not None, scenario


def test_the_cluster_is_healthy_after_the_drill_and_the_test_topics_are_gone(drill: Any) -> None:
    from krafter.kafka.admin import KafkaAdmin

    *_, platform, name = drill
    assert local.status(platform, name).ready
    with KafkaAdmin(platform.attach(name).admin_settings()) as admin:
        assert not [t for t in admin.list_topics() if t.startswith("krafter-verify-")]


def test_the_html_report_loads_in_headless_chromium_and_draws_the_chart(
    drill: Any, chromium: Path, tmp_path: Path
) -> None:
    from matplotlib import image

    from krafter.testing import browser

    *_, out, _platform, _name = drill
    page = out / "drill.html"
    loaded = browser.load(chromium, page, tmp_path / "profile")
    assert loaded.errors == ()
    assert "<svg" in loaded.dom
    assert "broker-down #1" in loaded.dom
    shot = tmp_path / "page.png"
    browser.screenshot(chromium, page, shot, tmp_path / "profile")
    pixels = image.imread(shot)
    assert pixels.std() > 0.05  # not a blank page: text, the chart's lines and dots


def test_the_png_chart_is_written(drill: Any) -> None:
    *_, out, _platform, _name = drill
    assert (out / "drill.png").read_bytes()[:4] == b"\x89PNG"


@pytest.fixture(scope="module")
def fragile(kafka_dist, tmp_path_factory) -> Any:  # type: ignore[no-untyped-def]
    state_dir = tmp_path_factory.mktemp("fragile-state")
    platform, name = start(DATA / "verify-fragile-cluster.yaml", state_dir)
    yield state_dir
    platform.down(name, delete_data=True)


def test_negative_control_acks_1_and_one_replica_on_a_lost_node_reports_loss_and_fails(fragile: Path) -> None:
    result = verify(
        fragile,
        "node-down",
        "--acks",
        "1",
        "--replication-factor",
        "1",
        "--min-isr",
        "1",
        "--duration",
        "4",
        "--fault-seconds",
        "1",
        "--json",
    )
    [scenario] = json.loads(result.stdout)["scenarios"]
    assert scenario["lost"] > 0, scenario
    assert result.exit_code == 1
