"""KafkaAdmin's cluster view on real brokers: who is there and who leads the quorum."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from krafter.kafka.admin import KafkaAdmin
from krafter.kafka.admin_types import ConnectionSettings, KafkaAdminError
from krafter.testing.kafka_cluster import free_port

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
def admin(kafka_cluster) -> Iterator[KafkaAdmin]:
    with KafkaAdmin(ConnectionSettings(kafka_cluster.bootstrap_servers)) as client:
        yield client


def test_cluster_description_lists_every_broker_with_its_address(admin, kafka_cluster) -> None:
    cluster = admin.describe_cluster()

    assert [(b.node_id, b.host, b.port) for b in cluster.brokers] == [
        (n.node_id, "127.0.0.1", n.broker_port) for n in kafka_cluster.nodes
    ]
    assert cluster.cluster_id == kafka_cluster.cluster_id


def test_quorum_leader_is_one_of_the_voters(admin) -> None:
    quorum = admin.describe_quorum()

    assert sorted(v.node_id for v in quorum.voters) == [0, 1, 2]
    assert quorum.leader_id in {v.node_id for v in quorum.voters}
    assert quorum.leader_epoch > 0
    assert quorum.observers == ()


def test_features_report_the_finalized_metadata_version(admin) -> None:
    metadata_version = admin.describe_features()["metadata.version"]

    assert metadata_version.finalized is not None
    assert metadata_version.supported_min <= metadata_version.finalized <= metadata_version.supported_max


def test_unreachable_cluster_raises_kafka_admin_error_on_first_use() -> None:
    admin = KafkaAdmin(ConnectionSettings(f"127.0.0.1:{free_port()}", request_timeout_ms=1000))

    with pytest.raises(KafkaAdminError, match="Connecting to Kafka") as raised:
        admin.describe_cluster()

    assert raised.value.error_name == "KafkaTimeoutError"
