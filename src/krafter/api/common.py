"""Building blocks shared by several Strimzi kinds: probes, JVM options, logging, metrics, templates.

Strimzi repeats these shapes across Kafka, node pools and the entity operator; defining
each once keeps their documentation and defaults identical wherever they appear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from krafter.api.base import Default, Model, OpenModel, Rule
from krafter.api.kubetypes import ADDITIONAL_VOLUME_SOURCES, KubeType

QUANTITY_PATTERN = r"^([0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
"""Strimzi's loose pattern for emptyDir size limits."""
KUBERNETES_QUANTITY_PATTERN = (
    r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$"
)
"""Kubernetes' resource.Quantity syntax (as in Strimzi's CRDs): `memory: 5GiFooBar` never reaches a Pod."""
_QUANTITY = re.compile(KUBERNETES_QUANTITY_PATTERN)


@dataclass(frozen=True)
class SchemaPattern:
    """A `pattern` for the CRD schema of a value pydantic checks with its own validator."""

    pattern: str


def is_quantity(value: str) -> bool:
    return _QUANTITY.match(value) is not None


def _quantity(value: int | str) -> int | str:
    if isinstance(value, str) and not _QUANTITY.match(value):
        raise PydanticCustomError("quantity", "{value!r} is not a Kubernetes quantity", {"value": value})
    return value


Quantity = Annotated[int | str, AfterValidator(_quantity), SchemaPattern(KUBERNETES_QUANTITY_PATTERN)]
"""A CPU or memory amount: an integer, or a string such as `500m` or `4Gi`."""
HEAP_PATTERN = r"^[0-9]+[mMgG]?$"


_CORE = "io.k8s.api.core.v1."
KubeObject = dict[str, Any]
"""A Kubernetes object passed to Kubernetes verbatim; its CRD schema comes from `KubeType`."""
Affinity = Annotated[KubeObject, KubeType(_CORE + "Affinity")]
Toleration = Annotated[KubeObject, KubeType(_CORE + "Toleration")]
PodSecurityContext = Annotated[KubeObject, KubeType(_CORE + "PodSecurityContext")]
SecurityContext = Annotated[KubeObject, KubeType(_CORE + "SecurityContext")]
TopologySpreadConstraint = Annotated[KubeObject, KubeType(_CORE + "TopologySpreadConstraint")]
HostAlias = Annotated[KubeObject, KubeType(_CORE + "HostAlias")]
PodDNSConfig = Annotated[KubeObject, KubeType(_CORE + "PodDNSConfig")]
LocalObjectReference = Annotated[KubeObject, KubeType(_CORE + "LocalObjectReference")]
VolumeMount = Annotated[KubeObject, KubeType(_CORE + "VolumeMount")]
AdditionalVolume = Annotated[KubeObject, KubeType(_CORE + "Volume", only=ADDITIONAL_VOLUME_SOURCES)]
NetworkPolicyPeer = Annotated[KubeObject, KubeType("io.k8s.api.networking.v1.NetworkPolicyPeer")]
LabelSelector = Annotated[KubeObject, KubeType("io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector")]


class ObjectMeta(OpenModel):
    """Kubernetes object metadata; Krafter reads the name, namespace, labels and annotations."""

    name: str | None = None
    """Name of the resource, unique within its namespace."""
    namespace: str | None = None
    """Namespace of the resource."""
    labels: dict[str, str] | None = None
    """Labels; `strimzi.io/cluster` binds node pools, topics and users to their Kafka cluster."""
    annotations: dict[str, str] | None = None
    """Annotations, e.g. `strimzi.io/pause-reconciliation: "true"` or `strimzi.io/next-node-ids`."""
    generation: int | None = None
    """Spec generation, set by the API server; status.observedGeneration echoes it."""
    uid: str | None = None
    """Unique id set by the API server; used in owner references."""
    resource_version: str | None = None
    """Opaque version set by the API server."""
    creation_timestamp: str | None = None
    """Creation time set by the API server; the older of two conflicting KafkaTopics wins."""
    deletion_timestamp: str | None = None
    """Set by the API server when deletion was requested and finalizers still hold the resource."""
    finalizers: list[str] | None = None
    """Finalizers blocking deletion until the operator has cleaned up."""


