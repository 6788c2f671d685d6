"""Best-practice lint: each rule fires on a crafted cluster, and only the expected ones on Strimzi's example."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from krafter.api.errors import Severity
from krafter.api.kafka import Kafka
from krafter.api.nodepool import KafkaNodePool
from krafter.plan.lint import lint_cluster

pytestmark = pytest.mark.unit

PERSISTENT = Path(__file__).resolve().parents[1] / "data/strimzi-examples/kafka/kafka-persistent.yaml"
SPREAD = {
    "topologySpreadConstraints": [
        {"maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "DoNotSchedule"}
    ]
}
RESOURCES = {"requests": {"cpu": "1", "memory": "4Gi"}, "limits": {"memory": "4Gi"}}

Docs = dict[str, dict[str, Any]]


def _clean() -> Docs:
    """Strimzi's persistent example plus resources and spreading: lint finds nothing."""
    docs = {d["metadata"]["name"]: d for d in yaml.safe_load_all(PERSISTENT.read_text())}
    for pool in ("controller", "broker"):
        docs[pool]["spec"]["resources"] = copy.deepcopy(RESOURCES)
    docs["broker"]["spec"]["template"] = {"pod": copy.deepcopy(SPREAD)}
    return docs


def _lint(docs: Docs) -> list[tuple[str, Severity, str, str]]:
    kafka = Kafka.model_validate(docs["my-cluster"])
    pools = [KafkaNodePool.model_validate(d) for d in docs.values() if d["kind"] == "KafkaNodePool"]
    return [(f.reason, f.severity, f.resource or "", f.path) for f in lint_cluster(kafka, pools)]


def _config(key: str, value: Any) -> Callable[[Docs], None]:
    def change(docs: Docs) -> None:
        docs["my-cluster"]["spec"]["kafka"]["config"][key] = value

    return change


def _unset(key: str) -> Callable[[Docs], None]:
    def change(docs: Docs) -> None:
        del docs["my-cluster"]["spec"]["kafka"]["config"][key]

    return change


def _pool(name: str, **spec: Any) -> Callable[[Docs], None]:
    def change(docs: Docs) -> None:
        docs[name]["spec"].update(copy.deepcopy(spec))

    return change


def _no_resources(docs: Docs) -> None:
    del docs["broker"]["spec"]["resources"]


def _no_spreading(docs: Docs) -> None:
    del docs["broker"]["spec"]["template"]


KAFKA = "Kafka/my-cluster"
BROKERS = "KafkaNodePool/broker"
CASES: list[tuple[str, Callable[[Docs], None], tuple[str, Severity, str, str]]] = [
    (
        "default replication factor below 3",
        _unset("default.replication.factor"),
        ("KafkaDefaultReplicationFactor", Severity.WARNING, KAFKA, "spec.kafka.config.default.replication.factor"),
    ),
    (
        "offsets topic replication factor below 3",
        _config("offsets.topic.replication.factor", 2),
        (
            "KafkaOffsetsTopicReplicationFactor",
            Severity.WARNING,
            KAFKA,
            "spec.kafka.config.offsets.topic.replication.factor",
        ),
    ),
    (
        "transaction log replication factor above the broker count",
        _config("transaction.state.log.replication.factor", 4),
        (
            "KafkaTransactionStateLogReplicationFactor",
            Severity.ERROR,
            KAFKA,
            "spec.kafka.config.transaction.state.log.replication.factor",
        ),
    ),
    (
        "min.insync.replicas below 2",
        _unset("min.insync.replicas"),
        ("KafkaMinInsyncReplicas", Severity.WARNING, KAFKA, "spec.kafka.config.min.insync.replicas"),
    ),
    (
        "min.insync.replicas equal to the replication factor",
        _config("min.insync.replicas", 3),
        ("KafkaMinInsyncReplicas", Severity.WARNING, KAFKA, "spec.kafka.config.min.insync.replicas"),
    ),
    (
        "unclean leader election",
        _config("unclean.leader.election.enable", True),
        ("KafkaUncleanLeaderElection", Severity.WARNING, KAFKA, "spec.kafka.config.unclean.leader.election.enable"),
    ),
    (
        "an even number of controllers",
        _pool("controller", replicas=4),
        ("KafkaKRaftControllerNodeCount", Severity.WARNING, KAFKA, ""),
    ),
    (
        "a single controller",
        _pool("controller", replicas=1),
        ("KafkaKRaftControllerNodeCount", Severity.WARNING, KAFKA, ""),
    ),
    (
        "ephemeral storage",
        _pool("broker", storage={"type": "ephemeral"}),
        ("KafkaStorage", Severity.WARNING, BROKERS, "spec.storage"),
    ),
    (
        "brokers without spreading",
        _no_spreading,
        ("KafkaPodSpreading", Severity.WARNING, BROKERS, "spec.template.pod.affinity"),
    ),
    ("containers without resources", _no_resources, ("KafkaResources", Severity.WARNING, BROKERS, "spec.resources")),
    (
        "heap above 75 % of the memory limit",
        _pool("broker", jvmOptions={"-Xmx": "3500m"}),
        ("KafkaJvmHeap", Severity.WARNING, BROKERS, "spec.jvmOptions.-Xmx"),
    ),
    (
        "heap at the memory limit",
        _pool("broker", jvmOptions={"-Xmx": "4g"}),
        ("KafkaJvmHeap", Severity.ERROR, BROKERS, "spec.jvmOptions.-Xmx"),
    ),
]


