"""Helpers for tests against real brokers.

Kafka's metadata (topics, configs, ACLs, SCRAM users, quotas) reaches each broker
asynchronously, so a read right after a write may show the old state: tests poll briefly
with `eventually` instead of sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import pytest

T = TypeVar("T")


def _eventually(read: Callable[[], T], accept: Callable[[T], bool], timeout: float = 15.0) -> T:
    """The first value of `read()` that `accept` takes, or the last one read when time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if accept(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


@pytest.fixture
def eventually() -> Callable[..., object]:
    return _eventually
