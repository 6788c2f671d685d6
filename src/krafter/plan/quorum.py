"""The KRaft controller quorum: who votes, how nodes find it, and how it is first formed.

Krafter uses Kafka 4's dynamic quorum (KIP-853): nodes find the controllers through
`controller.quorum.bootstrap.servers`, and the founding voters are written into storage
once with `--initial-controllers id@host:port:directoryId`. That string must be identical on
every founding controller, so directory ids are derived from the cluster id and node id
rather than drawn at random: replanning always yields the same value.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence

from krafter.plan.model import QuorumPlan
from krafter.plan.profile import Endpoint


def directory_id(cluster_id: str, node_id: int) -> str:
    """A stable Kafka Uuid for a node's metadata log dir."""
    counter = 0
    while True:
        digest = hashlib.sha256(f"krafter/{cluster_id}/{node_id}/{counter}".encode()).digest()[:16]
        text = base64.urlsafe_b64encode(digest).decode().rstrip("=")
        if not text.startswith("-"):  # would read as a command-line option
            return text
        counter += 1


def plan_quorum(cluster_id: str, controllers: Sequence[tuple[int, Endpoint]], founding: Sequence[int]) -> QuorumPlan:
    """`controllers`: (node id, controller endpoint) of every controller in the plan."""
    ordered = sorted(controllers)
    bootstrap = ",".join(str(endpoint) for _, endpoint in ordered)
    initial = ",".join(
        f"{node_id}@{endpoint.host}:{endpoint.port}:{directory_id(cluster_id, node_id)}"
        for node_id, endpoint in ordered
        if node_id in founding
    )
    return QuorumPlan(
        voter_ids=tuple(node_id for node_id, _ in ordered),
        bootstrap_servers=bootstrap,
        initial_controllers=initial,
    )
