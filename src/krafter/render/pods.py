"""One Pod and one ConfigMap per Kafka node.

Krafter manages Pods directly (no StatefulSet, no PodSet) so any node can be rolled, removed
or replaced on its own. Each Pod runs the official `apache/kafka` image with Krafter's start
script from the node's ConfigMap; `hostname` + `subdomain` give it the stable DNS name
`<pod>.<c>-kafka-brokers.<ns>.svc` that the plan advertises and the certificate names.

Two annotations tell the roller whether a running Pod is current: `strimzi.io/revision`
hashes the Pod spec (image, resources, env, volumes, scheduling: a change needs a new Pod),
`strimzi.io/configuration-hash` hashes the node's files (a change needs a restart, or a
dynamic update if the roller can do one). The quorum seed `initial.controllers` and the
`metadata.version` file are left out of the configuration hash: both are read only when
storage is first formatted, so quorum bookkeeping or a metadata version bump (which the
operator applies through the Admin API) never rolls a Pod.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from krafter.api.common import ContainerEnvVar, ContainerTemplate, PodTemplate, Probe
from krafter.api.listeners import CustomListenerAuthentication, ListenerType
from krafter.core import images
from krafter.plan import labels, names, node_files
from krafter.plan.metrics import METRICS_PORT
from krafter.plan.model import ClusterPlan, NodePlan
from krafter.plan.profile import CONTROLPLANE_PORT, REPLICATION_PORT, KubernetesProfile
from krafter.render import meta, security, storage

DEFAULT_OPERATOR_IMAGE = images.operator_image()
KAFKA_CONTAINER = "kafka"
INIT_CONTAINER = "kafka-init"
INIT_DIR = "/opt/kafka/init"
RUN_DIR = "/tmp/krafter"
OPERATOR_IMAGE_METRICS_LIBS = "/opt/krafter/metrics"
"""Where the Krafter image keeps the metrics jars (see Dockerfile)."""
APP_GROUP_ID = 1000
"""The apache/kafka image runs as `appuser` (uid and gid 1000)."""

STARTUP_PROBE_PERIOD = 5
STARTUP_PROBE_FAILURES = 60
"""Up to five minutes to start (log recovery) before liveness applies."""

REVISION = "strimzi.io/revision"
CONFIGURATION_HASH = "strimzi.io/configuration-hash"
KAFKA_VERSION = "strimzi.io/kafka-version"
CLUSTER_CA_CERT_GENERATION = "strimzi.io/cluster-ca-cert-generation"
CLUSTER_CA_KEY_GENERATION = "strimzi.io/cluster-ca-key-generation"
CLIENTS_CA_CERT_GENERATION = "strimzi.io/clients-ca-cert-generation"

# Kafka's own defaults from kafka-run-class.sh; the start script runs java directly, so
# Krafter passes them itself. The user's jvmOptions come after them and therefore win.
G1_DEFAULTS = (
    "-server",
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-XX:MaxInlineLevel=15",
    "-Djava.awt.headless=true",
)
_UNHASHED_FILES = (node_files.INITIAL_CONTROLLERS, node_files.METADATA_VERSION)


CUSTOM_AUTHN_SECRETS = "/opt/kafka/custom-authn-secrets"


@dataclass(frozen=True)
class SecretMount:
    volume: str
    secret: str
    path: str
    keys: tuple[str, ...]
    """Only these keys are projected (what the listener asked for, not the whole Secret)."""


def custom_authn_secrets(plan: ClusterPlan, node: NodePlan) -> list[SecretMount]:
    """One mount per Secret a `custom` listener authentication names (its keys together), at
    Strimzi's path so plugin configs written for Strimzi find their files unchanged."""
    if not node.is_broker:
        return []
    found = []
    for listener in plan.kafka.spec.kafka.listeners:
        auth = listener.authentication
        if not isinstance(auth, CustomListenerAuthentication):
            continue
        keys: dict[str, list[str]] = {}
        for source in auth.secrets or []:
            secret, key = source.get("secretName"), source.get("key")
            if secret and key and str(key) not in keys.setdefault(str(secret), []):
                keys[str(secret)].append(str(key))
        base = f"custom-listener-{listener.name}-{listener.port}"
        for index, (secret, secret_keys) in enumerate(keys.items()):
            found.append(
                SecretMount(f"{base}-{index}", secret, f"{CUSTOM_AUTHN_SECRETS}/{base}/{secret}", tuple(secret_keys))
            )
    return found


