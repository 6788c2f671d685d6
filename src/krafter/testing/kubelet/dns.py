"""Cluster DNS as an /etc/hosts file per Pod.

Every Pod shares this machine's network, so names must resolve to the Pods' own loopback
addresses the way cluster DNS would answer: `<hostname>.<subdomain>.<ns>.svc[.cluster.local]`
for a Pod whose subdomain is a headless Service selecting it, and a Service's names to the
addresses of its ready endpoints (not-ready ones too with `publishNotReadyAddresses`); the
short forms a Pod's search path would complete (`<svc>` in its own namespace, `<svc>.<ns>`)
are listed as well. ClusterIPs are never handed out: nothing here may dial them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

DOMAIN = "cluster.local"


@dataclass(frozen=True)
class PodRecord:
    namespace: str
    name: str
    ip: str
    ready: bool
    labels: Mapping[str, str] = field(default_factory=dict)
    hostname: str | None = None
    subdomain: str | None = None


@dataclass(frozen=True)
class ServiceRecord:
    namespace: str
    name: str
    selector: Mapping[str, str]
    headless: bool
    publish_not_ready: bool = False


def _selects(service: ServiceRecord, pod: PodRecord) -> bool:
    return bool(service.selector) and all(pod.labels.get(k) == v for k, v in service.selector.items())


def cluster_entries(pods: Iterable[PodRecord], services: Iterable[ServiceRecord]) -> list[tuple[str, str, str]]:
    """(namespace, ip, fully qualified name without the domain) for every name the cluster answers."""
    pods = [pod for pod in pods if pod.ip]
    entries: list[tuple[str, str, str]] = []
    for service in services:
        members = [p for p in pods if p.namespace == service.namespace and _selects(service, p)]
        for pod in members:
            if pod.ready or service.publish_not_ready:
                entries.append((service.namespace, pod.ip, f"{service.name}.{service.namespace}.svc"))
                if service.headless and pod.hostname and pod.subdomain == service.name:
                    entries.append((pod.namespace, pod.ip, f"{pod.hostname}.{service.name}.{pod.namespace}.svc"))
    return sorted(set(entries))


def hosts_file(
    *, namespace: str, ip: str, hostname: str, subdomain: str | None, entries: Iterable[tuple[str, str, str]]
) -> str:
    """One Pod's /etc/hosts: itself (as the kubelet writes it), then the cluster's names."""
    own = [hostname]
    if subdomain:
        own.insert(0, f"{hostname}.{subdomain}.{namespace}.svc.{DOMAIN}")
    lines = [
        "# Kubernetes-managed hosts file (process kubelet).",
        "127.0.0.1\tlocalhost",
        "::1\tlocalhost ip6-localhost",
    ]
    lines.append(f"{ip}\t{' '.join(own)}")
    for entry_namespace, address, name in entries:
        names = [f"{name}.{DOMAIN}", name]
        short = name.removesuffix(".svc")
        names.append(short)
        if entry_namespace == namespace:
            names.append(short.rsplit(".", 1)[0])
        lines.append(f"{address}\t{' '.join(dict.fromkeys(names))}")
    return "\n".join(lines) + "\n"
