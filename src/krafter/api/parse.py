"""The one way into Krafter for user input: YAML or dicts -> typed resources, or findings.

The CLI, the operator and the local platform all parse through here, so a file gets the same
verdict everywhere. Nothing but `InvalidResource` escapes for bad input, whatever its shape.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic
import yaml
from pydantic_core import ErrorDetails

from krafter.api import crdgen, validation
from krafter.api.base import (
    ALL_VERSIONS,
    API_GROUP,
    V1,
    V1BETA2,
    Model,
    OpenModel,
    field_versions,
    iter_unknown_fields,
)
from krafter.api.errors import Finding, InvalidResource, Severity, errors
from krafter.api.kafka import Kafka
from krafter.api.nodepool import KafkaNodePool
from krafter.api.topic import KafkaTopic
from krafter.api.user import KafkaUser

Resource = Kafka | KafkaNodePool | KafkaTopic | KafkaUser
MODELS: dict[str, type[Resource]] = {
    "Kafka": Kafka,
    "KafkaNodePool": KafkaNodePool,
    "KafkaTopic": KafkaTopic,
    "KafkaUser": KafkaUser,
}
# Strimzi kinds Krafter does not run (yet): files containing them still load, with a note.
KNOWN_UNSUPPORTED = {
    "KafkaConnect",
    "KafkaConnector",
    "KafkaMirrorMaker2",
    "KafkaMirrorMaker",
    "KafkaBridge",
    "KafkaRebalance",
    "StrimziPodSet",
}


@dataclass(frozen=True)
class Parsed:
    resource: Resource
    version: str
    """The API version the user wrote (`v1` or `v1beta2`)."""
    warnings: tuple[Finding, ...] = ()
    source: str | None = None

    @property
    def kind(self) -> str:
        return self.resource.kind

    @property
    def name(self) -> str:
        return self.resource.metadata.name or ""

    @property
    def ref(self) -> str:
        return f"{self.kind}/{self.name}"


@dataclass(frozen=True)
class Skipped:
    kind: str
    name: str
    reason: str
    source: str | None = None


@dataclass
class Loaded:
    """Everything read from a set of files."""

    parsed: list[Parsed] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    other: list[dict[str, Any]] = field(default_factory=list)
    """Plain Kubernetes objects from the same files (ConfigMaps for metrics or logging, Secrets)."""

    def of_kind(self, kind: str) -> list[Parsed]:
        return [p for p in self.parsed if p.kind == kind]


def resource_ref(doc: Mapping[str, Any]) -> str:
    metadata = doc.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    return f"{doc.get('kind', '?')}/{name or '?'}"


def parse_resource(doc: Any, *, source: str | None = None) -> Parsed:
    """One resource document -> typed model plus warnings; bad input raises InvalidResource."""
    if not isinstance(doc, Mapping):
        raise InvalidResource(
            [
                Finding(
                    "",
                    f"expected a mapping with apiVersion, kind, metadata and spec, got {type(doc).__name__}",
                )
            ]
        )
    ref = resource_ref(doc)
    kind = doc.get("kind")
    model = MODELS.get(kind) if isinstance(kind, str) else None
    if model is None:
        known = ", ".join(MODELS)
        raise InvalidResource(
            [Finding("kind", f"kind {kind!r} is not a Krafter resource", f"use one of {known}", resource=ref)]
        )
    version = _api_version(doc, ref)
    try:
        resource = model.model_validate(dict(doc))
    except pydantic.ValidationError as exc:
        raise InvalidResource([_finding(e, doc, ref) for e in exc.errors()]) from None
    metadata_findings = _metadata_findings(resource, ref)
    if metadata_findings:
        raise InvalidResource(metadata_findings)
    warnings = [*_unknown_field_warnings(resource, ref), *_version_field_warnings(resource, version, ref)]
    return Parsed(resource, version, tuple(warnings), source)


def _api_version(doc: Mapping[str, Any], ref: str) -> str:
    api_version = doc.get("apiVersion")
    group, _, version = str(api_version).rpartition("/")
    if group != API_GROUP or version not in ALL_VERSIONS:
        served = " or ".join(f"{API_GROUP}/{v}" for v in ALL_VERSIONS)
        raise InvalidResource(
            [
                Finding(
                    "apiVersion",
                    f"apiVersion {api_version!r} is not served",
                    f"use {served} (`krafter convert` rewrites older files)",
                    resource=ref,
                )
            ]
        )
    return version


def _metadata_findings(resource: Resource, ref: str) -> list[Finding]:
    name = resource.metadata.name
    if not name:
        return [Finding("metadata.name", "is required", "give the resource a name", resource=ref)]
    if not _is_dns_label(name, 63 if resource.kind in {"Kafka", "KafkaNodePool"} else 253):
        return [
            Finding(
                "metadata.name",
                f"'{name}' is not a valid name",
                "use lowercase letters, digits and '-', starting and ending with a letter or digit",
                resource=ref,
            )
        ]
    return []


def _is_dns_label(name: str, limit: int) -> bool:
    allowed = set("abcdefghijklmnopqrstuvwxyz0123456789-.")
    return 0 < len(name) <= limit and set(name) <= allowed and name[0].isalnum() and name[-1].isalnum()


def _unknown_field_warnings(resource: Resource, ref: str) -> list[Finding]:
    unknown = [*iter_unknown_fields(resource), *_unknown_kubernetes_fields(resource)]
    return [
        Finding(
            path,
            "unknown field, ignored",
            _spelling_fix(path, known),
            Severity.WARNING,
            "UnknownFields",
            ref,
        )
        for path, known in unknown
        if not path.startswith(("metadata.", "status."))
    ]


def _unknown_kubernetes_fields(value: Any, path: str = "") -> list[tuple[str, tuple[str, ...]]]:
    """Unknown keys inside the Kubernetes types users write verbatim (affinity, tolerations, ...),
    found with the same schema the CRD has, so `krafter lint` flags the typo `kubectl apply` refuses."""
    found: list[tuple[str, tuple[str, ...]]] = []
    if isinstance(value, OpenModel) or not isinstance(value, Model):
        if isinstance(value, (list, tuple)):
            for index, item in enumerate(value):
                found += _unknown_kubernetes_fields(item, f"{path}[{index}]")
        return found
    for name, info in type(value).model_fields.items():
        child = getattr(value, name)
        if child is None:
            continue
        child_path = f"{path}.{(info.alias or name)}" if path else info.alias or name
        if isinstance(child, (dict, list)) and not _holds_models(child):
            found += _unknown_keys(child, _field_schema(type(value), name), child_path)
        else:
            found += _unknown_kubernetes_fields(child, child_path)
    return found


def _holds_models(value: dict[str, Any] | list[Any]) -> bool:
    items = value.values() if isinstance(value, dict) else value
    return any(isinstance(item, Model) for item in items)


@functools.cache
def _field_schema(model: type[Model], name: str) -> dict[str, Any]:
    return crdgen.field_schema(model.model_fields[name], V1)


def _unknown_keys(value: Any, schema: dict[str, Any], path: str) -> list[tuple[str, tuple[str, ...]]]:
    if schema.get(crdgen.PRESERVE):
        return []
    found: list[tuple[str, tuple[str, ...]]] = []
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            found += _unknown_keys(item, schema["items"], f"{path}[{index}]")
    elif isinstance(value, dict) and "properties" in schema:
        known = tuple(schema["properties"])
        for key, item in value.items():
            if key in schema["properties"]:
                found += _unknown_keys(item, schema["properties"][key], f"{path}.{key}")
            else:
                found.append((f"{path}.{key}", known))
    elif isinstance(value, dict) and isinstance(schema.get("additionalProperties"), dict):
        for key, item in value.items():
            found += _unknown_keys(item, schema["additionalProperties"], f"{path}.{key}")
    return found


def _spelling_fix(path: str, known: Sequence[str]) -> str:
    """`did you mean topologyKey?` when a known field is close to the unknown one."""
    name = path.rpartition(".")[2]
    by_lower = {k.lower(): k for k in known}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.75)
    if close:
        return f"did you mean {by_lower[close[0]]}? (`krafter explain` lists the fields)"
    return "check the spelling against `krafter explain`"


_OLDER_VERSIONS = ("v1alpha1", "v1beta1")
"""KafkaTopic and KafkaUser versions `krafter convert` still reads (their shape never changed)."""


def wrong_api_version(doc: Mapping[str, Any]) -> Finding | None:
    """A Krafter kind under an API group or version Strimzi never served, e.g. `kafka.strimzi.com/v1`
    or `kafka.strimzi.io/v1alpha1` for a Kafka; None when the apiVersion is served or the document
    plainly belongs to another product (Confluent's `platform.confluent.io` Kafka, say)."""
    kind = doc.get("kind")
    if not isinstance(kind, str) or kind not in MODELS:
        return None
    api_version = str(doc.get("apiVersion", ""))
    group, _, version = api_version.rpartition("/")
    served = " or ".join(f"{API_GROUP}/{v}" for v in ALL_VERSIONS)
    ref = resource_ref(doc)
    if group == API_GROUP:
        if version in ALL_VERSIONS:
            return None
        convertible = version == V1BETA2 or (kind in ("KafkaTopic", "KafkaUser") and version in _OLDER_VERSIONS)
        return Finding(
            "apiVersion",
            f"apiVersion {api_version!r} is not served for {kind}",
            f"run `krafter convert` on this file to get {API_GROUP}/{V1}"
            if convertible
            else f"rewrite it as {API_GROUP}/{V1} (`krafter convert` reads {kind} from {V1BETA2} on)",
            resource=ref,
        )
    similar = difflib.SequenceMatcher(None, group, API_GROUP).ratio() >= 0.75
    if "strimzi" not in group and not similar:
        return None
    return Finding(
        "apiVersion",
        f"{group!r} is not Strimzi's API group, so no Strimzi or Krafter operator would read this {kind}",
        f"did you mean {API_GROUP}/{version if version in ALL_VERSIONS else V1}? (served: {served})",
        resource=ref,
    )


def _version_field_warnings(value: Any, version: str, ref: str, path: str = "") -> list[Finding]:
    """Fields the user set that exist only in the other API version."""
    found: list[Finding] = []
    if isinstance(value, Model):
        for name, info in type(value).model_fields.items():
            child = getattr(value, name)
            if child is None:
                continue
            alias = info.alias or name
            child_path = f"{path}.{alias}" if path else alias
            allowed = field_versions(info.json_schema_extra)
            if version not in allowed:
                extra = info.json_schema_extra if isinstance(info.json_schema_extra, Mapping) else {}
                note = extra.get("versionNote") or f"it exists only in {', '.join(allowed)}"
                found.append(
                    Finding(
                        child_path,
                        f"field not in {API_GROUP}/{version} ({note})",
                        "run `krafter convert` to get current v1 resources",
                        Severity.WARNING,
                        "DeprecatedFields",
                        ref,
                    )
                )
            found += _version_field_warnings(child, version, ref, child_path)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found += _version_field_warnings(item, version, ref, f"{path}[{index}]")
    return found


def _path(loc: Sequence[int | str], data: Any) -> str:
    """A user-facing field path from a pydantic error location, skipping union tags."""
    text = ""
    current = data
    for element in loc:
        if isinstance(element, int) and isinstance(current, list):
            text += f"[{element}]"
            current = current[element] if 0 <= element < len(current) else None
            continue
        key = str(element)
        if isinstance(current, Mapping) and key not in current and current.get("type") == key:
            continue  # the discriminator tag pydantic inserts for tagged unions
        text += f".{key}" if text else key
        current = current.get(key) if isinstance(current, Mapping) else None
    return text


def _finding(error: ErrorDetails, doc: Mapping[str, Any], ref: str) -> Finding:
    kind = error["type"]
    path = _path(error["loc"], doc)
    got = error.get("input")
    message = error["msg"]
    if message.startswith("Input should be "):
        message = "must be " + message.removeprefix("Input should be ")
    fix: str | None = None
    if kind == "missing":
        message, fix = "is required", "add this field"
    elif kind == "union_tag_invalid":
        context = error.get("ctx") or {}
        path = f"{path}.{context.get('discriminator', 'type').strip(chr(39))}" if path else "type"
        message = f"type {context.get('tag')!r} is not supported"
        fix = f"use one of {context.get('expected_tags')}"
    elif kind == "union_tag_not_found":
        context = error.get("ctx") or {}
        path = f"{path}.type" if path else "type"
        message, fix = "is required", "set `type` to choose the variant (see `krafter explain`)"
    else:
        fix = _FIXES.get(kind, lambda _ctx: None)(error.get("ctx") or {})
        if got is not None and not isinstance(got, (Mapping, list)):
            message = f"{message} (got {got!r})"
    return Finding(path, message, fix, resource=ref)


_FIXES: dict[str, Any] = {
    "greater_than_equal": lambda ctx: f"use {ctx.get('ge')} or more",
    "less_than_equal": lambda ctx: f"use at most {ctx.get('le')}",
    "string_pattern_mismatch": lambda ctx: f"match the pattern {ctx.get('pattern')}",
    "literal_error": lambda ctx: f"use one of {ctx.get('expected')}",
    "enum": lambda ctx: f"use one of {ctx.get('expected')}",
    "int_parsing": lambda _ctx: "write a whole number",
    "int_type": lambda _ctx: "write a whole number",
    "bool_parsing": lambda _ctx: "write true or false",
    "bool_type": lambda _ctx: "write true or false",
    "too_short": lambda ctx: f"give at least {ctx.get('min_length')}",
    "string_type": lambda _ctx: "write a string (quote it in YAML)",
    "dict_type": lambda _ctx: "write a mapping (key: value lines)",
    "list_type": lambda _ctx: "write a list (lines starting with '- ')",
    "quantity": lambda _ctx: "write a number with an optional suffix, e.g. 500m, 2 or 4Gi",
}


def load_yaml(text: str, source: str | None = None) -> list[Any]:
    """All documents of a YAML stream (empty ones dropped); syntax errors become findings."""
    try:
        return [doc for doc in yaml.safe_load_all(text) if doc is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InvalidResource(
            [Finding("", f"{source or 'input'} is not valid YAML{where}: {problem}", resource=source)]
        ) from None


def _is_plain_kubernetes(doc: Mapping[str, Any]) -> bool:
    """Not a Strimzi resource at all: e.g. `v1` ConfigMap or `apps/v1` Deployment."""
    api_version = doc.get("apiVersion")
    if not isinstance(api_version, str) or not isinstance(doc.get("kind"), str):
        return False
    group = api_version.rpartition("/")[0]
    return not group.endswith("strimzi.io")


def load(documents: Iterable[Any], source: str | None = None) -> Loaded:
    """Parse every document; unsupported Strimzi kinds are skipped, all errors raised together."""
    loaded = Loaded()
    problems: list[Finding] = []
    for doc in documents:
        kind = doc.get("kind") if isinstance(doc, Mapping) else None
        refusal = wrong_api_version(doc) if isinstance(doc, Mapping) else None
        if refusal is not None:
            problems.append(refusal)
            continue
        if isinstance(doc, Mapping) and _is_plain_kubernetes(doc):
            loaded.other.append(dict(doc))
            continue
        if isinstance(kind, str) and kind in KNOWN_UNSUPPORTED:
            name = resource_ref(doc).split("/", 1)[1]
            loaded.skipped.append(Skipped(kind, name, f"{kind} is not supported by Krafter yet", source))
            continue
        try:
            parsed = parse_resource(doc, source=source)
        except InvalidResource as exc:
            problems += exc.findings
            continue
        # Files say which version they were written in: its own rules apply (the operator, which
        # reads everything through v1, leaves those to the API server).
        problems += errors(validation.written_version_findings(parsed.resource, parsed.version))
        loaded.parsed.append(parsed)
    if problems:
        raise InvalidResource(problems)
    return loaded


def load_files(paths: Iterable[str | Path]) -> Loaded:
    """Every resource in the given YAML files (errors from all files reported together)."""
    merged = Loaded()
    problems: list[Finding] = []
    for path in paths:
        source = str(path)
        try:
            text = Path(path).read_text()
        except OSError as exc:
            problems.append(Finding("", f"cannot read {source}: {exc.strerror}", resource=source))
            continue
        try:
            loaded = load(load_yaml(text, source), source)
        except InvalidResource as exc:
            problems += [f if f.resource else f.about(source) for f in exc.findings]
            continue
        merged.parsed += loaded.parsed
        merged.skipped += loaded.skipped
        merged.other += loaded.other
    if problems:
        raise InvalidResource(problems)
    return merged


__all__ = [
    "MODELS",
    "V1",
    "V1BETA2",
    "Loaded",
    "Parsed",
    "Resource",
    "Skipped",
    "load",
    "load_files",
    "parse_resource",
]
