"""Which nodes exist on Kubernetes, and which objects a held broker keeps."""

from __future__ import annotations

import pytest

from krafter.platform.kubernetes import scale_down
from krafter.scale import guard

pytestmark = pytest.mark.unit


def _config_map(name: str, pool: str, roles: str) -> dict:
    return {
        "metadata": {"name": name, "labels": {"strimzi.io/pool-name": pool, "strimzi.io/pod-name": name}},
        "data": {"server.config": f"node.id=x\nprocess.roles={roles}\n"},
    }


def test_nodes_and_their_broker_role_come_from_the_node_config_maps() -> None:
    nodes = scale_down.current_nodes(
        [
            _config_map("c-brokers-3", "brokers", "broker"),
            _config_map("c-controllers-0", "controllers", "controller"),
            _config_map("c-dual-5", "dual", "broker,controller"),
            {"metadata": {"name": "c-kafka-metrics"}, "data": {"x": "y"}},
        ]
    )
    assert nodes == [
        guard.Node(3, "brokers", True),
        guard.Node(0, "controllers", False),
        guard.Node(5, "dual", True),
    ]


def test_a_held_node_keeps_its_pod_and_every_object_labelled_with_its_pod_name() -> None:
    held = frozenset({"c-brokers-3"})
    pod = {"kind": "Pod", "metadata": {"name": "c-brokers-3"}}
    pvc = {
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "data-0-c-brokers-3", "labels": _labels("c-brokers-3")},
    }
    other = {"kind": "ConfigMap", "metadata": {"name": "c-brokers-2", "labels": _labels("c-brokers-2")}}
    assert scale_down.is_held(pod, held)
    assert scale_down.is_held(pvc, held)
    assert scale_down.without_held([pod, pvc, other], held) == [other]


def _labels(pod: str) -> dict[str, str]:
    return {"strimzi.io/pod-name": pod}
