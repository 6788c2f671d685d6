"""The Kafka versions Krafter runs, and their KRaft metadata versions: one table for everything.

Validation, defaults, `krafter explain versions`, image tags and the local platform's Maven
fetch all read this table, so adding a Kafka release is one line here. Only KRaft-capable
releases with the dynamic quorum (KIP-853, Kafka 3.9+) are listed; Krafter never runs
ZooKeeper.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class KafkaVersion:
    version: str
    default_metadata_version: str
    """The newest production metadata version of this release (`StorageTool version-mapping`)."""
    supported: bool = True

    @property
    def minor(self) -> tuple[int, int]:
        major, minor, *_ = (int(p) for p in self.version.split("."))
        return major, minor


# Metadata versions read with `kafka.tools.StorageTool version-mapping` per release.
VERSIONS: tuple[KafkaVersion, ...] = (
    KafkaVersion("3.9.0", "3.9-IV0"),
    KafkaVersion("3.9.1", "3.9-IV0"),
    KafkaVersion("4.0.0", "4.0-IV3"),
    KafkaVersion("4.0.1", "4.0-IV3"),
    KafkaVersion("4.0.2", "4.0-IV3"),
    KafkaVersion("4.1.0", "4.1-IV1"),
    KafkaVersion("4.1.1", "4.1-IV1"),
    KafkaVersion("4.1.2", "4.1-IV1"),
    KafkaVersion("4.2.0", "4.2-IV1"),
    KafkaVersion("4.2.1", "4.2-IV1"),
    KafkaVersion("4.2.2", "4.2-IV1"),
    KafkaVersion("4.3.0", "4.3-IV0"),
    KafkaVersion("4.3.1", "4.3-IV0"),
    KafkaVersion("4.4.0", "4.4-IV2"),
)
DEFAULT_VERSION = "4.4.0"
# KRaft metadata versions start at 3.3; older ones cannot be chosen for a new KRaft cluster.
MINIMUM_METADATA_VERSION = (3, 3)
_METADATA_VERSION = re.compile(r"^(?P<major>\d+)\.(?P<minor>\d+)(?:-IV(?P<iv>\d+))?$")


def supported_versions() -> list[str]:
    return [v.version for v in VERSIONS if v.supported]


def find(version: str) -> KafkaVersion | None:
    return next((v for v in VERSIONS if v.version == version and v.supported), None)


def default() -> KafkaVersion:
    found = find(DEFAULT_VERSION)
    assert found is not None, "DEFAULT_VERSION must be in VERSIONS"
    return found


def parse_metadata_version(text: str) -> tuple[int, int, int | None] | None:
    """`4.3-IV0` -> (4, 3, 0); `4.3` -> (4, 3, None); anything else -> None."""
    match = _METADATA_VERSION.match(text.strip())
    if not match:
        return None
    iv = match.group("iv")
    return int(match.group("major")), int(match.group("minor")), int(iv) if iv is not None else None


def metadata_version_problem(metadata_version: str, kafka: KafkaVersion) -> str | None:
    """Why `metadata_version` cannot be used with `kafka`, or None if it can."""
    parsed = parse_metadata_version(metadata_version)
    if parsed is None:
        return f"'{metadata_version}' is not a metadata version; write it like '{kafka.default_metadata_version}'"
    major, minor, iv = parsed
    if (major, minor) < MINIMUM_METADATA_VERSION:
        return f"metadata version {metadata_version} predates KRaft; use {kafka.default_metadata_version}"
    newest = parse_metadata_version(kafka.default_metadata_version)
    assert newest is not None
    if (major, minor) > newest[:2] or (
        (major, minor) == newest[:2] and iv is not None and newest[2] is not None and iv > newest[2]
    ):
        return (
            f"metadata version {metadata_version} is newer than Kafka {kafka.version} supports "
            f"(at most {kafka.default_metadata_version})"
        )
    return None
