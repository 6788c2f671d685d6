"""The dashboards and alert rules against a real Prometheus scraping real local clusters.

One module-wide setup (about a minute): a 3-node cluster with the JMX exporter (Krafter's
default rules) and consumer-lag metrics, a 1-node cluster with Strimzi's metrics reporter,
the operator's metrics endpoint (this process, fed through its own recording functions),
and Debian's Prometheus scraping all of them every 10 s with the alert rules at short `for`
windows. The broker-kill test runs last: it leaves the 3-node cluster degraded.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from cryptography import x509
from kafka import KafkaConsumer, KafkaProducer

from krafter.cli.main import cli
from krafter.kafka.admin import KafkaAdmin
from krafter.kafka.admin_types import KafkaAdminError, NewTopic
from krafter.monitoring import alerts, grafana, panels, scrape
from krafter.monitoring.names import Flavour
from krafter.operator import metrics as operator_metrics
from krafter.platform.local import cluster as local
from krafter.platform.local import lag_exporter, processes
from krafter.testing import local_cluster
from krafter.testing import prometheus as prom

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data" / "krafter"
RATE_WINDOW = "30s"
SCRAPE = "10s"  # the JMX exporter walks every MBean: seconds per scrape on a busy 2-core machine
TIMING = alerts.Timing(short="5s", medium="5s", long="5s", lag_window="60s", failure_window=RATE_WINDOW)
CLUSTER_OF = {Flavour.JMX_EXPORTER: "mon-jmx", Flavour.STRIMZI_REPORTER: "mon-reporter"}
REPLICATED_TOPIC = "mon-replicated"
LAG_TOPIC = "mon-lag"
STALLED_GROUP = "mon-stalled"


@dataclass
class Monitored:
    server: prom.PrometheusServer
    jmx: local_cluster.LocalTestCluster
    reporter: local_cluster.LocalTestCluster
    rules_file: Path


def _wait(what: str, check: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(1)


def _feed_operator_metrics(jmx: local_cluster.LocalTestCluster) -> int:
    """The operator's endpoint with one reconcile's worth of samples, through the functions it calls."""
    port = prom.free_port()
    operator_metrics.serve(port, healthy=lambda: True, ready=lambda: True, host="127.0.0.1")
    operator_metrics.RECONCILIATIONS.labels("Kafka", "ok").inc()
    operator_metrics.FAILURES.labels("Kafka")
    operator_metrics.DURATION.labels("Kafka").observe(0.3)
    operator_metrics.WRITES.labels("Kafka").inc(3)
    operator_metrics.QUEUE_DEPTH.labels("Kafka").set(0)
    operator_metrics.LEADER.set(1)
    operator_metrics.ROLL_BLOCKED.labels("local", jmx.name).set(0)
    operator_metrics.POD_RESTARTS.labels("local", jmx.name)
    ca = x509.load_pem_x509_certificate(Path(jmx.ca_file).read_bytes())
    operator_metrics.record_certificates(
        "local", jmx.name, {(f"{jmx.name}-cluster-ca-cert", "cluster"): ca.not_valid_after_utc}, {"cluster": 30}
    )
    return port


def _create_topics(cluster: local_cluster.LocalTestCluster, topics: list[NewTopic]) -> None:
    """Retried: on a busy shared machine a CreateTopics answer can miss the client's deadline."""

    def created() -> bool:
        try:
            with KafkaAdmin(cluster.admin_settings()) as admin:
                missing = [t for t in topics if t.name not in admin.list_topics()]
                if missing:
                    admin.create_topics(missing)
                return not [t for t in topics if t.name not in admin.list_topics()]
        except KafkaAdminError:
            return False

    _wait("the test topics", created, timeout=180)


def _use_group(bootstrap: str, group: str, topic: str, records: int, timeout: float = 120.0) -> None:
    """A consumer group that read every record, committed, and stopped (no members left)."""
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest")
    try:
        seen = 0
        deadline = time.monotonic() + timeout
        while seen < records:  # joining the group takes a while on a busy machine
            assert time.monotonic() < deadline, f"consumed {seen} of {records} records of {topic}"
            seen += sum(len(batch) for batch in consumer.poll(timeout_ms=1000).values())
        consumer.commit()
    finally:
        consumer.close()


def _produce(bootstrap: str, topic: str, count: int) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    try:
        for i in range(count):
            producer.send(topic, f"record {i}".encode())
        producer.flush(timeout=30)
    finally:
        producer.close()


