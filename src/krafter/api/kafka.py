"""The `Kafka` resource: one Kafka cluster, its listeners, security and shared settings.

In v1 the nodes themselves (replicas, roles, storage, resources) come from KafkaNodePool
resources; v1beta2's `spec.kafka.replicas/storage/resources` and `spec.zookeeper` are still
read so older files parse, and are turned into node pools the way `krafter convert` does.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field

from krafter.api.base import V1BETA2, Default, Model, OpenModel, Rule, only_in
from krafter.api.common import (
    CertificateAuthority,
    Condition,
    ContainerTemplate,
    DeploymentTemplate,
    InternalServiceTemplate,
    JmxOptions,
    JvmOptions,
    Logging,
    MetricsConfig,
    ObjectMeta,
    PodDisruptionBudgetTemplate,
    PodTemplate,
    Probe,
    ResourceRequirements,
    ResourceTemplate,
)
from krafter.api.components import (
    CruiseControlSpec,
    JmxTransSpec,
    KafkaExporterSpec,
    TlsSidecar,
    ZookeeperClusterSpec,
)
from krafter.api.listeners import GenericKafkaListener
from krafter.api.storage import Storage

LEGACY = "v1beta2 only; in v1 this lives on KafkaNodePool"
MAX_LISTENERS = 100
"""A bound Strimzi does not state: the API server prices each CEL rule on a listener by the most
listeners a request could hold, and without a bound the listener rules exceed its budget."""


class SimpleAuthorization(Model):
    """Kafka's built-in ACL authorizer (StandardAuthorizer); KafkaUser ACLs apply."""

    type: Literal["simple"]
    """Authorization type."""
    super_users: list[str] | None = None
    """Principals allowed everything, e.g. `CN=admin` (tls) or `admin` (scram-sha-512)."""


class CustomAuthorization(Model):
    """Your own authorizer class on the Kafka classpath."""

    type: Literal["custom"]
    """Authorization type."""
    authorizer_class: str | None = None
    """Fully qualified class name of the authorizer."""
    super_users: list[str] | None = None
    """Principals allowed everything."""
    supports_admin_api: bool | None = None
    """Whether the authorizer supports Kafka's ACL Admin API (KafkaUser ACLs then apply)."""


class OpaAuthorization(OpenModel):
    """Open Policy Agent authorization (removed from Strimzi; use `custom`)."""

    api_versions: ClassVar[tuple[str, ...]] = (V1BETA2,)
    type: Literal["opa"]
    """Authorization type."""


class KeycloakAuthorization(OpenModel):
    """Keycloak authorization services (deprecated in Strimzi; use `custom`)."""

    api_versions: ClassVar[tuple[str, ...]] = (V1BETA2,)
    type: Literal["keycloak"]
    """Authorization type."""


Authorization = Annotated[
    SimpleAuthorization | CustomAuthorization | OpaAuthorization | KeycloakAuthorization,
    Field(discriminator="type"),
]


class Rack(Model):
    """Rack awareness: replicas of a partition are spread over racks (zones)."""

    rules = (
        Rule(
            lambda rack: rack.type != "topology-label" or bool(rack.topology_key),
            "topologyKey property is required",
            field="topologyKey",
            fix="name the node label holding the zone, e.g. topology.kubernetes.io/zone",
            cel="self.type != 'topology-label' || (has(self.topologyKey) && self.topologyKey != '')",
        ),
        Rule(
            lambda rack: rack.type != "environment-variable" or bool(rack.env_var_name),
            "envVarName property is required",
            field="envVarName",
            fix="name the environment variable holding the rack",
            cel="self.type != 'environment-variable' || (has(self.envVarName) && self.envVarName != '')",
        ),
    )

    type: Literal["topology-label", "environment-variable"] = Default("topology-label")
    """Where the rack id comes from: a label of the Kubernetes node, or an environment variable."""
    topology_key: str | None = None
    """Node label holding the rack, e.g. `topology.kubernetes.io/zone` (`topology-label`)."""
    env_var_name: str | None = None
    """Environment variable holding the rack (`environment-variable`)."""


