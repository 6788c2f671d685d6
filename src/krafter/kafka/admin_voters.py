"""KIP-853 quorum changes: AddRaftVoter and RemoveRaftVoter, which kafka-python does not have.

A dynamic KRaft quorum (kraft.version 1, formatted with `--initial-controllers` or
`--standalone`) changes its voters through these two requests, one voter at a time. A new
controller first runs as an observer, catching up on the metadata log; AddRaftVoter then makes
it a voter. RemoveRaftVoter takes a voter out (while it runs it stays an observer), which must
happen before its process is gone for good, or the quorum keeps counting it. Both name the
voter by node id *and* metadata directory id, so a re-formatted disk is a different voter.
Brokers forward both requests to the active controller.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from typing import Any

from kafka.protocol.api_message import ApiMessage

from krafter.kafka import admin_topics, admin_wire, messages
from krafter.kafka.admin_types import VoterEndpoint


class AddRaftVoterRequest(ApiMessage, load_json=messages):  # type: ignore[call-arg,misc]
    pass


class AddRaftVoterResponse(ApiMessage, load_json=messages):  # type: ignore[call-arg,misc]
    pass


class RemoveRaftVoterRequest(ApiMessage, load_json=messages):  # type: ignore[call-arg,misc]
    pass


class RemoveRaftVoterResponse(ApiMessage, load_json=messages):  # type: ignore[call-arg,misc]
    pass


def directory_uuid(directory_id: str) -> uuid.UUID:
    """Kafka prints directory ids as URL-safe base64 of 16 bytes (`meta.properties`, tools)."""
    padded = directory_id + "=" * (-len(directory_id) % 4)
    return uuid.UUID(bytes=base64.urlsafe_b64decode(padded))


def directory_text(raw: object) -> str | None:
    """The other way round, for what kafka-python decodes (a UUID); None for the zero id.
    Directory ids print like topic ids."""
    return admin_topics.kafka_topic_id(raw)


def add_request(
    voter_id: int,
    directory_id: str,
    endpoints: Sequence[VoterEndpoint],
    timeout_ms: int,
    cluster_id: str | None = None,
) -> Any:
    listener = AddRaftVoterRequest.Listener
    return AddRaftVoterRequest(
        cluster_id=cluster_id,
        timeout_ms=timeout_ms,
        voter_id=voter_id,
        voter_directory_id=directory_uuid(directory_id),
        listeners=[listener(name=e.name, host=e.host, port=e.port) for e in endpoints],
        ack_when_committed=True,
    )


def remove_request(voter_id: int, directory_id: str, cluster_id: str | None = None) -> Any:
    return RemoveRaftVoterRequest(
        cluster_id=cluster_id, voter_id=voter_id, voter_directory_id=directory_uuid(directory_id)
    )


def raise_for_response(response: Any, action: str) -> None:
    admin_wire.raise_for_code(response.error_code, response.error_message, action)
