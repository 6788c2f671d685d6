"""How Krafter finds a Kafka runtime: cache hits, KAFKA_HOME, and clear errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from krafter.core.errors import EnvironmentProblem
from krafter.kafka import dist, runtime

pytestmark = pytest.mark.unit


def _fake_release(home: Path, version: str) -> Path:
    (home / "libs").mkdir(parents=True)
    (home / "libs" / f"kafka_2.13-{version}.jar").write_bytes(b"")
    return home


def test_version_of_home_reads_the_core_jar_name(tmp_path: Path) -> None:
    assert dist.version_of_home(_fake_release(tmp_path, "4.3.1")) == "4.3.1"


def test_kafka_home_is_used_when_no_version_is_requested(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("KAFKA_HOME", str(_fake_release(tmp_path / "kafka", "4.3.1")))
    found = dist.resolve(cache=tmp_path / "cache")
    assert (found.version, found.origin) == ("4.3.1", "KAFKA_HOME")
    assert found.classpath == f"{tmp_path / 'kafka' / 'libs'}/*"


def test_kafka_home_that_is_not_a_release_is_rejected_with_the_fix(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("KAFKA_HOME", str(tmp_path))
    with pytest.raises(EnvironmentProblem, match="Unset KAFKA_HOME"):
        dist.resolve(cache=tmp_path / "cache")


def test_cached_version_is_served_without_running_maven(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("KAFKA_HOME", raising=False)
    root = tmp_path / "kafka" / "4.4.0"
    (root / "libs").mkdir(parents=True)
    (root / ".complete").write_text("45 jars\n")

    def no_maven(*_args: object) -> None:
        raise AssertionError("Maven must not run on a cache hit")

    monkeypatch.setattr(dist, "_fetch_with_maven", no_maven)
    assert dist.resolve("4.4.0", cache=tmp_path).libs_dir == root / "libs"


def test_missing_maven_names_what_to_install(tmp_path: Path, monkeypatch) -> None:
    # Fault injection: hide mvn from PATH lookups, which a real machine cannot do on demand.
    monkeypatch.delenv("KAFKA_HOME", raising=False)
    real_which = dist.shutil.which
    monkeypatch.setattr(dist.shutil, "which", lambda name: None if name == "mvn" else real_which(name))
    with pytest.raises(EnvironmentProblem, match=r"apt-get install maven"):
        dist.resolve("4.4.0", cache=tmp_path)


def test_missing_java_names_what_to_install(monkeypatch) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr(dist.shutil, "which", lambda _name: None)
    with pytest.raises(EnvironmentProblem, match="openjdk-17"):
        dist.find_java()


def test_random_uuid_is_a_kafka_uuid_string() -> None:
    for _ in range(200):
        value = runtime.random_uuid()
        assert re.fullmatch(r"[A-Za-z0-9_-]{22}", value)
        assert not value.startswith("-")


@pytest.mark.parametrize(("heap", "expected"), [("512m", "64m"), ("2g", "204m"), ("4096m", "409m")])
def test_initial_heap_is_a_tenth_of_max_but_at_least_64m(heap: str, expected: str) -> None:
    assert runtime.min_heap(heap) == expected
