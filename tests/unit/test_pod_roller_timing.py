"""The Pod roller's only memory: how long a roll has been blocked, and warning about it once."""

from __future__ import annotations

from typing import Any

import pytest

from krafter.operator import pod_roller
from krafter.operator.pod_roller import WARN_AFTER_SECONDS, PodRoller
from krafter.roll.pods import Action, PodView

pytestmark = pytest.mark.unit


class NoCertificateYet:
    """Stands in for KafkaConnections before the operator certificate exists (Kafka is never asked)."""

    def connect(self, namespace: str, cluster: str) -> None:
        return None


class Plan:
    name = "c"
    namespace = "ns"


def views(outdated: bool = True) -> list[PodView]:
    return [PodView(0, "c-pool-0", True, True, True, False, True, ("node configuration changed",) if outdated else ())]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [1000.0]
    monkeypatch.setattr(pod_roller.time, "monotonic", lambda: now[0])
    return now


def roller() -> PodRoller:
    client: Any = None  # nothing is deleted while blocked
    return PodRoller(client, NoCertificateYet())  # type: ignore[arg-type]


def test_a_blocked_roll_is_reported_once_when_it_has_lasted_long_enough(clock: list[float]) -> None:
    rolling = roller()
    first = rolling.step(Plan(), views())  # type: ignore[arg-type]
    assert first.step.action is Action.BLOCKED
    assert "certificate does not exist yet" in first.step.message
    assert not first.warn
    clock[0] += WARN_AFTER_SECONDS
    assert rolling.step(Plan(), views()).warn  # type: ignore[arg-type]
    clock[0] += 30
    later = rolling.step(Plan(), views())  # type: ignore[arg-type]
    assert not later.warn
    assert later.blocked_for == WARN_AFTER_SECONDS + 30


def test_the_blocked_clock_restarts_after_the_roll_moves_on(clock: list[float]) -> None:
    rolling = roller()
    rolling.step(Plan(), views())  # type: ignore[arg-type]
    clock[0] += WARN_AFTER_SECONDS
    assert rolling.step(Plan(), views(outdated=False)).step.action is Action.NONE  # type: ignore[arg-type]
    again = rolling.step(Plan(), views())  # type: ignore[arg-type]
    assert again.blocked_for == 0
    assert not again.warn
