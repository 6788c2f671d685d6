"""Session-wide fixtures: real Kafka and a real Kubernetes API, started once per run.

Both are expensive to start (Kafka ~15 s, the apiserver ~4 s) and cheap to share, so
they are session-scoped; tests isolate themselves with a fresh topic or namespace.
Outside CI a missing toolchain skips the tier with the reason; with CI=true it fails.
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
    """Fail in CI, skip elsewhere: CI must never pass by skipping the real components."""
    message = f"{what} unavailable: {exc}"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def kafka_dist():  # type: ignore[no-untyped-def]
    from krafter.kafka import dist

    try:
        return dist.resolve()
    except EnvironmentProblem as exc:
        unavailable("Kafka", exc)


# ACL APIs answer SECURITY_DISABLED without an authorizer. PLAINTEXT clients (the tests,
# and the brokers to each other) are User:ANONYMOUS, made a super user so nothing else changes.
ACL_AUTHORIZER = {
    "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
    "super.users": "User:ANONYMOUS",
}


def _cluster(kafka_dist, tmp_path_factory, nodes: int, extra_config=None):  # type: ignore[no-untyped-def]
    from krafter.testing.kafka_cluster import LocalKafkaCluster

    cluster = LocalKafkaCluster(
        kafka_dist, tmp_path_factory.mktemp(f"kafka{nodes}"), nodes=nodes, extra_config=extra_config
    )
    try:
        cluster.start()
    except EnvironmentProblem as exc:
        cluster.stop()
        unavailable("Kafka cluster", exc)
    return cluster


@pytest.fixture(scope="session")
def kafka_cluster(kafka_dist, tmp_path_factory) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """Three combined-role KRaft nodes (dynamic quorum) with an ACL authorizer, shared by the session."""
    cluster = _cluster(kafka_dist, tmp_path_factory, 3, extra_config=ACL_AUTHORIZER)
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def kafka_single(kafka_dist, tmp_path_factory) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """One combined-role KRaft node, for tests that only need a broker."""
    cluster = _cluster(kafka_dist, tmp_path_factory, 1)
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def secured_cluster(kafka_dist, tmp_path_factory) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """Krafter's own 3-node local cluster with plain, SCRAM and mTLS listeners and ACLs on.

    `.bootstrap(listener)`, `.ca_file`, `.admin_settings()` (super user via mTLS).
    """
    from krafter.testing import local_cluster

    path = Path(__file__).parent / "data" / "krafter" / "secured-cluster.yaml"
    try:
        cluster = local_cluster.start(path, tmp_path_factory.mktemp("secured"))
    except EnvironmentProblem as exc:
        unavailable("local secured cluster", exc)
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def prometheus_binaries():  # type: ignore[no-untyped-def]
    """Debian's prometheus + promtool (`make prepare` installs the package)."""
    from krafter.testing import prometheus

    found = prometheus.find()
    if found is None:
        unavailable("Prometheus", FileNotFoundError("no prometheus/promtool on PATH: apt-get install -y prometheus"))
    return found


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Headless Chromium from Debian's packages (installed by `make prepare` where missing)."""
    from krafter.testing import browser

    try:
        return browser.ensure()
    except EnvironmentProblem as exc:
        unavailable("headless Chromium", exc)
        raise


@pytest.fixture(scope="session")
def kube_binaries():  # type: ignore[no-untyped-def]
    from krafter.testing import kube_binaries

    try:
        return kube_binaries.ensure(progress=print)
    except EnvironmentProblem as exc:
        unavailable("kube-apiserver/etcd", exc)


@pytest.fixture(scope="session")
def kube(kube_binaries, tmp_path_factory) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """etcd + kube-apiserver + kube-controller-manager on loopback; `.client` is a lightkube Client."""
    from krafter.testing.control_plane import ControlPlane
    from krafter.testing.kube_session import KubeSession

    plane = ControlPlane(kube_binaries, Path(tmp_path_factory.mktemp("kube")))
    try:
        plane.start()
    except EnvironmentProblem as exc:
        unavailable("kube-apiserver", exc)
    session = KubeSession(plane)
    yield session
    session.close()
    plane.stop()


@pytest.fixture
def namespace(kube) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A fresh namespace per test, deleted afterwards (the controller manager empties it)."""
    name = f"t-{secrets.token_hex(4)}"
    kube.create_namespace(name)
    yield name
    kube.delete_namespace(name)


@pytest.fixture
def topic_name() -> str:
    return f"t-{secrets.token_hex(6)}"
