"""The KIP-853 request pieces: directory ids in Kafka's text form, requests built from the schema."""

from __future__ import annotations

import uuid

import pytest

from krafter.kafka import admin_voters
from krafter.kafka.admin_types import VoterEndpoint

pytestmark = pytest.mark.unit


def test_directory_ids_round_trip_between_kafka_text_and_uuid() -> None:
    value = uuid.uuid4()
    text = admin_voters.directory_text(value)
    assert text is not None
    assert admin_voters.directory_uuid(text) == value


def test_the_zero_directory_id_means_none() -> None:
    assert admin_voters.directory_text(uuid.UUID(int=0)) is None


def test_add_raft_voter_request_carries_the_voter_and_its_controller_listener() -> None:
    request = admin_voters.add_request(4, "AAAAAAAAAAAAAAAAAAAAAQ", [VoterEndpoint("CONTROLLER", "h", 9090)], 5000)
    assert request.API_KEY == 80
    assert request.voter_id == 4
    assert request.voter_directory_id == uuid.UUID(int=1)
    assert [(x.name, x.host, x.port) for x in request.listeners] == [("CONTROLLER", "h", 9090)]


def test_remove_raft_voter_request_names_voter_and_directory() -> None:
    request = admin_voters.remove_request(4, "AAAAAAAAAAAAAAAAAAAAAQ")
    assert request.API_KEY == 81
    assert (request.voter_id, request.voter_directory_id) == (4, uuid.UUID(int=1))
