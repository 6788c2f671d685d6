"""The operator's own loops: a stalled or dead worker is visible, never silent."""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path

import pytest

from krafter.operator import app
from krafter.operator.app import Operator, OperatorConfig

pytestmark = pytest.mark.unit

KUBECONFIG = """\
apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
"""


@pytest.fixture
def operator(tmp_path: Path) -> Operator:
    path = tmp_path / "kubeconfig"
    path.write_text(KUBECONFIG)
    started = Operator(OperatorConfig(kubeconfig=path, leader_election=False))
    started.started.set()
    return started


async def test_a_worker_loop_that_dies_makes_healthz_fail(operator: Operator) -> None:
    async def broken() -> None:
        raise RuntimeError("boom")

    assert operator.healthy()
    task = asyncio.create_task(broken(), name="kafka-worker-0")
    task.add_done_callback(operator._task_ended)
    await asyncio.gather(task, return_exceptions=True)
    await asyncio.sleep(0)  # done callbacks run on the next loop iteration
    assert not operator.healthy()
    assert operator.broken == ["kafka-worker-0"]


async def test_a_cancelled_worker_loop_is_a_shutdown_not_a_failure(operator: Operator) -> None:
    task = asyncio.create_task(asyncio.sleep(60), name="resync")
    task.add_done_callback(operator._task_ended)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await asyncio.sleep(0)
    assert operator.healthy()


async def test_a_blocking_call_that_runs_long_is_logged_while_it_runs(
    operator: Operator, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(app, "SLOW_CALL_SECONDS", 0.05)
    release = threading.Event()
    with caplog.at_level(logging.WARNING, logger="krafter.operator"):
        call = asyncio.create_task(operator._blocking("reconcile of ns/slow", lambda: release.wait(5) and "done"))
        await asyncio.sleep(0.2)
        release.set()
        assert await call == "done"
    assert "reconcile of ns/slow still running after" in caplog.text


async def test_blocking_calls_run_on_the_reconcile_pool_not_the_default_executor(operator: Operator) -> None:
    name = await operator._blocking("thread name", lambda: threading.current_thread().name)
    assert name.startswith("krafter-reconcile")
