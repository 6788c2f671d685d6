"""Krafter's CRDs on a real API server: every Strimzi example is accepted, bad values refused.

The server enforces what the schema can express (enums, minimums, patterns, required
fields); everything else is semantic validation, reported in status by the operator.
"""

from __future__ import annotations

import copy
import json
import secrets
import ssl
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml
from lightkube import codecs
from lightkube.core.exceptions import ApiError

from krafter.api.parse import MODELS
from krafter.testing import kube_helpers

pytestmark = pytest.mark.kube
DATA = Path(__file__).resolve().parents[1] / "data"
EXAMPLES = sorted((DATA / "strimzi-examples").rglob("*.yaml")) + sorted((DATA / "user-examples").rglob("*.yaml"))


@pytest.fixture(scope="module")
def crds(kube):  # type: ignore[no-untyped-def]
    return kube_helpers.install_crds(kube.client)


def ours(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d and d.get("kind") in MODELS]


@pytest.mark.parametrize("path", [p for p in EXAMPLES if ours(p)], ids=lambda p: str(p.relative_to(DATA)))
def test_every_example_is_accepted_by_the_api_server(kube, crds, path: Path) -> None:
    namespace = f"ex-{secrets.token_hex(3)}"
    kube.create_namespace(namespace)
    try:
        kube_helpers.create_all(kube.client, ours(path), namespace)
    finally:
        kube.delete_namespace(namespace)


POOL = {
    "apiVersion": "kafka.strimzi.io/v1",
    "kind": "KafkaNodePool",
    "metadata": {"name": "p", "labels": {"strimzi.io/cluster": "c"}},
    "spec": {"replicas": 3, "roles": ["broker"], "storage": {"type": "ephemeral"}},
}
KAFKA = {
    "apiVersion": "kafka.strimzi.io/v1",
    "kind": "Kafka",
    "metadata": {"name": "c"},
    "spec": {"kafka": {"listeners": [{"name": "plain", "port": 9092, "type": "internal", "tls": False}]}},
}


def _with(doc: dict[str, Any], path: list[Any], value: Any) -> dict[str, Any]:
    result = copy.deepcopy(doc)
    target: Any = result
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return result


LISTENER = ["spec", "kafka", "listeners", 0]
REFUSED = [
    ("listener port below 9092", _with(KAFKA, [*LISTENER, "port"], 80), "spec.kafka.listeners[0].port"),
    ("listener name with capitals", _with(KAFKA, [*LISTENER, "name"], "Plain"), "spec.kafka.listeners[0].name"),
    ("unknown listener type", _with(KAFKA, [*LISTENER, "type"], "public"), "spec.kafka.listeners[0].type"),
    ("no listeners", _with(KAFKA, ["spec", "kafka", "listeners"], []), "spec.kafka.listeners"),
    ("negative replicas", _with(POOL, ["spec", "replicas"], -1), "spec.replicas"),
    ("unknown role", _with(POOL, ["spec", "roles"], ["leader"]), "spec.roles[0]"),
    ("unknown storage type", _with(POOL, ["spec", "storage", "type"], "nfs"), "spec.storage.type"),
    ("Kafka without spec", {k: v for k, v in KAFKA.items() if k != "spec"}, "spec"),
]


@pytest.mark.parametrize(("doc", "field"), [(d, f) for _, d, f in REFUSED], ids=[n for n, _, _ in REFUSED])
def test_schema_violations_are_refused_by_the_api_server(
    kube, crds, namespace, doc: dict[str, Any], field: str
) -> None:
    placed = {**doc, "metadata": {**doc["metadata"], "namespace": namespace}}
    with pytest.raises(ApiError) as refused:
        kube.client.create(codecs.from_dict(placed))
    assert refused.value.status.code == 422
    assert field in refused.value.status.message


def test_api_server_publishes_field_documentation_for_kubectl_explain(kube, crds) -> None:
    # `kubectl explain` reads the OpenAPI v3 document the server builds from the CRD schema.
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    request = urllib.request.Request(
        f"{kube.plane.server}/openapi/v3/apis/kafka.strimzi.io/v1",
        headers={"Authorization": f"Bearer {kube.plane.token}"},
    )
    with urllib.request.urlopen(request, context=context, timeout=10) as response:
        document = json.load(response)
    schemas = document["components"]["schemas"]
    kafka = next(v for k, v in schemas.items() if k == "io.strimzi.kafka.v1.Kafka")
    listeners = kafka["properties"]["spec"]["properties"]["kafka"]["properties"]["listeners"]
    assert "How clients connect" in listeners["description"]
    port = listeners["items"]["properties"]["port"]
    assert "9092" in port["description"]