class RemoteStorageManager(Model):
    """The tiered-storage plugin."""

    class_name: str | None = None
    """Class implementing RemoteStorageManager."""
    class_path: str | None = None
    """Classpath of the plugin."""
    config: dict[str, str] | None = None
    """Plugin settings (prefix `rsm.config.` is added)."""


class TieredStorage(Model):
    """Kafka tiered storage (KIP-405)."""

    type: Literal["custom"]
    """Tiered storage type."""
    remote_storage_manager: RemoteStorageManager | None = None
    """The remote storage plugin."""


class KafkaQuotas(Model):
    """Kafka's built-in client quotas, applied as defaults to every user."""

    type: Literal["kafka"]
    """Quota plugin type."""
    producer_byte_rate: Annotated[int, Field(ge=0)] | None = None
    """Default produce bytes per second per client."""
    consumer_byte_rate: Annotated[int, Field(ge=0)] | None = None
    """Default fetch bytes per second per client."""
    request_percentage: Annotated[int, Field(ge=0)] | None = None
    """Default share of request-handler time per client, in percent."""
    controller_mutation_rate: Annotated[float, Field(ge=0)] | None = None
    """Default topic/partition mutations per second per client."""


class StrimziQuotas(Model):
    """Strimzi's quota plugin, which can also stop producers when disks fill."""

    type: Literal["strimzi"]
    """Quota plugin type."""
    producer_byte_rate: Annotated[int, Field(ge=0)] | None = None
    """Produce bytes per second shared by all clients on a broker."""
    consumer_byte_rate: Annotated[int, Field(ge=0)] | None = None
    """Fetch bytes per second shared by all clients on a broker."""
    min_available_bytes_per_volume: Annotated[int, Field(ge=0)] | None = None
    """Block producers when a volume has less free space than this."""
    min_available_ratio_per_volume: Annotated[float, Field(ge=0, le=1)] | None = None
    """Block producers when a volume's free ratio drops below this."""
    excluded_principals: list[str] | None = None
    """Principals the limits do not apply to."""


Quotas = Annotated[KafkaQuotas | StrimziQuotas, Field(discriminator="type")]


class KafkaClusterTemplate(Model):
    """Customisation of every object generated for the Kafka nodes."""

    pod: PodTemplate | None = None
    """Kafka Pods (node pools may override per property)."""
    bootstrap_service: InternalServiceTemplate | None = None
    """The `<cluster>-kafka-bootstrap` Service."""
    brokers_service: InternalServiceTemplate | None = None
    """The headless `<cluster>-kafka-brokers` Service."""
    external_bootstrap_service: ResourceTemplate | None = None
    """Bootstrap Services of external listeners."""
    per_pod_service: ResourceTemplate | None = None
    """Per-broker Services of external listeners."""
    external_bootstrap_route: ResourceTemplate | None = None
    """Bootstrap Routes."""
    per_pod_route: ResourceTemplate | None = None
    """Per-broker Routes."""
    external_bootstrap_ingress: ResourceTemplate | None = None
    """Bootstrap Ingresses."""
    per_pod_ingress: ResourceTemplate | None = None
    """Per-broker Ingresses."""
    persistent_volume_claim: ResourceTemplate | None = None
    """PersistentVolumeClaims."""
    pod_disruption_budget: PodDisruptionBudgetTemplate | None = None
    """The PodDisruptionBudget of the Kafka Pods."""
    kafka_container: ContainerTemplate | None = None
    """The Kafka container."""
    init_container: ContainerTemplate | None = None
    """The rack-awareness init container."""
    cluster_ca_cert: ResourceTemplate | None = None
    """The `<cluster>-cluster-ca-cert` Secret."""
    service_account: ResourceTemplate | None = None
    """The Kafka ServiceAccount."""
    jmx_secret: ResourceTemplate | None = None
    """The JMX credentials Secret."""
    cluster_role_binding: ResourceTemplate | None = None
    """The rack-awareness ClusterRoleBinding."""
    pod_set: ResourceTemplate | None = None
    """Strimzi's StrimziPodSet (Krafter manages Pods directly; metadata is applied to the Pods' owner)."""
    statefulset: dict[str, Any] | None = Field(
        default=None, json_schema_extra=only_in(V1BETA2, note="StatefulSets are not used; ignored")
    )
    """StatefulSet template (removed with StatefulSets; ignored)."""


