"""Regenerate the golden render files: `make golden` (or `.venv/bin/python -m tests.golden.regenerate`).

Each golden file is exactly what `krafter render -f <example>` prints for one example file
that contains a Kafka. Review the diff of a regeneration like code: it is the change in
what Krafter would create on a cluster.
"""

from __future__ import annotations

from pathlib import Path

from krafter.api import parse
from krafter.cli.render_commands import render_loaded
from krafter.render import output

DATA = Path(__file__).resolve().parents[1] / "data"
GOLDEN = Path(__file__).resolve().parent / "render"
EXAMPLE_DIRS = (
    "strimzi-examples/kafka",
    "strimzi-examples/security",
    "strimzi-examples/metrics",
    "strimzi-examples/mirror-maker",
    "strimzi-examples/cruise-control",
    "strimzi-examples/legacy-0.45.0-zookeeper/kafka",
    "strimzi-examples/legacy-0.48.0-v1beta2-kraft/kafka",
    "render-examples",
)


def examples() -> list[Path]:
    """Every example file (relative to tests/data) that holds at least one Kafka."""
    found = []
    for directory in EXAMPLE_DIRS:
        for path in sorted((DATA / directory).rglob("*.yaml")):
            if parse.load_files([path]).of_kind("Kafka"):
                found.append(path.relative_to(DATA))
    return found


def golden_path(example: Path) -> Path:
    return GOLDEN / example


def rendered(example: Path) -> str:
    result = render_loaded(parse.load_files([DATA / example]))
    if result.failed:
        problems = "\n".join(f.render() for f in result.findings)
        raise AssertionError(f"{example} does not render:\n{problems}")
    return output.to_yaml_stream(result.objects)


def main() -> None:
    wanted = {golden_path(example) for example in examples()}
    for example in examples():
        path = golden_path(example)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = rendered(example)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            print(f"updated {path.relative_to(GOLDEN.parent.parent.parent)}")
    for stale in sorted(set(GOLDEN.rglob("*.yaml")) - wanted):
        stale.unlink()
        print(f"removed {stale.relative_to(GOLDEN.parent.parent.parent)}")


if __name__ == "__main__":
    main()
