"""Polling for tests against systems that converge asynchronously (API server, Kafka metadata)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
RETRYABLE: tuple[type[BaseException], ...] = (KeyError, AssertionError, StopIteration, LookupError, OSError)


def eventually(check: Callable[[], T], timeout: float = 60.0, interval: float = 0.3) -> T:
    """`check()`'s first truthy result; errors of the kinds a not-yet-converged system raises are retried."""
    from lightkube.core.exceptions import ApiError

    retryable: tuple[type[BaseException], ...] = (ApiError, *RETRYABLE)
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
            last = value
        except retryable as exc:
            last = exc
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s (last: {last!r})")
