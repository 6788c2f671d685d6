"""Status conditions, with `lastTransitionTime` that only moves when a condition really changes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from krafter.api.errors import Finding, Severity


@dataclass(frozen=True)
class Condition:
    type: str
    status: str = "True"
    reason: str | None = None
    message: str | None = None

    def identity(self) -> tuple[str, str, str | None, str | None]:
        return (self.type, self.status, self.reason, self.message)


def timestamp(now: datetime) -> str:
    return now.strftime("%Y-%m-%dT%H:%M:%SZ")


def merge(
    previous: Sequence[Mapping[str, Any]] | None, wanted: Iterable[Condition], now: datetime
) -> list[dict[str, Any]]:
    """Wanted conditions as dicts; unchanged ones keep their previous lastTransitionTime."""
    before = {
        (c.get("type"), c.get("status"), c.get("reason"), c.get("message")): c.get("lastTransitionTime")
        for c in previous or []
    }
    result = []
    for condition in wanted:
        entry: dict[str, Any] = {"type": condition.type, "status": condition.status}
        entry["lastTransitionTime"] = before.get(condition.identity()) or timestamp(now)
        if condition.reason:
            entry["reason"] = condition.reason
        if condition.message:
            entry["message"] = condition.message
        result.append(entry)
    return result


def warnings_from(findings: Iterable[Finding]) -> list[Condition]:
    """One `Warning` condition per warning finding (Strimzi's shape: reason + message)."""
    seen = set()
    result = []
    for finding in findings:
        if finding.severity is not Severity.WARNING:
            continue
        message = finding.render()
        if message in seen:
            continue
        seen.add(message)
        result.append(Condition("Warning", "True", finding.reason, message))
    return result


def not_ready(reason: str, message: str) -> Condition:
    return Condition("NotReady", "True", reason, message)


def ready() -> Condition:
    return Condition("Ready", "True")
