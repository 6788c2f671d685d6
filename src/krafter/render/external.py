"""Objects that make non-`internal` listeners reachable: Services, Ingresses, Routes, TLSRoutes.

Kafka clients bootstrap from one address and then connect to every broker at the address
that broker advertises, so each listener needs a bootstrap object plus one per broker. The
Service type follows the listener type; `ingress`, `route` and `tlsroute` listeners put a
ClusterIP Service behind an object that passes TLS through by SNI (Kafka speaks TLS, not
HTTP, so it cannot be terminated there). Names are Strimzi's (`<c>-kafka-<listener>-bootstrap`,
`<c>-<pool>-<listener>-<id>`).
"""

from __future__ import annotations

from krafter.api.common import MetadataTemplate, ResourceTemplate
from krafter.api.listeners import (
    BootstrapConfiguration,
    BrokerConfiguration,
    GenericKafkaListener,
    ListenerConfiguration,
    ListenerType,
)
from krafter.plan import labels, names
from krafter.plan.model import ClusterPlan, NodePlan
from krafter.render import meta
from krafter.render.services import service_port

SERVICE_TYPES = {
    ListenerType.CLUSTER_IP: "ClusterIP",
    ListenerType.NODEPORT: "NodePort",
    ListenerType.LOADBALANCER: "LoadBalancer",
    ListenerType.INGRESS: "ClusterIP",
    ListenerType.ROUTE: "ClusterIP",
    ListenerType.TLSROUTE: "ClusterIP",
}
ROUTED = (ListenerType.INGRESS, ListenerType.ROUTE, ListenerType.TLSROUTE)
INGRESS_ANNOTATIONS = {
    # ingress-nginx: hand the TLS stream to the broker unchanged, routed by SNI.
    "nginx.ingress.kubernetes.io/backend-protocol": "HTTPS",
    "nginx.ingress.kubernetes.io/ssl-passthrough": "true",
}


def _service(
    plan: ClusterPlan,
    listener: GenericKafkaListener,
    config: ListenerConfiguration,
    *,
    name: str,
    object_labels: dict[str, str],
    selector: dict[str, str],
    template: MetadataTemplate,
    node_port: int | None,
    load_balancer_ip: str | None,
    external_ips: list[str] | None,
    owner: meta.OwnerRef | None,
) -> meta.Object:
    service_type = SERVICE_TYPES[listener.type]
    spec: meta.Object = {
        "type": service_type,
        "selector": selector,
        "ports": [
            service_port(
                f"tcp-{listener.name}", listener.port, node_port if listener.type is ListenerType.NODEPORT else None
            )
        ],
    }
    if service_type in ("NodePort", "LoadBalancer") and config.external_traffic_policy:
        spec["externalTrafficPolicy"] = config.external_traffic_policy
    if service_type == "LoadBalancer":
        if load_balancer_ip:
            spec["loadBalancerIP"] = load_balancer_ip
        if config.load_balancer_source_ranges:
            spec["loadBalancerSourceRanges"] = list(config.load_balancer_source_ranges)
        if config.ingress_class:
            spec["loadBalancerClass"] = config.ingress_class
        if config.allocate_load_balancer_node_ports is not None:
            spec["allocateLoadBalancerNodePorts"] = config.allocate_load_balancer_node_ports
    if external_ips:
        spec["externalIPs"] = list(external_ips)
    if config.ip_family_policy:
        spec["ipFamilyPolicy"] = config.ip_family_policy
    if config.ip_families:
        spec["ipFamilies"] = list(config.ip_families)
    if config.publish_not_ready_addresses is not None:
        spec["publishNotReadyAddresses"] = config.publish_not_ready_addresses
    finalizers = config.finalizers if service_type == "LoadBalancer" else None
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta.metadata(
            name,
            namespace=plan.namespace,
            labels=object_labels,
            template=template,
            owner=owner,
            finalizers=finalizers,
        ),
        "spec": spec,
    }


def _routed(
    plan: ClusterPlan,
    listener: GenericKafkaListener,
    config: ListenerConfiguration,
    *,
    name: str,
    service: str,
    host: str | None,
    object_labels: dict[str, str],
    template: MetadataTemplate,
    owner: meta.OwnerRef | None,
) -> meta.Object:
    """The Ingress, Route or TLSRoute in front of one Service."""
    kind = listener.type
    annotations = INGRESS_ANNOTATIONS if kind is ListenerType.INGRESS else None
    metadata = meta.metadata(
        name, namespace=plan.namespace, labels=object_labels, annotations=annotations, template=template, owner=owner
    )
    if kind is ListenerType.INGRESS:
        backend = {"service": {"name": service, "port": {"number": listener.port}}}
        rule: meta.Object = {"http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": backend}]}}
        spec: meta.Object = {}
        if config.ingress_class:
            spec["ingressClassName"] = config.ingress_class
        spec["rules"] = [{"host": host, **rule}] if host else [rule]
        if host:
            spec["tls"] = [{"hosts": [host]}]
        return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": metadata, "spec": spec}
    if kind is ListenerType.ROUTE:
        route_spec: meta.Object = {}
        if host:
            route_spec["host"] = host
        route_spec["to"] = {"kind": "Service", "name": service, "weight": 100}
        route_spec["port"] = {"targetPort": listener.port}
        route_spec["tls"] = {"termination": "passthrough"}
        return {"apiVersion": "route.openshift.io/v1", "kind": "Route", "metadata": metadata, "spec": route_spec}
    tls_spec: meta.Object = {"parentRefs": [parent.to_dict() for parent in config.parent_refs or []]}
    if host:
        tls_spec["hostnames"] = [host]
    tls_spec["rules"] = [{"backendRefs": [{"name": service, "port": listener.port}]}]
    return {
        "apiVersion": "gateway.networking.k8s.io/v1alpha2",
        "kind": "TLSRoute",
        "metadata": metadata,
        "spec": tls_spec,
    }


