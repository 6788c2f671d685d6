"""SCRAM credential changes (KIP-554 AlterUserScramCredentials) as protocol requests.

The broker never sees a password: the client sends a random salt and the salted password
(PBKDF2-HMAC with the mechanism's hash, RFC 5802 `Hi()`), from which Kafka derives the
stored and server keys. kafka-python's own method reports errors as bare messages, so the
request is built here to keep Kafka's error codes per user.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from kafka.protocol.admin import AlterUserScramCredentialsRequest

from krafter.kafka import admin_wire
from krafter.kafka.admin_types import OpResult, ScramCredential, ScramMechanism

SALT_BYTES = 24  # what the Java client and kafka-configs.sh use

T = TypeVar("T")


def one_per_user(items: Iterable[T], user_of: Callable[[T], str]) -> list[list[T]]:
    """Split items into rounds naming each user at most once: Kafka rejects a request that
    alters one user twice (DUPLICATE_RESOURCE), even for two different mechanisms."""
    rounds: list[list[T]] = []
    seen: dict[str, int] = {}
    for item in items:
        index = seen.get(user_of(item), 0)
        seen[user_of(item)] = index + 1
        if index == len(rounds):
            rounds.append([])
        rounds[index].append(item)
    return rounds


def salted_password(credential: ScramCredential, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac(
        credential.mechanism.hash_name, credential.password.encode("utf-8"), salt, credential.iterations
    )


def upsert_request(credentials: Sequence[ScramCredential]) -> Any:
    upsertion = AlterUserScramCredentialsRequest.ScramCredentialUpsertion
    upsertions = []
    for credential in credentials:
        salt = os.urandom(SALT_BYTES)
        upsertions.append(
            upsertion(
                name=credential.user,
                mechanism=credential.mechanism.wire_code,
                iterations=credential.iterations,
                salt=salt,
                salted_password=salted_password(credential, salt),
            )
        )
    return AlterUserScramCredentialsRequest(deletions=[], upsertions=upsertions)


def delete_request(deletions: Iterable[tuple[str, ScramMechanism]]) -> Any:
    deletion = AlterUserScramCredentialsRequest.ScramCredentialDeletion
    return AlterUserScramCredentialsRequest(
        deletions=[deletion(name=user, mechanism=mechanism.wire_code) for user, mechanism in deletions],
        upsertions=[],
    )


def parse_alter(response: Any) -> dict[str, OpResult]:
    return {r.user: admin_wire.op_result(r.error_code, r.error_message) for r in response.results}


def merge(results: dict[str, OpResult], more: dict[str, OpResult]) -> None:
    """Fold one request's results into `results`; a user's first error wins."""
    for user, outcome in more.items():
        current = results.get(user)
        if current is None or current.ok:
            results[user] = outcome
