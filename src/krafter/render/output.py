"""Rendered objects as YAML text: one multi-document stream, or one document per file.

Byte-stable: keys keep the order the renderer built them in (apiVersion, kind, metadata,
spec, as people write them), multi-line strings such as server.config and the start script
are literal blocks so diffs stay readable, and lines are never folded. libyaml's emitter is
used when PyYAML has it (ten times faster on large clusters); both emitters give the same
bytes for what Krafter renders, which the golden tests check.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml

from krafter.render.meta import Object


def _represent_str(dumper: Any, value: str) -> yaml.ScalarNode:
    node: yaml.ScalarNode = dumper.represent_scalar(
        "tag:yaml.org,2002:str", value, style="|" if "\n" in value else None
    )
    return node


class PythonDumper(yaml.SafeDumper):
    """Literal blocks for multi-line strings, no anchors/aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


PythonDumper.add_representer(str, _represent_str)
AnyDumper = type[yaml.SafeDumper] | type[yaml.CSafeDumper]
DUMPER: AnyDumper = PythonDumper

if yaml.__with_libyaml__:

    class FastDumper(yaml.CSafeDumper):
        """PythonDumper's behaviour on libyaml's emitter."""

        def ignore_aliases(self, data: Any) -> bool:
            return True

    FastDumper.add_representer(str, _represent_str)
    DUMPER = FastDumper


def to_yaml(obj: Any, *, dumper: AnyDumper = DUMPER) -> str:
    return yaml.dump(obj, Dumper=dumper, sort_keys=False, default_flow_style=False, width=1_000_000)


def to_yaml_stream(objects: Sequence[Object]) -> str:
    return "".join(f"---\n{to_yaml(obj)}" for obj in objects)


def file_name(obj: Object) -> str:
    """`<kind>-<name>.yaml`, kind in lower case (`pod-my-cluster-broker-0.yaml`)."""
    return f"{obj['kind'].lower()}-{obj['metadata']['name']}.yaml"