class KafkaClusterSpec(Model):
    """Settings shared by all Kafka nodes of the cluster."""

    version: str | None = None
    """Kafka version, e.g. `4.4.0`; unset means Krafter's default. See `krafter explain versions`."""
    metadata_version: str | None = None
    """KRaft metadata version, e.g. `4.4-IV0`; unset means the default of `version`. Raise it after
    an upgrade once you will not go back."""
    image: str | None = None
    """Container image; unset means the official `apache/kafka:<version>` image."""
    listeners: Annotated[list[GenericKafkaListener], Field(min_length=1, max_length=MAX_LISTENERS)]
    """How clients connect. At least one listener, at most 100."""
    config: dict[str, Any] | None = None
    """Kafka broker configuration (`server.properties` keys). Keys Krafter manages (listeners,
    security, node ids, paths) are rejected with an explanation."""
    authorization: Authorization | None = None
    """Authorization; unset means every authenticated client may do everything."""
    rack: Rack | None = None
    """Rack awareness."""
    broker_rack_init_image: str | None = None
    """Image of the init container that reads the node's rack label."""
    liveness_probe: Probe | None = None
    """Liveness probe of the Kafka container."""
    readiness_probe: Probe | None = None
    """Readiness probe of the Kafka container."""
    jvm_options: JvmOptions | None = None
    """JVM options of every node (node pools may override)."""
    jmx_options: JmxOptions | None = None
    """JMX settings."""
    metrics_config: MetricsConfig | None = None
    """Prometheus metrics."""
    logging: Logging | None = None
    """Log levels or a complete log4j2 configuration."""
    template: KafkaClusterTemplate | None = None
    """Customisation of generated objects."""
    tiered_storage: TieredStorage | None = None
    """Tiered storage."""
    quotas: Quotas | None = None
    """Cluster-wide quota plugin."""
    replicas: Annotated[int, Field(ge=1)] | None = Field(default=None, json_schema_extra=only_in(V1BETA2, note=LEGACY))
    """Number of Kafka nodes (v1beta2 without node pools; `krafter convert` moves it to a KafkaNodePool)."""
    storage: Storage | None = Field(default=None, json_schema_extra=only_in(V1BETA2, note=LEGACY))
    """Storage of the Kafka nodes (v1beta2 without node pools; moved to a KafkaNodePool by `krafter convert`)."""
    resources: ResourceRequirements | None = Field(default=None, json_schema_extra=only_in(V1BETA2, note=LEGACY))
    """Resources of the Kafka nodes (v1beta2 without node pools; moved to a KafkaNodePool by `krafter convert`)."""


class OperatorComponentSpec(Model):
    """Settings of the topic or user operator."""

    watched_namespace: str | None = None
    """Namespace whose KafkaTopics/KafkaUsers are reconciled (default: the Kafka's namespace)."""
    image: str | None = None
    """Image (unused by Krafter, which runs both inside the operator process)."""
    reconciliation_interval_ms: Annotated[int, Field(ge=0)] | None = None
    """Full resynchronisation period in milliseconds (default 120000)."""
    startup_probe: Probe | None = None
    """Startup probe (unused by Krafter)."""
    liveness_probe: Probe | None = None
    """Liveness probe (unused by Krafter)."""
    readiness_probe: Probe | None = None
    """Readiness probe (unused by Krafter)."""
    resources: ResourceRequirements | None = None
    """Container resources (unused by Krafter)."""
    logging: Logging | None = None
    """Logging (unused by Krafter)."""
    jvm_options: JvmOptions | None = None
    """JVM options (unused by Krafter)."""
    reconciliation_interval_seconds: Annotated[int, Field(ge=0)] | None = Field(
        default=None, json_schema_extra=only_in(V1BETA2, note="use reconciliationIntervalMs")
    )
    """Resynchronisation period in seconds (deprecated; use reconciliationIntervalMs)."""
    zookeeper_session_timeout_seconds: Annotated[int, Field(ge=0)] | None = Field(
        default=None, json_schema_extra=only_in(V1BETA2, note="ZooKeeper is not supported; ignored")
    )
    """ZooKeeper session timeout (ZooKeeper era; ignored)."""


