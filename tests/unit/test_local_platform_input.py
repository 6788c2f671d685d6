"""What `krafter up` refuses before it touches anything: input the local platform cannot run."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from krafter.api import cluster as assembly
from krafter.api import parse
from krafter.api.errors import InvalidResource
from krafter.platform.local import cluster as local
from krafter.platform.local import security

pytestmark = pytest.mark.unit

POOL: dict[str, Any] = {
    "apiVersion": "kafka.strimzi.io/v1",
    "kind": "KafkaNodePool",
    "metadata": {"name": "dual", "labels": {"strimzi.io/cluster": "c"}},
    "spec": {"replicas": 1, "roles": ["controller", "broker"], "storage": {"type": "ephemeral"}},
}
KAFKA: dict[str, Any] = {
    "apiVersion": "kafka.strimzi.io/v1",
    "kind": "Kafka",
    "metadata": {"name": "c"},
    "spec": {"kafka": {"listeners": []}},
}


def _cluster(kafka: dict[str, Any]) -> assembly.ClusterInput:
    [cluster], _ = assembly.assemble(parse.load([POOL, kafka]))
    return cluster


def test_more_listeners_than_a_local_node_has_ports_for_is_refused(tmp_path: Path) -> None:
    kafka = copy.deepcopy(KAFKA)
    kafka["spec"]["kafka"]["listeners"] = [
        {"name": f"l{i}", "port": 9092 + i, "type": "internal", "tls": False} for i in range(8)
    ]
    with pytest.raises(InvalidResource) as refused:
        local.LocalPlatform(tmp_path).up(_cluster(kafka), [POOL, kafka])
    assert refused.value.findings[0].path == "spec.kafka.listeners"
    assert not any(tmp_path.iterdir())


def test_a_referenced_configmap_missing_from_the_files_is_refused_with_its_path(tmp_path: Path) -> None:
    kafka = copy.deepcopy(KAFKA)
    kafka["spec"]["kafka"]["listeners"] = [{"name": "plain", "port": 9092, "type": "internal", "tls": False}]
    kafka["spec"]["kafka"]["logging"] = {
        "type": "external",
        "valueFrom": {"configMapKeyRef": {"name": "logs", "key": "log4j2.properties"}},
    }
    with pytest.raises(InvalidResource) as refused:
        local.LocalPlatform(tmp_path).up(_cluster(kafka), [POOL, kafka])
    assert refused.value.findings[0].path == "spec.kafka.logging.valueFrom.configMapKeyRef"


def test_files_a_plan_dropped_are_removed_and_count_as_a_change(tmp_path: Path) -> None:
    security.write_files(tmp_path, {"server.config": b"a", "metrics": b"jmx-exporter 127.0.0.1:1\n"})
    changed = security.write_files(tmp_path, {"server.config": b"a"}, prune=("metrics", "metrics-config.yml"))
    assert changed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["server.config"]
