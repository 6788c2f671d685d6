"""What stands in for a container image: the project's installed package, or Kafka's fetched jars.

No image can be pulled here, so the process kubelet knows two images and refuses every other
one by name (a wrong reference in a chart or a rendered Pod then fails the tests instead of a
user's cluster): the Krafter image (the configured reference, by default
`krafter.core.images.operator_image()`) runs from this Python environment, and
`apache/kafka:<version>` runs on that version's jars from the project's cache (fetched from
Maven Central like every other Kafka the project runs) at the image's own `/opt/kafka`.
"""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass, field
from pathlib import Path

import krafter
from krafter.core import images
from krafter.core.errors import EnvironmentProblem
from krafter.kafka import dist, metrics_libs

BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class ImageRefused(Exception):
    """The process kubelet has no stand-in for this image (status: ErrImagePull)."""


@dataclass(frozen=True)
class Mount:
    source: str
    target: str
    read_only: bool = True


@dataclass(frozen=True)
class ImageRuntime:
    """An image's file system additions, environment, user and entry point."""

    mounts: tuple[Mount, ...]
    env: dict[str, str]
    uid: int
    gid: int
    entrypoint: tuple[str, ...] = ()
    cmd: tuple[str, ...] = ()
    directories: tuple[str, ...] = field(default_factory=tuple)


def _python_mounts() -> tuple[Mount, ...]:
    """This environment at its own paths: the venv, the base interpreter and, for an editable
    install, the source tree (anything under /usr is already there)."""
    wanted = {Path(sys.prefix), Path(sys.base_prefix), Path(krafter.__file__).resolve().parents[1]}
    kept = sorted(p for p in wanted if not str(p).startswith("/usr/") and str(p) != "/usr")
    outermost = [p for p in kept if not any(p != q and p.is_relative_to(q) for q in kept)]
    return tuple(Mount(str(p), str(p)) for p in outermost)


def krafter_runtime() -> ImageRuntime:
    mounts = list(_python_mounts())
    # Only Pods with metrics need them; without them, their init container says what is missing.
    with contextlib.suppress(EnvironmentProblem):
        mounts.append(Mount(str(metrics_libs.resolve()), "/opt/krafter/metrics"))
    return ImageRuntime(
        mounts=tuple(mounts),
        env={
            "PATH": f"{Path(sys.prefix) / 'bin'}:{BASE_PATH}",
            "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        },
        uid=1001,
        gid=1001,
        entrypoint=("krafter",),
        cmd=("operator",),
    )


def kafka_runtime(version: str) -> ImageRuntime:
    try:
        distribution = dist.resolve(version)
    except EnvironmentProblem as exc:
        raise ImageRefused(f"apache/kafka:{version}: no Kafka {version} for the process kubelet: {exc}") from exc
    return ImageRuntime(
        mounts=(Mount(str(distribution.libs_dir), "/opt/kafka/libs"),),
        env={"PATH": f"/opt/kafka/bin:{BASE_PATH}", "KAFKA_HOME": "/opt/kafka"},
        uid=1000,
        gid=1000,
        directories=("/opt/kafka/bin", "/opt/kafka/config"),
    )


@dataclass
class ImageCatalog:
    """Image reference -> runtime, built once per reference."""

    krafter_image: str = field(default_factory=images.operator_image)
    _known: dict[str, ImageRuntime] = field(default_factory=dict)

    def runtime(self, image: str) -> ImageRuntime:
        if image not in self._known:
            self._known[image] = self._resolve(image)
        return self._known[image]

    def _resolve(self, image: str) -> ImageRuntime:
        if image == self.krafter_image:
            return krafter_runtime()
        repository, tag = images.split(image)
        if repository in (images.KAFKA_REPOSITORY, f"docker.io/{images.KAFKA_REPOSITORY}") and tag:
            return kafka_runtime(tag)
        raise ImageRefused(
            f"image {image} cannot be run here: the process kubelet runs only {self.krafter_image} "
            f"(this package) and {images.KAFKA_REPOSITORY}:<version> (Kafka from the cache)"
        )
