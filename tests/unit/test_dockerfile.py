"""The operator image definition: non-root, the krafter entry point, no Kafka baked in.

No Docker engine runs on the build machines, so the image is checked as a file here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

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
