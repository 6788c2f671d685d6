"""The process kubelet's pure parts: cluster DNS as hosts files, the downward API, image mapping."""

from __future__ import annotations

import pytest

from krafter.core import images
from krafter.testing.kubelet import dns, fieldpaths
from krafter.testing.kubelet.images import ImageCatalog, ImageRefused

pytestmark = pytest.mark.unit

BROKERS = dns.ServiceRecord("ns", "c-kafka-brokers", {"app": "kafka"}, headless=True, publish_not_ready=True)
BOOTSTRAP = dns.ServiceRecord("ns", "c-kafka-bootstrap", {"app": "kafka"}, headless=False)


def _pod(name: str, ip: str, *, ready: bool) -> dns.PodRecord:
    return dns.PodRecord("ns", name, ip, ready, {"app": "kafka"}, hostname=name, subdomain="c-kafka-brokers")


def test_a_service_resolves_to_its_ready_pods_only() -> None:
    entries = dns.cluster_entries(
        [_pod("a", "127.0.1.2", ready=True), _pod("b", "127.0.1.3", ready=False)], [BOOTSTRAP]
    )
    assert entries == [("ns", "127.0.1.2", "c-kafka-bootstrap.ns.svc")]


def test_a_headless_service_publishing_not_ready_pods_names_every_pod() -> None:
    entries = dns.cluster_entries([_pod("a", "127.0.1.2", ready=True), _pod("b", "127.0.1.3", ready=False)], [BROKERS])
    assert ("ns", "127.0.1.3", "b.c-kafka-brokers.ns.svc") in entries
    assert ("ns", "127.0.1.3", "c-kafka-brokers.ns.svc") in entries


def test_the_hosts_file_lists_short_names_only_for_the_pods_own_namespace() -> None:
    entries = [("ns", "127.0.1.2", "c-kafka-bootstrap.ns.svc"), ("other", "127.0.1.9", "x.other.svc")]
    text = dns.hosts_file(namespace="ns", ip="127.0.1.5", hostname="me", subdomain=None, entries=entries)
    names = "c-kafka-bootstrap.ns.svc.cluster.local c-kafka-bootstrap.ns.svc c-kafka-bootstrap.ns c-kafka-bootstrap"
    assert f"127.0.1.2\t{names}\n" in text
    assert "127.0.1.9\tx.other.svc.cluster.local x.other.svc x.other\n" in text
    assert "127.0.1.5\tme\n" in text


def test_env_reads_field_refs_secret_keys_and_expands_earlier_variables() -> None:
    pod = {
        "metadata": {"name": "p", "namespace": "ns", "labels": {"a": "b"}},
        "spec": {},
        "status": {"podIP": "127.0.1.7"},
    }
    container = {
        "name": "c",
        "env": [
            {"name": "IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
            {"name": "LABEL", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['a']"}}},
            {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "s", "key": "password"}}},
            {"name": "URL", "value": "http://$(IP):80/$$(IP)"},
        ],
    }

    def lookup(kind: str, name: str) -> dict[str, str] | None:
        return {"password": "secret"} if (kind, name) == ("Secret", "s") else None

    env = fieldpaths.environment(pod, container, lookup, {"PATH": "/bin"})
    assert env == {
        "PATH": "/bin",
        "IP": "127.0.1.7",
        "LABEL": "b",
        "PASSWORD": "secret",
        "URL": "http://127.0.1.7:80/$(IP)",
    }


def test_a_missing_required_secret_key_keeps_the_container_waiting() -> None:
    container = {"name": "c", "env": [{"name": "X", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]}
    with pytest.raises(fieldpaths.MissingReference):
        fieldpaths.environment({"metadata": {}, "spec": {}}, container, lambda _k, _n: None, {})


def test_resource_field_refs_round_up_in_units_of_the_divisor() -> None:
    container = {"name": "c", "resources": {"limits": {"memory": "1536Mi"}}}
    ref = {"resource": "limits.memory", "divisor": "1Gi"}
    assert fieldpaths.resource_value({"spec": {}}, ref, container) == "2"


def test_images_other_than_krafters_and_apache_kafka_are_refused_by_name() -> None:
    with pytest.raises(ImageRefused, match=r"busybox:1\.36"):
        ImageCatalog().runtime("busybox:1.36")


def test_the_image_reference_is_split_without_mistaking_a_registry_port_for_a_tag() -> None:
    assert images.split("registry:5000/krafter") == ("registry:5000/krafter", None)
    assert images.split("registry:5000/krafter:0.1.0") == ("registry:5000/krafter", "0.1.0")
