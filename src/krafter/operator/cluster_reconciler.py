"""One idempotent reconcile of one Kafka cluster: read everything, plan, apply the difference, report.

Level-based: every pass starts from the resources and what exists (never from the event
that triggered it), so a missed event, a restart or a hand-deleted object all converge the
same way. Order follows Stackable's rule: dereference -> validate -> build -> apply. Nothing
is applied for an invalid spec; a pass that finds nothing to change writes nothing, not even
status.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lightkube import Client
from lightkube.core.exceptions import ApiError
from lightkube.resources.core_v1 import ConfigMap

from krafter.api import cluster as assembly
from krafter.api import parse
from krafter.api.components import KafkaExporterSpec
from krafter.api.errors import Finding, InvalidResource, Severity, errors
from krafter.api.kafka import Kafka
from krafter.api.nodepool import KafkaNodePool
from krafter.kafka import runtime
from krafter.kafka.admin_types import ConnectionSettings
from krafter.operator import metrics
from krafter.operator.connections import KafkaConnections
from krafter.operator.pod_roller import WARN_AFTER_SECONDS, PodRoller, RollOutcome, pod_ready, pod_views
from krafter.plan import labels, names, node_files, references
from krafter.plan import listeners as listener_plan
from krafter.plan.lint import lint_cluster
from krafter.plan.model import ClusterPlan
from krafter.plan.planner import PlanInput, plan_cluster
from krafter.plan.profile import Endpoint, KubernetesProfile
from krafter.platform.kubernetes import apply, material, objects, observe, scale_down
from krafter.platform.kubernetes import status as status_writer
from krafter.render.cluster import render_cluster
from krafter.render.meta import OwnerRef
from krafter.render.security import SecretMaterial
from krafter.roll.pods import FORCE_AFTER_SECONDS, Action, RollStep
from krafter.scale import guard
from krafter.status import conditions, kafka_status

log = logging.getLogger("krafter.operator")
PAUSE = "strimzi.io/pause-reconciliation"


@dataclass
class Event:
    type: str  # Normal | Warning
    reason: str
    message: str


@dataclass
class ReconcileResult:
    cluster: str
    namespace: str
    ready: bool = False
    writes: int = 0
    events: list[Event] = field(default_factory=list)
    status_written: bool = False
    outcome: str = "reconciled"
    kafka_exporter: KafkaExporterSpec | None = None
    """The Kafka's spec.kafkaExporter: the operator serves its consumer-lag metrics."""


