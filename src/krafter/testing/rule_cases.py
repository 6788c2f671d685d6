"""The Strimzi-rules case table (tests/data/strimzi-rules/cases.yaml), shared by the unit tier
(lint) and the kube tier (the real API server), so both read each case the same way."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml

TABLE_PATH = Path(__file__).resolve().parents[3] / "tests" / "data" / "strimzi-rules" / "cases.yaml"


def load_table() -> dict[str, Any]:
    return dict(yaml.safe_load(TABLE_PATH.read_text()))


def patched(table: dict[str, Any], case: dict[str, Any]) -> dict[str, Any]:
    """The case's base resource with its `set` paths applied (null deletes)."""
    doc: dict[str, Any] = copy.deepcopy(table["bases"][case["base"]])
    for path, value in (case.get("set") or {}).items():
        parts: list[Any] = [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", path)]
        target: Any = doc
        for part in parts[:-1]:
            target = target[part] if isinstance(part, int) else target.setdefault(part, {})
        if value is None:
            target.pop(parts[-1], None)
        else:
            target[parts[-1]] = copy.deepcopy(value)
    return doc
