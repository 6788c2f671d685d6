"""Monitoring content generated from one source: Grafana dashboards, Prometheus alert rules,
scrape configuration and Kafka Exporter-compatible consumer-lag samples.

Everything here is pure (values in, values out); `generate` writes the files the chart and
`examples/metrics/` ship, and a test fails when they are not current.
"""
