"""Invariants of the planner (and what the renderer makes of a plan) over generated clusters."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from krafter.api import validation
from krafter.api.errors import Severity
from krafter.api.kafka import Kafka
from krafter.api.listeners import RESERVED_PORTS
from krafter.api.nodepool import KafkaNodePool
from krafter.plan.model import ClusterPlan
from krafter.plan.planner import PlanInput, plan_cluster
from krafter.plan.profile import KubernetesProfile
from krafter.render.cluster import render_cluster

pytestmark = pytest.mark.unit

LISTENER_TYPES = ("internal", "cluster-ip", "nodeport", "loadbalancer", "ingress", "route", "tlsroute")
ROUTED = {"ingress", "route", "tlsroute"}
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
LABEL_LIMITED = {"Pod", "Service"}
"""Kinds whose names are DNS labels (63 characters); the others are DNS subdomains (253)."""

names = st.from_regex(r"[a-z][a-z0-9]{0,10}", fullmatch=True)
cluster_names = st.from_regex(r"[a-z]([a-z0-9-]{0,58}[a-z0-9])?", fullmatch=True)
long_cluster_names = st.from_regex(r"[a-z][a-z0-9-]{38,58}[a-z0-9]", fullmatch=True)


@st.composite
def volumes(draw: st.DrawFn) -> dict[str, Any]:
    def single(volume_id: int | None) -> dict[str, Any]:
        volume: dict[str, Any] = (
            {"type": "persistent-claim", "size": "10Gi", "deleteClaim": draw(st.booleans())}
            if draw(st.booleans())
            else {"type": "ephemeral"}
        )
        if volume_id is not None:
            volume["id"] = volume_id
        return volume

    count = draw(st.integers(0, 3))
    if count == 0:
        return single(None)
    ids = draw(st.lists(st.integers(0, 9), min_size=count, max_size=count, unique=True))
    return {"type": "jbod", "volumes": [single(i) for i in ids]}


@st.composite
def pools(draw: st.DrawFn, cluster: str) -> list[dict[str, Any]]:
    pool_names = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    drawn: list[dict[str, Any]] = []
    for name in pool_names:
        roles = draw(st.sampled_from([["controller"], ["broker"], ["controller", "broker"]]))
        drawn.append({"name": name, "roles": roles, "replicas": draw(st.integers(0, 7)), "storage": draw(volumes())})
    # Every cluster needs a controller and a broker; make the first pools provide them if none does.
    if not any("controller" in p["roles"] and p["replicas"] for p in drawn):
        drawn[0]["roles"] = sorted({*drawn[0]["roles"], "controller"})
        drawn[0]["replicas"] = max(1, drawn[0]["replicas"])
    if not any("broker" in p["roles"] and p["replicas"] for p in drawn):
        drawn[-1]["roles"] = sorted({*drawn[-1]["roles"], "broker"})
        drawn[-1]["replicas"] = max(1, drawn[-1]["replicas"])
    return [
        {
            "apiVersion": "kafka.strimzi.io/v1",
            "kind": "KafkaNodePool",
            "metadata": {"name": p["name"], "labels": {"strimzi.io/cluster": cluster}},
            "spec": {"replicas": p["replicas"], "roles": p["roles"], "storage": p["storage"]},
        }
        for p in drawn
    ]


@st.composite
def listeners(draw: st.DrawFn) -> list[dict[str, Any]]:
    kinds = draw(st.lists(st.sampled_from(LISTENER_TYPES), min_size=1, max_size=7))
    listener_names = draw(st.lists(names, min_size=len(kinds), max_size=len(kinds), unique=True))
    ports = draw(
        st.lists(
            st.integers(9092, 9200).filter(lambda p: p not in RESERVED_PORTS),
            min_size=len(kinds),
            max_size=len(kinds),
            unique=True,
        )
    )
    drawn = []
    for kind, name, port in zip(kinds, listener_names, ports, strict=True):
        tls = kind in ROUTED or draw(st.booleans())
        listener: dict[str, Any] = {"name": name, "port": port, "type": kind, "tls": tls}
        auth = draw(st.sampled_from([None, "scram-sha-512", *(["tls"] if tls else [])]))
        if auth:
            listener["authentication"] = {"type": auth}
        if kind in ROUTED and draw(st.booleans()):
            listener["configuration"] = {
                "hostTemplate": "broker-{nodeId}.example.com",
                "bootstrap": {"host": "b.example.com"},
            }
        drawn.append(listener)
    return drawn


@st.composite
def clusters(draw: st.DrawFn, name: st.SearchStrategy[str] = cluster_names) -> tuple[Kafka, tuple[KafkaNodePool, ...]]:
    cluster = draw(name)
    kafka = Kafka.model_validate(
        {
            "apiVersion": "kafka.strimzi.io/v1",
            "kind": "Kafka",
            "metadata": {"name": cluster},
            "spec": {"kafka": {"listeners": draw(listeners())}},
        }
    )
    node_pools = tuple(KafkaNodePool.model_validate(p) for p in draw(pools(cluster)))
    return kafka, node_pools


def _valid_plan(cluster: tuple[Kafka, tuple[KafkaNodePool, ...]]) -> ClusterPlan:
    kafka, node_pools = cluster
    findings = [*validation.validate_kafka(kafka), *validation.validate_cluster(kafka, node_pools)]
    for pool in node_pools:
        findings += validation.validate_node_pool(pool)
    assume(not [f for f in findings if f.severity is Severity.ERROR])
    return plan_cluster(PlanInput(kafka, node_pools, "Xh3u5FkPQmW2mK1sQv3m0A"), KubernetesProfile("myproject"))


PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(clusters())
def test_node_ids_are_unique_and_one_per_replica(cluster: tuple[Kafka, tuple[KafkaNodePool, ...]]) -> None:
    plan = _valid_plan(cluster)
    ids = [node.node_id for node in plan.nodes]
    assert len(ids) == len(set(ids)) == sum(pool.spec.replicas for pool in cluster[1])


@PROPERTY
@given(clusters())
def test_every_broker_advertises_every_user_listener(cluster: tuple[Kafka, tuple[KafkaNodePool, ...]]) -> None:
    plan = _valid_plan(cluster)
    user_listeners = {listener.name for listener in cluster[0].spec.kafka.listeners}
    for node in plan.brokers:
        advertised = {entry.listener for entry in node.listeners if entry.advertised is not None}
        assert user_listeners <= advertised
    for listener in plan.listeners:
        assert [node_id for node_id, _ in listener.broker_addresses] == [node.node_id for node in plan.brokers]


@PROPERTY
@given(clusters())
def test_only_brokers_serve_user_listeners(cluster: tuple[Kafka, tuple[KafkaNodePool, ...]]) -> None:
    plan = _valid_plan(cluster)
    user_listeners = {listener.name for listener in cluster[0].spec.kafka.listeners}
    for node in plan.nodes:
        if not node.is_broker:
            assert not user_listeners & {entry.listener for entry in node.listeners}


@PROPERTY
@given(clusters())
def test_quorum_voters_are_exactly_the_controllers(cluster: tuple[Kafka, tuple[KafkaNodePool, ...]]) -> None:
    plan = _valid_plan(cluster)
    assert list(plan.quorum.voter_ids) == sorted(node.node_id for node in plan.controllers)
    for node in plan.nodes:
        assert node.properties()["controller.quorum.bootstrap.servers"] == plan.quorum.bootstrap_servers


@PROPERTY
@given(clusters())
def test_every_claim_belongs_to_a_node_that_mounts_it(cluster: tuple[Kafka, tuple[KafkaNodePool, ...]]) -> None:
    plan = _valid_plan(cluster)
    objects = render_cluster(plan, owner=None, secrets=None)
    pods = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Pod"}
    claims = [o for o in objects if o["kind"] == "PersistentVolumeClaim"]
    assert len(claims) == sum(1 for node in plan.nodes for volume in node.volumes if volume.claim_name)
    for claim in claims:
        pod = pods[claim["metadata"]["labels"]["strimzi.io/pod-name"]]
        mounted = {
            v["persistentVolumeClaim"]["claimName"] for v in pod["spec"]["volumes"] if "persistentVolumeClaim" in v
        }
        assert claim["metadata"]["name"] in mounted


@PROPERTY
@given(st.one_of(clusters(), clusters(long_cluster_names)))
def test_names_fit_kubernetes_or_the_plan_reports_the_kafka_name(
    cluster: tuple[Kafka, tuple[KafkaNodePool, ...]],
) -> None:
    plan = _valid_plan(cluster)
    errors = [f for f in plan.findings if f.severity is Severity.ERROR]
    if errors:
        assert {(f.resource, f.path) for f in errors} == {(f"Kafka/{plan.name}", "metadata.name")}
        assert all("63" in f.message or "253" in f.message or "DNS label" in f.message for f in errors)
        return
    for obj in render_cluster(plan, owner=None, secrets=None):
        name = obj["metadata"]["name"]
        limit, pattern = (63, DNS_LABEL) if obj["kind"] in LABEL_LIMITED else (253, DNS_SUBDOMAIN)
        assert len(name) <= limit, f"{obj['kind']} {name}"
        assert pattern.match(name), f"{obj['kind']} {name}"
        assert all(len(value) <= 63 for value in obj["metadata"]["labels"].values()), name


@PROPERTY
@given(clusters())
def test_rendering_is_deterministic(cluster: tuple[Kafka, tuple[KafkaNodePool, ...]]) -> None:
    plan = _valid_plan(cluster)
    assert render_cluster(plan, owner=None, secrets=None) == render_cluster(plan, owner=None, secrets=None)
