"""Secrets, CA Secrets, NetworkPolicy, ServiceAccount, RBAC, PDB and PVCs."""

from __future__ import annotations

import base64
import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from krafter.api.kafka import Kafka
from krafter.api.nodepool import KafkaNodePool
from krafter.certs import authority, issue
from krafter.plan.model import ClusterPlan
from krafter.plan.planner import PlanInput, plan_cluster
from krafter.plan.profile import KubernetesProfile
from krafter.render.cluster import render_cluster
from krafter.render.meta import OwnerRef
from krafter.render.security import PLACEHOLDER, CaMaterial, SecretMaterial, Truststore

pytestmark = pytest.mark.unit

NOW = datetime(2026, 1, 1, tzinfo=UTC)
OWNER = OwnerRef("kafka.strimzi.io/v1", "Kafka", "my-cluster", "uid-1")
KAFKA: dict[str, Any] = {
    "apiVersion": "kafka.strimzi.io/v1",
    "kind": "Kafka",
    "metadata": {"name": "my-cluster"},
    "spec": {"kafka": {"listeners": [{"name": "plain", "port": 9092, "type": "internal", "tls": False}]}},
}


def _pool(name: str, roles: list[str], storage: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "kafka.strimzi.io/v1",
        "kind": "KafkaNodePool",
        "metadata": {"name": name, "labels": {"strimzi.io/cluster": "my-cluster"}},
        "spec": {"replicas": 1, "roles": roles, "storage": storage or {"type": "persistent-claim", "size": "10Gi"}},
    }


def _plan(storage: dict[str, Any] | None = None, **spec: Any) -> ClusterPlan:
    kafka = copy.deepcopy(KAFKA)
    for key, value in spec.items():
        if key == "kafka":
            kafka["spec"]["kafka"].update(value)
        else:
            kafka["spec"][key] = value
    pools = [_pool("controller", ["controller"]), _pool("broker", ["broker"], storage)]
    return plan_cluster(
        PlanInput(Kafka.model_validate(kafka), tuple(KafkaNodePool.model_validate(p) for p in pools), "cluster-id"),
        KubernetesProfile("myproject"),
    )


def _objects(plan: ClusterPlan, **kwargs: Any) -> dict[tuple[str, str], dict[str, Any]]:
    kwargs.setdefault("owner", OWNER)
    kwargs.setdefault("secrets", None)
    return {(o["kind"], o["metadata"]["name"]): o for o in render_cluster(plan, **kwargs)}


def _material(plan: ClusterPlan) -> SecretMaterial:
    cluster_ca = authority.generate_ca("cluster-ca v0", validity_days=30, now=NOW)
    clients_ca = authority.generate_ca("clients-ca v0", validity_days=30, now=NOW)
    nodes = {
        node.node_id: issue.issue_server_certificate(
            cluster_ca,
            common_name="my-cluster-kafka",
            dns_names=node.certificate.dns_names,
            ip_addresses=(),
            validity_days=30,
            now=NOW,
        )
        for node in plan.nodes
    }
    return SecretMaterial(
        CaMaterial(cluster_ca, cert_generation=2, key_generation=1, truststore=Truststore(b"p12-bytes", "secret")),
        CaMaterial(clients_ca),
        nodes,
    )


def _decoded(secret: dict[str, Any], key: str) -> bytes:
    return base64.b64decode(secret["data"][key])


def test_without_material_secret_values_are_placeholders_in_string_data() -> None:
    objects = _objects(_plan())
    node = objects[("Secret", "my-cluster-broker-0")]
    assert node["stringData"] == {
        "clients-ca.crt": PLACEHOLDER,
        "cluster-ca.crt": PLACEHOLDER,
        "node.keystore.pem": PLACEHOLDER,
    }
    assert "data" not in node
    assert objects[("Secret", "my-cluster-cluster-ca")]["stringData"] == {"ca.key": PLACEHOLDER}


def test_ca_secrets_use_strimzis_keys_and_generation_annotations() -> None:
    plan = _plan()
    material = _material(plan)
    objects = _objects(plan, secrets=material)
    cert, key = objects[("Secret", "my-cluster-cluster-ca-cert")], objects[("Secret", "my-cluster-cluster-ca")]
    assert _decoded(cert, "ca.crt") == material.cluster_ca.authority.cert_pem
    assert (_decoded(cert, "ca.p12"), _decoded(cert, "ca.password")) == (b"p12-bytes", b"secret")
    assert _decoded(key, "ca.key") == material.cluster_ca.authority.key_pem
    assert cert["metadata"]["annotations"]["strimzi.io/ca-cert-generation"] == "2"
    assert key["metadata"]["annotations"]["strimzi.io/ca-key-generation"] == "1"
    assert cert["metadata"]["labels"]["strimzi.io/component-type"] == "certificate-authority"


