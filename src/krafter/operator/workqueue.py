"""A coalescing work queue: many events for one cluster become one reconcile.

A watch can deliver dozens of events for one cluster in a second (every Pod, ConfigMap and
Secret it owns). Reconciles are level-based, so only *that* a key is dirty matters, not how
often: a key waits in the queue once, is never processed by two workers at a time, and a
key that becomes dirty while being processed runs again right after.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class WorkQueue(Generic[K]):
    def __init__(self) -> None:
        self._ready: asyncio.Queue[K] = asyncio.Queue()
        self._queued: set[K] = set()
        self._active: set[K] = set()
        self._dirty: set[K] = set()
        self._timers: dict[K, asyncio.TimerHandle] = {}
        self.added = 0

    def add(self, key: K, delay: float = 0.0) -> None:
        """Mark `key` dirty now, or after `delay` seconds (an earlier schedule wins)."""
        self.added += 1
        if delay > 0:
            loop = asyncio.get_running_loop()
            existing = self._timers.get(key)
            due = loop.time() + delay
            if existing is not None and existing.when() <= due:
                return
            if existing is not None:
                existing.cancel()
            self._timers[key] = loop.call_later(delay, self._fire, key)
            return
        if key in self._active:
            self._dirty.add(key)
        elif key not in self._queued:
            self._queued.add(key)
            self._ready.put_nowait(key)

    def _fire(self, key: K) -> None:
        self._timers.pop(key, None)
        self.add(key)

    async def get(self) -> K:
        key = await self._ready.get()
        self._queued.discard(key)
        self._active.add(key)
        return key

    def done(self, key: K) -> None:
        self._active.discard(key)
        if key in self._dirty:
            self._dirty.discard(key)
            self.add(key)

    def __len__(self) -> int:
        return len(self._queued)

    @property
    def depth(self) -> int:
        return len(self._queued) + len(self._timers)


class Heartbeat:
    """Liveness of the worker loop, for /healthz."""

    def __init__(self) -> None:
        self.last = time.monotonic()

    def beat(self) -> None:
        self.last = time.monotonic()

    def age(self) -> float:
        return time.monotonic() - self.last
