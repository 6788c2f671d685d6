"""Where Krafter keeps downloads, builds and local cluster state.

Heavy artefacts (Kafka's jars, kube-apiserver and etcd binaries) live outside the
repository so that a clone stays small and a second run is a cache hit.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """`$KRAFTER_CACHE`, else `$XDG_CACHE_HOME/krafter`, else `~/.cache/krafter`."""
    explicit = os.environ.get("KRAFTER_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "krafter"


def state_dir() -> Path:
    """`$KRAFTER_STATE`, else `$XDG_DATA_HOME/krafter`, else `~/.local/share/krafter`."""
    explicit = os.environ.get("KRAFTER_STATE")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "krafter"
