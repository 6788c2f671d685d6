"""10,000 KafkaTopics and 1,000 KafkaUsers reconciled from scratch, against the same work done directly.

The floor is what the Admin API costs without Krafter: batched CreateTopics (500 a request)
for the topics, batched AlterUserScramCredentials (100 a request) for the users. The
reconcilers then do the same from KafkaTopic/KafkaUser models, including describing Kafka's
state first and building every status, until every resource is Ready. Figures:

  topics_10k floor_s / reconcile_s / objects_per_s / ratio
  users_1k   floor_s / reconcile_s / objects_per_s / ratio
  users_1k_acls_quotas ...   (each user with 2 ACLs and a quota; floor: the same calls made directly)

Sizes and replication factor can be lowered for a quick run: KRAFTER_BENCH_TOPICS,
KRAFTER_BENCH_USERS, KRAFTER_BENCH_RF (default 10000, 1000, 3).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from krafter.api.topic import KafkaTopic
from krafter.api.user import KafkaUser
from krafter.kafka import dist as kafka_dist
from krafter.kafka.admin import KafkaAdmin
from krafter.kafka.admin_acls import AclBinding, AclOperation, AclPatternType, AclResourceType
from krafter.kafka.admin_quotas import QuotaKey
from krafter.kafka.admin_types import ConnectionSettings, NewTopic, ScramCredential
from krafter.reconcile.topics import TopicReconciler, TopicResult
from krafter.reconcile.users import UserReconciler, UserResult
from krafter.testing.kafka_cluster import LocalKafkaCluster

TOPICS = int(os.environ.get("KRAFTER_BENCH_TOPICS", "10000"))
USERS = int(os.environ.get("KRAFTER_BENCH_USERS", "1000"))
RF = int(os.environ.get("KRAFTER_BENCH_RF", "3"))
SETTLE_TIMEOUT = 300.0
AUTHORIZER = {
    "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
    "super.users": "User:ANONYMOUS",
}


def figure(benchmark: str, name: str, value: float, unit: str, extra: str = "") -> None:
    print(f"{benchmark} {name} {value:.2f} {unit}{'   ' + extra if extra else ''}", flush=True)


def report(benchmark: str, count: int, floor: float, reconcile: float) -> None:
    ratio = reconcile / floor if floor else float("inf")
    figure(benchmark, "floor_s", floor, "s")
    figure(benchmark, "reconcile_s", reconcile, "s", f"floor {floor:.2f} s, ratio {ratio:.2f}")
    figure(benchmark, "objects_per_s", count / reconcile, "1/s")
    figure(benchmark, "ratio", ratio, "x")


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.monotonic()
    value = action()
    return time.monotonic() - started, value


def wait_until(condition: Callable[[], bool], timeout: float = SETTLE_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(1.0)


# --- topics ----------------------------------------------------------------------------------


def kafka_topic(name: str) -> KafkaTopic:
    return KafkaTopic.model_validate(
        {
            "apiVersion": "kafka.strimzi.io/v1",
            "kind": "KafkaTopic",
            "metadata": {
                "name": name,
                "namespace": "bench",
                "labels": {"strimzi.io/cluster": "bench"},
                "generation": 1,
                "creationTimestamp": "2026-01-01T00:00:00Z",
            },
            "spec": {"partitions": 1, "replicas": RF, "config": {"retention.ms": 3600000}},
        }
    )


def reconcile_until_ready(reconciler: TopicReconciler, topics: list[KafkaTopic]) -> dict[str, TopicResult]:
    """As the operator would: one batch, then the requeued ones (stale reads) until every topic is Ready."""
    results = reconciler.reconcile(topics, complete=True)
    by_key = {f"bench/{t.metadata.name}": t for t in topics}
    for _ in range(100):
        again = [by_key[key].model_copy(update={"status": r.status}) for key, r in results.items() if not r.ready]
        if not again:
            break
        time.sleep(1.0)
        results.update(reconciler.reconcile(again))
    return results


def settle(admin: KafkaAdmin, names: list[str]) -> None:
    """Delete these topics and wait until the brokers are done with them."""
    admin.delete_topics(names)
    wait_until(lambda: not admin.list_topics())
    time.sleep(10)


def bench_topics(admin: KafkaAdmin) -> None:
    # A warm-up round, so neither measured run pays for the JVMs' JIT compilation alone.
    warm = [f"warm-{i:05d}" for i in range(min(TOPICS, 2000))]
    admin.create_topics([NewTopic(n, 1, RF) for n in warm])
    wait_until(lambda: len(admin.list_topics()) >= len(warm))
    settle(admin, warm)
    floor_names = [f"floor-{i:05d}" for i in range(TOPICS)]
    new_topics = [NewTopic(n, 1, RF, {"retention.ms": "3600000"}) for n in floor_names]
    floor, created = timed(lambda: admin.create_topics(new_topics))
    failed = [n for n, r in created.items() if not r.ok]
    if failed:
        raise SystemExit(f"floor: {len(failed)} topics failed, first {created[failed[0]]}")
    # Let the brokers finish the floor's work (metadata, then deleting its logs) before the measured run.
    wait_until(lambda: len(admin.list_topics()) >= TOPICS)
    settle(admin, floor_names)

    topics = [kafka_topic(f"topic-{i:05d}") for i in range(TOPICS)]
    reconciler = TopicReconciler(admin)
    reconcile, results = timed(lambda: reconcile_until_ready(reconciler, topics))
    not_ready = [k for k, r in results.items() if not r.ready]
    if not_ready:
        raise SystemExit(f"reconcile: {len(not_ready)} topics not ready, first {results[not_ready[0]]}")
    report(f"topics_{TOPICS // 1000}k", TOPICS, floor, reconcile)
    unchanged, again = timed(
        lambda: reconciler.reconcile(
            [t.model_copy(update={"status": results[f"bench/{t.metadata.name}"].status}) for t in topics]
        )
    )
    changed = sum(1 for key, r in again.items() if r.status != results[key].status or r.events)
    figure(f"topics_{TOPICS // 1000}k", "resync_unchanged_s", unchanged, "s", f"{changed} statuses changed")


# --- users -----------------------------------------------------------------------------------


def kafka_user(name: str, with_extras: bool) -> KafkaUser:
    spec: dict[str, Any] = {"authentication": {"type": "scram-sha-512"}}
    if with_extras:
        spec["authorization"] = {
            "type": "simple",
            "acls": [
                {
                    "resource": {"type": "topic", "name": f"{name}-", "patternType": "prefix"},
                    "operations": ["Read", "Write"],
                }
            ],
        }
        spec["quotas"] = {"producerByteRate": 1048576}
    return KafkaUser.model_validate(
        {
            "apiVersion": "kafka.strimzi.io/v1",
            "kind": "KafkaUser",
            "metadata": {"name": name, "namespace": "bench", "labels": {"strimzi.io/cluster": "bench"}},
            "spec": spec,
        }
    )


def floor_users(admin: KafkaAdmin, prefix: str, with_extras: bool) -> float:
    names = [f"{prefix}-{i:04d}" for i in range(USERS)]

    def direct() -> None:
        results = admin.upsert_scram_credentials([ScramCredential(n, f"password-of-{n}") for n in names])
        assert all(r.ok for r in results.values())
        if with_extras:
            bindings = [
                AclBinding(
                    principal=f"User:{n}",
                    operation=op,
                    resource_type=AclResourceType.TOPIC,
                    resource_name=f"{n}-",
                    pattern_type=AclPatternType.PREFIXED,
                )
                for n in names
                for op in (AclOperation.READ, AclOperation.WRITE)
            ]
            assert all(r.ok for r in admin.create_acls(bindings))
            quotas = admin.alter_client_quotas({n: {QuotaKey.PRODUCER_BYTE_RATE: 1048576.0} for n in names})
            assert all(r.ok for r in quotas.values())

    seconds, _ = timed(direct)
    return seconds


def bench_users(admin: KafkaAdmin, benchmark: str, with_extras: bool) -> None:
    floor = floor_users(admin, f"floor-{benchmark}", with_extras)
    users = [kafka_user(f"user-{benchmark}-{i:04d}", with_extras) for i in range(USERS)]
    reconciler = UserReconciler(admin, None)
    reconcile, results = timed(lambda: reconciler.reconcile(users))
    not_ready = [k for k, r in results.items() if not r.ready]
    if not_ready:
        raise SystemExit(f"{benchmark}: {len(not_ready)} users not ready, first {results[not_ready[0]]}")
    report(benchmark, USERS, floor, reconcile)
    # Every broker answers describes from its own metadata copy, which can lag under load: wait until
    # several answers in a row show every credential, or the "unchanged" resync would store them again.
    names = {u.metadata.name for u in users}
    for _ in range(3):
        wait_until(lambda: names <= set(admin.describe_scram_users()), timeout=60)
    secrets = {reconciler.secret_key(u): _secret_data(results[f"bench/{u.metadata.name}"]) for u in users}
    again = [u.model_copy(update={"status": results[f"bench/{u.metadata.name}"].status}) for u in users]
    unchanged, second = timed(lambda: reconciler.reconcile(again, secrets))
    writes = sum(1 for r in second.values() if r.events or (r.secret is not None and r.secret.changed))
    figure(benchmark, "resync_unchanged_s", unchanged, "s", f"{writes} users changed")


def _secret_data(result: UserResult) -> Mapping[str, str]:
    assert result.secret is not None
    return result.secret.data


def main() -> None:
    dist = kafka_dist.resolve()
    print(
        f"# {TOPICS} topics (1 partition, RF {RF}), {USERS} SCRAM users; 3 combined-role Kafka {dist.version} "
        f"nodes on 127.0.0.1, {os.cpu_count()} CPUs",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="krafter-bench-") as directory:
        cluster = LocalKafkaCluster(dist, Path(directory), nodes=3, heap="1g", extra_config=AUTHORIZER)
        try:
            cluster.start()
            settings = ConnectionSettings(cluster.bootstrap_servers, request_timeout_ms=120_000)
            with KafkaAdmin(settings) as admin:
                bench_topics(admin)
                bench_users(admin, f"users_{max(USERS // 1000, 1)}k", with_extras=False)
                bench_users(admin, f"users_{max(USERS // 1000, 1)}k_acls_quotas", with_extras=True)
        finally:
            cluster.stop()


if __name__ == "__main__":
    main()
