"""Findings about user input: what is wrong, where (a field path), and how to fix it.

One type for every validation result, from YAML syntax to cross-resource rules, so the CLI,
the operator's status conditions and events, and `krafter lint` all say the same thing.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from krafter.core.errors import KrafterError


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    path: str
    """Field path in the resource, e.g. `spec.kafka.listeners[1].port` (empty: the whole resource)."""
    message: str
    """What is wrong."""
    fix: str | None = None
    """What to change, as one sentence."""
    severity: Severity = Severity.ERROR
    reason: str = "InvalidResource"
    """CamelCase reason for status conditions and events."""
    resource: str | None = None
    """`Kind/name` the finding is about, when several resources are checked together."""

    def render(self) -> str:
        where = f"{self.resource}: " if self.resource else ""
        field = f"{self.path}: " if self.path else ""
        fix = f" Fix: {self.fix}" if self.fix else ""
        return f"{where}{field}{self.message}.{fix}".replace("..", ".")

    def about(self, resource: str) -> Finding:
        return Finding(self.path, self.message, self.fix, self.severity, self.reason, resource)


def errors(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.ERROR]


def warnings(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.WARNING]


class InvalidResource(KrafterError):
    """Input that cannot be used; carries every error found, not just the first."""

    def __init__(self, findings: Iterable[Finding]) -> None:
        self.findings = tuple(findings)
        super().__init__("\n".join(f.render() for f in self.findings))
