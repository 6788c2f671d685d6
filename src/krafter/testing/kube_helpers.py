"""Helpers for tests against the real API server: install CRDs, create resources, play the kubelet."""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from lightkube import Client, codecs
from lightkube.resources.apiextensions_v1 import CustomResourceDefinition
from lightkube.resources.core_v1 import Pod
from lightkube.types import PatchType

from krafter.platform.kubernetes import objects as _objects  # noqa: F401 - registers Krafter's kinds with lightkube

REPO = Path(__file__).resolve().parents[3]


def install_crds(client: Client, directory: Path | None = None, timeout: float = 30.0) -> list[str]:
    names = []
    for path in sorted((directory or REPO / "install" / "crds").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                client.apply(codecs.from_dict(doc), field_manager="krafter-tests", force=True)
                names.append(doc["metadata"]["name"])
    deadline = time.monotonic() + timeout
    pending = set(names)
    while pending and time.monotonic() < deadline:
        for name in sorted(pending):
            crd = client.get(CustomResourceDefinition, name)
            conditions = (crd.status.conditions if crd.status else None) or []
            if any(c.type == "Established" and c.status == "True" for c in conditions):
                pending.discard(name)
        time.sleep(0.2)
    if pending:
        raise TimeoutError(f"CRDs not established: {sorted(pending)}")
    return names


def example_cluster(path: Path, cluster: str) -> list[dict[str, Any]]:
    """The Strimzi resources in `path`, renamed so several copies can live in one namespace:
    the Kafka becomes `cluster`, each pool `<cluster>-<pool>` labelled for it."""
    docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
    for doc in docs:
        if doc["kind"] == "Kafka":
            doc["metadata"]["name"] = cluster
        else:
            doc["metadata"].setdefault("labels", {})["strimzi.io/cluster"] = cluster
            doc["metadata"]["name"] = f"{cluster}-{doc['metadata']['name']}"
    return docs


def create_all(client: Client, documents: Iterable[dict[str, Any]], namespace: str) -> None:
    for doc in documents:
        placed = {**doc, "metadata": {**doc["metadata"], "namespace": namespace}}
        client.create(codecs.from_dict(placed))


def mark_pods_ready(client: Client, namespace: str, names: Iterable[str] | None = None) -> list[str]:
    """Play the kubelet: set Pods Running and Ready (no kubelet runs in the test control plane)."""
    done = []
    for pod in client.list(Pod, namespace=namespace):
        name = pod.metadata.name if pod.metadata and pod.metadata.name else ""
        if names is not None and name not in set(names):
            continue
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        status = {
            "phase": "Running",
            "podIP": "127.0.0.1",
            "conditions": [
                {"type": "Ready", "status": "True", "lastTransitionTime": now},
                {"type": "ContainersReady", "status": "True", "lastTransitionTime": now},
            ],
        }
        client.patch(Pod.Status, name, {"status": status}, namespace=namespace, patch_type=PatchType.MERGE)
        done.append(name)
    return done
