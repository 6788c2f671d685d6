"""Parsed resources -> one validated input per Kafka cluster (its pools, topics and users).

The CLI, the local platform and the operator all go through `assemble`, so resources are
grouped (label `strimzi.io/cluster`), legacy files read as `krafter convert` would, and
validated the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from krafter.api import convert, validation
from krafter.api.errors import Finding, Severity, errors
from krafter.api.kafka import Kafka
from krafter.api.nodepool import KafkaNodePool
from krafter.api.parse import Loaded
from krafter.api.topic import KafkaTopic
from krafter.api.user import KafkaUser


@dataclass(frozen=True)
class ClusterInput:
    kafka: Kafka
    """As Krafter reads it: legacy (v1beta2/ZooKeeper-era) fields already turned into pools."""
    pools: tuple[KafkaNodePool, ...]
    topics: tuple[KafkaTopic, ...]
    users: tuple[KafkaUser, ...]
    findings: tuple[Finding, ...]
    changes: tuple[convert.Change, ...] = ()
    """What the legacy reading changed (also reported as one Warning finding)."""

    @property
    def name(self) -> str:
        return self.kafka.metadata.name or ""

    @property
    def errors(self) -> list[Finding]:
        return errors(self.findings)

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]


def cluster_of(resource: KafkaNodePool | KafkaTopic | KafkaUser) -> str | None:
    return (resource.metadata.labels or {}).get(validation.CLUSTER_LABEL)


def assemble_one(
    kafka: Kafka,
    pools: Sequence[KafkaNodePool],
    topics: Sequence[KafkaTopic] = (),
    users: Sequence[KafkaUser] = (),
    parse_warnings: Sequence[Finding] = (),
) -> ClusterInput:
    findings: list[Finding] = [*parse_warnings, *validation.validate_kafka(kafka)]
    for pool in pools:
        findings += validation.validate_node_pool(pool)
    view = convert.kraft_view(kafka, pools)
    if view.changes:
        summary = "; ".join(f"{c.path}: {c.what}" for c in view.changes[:6])
        more = f" (and {len(view.changes) - 6} more)" if len(view.changes) > 6 else ""
        findings.append(
            Finding(
                "",
                f"read as current KRaft resources the way `krafter convert` would: {summary}{more}",
                "run `krafter convert` on your files and apply its output",
                Severity.WARNING,
                "LegacyResourceConverted",
                f"Kafka/{kafka.metadata.name}",
            )
        )
        # Version errors that the legacy reading resolved (e.g. Kafka 3.2.0 dropped) no longer apply.
        findings = [
            f
            for f in findings
            if not (f.severity is Severity.ERROR and f.path.startswith("spec.kafka.version"))
            or view.kafka.spec.kafka.version is not None
        ]
    findings += validation.validate_cluster(view.kafka, view.pools)
    for topic in topics:
        findings += validation.validate_topic(topic)
    for user in users:
        findings += validation.validate_user(user)
    return ClusterInput(
        kafka=view.kafka,
        pools=tuple(view.pools),
        topics=tuple(topics),
        users=tuple(users),
        findings=tuple(findings),
        changes=tuple(view.changes),
    )


def assemble(loaded: Loaded) -> tuple[list[ClusterInput], list[Finding]]:
    """One input per Kafka in `loaded`, plus findings about resources that belong to none."""
    clusters = []
    orphans: list[Finding] = []
    kafkas = loaded.of_kind("Kafka")
    names = {item.name for item in kafkas}
    for item in kafkas:
        kafka = item.resource
        assert isinstance(kafka, Kafka)
        mine = [p for p in loaded.parsed if p.kind != "Kafka" and cluster_of(p.resource) == item.name]  # type: ignore[arg-type]
        warnings = [w for p in (item, *mine) for w in p.warnings]
        clusters.append(
            assemble_one(
                kafka,
                [p.resource for p in mine if isinstance(p.resource, KafkaNodePool)],
                [p.resource for p in mine if isinstance(p.resource, KafkaTopic)],
                [p.resource for p in mine if isinstance(p.resource, KafkaUser)],
                warnings,
            )
        )
    for item in loaded.parsed:
        if item.kind == "Kafka":
            continue
        owner = cluster_of(item.resource)  # type: ignore[arg-type]
        if owner not in names:
            # Linted alone, a topic, user or pool still gets every rule of its own.
            orphans += validation.validate(item.resource)
            orphans.append(
                Finding(
                    f"metadata.labels.{validation.CLUSTER_LABEL}",
                    f"no Kafka named '{owner}' among the given resources; ignored",
                    "add that Kafka's file, or fix the label",
                    Severity.WARNING,
                    "UnknownCluster",
                    item.ref,
                )
            )
    return clusters, orphans
