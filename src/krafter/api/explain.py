"""`krafter explain`: the documentation of any field, straight from the models.

Users told us they cannot find which options exist or what their defaults are. This reads
the same generated schema the API server serves (so it agrees with `kubectl explain`), but
works without a cluster and also shows defaults and allowed values.
"""

from __future__ import annotations

import functools
import textwrap
from dataclasses import dataclass
from typing import Any

from krafter.api import crdgen
from krafter.api.base import V1
from krafter.api.crds import KINDS
from krafter.api.errors import Finding, InvalidResource


@dataclass(frozen=True)
class FieldDoc:
    path: str
    type: str
    description: str
    default: Any = None
    allowed: tuple[Any, ...] = ()
    required: bool = False
    children: tuple[str, ...] = ()


def _type_name(schema: dict[str, Any]) -> str:
    if schema.get("x-kubernetes-int-or-string"):
        return "integer or string"
    kind = schema.get("type")
    if kind == "array":
        return f"[]{_type_name(schema.get('items', {}))}"
    if kind == "object" and "additionalProperties" in schema:
        return f"map[string]{_type_name(schema['additionalProperties'])}"
    if kind is None and schema.get(crdgen.PRESERVE):
        return "any"
    return str(kind)


def _children(schema: dict[str, Any]) -> dict[str, Any]:
    if schema.get("type") == "array":
        schema = schema.get("items", {})
    return dict(schema.get("properties", {}))


def _lookup(path: str, version: str) -> tuple[str, dict[str, Any], bool]:
    kind, *parts = path.split(".")
    info = next((k for k in KINDS if k.kind.lower() == kind.lower() or kind.lower() in k.short_names), None)
    if info is None:
        known = ", ".join(k.kind for k in KINDS)
        raise InvalidResource([Finding("", f"unknown kind '{kind}'", f"use one of {known}")])
    schema = _schema(info.kind, version)
    required = True
    walked = info.kind
    for part in parts:
        children = _children(schema)
        if part not in children:
            options = ", ".join(children) or "none (this field has no sub-fields)"
            raise InvalidResource([Finding(f"{walked}.{part}", "no such field", f"fields of {walked} are: {options}")])
        parent = schema.get("items", schema) if schema.get("type") == "array" else schema
        required = part in parent.get("required", [])
        schema = children[part]
        walked = f"{walked}.{part}"
    return walked, schema, required


@functools.cache
def _schema(kind: str, version: str) -> dict[str, Any]:
    """Built once per kind and version: with the Kubernetes types in it a schema is large, and a
    recursive explain looks up every field (never modified by the callers)."""
    info = next(k for k in KINDS if k.kind == kind)
    return crdgen.model_schema(info.model, version)


def field_doc(path: str, version: str = V1) -> FieldDoc:
    """Documentation of `Kind.field.subfield` (e.g. `Kafka.spec.kafka.listeners`)."""
    walked, schema, required = _lookup(path, version)
    return FieldDoc(
        path=walked,
        type=_type_name(schema),
        description=schema.get("description", ""),
        default=schema.get("default"),
        allowed=tuple(schema.get("enum", ())),
        required=required,
        children=tuple(_children(schema)),
    )


def _format_one(doc: FieldDoc, indent: int = 0) -> list[str]:
    pad = " " * indent
    flags = " (required)" if doc.required else ""
    lines = [f"{pad}{doc.path.rsplit('.', 1)[-1]} <{doc.type}>{flags}"]
    body = doc.description or "(no description)"
    lines += textwrap.wrap(body, width=96, initial_indent=pad + "  ", subsequent_indent=pad + "  ")
    if doc.allowed:
        lines.append(f"{pad}  Allowed: {', '.join(str(a) for a in doc.allowed)}")
    if doc.default is not None:
        lines.append(f"{pad}  Default: {doc.default}")
    return lines


def explain(path: str, *, recursive: bool = False, version: str = V1) -> str:
    """Human-readable documentation, like `kubectl explain` plus defaults and allowed values."""
    doc = field_doc(path, version)
    lines = [f"KIND:     {doc.path.split('.')[0]}", f"VERSION:  kafka.strimzi.io/{version}", ""]
    lines.append(f"FIELD:    {doc.path} <{doc.type}>{' (required)' if doc.required else ''}")
    lines.append("")
    lines.append("DESCRIPTION:")
    lines += textwrap.wrap(doc.description or "(no description)", width=96, initial_indent="  ", subsequent_indent="  ")
    if doc.allowed:
        lines.append(f"  Allowed: {', '.join(str(a) for a in doc.allowed)}")
    if doc.default is not None:
        lines.append(f"  Default: {doc.default}")
    if doc.children:
        lines += ["", "FIELDS:"]
        lines += _fields(doc.path, version, recursive, indent=2)
    return "\n".join(lines) + "\n"


def _fields(path: str, version: str, recursive: bool, indent: int) -> list[str]:
    lines: list[str] = []
    for child in field_doc(path, version).children:
        child_doc = field_doc(f"{path}.{child}", version)
        lines += _format_one(child_doc, indent)
        if recursive and child_doc.children:
            lines += _fields(child_doc.path, version, recursive, indent + 4)
        lines.append("")
    return lines
