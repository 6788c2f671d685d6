"""Kubernetes types all the way down: typed, documented, generated from the Kubernetes schema, and
covering what Strimzi's CRDs type.

The coverage measure walks every field Strimzi's Kafka and KafkaNodePool schemas give a type (v1
from Strimzi 1.2, v1beta2 from 0.48) and counts those Krafter's CRD types and documents too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from krafter.api import crds, explain, kubetypes, parse

pytestmark = pytest.mark.unit

STRIMZI = Path(__file__).resolve().parents[1] / "data" / "strimzi-crds"
COVERED = [
    ("Kafka", "040-Crd-kafka", "v1-1.2.0", "v1"),
    ("Kafka", "040-Crd-kafka", "v1beta2-0.48.0", "v1beta2"),
    ("KafkaNodePool", "045-Crd-kafkanodepool", "v1-1.2.0", "v1"),
    ("KafkaNodePool", "045-Crd-kafkanodepool", "v1beta2-0.48.0", "v1beta2"),
]
REQUIRED_COVERAGE = 0.95


def _version_schema(crd: dict[str, Any], version: str) -> dict[str, Any]:
    return next(v for v in crd["spec"]["versions"] if v["name"] == version)["schema"]["openAPIV3Schema"]


def typed_paths(schema: dict[str, Any], path: str) -> list[str]:
    """Every field path under `schema` that has a type (`[]` for list items, `{}` for map values)."""
    found = []
    for key, child in (schema.get("properties") or {}).items():
        child_path = f"{path}.{key}"
        if child.get("type") or child.get("x-kubernetes-int-or-string"):
            found.append(child_path)
        found += typed_paths(child, child_path)
    if isinstance(schema.get("items"), dict):
        found += typed_paths(schema["items"], f"{path}[]")
    if isinstance(schema.get("additionalProperties"), dict):
        found += typed_paths(schema["additionalProperties"], f"{path}{{}}")
    return found


def node_at(schema: dict[str, Any] | None, path: str) -> dict[str, Any] | None:
    for part in re.findall(r"\.[^.\[\]{}]+|\[\]|\{\}", path):
        if schema is None:
            return None
        if part == "[]":
            schema = schema.get("items")
        elif part == "{}":
            extra = schema.get("additionalProperties")
            schema = extra if isinstance(extra, dict) else None
        else:
            schema = (schema.get("properties") or {}).get(part[1:])
    return schema


def typed_and_documented(ours: dict[str, Any], path: str) -> bool:
    node = node_at(ours, path)
    return (
        node is not None
        and bool(node.get("type") or node.get("x-kubernetes-int-or-string"))
        and bool(node.get("description"))
    )


def coverage(kind: str, strimzi_file: str, folder: str, version: str) -> tuple[float, list[str]]:
    theirs = _version_schema(yaml.safe_load((STRIMZI / folder / f"{strimzi_file}.yaml").read_text()), version)
    ours = _version_schema(crds.crd(crds.kind_info(kind)), version)
    paths = typed_paths(theirs["properties"]["spec"], "spec")
    missing = [p for p in paths if not typed_and_documented(ours["properties"]["spec"], p.removeprefix("spec"))]
    return 1 - len(missing) / len(paths), missing


@pytest.mark.parametrize(
    ("kind", "strimzi_file", "folder", "version"), COVERED, ids=[f"{c[0]}-{c[3]}" for c in COVERED]
)
def test_fields_strimzi_types_are_typed_and_documented_in_krafters_crds(
    kind: str, strimzi_file: str, folder: str, version: str
) -> None:
    share, missing = coverage(kind, strimzi_file, folder, version)
    print(f"{kind} {version}: {share:.1%} of Strimzi's typed spec fields typed and documented")
    assert share >= REQUIRED_COVERAGE, missing[:40]


def test_committed_kubernetes_definitions_are_the_bundled_schema_of_the_supported_version() -> None:
    committed = json.loads((Path(kubetypes.__file__).with_name(kubetypes.DATA)).read_text())
    assert committed == kubetypes.extract(kubetypes.bundled_definitions()), "run `make crds` and commit the result"


def test_pod_template_fields_carry_the_kubernetes_schema_with_descriptions() -> None:
    doc = explain.field_doc("Kafka.spec.kafka.template.pod.tolerations.operator")
    assert doc.type == "string"
    assert doc.description.startswith("Operator represents a key's relationship to the value")


def test_explain_goes_down_into_affinity() -> None:
    doc = explain.field_doc("KafkaNodePool.spec.template.pod.affinity.nodeAffinity")
    assert "requiredDuringSchedulingIgnoredDuringExecution" in doc.children


def test_additional_volumes_offer_only_the_sources_strimzi_allows() -> None:
    doc = explain.field_doc("KafkaNodePool.spec.template.pod.volumes")
    assert set(doc.children) == {"name", *kubetypes.ADDITIONAL_VOLUME_SOURCES}


def test_a_v1beta2_quantity_accepts_strimzis_old_object_form() -> None:
    v1beta2 = explain.field_doc("KafkaNodePool.spec.template.pod.volumes.emptyDir.sizeLimit", version="v1beta2")
    v1 = explain.field_doc("KafkaNodePool.spec.template.pod.volumes.emptyDir.sizeLimit")
    assert (v1beta2.type, v1.type) == ("any", "integer or string")


def test_a_typo_inside_a_kubernetes_type_is_a_warning_naming_the_field_meant() -> None:
    pool = {
        "apiVersion": "kafka.strimzi.io/v1",
        "kind": "KafkaNodePool",
        "metadata": {"name": "p", "labels": {"strimzi.io/cluster": "c"}},
        "spec": {
            "replicas": 1,
            "roles": ["broker"],
            "storage": {"type": "ephemeral"},
            "template": {"pod": {"tolerations": [{"key": "dedicated", "opertor": "Exists"}]}},
        },
    }
    [warning] = parse.parse_resource(pool).warnings
    assert warning.path == "spec.template.pod.tolerations[0].opertor"
    assert (warning.fix or "").startswith("did you mean operator?")


def test_kubernetes_descriptions_are_summaries() -> None:
    text = "Required. A list of node selector terms. The terms are ORed. More info: https://kubernetes.io"
    assert kubetypes.summary(text) == "Required. A list of node selector terms."