def _is_true(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"


def _get(client: Client, resource: Any, name: str, namespace: str) -> dict[str, Any] | None:
    try:
        return objects.to_dict(client.get(resource, name, namespace=namespace))
    except ApiError as exc:
        if exc.status.code == 404:
            return None
        raise


def _ignored_watched_namespaces(kafka: Kafka, namespace: str) -> list[Finding]:
    operators = kafka.spec.entity_operator
    found = []
    for field_name, part in (
        ("topicOperator", operators.topic_operator if operators else None),
        ("userOperator", operators.user_operator if operators else None),
    ):
        watched = part.watched_namespace if part else None
        if watched and watched != namespace:
            found.append(
                Finding(
                    f"spec.entityOperator.{field_name}.watchedNamespace",
                    f"names namespace {watched!r}, but watching another namespace is disabled in this operator; "
                    f"resources are taken from {namespace!r}",
                    "start the operator with STRIMZI_ENTITY_OPERATOR_WATCHED_NAMESPACE_ENABLED=true "
                    "(Helm value watchedNamespaceEnabled), or remove watchedNamespace",
                    Severity.WARNING,
                    "WatchedNamespaceDisabled",
                )
            )
    return found


def _roll_events(rolling: RollOutcome) -> list[Event]:
    roll = rolling.step
    if rolling.warn:
        return [Event("Warning", "RollingUpdateBlocked", f"blocked for {rolling.blocked_for:.0f} s: {roll.message}")]
    if roll.action is not Action.RESTART:
        return []
    if roll.warning.startswith(("restarting without", "Kafka not reachable")):
        return [Event("Warning", "RollingUpdateWithoutChecks", f"{roll.message} ({roll.warning})")]
    return [Event("Normal", "RollingUpdate", f"{roll.message}{f' ({roll.warning})' if roll.warning else ''}")]


def _current_node_ids(snapshot: observe.Snapshot, pools: list[dict[str, Any]]) -> dict[str, list[int]]:
    """Node ids per pool from existing node ConfigMaps, else from the pools' status."""
    found: dict[str, set[int]] = {}
    for config_map in snapshot.of_kind("ConfigMap"):
        pool = (config_map["metadata"].get("labels") or {}).get(labels.POOL)
        if pool and node_files.SERVER_CONFIG in (config_map.get("data") or {}):
            node_id = config_map["metadata"]["name"].rsplit("-", 1)[-1]
            if node_id.isdigit():
                found.setdefault(pool, set()).add(int(node_id))
    for pool in pools:
        name = pool["metadata"]["name"]
        if name not in found:
            status_ids = (pool.get("status") or {}).get("nodeIds") or []
            if status_ids:
                found[name] = set(status_ids)
    return {pool: sorted(ids) for pool, ids in found.items()}


def _founding_voters(snapshot: observe.Snapshot) -> tuple[int, ...] | None:
    """The quorum's founding controllers, as recorded in their node ConfigMaps.

    None when no node exists yet (a new cluster: every planned controller founds it); an
    empty tuple when nodes exist but none carries the record (every new node then joins).
    """
    node_maps = [cm for cm in snapshot.of_kind("ConfigMap") if node_files.SERVER_CONFIG in (cm.get("data") or {})]
    if not node_maps:
        return None
    for config_map in node_maps:
        seed = (config_map.get("data") or {}).get(node_files.INITIAL_CONTROLLERS, "")
        if seed:
            return tuple(sorted(int(voter.split("@", 1)[0]) for voter in seed.split(",")))
    return ()


def _cluster_id(kafka: Mapping[str, Any], snapshot: observe.Snapshot) -> str:
    known = (kafka.get("status") or {}).get("clusterId")
    if known:
        return str(known)
    for config_map in snapshot.of_kind("ConfigMap"):
        value = (config_map.get("data") or {}).get(node_files.CLUSTER_ID)
        if value:
            return str(value)
    return runtime.random_uuid()


def _observed_addresses(snapshot: observe.Snapshot) -> listener_plan.Observed:
    """Load balancer addresses and node ports of per-broker and bootstrap Services."""
    brokers: dict[tuple[str, int], Endpoint] = {}
    bootstrap: dict[str, tuple[Endpoint, ...]] = {}
    for service in snapshot.of_kind("Service"):
        metadata_labels = service["metadata"].get("labels") or {}
        listener = metadata_labels.get("strimzi.io/listener")
        if not listener:
            continue
        ingress = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
        host = next((i.get("hostname") or i.get("ip") for i in ingress if i.get("hostname") or i.get("ip")), None)
        ports = (service.get("spec") or {}).get("ports") or []
        node_port = next((p.get("nodePort") for p in ports if p.get("nodePort")), None)
        port = ports[0]["port"] if ports else 0
        pod_id = metadata_labels.get("strimzi.io/broker-id")
        if pod_id is not None and pod_id.isdigit():
            if host:
                brokers[(listener, int(pod_id))] = Endpoint(host, port)
            elif node_port:
                brokers[(listener, int(pod_id))] = Endpoint("", int(node_port))
        elif host:
            bootstrap[listener] = (Endpoint(host, port),)
    return listener_plan.Observed(brokers, bootstrap)


class ClusterReconciler:
    def __init__(
        self,
        client: Client,
        *,
        operator_image: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        watched_namespace_enabled: bool = False,
        connections: KafkaConnections | None = None,
        roll_force_after: float = FORCE_AFTER_SECONDS,
    ) -> None:
        self.client = client
        self.roller = PodRoller(client, connections or KafkaConnections(client), force_after=roll_force_after)
        self.operator_image = operator_image
        self.watched_namespace_enabled = watched_namespace_enabled
        self.clock = clock

    # --- the pass -------------------------------------------------------------------------------

    def reconcile(self, namespace: str, name: str) -> ReconcileResult:
        result = ReconcileResult(name, namespace)
        kafka_dict = _get(self.client, objects.KAFKA, name, namespace)
        if kafka_dict is None or kafka_dict["metadata"].get("deletionTimestamp"):
            result.outcome = "gone"
            metrics.forget_cluster(namespace, name)
            return result  # owner references let the garbage collector remove the rest
        metadata = kafka_dict["metadata"]
        generation = metadata.get("generation")
        previous = kafka_dict.get("status") or {}
        now = self.clock()
        if _is_true((metadata.get("annotations") or {}).get(PAUSE)):
            result.outcome = "paused"
            self._write_status(
                kafka_dict, kafka_status.paused_status(generation=generation, previous=previous, now=now), result
            )
            return result

        pool_dicts = [
            objects.to_dict(p)
            for p in self.client.list(objects.KAFKA_NODE_POOL, namespace=namespace, labels={labels.CLUSTER: name})
        ]
        try:
            kafka_parsed = parse.parse_resource(kafka_dict)
            pools_parsed = [parse.parse_resource(p) for p in pool_dicts]
        except InvalidResource as exc:
            return self._refuse(kafka_dict, list(exc.findings), [], result)
        kafka = kafka_parsed.resource
        assert isinstance(kafka, Kafka)
        pools = [p.resource for p in pools_parsed if isinstance(p.resource, KafkaNodePool)]
        warnings = [w for p in (kafka_parsed, *pools_parsed) for w in p.warnings]
        try:
            cluster_input = assembly.assemble_one(kafka, pools, parse_warnings=warnings)
        except InvalidResource as exc:
            return self._refuse(kafka_dict, list(exc.findings), warnings, result)
        result.kafka_exporter = cluster_input.kafka.spec.kafka_exporter
        if cluster_input.errors:
            return self._refuse(kafka_dict, cluster_input.errors, cluster_input.warnings, result)

        referenced = self._referenced_documents(cluster_input.kafka, namespace)
        missing_documents = references.missing(cluster_input.kafka, referenced)
        if missing_documents:
            return self._refuse(kafka_dict, missing_documents, cluster_input.warnings, result)

        snapshot = observe.snapshot(self.client, namespace, name)
        given = PlanInput(
            kafka=cluster_input.kafka,
            pools=cluster_input.pools,
            cluster_id=_cluster_id(kafka_dict, snapshot),
            current_node_ids=_current_node_ids(snapshot, pool_dicts),
            founding_voters=_founding_voters(snapshot),
            observed=_observed_addresses(snapshot),
            referenced=referenced,
        )
        plan = plan_cluster(given, KubernetesProfile(namespace))
        node_secrets = {
            n.node_id: snapshot.get("Secret", names.node_config(name, n.pool, n.node_id)) for n in plan.nodes
        }
        try:
            loaded = material.load_material(self.client, plan, node_secrets, now)
        except material.MissingUserCa as exc:
            finding = Finding(
                "spec.clusterCa.generateCertificateAuthority", str(exc), reason="MissingCertificateAuthority"
            )
            return self._refuse(kafka_dict, [finding], cluster_input.warnings, result)
        owner = OwnerRef(kafka_dict["apiVersion"], "Kafka", name, metadata["uid"])
        render_kwargs: dict[str, Any] = {"owner": owner, "secrets": loaded.material}
        if self.operator_image:
            render_kwargs["operator_image"] = self.operator_image
        desired = render_cluster(plan, **render_kwargs)
        operator_pair, _ = material.operator_identity(self.client, plan, loaded.material.cluster_ca.authority, now)
        desired.append(self._operator_secret(plan, operator_pair, owner))

        # A broker leaving while it hosts replicas is held: its objects are neither changed nor deleted.
        scaling = scale_down.verdict(
            snapshot.of_kind("ConfigMap"), plan, metadata.get("annotations"), lambda: self._kafka_settings(plan)
        )
        held = scale_down.held_pod_names(name, scaling)
        desired = scale_down.without_held(desired, held)

        # Pods are only created here; changing a running Pod is the roller's decision.
        report = apply.apply_objects(self.client, desired, snapshot.objects, skip=lambda obj: obj["kind"] == "Pod")
        apply.prune(
            self.client,
            desired,
            snapshot.objects,
            owner_uid=metadata["uid"],
            keep=lambda obj: scale_down.is_held(obj, held),
            report=report,
        )
        result.writes += report.writes
        created = [key for key in report.applied if key not in snapshot.objects]
        if created:
            kinds = sorted({key[1] for key in created})
            result.events.append(Event("Normal", "Created", f"created {len(created)} object(s): {', '.join(kinds)}"))
        if report.pruned:
            result.events.append(
                Event("Normal", "Deleted", f"deleted {len(report.pruned)} object(s) no longer in the spec")
            )
        for note in loaded.events:
            result.events.append(Event("Normal", "Certificates", note))
        _record_certificates(plan, loaded.material)
        for key, problem in report.failed:
            result.events.append(Event("Warning", "ApplyFailed", f"{key[1]}/{key[3]}: {problem}"))

        pods = {p["metadata"]["name"]: p for p in snapshot.of_kind("Pod")}
        missing = [n.pod_name for n in plan.nodes if n.pod_name not in pods]
        unready = [n.pod_name for n in plan.nodes if n.pod_name in pods and not pod_ready(pods[n.pod_name])]
        rolling = RollOutcome(RollStep(Action.NONE))
        if not report.failed and not plan.pending_addresses:  # roll only to a configuration fully in place
            held_pods = scale_down.observed_pods(pods.values(), held)
            rolling = self.roller.step(plan, pod_views(plan, [*desired, *held_pods], pods))
            result.events += _roll_events(rolling)
        roll = rolling.step
        metrics.ROLL_BLOCKED.labels(namespace, name).set(rolling.blocked_for if roll.action is Action.BLOCKED else 0)
        if roll.action is Action.RESTART:
            metrics.POD_RESTARTS.labels(namespace, name).inc()
        findings = [*cluster_input.findings, *lint_cluster(cluster_input.kafka, list(cluster_input.pools))]
        if not self.watched_namespace_enabled:
            findings += _ignored_watched_namespaces(cluster_input.kafka, namespace)
        findings += [Finding("", p, None, Severity.WARNING, "CertificateRenewalPostponed") for p in loaded.postponed]
        if scaling.blocked:
            findings.append(Finding("", scaling.message(), scaling.fix(), Severity.WARNING, guard.REASON))
        if report.failed:
            readiness = conditions.not_ready("ApplyFailed", "; ".join(f"{k[1]}/{k[3]}: {p}" for k, p in report.failed))
        elif scaling.blocked:
            readiness = conditions.not_ready(guard.REASON, scaling.message())
        elif plan.pending_addresses:
            readiness = conditions.not_ready(
                "WaitingForAddresses", f"waiting for external addresses of {', '.join(plan.pending_addresses)}"
            )
        elif roll.action is Action.BLOCKED and rolling.blocked_for >= WARN_AFTER_SECONDS:
            readiness = conditions.not_ready(
                "RollingUpdateBlocked",
                # No running clock in the message: the status would be rewritten on every pass.
                f"rolling update blocked, {roll.outdated} Pod(s) to restart: {roll.message}",
            )
        elif roll.action is Action.BLOCKED:
            readiness = conditions.not_ready(
                "RollingUpdate", f"rolling update, {roll.outdated} Pod(s) to restart: waiting: {roll.message}"
            )
        elif roll.action in (Action.RESTART, Action.WAIT):
            readiness = conditions.not_ready(
                "RollingUpdate", f"rolling update, {roll.outdated} Pod(s) to restart: {roll.message}"
            )
        elif missing or unready:
            waiting = missing + unready
            readiness = conditions.not_ready(
                "Creating" if missing else "PodsNotReady", f"waiting for Pods to be ready: {', '.join(waiting)}"
            )
        else:
            readiness = conditions.ready()
            result.ready = True
        status = kafka_status.kafka_status(
            plan,
            generation=generation,
            previous=previous,
            findings=[f for f in findings if f.severity is Severity.WARNING],
            readiness=readiness,
            ca_pem=loaded.material.cluster_ca.authority.cert_pem.decode(),
            now=now,
        )
        self._write_status(kafka_dict, status, result)
        for pool_dict in pool_dicts:
            if any(p.name == pool_dict["metadata"]["name"] for p in plan.pools):
                pool_status = kafka_status.pool_status(
                    plan,
                    pool_dict["metadata"]["name"],
                    generation=pool_dict["metadata"].get("generation"),
                    previous=pool_dict.get("status"),
                    now=now,
                )
                self._write_pool_status(pool_dict, pool_status, result)
        self._emit(kafka_dict, result)
        return result

    # --- helpers ----------------------------------------------------------------------------------

    def _operator_secret(self, plan: Any, pair: Any, owner: OwnerRef) -> dict[str, Any]:
        import base64

        def b64(data: bytes) -> str:
            return base64.b64encode(data).decode()

        return {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "Opaque",
            "metadata": {
                "name": names.operator_certs(plan.name),
                "namespace": plan.namespace,
                "labels": {**labels.common(plan.name), labels.NAME: names.operator_certs(plan.name)},
                "ownerReferences": [owner.to_dict()],
            },
            "data": {
                "operator.key": b64(pair.key_pem),
                "operator.crt": b64(pair.cert_pem),
                "ca.crt": b64(pair.ca_cert_pem),
            },
        }

    def _kafka_settings(self, plan: ClusterPlan) -> ConnectionSettings | None:
        connection = self.roller.connections.connect(plan.namespace, plan.name)
        return connection.settings if connection is not None else None

    def _referenced_documents(self, kafka: Kafka, namespace: str) -> dict[references.ConfigKey, str]:
        """The ConfigMap keys the Kafka refers to (metrics rules, logging), read on every pass:
        an edited ConfigMap reaches the nodes' files at the next reconcile."""
        config_maps = []
        for name in sorted({ref.name for ref in references.references(kafka)}):
            found = _get(self.client, ConfigMap, name, namespace)
            if found is not None:
                config_maps.append(found)
        return references.contents_from(config_maps)

    def _refuse(
        self, kafka_dict: dict[str, Any], problems: list[Finding], warnings: list[Finding], result: ReconcileResult
    ) -> ReconcileResult:
        result.outcome = "invalid"
        problems = errors(problems) or problems
        status = kafka_status.failed_status(
            generation=kafka_dict["metadata"].get("generation"),
            previous=kafka_dict.get("status"),
            errors=problems,
            warnings=warnings,
            now=self.clock(),
        )
        if self._write_status(kafka_dict, status, result):
            message = "; ".join(f.render() for f in problems)
            result.events.append(Event("Warning", problems[0].reason if problems else "InvalidResource", message))
            self._emit(kafka_dict, result)
        return result

    def _write_status(self, kafka_dict: dict[str, Any], status: dict[str, Any], result: ReconcileResult) -> bool:
        written = status_writer.write_status(self.client, objects.KAFKA, kafka_dict, status)
        if written:
            result.writes += 1
            result.status_written = True
        return written

    def _write_pool_status(self, pool_dict: dict[str, Any], status: dict[str, Any], result: ReconcileResult) -> None:
        if status_writer.write_status(self.client, objects.KAFKA_NODE_POOL, pool_dict, status):
            result.writes += 1

    def _emit(self, kafka_dict: dict[str, Any], result: ReconcileResult) -> None:
        from krafter.operator import events

        for event in result.events:
            with contextlib.suppress(ApiError):
                events.post(self.client, kafka_dict, event.type, event.reason, event.message)
                result.writes += 1


def _record_certificates(plan: ClusterPlan, secrets: SecretMaterial) -> None:
    """Expiry of each CA and node certificate, for the certificate-expiry alert and dashboard."""
    spec = plan.kafka.spec
    expiry = {
        (names.cluster_ca_cert(plan.name), "cluster"): secrets.cluster_ca.authority.not_after,
        (names.clients_ca_cert(plan.name), "clients"): secrets.clients_ca.authority.not_after,
    }
    pods = {node.node_id: node.pod_name for node in plan.nodes}
    for node_id, pair in secrets.nodes.items():
        expiry[(pods.get(node_id, str(node_id)), "cluster")] = pair.certificate.not_valid_after_utc
    metrics.record_certificates(
        plan.namespace,
        plan.name,
        expiry,
        {
            "cluster": material.settings_of(spec.cluster_ca).renewal_days,
            "clients": material.settings_of(spec.clients_ca).renewal_days,
        },
    )
