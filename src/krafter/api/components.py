"""Strimzi components Krafter accepts but does not run: Cruise Control, Kafka Exporter, ZooKeeper, JmxTrans.

Krafter moves partitions itself, does not deploy Kafka Exporter yet, runs KRaft only, and JmxTrans
left Strimzi; but users' files carry these sections, so they are typed and documented like the rest
(`kubectl explain` and `krafter explain` go all the way down, typos are refused at apply time) and
validation says what Krafter does with them. They stay open models: unknown fields inside a
section Krafter ignores are not worth a warning.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from krafter.api.base import V1BETA2, OpenModel, Rule, only_in
from krafter.api.common import (
    ContainerTemplate,
    DeploymentTemplate,
    InternalServiceTemplate,
    JmxOptions,
    JvmOptions,
    Logging,
    MetadataTemplate,
    MetricsConfig,
    PodDisruptionBudgetTemplate,
    PodTemplate,
    Probe,
    ResourceRequirements,
    ResourceTemplate,
    SecretKeySelector,
    StrimziMetricsReporter,
)
from krafter.api.storage import Storage

REMOVED = "removed from Strimzi; ignored"
Cpu = Annotated[str, Field(pattern=r"^[0-9]+([.][0-9]{0,3}|[m]?)$")]
Bandwidth = Annotated[str, Field(pattern=r"^[0-9]+([KMG]i?)?B/s$")]


class TlsSidecar(OpenModel):
    """The TLS sidecar of ZooKeeper-era Strimzi (removed; ignored)."""

    image: str | None = None
    """Sidecar image."""
    resources: ResourceRequirements | None = None
    """Sidecar resources."""
    liveness_probe: Probe | None = None
    """Liveness probe."""
    readiness_probe: Probe | None = None
    """Readiness probe."""
    log_level: Literal["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"] | None = None
    """Log level."""


# --- Cruise Control -----------------------------------------------------------------------------


class CruiseControlTemplate(OpenModel):
    """Customisation of Strimzi's Cruise Control objects (unused by Krafter)."""

    deployment: DeploymentTemplate | None = None
    """The Deployment."""
    pod: PodTemplate | None = None
    """The Pod."""
    api_service: InternalServiceTemplate | None = None
    """The REST API Service."""
    pod_disruption_budget: PodDisruptionBudgetTemplate | None = None
    """The PodDisruptionBudget."""
    cruise_control_container: ContainerTemplate | None = None
    """The Cruise Control container."""
    tls_sidecar_container: ContainerTemplate | None = Field(
        default=None, json_schema_extra=only_in(V1BETA2, note=REMOVED)
    )
    """The TLS sidecar container (removed; ignored)."""
    service_account: ResourceTemplate | None = None
    """The ServiceAccount."""


class BrokerCapacityOverride(OpenModel):
    """Capacity of some brokers, overriding the default."""

    brokers: list[int]
    """Node ids the override applies to."""
    cpu: Cpu | None = None
    """CPU capacity in cores or millicores, e.g. `2` or `1500m`."""
    inbound_network: Bandwidth | None = None
    """Inbound network capacity in bytes per second, e.g. `10000KiB/s`."""
    outbound_network: Bandwidth | None = None
    """Outbound network capacity in bytes per second, e.g. `10000KiB/s`."""


class BrokerCapacity(OpenModel):
    """Broker capacity Cruise Control balances against."""

    cpu: Cpu | None = None
    """CPU capacity per broker in cores or millicores."""
    inbound_network: Bandwidth | None = None
    """Inbound network capacity per broker in bytes per second."""
    outbound_network: Bandwidth | None = None
    """Outbound network capacity per broker in bytes per second."""
    overrides: list[BrokerCapacityOverride] | None = None
    """Capacities of particular brokers."""
    disk: Annotated[str, Field(pattern=r"^[0-9]+([.][0-9]*)?([KMGTPE]i?|e[0-9]+)?$")] | None = Field(
        default=None, json_schema_extra=only_in(V1BETA2, note=REMOVED)
    )
    """Disk capacity (removed: read from the storage; ignored)."""
    cpu_utilization: Annotated[int, Field(ge=0, le=100)] | None = Field(
        default=None, json_schema_extra=only_in(V1BETA2, note=REMOVED)
    )
    """CPU utilisation limit in percent (removed; ignored)."""


class SecretSource(OpenModel):
    """Where a value is read from."""

    secret_key_ref: SecretKeySelector | None = None
    """A key of a Secret."""


class HashLoginServiceApiUsers(OpenModel):
    """Extra Cruise Control REST API users from a Secret (Jetty HashLoginService format)."""

    type: Literal["hashLoginService"]
    """API users type."""
    value_from: SecretSource
    """The Secret key holding the users file."""


