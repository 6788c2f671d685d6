"""Kubernetes API clients: from a kubeconfig or in-cluster, and a write counter for proving idempotency.

Every write the operator makes wakes every watcher of that object; the counter lets tests and
metrics show that an unchanged cluster costs none.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import httpx2
from lightkube import Client, KubeConfig
from lightkube.core import decoders

from krafter.platform.kubernetes import objects
from krafter.platform.kubernetes.apply import FIELD_MANAGER

WRITE_METHODS = ("create", "apply", "patch", "replace", "delete", "deletecollection")


_prepared: set[Any] = set()
_prepare_lock = threading.Lock()


def known_resources() -> list[Any]:
    """Every lightkube resource class imported so far, and Krafter's generic kinds."""
    found: list[Any] = [objects.generic(kind) for _group, _version, kind, _plural in objects.GENERIC_KINDS]
    for name, module in list(sys.modules.items()):
        if name.startswith("lightkube.resources.") and module is not None:
            found += [
                value for value in vars(module).values() if isinstance(value, type) and hasattr(value, "_api_info")
            ]
    return found


def prepare_decoding(resources: Iterable[Any] | None = None) -> None:
    """Build lightkube's response decoders before threads share them.

    msgspec (0.22.0, under lightkube 1.0.1) builds a type's decoding info on first use and
    evaluates annotations half-way, letting another thread read the half-built info: two
    threads decoding a kind for the first time at the same moment crash the whole process
    with a segfault (reproduced every time with 8 threads). Building every kind once, under
    a lock, before the workers start makes the later concurrent use read-only.
    """
    with _prepare_lock:
        for resource in known_resources() if resources is None else resources:
            if resource not in _prepared:
                _build(lambda r=resource: decoders.decode_list(b'{"items": []}', r))
                _build(lambda r=resource: decoders.decode_object(b"{}", r))
                _prepared.add(resource)
        _build(lambda: decoders.decode_status(b"{}"))


def _build(decode: Any) -> None:
    # "{}" lacks required fields of some kinds: the decoding info is built before that is found.
    with contextlib.suppress(Exception):
        decode()


def make_client(kubeconfig: Path | None = None, context: str | None = None) -> Client:
    """A client from `kubeconfig` (or $KUBECONFIG / ~/.kube/config), else the in-cluster config."""
    prepare_decoding()
    if kubeconfig is not None:
        config = KubeConfig.from_file(str(kubeconfig))
        return Client(config.get(context), field_manager=FIELD_MANAGER, timeout=httpx2.Timeout(30.0))
    return Client(field_manager=FIELD_MANAGER, timeout=httpx2.Timeout(30.0))


class CountingClient:
    """A Client proxy that counts write calls (create/apply/patch/replace/delete) by method."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self._lock = threading.Lock()
        self.writes: list[tuple[str, str]] = []

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name not in WRITE_METHODS:
            return attribute

        def counted(*args: Any, **kwargs: Any) -> Any:
            described = getattr(args[0], "__name__", type(args[0]).__name__) if args else "?"
            with self._lock:
                self.writes.append((name, described))
            return attribute(*args, **kwargs)

        return counted

    def reset(self) -> None:
        with self._lock:
            self.writes.clear()
