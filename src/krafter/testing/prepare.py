"""Fetch and build everything the test tiers need, ahead of pytest, with progress output.

`make test` runs this first so that a cold machine shows what it is doing (Kafka from
Maven Central, kube-apiserver and etcd from the Go module proxy, headless Chromium from
Debian's packages for the verify report's test) instead of a silent first test; on a warm
machine it returns in about a second.
"""

from __future__ import annotations

import os
import sys
import time

from krafter.core.errors import EnvironmentProblem
from krafter.kafka import dist
from krafter.testing import browser, kube_binaries, prometheus

POD_TIER_KAFKA_VERSIONS = ("4.3.1",)
"""Strimzi's examples name 4.3.1 (Strimzi 1.2's default); the process kubelet runs their Pods on it."""


def _say(message: str) -> None:
    print(f"[prepare] {message}", file=sys.stderr, flush=True)


def main() -> int:
    started = time.monotonic()
    try:
        kafka = dist.resolve(progress=_say)
        _say(f"Kafka {kafka.version} ({kafka.origin}): {kafka.libs_dir}")
        for version in POD_TIER_KAFKA_VERSIONS:
            other = dist.resolve(version, progress=_say)
            _say(f"Kafka {other.version} for apache/kafka:{version} Pods: {other.libs_dir}")
        binaries = kube_binaries.ensure(progress=_say)
        _say(f"kube {binaries.kube_version}, etcd {binaries.etcd_version}: {binaries.kube_apiserver.parent}")
        _say(f"headless browser: {browser.ensure(progress=_say)}")
    except EnvironmentProblem as exc:
        _say(f"error: {exc}")
        return 1
    try:
        found = prometheus.ensure(progress=_say)
        _say(f"Prometheus: {found.prometheus}, {found.promtool}")
    except EnvironmentProblem as exc:  # only the monitoring tests need it: outside CI they skip
        _say(f"{'error' if os.environ.get('CI') == 'true' else 'warning'}: {exc}")
        if os.environ.get("CI") == "true":
            return 1
    _say(f"ready in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
