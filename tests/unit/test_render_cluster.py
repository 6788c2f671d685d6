"""render_cluster as a whole: deterministic, schema-valid, ordered, owned."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from kubernetes_validate import utils as validate_utils

from krafter.api import parse
from krafter.cli.render_commands import issue_material, render_loaded
from krafter.plan.model import ClusterPlan
from krafter.plan.planner import PlanInput, plan_cluster
from krafter.plan.profile import KubernetesProfile
from krafter.render import output
from krafter.render.cluster import KIND_ORDER, render_cluster
from krafter.render.meta import OwnerRef

pytestmark = pytest.mark.unit

DATA = Path(__file__).resolve().parents[1] / "data"
PERSISTENT = DATA / "strimzi-examples/kafka/kafka-persistent.yaml"
ALL_FEATURES = DATA / "render-examples/kafka-all-features.yaml"
V1_EXAMPLES = sorted(
    path
    for directory in ("kafka", "security", "metrics", "mirror-maker", "cruise-control")
    for path in (DATA / "strimzi-examples" / directory).rglob("*.yaml")
    if parse.load_files([path]).of_kind("Kafka")
)
EXAMPLES = [*V1_EXAMPLES, ALL_FEATURES]
OWNER = OwnerRef("kafka.strimzi.io/v1", "Kafka", "my-cluster", "0b5e1f7c-1111-2222-3333-444455556666")
NO_SCHEMA = {"Route", "TLSRoute"}
"""OpenShift and Gateway API kinds: not part of the Kubernetes schemas kubernetes-validate ships."""


def _plan(path: Path, namespace: str = "myproject") -> ClusterPlan:
    loaded = parse.load_files([path])
    kafka = loaded.of_kind("Kafka")[0].resource
    pools = tuple(p.resource for p in loaded.of_kind("KafkaNodePool"))
    return plan_cluster(PlanInput(kafka, pools, "Xh3u5FkPQmW2mK1sQv3m0A"), KubernetesProfile(namespace))  # type: ignore[arg-type]


def test_rendering_twice_gives_byte_identical_yaml() -> None:
    first = output.to_yaml_stream(render_loaded(parse.load_files([ALL_FEATURES])).objects)
    second = output.to_yaml_stream(render_loaded(parse.load_files([ALL_FEATURES])).objects)
    assert first == second


def test_libyaml_and_python_emitters_write_the_same_bytes() -> None:
    objects = render_loaded(parse.load_files([ALL_FEATURES])).objects
    fast = "".join(output.to_yaml(obj) for obj in objects)
    slow = "".join(output.to_yaml(obj, dumper=output.PythonDumper) for obj in objects)
    assert fast == slow


def test_yaml_stream_reads_back_as_the_rendered_objects() -> None:
    objects = render_cluster(_plan(ALL_FEATURES), owner=OWNER, secrets=None)
    assert list(yaml.safe_load_all(output.to_yaml_stream(objects))) == objects


@pytest.fixture(scope="module", autouse=True)
def _cached_schemas() -> Iterator[None]:
    # kubernetes-validate re-reads its multi-megabyte definitions file on every call.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            validate_utils, "schema_contents", functools.lru_cache(maxsize=None)(validate_utils.schema_contents)
        )
        yield


def _schema_problems(objects: list[dict[str, Any]]) -> dict[str, str]:
    invalid: dict[str, str] = {}
    for obj in objects:
        try:
            kubernetes_validate.validate(obj, "1.36", strict=True)
        except kubernetes_validate.SchemaNotFoundError:
            if obj["kind"] not in NO_SCHEMA:
                invalid[f"{obj['kind']}/{obj['metadata']['name']}"] = "no schema"
        except kubernetes_validate.ValidationError as exc:
            invalid[f"{obj['kind']}/{obj['metadata']['name']}"] = str(exc)
    return invalid


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p.relative_to(DATA)))
def test_every_object_validates_against_kubernetes_1_36_except_route_kinds(path: Path) -> None:
    assert _schema_problems(render_loaded(parse.load_files([path])).objects) == {}


def test_objects_with_owner_and_real_secrets_validate_against_kubernetes_1_36() -> None:
    plan = _plan(ALL_FEATURES)
    objects = render_cluster(plan, owner=OWNER, secrets=issue_material(plan, datetime.now(UTC)))
    assert _schema_problems(objects) == {}


def test_route_and_tlsroute_are_the_only_kinds_without_a_schema() -> None:
    unvalidated = set()
    for obj in render_cluster(_plan(ALL_FEATURES), owner=OWNER, secrets=None):
        try:
            kubernetes_validate.validate(obj, "1.36", strict=True)
        except kubernetes_validate.SchemaNotFoundError:
            unvalidated.add(obj["kind"])
    assert unvalidated == NO_SCHEMA


def test_objects_come_grouped_by_kind_in_apply_order_then_by_name() -> None:
    objects = render_cluster(_plan(ALL_FEATURES), owner=OWNER, secrets=None)
    keys = [(KIND_ORDER.index(o["kind"]), o["metadata"]["name"]) for o in objects]
    assert keys == sorted(keys)


def test_persistent_example_renders_strimzis_objects() -> None:
    objects = render_cluster(_plan(PERSISTENT), owner=OWNER, secrets=None)
    assert Counter(o["kind"] for o in objects) == {
        "ServiceAccount": 1,
        "Secret": 10,
        "ConfigMap": 6,
        "PersistentVolumeClaim": 6,
        "Service": 2,
        "NetworkPolicy": 1,
        "PodDisruptionBudget": 1,
        "Pod": 6,
    }
    names = {(o["kind"], o["metadata"]["name"]) for o in objects}
    assert {
        ("Service", "my-cluster-kafka-bootstrap"),
        ("Service", "my-cluster-kafka-brokers"),
        ("Secret", "my-cluster-cluster-ca-cert"),
        ("Secret", "my-cluster-cluster-ca"),
        ("Secret", "my-cluster-clients-ca-cert"),
        ("Secret", "my-cluster-clients-ca"),
        ("PodDisruptionBudget", "my-cluster-kafka"),
        ("ServiceAccount", "my-cluster-kafka"),
        ("NetworkPolicy", "my-cluster-network-policy-kafka"),
        ("Pod", "my-cluster-broker-0"),
        ("ConfigMap", "my-cluster-controller-3"),
        ("PersistentVolumeClaim", "data-0-my-cluster-broker-0"),
    } <= names


def test_every_namespaced_object_carries_the_common_labels_and_the_owner() -> None:
    for obj in render_cluster(_plan(PERSISTENT), owner=OWNER, secrets=None):
        metadata = obj["metadata"]
        assert metadata["labels"]["strimzi.io/cluster"] == "my-cluster"
        assert metadata["labels"]["app.kubernetes.io/managed-by"] == "krafter"
        assert metadata["namespace"] == "myproject"
        if obj["kind"] != "PersistentVolumeClaim":
            assert metadata["ownerReferences"] == [OWNER.to_dict()]


def test_owner_reference_is_neither_controller_nor_blocking() -> None:
    assert OWNER.to_dict()["controller"] is False
    assert OWNER.to_dict()["blockOwnerDeletion"] is False


def test_without_owner_no_object_has_owner_references() -> None:
    objects = render_cluster(_plan(PERSISTENT), owner=None, secrets=None)
    assert all("ownerReferences" not in o["metadata"] for o in objects)


def _mutable_parts(value: Any) -> Iterator[Any]:
    if isinstance(value, dict | list):
        yield value
        for item in value.values() if isinstance(value, dict) else value:
            yield from _mutable_parts(item)


def test_rendered_objects_share_no_mutable_parts_with_each_other() -> None:
    objects = render_cluster(_plan(ALL_FEATURES), owner=OWNER, secrets=None)
    ids = [id(part) for part in _mutable_parts(objects)]
    assert len(ids) == len(set(ids))


def test_editing_a_rendered_object_leaves_the_plan_unchanged() -> None:
    plan = _plan(ALL_FEATURES)
    pod = next(o for o in render_cluster(plan, owner=None, secrets=None) if o["kind"] == "Pod")
    pod["spec"]["tolerations"].clear()
    pod["spec"]["affinity"].clear()
    again = next(o for o in render_cluster(plan, owner=None, secrets=None) if o["kind"] == "Pod")
    assert again["spec"]["tolerations"]
    assert again["spec"]["affinity"]
