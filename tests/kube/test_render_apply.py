"""The real API server accepts every object `krafter render` produces (server-side apply).

The JSON-schema check in the unit tier misses what only the API server knows: defaulting,
cross-field validation, admission (e.g. PriorityClass lookup), immutable-field rules. Route
and TLSRoute are skipped: a plain kube-apiserver does not serve OpenShift or Gateway API kinds.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lightkube import codecs
from lightkube.core.exceptions import ApiError
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.rbac_authorization_v1 import ClusterRoleBinding
from lightkube.resources.scheduling_v1 import PriorityClass

from krafter.api import parse
from krafter.cli.render_commands import render_loaded

pytestmark = pytest.mark.kube

DATA = Path(__file__).resolve().parents[1] / "data"
EXAMPLES = [
    *sorted(
        path
        for directory in ("kafka", "security", "metrics", "mirror-maker", "cruise-control")
        for path in (DATA / "strimzi-examples" / directory).rglob("*.yaml")
        if parse.load_files([path]).of_kind("Kafka")
    ),
    DATA / "render-examples/kafka-all-features.yaml",
]
UNSERVED = {"Route", "TLSRoute"}


@pytest.fixture
def priority_class(kube: Any) -> Iterator[None]:
    """The PriorityClass the crafted example's pods name (admission rejects unknown ones)."""
    created = False
    try:
        kube.client.create(PriorityClass(metadata=ObjectMeta(name="kafka"), value=1000))
        created = True
    except ApiError as exc:
        if exc.status.code != 409:
            raise
    yield
    if created:
        kube.client.delete(PriorityClass, "kafka")


def _apply_all(kube: Any, objects: list[dict[str, Any]]) -> dict[str, str]:
    refused: dict[str, str] = {}
    for obj in objects:
        if obj["kind"] in UNSERVED:
            continue
        try:
            kube.client.apply(codecs.from_dict(obj), field_manager="krafter", force=True)
        except ApiError as exc:
            refused[f"{obj['kind']}/{obj['metadata']['name']}"] = exc.status.message or str(exc)
    return refused


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p.relative_to(DATA)))
def test_api_server_accepts_every_rendered_object(kube: Any, namespace: str, priority_class: None, path: Path) -> None:
    objects = render_loaded(parse.load_files([path]), namespace=namespace).objects
    bindings = [o["metadata"]["name"] for o in objects if o["kind"] == "ClusterRoleBinding"]
    try:
        assert _apply_all(kube, objects) == {}
    finally:
        for name in bindings:  # cluster-scoped: the namespace's deletion does not take it along
            kube.client.delete(ClusterRoleBinding, name)


def test_applying_the_same_objects_twice_is_accepted_unchanged(kube: Any, namespace: str) -> None:
    objects = render_loaded(parse.load_files([EXAMPLES[0]]), namespace=namespace).objects
    assert _apply_all(kube, objects) == {}
    pod = next(o for o in objects if o["kind"] == "Pod")
    before = kube.client.get(codecs.from_dict(pod).__class__, pod["metadata"]["name"], namespace=namespace)
    assert _apply_all(kube, objects) == {}
    after = kube.client.get(type(before), pod["metadata"]["name"], namespace=namespace)
    assert after.metadata.resourceVersion == before.metadata.resourceVersion
