"""A Krafter-planned local cluster for tests: the local platform started from a CR file.

Tests that need Krafter's real security setup (SCRAM and mTLS listeners, the ACL authorizer,
the operator's client certificate) use this instead of the plain harness cluster.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from krafter.api import cluster as assembly
from krafter.api import parse
from krafter.kafka.admin_types import ConnectionSettings
from krafter.platform.local import cluster as local


@dataclass
class LocalTestCluster:
    platform: local.LocalPlatform
    result: local.UpResult
    input: assembly.ClusterInput

    @property
    def name(self) -> str:
        return self.input.name

    def bootstrap(self, listener: str) -> str:
        return self.result.bootstrap(listener)

    @property
    def ca_file(self) -> str:
        return str(self.result.identity.ca_file)

    def admin_settings(self) -> ConnectionSettings:
        """Super-user access (the operator's certificate on the replication listener)."""
        return local.admin_settings(self.result.plan, self.result.identity)

    def stop(self) -> None:
        self.platform.down(self.name)


def start(path: Path, state_dir: Path, timeout: float = 240.0) -> LocalTestCluster:
    loaded = parse.load_files([path])
    clusters, _ = assembly.assemble(loaded)
    [cluster] = clusters
    documents = [d for d in parse.load_yaml(path.read_text(), str(path)) if isinstance(d, dict)]
    platform = local.LocalPlatform(state_dir)
    try:
        result = platform.up(cluster, documents, timeout=timeout)
    except BaseException:
        if platform.state(cluster.name).exists() or platform.state(cluster.name).node_pods():
            platform.down(cluster.name)  # never leave half a cluster running
        raise
    return LocalTestCluster(platform, result, cluster)
