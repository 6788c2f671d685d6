"""Kubernetes API clients: from a kubeconfig or in-cluster, and a write counter for proving idempotency.

Every write the operator makes wakes every watcher of that object; the counter lets tests and
metrics show that an unchanged cluster costs none.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import httpx2
from lightkube import Client, KubeConfig

from krafter.platform.kubernetes.apply import FIELD_MANAGER

WRITE_METHODS = ("create", "apply", "patch", "replace", "delete", "deletecollection")


def make_client(kubeconfig: Path | None = None, context: str | None = None) -> Client:
    """A client from `kubeconfig` (or $KUBECONFIG / ~/.kube/config), else the in-cluster config."""
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
