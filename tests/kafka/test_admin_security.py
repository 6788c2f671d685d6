"""KafkaAdmin SCRAM users, ACLs and quotas on real brokers (the fixture runs StandardAuthorizer).

These are metadata records that reach each broker asynchronously, so reads after a write
poll briefly (`eventually`).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest

from krafter.kafka.admin import KafkaAdmin
from krafter.kafka.admin_acls import AclBinding, AclOperation, AclPatternType, AclPermission, AclResourceType
from krafter.kafka.admin_quotas import QuotaKey
from krafter.kafka.admin_types import ConnectionSettings, ScramCredential, ScramMechanism

pytestmark = pytest.mark.kafka

T = TypeVar("T")


def eventually(read: Callable[[], T], accept: Callable[[T], bool], timeout: float = 15.0) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if accept(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


@pytest.fixture(scope="module")
def admin(kafka_cluster) -> Iterator[KafkaAdmin]:
    with KafkaAdmin(ConnectionSettings(kafka_cluster.bootstrap_servers)) as client:
        yield client


@pytest.fixture
def user() -> str:
    return f"u-{secrets.token_hex(6)}"


def test_upserted_scram_users_are_described_with_their_mechanisms(admin, user) -> None:
    results = admin.upsert_scram_credentials(
        [
            ScramCredential(user, "secret-1"),
            ScramCredential(user, "secret-2", mechanism=ScramMechanism.SCRAM_SHA_256),
            ScramCredential(f"{user}-b", "secret-3"),
        ]
    )

    users = eventually(admin.describe_scram_users, lambda u: len(u.get(user, ())) == 2 and f"{user}-b" in u)
    assert results[user].ok
    assert results[f"{user}-b"].ok
    assert users[user] == (ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512)
    assert users[f"{user}-b"] == (ScramMechanism.SCRAM_SHA_512,)


def test_scram_credential_with_too_few_iterations_is_rejected_per_user(admin, user) -> None:
    results = admin.upsert_scram_credentials(
        [ScramCredential(user, "secret", iterations=100), ScramCredential(f"{user}-ok", "secret")]
    )

    assert results[user].error_name == "UNACCEPTABLE_CREDENTIAL"
    assert results[f"{user}-ok"].ok


def test_deleted_scram_user_disappears_and_an_unknown_one_is_not_found(admin, user) -> None:
    admin.upsert_scram_credentials([ScramCredential(user, "secret")])
    eventually(admin.describe_scram_users, lambda u: user in u)

    results = admin.delete_scram_credentials([user, f"{user}-never"])

    assert results[user].ok
    assert results[f"{user}-never"].not_found
    assert user not in eventually(admin.describe_scram_users, lambda u: user not in u)


def test_acl_bindings_are_created_described_and_deleted_exactly(admin, user) -> None:
    principal = f"User:{user}"
    read_topic = AclBinding(
        principal=principal, operation=AclOperation.READ, resource_type=AclResourceType.TOPIC, resource_name="orders"
    )
    group_prefix = AclBinding(
        principal=principal,
        operation=AclOperation.ALL,
        resource_type=AclResourceType.GROUP,
        resource_name="orders-",
        pattern_type=AclPatternType.PREFIXED,
        permission=AclPermission.DENY,
    )

    created = admin.create_acls([read_topic, group_prefix])
    described = eventually(lambda: admin.describe_acls(principal), lambda acls: len(acls) == 2)
    deleted = admin.delete_acls([read_topic])
    remaining = eventually(lambda: admin.describe_acls(principal), lambda acls: len(acls) == 1)
    admin.delete_acls([group_prefix])

    assert all(r.ok for r in created)
    assert set(described) == {read_topic, group_prefix}
    assert all(r.ok for r in deleted)
    assert remaining == [group_prefix]


def test_user_quota_is_set_described_and_removed(admin, user) -> None:
    set_result = admin.alter_client_quotas(
        {user: {QuotaKey.PRODUCER_BYTE_RATE: 1048576.0, QuotaKey.REQUEST_PERCENTAGE: 55.0}}
    )
    described = eventually(lambda: admin.describe_client_quotas(user), lambda q: len(q.get(user, {})) == 2)
    partial = admin.alter_client_quotas({user: {QuotaKey.REQUEST_PERCENTAGE: None}})
    after_partial = eventually(lambda: admin.describe_client_quotas(user), lambda q: len(q.get(user, {})) == 1)
    admin.alter_client_quotas({user: {QuotaKey.PRODUCER_BYTE_RATE: None}})
    after_removal = eventually(admin.describe_client_quotas, lambda q: user not in q)

    assert set_result[user].ok
    assert partial[user].ok
    assert described[user] == {"producer_byte_rate": 1048576.0, "request_percentage": 55.0}
    assert after_partial[user] == {"producer_byte_rate": 1048576.0}
    assert user not in after_removal


def test_unknown_quota_key_is_rejected_per_user(admin, user) -> None:
    results = admin.alter_client_quotas({user: {"no_such_quota": 1.0}})

    assert results[user].error_name == "INVALID_REQUEST"
