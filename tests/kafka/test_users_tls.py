"""TLS KafkaUsers on real brokers: the issued certificate is accepted, and Kafka's principal is `User:CN=<name>`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kafka.errors
import pytest
from kafka import KafkaProducer

from krafter.api.user import KafkaUser
from krafter.certs import authority
from krafter.kafka.admin import KafkaAdmin
from krafter.kafka.admin_types import NewTopic, ScramCredential
from krafter.reconcile.users import SecretAction, UserReconciler, UserResult

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
def admin(secured_cluster) -> Iterator[KafkaAdmin]:  # type: ignore[no-untyped-def]
    with KafkaAdmin(secured_cluster.admin_settings()) as client:
        yield client


@pytest.fixture
def reconciler(admin: KafkaAdmin, secured_cluster) -> UserReconciler:  # type: ignore[no-untyped-def]
    clients = secured_cluster.result.state.ca_dir / "clients"
    ca = authority.CertificateAuthority((clients / "ca.crt").read_bytes(), (clients / "ca.key").read_bytes())
    return UserReconciler(admin, ca)


@pytest.fixture
def user_name(topic_name: str) -> str:
    return topic_name.replace("t-", "u-")


@pytest.fixture
def topic(admin: KafkaAdmin, topic_name: str, eventually) -> str:  # type: ignore[no-untyped-def]
    assert admin.create_topics([NewTopic(topic_name, partitions=1, replication_factor=3)])[topic_name].ok
    eventually(lambda: admin.describe_topics([topic_name]), lambda d: topic_name in d and d[topic_name].partitions)
    return topic_name


def kafka_user(name: str, authentication: str = "tls", acls: list[dict[str, Any]] | None = None) -> KafkaUser:
    spec: dict[str, Any] = {"authentication": {"type": authentication}}
    if acls is not None:
        spec["authorization"] = {"type": "simple", "acls": acls}
    return KafkaUser.model_validate(
        {
            "apiVersion": "kafka.strimzi.io/v1",
            "kind": "KafkaUser",
            "metadata": {"name": name, "labels": {"strimzi.io/cluster": "secured"}},
            "spec": spec,
        }
    )


def write_rules(topic: str) -> list[dict[str, Any]]:
    return [{"resource": {"type": "topic", "name": topic}, "operations": ["Write", "Describe"]}]


def secret_files(result: UserResult, directory: Path) -> Path:
    assert result.secret is not None
    directory.mkdir(parents=True, exist_ok=True)
    for key, value in result.secret.decoded().items():
        (directory / key).write_bytes(value)
    return directory


def produce_over_tls(cluster: Any, files: Path, topic: str) -> None:
    producer = KafkaProducer(
        bootstrap_servers=cluster.bootstrap("tls"),
        security_protocol="SSL",
        ssl_cafile=cluster.ca_file,
        ssl_certfile=str(files / "user.crt"),
        ssl_keyfile=str(files / "user.key"),
        bootstrap_timeout_ms=10000,
        request_timeout_ms=10000,
        max_block_ms=10000,
    )
    try:
        producer.send(topic, b"hello").get(timeout=10)
    finally:
        producer.close(timeout=5)


def test_a_tls_users_certificate_is_accepted_and_acls_for_cn_name_apply(  # noqa: PLR0917 (fixtures)
    reconciler, admin, secured_cluster, topic, user_name, tmp_path, eventually
) -> None:
    result = reconciler.reconcile([kafka_user(user_name, acls=write_rules(topic))])[user_name]
    files = secret_files(result, tmp_path / user_name)
    eventually(lambda: admin.describe_acls(f"User:CN={user_name}"), lambda acls: len(acls) == 2)

    produce_over_tls(secured_cluster, files, topic)

    assert result.ready
    assert result.status is not None
    assert (result.status.username, result.status.secret) == (f"CN={user_name}", user_name)
    assert sorted(p.name for p in files.iterdir()) == ["ca.crt", "user.crt", "user.key", "user.p12", "user.password"]
    # Without the ACL for User:CN=<name> the same certificate is refused: that is the principal Kafka derives.
    existing = {reconciler.secret_key(kafka_user(user_name)): result.secret.data}  # type: ignore[union-attr]
    reconciler.reconcile([kafka_user(user_name)], existing)
    eventually(lambda: admin.describe_acls(f"User:CN={user_name}"), lambda acls: not acls)
    with pytest.raises(kafka.errors.TopicAuthorizationFailedError):
        produce_over_tls(secured_cluster, files, topic)


def test_the_certificate_is_kept_across_reconciles(reconciler, user_name) -> None:
    first = reconciler.reconcile([kafka_user(user_name)])[user_name]
    existing = {reconciler.secret_key(kafka_user(user_name)): first.secret.data}  # type: ignore[union-attr]

    second = reconciler.reconcile([kafka_user(user_name).model_copy(update={"status": first.status})], existing)[
        user_name
    ]

    assert second.secret is not None
    assert not second.secret.changed
    assert second.status == first.status


def test_a_tls_external_user_gets_acls_but_no_secret(reconciler, admin, topic, user_name, eventually) -> None:
    result = reconciler.reconcile([kafka_user(user_name, "tls-external", write_rules(topic))])[user_name]

    acls = eventually(lambda: admin.describe_acls(f"User:CN={user_name}"), lambda found: len(found) == 2)
    assert result.ready
    assert result.secret_action is SecretAction.DELETE
    assert result.status is not None
    assert (result.status.username, result.status.secret) == (f"CN={user_name}", None)
    assert {b.operation.value for b in acls} == {"Write", "Describe"}


def test_switching_from_scram_to_tls_moves_acls_and_drops_the_credential(
    reconciler, admin, topic, user_name, eventually
) -> None:
    reconciler.reconcile([kafka_user(user_name, "scram-sha-512", write_rules(topic))])
    eventually(admin.describe_scram_users, lambda users: user_name in users)
    eventually(lambda: admin.describe_acls(f"User:{user_name}"), lambda found: len(found) == 2)

    result = reconciler.reconcile([kafka_user(user_name, "tls", write_rules(topic))])[user_name]

    assert result.ready
    assert user_name not in eventually(admin.describe_scram_users, lambda users: user_name not in users)
    assert eventually(lambda: admin.describe_acls(f"User:{user_name}"), lambda found: not found) == []
    assert len(eventually(lambda: admin.describe_acls(f"User:CN={user_name}"), lambda found: len(found) == 2)) == 2


def test_an_external_scram_credential_of_a_tls_user_is_removed(reconciler, admin, user_name, eventually) -> None:
    admin.upsert_scram_credentials([ScramCredential(user_name, "set-outside-krafter")])
    eventually(admin.describe_scram_users, lambda users: user_name in users)

    result = reconciler.reconcile([kafka_user(user_name)])[user_name]

    assert result.ready
    assert "CredentialsRemoved" in [e.reason for e in result.events]
    assert user_name not in eventually(admin.describe_scram_users, lambda users: user_name not in users)
