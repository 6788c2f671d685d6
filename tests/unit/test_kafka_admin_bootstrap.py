"""Bootstrap failures the Admin client can tell at once, without waiting for a timeout."""

from __future__ import annotations

import time

import pytest

from krafter.kafka.admin import KafkaAdmin
from krafter.kafka.admin_types import ConnectionSettings, KafkaAdminError

pytestmark = pytest.mark.unit


def test_a_bootstrap_name_that_does_not_resolve_fails_at_once_naming_the_host() -> None:
    started = time.monotonic()
    with (
        pytest.raises(KafkaAdminError, match=r"no-such-cluster\.invalid does not resolve"),
        KafkaAdmin(ConnectionSettings("no-such-cluster.invalid:9092")) as admin,
    ):
        admin.describe_quorum()
    assert time.monotonic() - started < 5
