"""Krafter: a Kubernetes operator for Apache Kafka (KRaft), API-compatible with Strimzi."""

from krafter._version import __version__

__all__ = ["__version__"]
