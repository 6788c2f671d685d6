"""render_cluster: a ClusterPlan -> every Kubernetes object of the cluster's Kafka nodes.

Pure and deterministic (no clock, no randomness, no I/O): the same plan and material give the
same objects in the same order, so `krafter render` output can be diffed and reviewed, and a
reconcile that changes nothing applies nothing new. Objects come grouped by kind, in an order
that lets a plain `kubectl apply` create dependencies first (ServiceAccount and Secrets before
the Pods that mount them), then by name.
"""

from __future__ import annotations

from krafter.plan import labels, names, node_files
from krafter.plan.model import ClusterPlan
from krafter.render import external, meta, pods, security, services, storage
from krafter.render.meta import OwnerRef
from krafter.render.security import SecretMaterial

KIND_ORDER = (
    "ServiceAccount",
    "ClusterRoleBinding",
    "Secret",
    "ConfigMap",
    "PersistentVolumeClaim",
    "Service",
    "Ingress",
    "Route",
    "TLSRoute",
    "NetworkPolicy",
    "PodDisruptionBudget",
    "Pod",
)


def pod_disruption_budget(plan: ClusterPlan, owner: OwnerRef | None) -> meta.Object:
    """One budget over all Kafka nodes: node drains take at most `maxUnavailable` at a time.

    It only limits voluntary evictions; Krafter's own rolls are paced by the roller, which
    checks Kafka's state (ISR, quorum) rather than Pod readiness.
    """
    template = meta.kafka_template(plan).pod_disruption_budget
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": meta.metadata(
            names.kafka_component(plan.name),
            namespace=plan.namespace,
            labels=labels.kafka_component(plan.name),
            template=meta.template_metadata(template.metadata if template else None),
            owner=owner,
        ),
        "spec": {
            "maxUnavailable": plan.pdb_max_unavailable,
            "selector": {"matchLabels": labels.selector(plan.name)},
        },
    }


def _sort_key(obj: meta.Object) -> tuple[int, str]:
    return KIND_ORDER.index(obj["kind"]), obj["metadata"]["name"]


def render_cluster(
    plan: ClusterPlan,
    *,
    owner: OwnerRef | None,
    secrets: SecretMaterial | None,
    operator_image: str = pods.DEFAULT_OPERATOR_IMAGE,
) -> list[meta.Object]:
    """Every object for the plan. `owner` is the Kafka resource (None: no owner references, as in
    `krafter render`); `secrets` the key material (None: placeholder values)."""
    generations = security.ca_generations(secrets)
    objects: list[meta.Object] = [
        security.service_account(plan, owner),
        *security.ca_secrets(plan, secrets, owner),
        services.bootstrap_service(plan, owner),
        services.brokers_service(plan, owner),
        *external.external_objects(plan, owner),
        security.network_policy(plan, owner),
        pod_disruption_budget(plan, owner),
    ]
    if pods.needs_node_access(plan):
        objects.append(security.init_cluster_role_binding(plan))
    for node in plan.nodes:
        files = node_files.config_files(plan, node)
        objects.append(pods.config_map(plan, node, owner, files))
        objects.append(security.node_secret(plan, node, secrets, owner))
        objects += storage.persistent_volume_claims(plan, node, owner)
        objects.append(
            pods.pod(plan, node, owner=owner, generations=generations, operator_image=operator_image, files=files)
        )
    return sorted(objects, key=_sort_key)