class TopicOperatorSpec(OperatorComponentSpec):
    """Reconciles KafkaTopic resources into Kafka topics."""

    topic_metadata_max_attempts: Annotated[int, Field(ge=0)] | None = Field(
        default=None, json_schema_extra=only_in(V1BETA2, note="ignored")
    )
    """Attempts at reading topic metadata (ZooKeeper era; ignored)."""


class UserOperatorSpec(OperatorComponentSpec):
    """Reconciles KafkaUser resources into credentials, ACLs and quotas."""

    secret_prefix: str | None = None
    """Prefix of generated user Secret names (default none: the Secret is named like the user)."""


class EntityOperatorTemplate(OpenModel):
    """Customisation of Strimzi's entity-operator Deployment (Krafter runs these in-process)."""

    deployment: DeploymentTemplate | None = None
    """The Deployment."""
    pod: PodTemplate | None = None
    """The Pod."""
    topic_operator_container: ContainerTemplate | None = None
    """The Topic Operator container. Krafter reads one setting from its `env`:
    `STRIMZI_USE_FINALIZERS=false` stops adding the `strimzi.io/topic-operator` finalizer."""
    user_operator_container: ContainerTemplate | None = None
    """The User Operator container (unused by Krafter)."""
    tls_sidecar_container: ContainerTemplate | None = Field(
        default=None, json_schema_extra=only_in(V1BETA2, note="removed from Strimzi; ignored")
    )
    """The TLS sidecar container (removed; ignored)."""
    service_account: ResourceTemplate | None = None
    """The ServiceAccount (unused by Krafter)."""
    pod_disruption_budget: PodDisruptionBudgetTemplate | None = None
    """The PodDisruptionBudget (unused by Krafter)."""
    entity_operator_role: ResourceTemplate | None = None
    """The Role (unused by Krafter)."""
    topic_operator_role_binding: ResourceTemplate | None = None
    """The Topic Operator's RoleBinding (unused by Krafter)."""
    user_operator_role_binding: ResourceTemplate | None = None
    """The User Operator's RoleBinding (unused by Krafter)."""


def topic_finalizers_enabled(entity_operator: EntityOperatorSpec | None) -> bool:
    """Strimzi's `STRIMZI_USE_FINALIZERS`, read where Strimzi users set it (default true)."""
    template = entity_operator.template if entity_operator else None
    container = template.topic_operator_container if template else None
    for variable in (container.env if container else None) or []:
        if variable.name == "STRIMZI_USE_FINALIZERS" and variable.value is not None:
            return variable.value.strip().lower() != "false"
    return True


class EntityOperatorSpec(Model):
    """Topic and user management for this cluster."""

    topic_operator: TopicOperatorSpec | None = None
    """Enable KafkaTopic reconciliation (`{}` enables it with defaults)."""
    user_operator: UserOperatorSpec | None = None
    """Enable KafkaUser reconciliation (`{}` enables it with defaults)."""
    template: EntityOperatorTemplate | None = None
    """Customisation of Strimzi's entity-operator objects (unused by Krafter)."""
    tls_sidecar: TlsSidecar | None = Field(default=None, json_schema_extra=only_in(V1BETA2, note="removed; ignored"))
    """TLS sidecar (removed from Strimzi; ignored)."""


