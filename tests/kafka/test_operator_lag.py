"""The operator's consumer-lag samples for a Kafka with spec.kafkaExporter, from a real cluster.

The connection comes from the operator's documented override (KRAFTER_KAFKA_CONNECTIONS, as the
process kubelet tests use it) instead of a Kubernetes Secret: the Kafka side is what is tested.
"""

from __future__ import annotations

import json

import pytest

from krafter.api.components import KafkaExporterSpec
from krafter.operator.connections import CONNECTIONS_ENV, KafkaConnections
from krafter.operator.lag import LagMetrics

pytestmark = pytest.mark.kafka


@pytest.fixture
def lag_metrics(secured_cluster, monkeypatch) -> LagMetrics:  # type: ignore[no-untyped-def]
    settings = secured_cluster.admin_settings()
    override = {
        "bootstrap": settings.bootstrap_servers,
        "ca": settings.ssl_cafile,
        "cert": settings.ssl_certfile,
        "key": settings.ssl_keyfile,
    }
    monkeypatch.setenv(CONNECTIONS_ENV, json.dumps({"prod/orders": override}))
    return LagMetrics(KafkaConnections(client=None))  # type: ignore[arg-type]  # overrides need no Kubernetes


def test_a_kafka_with_kafka_exporter_gets_lag_samples_labelled_with_its_namespace_and_cluster(
    lag_metrics: LagMetrics,
) -> None:
    lag_metrics.sync("prod", "orders", KafkaExporterSpec())
    text = lag_metrics.text()
    assert 'kafka_brokers{namespace="prod",strimzi_io_cluster="orders"} 3' in text.splitlines()
    assert "# TYPE" not in text  # several clusters' samples share one scrape


def test_removing_kafka_exporter_stops_its_samples(lag_metrics: LagMetrics) -> None:
    lag_metrics.sync("prod", "orders", KafkaExporterSpec())
    lag_metrics.sync("prod", "orders", None)
    assert lag_metrics.text() == ""
