"""The operator image definition: non-root, the krafter entry point, the metrics jars Kafka Pods copy.

No Docker engine runs on the build machines, so the image is checked as a file here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from krafter.render.pods import OPERATOR_IMAGE_METRICS_LIBS

pytestmark = pytest.mark.unit
DOCKERFILE = (Path(__file__).resolve().parents[2] / "Dockerfile").read_text()


def instructions() -> list[tuple[str, str]]:
    result = []
    for raw in DOCKERFILE.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            result.append((keyword.upper(), rest))
    return result


def test_final_stage_runs_as_a_non_root_user() -> None:
    users = [rest for keyword, rest in instructions() if keyword == "USER"]
    assert users
    assert users[-1] not in {"0", "root"}


def test_entry_point_is_krafter_and_default_command_the_operator() -> None:
    found = dict((k, v) for k, v in instructions() if k in {"ENTRYPOINT", "CMD"})
    assert found == {"ENTRYPOINT": '["krafter"]', "CMD": '["operator"]'}


def test_image_exposes_the_metrics_port_the_manifests_probe() -> None:
    assert ("EXPOSE", "8080") in instructions()


def test_image_carries_the_metrics_jars_where_kafka_pods_copy_them_from() -> None:
    copies = [rest for keyword, rest in instructions() if keyword == "COPY"]
    assert f"--from=metrics {OPERATOR_IMAGE_METRICS_LIBS} {OPERATOR_IMAGE_METRICS_LIBS}" in copies


def test_metrics_jars_come_from_the_committed_pom() -> None:
    copies = [rest for keyword, rest in instructions() if keyword == "COPY"]
    assert "src/krafter/kafka/metrics-libs.pom.xml /build/pom.xml" in copies
    assert (Path(__file__).resolve().parents[2] / "src/krafter/kafka/metrics-libs.pom.xml").is_file()


def test_the_chart_the_manifests_and_the_operator_name_one_image() -> None:
    import yaml

    from krafter._version import __version__
    from krafter.core import images
    from krafter.render.pods import DEFAULT_OPERATOR_IMAGE

    root = Path(__file__).resolve().parents[2]
    values = yaml.safe_load((root / "charts" / "krafter" / "values.yaml").read_text())
    chart = yaml.safe_load((root / "charts" / "krafter" / "Chart.yaml").read_text())
    manifests = (root / "install" / "operator" / "020-krafter-operator.yaml").read_text()
    assert values["image"]["repository"] == images.OPERATOR_REPOSITORY
    assert chart["appVersion"] == __version__
    assert DEFAULT_OPERATOR_IMAGE == images.operator_image() == f"{images.OPERATOR_REPOSITORY}:{__version__}"
    assert f"image: {images.operator_image()}" in manifests
