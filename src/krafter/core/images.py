"""The container images Krafter names, in one place.

The chart's `image.repository` default, the rendered install manifests, `make image` and the
operator's default for the Kafka Pods' init container all come from here, so a user who
builds and pushes the image to their own registry changes one value (see install/README.md)
and a wrong reference fails the tests instead of a user's cluster.
"""

from __future__ import annotations

from krafter._version import __version__

OPERATOR_REPOSITORY = "ghcr.io/krafter/krafter"
"""Where released Krafter images are published; override with the chart's `image.repository`."""

KAFKA_REPOSITORY = "apache/kafka"
"""The official Apache Kafka image; Krafter needs no broker image of its own."""


def operator_image(repository: str = OPERATOR_REPOSITORY, tag: str = __version__) -> str:
    return f"{repository}:{tag}"


def kafka_image(version: str) -> str:
    return f"{KAFKA_REPOSITORY}:{version}"


def split(image: str) -> tuple[str, str | None]:
    """`repo[:tag][@digest]` -> (repository, tag); the colon of a registry port is not a tag."""
    name = image.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        return name[:colon], name[colon + 1 :]
    return name, None
