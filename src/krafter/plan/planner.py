"""plan_cluster: a Kafka, its node pools and what already exists -> the complete ClusterPlan.

Pure and deterministic: identical inputs give an identical plan, so rendering is
reproducible and a reconcile of an unchanged cluster changes nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from krafter.api import versions
from krafter.api.common import ContainerTemplate, PodTemplate
from krafter.api.kafka import Kafka
from krafter.api.nodepool import KafkaNodePool, ProcessRole
from krafter.core import images
from krafter.plan import labels, name_limits, names, references, server_config
from krafter.plan import listeners as listener_plan
from krafter.plan.jvm import plan_jvm
from krafter.plan.metrics import METRICS_PORT, METRICS_SLOT, plan_metrics, reporter_properties
from krafter.plan.model import (
    CertificateRequest,
    ClusterPlan,
    FormatMode,
    ListenerPlan,
    NodeListener,
    NodePlan,
    PoolPlan,
    RackPlan,
    SecurityProtocol,
)
from krafter.plan.node_ids import assign_node_ids
from krafter.plan.profile import CONTROLPLANE_PORT, REPLICATION_PORT, Endpoint, Profile
from krafter.plan.quorum import directory_id, plan_quorum
from krafter.plan.storage_layout import plan_volumes

CERT_ORGANIZATION = "io.krafter"


@dataclass(frozen=True)
class PlanInput:
    kafka: Kafka
    pools: tuple[KafkaNodePool, ...]
    cluster_id: str
    current_node_ids: Mapping[str, Sequence[int]] = field(default_factory=dict)
    """Node ids each pool's nodes have now (status.nodeIds / existing Pods or processes)."""
    founding_voters: tuple[int, ...] | None = None
    """The controllers that formed the quorum; None for a cluster that does not exist yet."""
    observed: listener_plan.Observed = listener_plan.NOTHING_OBSERVED
    referenced: Mapping[references.ConfigKey, str] = field(default_factory=dict)
    """Contents of the ConfigMap keys the Kafka refers to (`references.references`); missing ones
    become placeholders, the platform decides whether that is an error."""


def _referenced_documents(kafka: Kafka, given: Mapping[references.ConfigKey, str]) -> dict[str, str]:
    """Field path -> document text. A required document the platform could not find becomes a
    placeholder (the platform refuses or warns); a missing optional one is left out, so the
    node keeps Krafter's default rules or logging."""
    found = {}
    for ref in references.references(kafka):
        key = (ref.name, ref.key)
        if key in given:
            found[ref.path] = given[key]
        elif not ref.optional:
            found[ref.path] = references.placeholder(key)
    return found


def principal(common_name: str) -> str:
    """Kafka's principal for a certificate with subject `O=io.krafter, CN=<common_name>`."""
    return f"User:CN={common_name},O={CERT_ORGANIZATION}"


def image_for(kafka: Kafka, version: str) -> str:
    return kafka.spec.kafka.image or images.kafka_image(version)


def _merge_templates(kafka_level: PodTemplate | None, pool_level: PodTemplate | None) -> PodTemplate | None:
    """Per property, the pool's template wins (Strimzi's rule since 0.49)."""
    if kafka_level is None or pool_level is None:
        return pool_level or kafka_level
    merged = kafka_level.model_dump(exclude_unset=True) | pool_level.model_dump(exclude_unset=True)
    return PodTemplate.model_validate(merged)


def _merge_container(
    kafka_level: ContainerTemplate | None, pool_level: ContainerTemplate | None
) -> ContainerTemplate | None:
    if kafka_level is None or pool_level is None:
        return pool_level or kafka_level
    merged = kafka_level.model_dump(exclude_unset=True) | pool_level.model_dump(exclude_unset=True)
    return ContainerTemplate.model_validate(merged)