def test_ca_secret_without_truststore_holds_the_certificate_only() -> None:
    plan = _plan()
    cert = _objects(plan, secrets=_material(plan))[("Secret", "my-cluster-clients-ca-cert")]
    assert set(cert["data"]) == {"ca.crt"}
    assert "stringData" not in cert


def test_node_secret_holds_keystore_and_both_trust_bundles() -> None:
    plan = _plan()
    material = _material(plan)
    secret = _objects(plan, secrets=material)[("Secret", "my-cluster-broker-0")]
    pair = material.nodes[0]
    assert _decoded(secret, "node.keystore.pem") == pair.key_pem + pair.cert_pem + pair.ca_cert_pem
    assert _decoded(secret, "cluster-ca.crt") == material.cluster_ca.authority.cert_pem
    assert _decoded(secret, "clients-ca.crt") == material.clients_ca.authority.cert_pem
    assert secret["metadata"]["annotations"]["strimzi.io/ca-cert-generation"] == "2"


def test_pods_record_the_ca_generations_they_were_started_with() -> None:
    plan = _plan()
    annotations = _objects(plan, secrets=_material(plan))[("Pod", "my-cluster-broker-0")]["metadata"]["annotations"]
    assert annotations["strimzi.io/cluster-ca-cert-generation"] == "2"
    assert annotations["strimzi.io/cluster-ca-key-generation"] == "1"


def test_node_secret_trusts_retired_ca_certificates_during_a_key_replacement() -> None:
    plan = _plan()
    material = _material(plan)
    retired = authority.generate_ca("cluster-ca v-1", validity_days=30, now=NOW).cert_pem
    cluster_ca = CaMaterial(material.cluster_ca.authority, retired_cert_pems=(retired,))
    objects = _objects(plan, secrets=SecretMaterial(cluster_ca, material.clients_ca, material.nodes))
    assert _decoded(objects[("Secret", "my-cluster-broker-0")], "cluster-ca.crt").endswith(retired)
    assert any(key.startswith("ca-") for key in objects[("Secret", "my-cluster-cluster-ca-cert")]["data"])


def test_node_without_an_issued_certificate_is_an_error() -> None:
    plan = _plan()
    material = _material(plan)
    with pytest.raises(ValueError, match="node 0"):
        render_cluster(plan, owner=None, secrets=SecretMaterial(material.cluster_ca, material.clients_ca, {}))


def test_custom_listener_certificate_gets_its_own_keystore_entry() -> None:
    listener = {
        "name": "tls",
        "port": 9093,
        "type": "internal",
        "tls": True,
        "configuration": {"brokerCertChainAndKey": {"secretName": "mine", "certificate": "tls.crt", "key": "tls.key"}},
    }
    plan = _plan(kafka={"listeners": [*KAFKA["spec"]["kafka"]["listeners"], listener]})
    objects = _objects(plan)
    assert objects[("Secret", "my-cluster-broker-0")]["stringData"]["listener-tls.keystore.pem"] == PLACEHOLDER
    assert "listener-tls.keystore.pem" not in objects[("Secret", "my-cluster-controller-1")]["stringData"]


def test_user_supplied_cas_are_not_rendered() -> None:
    objects = _objects(_plan(clusterCa={"generateCertificateAuthority": False}))
    assert ("Secret", "my-cluster-cluster-ca-cert") not in objects
    assert ("Secret", "my-cluster-clients-ca-cert") in objects


def test_ca_secrets_can_outlive_the_kafka() -> None:
    objects = _objects(_plan(clientsCa={"generateSecretOwnerReference": False}))
    assert "ownerReferences" not in objects[("Secret", "my-cluster-clients-ca")]["metadata"]
    assert "ownerReferences" in objects[("Secret", "my-cluster-cluster-ca")]["metadata"]


def test_network_policy_limits_internal_ports_to_kafka_and_the_operator() -> None:
    spec = _objects(_plan())[("NetworkPolicy", "my-cluster-network-policy-kafka")]["spec"]
    internal = [rule for rule in spec["ingress"] if rule["ports"][0]["port"] in (9090, 9091)]
    assert len(internal) == 2
    for rule in internal:
        assert rule["from"] == [
            {
                "podSelector": {
                    "matchLabels": {
                        "strimzi.io/cluster": "my-cluster",
                        "strimzi.io/name": "my-cluster-kafka",
                        "strimzi.io/kind": "Kafka",
                    }
                }
            },
            {"namespaceSelector": {}, "podSelector": {"matchLabels": {"app.kubernetes.io/name": "krafter"}}},
        ]