def _routed_templates(plan: ClusterPlan, kind: ListenerType, pool: str | None) -> list[ResourceTemplate | None]:
    kafka = meta.kafka_template(plan)
    if kind is ListenerType.INGRESS:
        if pool is None:
            return [kafka.external_bootstrap_ingress]
        return [kafka.per_pod_ingress, meta.pool_template(plan, pool).per_pod_ingress]
    if kind is ListenerType.ROUTE:
        if pool is None:
            return [kafka.external_bootstrap_route]
        return [kafka.per_pod_route, meta.pool_template(plan, pool).per_pod_route]
    return []


def _bootstrap_objects(
    plan: ClusterPlan, listener: GenericKafkaListener, config: ListenerConfiguration, owner: meta.OwnerRef | None
) -> list[meta.Object]:
    bootstrap = config.bootstrap or BootstrapConfiguration()
    routed = listener.type in ROUTED
    # The listener's own bootstrap labels/annotations (e.g. for external-dns) go on what clients
    # resolve: the Route/Ingress for routed listeners, the Service otherwise.
    own = MetadataTemplate(labels=bootstrap.labels, annotations=bootstrap.annotations)
    service_name = names.external_bootstrap(plan.name, listener.name, listener.port)
    objects: list[meta.Object] = []
    if not (listener.type is ListenerType.LOADBALANCER and config.create_bootstrap_service is False):
        objects.append(
            _service(
                plan,
                listener,
                config,
                name=service_name,
                object_labels=labels.kafka_component(plan.name),
                selector=labels.broker_selector(plan.name),
                template=meta.template_metadata(
                    meta.kafka_template(plan).external_bootstrap_service, None if routed else own
                ),
                node_port=bootstrap.node_port,
                load_balancer_ip=bootstrap.load_balancer_ip,
                external_ips=bootstrap.external_i_ps,
                owner=owner,
            )
        )
    if routed:
        objects.append(
            _routed(
                plan,
                listener,
                config,
                name=names.external_bootstrap_route(plan.name, listener.name, listener.port),
                service=service_name,
                host=bootstrap.host,
                object_labels=labels.kafka_component(plan.name),
                template=meta.template_metadata(*_routed_templates(plan, listener.type, None), own),
                owner=owner,
            )
        )
    return objects


def _broker_objects(
    plan: ClusterPlan,
    listener: GenericKafkaListener,
    config: ListenerConfiguration,
    node: NodePlan,
    owner: meta.OwnerRef | None,
) -> list[meta.Object]:
    override = next((b for b in config.brokers or [] if b.broker == node.node_id), None) or BrokerConfiguration(
        broker=node.node_id
    )
    routed = listener.type in ROUTED
    per_broker = MetadataTemplate(
        labels=meta.substitute_node(config.per_broker_labels_template or {}, node.node_id, node.pod_name),
        annotations=meta.substitute_node(config.per_broker_annotations_template or {}, node.node_id, node.pod_name),
    )
    own = meta.template_metadata(per_broker, MetadataTemplate(labels=override.labels, annotations=override.annotations))
    name = names.per_broker(plan.name, node.pool, listener.name, listener.port, node.node_id)
    object_labels = labels.node_owned(plan.name, node.pool, node.pod_name)
    service_templates = [meta.kafka_template(plan).per_pod_service, meta.pool_template(plan, node.pool).per_pod_service]
    objects = [
        _service(
            plan,
            listener,
            config,
            name=name,
            object_labels=object_labels,
            selector=labels.pod_selector(plan.name, node.pod_name),
            template=meta.template_metadata(*service_templates, None if routed else own),
            node_port=override.node_port,
            load_balancer_ip=override.load_balancer_ip,
            external_ips=override.external_i_ps,
            owner=owner,
        )
    ]
    if routed:
        host = override.host or (
            meta.substitute_node(config.host_template, node.node_id, node.pod_name) if config.host_template else None
        )
        objects.append(
            _routed(
                plan,
                listener,
                config,
                name=name,
                service=name,
                host=host,
                object_labels=object_labels,
                template=meta.template_metadata(*_routed_templates(plan, listener.type, node.pool), own),
                owner=owner,
            )
        )
    return objects


def external_objects(plan: ClusterPlan, owner: meta.OwnerRef | None) -> list[meta.Object]:
    objects: list[meta.Object] = []
    for listener in plan.kafka.spec.kafka.listeners:
        if listener.type is ListenerType.INTERNAL:
            continue
        config = listener.configuration or ListenerConfiguration()
        objects += _bootstrap_objects(plan, listener, config, owner)
        for node in plan.brokers:
            objects += _broker_objects(plan, listener, config, node, owner)
    return objects
