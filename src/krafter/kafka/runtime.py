"""Command lines for Kafka's own main classes, run with the machine's java.

Kafka's `bin/*.sh` wrappers are not part of the Maven artefacts, so Krafter builds the
equivalent java invocations itself: `kafka.Kafka` for a node and
`kafka.tools.StorageTool format` for first-start storage formatting (still the Scala
class in 4.x).
"""

from __future__ import annotations

import base64
import secrets
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from krafter.core.errors import EnvironmentProblem
from krafter.kafka.dist import KafkaDistribution

KAFKA_MAIN = "kafka.Kafka"
STORAGE_TOOL = "kafka.tools.StorageTool"

# Kafka's defaults from kafka-run-class.sh / kafka-server-start.sh, minus what Java 17 ignores.
PERFORMANCE_OPTS = (
    "-server",
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-Djava.awt.headless=true",
)


def random_uuid() -> str:
    """A Kafka `Uuid` string (URL-safe base64 of 16 random bytes, unpadded).

    Computed in Python because starting a JVM for `StorageTool random-uuid` costs about a
    second. Like Kafka's Uuid.randomUuid, ids starting with '-' are avoided (they read as
    command-line options) and so is the all-zero id.
    """
    while True:
        raw = secrets.token_bytes(16)
        text = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        if not text.startswith("-") and any(raw):
            return text


def java_command(
    dist: KafkaDistribution,
    main_class: str,
    args: Sequence[str],
    *,
    heap: str = "512m",
    log_dir: Path | None = None,
    extra_jvm_options: Sequence[str] = (),
) -> list[str]:
    command = [
        str(dist.java),
        f"-Xms{min_heap(heap)}",
        f"-Xmx{heap}",
        *PERFORMANCE_OPTS,
        f"-Dlog4j2.configurationFile={dist.log4j_config}",
    ]
    if log_dir is not None:
        command.append(f"-Dkafka.logs.dir={log_dir}")
    command += [*extra_jvm_options, "-cp", dist.classpath, main_class, *args]
    return command


def min_heap(heap: str) -> str:
    """Start small: a tenth of the max heap, at least 64m, so idle test nodes stay light."""
    units = {"k": 1 / 1024, "m": 1, "g": 1024}
    suffix = heap[-1].lower()
    megabytes = float(heap[:-1]) * units[suffix] if suffix in units else float(heap) / 2**20
    return f"{max(64, int(megabytes / 10))}m"


def format_storage(
    dist: KafkaDistribution,
    config: Path,
    cluster_id: str,
    *,
    initial_controllers: str | None = None,
    standalone: bool = False,
    scram_credentials: Sequence[str] = (),
    release_version: str | None = None,
    env: Mapping[str, str] | None = None,
) -> None:
    """Format a node's log dirs once; `--ignore-formatted` makes repeated calls harmless.

    Controllers of a dynamic quorum are formatted with the same `--initial-controllers`
    string; brokers and late joiners with `--no-initial-controllers`.
    """
    args = ["format", "-t", cluster_id, "-c", str(config), "--ignore-formatted"]
    if initial_controllers:
        args += ["--initial-controllers", initial_controllers]
    elif standalone:
        args.append("--standalone")
    else:
        args.append("--no-initial-controllers")
    if release_version:
        args += ["--release-version", release_version]
    for credential in scram_credentials:
        args += ["--add-scram", credential]
    command = java_command(dist, STORAGE_TOOL, args, heap="256m")
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-10:])
        raise EnvironmentProblem(f"Formatting Kafka storage for {config} failed:\n{tail}")