def test_clean_cluster_has_no_findings() -> None:
    assert _lint(_clean()) == []


@pytest.mark.parametrize(("case", "change", "expected"), CASES, ids=[c[0] for c in CASES])
def test_rule_fires_on_crafted_cluster(
    case: str, change: Callable[[Docs], None], expected: tuple[str, Severity, str, str]
) -> None:
    docs = _clean()
    change(docs)
    assert expected in _lint(docs)


def test_single_broker_is_reported() -> None:
    docs = _clean()
    docs["broker"]["spec"]["replicas"] = 1
    reasons = {reason for reason, *_ in _lint(docs)}
    assert "KafkaBrokerCount" in reasons
    assert "KafkaPodSpreading" not in reasons


def test_heap_set_on_the_kafka_is_reported_on_the_kafka() -> None:
    docs = _clean()
    docs["my-cluster"]["spec"]["kafka"]["jvmOptions"] = {"-Xmx": "8g"}
    assert ("KafkaJvmHeap", Severity.ERROR, KAFKA, "spec.kafka.jvmOptions.-Xmx") in _lint(docs)


def test_derived_heap_is_never_reported() -> None:
    assert not [f for f in _lint(_clean()) if f[0] == "KafkaJvmHeap"]


def test_strimzi_persistent_example_only_lacks_resources_and_spreading() -> None:
    docs = {d["metadata"]["name"]: d for d in yaml.safe_load_all(PERSISTENT.read_text())}
    assert sorted(_lint(docs)) == sorted(
        [
            ("KafkaPodSpreading", Severity.WARNING, BROKERS, "spec.template.pod.affinity"),
            ("KafkaResources", Severity.WARNING, BROKERS, "spec.resources"),
            ("KafkaResources", Severity.WARNING, "KafkaNodePool/controller", "spec.resources"),
        ]
    )


def test_every_finding_says_how_to_fix_it() -> None:
    docs = _clean()
    for _, change, _ in CASES:
        change(docs)
    kafka = Kafka.model_validate(docs["my-cluster"])
    pools = [KafkaNodePool.model_validate(d) for d in docs.values() if d["kind"] == "KafkaNodePool"]
    findings = lint_cluster(kafka, pools)
    assert findings
    assert all(f.fix for f in findings)


def test_names_too_long_for_kubernetes_are_lint_errors() -> None:
    docs = _clean()
    docs["my-cluster"]["metadata"]["name"] = "k" * 60
    errors = [f for f in _lint(docs) if f[1] is Severity.ERROR]
    assert errors
    assert errors[0][3] == "metadata.name"
