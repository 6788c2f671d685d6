"""Do the names Krafter derives from the user's names fit Kubernetes' limits?

Every object name is built from the Kafka name, the pool names, listener names and node ids
(`<c>-<pool>-<listener>-<id>`), so a name that is fine on its own can make a derived one too
long: Pod hostnames, Service names and label values are DNS labels (63 characters), and
Service names must also start with a letter. The API server would refuse those objects one by
one, half-way through a reconcile; checking the plan first turns that into one clear finding
on the name the user has to shorten.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from krafter.api.errors import Finding
from krafter.api.listeners import ListenerType
from krafter.plan import labels, names
from krafter.plan.model import ClusterPlan

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")


@dataclass(frozen=True)
class _Derived:
    name: str
    what: str
    """e.g. `Pod name`, `Service name`, `the value of label ...`."""
    limit: int
    must_start_with_letter: bool
    culprit: str
    """Which user names it is built from, for the fix."""
    dns_label: bool = True
    """Must also be a DNS label (names); label values only have a length limit here."""


def _derived(plan: ClusterPlan) -> Iterator[_Derived]:
    cluster = plan.name
    label = names.KUBERNETES_NAME_LIMIT
    subdomain = names.KUBERNETES_SUBDOMAIN_LIMIT
    for key, value in labels.kafka_component(cluster).items():
        yield _Derived(value, f"the value of label {key}", label, False, "the Kafka name", dns_label=False)
    for service in (names.bootstrap_service(cluster), names.brokers_service(cluster)):
        yield _Derived(service, "Service name", label, True, "the Kafka name")
    yield _Derived(names.network_policy(cluster), "NetworkPolicy name", subdomain, False, "the Kafka name")
    yield _Derived(names.cluster_ca_cert(cluster), "Secret name", subdomain, False, "the Kafka name")
    yield _Derived(
        names.init_cluster_role_binding(plan.namespace, cluster),
        "ClusterRoleBinding name",
        subdomain,
        False,
        "the Kafka name and namespace",
    )
    external = [listener for listener in plan.listeners if listener.type is not ListenerType.INTERNAL]
    for listener in external:
        yield _Derived(
            names.external_bootstrap(cluster, listener.name, listener.port),
            "Service name",
            label,
            True,
            f"the Kafka name and listener '{listener.name}'",
        )
    for node in plan.nodes:
        pool = f"the Kafka name and node pool '{node.pool}'"
        yield _Derived(node.pod_name, "Pod name", label, False, pool)
        for volume in node.volumes:
            if volume.claim_name:
                yield _Derived(volume.claim_name, "PersistentVolumeClaim name", subdomain, False, pool)
        if node.is_broker:
            for listener in external:
                yield _Derived(
                    names.per_broker(cluster, node.pool, listener.name, listener.port, node.node_id),
                    "Service name",
                    label,
                    True,
                    f"{pool} and listener '{listener.name}'",
                )


def _problem(item: _Derived) -> str | None:
    if len(item.name) > item.limit:
        return f"{item.what} '{item.name}' would have {len(item.name)} characters, Kubernetes allows {item.limit}"
    if item.limit == names.KUBERNETES_NAME_LIMIT and item.dns_label:
        pattern = _DNS_1035_LABEL if item.must_start_with_letter else _DNS_LABEL
        if not pattern.match(item.name):
            rule = "start with a letter and " if item.must_start_with_letter else ""
            return (
                f"{item.what} '{item.name}' is not a valid DNS label "
                f"(it must {rule}contain only lowercase letters, digits and '-')"
            )
    return None


def check_names(plan: ClusterPlan) -> list[Finding]:
    """One error per distinct cause (the Kafka name, a pool, a listener), on the Kafka's metadata.name."""
    found: dict[str, Finding] = {}
    for item in _derived(plan):
        problem = _problem(item)
        if problem is None or item.culprit in found:
            continue
        found[item.culprit] = Finding(
            "metadata.name",
            problem,
            f"shorten {item.culprit} so that every derived name fits in {item.limit} characters"
            + (" and starts with a letter" if item.must_start_with_letter else ""),
            reason="NameTooLong" if len(item.name) > item.limit else "InvalidName",
            resource=f"Kafka/{plan.name}",
        )
    return list(found.values())
