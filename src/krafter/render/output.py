"""Rendered objects as YAML text: one multi-document stream, or one document per file.

Byte-stable: keys keep the order the renderer built them in (apiVersion, kind, metadata,
spec, as people write them), multi-line strings such as server.config and the start script
are literal blocks so diffs stay readable, and lines are never folded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml

from krafter.render.meta import Object


class _Dumper(yaml.SafeDumper):
    """Literal blocks for multi-line strings; everything else as SafeDumper writes it."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def to_yaml(obj: Any) -> str:
    return yaml.dump(obj, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1_000_000)


def to_yaml_stream(objects: Sequence[Object]) -> str:
    return "".join(f"---\n{to_yaml(obj)}" for obj in objects)


def file_name(obj: Object) -> str:
    """`<kind>-<name>.yaml`, kind in lower case (`pod-my-cluster-broker-0.yaml`)."""
    return f"{obj['kind'].lower()}-{obj['metadata']['name']}.yaml"
