"""Apache Kafka's runtime, fetched from Maven Central into a cache outside the repository.

Krafter runs real Kafka (local platform, tests, drills) without a binary tarball: the
committed pom next to this module lists `kafka_2.13` plus the log4j2 binding that
Kafka's own pom leaves out, and Maven copies the runtime classpath into
`$KRAFTER_CACHE/kafka/<version>/libs`. A completed fetch leaves a marker, so every later
call is a directory check. Users who already unpacked an Apache Kafka release can point
`KAFKA_HOME` at it instead.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from krafter.core import paths
from krafter.core.errors import EnvironmentProblem

# The newest Kafka 4.x on Maven Central when this was written (checked 2026-11-23:
# maven-metadata.xml lists 4.4.0 last); Strimzi 1.2 defaults to 4.3.1.
DEFAULT_KAFKA_VERSION = "4.4.0"
MINIMUM_JAVA = 17
COMPLETE_MARKER = ".complete"
_CORE_JAR = re.compile(r"^kafka_2\.1[23]-(?P<version>\d+\.\d+\.\d+)\.jar$")

Progress = Callable[[str], None]


@dataclass(frozen=True)
class KafkaDistribution:
    """A usable Kafka runtime: a directory of jars and the java that runs them."""

    version: str
    libs_dir: Path
    java: Path
    origin: str  # "maven" or "KAFKA_HOME", shown to users so they know which Kafka runs
    metrics_libs: Path | None = None
    """The metrics jars (krafter.kafka.metrics_libs), when a cluster asks for Prometheus metrics."""

    @property
    def classpath(self) -> str:
        return f"{self.libs_dir}/*"

    @property
    def log4j_config(self) -> Path:
        return log4j_config_path()


def log4j_config_path() -> Path:
    """The console log4j2 config shipped with Krafter (Kafka's pom brings none)."""
    return Path(str(resources.files("krafter.kafka").joinpath("log4j2.properties")))


def _pom_path() -> Path:
    return Path(str(resources.files("krafter.kafka").joinpath("kafka-runtime.pom.xml")))


def find_java() -> Path:
    """The java binary (`$JAVA_HOME/bin/java`, else PATH), checked to be new enough for Kafka 4."""
    java_home = os.environ.get("JAVA_HOME")
    candidate = Path(java_home) / "bin" / "java" if java_home else None
    if candidate is None or not candidate.exists():
        found = shutil.which("java")
        candidate = Path(found) if found else None
    if candidate is None:
        raise EnvironmentProblem(
            f"Java {MINIMUM_JAVA}+ is needed to run Kafka and was not found on PATH or in JAVA_HOME. "
            "Install it (Debian/Ubuntu: apt-get install openjdk-17-jre-headless) or set JAVA_HOME."
        )
    major = java_major_version(candidate)
    if major < MINIMUM_JAVA:
        raise EnvironmentProblem(
            f"{candidate} is Java {major}; Kafka 4 needs Java {MINIMUM_JAVA} or newer. "
            "Install a newer JDK/JRE or point JAVA_HOME at one."
        )
    return candidate


def java_major_version(java: Path) -> int:
    out = subprocess.run([str(java), "-version"], capture_output=True, text=True, check=False)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        raise EnvironmentProblem(f"Could not read the Java version from `{java} -version`: {out.stderr.strip()}")
    major = int(match.group(1))
    # Java 8 and older report "1.8.0_x".
    return int(match.group(2) or 0) if major == 1 else major


def version_of_home(home: Path) -> str | None:
    """The Kafka version of an unpacked Apache Kafka release, read from its core jar's name."""
    libs = home / "libs"
    if not libs.is_dir():
        return None
    for jar in sorted(libs.iterdir()):
        match = _CORE_JAR.match(jar.name)
        if match:
            return match.group("version")
    return None


def resolve(
    version: str | None = None,
    *,
    cache: Path | None = None,
    progress: Progress | None = None,
) -> KafkaDistribution:
    """A Kafka runtime for `version` (default: KAFKA_HOME's, else DEFAULT_KAFKA_VERSION).

    KAFKA_HOME wins when it holds the requested version (or none was requested); otherwise
    the version is fetched with Maven once and served from the cache afterwards.
    """
    java = find_java()
    home = os.environ.get("KAFKA_HOME")
    if home:
        home_version = version_of_home(Path(home))
        if home_version is None:
            raise EnvironmentProblem(
                f"KAFKA_HOME={home} does not look like an unpacked Apache Kafka release "
                "(no libs/kafka_2.13-<version>.jar). Unset KAFKA_HOME to let Krafter fetch Kafka itself."
            )
        if version is None or version == home_version:
            return KafkaDistribution(home_version, Path(home) / "libs", java, "KAFKA_HOME")
    wanted = version or DEFAULT_KAFKA_VERSION
    root = (cache or paths.cache_dir()) / "kafka" / wanted
    libs = root / "libs"
    if (root / COMPLETE_MARKER).exists():
        return KafkaDistribution(wanted, libs, java, "maven")
    root.mkdir(parents=True, exist_ok=True)
    with exclusive(root / ".lock"):
        if not (root / COMPLETE_MARKER).exists():  # another process may have finished meanwhile
            _fetch_with_maven(wanted, root, progress or (lambda _msg: None))
    return KafkaDistribution(wanted, libs, java, "maven")


@contextlib.contextmanager
def exclusive(lock_file: Path) -> Iterator[None]:
    with lock_file.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _find_maven() -> str:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise EnvironmentProblem(
            "Maven (mvn) is needed once to fetch Apache Kafka from Maven Central and was not found. "
            "Install it (Debian/Ubuntu: apt-get install maven), or set KAFKA_HOME to an unpacked "
            "Apache Kafka release."
        )
    return mvn


def maven_copy_dependencies(pom: Path, output: Path, properties: dict[str, str], what: str) -> list[Path]:
    """Copy a committed pom's runtime dependencies into `output` (replaced); the jars copied."""
    mvn = _find_maven()
    work = output.parent / f".build-{output.name}"
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(output, ignore_errors=True)
    work.mkdir(parents=True)
    shutil.copyfile(pom, work / "pom.xml")
    command = [
        mvn, "-B", "-q", "-C", "-f", str(work / "pom.xml"),
        *(f"-D{key}={value}" for key, value in properties.items()),
        "dependency:copy-dependencies",
        "-DincludeScope=runtime",
        f"-DoutputDirectory={output}",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    shutil.rmtree(work, ignore_errors=True)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise EnvironmentProblem(
            f"Could not fetch {what} from Maven Central (mvn exited {result.returncode}). "
            f"Check the version exists and Maven can reach its repository.\n{tail}"
        )
    return sorted(output.glob("*.jar"))


def _fetch_with_maven(version: str, root: Path, progress: Progress) -> None:
    staging = root / "libs.partial"
    progress(f"Fetching Apache Kafka {version} from Maven Central into {root} (once; later runs use the cache)")
    started = time.monotonic()
    jars = maven_copy_dependencies(_pom_path(), staging, {"kafka.version": version}, f"Apache Kafka {version}")
    if not any(_CORE_JAR.match(jar.name) for jar in jars):
        raise EnvironmentProblem(f"Maven finished but no kafka_2.13-{version}.jar arrived in {staging}.")
    shutil.rmtree(root / "libs", ignore_errors=True)
    staging.rename(root / "libs")
    (root / COMPLETE_MARKER).write_text(f"{len(jars)} jars\n")
    progress(f"Fetched Kafka {version}: {len(jars)} jars in {time.monotonic() - started:.0f} s")
