"""Services, Ingresses, Routes and TLSRoutes: how clients reach the bootstrap and every broker."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from krafter.api.kafka import Kafka
from krafter.api.nodepool import KafkaNodePool
from krafter.plan.model import ClusterPlan
from krafter.plan.planner import PlanInput, plan_cluster
from krafter.plan.profile import KubernetesProfile
from krafter.render.cluster import render_cluster

pytestmark = pytest.mark.unit

PLAIN = {"name": "plain", "port": 9092, "type": "internal", "tls": False}
TLS = {"name": "tls", "port": 9093, "type": "internal", "tls": True, "authentication": {"type": "tls"}}


def _pool(name: str, roles: list[str], replicas: int = 3) -> dict[str, Any]:
    return {
        "apiVersion": "kafka.strimzi.io/v1",
        "kind": "KafkaNodePool",
        "metadata": {"name": name, "labels": {"strimzi.io/cluster": "my-cluster"}},
        "spec": {"replicas": replicas, "roles": roles, "storage": {"type": "ephemeral"}},
    }


POOLS = [_pool("controller", ["controller"]), _pool("broker", ["broker"], 2)]


def _plan(*listeners: dict[str, Any], **kafka_spec: Any) -> ClusterPlan:
    kafka = {
        "apiVersion": "kafka.strimzi.io/v1",
        "kind": "Kafka",
        "metadata": {"name": "my-cluster"},
        "spec": {"kafka": {"listeners": [copy.deepcopy(entry) for entry in listeners or (PLAIN,)], **kafka_spec}},
    }
    return plan_cluster(
        PlanInput(Kafka.model_validate(kafka), tuple(KafkaNodePool.model_validate(p) for p in POOLS), "cluster-id"),
        KubernetesProfile("myproject"),
    )


def _objects(plan: ClusterPlan) -> dict[tuple[str, str], dict[str, Any]]:
    return {(o["kind"], o["metadata"]["name"]): o for o in render_cluster(plan, owner=None, secrets=None)}


def _external(kind: str, **configuration: Any) -> dict[str, Any]:
    listener: dict[str, Any] = {
        "name": "ext",
        "port": 9094,
        "type": kind,
        "tls": kind not in ("nodeport", "loadbalancer", "cluster-ip"),
    }
    if configuration:
        listener["configuration"] = configuration
    return listener


def test_bootstrap_service_selects_brokers_on_replication_and_internal_listeners() -> None:
    service = _objects(_plan(PLAIN, TLS, _external("nodeport")))[("Service", "my-cluster-kafka-bootstrap")]
    assert service["spec"]["type"] == "ClusterIP"
    assert [(p["name"], p["port"]) for p in service["spec"]["ports"]] == [
        ("tcp-replication", 9091),
        ("tcp-plain", 9092),
        ("tcp-tls", 9093),
    ]
    assert service["spec"]["selector"]["strimzi.io/broker-role"] == "true"


def test_bootstrap_service_announces_internal_listeners_for_discovery() -> None:
    service = _objects(_plan(PLAIN, TLS))[("Service", "my-cluster-kafka-bootstrap")]
    assert service["metadata"]["labels"]["strimzi.io/discovery"] == "true"
    assert json.loads(service["metadata"]["annotations"]["strimzi.io/discovery"]) == [
        {"port": 9092, "tls": False, "protocol": "kafka", "auth": "none"},
        {"port": 9093, "tls": True, "protocol": "kafka", "auth": "tls"},
    ]


def test_brokers_service_is_headless_and_publishes_not_ready_pods() -> None:
    spec = _objects(_plan(PLAIN))[("Service", "my-cluster-kafka-brokers")]["spec"]
    assert (spec["clusterIP"], spec["publishNotReadyAddresses"]) == ("None", True)
    assert [p["port"] for p in spec["ports"]] == [9090, 9091, 9092]
    assert "strimzi.io/broker-role" not in spec["selector"]


def test_internal_service_templates_set_ip_families_and_metadata() -> None:
    template = {
        "bootstrapService": {
            "ipFamilyPolicy": "PreferDualStack",
            "ipFamilies": ["IPv6", "IPv4"],
            "metadata": {"labels": {"a": "b"}},
        }
    }
    service = _objects(_plan(PLAIN, template=template))[("Service", "my-cluster-kafka-bootstrap")]
    assert (service["spec"]["ipFamilyPolicy"], service["spec"]["ipFamilies"]) == ("PreferDualStack", ["IPv6", "IPv4"])
    assert service["metadata"]["labels"]["a"] == "b"


@pytest.mark.parametrize(
    ("listener_type", "service_type"),
    [
        ("cluster-ip", "ClusterIP"),
        ("nodeport", "NodePort"),
        ("loadbalancer", "LoadBalancer"),
        ("ingress", "ClusterIP"),
        ("route", "ClusterIP"),
        ("tlsroute", "ClusterIP"),
    ],
)
def test_external_listener_gets_a_bootstrap_and_per_broker_services_of_its_type(
    listener_type: str, service_type: str
) -> None:
    objects = _objects(_plan(PLAIN, _external(listener_type)))
    for name in ("my-cluster-kafka-ext-bootstrap", "my-cluster-broker-ext-0", "my-cluster-broker-ext-1"):
        assert objects[("Service", name)]["spec"]["type"] == service_type


def test_per_broker_service_selects_exactly_its_pod() -> None:
    service = _objects(_plan(PLAIN, _external("cluster-ip")))[("Service", "my-cluster-broker-ext-1")]
    assert service["spec"]["selector"]["strimzi.io/pod-name"] == "my-cluster-broker-1"


def test_listener_named_external_on_9094_keeps_strimzis_old_names() -> None:
    listener = {"name": "external", "port": 9094, "type": "route", "tls": True}
    objects = _objects(_plan(PLAIN, listener))
    assert ("Service", "my-cluster-kafka-external-bootstrap") in objects
    assert ("Route", "my-cluster-kafka-bootstrap") in objects
    assert ("Service", "my-cluster-broker-0") in objects


def test_node_ports_come_from_bootstrap_and_broker_configuration() -> None:
    listener = _external("nodeport", bootstrap={"nodePort": 32100}, brokers=[{"broker": 1, "nodePort": 32001}])
    objects = _objects(_plan(PLAIN, listener))
    assert objects[("Service", "my-cluster-kafka-ext-bootstrap")]["spec"]["ports"][0]["nodePort"] == 32100
    assert objects[("Service", "my-cluster-broker-ext-1")]["spec"]["ports"][0]["nodePort"] == 32001
    assert "nodePort" not in objects[("Service", "my-cluster-broker-ext-0")]["spec"]["ports"][0]


def test_load_balancer_settings_reach_the_services() -> None:
    listener = _external(
        "loadbalancer",
        externalTrafficPolicy="Local",
        loadBalancerSourceRanges=["10.0.0.0/8"],
        finalizers=["service.kubernetes.io/load-balancer-cleanup"],
        brokers=[{"broker": 0, "loadBalancerIP": "192.0.2.1"}],
        **{"class": "lb-class"},
    )
    service = _objects(_plan(PLAIN, listener))[("Service", "my-cluster-broker-ext-0")]
    assert service["spec"]["externalTrafficPolicy"] == "Local"
    assert service["spec"]["loadBalancerSourceRanges"] == ["10.0.0.0/8"]
    assert service["spec"]["loadBalancerClass"] == "lb-class"
    assert service["spec"]["loadBalancerIP"] == "192.0.2.1"
    assert service["metadata"]["finalizers"] == ["service.kubernetes.io/load-balancer-cleanup"]


def test_load_balancer_bootstrap_service_can_be_turned_off() -> None:
    objects = _objects(_plan(PLAIN, _external("loadbalancer", createBootstrapService=False)))
    assert ("Service", "my-cluster-kafka-ext-bootstrap") not in objects
    assert ("Service", "my-cluster-broker-ext-0") in objects


def test_ip_families_and_not_ready_addresses_apply_to_listener_services() -> None:
    listener = _external("cluster-ip", ipFamilyPolicy="SingleStack", ipFamilies=["IPv6"], publishNotReadyAddresses=True)
    spec = _objects(_plan(PLAIN, listener))[("Service", "my-cluster-broker-ext-0")]["spec"]
    assert (spec["ipFamilyPolicy"], spec["ipFamilies"], spec["publishNotReadyAddresses"]) == (
        "SingleStack",
        ["IPv6"],
        True,
    )


def test_per_broker_templates_and_overrides_label_and_annotate_per_broker_services() -> None:
    listener = _external(
        "loadbalancer",
        perBrokerAnnotationsTemplate={"dns": "broker-{nodeId}.example.com"},
        perBrokerLabelsTemplate={"pod": "{nodePodName}"},
        brokers=[{"broker": 1, "annotations": {"dns": "special.example.com"}, "labels": {"x": "y"}}],
    )
    objects = _objects(_plan(PLAIN, listener))
    zero, one = objects[("Service", "my-cluster-broker-ext-0")], objects[("Service", "my-cluster-broker-ext-1")]
    assert zero["metadata"]["annotations"]["dns"] == "broker-0.example.com"
    assert zero["metadata"]["labels"]["pod"] == "my-cluster-broker-0"
    assert one["metadata"]["annotations"]["dns"] == "special.example.com"
    assert one["metadata"]["labels"]["x"] == "y"


def test_kafka_templates_apply_to_external_services() -> None:
    template = {
        "externalBootstrapService": {"metadata": {"annotations": {"which": "bootstrap"}}},
        "perPodService": {"metadata": {"annotations": {"which": "per-pod"}}},
    }
    objects = _objects(_plan(PLAIN, _external("cluster-ip"), template=template))
    assert objects[("Service", "my-cluster-kafka-ext-bootstrap")]["metadata"]["annotations"]["which"] == "bootstrap"
    assert objects[("Service", "my-cluster-broker-ext-0")]["metadata"]["annotations"]["which"] == "per-pod"


def test_ingress_passes_tls_through_to_the_broker_service() -> None:
    listener = _external(
        "ingress", hostTemplate="b{nodeId}.example.com", bootstrap={"host": "boot.example.com"}, **{"class": "nginx"}
    )
    objects = _objects(_plan(PLAIN, listener))
    ingress = objects[("Ingress", "my-cluster-broker-ext-1")]
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/ssl-passthrough"] == "true"
    assert ingress["spec"]["ingressClassName"] == "nginx"
    rule = ingress["spec"]["rules"][0]
    assert rule["host"] == "b1.example.com"
    assert rule["http"]["paths"][0]["backend"]["service"] == {
        "name": "my-cluster-broker-ext-1",
        "port": {"number": 9094},
    }
    assert objects[("Ingress", "my-cluster-kafka-ext-bootstrap")]["spec"]["tls"] == [{"hosts": ["boot.example.com"]}]


def test_route_passes_tls_through_to_the_broker_service() -> None:
    listener = _external("route", brokers=[{"broker": 0, "host": "b0.apps.example.com"}])
    spec = _objects(_plan(PLAIN, listener))[("Route", "my-cluster-broker-ext-0")]["spec"]
    assert spec == {
        "host": "b0.apps.example.com",
        "to": {"kind": "Service", "name": "my-cluster-broker-ext-0", "weight": 100},
        "port": {"targetPort": 9094},
        "tls": {"termination": "passthrough"},
    }


def test_route_without_host_leaves_it_to_openshift() -> None:
    spec = _objects(_plan(PLAIN, _external("route")))[("Route", "my-cluster-kafka-ext-bootstrap")]["spec"]
    assert "host" not in spec


def test_tlsroute_attaches_to_its_gateway_and_routes_to_the_broker_service() -> None:
    listener = _external(
        "tlsroute", hostTemplate="b{nodeId}.gw.example.com", parentRefs=[{"name": "gw", "sectionName": "tls"}]
    )
    route = _objects(_plan(PLAIN, listener))[("TLSRoute", "my-cluster-broker-ext-0")]
    assert route["apiVersion"] == "gateway.networking.k8s.io/v1alpha2"
    assert route["spec"] == {
        "parentRefs": [{"name": "gw", "sectionName": "tls"}],
        "hostnames": ["b0.gw.example.com"],
        "rules": [{"backendRefs": [{"name": "my-cluster-broker-ext-0", "port": 9094}]}],
    }


def test_routed_listeners_put_their_bootstrap_metadata_on_the_route_not_the_service() -> None:
    listener = _external("ingress", bootstrap={"host": "boot.example.com", "annotations": {"external-dns": "yes"}})
    objects = _objects(_plan(PLAIN, listener))
    assert objects[("Ingress", "my-cluster-kafka-ext-bootstrap")]["metadata"]["annotations"]["external-dns"] == "yes"
    assert "external-dns" not in objects[("Service", "my-cluster-kafka-ext-bootstrap")]["metadata"].get(
        "annotations", {}
    )


def test_controllers_get_no_per_broker_objects() -> None:
    objects = _objects(_plan(PLAIN, _external("route")))
    assert not [name for _, name in objects if name.startswith("my-cluster-controller-ext")]