@pytest.fixture(scope="module")
def monitored(kafka_dist, prometheus_binaries, tmp_path_factory) -> Iterator[Monitored]:  # type: ignore[no-untyped-def]
    state_dir = Path(tmp_path_factory.mktemp("monitoring-state"))
    jmx = local_cluster.start(DATA / "monitoring.yaml", state_dir)
    reporter = None
    server = None
    try:
        reporter = local_cluster.start(DATA / "monitoring-reporter.yaml", state_dir)
        bootstrap = jmx.bootstrap("plain")
        _create_topics(jmx, [NewTopic(REPLICATED_TOPIC, 3, 3), NewTopic(LAG_TOPIC, 2, 3)])
        _produce(bootstrap, LAG_TOPIC, 20)
        _use_group(bootstrap, STALLED_GROUP, LAG_TOPIC, 20)
        state = jmx.platform.state(jmx.name)
        lag_exporter.stop(state)  # restarted with a pass every 2 s instead of 30 s, to keep the test short
        lag_endpoint = lag_exporter.ensure(state, interval=2.0)
        operator_port = _feed_operator_metrics(jmx)
        workdir = Path(tmp_path_factory.mktemp("prometheus"))
        rules_file = workdir / "alert-rules.yaml"
        rules_file.write_text(yaml.safe_dump(alerts.to_prometheus(alerts.rule_groups(TIMING)), sort_keys=False))
        operator_job = {
            "job_name": "krafter-operator",
            "honor_labels": True,
            "static_configs": [{"targets": [f"127.0.0.1:{operator_port}"], "labels": {"namespace": "krafter"}}],
        }
        config = scrape.prometheus_config(
            [
                scrape.LocalTargets(jmx.result.plan, lag_endpoint),
                scrape.LocalTargets(reporter.result.plan),
            ],
            interval=SCRAPE,
            evaluation="1s",
            rule_files=(str(rules_file),),
            extra=(operator_job,),
        )
        server = prom.PrometheusServer(prometheus_binaries, workdir, config)
        server.start()
        yield Monitored(server, jmx, reporter, rules_file)
    finally:
        if server is not None:
            server.stop()
        if reporter is not None:
            reporter.platform.down(reporter.name, delete_data=True)
        jmx.platform.down(jmx.name, delete_data=True)


def _concrete(expr: str, cluster: str) -> str:
    return (
        expr.replace("$namespace", ".*")
        .replace("$cluster", cluster)
        .replace("$group", ".*")
        .replace("$__rate_interval", RATE_WINDOW)
    )


def _series_or_error(server: prom.PrometheusServer, expr: str) -> int | str:
    try:
        return len(server.query(expr))
    except prom.PromqlError as exc:
        return str(exc)


def _evaluate_until_all_answer(
    server: prom.PrometheusServer, checks: dict[str, bool], timeout: float = 150.0
) -> dict[str, Any]:
    """expr -> needs series? Polls until every expression parses and the ones that must, return series."""
    outcome: dict[str, Any] = {}
    deadline = time.monotonic() + timeout
    pending = dict(checks)
    while pending:
        for expr, needs_series in list(pending.items()):
            found = _series_or_error(server, expr)
            outcome[expr] = found
            if isinstance(found, int) and (found > 0 or not needs_series):
                del pending[expr]
        if not pending or time.monotonic() > deadline:
            break
        time.sleep(2)
    return {expr: outcome[expr] for expr in pending}