class Condition(Model):
    """One status condition, as on every Strimzi resource."""

    type: str | None = None
    """Condition type: `Ready`, `NotReady`, `Warning`, `ReconciliationPaused`, ..."""
    status: str | None = None
    """`True`, `False` or `Unknown`."""
    last_transition_time: str | None = None
    """When the condition last changed, RFC 3339."""
    reason: str | None = None
    """One CamelCase word for machines, e.g. `InvalidResource`."""
    message: str | None = None
    """What happened and, for errors, which field to change and how."""


class MetadataTemplate(Model):
    """Extra labels and annotations for a generated object."""

    labels: dict[str, str] | None = None
    """Labels added to the generated object."""
    annotations: dict[str, str] | None = None
    """Annotations added to the generated object."""


class ResourceTemplate(Model):
    """Customises the metadata of one generated object."""

    metadata: MetadataTemplate | None = None
    """Labels and annotations added to the generated object."""


class Probe(Model):
    """Timing of a liveness or readiness probe."""

    initial_delay_seconds: Annotated[int, Field(ge=0)] = Default(15)
    """Seconds after the container starts before the first probe."""
    timeout_seconds: Annotated[int, Field(ge=1)] = Default(5)
    """Seconds after which one probe attempt times out."""
    period_seconds: Annotated[int, Field(ge=1)] | None = None
    """Seconds between probe attempts (Kubernetes default 10)."""
    success_threshold: Annotated[int, Field(ge=1)] | None = None
    """Consecutive successes needed after a failure (Kubernetes default 1)."""
    failure_threshold: Annotated[int, Field(ge=1)] | None = None
    """Consecutive failures before the probe counts as failed (Kubernetes default 3)."""


class SystemProperty(Model):
    """One `-Dname=value` Java system property."""

    name: str | None = None
    """Property name."""
    value: str | None = None
    """Property value."""


class JvmOptions(Model):
    """JVM settings of the Kafka process."""

    xx: dict[str, str] | None = Field(default=None, alias="-XX")
    """`-XX` options as a map, e.g. `{"UseG1GC": "true"}` becomes `-XX:+UseG1GC`."""
    xmx: Annotated[str, Field(pattern=HEAP_PATTERN)] | None = Field(default=None, alias="-Xmx")
    """Maximum heap, e.g. `2g`. Unset: Krafter derives it from the memory limit (half, at most 6g)."""
    xms: Annotated[str, Field(pattern=HEAP_PATTERN)] | None = Field(default=None, alias="-Xms")
    """Initial heap, e.g. `2g`. Setting it equal to -Xmx avoids heap resizing pauses."""
    gc_logging_enabled: bool = Default(False)
    """Log garbage-collection activity."""
    java_system_properties: list[SystemProperty] | None = None
    """Extra `-D` system properties."""


class JmxAuthentication(Model):
    """Password protection of the JMX port."""

    type: Literal["password"]
    """Authentication type."""


class JmxOptions(Model):
    """Expose JMX on port 9999."""

    authentication: JmxAuthentication | None = None
    """Require a username and password (generated into `<cluster>-kafka-jmx`)."""


class ResourceClaim(Model):
    """A dynamic resource claim made available to the container."""

    name: str | None = None
    """Name of the claim in pod.spec.resourceClaims."""
    request: str | None = None
    """Name of the request within the claim."""


class ResourceRequirements(Model):
    """CPU and memory requests and limits of a container (Kubernetes ResourceRequirements)."""

    claims: list[ResourceClaim] | None = None
    """Dynamic resource claims used by the container."""
    limits: dict[str, Quantity] | None = None
    """Upper bounds, e.g. `{cpu: "2", memory: 4Gi}`; the JVM heap is sized from the memory limit."""
    requests: dict[str, Quantity] | None = None
    """Guaranteed resources used for scheduling, e.g. `{cpu: "1", memory: 4Gi}`."""


