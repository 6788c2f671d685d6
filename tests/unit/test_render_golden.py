"""`krafter render` output for every example equals its reviewed golden file (see tests/golden/README.md)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.unit


def _regenerate_module() -> ModuleType:
    # tests/ is not a package; load the regeneration script by path so both share one definition.
    path = Path(__file__).resolve().parents[1] / "golden" / "regenerate.py"
    spec = importlib.util.spec_from_file_location("krafter_golden_regenerate", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


golden = _regenerate_module()
EXAMPLES = golden.examples()


@pytest.mark.parametrize("example", EXAMPLES, ids=[str(e) for e in EXAMPLES])
def test_render_output_matches_golden_file(example: Path) -> None:
    path = golden.golden_path(example)
    assert path.exists(), f"no golden file for {example}: run `make golden`"
    assert golden.rendered(example) == path.read_text(), f"{example} renders differently: run `make golden`, review"


def test_every_golden_file_belongs_to_an_example() -> None:
    wanted = {golden.golden_path(example) for example in EXAMPLES}
    assert set(golden.GOLDEN.rglob("*.yaml")) == wanted


def test_golden_examples_cover_v1_legacy_and_crafted_clusters() -> None:
    names = {str(example) for example in EXAMPLES}
    assert "strimzi-examples/kafka/kafka-persistent.yaml" in names
    assert "strimzi-examples/legacy-0.45.0-zookeeper/kafka/kafka-persistent.yaml" in names
    assert "render-examples/kafka-all-features.yaml" in names
