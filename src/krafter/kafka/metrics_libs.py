"""The metrics jars Kafka nodes load (JMX exporter agent, Strimzi's reporter), cached like Kafka.

Fetched only when a cluster asks for metrics, so `krafter up` without metrics never waits
for them. The cache key is the pom's content: changing a version there fetches afresh.
Layout (the start script's KRAFTER_METRICS_LIBS, the same as the Krafter image's
/opt/krafter/metrics): `jmx_prometheus_javaagent.jar` and `reporter/*.jar`.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from importlib import resources
from pathlib import Path

from krafter.core import paths
from krafter.core.errors import EnvironmentProblem
from krafter.kafka.dist import COMPLETE_MARKER, Progress, exclusive, maven_copy_dependencies

AGENT_JAR = "jmx_prometheus_javaagent.jar"
REPORTER_DIR = "reporter"


def pom_path() -> Path:
    return Path(str(resources.files("krafter.kafka").joinpath("metrics-libs.pom.xml")))


def arrange(jars_dir: Path, target: Path) -> None:
    """Maven's flat jar list -> the agent under a fixed name, the reporter's jars in `reporter/`."""
    agents = sorted(jars_dir.glob("jmx_prometheus_javaagent-*.jar"))
    if not agents:
        raise EnvironmentProblem(f"Maven finished but no jmx_prometheus_javaagent jar arrived in {jars_dir}.")
    (target / REPORTER_DIR).mkdir(parents=True, exist_ok=True)
    shutil.move(str(agents[0]), target / AGENT_JAR)
    for jar in jars_dir.glob("*.jar"):
        shutil.move(str(jar), target / REPORTER_DIR / jar.name)


def resolve(*, cache: Path | None = None, progress: Progress | None = None) -> Path:
    """The metrics jars directory, fetched once from Maven Central."""
    pom = pom_path()
    key = hashlib.sha256(pom.read_bytes()).hexdigest()[:12]
    root = (cache or paths.cache_dir()) / "metrics-libs" / key
    if (root / COMPLETE_MARKER).exists():
        return root
    root.parent.mkdir(parents=True, exist_ok=True)
    with exclusive(root.parent / f".{key}.lock"):
        if (root / COMPLETE_MARKER).exists():
            return root
        say = progress or (lambda _msg: None)
        say("Fetching the Prometheus metrics jars from Maven Central (once; later runs use the cache)")
        started = time.monotonic()
        staging = root.parent / f"{key}.partial"
        maven_copy_dependencies(pom, staging / "jars", {}, "the metrics jars (JMX exporter, Strimzi reporter)")
        arrange(staging / "jars", staging)
        shutil.rmtree(staging / "jars")
        shutil.rmtree(root, ignore_errors=True)
        staging.rename(root)
        (root / COMPLETE_MARKER).write_text("complete\n")
        say(f"Fetched the metrics jars in {time.monotonic() - started:.0f} s")
    return root