class AutoRebalanceTemplate(OpenModel):
    """A KafkaRebalance used as template for automatic rebalances."""

    name: str | None = None
    """Name of the KafkaRebalance template."""


class AutoRebalance(OpenModel):
    """Automatic rebalancing when brokers are added or removed."""

    mode: Literal["add-brokers", "remove-brokers"]
    """When to rebalance."""
    template: AutoRebalanceTemplate | None = None
    """The rebalance template to use."""


class CruiseControlSpec(OpenModel):
    """Cruise Control settings. Accepted so Strimzi files load, and ignored: Krafter deploys no
    Cruise Control and nothing here (autoRebalance included) has an effect. Krafter does not move
    partitions on its own yet: brokers added to a pool stay empty until partitions are moved to
    them (`krafter rebalance` on a local cluster, `kafka-reassign-partitions.sh` on Kubernetes), and
    a broker that still hosts partition replicas is not removed: the scale-down is refused with a
    `ScaleDownBlocked` condition, unless the Kafka is annotated
    `strimzi.io/skip-broker-scaledown-check: "true"`."""

    rules = (
        Rule(
            lambda spec: not isinstance(spec.metrics_config, StrimziMetricsReporter),
            "value type not supported: Cruise Control metrics can only use jmxPrometheusExporter",
            field="metricsConfig.type",
            fix="use type: jmxPrometheusExporter with valueFrom, or remove metricsConfig",
            cel="!has(self.metricsConfig) || self.metricsConfig.type != 'strimziMetricsReporter'",
        ),
    )

    image: str | None = None
    """Cruise Control image."""
    tls_sidecar: TlsSidecar | None = Field(default=None, json_schema_extra=only_in(V1BETA2, note=REMOVED))
    """TLS sidecar (removed; ignored)."""
    resources: ResourceRequirements | None = None
    """Container resources."""
    liveness_probe: Probe | None = None
    """Liveness probe."""
    readiness_probe: Probe | None = None
    """Readiness probe."""
    jvm_options: JvmOptions | None = None
    """JVM options."""
    logging: Logging | None = None
    """Logging."""
    template: CruiseControlTemplate | None = None
    """Customisation of generated objects."""
    broker_capacity: BrokerCapacity | None = None
    """Broker capacities."""
    config: dict[str, Any] | None = None
    """Cruise Control configuration."""
    metrics_config: MetricsConfig | None = None
    """Prometheus metrics of Cruise Control (only `jmxPrometheusExporter`)."""
    api_users: HashLoginServiceApiUsers | None = None
    """Extra REST API users."""
    auto_rebalance: Annotated[list[AutoRebalance], Field(min_length=1)] | None = None
    """Automatic rebalancing on scaling."""


# --- Kafka Exporter -----------------------------------------------------------------------------


class KafkaExporterTemplate(OpenModel):
    """Customisation of Strimzi's Kafka Exporter objects (unused by Krafter)."""

    deployment: DeploymentTemplate | None = None
    """The Deployment."""
    pod: PodTemplate | None = None
    """The Pod."""
    service: ResourceTemplate | None = Field(default=None, json_schema_extra=only_in(V1BETA2, note=REMOVED))
    """The Service (removed; ignored)."""
    container: ContainerTemplate | None = None
    """The Kafka Exporter container."""
    service_account: ResourceTemplate | None = None
    """The ServiceAccount."""
    pod_disruption_budget: PodDisruptionBudgetTemplate | None = None
    """The PodDisruptionBudget."""


class KafkaExporterSpec(OpenModel):
    """Consumer-lag metrics with Kafka Exporter's names and labels (`kafka_consumergroup_lag`, ...).

    Krafter serves them itself from the Admin API, so this replaces Strimzi's
    `<cluster>-kafka-exporter` Deployment: on Kubernetes the operator serves them on its
    `/metrics` (labelled with the Kafka's `namespace` and `strimzi_io_cluster`), locally
    `krafter up` starts a small exporter process and prints its address. One offsets pass per
    scrape interval (30 s), not per scrape. The regular expressions and `showAllOffsets`
    apply; `image`, `resources`, `logging`, `enableSaramaLogging`, `template` and the probes
    configure the Deployment Strimzi would run and are ignored."""

    image: str | None = None
    """Kafka Exporter image (ignored: no Deployment is created)."""
    group_regex: str | None = None
    """Consumer groups to export (regular expression, matched anywhere in the name). Default `.*`."""
    topic_regex: str | None = None
    """Topics to export (regular expression, matched anywhere in the name). Default `.*`."""
    group_exclude_regex: str | None = None
    """Consumer groups not to export (regular expression; wins over groupRegex)."""
    topic_exclude_regex: str | None = None
    """Topics not to export (regular expression; wins over topicRegex)."""
    resources: ResourceRequirements | None = None
    """Container resources."""
    logging: str | None = None
    """Log level: `info`, `debug` or `trace`."""
    liveness_probe: Probe | None = None
    """Liveness probe."""
    readiness_probe: Probe | None = None
    """Readiness probe."""
    enable_sarama_logging: bool | None = None
    """Log the Sarama client library."""
    show_all_offsets: bool | None = None
    """Export offsets and lag of groups without members too. Default true."""
    template: KafkaExporterTemplate | None = None
    """Customisation of generated objects."""


