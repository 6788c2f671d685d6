"""`krafter render` and `krafter lint` from the command line."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from cryptography import x509

from krafter.cli.main import cli
from krafter.cli.render_commands import preview_cluster_id

pytestmark = pytest.mark.unit

DATA = Path(__file__).resolve().parents[1] / "data"
PERSISTENT = DATA / "strimzi-examples/kafka/kafka-persistent.yaml"
LEGACY = DATA / "strimzi-examples/legacy-0.45.0-zookeeper/kafka/kafka-persistent.yaml"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_render_prints_one_yaml_stream() -> None:
    code, out, _ = _run("render", "-f", str(PERSISTENT))
    documents = list(yaml.safe_load_all(out))
    assert code == 0
    assert len(documents) == 33
    assert {d["metadata"]["namespace"] for d in documents if d["kind"] != "ClusterRoleBinding"} == {"default"}


def test_render_output_is_identical_across_runs() -> None:
    assert _run("render", "-f", str(PERSISTENT))[1] == _run("render", "-f", str(PERSISTENT))[1]


def test_render_namespace_option_sets_the_namespace_and_the_advertised_names() -> None:
    _, out, _ = _run("render", "-f", str(PERSISTENT), "--namespace", "kafka")
    documents = list(yaml.safe_load_all(out))
    config = next(d for d in documents if d["kind"] == "ConfigMap")
    assert {d["metadata"]["namespace"] for d in documents} == {"kafka"}
    assert ".my-cluster-kafka-brokers.kafka.svc:9090" in config["data"]["server.config"]


def test_render_reads_legacy_files_through_the_conversion() -> None:
    code, out, err = _run("render", "-f", str(LEGACY))
    assert code == 0
    assert "LegacyResourceConverted" in err
    assert any(d["metadata"]["name"] == "my-cluster-kafka-0" for d in yaml.safe_load_all(out))


def test_render_writes_one_file_per_object_into_the_output_directory(tmp_path: Path) -> None:
    code, out, _ = _run("render", "-f", str(PERSISTENT), "--output", str(tmp_path / "out"))
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert code == 0
    assert out == ""
    assert len(files) == 33
    assert "pod-my-cluster-broker-0.yaml" in files
    assert (
        yaml.safe_load((tmp_path / "out" / "service-my-cluster-kafka-bootstrap.yaml").read_text())["kind"] == "Service"
    )


def test_render_refuses_invalid_input_without_output(tmp_path: Path) -> None:
    text = PERSISTENT.read_text().replace("port: 9093", "port: 9092")
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    code, out, err = _run("render", "-f", str(path))
    assert code == 1
    assert out == ""
    assert "spec.kafka.listeners[1].port" in err


def test_render_refuses_names_that_would_be_too_long(tmp_path: Path) -> None:
    long_name = "c" * 55
    path = tmp_path / "long.yaml"
    path.write_text(PERSISTENT.read_text().replace("my-cluster", long_name))
    code, out, err = _run("render", "-f", str(path))
    assert code == 1
    assert out == ""
    assert f"Kafka/{long_name}: metadata.name" in err
    assert "63" in err


def test_render_with_secrets_generates_real_certificates() -> None:
    code, out, _ = _run("render", "-f", str(PERSISTENT), "--with-secrets")
    secrets = {d["metadata"]["name"]: d for d in yaml.safe_load_all(out) if d["kind"] == "Secret"}
    keystore = base64.b64decode(secrets["my-cluster-broker-0"]["data"]["node.keystore.pem"])
    certificate = x509.load_pem_x509_certificates(keystore[keystore.index(b"-----BEGIN CERTIFICATE") :])[0]
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
        x509.DNSName
    )
    assert code == 0
    assert "my-cluster-broker-0.my-cluster-kafka-brokers.default.svc" in names
    assert "stringData" not in secrets["my-cluster-cluster-ca-cert"]


def test_preview_cluster_id_is_a_stable_kafka_uuid_per_namespace_and_name() -> None:
    assert preview_cluster_id("a", "b") == preview_cluster_id("a", "b")
    assert preview_cluster_id("a", "b") != preview_cluster_id("c", "b")
    assert len(base64.urlsafe_b64decode(preview_cluster_id("a", "b") + "==")) == 16


def test_lint_prints_warnings_and_exits_zero_without_errors() -> None:
    code, out, _ = _run("lint", str(PERSISTENT))
    assert code == 0
    assert "warning: KafkaNodePool/broker: spec.resources:" in out
    assert "[KafkaResources]" in out


def test_lint_exits_one_on_errors(tmp_path: Path) -> None:
    text = PERSISTENT.read_text().replace(
        "  roles:\n    - broker\n",
        "  roles:\n    - broker\n  resources:\n    limits:\n      memory: 1Gi\n  jvmOptions:\n    -Xmx: 1g\n",
    )
    path = tmp_path / "heap.yaml"
    path.write_text(text)
    code, out, _ = _run("lint", str(path))
    assert code == 1
    assert "error: KafkaNodePool/broker: spec.jvmOptions.-Xmx:" in out


def test_lint_reports_parse_errors_and_exits_one(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("kind: Kafka\napiVersion: kafka.strimzi.io/v1\nmetadata: {name: x}\nspec: {}\n")
    code, _, err = _run("lint", str(path))
    assert code == 1
    assert "spec.kafka" in err
