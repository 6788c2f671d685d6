"""What the local platform remembers about a cluster between runs, and where its files live.

Layout under `<state dir>/<cluster>/`:
  cluster.json        cluster id, port base, node ids per pool, founding controllers
  ca/                 cluster and clients CA (cert + key, generation numbers)
  operator/           Krafter's own client certificate (how the CLI talks to the cluster)
  users/<user>/       credentials of KafkaUsers (the local equivalent of their Secrets)
  nodes/<pod>/        config/, certs/, data/, run/, kafka.log, pid
Nothing here is needed to *plan*; it is what makes a second `krafter up` continue the same
cluster (same id, same node ids, same data) instead of creating a new one.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

from krafter.core import paths


@dataclass
class ClusterRecord:
    name: str
    cluster_id: str
    port_base: int
    kafka_version: str = ""
    node_ids: dict[str, list[int]] = field(default_factory=dict)
    founding_voters: list[int] | None = None
    port_blocks: dict[str, int] = field(default_factory=dict)
    """node id (as text: JSON keys) -> its block of 10 ports above port_base; kept for good."""


class ClusterState:
    """The directory of one local cluster."""

    def __init__(self, root: Path, name: str) -> None:
        self.base = root
        self.root = root / name
        self.name = name

    @classmethod
    def at(cls, name: str, state_dir: Path | None = None) -> ClusterState:
        return cls(state_dir or paths.state_dir(), name)

    @property
    def record_path(self) -> Path:
        return self.root / "cluster.json"

    def exists(self) -> bool:
        return self.record_path.exists()

    def load(self) -> ClusterRecord | None:
        if not self.record_path.exists():
            return None
        data = json.loads(self.record_path.read_text())
        return ClusterRecord(**data)

    def save(self, record: ClusterRecord) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        temporary = self.record_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(record), indent=2, sort_keys=True) + "\n")
        os.replace(temporary, self.record_path)

    @property
    def ca_dir(self) -> Path:
        return self.root / "ca"

    @property
    def operator_dir(self) -> Path:
        return self.root / "operator"

    def user_dir(self, user: str) -> Path:
        return self.root / "users" / user

    def node_dir(self, pod: str) -> Path:
        return self.root / "nodes" / pod

    def node_pods(self) -> list[str]:
        nodes = self.root / "nodes"
        return sorted(p.name for p in nodes.iterdir()) if nodes.is_dir() else []

    def delete(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def list_clusters(state_dir: Path | None = None) -> list[str]:
    root = state_dir or paths.state_dir()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "cluster.json").exists())
