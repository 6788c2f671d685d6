"""Make the cluster's objects match the rendered ones: apply what differs, prune what is gone.

An unchanged cluster must cost zero writes (operators that patch on every resync burn API
server capacity and wake every watcher). So each desired object is compared with what the
API server holds, and only objects with a field that differs are server-side applied, under
one field manager. Pruning deletes only objects that carry Krafter's labels *and* an owner
reference to this Kafka, so nothing a user created by hand is ever touched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lightkube import Client
from lightkube.core.exceptions import ApiError

from krafter.platform.kubernetes import objects

FIELD_MANAGER = "krafter"
Key = tuple[str, str, str, str]


def key_of(obj: Mapping[str, Any]) -> Key:
    meta = obj["metadata"]
    return (obj["apiVersion"], obj["kind"], meta.get("namespace", ""), meta["name"])


def _scalar(value: Any) -> Any:
    # The API server normalises some scalars (resource quantities "1" vs 1, ports as ints).
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    return value


def is_subset(desired: Any, actual: Any) -> bool:
    """True when every field set in `desired` has the same value in `actual`.

    Fields the server adds (defaults, status, managedFields) are ignored; lists must match
    element by element, since for Kubernetes objects order is meaning (containers, ports).
    """
    if isinstance(desired, Mapping):
        if not isinstance(actual, Mapping):
            return False
        return all(is_subset(value, actual.get(key)) for key, value in desired.items() if value is not None)
    if isinstance(desired, list):
        if not isinstance(actual, list) or len(desired) != len(actual):
            return False
        return all(is_subset(d, a) for d, a in zip(desired, actual, strict=True))
    return bool(_scalar(desired) == _scalar(actual))


def _comparable(desired: Mapping[str, Any]) -> dict[str, Any]:
    """What to compare: Secrets compare `data`; `stringData` is write-only on the server."""
    result = dict(desired)
    if desired.get("kind") == "Secret" and "stringData" in desired:
        result.pop("stringData")
    return result


@dataclass
class ApplyReport:
    applied: list[Key] = field(default_factory=list)
    unchanged: list[Key] = field(default_factory=list)
    pruned: list[Key] = field(default_factory=list)
    failed: list[tuple[Key, str]] = field(default_factory=list)

    @property
    def writes(self) -> int:
        return len(self.applied) + len(self.pruned)


def apply_objects(
    client: Client,
    desired: Sequence[Mapping[str, Any]],
    observed: Mapping[Key, Mapping[str, Any]],
    *,
    skip: Callable[[Mapping[str, Any]], bool] = lambda _obj: False,
) -> ApplyReport:
    """Server-side apply every desired object that differs from `observed` (keyed by `key_of`)."""
    report = ApplyReport()
    for obj in desired:
        key = key_of(obj)
        current = observed.get(key)
        if current is not None and (skip(obj) or is_subset(_comparable(obj), current)):
            report.unchanged.append(key)
            continue
        try:
            client.apply(objects.to_resource(obj), field_manager=FIELD_MANAGER, force=True)
            report.applied.append(key)
        except ApiError as exc:
            report.failed.append((key, f"{exc.status.code} {exc.status.message}"))
    return report


def prune(
    client: Client,
    desired: Iterable[Mapping[str, Any]],
    observed: Mapping[Key, Mapping[str, Any]],
    *,
    owner_uid: str,
    keep: Callable[[Mapping[str, Any]], bool] = lambda _obj: False,
    report: ApplyReport,
) -> None:
    """Delete observed objects of ours (labels + owner reference) that are no longer desired."""
    wanted = {key_of(obj) for obj in desired}
    for key, obj in observed.items():
        if key in wanted or keep(obj):
            continue
        owners = obj.get("metadata", {}).get("ownerReferences") or []
        if not any(ref.get("uid") == owner_uid for ref in owners):
            continue
        try:
            objects.delete(client, obj)
            report.pruned.append(key)
        except ApiError as exc:
            if exc.status.code != 404:
                report.failed.append((key, f"{exc.status.code} {exc.status.message}"))