def test_promtool_accepts_the_shipped_alert_rules(prometheus_binaries: prom.PrometheusBinaries) -> None:
    result = prom.check_rules(prometheus_binaries, REPO / "examples" / "metrics" / "alert-rules.yaml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_dashboard_query_returns_series_from_real_clusters(monitored: Monitored) -> None:
    checks: dict[str, bool] = {}
    for dashboard in panels.all_dashboards():
        flavour = next((f for f in Flavour if dashboard.file_stem.endswith(f"-{f.short}")), Flavour.JMX_EXPORTER)
        for panel in dashboard.panels():
            for expr in grafana.expressions(dashboard, panel):
                checks[_concrete(expr, CLUSTER_OF[flavour])] = panel.needs is None
        for variable in dashboard.variables:  # label_values(SELECTOR, label): the selector must match
            selector, label = variable.query.removeprefix("label_values(").removesuffix(")").rsplit(", ", 1)
            checks[f"count by ({label}) ({_concrete(selector, CLUSTER_OF[flavour])})"] = True
    unanswered = _evaluate_until_all_answer(monitored.server, checks)
    assert unanswered == {}, "queries without series (or refused):\n" + "\n".join(
        f"{v}: {k}" for k, v in unanswered.items()
    )


def test_every_alert_rule_parses_and_its_measure_returns_series(monitored: Monitored) -> None:
    checks: dict[str, bool] = {}
    for group in alerts.rule_groups(TIMING):
        for rule in group.rules:
            checks[rule.measure] = rule.needs is None
            checks[rule.expr] = False  # the whole rule must parse; it need not be true
    unanswered = _evaluate_until_all_answer(monitored.server, checks)
    assert unanswered == {}, "rules without series (or refused):\n" + "\n".join(
        f"{v}: {k}" for k, v in unanswered.items()
    )


def test_prometheus_loaded_every_rule_of_every_group(monitored: Monitored) -> None:
    loaded = monitored.server.rule_groups()
    expected = {g.name: len(g.rules) for g in alerts.rule_groups(TIMING)}
    assert {g["name"]: len(g["rules"]) for g in loaded} == expected


def _lag_of(server: prom.PrometheusServer, group: str) -> float | None:
    found = server.query(f'sum(kafka_consumergroup_lag{{consumergroup="{group}",strimzi_io_cluster="mon-jmx"}})')
    return float(found[0]["value"][1]) if found else None


def test_a_group_that_stopped_consuming_shows_growing_lag(monitored: Monitored) -> None:
    bootstrap = monitored.jmx.bootstrap("plain")
    _wait("the stalled group's lag in Prometheus", lambda: _lag_of(monitored.server, STALLED_GROUP) is not None)
    before = _lag_of(monitored.server, STALLED_GROUP)
    assert before is not None
    _produce(bootstrap, LAG_TOPIC, 15)
    _wait(
        "the stalled group's lag to grow by the 15 new records",
        lambda: (_lag_of(monitored.server, STALLED_GROUP) or 0) >= before + 15,
    )
    # Lag above its value a minute ago, for longer than the (test's 5 s) `for`: the alert fires.
    _wait(
        "KafkaConsumerGroupLagGrowing firing",
        lambda: _firing(monitored.server, "KafkaConsumerGroupLagGrowing", consumergroup=STALLED_GROUP),
        timeout=50,
    )


def test_metrics_config_prints_what_prometheus_needs_for_a_local_cluster(monitored: Monitored) -> None:
    state_dir = monitored.jmx.platform.state(monitored.jmx.name).base
    printed = CliRunner().invoke(cli, ["metrics-config", "mon-jmx", "--state-dir", str(state_dir), "--interval", "5s"])
    assert printed.exit_code == 0, printed.output
    config = yaml.safe_load(printed.output)
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert set(jobs) == {"mon-jmx-kafka", "mon-jmx-kafka-exporter"}
    targets = {t["labels"]["pod"]: t["targets"] for t in jobs["mon-jmx-kafka"]["static_configs"]}
    assert targets == {n.pod_name: [str(n.metrics_endpoint)] for n in monitored.jmx.result.plan.nodes}
    up = {t["labels"]["pod"]: t["health"] for t in monitored.server.targets() if t["labels"].get("strimzi_io_kind")}
    assert set(up) >= set(targets)


def _firing(server: prom.PrometheusServer, alert: str, **labels: str) -> bool:
    return any(
        a["labels"]["alertname"] == alert
        and a["state"] == "firing"
        and all(a["labels"].get(k) == v for k, v in labels.items())
        for a in server.alerts()
    )


def test_killing_a_broker_fires_node_down_and_under_replicated_alerts(monitored: Monitored) -> None:
    """Runs last: the 3-node cluster stays degraded."""
    victim = monitored.jmx.result.plan.nodes[-1]
    state = monitored.jmx.platform.state(monitored.jmx.name)
    assert processes.stop(local.dirs_of(state, victim), kill=True)
    _wait(
        f"KafkaNodeDown firing for {victim.pod_name}",
        lambda: _firing(monitored.server, "KafkaNodeDown", pod=victim.pod_name),
    )
    _wait(
        "KafkaUnderReplicatedPartitions firing",
        lambda: _firing(monitored.server, "KafkaUnderReplicatedPartitions", strimzi_io_cluster="mon-jmx"),
    )
