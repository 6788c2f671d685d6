"""The base every Strimzi-compatible model derives from, and the field markers it understands.

One model class per API concept serves both `v1` and `v1beta2`: fields that exist in only
one version carry a `versions` marker, which the CRD generator honours and the validator
turns into "this field belongs to another version" findings. Unknown fields are kept
(`extra="allow"`) so that parsing never fails on them; they are reported as warnings with
their path instead, as users of a 1-2 releases older or newer Strimzi will have some.
Descriptions are the attribute docstrings: the documentation lives next to the field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

API_GROUP = "kafka.strimzi.io"
V1 = "v1"
V1BETA2 = "v1beta2"
ALL_VERSIONS = (V1, V1BETA2)


@dataclass(frozen=True)
class Rule:
    """A rule across fields of one object, stated once for every place that enforces it.

    `cel` becomes an `x-kubernetes-validations` entry of the object's schema in the CRDs, so the
    API server refuses a violation at `kubectl apply`; `holds` is the same rule in Python, run by
    `validation` for `krafter lint`, `render`, `up`, `convert` and the operator's status. `cel` is
    None where the API server cannot check the rule (it needs other resources or would cost too
    much); `versions` limits the rule to some API versions.
    """

    holds: Callable[[Any], bool]
    """True when the object (an instance of the model declaring the rule) satisfies the rule."""
    message: str
    """What is wrong, in Strimzi's words where Strimzi has the rule."""
    field: str = ""
    """Path of the offending field relative to the object (empty: the object itself)."""
    fix: str | None = None
    """How to fix it, as one sentence."""
    cel: str | None = None
    """The rule as a CEL expression over `self` (the object), or None."""
    versions: tuple[str, ...] = ("v1", "v1beta2")
    """API versions whose schema carries the CEL rule."""


class Model(BaseModel):
    """A Strimzi API object: camelCase on the wire, snake_case in Python, immutable."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="allow",
        frozen=True,
        use_attribute_docstrings=True,
        serialize_by_alias=True,
        validate_by_name=True,
        validate_by_alias=True,
    )

    api_versions: ClassVar[tuple[str, ...]] = ALL_VERSIONS
    """API versions in which this variant exists (for union members such as `oauth`)."""

    rules: ClassVar[tuple[Rule, ...]] = ()
    """Rules across this object's fields (see `Rule`); union variants' rules are merged in the CRD."""

    def to_dict(self) -> dict[str, Any]:
        """The wire form: camelCase keys, unset and None fields left out."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_unset=True)


class OpenModel(Model):
    """An object whose unknown fields are legitimate (passed through, never warned about).

    Used for Kubernetes types Krafter forwards verbatim (affinity, tolerations, ...) and
    for deprecated Strimzi sections Krafter accepts but ignores; the CRD marks them with
    `x-kubernetes-preserve-unknown-fields` so the API server keeps what users wrote.
    """


def only_in(*versions: str, note: str | None = None) -> dict[str, Any]:
    """Field marker: this field exists only in the given API versions (see module docstring)."""
    marker: dict[str, Any] = {"versions": list(versions)}
    if note:
        marker["versionNote"] = note
    return marker


def required_in(*versions: str) -> dict[str, Any]:
    """Field marker: the CRD requires this field in the given API versions only (e.g. ACL
    `operations` in v1, where the single `operation` of v1beta2 is gone)."""
    return {"requiredIn": list(versions)}


def field_required_in(extra: Any) -> tuple[str, ...]:
    if isinstance(extra, Mapping) and "requiredIn" in extra:
        return tuple(extra["requiredIn"])
    return ()


def field_versions(extra: Any) -> tuple[str, ...]:
    if isinstance(extra, Mapping) and "versions" in extra:
        return tuple(extra["versions"])
    return ALL_VERSIONS


def Default(value: Any, **kwargs: Any) -> Any:
    """A field default that is also shown in the CRD and `krafter explain`."""
    return Field(default=value, **kwargs)


def iter_unknown_fields(value: Any, path: str = "") -> Iterator[tuple[str, tuple[str, ...]]]:
    """(path, the field names known there) of every field a user wrote that no model knows
    (never inside OpenModel); the known names let a warning suggest the intended one."""
    if isinstance(value, OpenModel):
        return
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        known = tuple(info.alias or name for name, info in fields.items())
        for key in value.model_extra or {}:
            yield (f"{path}.{key}" if path else key), known
        for name, field in fields.items():
            child = getattr(value, name)
            alias = field.alias or name
            yield from iter_unknown_fields(child, f"{path}.{alias}" if path else alias)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from iter_unknown_fields(item, f"{path}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, BaseModel):
                yield from iter_unknown_fields(item, f"{path}.{key}")