class ConfigMapKeySelector(Model):
    """A key of a ConfigMap in the resource's namespace."""

    key: str | None = None
    """Key within the ConfigMap."""
    name: str | None = None
    """Name of the ConfigMap."""
    optional: bool | None = None
    """Whether a missing ConfigMap or key is tolerated."""


class SecretKeySelector(Model):
    """A key of a Secret in the resource's namespace."""

    key: str | None = None
    """Key within the Secret."""
    name: str | None = None
    """Name of the Secret."""
    optional: bool | None = None
    """Whether a missing Secret or key is tolerated."""


class ExternalConfigurationReference(Model):
    """Where to read a configuration document from."""

    config_map_key_ref: ConfigMapKeySelector | None = None
    """The ConfigMap key holding the document."""


class InlineLogging(Model):
    """Log levels given directly in the resource."""

    type: Literal["inline"]
    """Logging configured inline."""
    loggers: dict[str, str] | None = None
    """Logger name to level, e.g. `{rootLogger.level: INFO, logger.kafka.level: WARN}`."""


class ExternalLogging(Model):
    """A complete log4j2 configuration read from a ConfigMap."""

    type: Literal["external"]
    """Logging configured from a ConfigMap."""
    value_from: ExternalConfigurationReference | None = None
    """The ConfigMap key holding the log4j2 properties."""


Logging = Annotated[InlineLogging | ExternalLogging, Field(discriminator="type")]


def _has_config_map_key(value_from: ExternalConfigurationReference | None) -> bool:
    selector = value_from.config_map_key_ref if value_from is not None else None
    return selector is not None and bool(selector.name) and bool(selector.key)


class JmxPrometheusExporterMetrics(Model):
    """Prometheus metrics through the JMX exporter Java agent (rules from a ConfigMap)."""

    rules = (
        Rule(
            lambda metrics: metrics.value_from is not None,
            "valueFrom property is required",
            fix="point valueFrom.configMapKeyRef at the ConfigMap key holding the exporter's rules "
            "(Krafter does not invent rules for you)",
            cel="self.type != 'jmxPrometheusExporter' || has(self.valueFrom)",
        ),
        Rule(
            lambda metrics: metrics.value_from is None or _has_config_map_key(metrics.value_from),
            "needs a configMapKeyRef with a name and a key",
            field="valueFrom.configMapKeyRef",
            fix="name the ConfigMap and the key holding the exporter's YAML rules",
        ),
    )

    type: Literal["jmxPrometheusExporter"]
    """JMX Prometheus exporter."""
    value_from: ExternalConfigurationReference | None = None
    """The ConfigMap key holding the exporter's YAML rules."""


class MetricsReporterValues(Model):
    """Which metrics the Strimzi metrics reporter exposes."""

    allow_list: list[str] | None = None
    """Regular expressions of metric names to expose (default: all)."""


class StrimziMetricsReporter(Model):
    """Prometheus metrics through Strimzi's Kafka metrics reporter plugin."""

    type: Literal["strimziMetricsReporter"]
    """Strimzi metrics reporter."""
    values: MetricsReporterValues | None = None
    """Reporter settings."""


MetricsConfig = Annotated[JmxPrometheusExporterMetrics | StrimziMetricsReporter, Field(discriminator="type")]


class ContainerEnvVarSource(Model):
    """Where an environment variable's value comes from."""

    secret_key_ref: SecretKeySelector | None = None
    """A key of a Secret."""
    config_map_key_ref: ConfigMapKeySelector | None = None
    """A key of a ConfigMap."""


class ContainerEnvVar(Model):
    """An environment variable for a container."""

    name: str | None = None
    """Variable name."""
    value: str | None = None
    """Literal value."""
    value_from: ContainerEnvVarSource | None = None
    """Take the value from a Secret or ConfigMap."""


class ContainerTemplate(Model):
    """Customises a generated container."""

    env: list[ContainerEnvVar] | None = None
    """Extra environment variables."""
    security_context: SecurityContext | None = None
    """Container securityContext (Kubernetes SecurityContext), e.g. to drop capabilities."""
    volume_mounts: list[VolumeMount] | None = None
    """Extra volume mounts (Kubernetes VolumeMount) for volumes added in the pod template."""


