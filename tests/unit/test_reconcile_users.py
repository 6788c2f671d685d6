"""User reconciler decisions, without Kafka: principals, ACLs, quotas, SCRAM, certificates and Secrets."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509

from krafter.api.user import KafkaUser
from krafter.certs import authority
from krafter.kafka.admin_acls import AclBinding, AclOperation, AclPatternType, AclPermission, AclResourceType
from krafter.kafka.admin_types import OpResult, ScramMechanism
from krafter.reconcile import user_acls, user_plan, user_secrets
from krafter.reconcile.user_plan import AuthType, UserApplied, UserObserved

pytestmark = pytest.mark.unit

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def kafka_user(name: str = "alice", **spec: Any) -> KafkaUser:
    return KafkaUser.model_validate(
        {
            "apiVersion": "kafka.strimzi.io/v1",
            "kind": "KafkaUser",
            "metadata": {"name": name, "namespace": "kafka", "labels": {"strimzi.io/cluster": "my-cluster"}},
            "spec": spec,
        }
    )


def acl(principal: str, operation: AclOperation, **overrides: Any) -> AclBinding:
    values: dict[str, Any] = {
        "principal": principal,
        "operation": operation,
        "resource_type": AclResourceType.TOPIC,
        "resource_name": "orders",
    }
    values.update(overrides)
    return AclBinding(**values)


@pytest.fixture(scope="module")
def ca() -> authority.CertificateAuthority:
    return authority.generate_ca("clients-ca v0", validity_days=365, now=NOW)


# --- principals and ACLs --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("authentication", "username"),
    [
        ({"type": "scram-sha-512"}, "alice"),
        ({"type": "tls"}, "CN=alice"),
        ({"type": "tls-external"}, "CN=alice"),
        (None, "alice"),
    ],
)
def test_the_kafka_username_depends_on_the_authentication(authentication: Any, username: str) -> None:
    user = kafka_user(**({"authentication": authentication} if authentication else {}))

    assert user_plan.desired_user(user).username == username


def test_every_operation_of_a_rule_becomes_one_binding() -> None:
    rules = kafka_user(
        authorization={
            "type": "simple",
            "acls": [
                {
                    "resource": {"type": "topic", "name": "orders-", "patternType": "prefix"},
                    "operations": ["Read", "Write"],
                },
                {"type": "deny", "resource": {"type": "group", "name": "g"}, "host": "10.0.0.1", "operation": "Read"},
                {"resource": {"type": "cluster"}, "operations": ["Describe"]},
                {"resource": {"type": "transactionalId", "name": "*"}, "operations": ["All"]},
            ],
        }
    ).spec.authorization.acls  # type: ignore[union-attr]

    bindings = user_acls.bindings("User:alice", rules)

    assert bindings == {
        acl("User:alice", AclOperation.READ, resource_name="orders-", pattern_type=AclPatternType.PREFIXED),
        acl("User:alice", AclOperation.WRITE, resource_name="orders-", pattern_type=AclPatternType.PREFIXED),
        acl(
            "User:alice",
            AclOperation.READ,
            resource_type=AclResourceType.GROUP,
            resource_name="g",
            host="10.0.0.1",
            permission=AclPermission.DENY,
        ),
        acl("User:alice", AclOperation.DESCRIBE, resource_type=AclResourceType.CLUSTER, resource_name="kafka-cluster"),
        acl("User:alice", AclOperation.ALL, resource_type=AclResourceType.TRANSACTIONAL_ID, resource_name="*"),
    }


def test_acl_diff_creates_missing_and_deletes_extra_bindings() -> None:
    read, write, alter = (acl("User:a", op) for op in (AclOperation.READ, AclOperation.WRITE, AclOperation.ALTER))

    assert user_acls.diff({read, write}, {write, alter}) == ((read,), (alter,))


# --- quotas ---------------------------------------------------------------------------------


def test_quota_values_use_kafkas_keys() -> None:
    user = kafka_user(quotas={"producerByteRate": 1024, "requestPercentage": 50, "controllerMutationRate": 2.5})

    assert user_plan.quota_values(user) == {
        "producer_byte_rate": 1024.0,
        "request_percentage": 50.0,
        "controller_mutation_rate": 2.5,
    }


def test_quota_changes_set_differences_and_remove_dropped_keys() -> None:
    changes = user_plan.quota_changes(
        {"producer_byte_rate": 10.0, "consumer_byte_rate": 5.0},
        {"producer_byte_rate": 10.0, "consumer_byte_rate": 4.0, "request_percentage": 1.0},
    )

    assert changes == {"consumer_byte_rate": 5.0, "request_percentage": None}


# --- plans ----------------------------------------------------------------------------------


def scram_user(**spec: Any) -> user_plan.DesiredUser:
    return user_plan.desired_user(kafka_user(authentication={"type": "scram-sha-512"}, **spec))


def test_an_unchanged_password_with_a_stored_credential_needs_no_write() -> None:
    observed = UserObserved(scram_users={"alice": (ScramMechanism.SCRAM_SHA_512,)})

    plan = user_plan.plan_user(scram_user(), observed, password="pw", password_changed=False)

    assert not plan.has_changes


def test_a_missing_credential_is_stored_even_with_an_unchanged_password() -> None:
    plan = user_plan.plan_user(scram_user(), UserObserved(), password="pw", password_changed=False)

    assert plan.upsert_password == "pw"


def test_a_changed_password_is_stored() -> None:
    observed = UserObserved(scram_users={"alice": (ScramMechanism.SCRAM_SHA_512,)})

    plan = user_plan.plan_user(scram_user(), observed, password="new", password_changed=True)

    assert plan.upsert_password == "new"


def test_a_user_that_left_scram_loses_its_credential() -> None:
    desired = user_plan.desired_user(kafka_user(authentication={"type": "tls"}))
    observed = UserObserved(scram_users={"alice": (ScramMechanism.SCRAM_SHA_512,)})

    assert user_plan.plan_user(desired, observed).delete_scram


def test_acls_and_quotas_of_the_other_username_form_are_removed() -> None:
    desired = user_plan.desired_user(kafka_user(authentication={"type": "tls"}, quotas={"producerByteRate": 10}))
    old = acl("User:alice", AclOperation.READ)
    observed = UserObserved(acls={"User:alice": frozenset({old})}, quotas={"alice": {"producer_byte_rate": 10.0}})

    plan = user_plan.plan_user(desired, observed)

    assert plan.acls_to_delete == (old,)
    assert plan.quota_changes == {"CN=alice": {"producer_byte_rate": 10.0}, "alice": {"producer_byte_rate": None}}


def test_deleting_a_user_removes_its_credential_acls_and_quotas() -> None:
    binding = acl("User:alice", AclOperation.READ)
    observed = UserObserved(
        scram_users={"alice": (ScramMechanism.SCRAM_SHA_512,)},
        acls={"User:alice": frozenset({binding})},
        quotas={"alice": {"producer_byte_rate": 1.0}},
    )

    plan = user_plan.plan_user(scram_user(), observed, deleting=True)

    assert plan.delete_scram
    assert plan.acls_to_delete == (binding,)
    assert plan.quota_changes == {"alice": {"producer_byte_rate": None}}


def test_a_failed_acl_read_fails_only_users_with_acls() -> None:
    with_acls = scram_user(
        authorization={"type": "simple", "acls": [{"resource": {"type": "topic", "name": "t"}, "operations": ["Read"]}]}
    )
    observed = UserObserved(scram_users={"alice": (ScramMechanism.SCRAM_SHA_512,)}, acls_error="SECURITY_DISABLED")

    assert user_plan.plan_user(with_acls, observed, password="pw").failures == ("SECURITY_DISABLED",)
    assert user_plan.plan_user(scram_user(), observed, password="pw").failures == ()


def test_a_failed_credential_write_is_reported_and_not_counted_as_stored() -> None:
    plan = user_plan.plan_user(scram_user(), UserObserved(), password="pw")

    conclusion = user_plan.conclude(plan, UserApplied(scram=OpResult("UNACCEPTABLE_CREDENTIAL", 93, "too short")))

    assert not conclusion.scram_stored
    assert conclusion.failure is not None
    assert "UNACCEPTABLE_CREDENTIAL" in conclusion.failure


def test_a_user_failure_is_not_ready_as_strimzi_reports_it() -> None:
    status = user_plan.user_status(
        kafka_user(), user_plan.not_ready("KafkaError", "boom"), now=NOW, username="alice", secret=None
    )

    assert status.to_dict()["conditions"] == [
        {
            "type": "NotReady",
            "status": "True",
            "reason": "KafkaError",
            "message": "boom",
            "lastTransitionTime": "2026-01-02T03:04:05Z",
        }
    ]


# --- credentials and Secrets ----------------------------------------------------------------


def decoded(data: dict[str, str], key: str) -> str:
    return base64.b64decode(data[key]).decode()


def test_a_generated_password_is_32_alphanumeric_characters_with_strimzis_jaas_config() -> None:
    credentials = user_secrets.scram_credentials(kafka_user(), None, user_secrets.no_secrets)

    assert len(credentials.password) == 32
    assert credentials.password.isalnum()
    assert credentials.changed
    assert set(credentials.data) == {"password", "sasl.jaas.config"}
    assert decoded(credentials.data, "sasl.jaas.config") == (
        "org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="alice" password="{credentials.password}";'
    )


def test_an_existing_password_is_kept() -> None:
    first = user_secrets.scram_credentials(kafka_user(), None, user_secrets.no_secrets)

    second = user_secrets.scram_credentials(kafka_user(), first.data, user_secrets.no_secrets)

    assert second.password == first.password
    assert not second.changed
    assert second.data == first.data


def test_a_user_provided_password_comes_from_the_lookup() -> None:
    user = kafka_user(
        authentication={
            "type": "scram-sha-512",
            "password": {"valueFrom": {"secretKeyRef": {"name": "alice-pw", "key": "pw"}}},
        }
    )
    seen = []

    def lookup(namespace: str | None, name: str, key: str) -> str | None:
        seen.append((namespace, name, key))
        return "given-password"

    credentials = user_secrets.scram_credentials(user, None, lookup)

    assert credentials.password == "given-password"
    assert seen == [("kafka", "alice-pw", "pw")]


def test_a_missing_user_provided_password_is_an_error_naming_the_field() -> None:
    user = kafka_user(
        authentication={"type": "scram-sha-512", "password": {"valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}}
    )

    with pytest.raises(user_secrets.CredentialsError, match="secretKeyRef: Secret s has no key k"):
        user_secrets.scram_credentials(user, None, user_secrets.no_secrets)


def test_a_tls_user_gets_a_cn_certificate_and_strimzis_keys(ca: authority.CertificateAuthority) -> None:
    user = kafka_user(authentication={"type": "tls"})

    issued = user_secrets.tls_credentials(user, None, ca=ca, validity_days=365, renewal_days=30, now=NOW)

    assert set(issued.data) == {"ca.crt", "user.crt", "user.key", "user.p12", "user.password"}
    cert = x509.load_pem_x509_certificate(base64.b64decode(issued.data["user.crt"]))
    assert cert.subject.rfc4514_string() == "CN=alice"
    assert issued.reason is not None


def test_a_valid_certificate_is_kept_and_renewed_inside_its_renewal_period(ca: authority.CertificateAuthority) -> None:
    user = kafka_user(authentication={"type": "tls", "validityDays": 10, "renewalDays": 2})
    first = user_secrets.tls_credentials(user, None, ca=ca, validity_days=365, renewal_days=30, now=NOW)

    kept = user_secrets.tls_credentials(user, first.data, ca=ca, validity_days=365, renewal_days=30, now=NOW)
    later = NOW + timedelta(days=9)
    renewed = user_secrets.tls_credentials(user, first.data, ca=ca, validity_days=365, renewal_days=30, now=later)

    assert kept.reason is None
    assert kept.data == first.data
    assert renewed.reason is not None
    assert renewed.data["user.crt"] != first.data["user.crt"]
    assert renewed.data["user.password"] == first.data["user.password"]


def test_a_certificate_from_another_ca_is_reissued(ca: authority.CertificateAuthority) -> None:
    other = authority.generate_ca("other", validity_days=365, now=NOW)
    user = kafka_user(authentication={"type": "tls"})
    foreign = user_secrets.tls_credentials(user, None, ca=other, validity_days=365, renewal_days=30, now=NOW)

    reissued = user_secrets.tls_credentials(user, foreign.data, ca=ca, validity_days=365, renewal_days=30, now=NOW)

    assert reissued.reason is not None
    assert base64.b64decode(reissued.data["ca.crt"]) == ca.cert_pem


def test_the_secret_is_named_with_the_prefix_and_carries_labels_and_template_metadata() -> None:
    user = kafka_user(
        authentication={"type": "scram-sha-512"},
        template={"secret": {"metadata": {"labels": {"team": "a"}, "annotations": {"note": "x"}}}},
    )

    secret = user_secrets.user_secret(user, {"password": "cHc="}, None, prefix="kafka-")

    assert secret.name == "kafka-alice"
    assert secret.namespace == "kafka"
    assert secret.labels["strimzi.io/cluster"] == "my-cluster"
    assert secret.labels["strimzi.io/kind"] == "KafkaUser"
    assert secret.labels["team"] == "a"
    assert secret.annotations == {"note": "x"}
    assert secret.changed
    assert secret.decoded() == {"password": b"pw"}


def test_auth_type_names_match_strimzi() -> None:
    assert [t.value for t in AuthType] == ["scram-sha-512", "tls", "tls-external", "none"]