def needs_node_access(plan: ClusterPlan) -> bool:
    """Rack labels and node-port addresses are facts about the Kubernetes node, read at start-up
    (the init container then needs to read Nodes: a ClusterRoleBinding)."""
    rack = plan.kafka.spec.kafka.rack
    topology = rack is not None and rack.type == "topology-label"
    return topology or any(listener.type is ListenerType.NODEPORT for listener in plan.listeners)


def needs_init_container(plan: ClusterPlan) -> bool:
    """Node facts, or the metrics jars, which come from the Krafter image."""
    return needs_node_access(plan) or plan.metrics is not None


def config_map(
    plan: ClusterPlan, node: NodePlan, owner: meta.OwnerRef | None, files: Mapping[str, str] | None = None
) -> meta.Object:
    """The node's files (`node_files.config_files`; pass them in when already computed)."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": meta.metadata(
            names.node_config(plan.name, node.pool, node.node_id),
            namespace=plan.namespace,
            labels=labels.node_owned(plan.name, node.pool, node.pod_name),
            owner=owner,
        ),
        "data": dict(files if files is not None else node_files.config_files(plan, node)),
    }


def configuration_hash(files: Mapping[str, str]) -> str:
    """Hash of a node's files (`node_files.config_files`) as far as a running node reads them."""
    return meta.content_hash({k: v for k, v in files.items() if k not in _UNHASHED_FILES})


def _env(template: ContainerTemplate | None, ours: list[meta.Object]) -> list[meta.Object]:
    """Krafter's variables, then the template's; a template variable cannot replace one of ours
    (the start script depends on them, and server-side apply refuses duplicate names)."""
    taken = {entry["name"] for entry in ours}
    extra: dict[str, meta.Object] = {}
    for entry in (template.env if template else None) or []:
        if entry.name and entry.name not in taken:
            extra[entry.name] = entry.to_dict()
    return ours + list(extra.values())


def _probe(spec: Probe | None, port: int, *, liveness: bool) -> meta.Object:
    timing = spec or Probe()
    probe: meta.Object = {
        "tcpSocket": {"port": port},
        "initialDelaySeconds": timing.initial_delay_seconds,
        "timeoutSeconds": timing.timeout_seconds,
    }
    if timing.period_seconds is not None:
        probe["periodSeconds"] = timing.period_seconds
    # Kubernetes requires successThreshold 1 on liveness probes.
    if timing.success_threshold is not None and not liveness:
        probe["successThreshold"] = timing.success_threshold
    if timing.failure_threshold is not None:
        probe["failureThreshold"] = timing.failure_threshold
    return probe


def _ports(plan: ClusterPlan, node: NodePlan) -> list[meta.Object]:
    ports: list[meta.Object] = []
    if node.is_controller:
        ports.append({"containerPort": CONTROLPLANE_PORT, "name": "tcp-ctrlplane", "protocol": "TCP"})
    if node.is_broker:
        ports.append({"containerPort": REPLICATION_PORT, "name": "tcp-replication", "protocol": "TCP"})
        for listener in plan.listeners:
            ports.append({"containerPort": listener.port, "name": f"tcp-{listener.name}", "protocol": "TCP"})
    if plan.kafka.spec.kafka.metrics_config is not None:
        ports.append({"containerPort": METRICS_PORT, "name": "tcp-prometheus", "protocol": "TCP"})
    return ports


