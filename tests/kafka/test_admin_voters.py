"""KIP-853 AddRaftVoter / RemoveRaftVoter against a real dynamic-quorum cluster.

A cluster of its own: these tests change the controller quorum, which the shared cluster's
other users (the roller's checks) must not see.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest

from krafter.kafka.admin import KafkaAdmin
from krafter.kafka.admin_types import ConnectionSettings, KafkaAdminError, QuorumState

pytestmark = pytest.mark.kafka

T = TypeVar("T")


@pytest.fixture(scope="module")
def quorum_cluster(kafka_dist, tmp_path_factory) -> Iterator[object]:  # type: ignore[no-untyped-def]
    from krafter.testing.kafka_cluster import LocalKafkaCluster

    cluster = LocalKafkaCluster(kafka_dist, tmp_path_factory.mktemp("voters"), nodes=3)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="module")
def admin(quorum_cluster) -> Iterator[KafkaAdmin]:  # type: ignore[no-untyped-def]
    with KafkaAdmin(ConnectionSettings(quorum_cluster.bootstrap_servers)) as client:
        yield client


def _voters(quorum: QuorumState) -> set[int]:
    return {v.node_id for v in quorum.voters}


def _until(admin: KafkaAdmin, accept: Callable[[QuorumState], bool], timeout: float = 30) -> QuorumState:
    import time

    deadline = time.monotonic() + timeout
    while True:
        quorum = admin.describe_quorum()
        if accept(quorum) or time.monotonic() > deadline:
            return quorum
        time.sleep(0.3)


def test_describe_quorum_names_each_voter_by_directory_id_and_endpoint(admin: KafkaAdmin) -> None:
    quorum = admin.describe_quorum()
    assert _voters(quorum) == {0, 1, 2}
    assert all(v.directory_id for v in quorum.voters)
    assert {e.name for e in quorum.endpoints[2]} == {"CONTROLLER"}


def test_a_voter_removed_stays_an_observer_and_can_be_added_back(admin: KafkaAdmin) -> None:
    before = admin.describe_quorum()
    leaving = next(v for v in before.voters if v.node_id != before.leader_id)
    endpoints = before.endpoints[leaving.node_id]
    assert leaving.directory_id is not None

    admin.remove_raft_voter(leaving.node_id, leaving.directory_id)
    removed = _until(admin, lambda q: leaving.node_id not in _voters(q) and q.observer(leaving.node_id) is not None)
    assert _voters(removed) == {0, 1, 2} - {leaving.node_id}
    assert removed.observer(leaving.node_id) is not None

    admin.add_raft_voter(leaving.node_id, leaving.directory_id, endpoints)
    added = _until(admin, lambda q: leaving.node_id in _voters(q))
    assert _voters(added) == {0, 1, 2}


def test_removing_a_voter_under_another_directory_id_is_refused(admin: KafkaAdmin) -> None:
    voter = admin.describe_quorum().voters[0]
    with pytest.raises(KafkaAdminError):
        admin.remove_raft_voter(voter.node_id, "AAAAAAAAAAAAAAAAAAAAAQ")
    assert _voters(admin.describe_quorum()) == {0, 1, 2}
