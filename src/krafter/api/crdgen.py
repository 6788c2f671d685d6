"""openAPIV3Schema generation from Krafter's models: the CRDs are derived, never hand-written.

Kubernetes requires *structural* schemas (every node typed, `properties` and
`additionalProperties` never together, no `$ref`, no `oneOf` with types), which pydantic's
JSON Schema output is not; walking the model classes directly is shorter than repairing
that output. Discriminated unions (storage, authentication, ...) are flattened into one
object whose `type` enum lists every variant, as Strimzi's own CRDs do, so that
`kubectl explain` shows all options in one place.
"""

from __future__ import annotations

import enum
import types
import typing
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from krafter.api import kubetypes
from krafter.api.base import Model, OpenModel, Rule, field_required_in

Schema = dict[str, Any]
PRESERVE = "x-kubernetes-preserve-unknown-fields"
VALIDATIONS = "x-kubernetes-validations"
_SCALARS: dict[type, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}


def model_schema(model: type[BaseModel], version: str) -> Schema:
    """The structural schema of `model` as served in API `version`."""
    return _model(model, version, description=None)


def _description(model: type[BaseModel]) -> str | None:
    doc = model.__doc__
    if not doc or model.__module__.startswith("pydantic"):
        return None
    return " ".join(doc.split())


def _model(model: type[BaseModel], version: str, description: str | None) -> Schema:
    schema: Schema = {"type": "object"}
    text = description or _description(model)
    if text:
        schema["description"] = text
    if issubclass(model, OpenModel):
        schema[PRESERVE] = True
    properties: Schema = {}
    required: list[str] = []
    for name, field in model.model_fields.items():
        # Fields of the other version stay in the schema: with one storage version and no
        # conversion webhook, a field missing from the storage version's schema is pruned,
        # so a v1beta2 file's spec.kafka.replicas would vanish before Krafter could read it.
        # Parsing warns about them instead (`parse._version_field_warnings`).
        alias = field.alias or name
        properties[alias] = field_schema(field, version)
        if field.is_required() or version in field_required_in(field.json_schema_extra):
            required.append(alias)
    if properties:
        schema["properties"] = properties
    if required:
        schema["required"] = required
    validations = cel_rules(_rules_of(model), version)
    if validations:
        schema[VALIDATIONS] = validations
    return schema


def _rules_of(model: type[BaseModel]) -> tuple[Rule, ...]:
    return model.rules if issubclass(model, Model) else ()


def cel_rules(rules: typing.Iterable[Rule], version: str) -> list[dict[str, str]]:
    """The `x-kubernetes-validations` entries of these rules in API `version` (each CEL rule once)."""
    entries: list[dict[str, str]] = []
    for rule in rules:
        if rule.cel is None or version not in rule.versions:
            continue
        entry = {"rule": rule.cel, "message": rule.message}
        if rule.field:
            entry["fieldPath"] = "." + rule.field
        if entry not in entries:
            entries.append(entry)
    return entries


def field_schema(field: FieldInfo, version: str) -> Schema:
    kube = next((item for item in field.metadata if isinstance(item, kubetypes.KubeType)), None)
    annotation = typing.Annotated[field.annotation, kube] if kube is not None else field.annotation
    schema = _type(annotation, version)
    for constraint in field.metadata:
        _apply_constraint(schema, constraint)
    description = field.description
    if description:
        description = " ".join(description.split())
    default = _default(field)
    if default is not None and schema.get("type") in {"string", "integer", "number", "boolean"}:
        schema["default"] = default
        if description and "Default" not in description:
            description = f"{description} Default: {_show(default)}."
    if description:
        schema["description"] = description
    return schema


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _default(field: FieldInfo) -> Any:
    if field.is_required() or field.default_factory is not None:
        return None
    value = field.default
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (str, int, float, bool)):
        return value
    return None


def _apply_constraint(schema: Schema, constraint: Any) -> None:
    mapping = {
        "ge": "minimum",
        "le": "maximum",
        "pattern": "pattern",
        "min_length": "minLength" if schema.get("type") == "string" else "minItems",
        "max_length": "maxLength" if schema.get("type") == "string" else "maxItems",
    }
    for attribute, key in mapping.items():
        value = getattr(constraint, attribute, None)
        if value is not None:
            schema[key] = value
    if getattr(constraint, "gt", None) is not None:
        schema["minimum"] = constraint.gt
        schema["exclusiveMinimum"] = True


def _strip_optional(annotation: Any) -> Any:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
        return Union[tuple(args)]  # noqa: UP007 - rebuilding a union from parts
    return annotation


