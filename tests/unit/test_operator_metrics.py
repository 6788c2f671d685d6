"""The operator's certificate and roll series: what the alert rules and dashboards read."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from prometheus_client import generate_latest

from krafter.operator import metrics

pytestmark = pytest.mark.unit


def _scrape() -> str:
    return generate_latest(metrics.REGISTRY).decode()


def test_certificate_expiry_and_renewal_window_are_labelled_with_the_kafka_and_its_ca() -> None:
    expiry = datetime(2030, 1, 1, tzinfo=UTC)
    metrics.record_certificates("prod", "c1", {("c1-kafka-0", "cluster"): expiry}, {"cluster": 30, "clients": 15})
    cluster = {"namespace": "prod", "strimzi_io_cluster": "c1"}
    assert (
        metrics.REGISTRY.get_sample_value(
            "krafter_certificate_expiry_timestamp_seconds", {**cluster, "certificate": "c1-kafka-0", "ca": "cluster"}
        )
        == expiry.timestamp()
    )
    assert (
        metrics.REGISTRY.get_sample_value("krafter_certificate_renewal_window_seconds", {**cluster, "ca": "clients"})
        == 15 * 86400
    )


def test_a_deleted_kafka_leaves_no_certificate_or_roll_series_behind() -> None:
    metrics.record_certificates(
        "prod", "gone", {("gone-cluster-ca-cert", "cluster"): datetime.now(UTC)}, {"cluster": 30}
    )
    metrics.ROLL_BLOCKED.labels("prod", "gone").set(10)
    metrics.forget_cluster("prod", "gone")
    assert 'strimzi_io_cluster="gone"' not in _scrape()
