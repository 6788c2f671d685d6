"""Operator footprint and speed: RSS, reconcile latency (p50/p99), writes of an unchanged reconcile.

Runs `krafter operator` as a process against the test control plane (real kube-apiserver +
etcd), creates 1 and then 20 Kafka clusters (Strimzi's persistent example: 6 nodes each),
and reads the operator's own log for per-reconcile durations. Strimzi's operator requests
384Mi and users report OOM kills; the figure to beat is that.
"""

from __future__ import annotations

import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from lightkube.resources.core_v1 import Pod

from krafter.operator.cluster_reconciler import ClusterReconciler
from krafter.platform.kubernetes.client import CountingClient
from krafter.testing import kube_binaries, kube_helpers, operator_process
from krafter.testing.control_plane import ControlPlane
from krafter.testing.kube_session import KubeSession
from krafter.testing.waiting import eventually

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "tests" / "data" / "strimzi-examples" / "kafka" / "kafka-persistent.yaml"
DURATION = re.compile(r"cluster=(\S+) reconciled: .* in (\d+\.\d+)s")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cluster_docs(name: str) -> list[dict[str, Any]]:
    return kube_helpers.example_cluster(EXAMPLE, name)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    binaries = kube_binaries.ensure()
    with tempfile.TemporaryDirectory() as scratch:
        plane = ControlPlane(binaries, Path(scratch) / "kube")
        plane.start()
        session = KubeSession(plane)
        client = session.client
        try:
            kube_helpers.install_crds(client)
            namespace = "bench"
            session.create_namespace(namespace)
            operator = operator_process.start(
                plane.kubeconfig_path, [namespace], Path(scratch), lease_namespace=namespace, resync_seconds=600
            )
            pid = operator.process.pid
            idle = rss_mb(pid)
            peak = idle
            created = time.monotonic()
            kube_helpers.create_all(client, cluster_docs("c0"), namespace)
            eventually(lambda: len(list(client.list(Pod, namespace=namespace))) == 6, timeout=120)
            first = time.monotonic() - created
            one_cluster = rss_mb(pid)
            created = time.monotonic()
            for index in range(1, 20):
                kube_helpers.create_all(client, cluster_docs(f"c{index}"), namespace)
                peak = max(peak, rss_mb(pid))
            while len(list(client.list(Pod, namespace=namespace))) < 120:
                peak = max(peak, rss_mb(pid))
                time.sleep(0.2)
            twenty = time.monotonic() - created
            kube_helpers.mark_pods_ready(client, namespace)
            time.sleep(20)  # readiness events settle; the operator reconciles each cluster to Ready
            peak = max(peak, rss_mb(pid))
            settled = rss_mb(pid)
            durations = [float(m.group(2)) for m in DURATION.finditer(operator.log_path.read_text())]
            operator.stop()

            counting = CountingClient(client)
            reconciler = ClusterReconciler(counting)  # type: ignore[arg-type]
            unchanged_started = time.monotonic()
            for index in range(20):
                reconciler.reconcile(namespace, f"c{index}")
            unchanged_seconds = (time.monotonic() - unchanged_started) / 20
            writes = len(counting.writes)
        finally:
            session.close()
            plane.stop()
    print(f"operator rss_idle_mb {idle:.0f} MB")
    print(f"operator rss_1_cluster_mb {one_cluster:.0f} MB")
    print(f"operator rss_20_clusters_mb {settled:.0f} MB   (peak {peak:.0f} MB; Strimzi requests 384 MiB)")
    print(f"operator first_cluster_pods_s {first:.1f} s   (Kafka created -> 6 Pods exist)")
    print(f"operator next_19_clusters_pods_s {twenty:.1f} s   (114 Pods)")
    if durations:
        print(
            f"operator reconcile_p50_ms {statistics.median(durations) * 1000:.0f} ms   "
            f"p99 {percentile(durations, 0.99) * 1000:.0f} ms   ({len(durations)} reconciles)"
        )
    print(f"operator unchanged_reconcile_writes {writes}   (20 clusters; must be 0)")
    print(f"operator unchanged_reconcile_ms {unchanged_seconds * 1000:.0f} ms per cluster")


if __name__ == "__main__":
    main()