def _kafka_container(plan: ClusterPlan, node: NodePlan, *, init: bool) -> meta.Object:
    spec = plan.kafka.spec.kafka
    profile = KubernetesProfile(plan.namespace)
    config_dir = str(profile.config_dir(plan.name, node.pool, node.node_id))
    certs_dir = str(profile.certs_dir(plan.name, node.pool, node.node_id))
    ours: list[meta.Object] = []
    heap = node.jvm.heap_opts()
    if heap:
        ours.append({"name": "KAFKA_HEAP_OPTS", "value": heap})
    ours.append({"name": "KAFKA_JVM_PERFORMANCE_OPTS", "value": " ".join((*G1_DEFAULTS, *node.jvm.options))})
    ours.append({"name": "KRAFTER_RUN_DIR", "value": RUN_DIR})
    ours.append({"name": "KRAFTER_POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}})
    template = node.container_template
    env = _env(template, ours)
    if node.rack is not None and node.rack.source == "environment-variable" and node.rack.env_var_name:
        # Kubernetes expands $(NAME) from variables defined earlier in the list (the template's).
        env.append(ContainerEnvVar(name="KRAFTER_RACK", value=f"$({node.rack.env_var_name})").to_dict())
    mounts = [storage.volume_mount(volume) for volume in node.volumes]
    mounts += [
        {"name": "custom-config", "mountPath": config_dir},
        {"name": "node-certs", "mountPath": certs_dir},
        {"name": "tmp", "mountPath": "/tmp"},
    ]
    if init:
        mounts.append({"name": "node-init", "mountPath": INIT_DIR})
    for mount in custom_authn_secrets(plan, node):
        mounts.append({"name": mount.volume, "mountPath": mount.path, "readOnly": True})
    mounts += meta.fresh((template.volume_mounts if template else None) or [])
    # Probe the internal listener every node of this role serves: 9091 (replication) on
    # anything with the broker role, 9090 on controller-only nodes, which have no 9091. The
    # official image has no health endpoint, and a user listener may need client auth, so a
    # TCP connect is what is available; it proves the process runs and its listener is bound,
    # not that the node has caught up. The roller checks that through the Admin API (ISR,
    # quorum lag) before it moves on, so readiness only gates Service endpoints.
    probe_port = REPLICATION_PORT if node.is_broker else CONTROLPLANE_PORT
    container: meta.Object = {
        "name": KAFKA_CONTAINER,
        "image": plan.image,
        "command": ["sh", f"{config_dir}/{node_files.START_SCRIPT}"],
        "env": env,
        "ports": _ports(plan, node),
    }
    if node.resources is not None:
        container["resources"] = node.resources.to_dict()
    container["volumeMounts"] = mounts
    # Liveness starts only once the node has bound its port: recovering logs after a crash, or
    # a JVM starting on a busy node, can take minutes, and a liveness probe that kills the node
    # meanwhile makes it start over (Strimzi's 15 s initial delay alone does exactly that).
    container["startupProbe"] = {
        "tcpSocket": {"port": probe_port},
        "periodSeconds": STARTUP_PROBE_PERIOD,
        "failureThreshold": STARTUP_PROBE_FAILURES,
        "timeoutSeconds": 5,
    }
    container["readinessProbe"] = _probe(spec.readiness_probe, probe_port, liveness=False)
    container["livenessProbe"] = _probe(spec.liveness_probe, probe_port, liveness=True)
    if template is not None and template.security_context is not None:
        container["securityContext"] = meta.fresh(template.security_context)
    return container


def _init_container(plan: ClusterPlan, node: NodePlan, operator_image: str) -> meta.Object:
    command = ["krafter", "node-init"]
    if node.rack is not None and node.rack.source == "topology-label" and node.rack.topology_key:
        command += ["--rack-label", node.rack.topology_key]
    node_ports = [listener for listener in plan.kafka.spec.kafka.listeners if listener.type is ListenerType.NODEPORT]
    if node_ports:
        command.append("--external-address")
        preferred = next(
            (
                listener.configuration.preferred_node_port_address_type
                for listener in node_ports
                if listener.configuration and listener.configuration.preferred_node_port_address_type
            ),
            None,
        )
        if preferred:
            command += ["--address-type", preferred]
    if plan.metrics is not None:
        command += ["--metrics-libs", OPERATOR_IMAGE_METRICS_LIBS]
    command += ["--output", INIT_DIR]
    template = node.init_container_template
    ours: list[meta.Object] = [{"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}]
    container: meta.Object = {
        "name": INIT_CONTAINER,
        "image": operator_image,
        "command": command,
        "env": _env(template, ours),
        "volumeMounts": [
            {"name": "node-init", "mountPath": INIT_DIR},
            *meta.fresh((template.volume_mounts if template else None) or []),
        ],
    }
    if template is not None and template.security_context is not None:
        container["securityContext"] = meta.fresh(template.security_context)
    return container


def _volumes(plan: ClusterPlan, node: NodePlan, template: PodTemplate, *, init: bool) -> list[meta.Object]:
    node_objects = names.node_config(plan.name, node.pool, node.node_id)
    volumes = [storage.pod_volume(volume) for volume in node.volumes]
    volumes += [
        {"name": "custom-config", "configMap": {"name": node_objects}},
        {"name": "node-certs", "secret": {"secretName": node_objects}},
        # Memory-backed: the start script's resolved server.properties and the JVM's perf data.
        {"name": "tmp", "emptyDir": {"medium": "Memory", "sizeLimit": template.tmp_dir_size_limit}},
    ]
    if init:
        volumes.append({"name": "node-init", "emptyDir": {}})
    for mount in custom_authn_secrets(plan, node):
        items = [{"key": key, "path": key} for key in mount.keys]
        volumes.append({"name": mount.volume, "secret": {"secretName": mount.secret, "items": items}})
    volumes += meta.fresh(template.volumes or [])
    volumes += [meta.substitute_node(v, node.node_id, node.pod_name) for v in template.templated_volumes or []]
    return volumes


def _pod_spec(plan: ClusterPlan, node: NodePlan, operator_image: str) -> meta.Object:
    template = node.pod_template or PodTemplate()
    init = needs_init_container(plan)
    spec: meta.Object = {
        "hostname": node.pod_name,
        "subdomain": names.brokers_service(plan.name),
        "serviceAccountName": names.kafka_component(plan.name),
        # Only the init container talks to the Kubernetes API (to read its node).
        "automountServiceAccountToken": needs_node_access(plan),
    }
    if init:
        spec["initContainers"] = [_init_container(plan, node, operator_image)]
    spec["containers"] = [_kafka_container(plan, node, init=init)]
    spec["volumes"] = _volumes(plan, node, template, init=init)
    # PVCs are root-owned; fsGroup lets the image's appuser write its log dirs.
    security_context: dict[str, Any] = (
        meta.fresh(template.security_context) if template.security_context is not None else {"fsGroup": APP_GROUP_ID}
    )
    spec["securityContext"] = security_context
    spec["terminationGracePeriodSeconds"] = template.termination_grace_period_seconds
    optional: list[tuple[str, Any]] = [
        ("affinity", template.affinity),
        ("tolerations", template.tolerations),
        ("topologySpreadConstraints", template.topology_spread_constraints),
        ("priorityClassName", template.priority_class_name),
        ("schedulerName", template.scheduler_name),
        ("hostAliases", template.host_aliases),
        ("dnsPolicy", template.dns_policy),
        ("dnsConfig", template.dns_config),
        ("enableServiceLinks", template.enable_service_links),
        ("imagePullSecrets", template.image_pull_secrets),
        ("hostUsers", template.host_users),
    ]
    for key, value in optional:
        if value is not None:
            spec[key] = meta.fresh(value)
    return spec


def pod(
    plan: ClusterPlan,
    node: NodePlan,
    *,
    owner: meta.OwnerRef | None,
    generations: security.CaGenerations,
    operator_image: str = DEFAULT_OPERATOR_IMAGE,
    files: Mapping[str, str] | None = None,
) -> meta.Object:
    spec = _pod_spec(plan, node, operator_image)
    template = node.pod_template or PodTemplate()
    annotations = {
        REVISION: meta.content_hash(spec),
        CONFIGURATION_HASH: configuration_hash(files if files is not None else node_files.config_files(plan, node)),
        KAFKA_VERSION: plan.kafka_version,
        CLUSTER_CA_CERT_GENERATION: str(generations.cluster_cert),
        CLUSTER_CA_KEY_GENERATION: str(generations.cluster_key),
        CLIENTS_CA_CERT_GENERATION: str(generations.clients_cert),
    }
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta.metadata(
            node.pod_name,
            namespace=plan.namespace,
            labels=dict(node.labels),
            annotations=annotations,
            template=meta.template_metadata(template.metadata),
            owner=owner,
        ),
        "spec": spec,
    }
