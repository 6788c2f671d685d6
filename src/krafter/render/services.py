"""The two cluster-internal Services every cluster has.

`<c>-kafka-bootstrap` is what in-cluster clients put in `bootstrap.servers` (brokers only,
replication port plus the `internal` listeners). `<c>-kafka-brokers` is headless and publishes
not-ready addresses: it exists for the per-Pod DNS names Kafka advertises, and controllers
must find each other through it before any of them is ready, or the quorum never forms.
"""

from __future__ import annotations

import json

from krafter.api.common import InternalServiceTemplate
from krafter.api.listeners import ListenerType
from krafter.plan import labels, names
from krafter.plan.model import ClusterPlan, ListenerPlan
from krafter.plan.profile import CONTROLPLANE_PORT, REPLICATION_PORT
from krafter.render import meta


def service_port(name: str, port: int, node_port: int | None = None) -> meta.Object:
    entry: meta.Object = {"name": name, "port": port, "protocol": "TCP", "targetPort": port}
    if node_port is not None:
        entry["nodePort"] = node_port
    return entry


def _internal_listeners(plan: ClusterPlan) -> list[ListenerPlan]:
    return [listener for listener in plan.listeners if listener.type is ListenerType.INTERNAL]


def discovery(plan: ClusterPlan) -> str:
    """Strimzi's `strimzi.io/discovery` annotation: the internal listeners, for client tooling."""
    entries = [
        {"port": listener.port, "tls": listener.tls, "protocol": "kafka", "auth": listener.auth.value}
        for listener in _internal_listeners(plan)
    ]
    return json.dumps(entries)


def _ip_families(spec: meta.Object, template: InternalServiceTemplate | None) -> None:
    if template is None:
        return
    if template.ip_family_policy is not None:
        spec["ipFamilyPolicy"] = template.ip_family_policy
    if template.ip_families is not None:
        spec["ipFamilies"] = list(template.ip_families)


def bootstrap_service(plan: ClusterPlan, owner: meta.OwnerRef | None) -> meta.Object:
    template = plan.kafka.spec.kafka.template
    service_template = template.bootstrap_service if template else None
    ports = [service_port("tcp-replication", REPLICATION_PORT)]
    ports += [service_port(f"tcp-{listener.name}", listener.port) for listener in _internal_listeners(plan)]
    spec: meta.Object = {"type": "ClusterIP", "selector": labels.broker_selector(plan.name), "ports": ports}
    _ip_families(spec, service_template)
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta.metadata(
            names.bootstrap_service(plan.name),
            namespace=plan.namespace,
            labels={**labels.kafka_component(plan.name), labels.DISCOVERY: "true"},
            annotations={labels.DISCOVERY: discovery(plan)},
            template=meta.template_metadata(service_template.metadata if service_template else None),
            owner=owner,
        ),
        "spec": spec,
    }


def brokers_service(plan: ClusterPlan, owner: meta.OwnerRef | None) -> meta.Object:
    template = plan.kafka.spec.kafka.template
    service_template = template.brokers_service if template else None
    ports = [service_port("tcp-ctrlplane", CONTROLPLANE_PORT), service_port("tcp-replication", REPLICATION_PORT)]
    ports += [service_port(f"tcp-{listener.name}", listener.port) for listener in _internal_listeners(plan)]
    spec: meta.Object = {
        "type": "ClusterIP",
        "clusterIP": "None",
        "publishNotReadyAddresses": True,
        "selector": labels.selector(plan.name),
        "ports": ports,
    }
    _ip_families(spec, service_template)
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta.metadata(
            names.brokers_service(plan.name),
            namespace=plan.namespace,
            labels=labels.kafka_component(plan.name),
            template=meta.template_metadata(service_template.metadata if service_template else None),
            owner=owner,
        ),
        "spec": spec,
    }