def _type(annotation: Any, version: str) -> Schema:
    annotation = _strip_optional(annotation)
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        inner, *metadata = get_args(annotation)
        kube = next((item for item in metadata if isinstance(item, kubetypes.KubeType)), None)
        if kube is not None:
            typed = kubetypes.schema(kube, version)
            if get_origin(_strip_optional(inner)) in (list, tuple):
                return {"type": "array", "items": typed}
            return typed
        schema = _type(inner, version)
        for item in metadata:
            if isinstance(item, FieldInfo):
                for constraint in item.metadata:
                    _apply_constraint(schema, constraint)
            else:
                _apply_constraint(schema, item)
        return schema
    if annotation is Any or annotation is object:
        return {PRESERVE: True}
    if annotation in _SCALARS:
        return {"type": _SCALARS[annotation]}
    if origin is Literal:
        values = list(get_args(annotation))
        return {"type": _SCALARS[type(values[0])], "enum": values}
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return {"type": "string", "enum": [member.value for member in annotation]}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model(annotation, version, description=None)
    if origin in (list, tuple, typing.Sequence, set, frozenset):
        (item,) = [a for a in get_args(annotation) if a is not Ellipsis][:1] or [Any]
        return {"type": "array", "items": _type(item, version)}
    if origin in (dict, typing.Mapping):
        _key, value = get_args(annotation)
        if value is Any:
            return {"type": "object", PRESERVE: True}
        return {"type": "object", "additionalProperties": _type(value, version)}
    if origin in (Union, types.UnionType):
        return _union(get_args(annotation), version)
    raise TypeError(f"no CRD schema mapping for {annotation!r}")


def _union(members: tuple[Any, ...], version: str) -> Schema:
    members = tuple(_strip_optional(m) for m in members)
    bare = [get_args(m)[0] if get_origin(m) is typing.Annotated else m for m in members]
    if sorted(map(str, bare)) == sorted(map(str, (int, str))):
        # int-or-string keeps the constraints of its string member (e.g. a quantity pattern).
        schema: Schema = {"x-kubernetes-int-or-string": True}
        for member in members:
            if get_origin(member) is typing.Annotated:
                constraints = {k: v for k, v in _type(member, version).items() if k != "type"}
                schema.update(constraints)
        return schema
    models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
    if len(models) != len(members):
        raise TypeError(f"cannot express union {members!r} structurally")
    models = [m for m in models if version in getattr(m, "api_versions", (version,))]
    return _flatten(models, version)


def _flatten(models: list[type[BaseModel]], version: str) -> Schema:
    """One object holding every variant's properties; `type` lists all variants."""
    merged: Schema = {"type": "object"}
    properties: Schema = {}
    required_sets: list[set[str]] = []
    type_values: list[Any] = []
    for model in models:
        schema = _model(model, version, description=None)
        for key, value in schema.get("properties", {}).items():
            if key == "type" and "enum" in value:
                type_values += [v for v in value["enum"] if v not in type_values]
            if key not in properties:
                properties[key] = dict(value)
        required_sets.append(set(schema.get("required", [])))
        if schema.get(PRESERVE):
            merged[PRESERVE] = True
    present_in_all = set.intersection(*(set(_model(m, version, None).get("properties", {})) for m in models))
    for key, value in properties.items():
        # A default on a property some variants lack would be written into the others.
        if key not in present_in_all:
            value.pop("default", None)
    if type_values and "type" in properties:
        properties["type"]["enum"] = type_values
        # Describe every variant under `type`, from each variant's docstring.
        described = []
        for model in models:
            tag = _model(model, version, None).get("properties", {}).get("type", {}).get("enum", [None])[0]
            doc = _description(model)
            if tag is not None:
                described.append(f"`{tag}`: {doc}" if doc else f"`{tag}`")
        properties["type"]["description"] = "One of: " + " ".join(d if d.endswith(".") else d + "." for d in described)
    merged["properties"] = properties
    validations = cel_rules([rule for model in models for rule in _rules_of(model)], version)
    if validations:
        merged[VALIDATIONS] = validations
    required = sorted(set.intersection(*required_sets)) if required_sets else []
    if required:
        merged["required"] = required
    return merged


def structural_problems(schema: Schema, path: str = "") -> list[str]:
    """Reasons the API server would reject this schema as non-structural (empty when fine)."""
    problems: list[str] = []
    if not schema.get("type") and not schema.get(PRESERVE) and not schema.get("x-kubernetes-int-or-string"):
        problems.append(f"{path or '<root>'}: no type")
    if "properties" in schema and "additionalProperties" in schema:
        problems.append(f"{path}: properties and additionalProperties together")
    for banned in ("$ref", "oneOf", "anyOf", "allOf", "uniqueItems", "patternProperties", "$schema"):
        if banned in schema:
            problems.append(f"{path}: uses {banned}")
    for key, child in schema.get("properties", {}).items():
        problems += structural_problems(child, f"{path}.{key}")
    if isinstance(schema.get("items"), dict):
        problems += structural_problems(schema["items"], f"{path}[]")
    if isinstance(schema.get("additionalProperties"), dict):
        problems += structural_problems(schema["additionalProperties"], f"{path}{{}}")
    return problems
