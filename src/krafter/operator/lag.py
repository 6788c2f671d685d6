"""Consumer-lag metrics for every Kafka with `spec.kafkaExporter`, on the operator's `/metrics`.

This replaces Strimzi's `<cluster>-kafka-exporter` Deployment: the leader keeps one collector
per such Kafka (created or dropped as reconciles see the spec), and each scrape of `/metrics`
appends their samples, labelled with the Kafka's `namespace` and `strimzi_io_cluster`. A
collector connects with the operator's own client certificate and runs at most one offsets
pass per interval, in the scraping thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from krafter.api.components import KafkaExporterSpec
from krafter.monitoring import lag
from krafter.monitoring.lag_collector import LagCollector, kafka_pass
from krafter.operator.connections import KafkaConnections

Key = tuple[str, str]


class LagMetrics:
    def __init__(self, connections: KafkaConnections) -> None:
        self.connections = connections
        self._collectors: dict[Key, tuple[KafkaExporterSpec, LagCollector]] = {}
        self._lock = threading.Lock()

    def sync(self, namespace: str, name: str, spec: KafkaExporterSpec | None) -> None:
        """Called after each reconcile (and with None when the Kafka is gone)."""
        key = (namespace, name)
        with self._lock:
            current = self._collectors.get(key)
            if spec is None:
                self._collectors.pop(key, None)
            elif current is None or current[0] != spec:
                self._collectors[key] = (spec, LagCollector(self._reader(key, spec), name=f"{namespace}/{name}"))

    def _reader(self, key: Key, spec: KafkaExporterSpec) -> Callable[[], str]:
        wanted = lag.LagFilter.of(spec)
        labels = {"namespace": key[0], "strimzi_io_cluster": key[1]}

        def read() -> str:
            connection = self.connections.connect(*key)
            if connection is None:
                raise OSError("the operator's client certificate for this cluster does not exist yet")
            return kafka_pass(connection.settings, wanted, labels, headers=False)()

        return read

    def text(self) -> str:
        with self._lock:
            collectors = [collector for _, collector in self._collectors.values()]
        return "".join(collector.render() for collector in collectors)
