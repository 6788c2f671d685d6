"""One control plane + process kubelet + Krafter (installed from install/) for the whole tier.

Starting it costs ~20 s and a Kafka cluster ~1-2 min on two cores, so both are shared: the
control plane per session, each cluster per module; tests use their own topics and users.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from krafter.core.errors import EnvironmentProblem

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def unavailable(what: str, exc: Exception) -> None:
    """As in the root conftest: fail in CI, skip elsewhere."""
    if IN_CI:
        pytest.fail(f"{what} unavailable: {exc}", pytrace=False)
    pytest.skip(f"{what} unavailable: {exc}")


@pytest.fixture(scope="session")
def pod_cluster(kube_binaries, kafka_dist, tmp_path_factory) -> Iterator[object]:  # type: ignore[no-untyped-def]
    from krafter.testing.pod_cluster import PodCluster

    cluster = PodCluster(kube_binaries, Path(tmp_path_factory.mktemp("pods")))
    try:
        cluster.start()
        cluster.install_krafter()
    except (EnvironmentProblem, RuntimeError, TimeoutError) as exc:
        log = cluster.workdir / "kubelet.log"
        tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
        cluster.stop()
        unavailable("process kubelet cluster", RuntimeError(f"{exc}\n{tail}"))
    yield cluster
    cluster.stop()


@pytest.fixture
def topic() -> str:
    return f"t-{secrets.token_hex(4)}"
