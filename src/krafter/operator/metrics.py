"""Operator metrics (`/metrics`) and health (`/healthz`, `/readyz`) on one small HTTP server.

A thread with the standard library's server is enough for a handful of scrapes a minute and
keeps the asyncio loop free for watches.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

REGISTRY = CollectorRegistry()
RECONCILIATIONS = Counter(
    "krafter_reconciliations", "Reconciliations run, by kind and outcome.", ["kind", "outcome"], registry=REGISTRY
)
FAILURES = Counter(
    "krafter_reconciliation_failures", "Reconciliations that raised an error.", ["kind"], registry=REGISTRY
)
DURATION = Histogram(
    "krafter_reconciliation_duration_seconds",
    "Wall time of one reconciliation.",
    ["kind"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
    registry=REGISTRY,
)
WRITES = Counter("krafter_api_writes", "Kubernetes API writes made by reconciliations.", ["kind"], registry=REGISTRY)
MANAGED = Gauge("krafter_managed_resources", "Resources currently managed, by kind.", ["kind"], registry=REGISTRY)
QUEUE_DEPTH = Gauge("krafter_work_queue_depth", "Keys waiting for reconciliation.", ["kind"], registry=REGISTRY)
LEADER = Gauge("krafter_leader", "1 while this replica holds the leader lease.", registry=REGISTRY)
# Kafka-scoped series carry the Kafka's `namespace` and `strimzi_io_cluster` (the chart's
# ServiceMonitor honours them), so alerts and dashboards group them like the nodes' metrics.
CLUSTER_LABELS = ["namespace", "strimzi_io_cluster"]
CERT_EXPIRY = Gauge(
    "krafter_certificate_expiry_timestamp_seconds",
    "When each CA and node certificate of a Kafka expires (Unix time).",
    [*CLUSTER_LABELS, "certificate", "ca"],
    registry=REGISTRY,
)
RENEWAL_WINDOW = Gauge(
    "krafter_certificate_renewal_window_seconds",
    "The CA's renewalDays: certificates expiring sooner are due for renewal.",
    [*CLUSTER_LABELS, "ca"],
    registry=REGISTRY,
)
ROLL_BLOCKED = Gauge(
    "krafter_roll_blocked_seconds",
    "How long the current rolling update has been blocked (0: not blocked).",
    CLUSTER_LABELS,
    registry=REGISTRY,
)
POD_RESTARTS = Counter("krafter_pod_restarts", "Kafka Pods restarted by the roller.", CLUSTER_LABELS, registry=REGISTRY)


def record_certificates(
    namespace: str, cluster: str, expiry: Mapping[tuple[str, str], datetime], renewal_days: Mapping[str, int]
) -> None:
    """`expiry`: (certificate name, signing CA "cluster"/"clients") -> not-after; `renewal_days` per CA."""
    for (certificate, ca), not_after in expiry.items():
        CERT_EXPIRY.labels(namespace, cluster, certificate, ca).set(not_after.timestamp())
    for ca, days in renewal_days.items():
        RENEWAL_WINDOW.labels(namespace, cluster, ca).set(days * 86400)


def forget_cluster(namespace: str, cluster: str) -> None:
    """Drop a deleted Kafka's series, so no alert fires for certificates nobody uses any more."""
    for gauge in (CERT_EXPIRY, RENEWAL_WINDOW, ROLL_BLOCKED):
        for labels in [k for k in gauge._metrics if k[:2] == (namespace, cluster)]:
            gauge.remove(*labels)


def serve(
    port: int,
    healthy: Callable[[], bool],
    ready: Callable[[], bool],
    host: str = "0.0.0.0",
    extra: Callable[[], str] | None = None,
) -> ThreadingHTTPServer:
    """`extra`: more exposition text appended to /metrics (the consumer-lag samples)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.startswith("/metrics"):
                body, content_type, code = generate_latest(REGISTRY), CONTENT_TYPE_LATEST, 200
                if extra is not None:
                    body += extra().encode()
            elif self.path.startswith("/healthz"):
                ok = healthy()
                body, content_type, code = (b"ok\n" if ok else b"unhealthy\n"), "text/plain", 200 if ok else 503
            elif self.path.startswith("/readyz"):
                ok = ready()
                body, content_type, code = (b"ready\n" if ok else b"not ready\n"), "text/plain", 200 if ok else 503
            else:
                body, content_type, code = b"not found\n", "text/plain", 404
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return  # probes every few seconds would drown the operator's own log

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    return server