# --- ZooKeeper and JmxTrans (v1beta2 only) ----------------------------------------------------------


class StatefulSetTemplate(OpenModel):
    """Customisation of a StatefulSet (removed with StatefulSets; ignored)."""

    metadata: MetadataTemplate | None = None
    """Labels and annotations."""
    pod_management_policy: Literal["OrderedReady", "Parallel"] | None = None
    """Pod management policy."""


class ZookeeperClusterTemplate(OpenModel):
    """Customisation of ZooKeeper's objects (ZooKeeper era; ignored)."""

    statefulset: StatefulSetTemplate | None = None
    """The StatefulSet."""
    pod_set: ResourceTemplate | None = None
    """The StrimziPodSet."""
    pod: PodTemplate | None = None
    """The Pods."""
    client_service: InternalServiceTemplate | None = None
    """The client Service."""
    nodes_service: InternalServiceTemplate | None = None
    """The headless Service."""
    persistent_volume_claim: ResourceTemplate | None = None
    """The PersistentVolumeClaims."""
    pod_disruption_budget: PodDisruptionBudgetTemplate | None = None
    """The PodDisruptionBudget."""
    zookeeper_container: ContainerTemplate | None = None
    """The ZooKeeper container."""
    service_account: ResourceTemplate | None = None
    """The ServiceAccount."""
    jmx_secret: ResourceTemplate | None = None
    """The JMX Secret."""


class ZookeeperClusterSpec(OpenModel):
    """The ZooKeeper cluster of a ZooKeeper-era Kafka. Krafter runs KRaft only: `krafter convert`
    turns its replicas, storage and resources into a controller node pool."""

    replicas: Annotated[int, Field(ge=1)] | None = None
    """ZooKeeper nodes; becomes the controller pool's replicas."""
    image: str | None = None
    """ZooKeeper image (ignored)."""
    storage: Storage | None = None
    """ZooKeeper storage; becomes the controller pool's storage."""
    config: dict[str, Any] | None = None
    """ZooKeeper configuration (ignored)."""
    liveness_probe: Probe | None = None
    """Liveness probe (ignored)."""
    readiness_probe: Probe | None = None
    """Readiness probe (ignored)."""
    jvm_options: JvmOptions | None = None
    """ZooKeeper's JVM options (not carried to controllers, which Krafter sizes from their memory)."""
    jmx_options: JmxOptions | None = None
    """JMX settings (ignored)."""
    resources: ResourceRequirements | None = None
    """ZooKeeper resources; become the controller pool's resources."""
    metrics_config: MetricsConfig | None = None
    """Prometheus metrics (ignored)."""
    logging: Logging | None = None
    """Logging (ignored)."""
    template: ZookeeperClusterTemplate | None = None
    """Customisation of ZooKeeper's objects (ignored)."""


class JmxTransOutputDefinition(OpenModel):
    """Where JmxTrans pushed metrics."""

    output_type: str
    """JmxTrans output writer class."""
    host: str | None = None
    """Remote host."""
    port: int | None = None
    """Remote port."""
    flush_delay_in_seconds: int | None = None
    """Seconds between pushes."""
    type_names: list[str] | None = None
    """Type names to filter."""
    name: str
    """Name of the output definition."""


class JmxTransQuery(OpenModel):
    """An MBean query of JmxTrans."""

    target_m_bean: str = Field(alias="targetMBean")
    """MBean pattern."""
    attributes: list[str]
    """Attributes to read."""
    outputs: list[str]
    """Output definitions to push to."""


class JmxTransTemplate(OpenModel):
    """Customisation of JmxTrans objects (removed; ignored)."""

    deployment: DeploymentTemplate | None = None
    """The Deployment."""
    pod: PodTemplate | None = None
    """The Pod."""
    container: ContainerTemplate | None = None
    """The container."""
    service_account: ResourceTemplate | None = None
    """The ServiceAccount."""


class JmxTransSpec(OpenModel):
    """JmxTrans (removed from Strimzi; ignored)."""

    image: str | None = None
    """Image."""
    output_definitions: list[JmxTransOutputDefinition] | None = None
    """Output definitions."""
    log_level: str | None = None
    """Log level."""
    kafka_queries: list[JmxTransQuery] | None = None
    """Queries."""
    resources: ResourceRequirements | None = None
    """Resources."""
    template: JmxTransTemplate | None = None
    """Customisation of generated objects."""
