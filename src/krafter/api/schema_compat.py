"""Does our CRD schema accept everything another (Strimzi's) schema accepts?

`kubectl apply` validates fields strictly by default, so a field Strimzi serves but Krafter's
CRD lacks would turn a user's working file into an error. This compares two structural
schemas node by node and lists every place where ours is narrower.
"""

from __future__ import annotations

from typing import Any

PRESERVE = "x-kubernetes-preserve-unknown-fields"
INT_OR_STRING = "x-kubernetes-int-or-string"


def narrower_than(ours: dict[str, Any], theirs: dict[str, Any], path: str = "") -> list[str]:
    """Places where a value valid under `theirs` could be refused or pruned by `ours`."""
    problems: list[str] = []
    where = path or "<root>"
    their_type, our_type = theirs.get("type"), ours.get("type")
    if ours.get(INT_OR_STRING):
        if their_type not in (None, "integer", "string") and not theirs.get(INT_OR_STRING):
            problems.append(f"{where}: we take integer-or-string, they take {their_type}")
    elif our_type and (their_type or theirs.get(INT_OR_STRING)):
        compatible = our_type == their_type or (our_type == "number" and their_type == "integer")
        if theirs.get(INT_OR_STRING) or not compatible:
            problems.append(f"{where}: type {our_type} is narrower than {their_type or 'int-or-string'}")
    if "enum" in ours:
        missing = [v for v in theirs.get("enum", ["<any>"]) if v not in ours["enum"]]
        if missing:
            problems.append(f"{where}: enum lacks {missing}")
    if "minimum" in ours and ours["minimum"] > theirs.get("minimum", float("-inf")):
        problems.append(f"{where}: minimum {ours['minimum']} > theirs {theirs.get('minimum')}")
    if "maximum" in ours and ours["maximum"] < theirs.get("maximum", float("inf")):
        problems.append(f"{where}: maximum {ours['maximum']} < theirs {theirs.get('maximum')}")
    if "pattern" in ours and ours["pattern"] != theirs.get("pattern"):
        problems.append(f"{where}: pattern {ours['pattern']!r} differs from {theirs.get('pattern')!r}")
    extra_required = set(ours.get("required", [])) - set(theirs.get("required", []))
    if extra_required:
        problems.append(f"{where}: requires {sorted(extra_required)} which they do not")
    our_props = ours.get("properties", {})
    for key, their_child in theirs.get("properties", {}).items():
        child_path = f"{path}.{key}"
        if key in our_props:
            problems += narrower_than(our_props[key], their_child, child_path)
        elif isinstance(ours.get("additionalProperties"), dict):
            problems += narrower_than(ours["additionalProperties"], their_child, child_path)
        elif not ours.get(PRESERVE):
            problems.append(f"{child_path}: missing")
    if isinstance(theirs.get("additionalProperties"), dict):
        if isinstance(ours.get("additionalProperties"), dict):
            problems += narrower_than(ours["additionalProperties"], theirs["additionalProperties"], f"{path}{{}}")
        elif not ours.get(PRESERVE):
            problems.append(f"{where}: they allow arbitrary keys, we do not")
    if isinstance(theirs.get("items"), dict):
        if isinstance(ours.get("items"), dict):
            problems += narrower_than(ours["items"], theirs["items"], f"{path}[]")
        elif not ours.get(PRESERVE):
            problems.append(f"{where}: they allow a list here")
    if theirs.get(PRESERVE) and not ours.get(PRESERVE):
        problems.append(f"{where}: they preserve unknown fields here, we prune them")
    return problems
