"""The generated CRDs: current on disk, structural, and at least as permissive as Strimzi's."""

from __future__ import annotations

from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from krafter.api import crdgen, crds, schema_compat

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
STRIMZI = REPO / "tests" / "data" / "strimzi-crds"
STRIMZI_FILES = {
    "Kafka": "040-Crd-kafka",
    "KafkaTopic": "043-Crd-kafkatopic",
    "KafkaUser": "044-Crd-kafkauser",
    "KafkaNodePool": "045-Crd-kafkanodepool",
    "KafkaRebalance": "049-Crd-kafkarebalance",
}
SERVED = [("v1-1.2.0", "v1"), ("v1beta2-0.48.0", "v1beta2")]


def _strimzi_schema(kind: str, folder: str, version: str) -> dict:
    doc = yaml.safe_load((STRIMZI / folder / f"{STRIMZI_FILES[kind]}.yaml").read_text())
    return next(v for v in doc["spec"]["versions"] if v["name"] == version)["schema"]["openAPIV3Schema"]


def _our_schema(kind: str, version: str) -> dict:
    crd = crds.crd(crds.kind_info(kind))
    return next(v for v in crd["spec"]["versions"] if v["name"] == version)["schema"]["openAPIV3Schema"]


@pytest.mark.parametrize("folder", ["install/crds", "charts/krafter/crds"])
def test_committed_crds_match_the_models(folder: str) -> None:
    committed = {p.name: p.read_text() for p in (REPO / folder).glob("*.yaml")}
    assert committed == crds.crd_files(), f"{folder} is stale: run `make crds` and commit the result"


@pytest.mark.parametrize("kind", list(STRIMZI_FILES))
@pytest.mark.parametrize("version", ["v1", "v1beta2"])
def test_generated_schema_is_structural(kind: str, version: str) -> None:
    assert crdgen.structural_problems(_our_schema(kind, version)) == []


@pytest.mark.parametrize("kind", list(STRIMZI_FILES))
@pytest.mark.parametrize(("folder", "version"), SERVED)
def test_schema_accepts_everything_strimzi_accepts(kind: str, folder: str, version: str) -> None:
    assert schema_compat.narrower_than(_our_schema(kind, version), _strimzi_schema(kind, folder, version)) == []


def test_compatibility_check_notices_a_missing_field() -> None:
    theirs = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}}
    ours = {"type": "object", "properties": {"a": {"type": "string"}}}
    assert schema_compat.narrower_than(ours, theirs) == [".b: missing"]


def test_compatibility_check_notices_a_narrower_enum() -> None:
    theirs = {"type": "string", "enum": ["a", "b"]}
    assert schema_compat.narrower_than({"type": "string", "enum": ["a"]}, theirs) == ["<root>: enum lacks ['b']"]


@pytest.mark.parametrize("info", crds.KINDS, ids=lambda i: i.kind)
def test_crd_is_a_valid_kubernetes_object(info: crds.KindInfo) -> None:
    kubernetes_validate.validate(crds.crd(info), "1.36", strict=True)


def test_crds_carry_strimzi_short_names_and_scale_subresource() -> None:
    names = {info.kind: crds.crd(info)["spec"]["names"]["shortNames"] for info in crds.KINDS}
    assert names == {
        "Kafka": ["k"],
        "KafkaNodePool": ["knp"],
        "KafkaTopic": ["kt"],
        "KafkaUser": ["ku"],
        "KafkaRebalance": ["kr"],
    }
    pool = crds.crd(crds.kind_info("KafkaNodePool"))
    assert all("scale" in v["subresources"] for v in pool["spec"]["versions"])


def test_only_v1_is_the_storage_version() -> None:
    for info in crds.KINDS:
        versions = crds.crd(info)["spec"]["versions"]
        assert [v["name"] for v in versions if v["storage"]] == ["v1"]


def test_every_field_has_a_description() -> None:
    def undocumented(schema: dict, path: str) -> list[str]:
        missing: list[str] = []
        for key, child in schema.get("properties", {}).items():
            if not child.get("description") and key not in {"apiVersion", "kind", "metadata"}:
                missing.append(f"{path}.{key}")
            missing += undocumented(child, f"{path}.{key}")
        if isinstance(schema.get("items"), dict):
            missing += undocumented(schema["items"], f"{path}[]")
        return missing

    for info in crds.KINDS:
        for version in ("v1", "v1beta2"):
            assert undocumented(_our_schema(info.kind, version), info.kind) == []
