"""Parsing: every Strimzi example loads; bad input yields findings with paths, never a crash."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from krafter.api import parse
from krafter.api.errors import InvalidResource, Severity

pytestmark = pytest.mark.unit

DATA = Path(__file__).resolve().parents[1] / "data"
EXAMPLES = sorted((DATA / "strimzi-examples").rglob("*.yaml")) + sorted((DATA / "user-examples").rglob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p.relative_to(DATA)))
def test_every_example_file_parses(path: Path) -> None:
    loaded = parse.load_files([path])
    assert loaded.parsed or loaded.skipped or loaded.other


def test_current_examples_parse_without_warnings() -> None:
    current = [p for p in EXAMPLES if "legacy" not in str(p)]
    loaded = parse.load_files(current)
    assert [w.render() for item in loaded.parsed for w in item.warnings] == []


def test_unsupported_strimzi_kinds_are_skipped_with_a_reason() -> None:
    loaded = parse.load_files([DATA / "strimzi-examples" / "security" / "tls-auth" / "connect.yaml"])
    assert [(s.kind, s.reason) for s in loaded.skipped] == [
        ("KafkaConnect", "KafkaConnect is not supported by Krafter yet")
    ]
    assert [p.ref for p in loaded.parsed] == ["KafkaUser/my-connect"]


def test_plain_kubernetes_objects_are_kept_aside() -> None:
    loaded = parse.load_files([DATA / "strimzi-examples" / "metrics" / "kafka-metrics.yaml"])
    assert [doc["kind"] for doc in loaded.other] == ["ConfigMap"]


def test_unknown_field_is_a_warning_with_its_path() -> None:
    doc = {
        "apiVersion": "kafka.strimzi.io/v1",
        "kind": "KafkaTopic",
        "metadata": {"name": "t", "labels": {"strimzi.io/cluster": "c"}},
        "spec": {"partitions": 1, "retentionMs": 5},
    }
    parsed = parse.parse_resource(doc)
    assert [(w.path, w.severity) for w in parsed.warnings] == [("spec.retentionMs", Severity.WARNING)]


def test_v1beta2_only_field_in_a_v1_resource_is_a_warning() -> None:
    doc = {
        "apiVersion": "kafka.strimzi.io/v1",
        "kind": "Kafka",
        "metadata": {"name": "c"},
        "spec": {
            "kafka": {"replicas": 3, "listeners": [{"name": "plain", "port": 9092, "type": "internal", "tls": False}]}
        },
    }
    parsed = parse.parse_resource(doc)
    assert [(w.path, w.reason) for w in parsed.warnings] == [("spec.kafka.replicas", "DeprecatedFields")]


def test_yaml_syntax_error_names_the_line() -> None:
    with pytest.raises(InvalidResource, match="line 2"):
        parse.load_yaml("a: b\n  c: : d\n", "broken.yaml")


def test_all_errors_of_a_file_are_reported_together() -> None:
    docs = [
        {
            "apiVersion": "kafka.strimzi.io/v1",
            "kind": "KafkaTopic",
            "metadata": {"name": "a"},
            "spec": {"partitions": 0},
        },
        {
            "apiVersion": "kafka.strimzi.io/v1",
            "kind": "KafkaTopic",
            "metadata": {"name": "b"},
            "spec": {"replicas": "x"},
        },
    ]
    with pytest.raises(InvalidResource) as raised:
        parse.load(docs)
    assert [(f.resource, f.path) for f in raised.value.findings] == [
        ("KafkaTopic/a", "spec.partitions"),
        ("KafkaTopic/b", "spec.replicas"),
    ]


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30,
)
_kinds = st.sampled_from(["Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser", "Nope", None])
_fields = st.sampled_from(["spec", "kafka", "listeners", "storage", "type", "replicas", "authentication"])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    kind=_kinds,
    spec=st.dictionaries(_fields, _json, max_size=5),
    version=st.sampled_from(["kafka.strimzi.io/v1", "kafka.strimzi.io/v1beta2", "v1", 3]),
)
def test_arbitrary_input_never_raises_anything_but_invalid_resource(kind: object, spec: dict, version: object) -> None:
    doc = {"apiVersion": version, "kind": kind, "metadata": {"name": "x"}, "spec": spec}
    try:
        parse.parse_resource(doc)
    except InvalidResource as exc:
        problems = exc.findings
    else:
        return
    assert problems
    assert all(isinstance(f.path, str) for f in problems)


@settings(max_examples=200, deadline=None)
@given(doc=_json)
def test_arbitrary_documents_never_crash_the_loader(doc: object) -> None:
    with contextlib.suppress(InvalidResource):
        parse.load([doc])