def plan_cluster(given: PlanInput, profile: Profile) -> ClusterPlan:
    kafka = given.kafka
    spec = kafka.spec.kafka
    cluster = kafka.metadata.name or ""
    namespace = kafka.metadata.namespace or profile.namespace
    version = spec.version or versions.DEFAULT_VERSION
    slots = listener_plan.port_slots(list(spec.listeners))
    documents = _referenced_documents(kafka, given.referenced)
    metrics = plan_metrics(spec, documents.get("spec.kafka.metricsConfig.valueFrom.configMapKeyRef"))
    ids = assign_node_ids(given.pools, given.current_node_ids)
    pools = sorted(given.pools, key=lambda p: p.metadata.name or "")
    super_users = [principal(names.node_principal(cluster)), principal(names.operator_principal(cluster))]
    auth = spec.authorization
    for user in (getattr(auth, "super_users", None) or []) if auth is not None else []:
        super_users.append(user if ":" in user else f"User:{user}")

    # Controller endpoints first: every node's config names the whole quorum.
    controllers: list[tuple[int, Endpoint]] = []
    for pool in pools:
        if ProcessRole.CONTROLLER in pool.spec.roles:
            for node_id in ids[pool.metadata.name or ""].node_ids:
                host = profile.node_host(cluster, pool.metadata.name or "", node_id)
                controllers.append((node_id, Endpoint(host, profile.port(node_id, CONTROLPLANE_PORT, 0))))
    founding = given.founding_voters if given.founding_voters is not None else tuple(i for i, _ in controllers)
    quorum = plan_quorum(given.cluster_id, controllers, founding)

    nodes: list[NodePlan] = []
    pending: list[str] = []
    advertised: dict[str, list[tuple[int, Endpoint]]] = {listener.name: [] for listener in spec.listeners}
    template = spec.template
    for pool in pools:
        pool_name = pool.metadata.name or ""
        is_controller = ProcessRole.CONTROLLER in pool.spec.roles
        is_broker = ProcessRole.BROKER in pool.spec.roles
        pool_template = pool.spec.template
        for node_id in ids[pool_name].node_ids:
            pod_name = names.pod(cluster, pool_name, node_id)
            host = profile.node_host(cluster, pool_name, node_id)
            bind = profile.bind_host()
            entries: list[NodeListener] = [
                NodeListener(
                    listener_plan.CONTROLPLANE,
                    listener_plan.CONTROLPLANE_NAME,
                    CONTROLPLANE_PORT,
                    Endpoint(bind, profile.port(node_id, CONTROLPLANE_PORT, 0)),
                    Endpoint(host, profile.port(node_id, CONTROLPLANE_PORT, 0)) if is_controller else None,
                    SecurityProtocol.SSL,
                )
            ]
            if is_broker:
                replication_port = profile.port(node_id, REPLICATION_PORT, 1)
                entries.append(
                    NodeListener(
                        listener_plan.REPLICATION,
                        listener_plan.REPLICATION_NAME,
                        REPLICATION_PORT,
                        Endpoint(bind, replication_port),
                        Endpoint(host, replication_port),
                        SecurityProtocol.SSL,
                    )
                )
                for listener in spec.listeners:
                    address, is_pending = listener_plan.advertised_address(
                        listener,
                        cluster=cluster,
                        pool=pool_name,
                        node_id=node_id,
                        profile=profile,
                        slot=slots[listener.port],
                        observed=given.observed,
                    )
                    if is_pending:
                        pending.append(f"{listener.name}/{node_id}")
                    advertised[listener.name].append((node_id, address))
                    entries.append(
                        NodeListener(
                            listener.name,
                            listener_plan.kafka_listener_name(listener.name, listener.port),
                            listener.port,
                            Endpoint(bind, profile.port(node_id, listener.port, slots[listener.port])),
                            address,
                            listener_plan.protocol(listener),
                        )
                    )
            volumes = plan_volumes(
                pool.spec.storage,
                cluster=cluster,
                pool=pool_name,
                node_id=node_id,
                data_root=profile.data_root(cluster, pool_name, node_id),
            )
            rack = RackPlan(spec.rack.type, spec.rack.topology_key, spec.rack.env_var_name) if spec.rack else None
            facts = server_config.NodeFacts(
                node_id=node_id,
                is_broker=is_broker,
                is_controller=is_controller,
                listeners=entries,
                volumes=volumes,
                certs_dir=profile.certs_dir(cluster, pool_name, node_id),
                quorum_bootstrap=quorum.bootstrap_servers,
                super_users=super_users,
                rack=rack,
            )
            metrics_endpoint = (
                Endpoint(bind, profile.port(node_id, METRICS_PORT, METRICS_SLOT)) if metrics is not None else None
            )
            properties = server_config.managed_properties(facts, spec)
            merged: list[tuple[str, str]] = []
            if metrics is not None and metrics_endpoint is not None:
                merged = reporter_properties(metrics, metrics_endpoint, spec.config or {})
            properties += merged + server_config.user_properties(spec, managed={key for key, _ in merged})
            dns = {e.advertised.host for e in entries if e.advertised is not None}
            dns.add(host)
            dns.update(profile.extra_dns_names(cluster))
            ips = set(profile.node_ips(cluster, pool_name, node_id))
            dns -= ips
            dns.discard(listener_plan.NODE_ADDRESS_TOKEN)
            node_labels = labels.node(cluster, pool_name, pod_name, broker=is_broker, controller=is_controller)
            nodes.append(
                NodePlan(
                    node_id=node_id,
                    pool=pool_name,
                    pod_name=pod_name,
                    is_broker=is_broker,
                    is_controller=is_controller,
                    volumes=volumes,
                    listeners=tuple(entries),
                    server_properties=tuple(properties),
                    format_mode=FormatMode.INITIAL_CONTROLLER
                    if is_controller and node_id in founding
                    else FormatMode.JOIN,
                    directory_id=directory_id(given.cluster_id, node_id),
                    jvm=plan_jvm(
                        pool.spec.jvm_options or spec.jvm_options,
                        pool.spec.resources,
                        profile.default_heap,
                    ),
                    certificate=CertificateRequest(
                        common_name=names.node_principal(cluster),
                        dns_names=tuple(sorted(d for d in dns if not d.endswith(".invalid"))),
                        ip_addresses=tuple(sorted(ips)),
                    ),
                    labels=tuple(sorted(node_labels.items())),
                    resources=pool.spec.resources,
                    pod_template=_merge_templates(
                        template.pod if template else None, pool_template.pod if pool_template else None
                    ),
                    container_template=_merge_container(
                        template.kafka_container if template else None,
                        pool_template.kafka_container if pool_template else None,
                    ),
                    init_container_template=_merge_container(
                        template.init_container if template else None,
                        pool_template.init_container if pool_template else None,
                    ),
                    rack=rack,
                    metrics_endpoint=metrics_endpoint,
                )
            )

    listener_plans = []
    for listener in spec.listeners:
        brokers = [address for _, address in sorted(advertised[listener.name])]
        config = listener.configuration
        custom = config.broker_cert_chain_and_key.secret_name if config and config.broker_cert_chain_and_key else None
        listener_plans.append(
            ListenerPlan(
                name=listener.name,
                type=listener.type,
                port=listener.port,
                tls=listener.tls,
                auth=listener_plan.auth_type(listener),
                kafka_name=listener_plan.kafka_listener_name(listener.name, listener.port),
                protocol=listener_plan.protocol(listener),
                bootstrap=listener_plan.bootstrap_addresses(
                    listener, cluster=cluster, profile=profile, broker_addresses=brokers, observed=given.observed
                ),
                broker_addresses=tuple(sorted(advertised[listener.name])),
                custom_certificate_secret=custom,
            )
        )
    selector = ",".join(f"{k}={v}" for k, v in sorted(labels.selector(cluster).items()))
    pool_plans = tuple(
        PoolPlan(
            name=pool.metadata.name or "",
            roles=tuple(r.value for r in pool.spec.roles),
            replicas=pool.spec.replicas,
            node_ids=ids[pool.metadata.name or ""].node_ids,
            added=ids[pool.metadata.name or ""].added,
            removed=ids[pool.metadata.name or ""].removed,
            label_selector=f"{selector},{labels.POOL}={pool.metadata.name}",
        )
        for pool in pools
    )
    pdb = template.pod_disruption_budget.max_unavailable if template and template.pod_disruption_budget else 1
    plan = ClusterPlan(
        name=cluster,
        namespace=namespace,
        cluster_id=given.cluster_id,
        kafka_version=version,
        metadata_version=server_config.metadata_version(spec, version),
        image=image_for(kafka, version),
        kafka=kafka,
        pools=pool_plans,
        pool_resources=tuple(pools),
        nodes=tuple(sorted(nodes, key=lambda n: n.node_id)),
        listeners=tuple(listener_plans),
        quorum=quorum,
        super_users=tuple(super_users),
        profile_name=profile.name,
        pdb_max_unavailable=pdb,
        pending_addresses=tuple(pending),
        metrics=metrics,
        external_log4j=documents.get("spec.kafka.logging.valueFrom.configMapKeyRef"),
    )
    return dataclasses.replace(plan, findings=tuple(name_limits.check_names(plan)))
