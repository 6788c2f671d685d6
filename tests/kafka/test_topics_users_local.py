"""`krafter up`'s topic and user step: resources from files, Secrets as files, removals followed."""

from __future__ import annotations

import dataclasses
import shutil
import stat
from typing import Any

import pytest

from krafter.api.cluster import ClusterInput
from krafter.api.topic import KafkaTopic
from krafter.api.user import KafkaUser
from krafter.kafka.admin import KafkaAdmin
from krafter.platform.local import entities
from krafter.platform.local.cluster import UpResult
from krafter.platform.local.state import ClusterState

pytestmark = pytest.mark.kafka


@pytest.fixture
def local(secured_cluster, tmp_path) -> UpResult:  # type: ignore[no-untyped-def]
    """The running secured cluster with a state directory of its own (same CAs), so tests don't share memory."""
    state = ClusterState(tmp_path, secured_cluster.name)
    shutil.copytree(secured_cluster.result.state.ca_dir, state.ca_dir)
    return dataclasses.replace(secured_cluster.result, state=state)


@pytest.fixture
def admin(secured_cluster):  # type: ignore[no-untyped-def]
    with KafkaAdmin(secured_cluster.admin_settings()) as client:
        yield client


def kafka_topic(name: str, **spec: Any) -> KafkaTopic:
    return KafkaTopic.model_validate(
        {
            "apiVersion": "kafka.strimzi.io/v1",
            "kind": "KafkaTopic",
            "metadata": {"name": name, "labels": {"strimzi.io/cluster": "secured"}},
            "spec": {"partitions": 1, "replicas": 3, **spec},
        }
    )


def kafka_user(name: str, authentication: dict[str, Any]) -> KafkaUser:
    return KafkaUser.model_validate(
        {
            "apiVersion": "kafka.strimzi.io/v1",
            "kind": "KafkaUser",
            "metadata": {"name": name, "labels": {"strimzi.io/cluster": "secured"}},
            "spec": {"authentication": authentication},
        }
    )


def with_entities(cluster: ClusterInput, topics: list[KafkaTopic], users: list[KafkaUser]) -> ClusterInput:
    return dataclasses.replace(cluster, topics=tuple(topics), users=tuple(users))


def test_topics_and_users_are_created_and_secrets_written_as_private_files(
    secured_cluster, local, admin, topic_name, eventually
) -> None:
    user = topic_name.replace("t-", "u-")
    cluster = with_entities(
        secured_cluster.input,
        [kafka_topic(topic_name, config={"retention.ms": 60000})],
        [kafka_user(user, {"type": "scram-sha-512"}), kafka_user(f"{user}-tls", {"type": "tls"})],
    )

    report = entities.reconcile_entities(local, cluster)

    assert report.problems == []
    assert report.topics[topic_name].ready
    assert topic_name in eventually(lambda: admin.describe_topics([topic_name]), lambda d: topic_name in d)
    scram_dir = local.state.user_dir(user)
    assert sorted(p.name for p in scram_dir.iterdir()) == ["password", "sasl.jaas.config"]
    assert sorted(p.name for p in local.state.user_dir(f"{user}-tls").iterdir()) == [
        "ca.crt",
        "user.crt",
        "user.key",
        "user.p12",
        "user.password",
    ]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in scram_dir.iterdir())
    assert len((scram_dir / "password").read_text()) == 32
    assert report.secrets_dir[user] == scram_dir
    assert any(line.startswith(f"topic {topic_name} ") and line.endswith("ready") for line in report.lines())


def test_a_second_run_keeps_passwords_and_removed_resources_are_deleted(
    secured_cluster, local, admin, topic_name, eventually
) -> None:
    user = topic_name.replace("t-", "u-")
    everything = with_entities(
        secured_cluster.input,
        [kafka_topic(topic_name), kafka_topic(f"{topic_name}-gone")],
        [kafka_user(user, {"type": "scram-sha-512"}), kafka_user(f"{user}-gone", {"type": "scram-sha-512"})],
    )
    entities.reconcile_entities(local, everything)
    password = (local.state.user_dir(user) / "password").read_text()
    eventually(admin.describe_scram_users, lambda users: f"{user}-gone" in users)
    eventually(lambda: admin.describe_topics([f"{topic_name}-gone"]), lambda d: f"{topic_name}-gone" in d)

    fewer = with_entities(
        secured_cluster.input, [kafka_topic(topic_name)], [kafka_user(user, {"type": "scram-sha-512"})]
    )
    report = entities.reconcile_entities(local, fewer)

    assert (local.state.user_dir(user) / "password").read_text() == password
    assert report.removed_topics[f"{topic_name}-gone"].deleted
    assert report.removed_users[f"{user}-gone"].deleted
    assert not local.state.user_dir(f"{user}-gone").exists()
    gone = f"{topic_name}-gone"
    assert gone not in eventually(lambda: admin.describe_topics([gone]), lambda d: gone not in d)
    assert f"{user}-gone" not in eventually(admin.describe_scram_users, lambda users: f"{user}-gone" not in users)
    assert report.problems == []


def test_a_user_provided_password_is_read_from_the_secrets_directory(secured_cluster, local, topic_name) -> None:
    user = topic_name.replace("t-", "u-")
    provided = local.state.root / "secrets" / "app-credentials"
    provided.mkdir(parents=True)
    (provided / "password").write_text("my-own-password-1\n")
    reference = {"valueFrom": {"secretKeyRef": {"name": "app-credentials", "key": "password"}}}
    cluster = with_entities(
        secured_cluster.input, [], [kafka_user(user, {"type": "scram-sha-512", "password": reference})]
    )

    report = entities.reconcile_entities(local, cluster)

    assert report.users[user].ready
    assert (local.state.user_dir(user) / "password").read_text() == "my-own-password-1"


def test_nothing_is_reconciled_without_the_entity_operator(secured_cluster, local, admin, topic_name) -> None:
    kafka = secured_cluster.input.kafka
    disabled = kafka.model_copy(update={"spec": kafka.spec.model_copy(update={"entity_operator": None})})
    cluster = dataclasses.replace(
        with_entities(secured_cluster.input, [kafka_topic(topic_name)], []),
        kafka=disabled,
    )

    report = entities.reconcile_entities(local, cluster)

    assert report.topics == {}
    assert any("topicOperator is not set" in note for note in report.notes)
    assert topic_name not in admin.describe_topics([topic_name])
