"""`Kafka.status` and `KafkaNodePool.status` from a plan and what the cluster shows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from krafter._version import __version__
from krafter.api.errors import Finding
from krafter.plan.model import ClusterPlan
from krafter.status import conditions


def listeners(plan: ClusterPlan, ca_pem: str | None) -> list[dict[str, Any]]:
    result = []
    for listener in plan.listeners:
        entry: dict[str, Any] = {
            "name": listener.name,
            "addresses": [{"host": e.host, "port": e.port} for e in listener.bootstrap],
            "bootstrapServers": ",".join(str(e) for e in listener.bootstrap),
        }
        if listener.tls and ca_pem:
            entry["certificates"] = [ca_pem]
        result.append(entry)
    return result


def kafka_status(
    plan: ClusterPlan,
    *,
    generation: int | None,
    previous: Mapping[str, Any] | None,
    findings: Sequence[Finding],
    readiness: conditions.Condition,
    ca_pem: str | None,
    now: datetime,
) -> dict[str, Any]:
    wanted = [readiness, *conditions.warnings_from(findings)]
    status: dict[str, Any] = {
        "conditions": conditions.merge((previous or {}).get("conditions"), wanted, now),
        "observedGeneration": generation,
        "listeners": listeners(plan, ca_pem),
        "kafkaNodePools": [{"name": pool.name} for pool in plan.pools],
        "clusterId": plan.cluster_id,
        "kafkaVersion": plan.kafka_version,
        "kafkaMetadataVersion": plan.metadata_version,
    }
    if readiness.type == "Ready":
        status["operatorLastSuccessfulVersion"] = __version__
    elif previous and previous.get("operatorLastSuccessfulVersion"):
        status["operatorLastSuccessfulVersion"] = previous["operatorLastSuccessfulVersion"]
    return status


def failed_status(
    *,
    generation: int | None,
    previous: Mapping[str, Any] | None,
    errors: Sequence[Finding],
    warnings: Sequence[Finding],
    now: datetime,
) -> dict[str, Any]:
    """Status of a resource Krafter refuses: NotReady naming every problem; previous facts kept."""
    reason = errors[0].reason if errors else "InvalidResource"
    message = "; ".join(f.render() for f in errors)
    wanted = [conditions.not_ready(reason, message), *conditions.warnings_from(warnings)]
    status = {k: v for k, v in (previous or {}).items() if k not in {"conditions", "observedGeneration"}}
    status["conditions"] = conditions.merge((previous or {}).get("conditions"), wanted, now)
    status["observedGeneration"] = generation
    return status


def paused_status(*, generation: int | None, previous: Mapping[str, Any] | None, now: datetime) -> dict[str, Any]:
    status = {k: v for k, v in (previous or {}).items() if k != "conditions"}
    wanted = [
        conditions.Condition(
            "ReconciliationPaused", "True", "ReconciliationPaused", 'strimzi.io/pause-reconciliation is "true"'
        )
    ]
    status["conditions"] = conditions.merge((previous or {}).get("conditions"), wanted, now)
    return status


def pool_status(
    plan: ClusterPlan, pool: str, *, generation: int | None, previous: Mapping[str, Any] | None, now: datetime
) -> dict[str, Any]:
    planned = next(p for p in plan.pools if p.name == pool)
    return {
        "conditions": conditions.merge((previous or {}).get("conditions"), [], now),
        "observedGeneration": generation,
        "nodeIds": list(planned.node_ids),
        "clusterId": plan.cluster_id,
        "roles": list(planned.roles),
        "replicas": len(planned.node_ids),
        "labelSelector": planned.label_selector,
    }