def test_network_policy_opens_user_listeners_to_everyone_unless_peers_are_given() -> None:
    peers = [{"podSelector": {"matchLabels": {"app": "client"}}}]
    listener = {"name": "tls", "port": 9093, "type": "internal", "tls": True, "networkPolicyPeers": peers}
    plan = _plan(kafka={"listeners": [*KAFKA["spec"]["kafka"]["listeners"], listener]})
    rules = {
        rule["ports"][0]["port"]: rule
        for rule in _objects(plan)[("NetworkPolicy", "my-cluster-network-policy-kafka")]["spec"]["ingress"]
    }
    assert "from" not in rules[9092]
    assert rules[9093]["from"] == peers


def test_network_policy_opens_metrics_port_only_with_metrics() -> None:
    def ports(plan: ClusterPlan) -> set[int]:
        policy = _objects(plan)[("NetworkPolicy", "my-cluster-network-policy-kafka")]
        return {rule["ports"][0]["port"] for rule in policy["spec"]["ingress"]}

    assert 9404 not in ports(_plan())
    assert 9404 in ports(_plan(kafka={"metricsConfig": {"type": "strimziMetricsReporter"}}))


def test_pods_run_as_the_kafka_service_account() -> None:
    objects = _objects(_plan())
    assert ("ServiceAccount", "my-cluster-kafka") in objects
    assert objects[("Pod", "my-cluster-broker-0")]["spec"]["serviceAccountName"] == "my-cluster-kafka"


def test_rack_awareness_binds_the_service_account_to_the_node_reader_role_without_owner() -> None:
    binding = _objects(_plan(kafka={"rack": {"topologyKey": "zone"}}))[
        ("ClusterRoleBinding", "krafter-myproject-my-cluster-kafka-init")
    ]
    assert binding["roleRef"]["name"] == "krafter-kafka-init"
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "my-cluster-kafka", "namespace": "myproject"}]
    assert "ownerReferences" not in binding["metadata"]
    assert "namespace" not in binding["metadata"]


def test_pod_disruption_budget_covers_all_kafka_pods() -> None:
    pdb = _objects(_plan(kafka={"template": {"podDisruptionBudget": {"maxUnavailable": 0}}}))[
        ("PodDisruptionBudget", "my-cluster-kafka")
    ]
    assert pdb["spec"] == {
        "maxUnavailable": 0,
        "selector": {
            "matchLabels": {
                "strimzi.io/cluster": "my-cluster",
                "strimzi.io/name": "my-cluster-kafka",
                "strimzi.io/kind": "Kafka",
            }
        },
    }


def test_claims_survive_the_kafka_unless_delete_claim_is_set() -> None:
    kept = _objects(_plan())[("PersistentVolumeClaim", "data-my-cluster-broker-0")]
    deleted = _objects(_plan({"type": "persistent-claim", "size": "1Gi", "deleteClaim": True}))[
        ("PersistentVolumeClaim", "data-my-cluster-broker-0")
    ]
    assert "ownerReferences" not in kept["metadata"]
    assert kept["metadata"]["annotations"]["strimzi.io/delete-claim"] == "false"
    assert deleted["metadata"]["ownerReferences"] == [OWNER.to_dict()]
    assert deleted["metadata"]["annotations"]["strimzi.io/delete-claim"] == "true"


def test_claims_carry_size_class_selector_and_attributes_class() -> None:
    storage = {
        "type": "jbod",
        "volumes": [
            {
                "id": 0,
                "type": "persistent-claim",
                "size": "5Gi",
                "class": "fast",
                "selector": {"disk": "ssd"},
                "volumeAttributesClass": "gold",
            },
            {"id": 1, "type": "ephemeral"},
        ],
    }
    objects = _objects(_plan(storage))
    claim = objects[("PersistentVolumeClaim", "data-0-my-cluster-broker-0")]
    assert claim["spec"] == {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": "5Gi"}},
        "storageClassName": "fast",
        "selector": {"matchLabels": {"disk": "ssd"}},
        "volumeAttributesClassName": "gold",
        "volumeMode": "Filesystem",
    }
    assert ("PersistentVolumeClaim", "data-1-my-cluster-broker-0") not in objects


def test_claim_template_labels_are_added() -> None:
    objects = _objects(
        _plan(kafka={"template": {"persistentVolumeClaim": {"metadata": {"labels": {"backup": "daily"}}}}})
    )
    assert objects[("PersistentVolumeClaim", "data-my-cluster-broker-0")]["metadata"]["labels"]["backup"] == "daily"
