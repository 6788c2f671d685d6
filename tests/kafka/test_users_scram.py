"""SCRAM-SHA-512 KafkaUsers on real brokers: the generated Secret logs in, ACLs allow and deny, deletion."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from typing import Any

import kafka.errors
import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from krafter.api.user import KafkaUser
from krafter.certs import authority
from krafter.kafka.admin import KafkaAdmin
from krafter.kafka.admin_quotas import QuotaKey
from krafter.kafka.admin_types import NewTopic
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


def kafka_user(name: str, **spec: Any) -> KafkaUser:
    return KafkaUser.model_validate(
        {
            "apiVersion": "kafka.strimzi.io/v1",
            "kind": "KafkaUser",
            "metadata": {"name": name, "labels": {"strimzi.io/cluster": "secured"}, "generation": 1},
            "spec": {"authentication": {"type": "scram-sha-512"}, **spec},
        }
    )


def topic_rules(topic: str, *operations: str) -> dict[str, Any]:
    return {"type": "simple", "acls": [{"resource": {"type": "topic", "name": topic}, "operations": list(operations)}]}


def password_of(result: UserResult) -> str:
    assert result.secret is not None
    return result.secret.decoded()["password"].decode()


def scram_options(cluster: Any, user: str, password: str) -> dict[str, Any]:
    return {
        "bootstrap_servers": cluster.bootstrap("scram"),
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": user,
        "sasl_plain_password": password,
        "bootstrap_timeout_ms": 5000,
        "request_timeout_ms": 10000,
    }


def produce(options: dict[str, Any], topic: str) -> None:
    producer = KafkaProducer(max_block_ms=10000, **options)
    try:
        producer.send(topic, b"hello").get(timeout=10)
    finally:
        producer.close(timeout=5)


def consume_one(options: dict[str, Any], topic: str) -> bytes:
    consumer = KafkaConsumer(group_id=None, enable_auto_commit=False, **options)
    try:
        partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        consumer.seek_to_beginning(partition)
        for _ in range(20):
            records = consumer.poll(timeout_ms=500)
            if records:
                return records[partition][0].value  # type: ignore[no-any-return]
        raise AssertionError("no record consumed")
    finally:
        consumer.close()


def logs_in(cluster: Any, user: str, password: str, eventually: Any) -> bool:
    """Whether the credential works, retried briefly: a new SCRAM credential reaches each broker with a lag."""

    def attempt() -> bool:
        consumer = None
        try:
            consumer = KafkaConsumer(**scram_options(cluster, user, password))
            consumer.topics()
            return True
        except kafka.errors.KafkaError:
            return False
        finally:
            if consumer is not None:
                consumer.close()

    return bool(eventually(attempt, bool, timeout=20.0))


def test_the_generated_password_logs_in_and_a_wrong_one_is_rejected(
    reconciler, secured_cluster, user_name, eventually, caplog
) -> None:
    result = reconciler.reconcile([kafka_user(user_name)])[user_name]

    assert result.ready
    assert result.secret_action is SecretAction.APPLY
    password = password_of(result)
    assert len(password) == 32
    assert result.status is not None
    assert (result.status.username, result.status.secret) == (user_name, user_name)
    assert logs_in(secured_cluster, user_name, password, eventually)
    with caplog.at_level(logging.WARNING, logger="kafka"), pytest.raises(kafka.errors.KafkaError):
        KafkaConsumer(**scram_options(secured_cluster, user_name, password + "x")).topics()
    assert "SaslAuthenticationFailedError" in caplog.text


def test_the_password_stays_the_same_across_reconciles(reconciler, admin, user_name, eventually) -> None:
    first = reconciler.reconcile([kafka_user(user_name)])[user_name]
    assert first.secret is not None
    # Brokers apply the credential from the metadata log a moment apart; one that has not yet
    # would make the second pass store the same password again (harmless, but an event).
    assert eventually(lambda: all(user_name in admin.describe_scram_users() for _ in range(6)), bool)
    existing = {reconciler.secret_key(kafka_user(user_name)): first.secret.data}

    second = reconciler.reconcile([kafka_user(user_name).model_copy(update={"status": first.status})], existing)[
        user_name
    ]

    assert password_of(second) == password_of(first)
    assert second.secret is not None
    assert not second.secret.changed
    assert second.events == ()
    assert second.status == first.status


def test_a_user_provided_password_is_stored_and_works(reconciler, secured_cluster, user_name, eventually) -> None:
    user = kafka_user(
        user_name,
        authentication={
            "type": "scram-sha-512",
            "password": {"valueFrom": {"secretKeyRef": {"name": "given", "key": "pw"}}},
        },
    )

    result = reconciler.reconcile([user], lookup=lambda namespace, name, key: "chosen-by-the-user-123")[user_name]

    assert password_of(result) == "chosen-by-the-user-123"
    assert logs_in(secured_cluster, user_name, "chosen-by-the-user-123", eventually)


def test_an_acl_allows_the_authorised_user_and_another_user_is_denied(  # noqa: PLR0917 (fixtures)
    reconciler, admin, secured_cluster, topic, user_name, eventually
) -> None:
    allowed = kafka_user(user_name, authorization=topic_rules(topic, "Write", "Read", "Describe"))
    stranger = kafka_user(f"{user_name}-x")

    results = reconciler.reconcile([allowed, stranger])

    eventually(lambda: admin.describe_acls(f"User:{user_name}"), lambda acls: len(acls) == 3)
    assert logs_in(secured_cluster, user_name, password_of(results[user_name]), eventually)
    assert logs_in(secured_cluster, f"{user_name}-x", password_of(results[f"{user_name}-x"]), eventually)
    options = scram_options(secured_cluster, user_name, password_of(results[user_name]))
    produce(options, topic)
    assert consume_one(options, topic) == b"hello"
    with pytest.raises(kafka.errors.TopicAuthorizationFailedError):
        produce(scram_options(secured_cluster, f"{user_name}-x", password_of(results[f"{user_name}-x"])), topic)


def test_acls_removed_from_the_spec_are_deleted_from_kafka(reconciler, admin, topic, user_name, eventually) -> None:
    first = reconciler.reconcile([kafka_user(user_name, authorization=topic_rules(topic, "Write", "Describe"))])
    eventually(lambda: admin.describe_acls(f"User:{user_name}"), lambda acls: len(acls) == 2)
    existing = {user_name: first[user_name].secret.data}  # type: ignore[union-attr]

    result = reconciler.reconcile([kafka_user(user_name, authorization=topic_rules(topic, "Describe"))], existing)[
        user_name
    ]

    remaining = eventually(lambda: admin.describe_acls(f"User:{user_name}"), lambda acls: len(acls) == 1)
    assert result.ready
    assert [(b.operation.value, b.resource_name) for b in remaining] == [("Describe", topic)]


def test_quotas_are_set_visible_and_removed_keys_deleted(reconciler, admin, user_name, eventually) -> None:
    user = kafka_user(user_name, quotas={"producerByteRate": 1048576, "requestPercentage": 40})
    first = reconciler.reconcile([user])[user_name]
    described = eventually(lambda: admin.describe_client_quotas(user_name), lambda q: len(q.get(user_name, {})) == 2)

    existing = {user_name: first.secret.data}  # type: ignore[union-attr]
    reconciler.reconcile([kafka_user(user_name, quotas={"producerByteRate": 2048})], existing)
    changed = eventually(lambda: admin.describe_client_quotas(user_name), lambda q: len(q.get(user_name, {})) == 1)

    assert described[user_name] == {QuotaKey.PRODUCER_BYTE_RATE: 1048576.0, QuotaKey.REQUEST_PERCENTAGE: 40.0}
    assert changed[user_name] == {QuotaKey.PRODUCER_BYTE_RATE: 2048.0}


def test_deleting_a_user_removes_its_credential_acls_and_quotas(
    reconciler, admin, topic, user_name, eventually
) -> None:
    user = kafka_user(user_name, authorization=topic_rules(topic, "Read"), quotas={"consumerByteRate": 1000})
    reconciler.reconcile([user])
    eventually(admin.describe_scram_users, lambda users: user_name in users)
    eventually(lambda: admin.describe_acls(f"User:{user_name}"), lambda acls: len(acls) == 1)
    eventually(lambda: admin.describe_client_quotas(user_name), lambda q: user_name in q)

    result = reconciler.delete([user])[user_name]

    assert result.deleted
    assert result.secret_action is SecretAction.DELETE
    assert user_name not in eventually(admin.describe_scram_users, lambda users: user_name not in users)
    assert eventually(lambda: admin.describe_acls(f"User:{user_name}"), lambda acls: not acls) == []
    assert user_name not in eventually(lambda: admin.describe_client_quotas(user_name), lambda q: user_name not in q)


def test_a_batch_of_users_costs_a_few_requests_and_all_become_ready(reconciler, admin, user_name, eventually) -> None:
    users = [kafka_user(f"{user_name}-{i}", quotas={"producerByteRate": 1000 + i}) for i in range(40)]

    results = reconciler.reconcile(users)

    assert all(r.ready for r in results.values())
    scram = eventually(admin.describe_scram_users, lambda found: all(f"{user_name}-{i}" in found for i in range(40)))
    assert all(f"{user_name}-{i}" in scram for i in range(40))
    assert len({password_of(r) for r in results.values()}) == 40
    assert (
        base64.b64decode(results[f"{user_name}-0"].secret.data["sasl.jaas.config"])
        .decode()
        .startswith(  # type: ignore[union-attr]
            "org.apache.kafka.common.security.scram.ScramLoginModule required"
        )
    )