class PodTemplate(Model):
    """Customises the generated Pods: scheduling, security and metadata."""

    metadata: MetadataTemplate | None = None
    """Labels and annotations added to every Pod."""
    image_pull_secrets: list[LocalObjectReference] | None = None
    """Secrets used to pull the container image (Kubernetes LocalObjectReference list)."""
    security_context: PodSecurityContext | None = None
    """Pod securityContext (Kubernetes PodSecurityContext), e.g. fsGroup or runAsUser."""
    termination_grace_period_seconds: Annotated[int, Field(ge=0)] = Default(30)
    """Seconds Kafka gets to shut down cleanly before it is killed; raise it for large brokers."""
    affinity: Affinity | None = None
    """Pod affinity rules (Kubernetes Affinity); spread brokers across nodes and zones."""
    tolerations: list[Toleration] | None = None
    """Tolerations (Kubernetes Toleration list), e.g. to run on dedicated Kafka nodes."""
    topology_spread_constraints: list[TopologySpreadConstraint] | None = None
    """Topology spread constraints (Kubernetes TopologySpreadConstraint list)."""
    priority_class_name: str | None = None
    """PriorityClass of the Pods."""
    scheduler_name: str | None = None
    """Scheduler that places the Pods (default: the default scheduler)."""
    host_aliases: list[HostAlias] | None = None
    """Extra /etc/hosts entries (Kubernetes HostAlias list)."""
    dns_policy: Literal["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"] | None = None
    """DNS policy of the Pods."""
    dns_config: PodDNSConfig | None = None
    """DNS settings (Kubernetes PodDNSConfig)."""
    enable_service_links: bool | None = None
    """Inject Service environment variables into the Pods."""
    tmp_dir_size_limit: Annotated[str, Field(pattern=QUANTITY_PATTERN)] = Default("5Mi")
    """Size limit of the /tmp emptyDir volume."""
    volumes: list[AdditionalVolume] | None = None
    """Extra volumes (Secret, ConfigMap, emptyDir, PVC, CSI, image) to mount via the container template."""
    templated_volumes: list[AdditionalVolume] | None = None
    """Extra per-node volumes whose names may use `{nodeId}` and `{nodePodName}` placeholders."""
    host_users: bool | None = None
    """Run in the host's user namespace (false enables user namespaces)."""


class InternalServiceTemplate(Model):
    """Customises an internal Service."""

    metadata: MetadataTemplate | None = None
    """Labels and annotations added to the Service."""
    ip_family_policy: Literal["SingleStack", "PreferDualStack", "RequireDualStack"] | None = None
    """IP family policy of the Service."""
    ip_families: list[Literal["IPv4", "IPv6"]] | None = None
    """IP families of the Service."""


class PodDisruptionBudgetTemplate(Model):
    """Customises the PodDisruptionBudget."""

    metadata: MetadataTemplate | None = None
    """Labels and annotations added to the PodDisruptionBudget."""
    max_unavailable: Annotated[int, Field(ge=0)] = Default(1)
    """Pods that voluntary disruptions (node drains) may take down at once."""


class DeploymentTemplate(Model):
    """Customises a generated Deployment."""

    metadata: MetadataTemplate | None = None
    """Labels and annotations added to the Deployment."""
    deployment_strategy: Literal["RollingUpdate", "Recreate"] | None = None
    """How the Deployment replaces its Pod."""


class CertificateAuthority(Model):
    """How a certificate authority is created and renewed."""

    generate_certificate_authority: bool = Default(True)
    """Let the operator generate the CA. Set false to supply your own CA Secrets."""
    generate_secret_owner_reference: bool = Default(True)
    """Make the Kafka resource own the CA Secrets, so deleting the cluster deletes them."""
    validity_days: Annotated[int, Field(ge=1)] = Default(365)
    """Days a generated CA certificate is valid."""
    renewal_days: Annotated[int, Field(ge=1)] = Default(30)
    """Days before expiry when renewal starts (inside maintenance windows, if any)."""
    certificate_expiration_policy: Literal["renew-certificate", "replace-key"] = Default("renew-certificate")
    """On expiry: renew the certificate with the same key, or replace the key as well."""
