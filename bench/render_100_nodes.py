"""Plan and render a 100-node cluster: 3 controllers + 97 brokers, 3 listeners, JBOD with 2 volumes.

A reconcile replans and rerenders the whole cluster on every pass, so this bounds the pure part
of a reconcile for a large cluster. Prints the median of several runs.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from krafter.api.kafka import Kafka
from krafter.api.nodepool import KafkaNodePool
from krafter.plan.model import ClusterPlan
from krafter.plan.planner import PlanInput, plan_cluster
from krafter.plan.profile import KubernetesProfile
from krafter.render import output
from krafter.render.cluster import render_cluster

NAME = "render_100_nodes"
RUNS = 5


def _pool(name: str, roles: list[str], replicas: int) -> KafkaNodePool:
    volumes = [{"id": i, "type": "persistent-claim", "size": "100Gi"} for i in range(2)]
    return KafkaNodePool.model_validate(
        {
            "apiVersion": "kafka.strimzi.io/v1",
            "kind": "KafkaNodePool",
            "metadata": {"name": name, "labels": {"strimzi.io/cluster": "big"}},
            "spec": {
                "replicas": replicas,
                "roles": roles,
                "storage": {"type": "jbod", "volumes": volumes},
                "resources": {"requests": {"memory": "8Gi", "cpu": "2"}, "limits": {"memory": "8Gi"}},
            },
        }
    )


def cluster() -> PlanInput:
    kafka = Kafka.model_validate(
        {
            "apiVersion": "kafka.strimzi.io/v1",
            "kind": "Kafka",
            "metadata": {"name": "big", "namespace": "bench"},
            "spec": {
                "kafka": {
                    "listeners": [
                        {"name": "plain", "port": 9092, "type": "internal", "tls": False},
                        {
                            "name": "tls",
                            "port": 9093,
                            "type": "internal",
                            "tls": True,
                            "authentication": {"type": "tls"},
                        },
                        {"name": "external", "port": 9094, "type": "loadbalancer", "tls": True},
                    ],
                    "config": {"default.replication.factor": 3, "min.insync.replicas": 2},
                }
            },
        }
    )
    pools = (_pool("controller", ["controller"], 3), _pool("broker", ["broker"], 97))
    return PlanInput(kafka, pools, "Xh3u5FkPQmW2mK1sQv3m0A")


def _median_ms(action: Callable[[], Any]) -> tuple[float, Any]:
    timings = []
    result = None
    for _ in range(RUNS):
        started = time.perf_counter()
        result = action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), result


def main() -> None:
    given = cluster()
    profile = KubernetesProfile("bench")
    plan_ms, plan = _median_ms(lambda: plan_cluster(given, profile))
    assert isinstance(plan, ClusterPlan)
    assert len(plan.nodes) == 100
    render_ms, objects = _median_ms(lambda: render_cluster(plan, owner=None, secrets=None))
    yaml_ms, text = _median_ms(lambda: output.to_yaml_stream(objects))
    print(f"{NAME} plan_ms {plan_ms:.1f} ms")
    print(f"{NAME} render_ms {render_ms:.1f} ms")
    print(f"{NAME} yaml_ms {yaml_ms:.1f} ms")
    print(f"{NAME} objects {len(objects)} objects")
    print(f"{NAME} yaml_size {len(text) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