class KafkaSpec(Model):
    """The desired state of a Kafka cluster."""

    kafka: KafkaClusterSpec
    """The Kafka nodes' shared settings: version, listeners, configuration, security."""
    entity_operator: EntityOperatorSpec | None = None
    """Topic and user management; Krafter runs it inside the operator process."""
    cluster_ca: CertificateAuthority | None = None
    """The cluster CA, which signs node certificates."""
    clients_ca: CertificateAuthority | None = None
    """The clients CA, which signs KafkaUser certificates."""
    cruise_control: CruiseControlSpec | None = None
    """Cruise Control: accepted and ignored (not deployed, no automatic rebalancing, autoRebalance has
    no effect). A scale-down that would remove brokers hosting partition replicas is refused
    (unless annotated `strimzi.io/skip-broker-scaledown-check: "true"`)."""
    kafka_exporter: KafkaExporterSpec | None = None
    """Consumer-lag metrics with Kafka Exporter's names and labels (kafka_consumergroup_lag, ...),
    served by Krafter itself: this replaces Strimzi's `<cluster>-kafka-exporter` Deployment. On
    Kubernetes the operator serves them on its /metrics (labelled with the Kafka's namespace and
    strimzi_io_cluster; the chart's ServiceMonitor scrapes it), locally `krafter up` starts a small
    exporter process and prints its address. One offsets pass per 30 s, however often it is
    scraped. groupRegex, topicRegex, groupExcludeRegex, topicExcludeRegex and showAllOffsets
    apply; image, resources, logging, enableSaramaLogging, template and the probes are ignored."""
    maintenance_time_windows: list[str] | None = None
    """Cron expressions (Quartz syntax, UTC) of windows in which certificate renewals may roll
    the cluster, e.g. `* * 0-1 ? * SUN,SAT`. Unset: any time."""
    zookeeper: ZookeeperClusterSpec | None = Field(
        default=None,
        json_schema_extra=only_in(V1BETA2, note="ZooKeeper is not supported; run krafter convert"),
    )
    """ZooKeeper cluster (ZooKeeper era). Krafter runs KRaft only: `krafter convert` turns it into a
    controller node pool."""
    jmx_trans: JmxTransSpec | None = Field(
        default=None, json_schema_extra=only_in(V1BETA2, note="removed from Strimzi; ignored")
    )
    """JmxTrans (removed from Strimzi; ignored)."""


class ListenerAddress(Model):
    """One reachable address of a listener."""

    host: str | None = None
    """Host name or IP."""
    port: int | None = None
    """Port."""


class ListenerStatus(Model):
    """How clients reach one listener."""

    name: str | None = None
    """Listener name."""
    addresses: list[ListenerAddress] | None = None
    """Bootstrap addresses."""
    bootstrap_servers: str | None = None
    """`host:port` list for the client's `bootstrap.servers`."""
    certificates: list[str] | None = None
    """CA certificates (PEM) clients need to trust on TLS listeners."""
    type: str | None = Field(default=None, json_schema_extra=only_in(V1BETA2))
    """Listener type (v1beta2 only)."""


class UsedNodePoolStatus(Model):
    """A node pool that belongs to the cluster."""

    name: str | None = None
    """Name of the KafkaNodePool."""


class KafkaStatus(Model):
    """The observed state of a Kafka cluster."""

    conditions: list[Condition] | None = None
    """`Ready`, `NotReady` (with the field and fix), `Warning`s, `ReconciliationPaused`."""
    observed_generation: int | None = None
    """The spec generation last reconciled."""
    listeners: list[ListenerStatus] | None = None
    """Client addresses per listener."""
    kafka_node_pools: list[UsedNodePoolStatus] | None = None
    """Node pools in use."""
    cluster_id: str | None = None
    """Kafka cluster id."""
    operator_last_successful_version: str | None = None
    """Krafter version of the last successful reconcile."""
    kafka_version: str | None = None
    """Kafka version the nodes run."""
    kafka_metadata_version: str | None = None
    """KRaft metadata version in effect."""
    auto_rebalance: dict[str, Any] | None = None
    """Cruise Control auto-rebalance state (unused by Krafter)."""
    cluster_security: dict[str, Any] | None = None
    """Security summary (Strimzi early access; unused by Krafter)."""
    kafka_metadata_state: str | None = Field(default=None, json_schema_extra=only_in(V1BETA2))
    """ZooKeeper/KRaft migration state (v1beta2 only; always KRaft with Krafter)."""
    registered_node_ids: list[int] | None = Field(default=None, json_schema_extra=only_in(V1BETA2))
    """Registered node ids (v1beta2 only)."""


class Kafka(Model):
    """A Kafka cluster (`kafka.strimzi.io`, kind Kafka)."""

    api_version: str = Field(alias="apiVersion")
    """`kafka.strimzi.io/v1` (or the older `kafka.strimzi.io/v1beta2`)."""
    kind: Literal["Kafka"]
    """Always `Kafka`."""
    metadata: ObjectMeta
    """Name, namespace, labels and annotations."""
    spec: KafkaSpec
    """The desired cluster."""
    status: KafkaStatus | None = None
    """The observed cluster, written by the operator."""
