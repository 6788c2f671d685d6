"""The edge where kafka-python is touched: client construction, raw requests, error translation.

kafka-python 3.0's public Admin methods cover most of what Krafter needs, but some drop
per-item error codes or messages (SCRAM, ACL and config changes) and one API has no method
at all (client quotas). For those the generated protocol classes are sent directly, through
`send` below; keeping that in one function keeps the private-API surface to one line.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import kafka.errors
from kafka.admin import KafkaAdminClient

from krafter.kafka.admin_types import OK, ConnectionSettings, KafkaAdminError, OpResult


def client_options(settings: ConnectionSettings) -> dict[str, Any]:
    """kafka-python's connection keywords (address, TLS files, SASL) for `settings`; every
    kafka-python client Krafter makes (Admin, or the verify workload's) connects with these."""
    options: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers,
        "security_protocol": settings.security_protocol.value,
    }
    if settings.ssl_cafile:
        options["ssl_cafile"] = settings.ssl_cafile
    if settings.ssl_certfile:
        options["ssl_certfile"] = settings.ssl_certfile
    if settings.ssl_keyfile:
        options["ssl_keyfile"] = settings.ssl_keyfile
    if settings.sasl_mechanism is not None:
        options["sasl_mechanism"] = settings.sasl_mechanism.value
        options["sasl_plain_username"] = settings.sasl_username
        options["sasl_plain_password"] = settings.sasl_password
    return options


def open_client(settings: ConnectionSettings) -> Any:
    """A connected KafkaAdminClient (it bootstraps eagerly, hence the error translation)."""
    options: dict[str, Any] = {
        **client_options(settings),
        "client_id": settings.client_id,
        "request_timeout_ms": settings.request_timeout_ms,
        "bootstrap_timeout_ms": settings.request_timeout_ms,
    }
    with translated(f"Connecting to Kafka at {settings.bootstrap_servers}"):
        return KafkaAdminClient(**options)


def send(client: Any, request: Any, node_id: int | None = None) -> Any:
    """Send one protocol request (to `node_id`, or the least loaded broker) and return the response.

    Private API: `_manager` is kafka-python 3.0's connection manager, which its own ACL
    methods call exactly like this. It is the only private attribute Krafter uses; every
    caller is exercised by tests/kafka, so an upgrade that moves it fails there first.
    """
    manager = client._manager
    return manager.run(manager.send, request, node_id)


def error_name(code: int) -> str:
    """Kafka's name for an error code (`TOPIC_ALREADY_EXISTS`), also for codes kafka-python lacks."""
    if code == -1:
        return "UNKNOWN_SERVER_ERROR"  # kafka-python calls it UNKNOWN
    error_class = kafka.errors.for_code(code)
    if error_class.__name__ == "UnrecognizedBrokerError":
        return f"ERROR_CODE_{code}"
    return str(getattr(error_class, "message", error_class.__name__))


def op_result(code: int, message: str | None) -> OpResult:
    if code == 0:
        return OK
    return OpResult(error_name=error_name(code), error_code=code, message=message or None)


def raise_for_code(code: int, message: str | None, action: str) -> None:
    """Raise KafkaAdminError for a request-level error code (0 means success)."""
    if code:
        name = error_name(code)
        detail = f": {message}" if message else ""
        raise KafkaAdminError(f"{action} failed with {name} ({code}){detail}", error_name=name, error_code=code)


@contextlib.contextmanager
def translated(action: str) -> Iterator[None]:
    """Turn kafka-python's exceptions into KafkaAdminError naming the action that failed."""
    try:
        yield
    except kafka.errors.KafkaError as exc:
        code = exc.errno if isinstance(exc, kafka.errors.BrokerResponseError) else None
        name = error_name(code) if code is not None else type(exc).__name__
        detail = str(exc.args[0]) if exc.args else getattr(exc, "description", "")
        raise KafkaAdminError(
            f"{action} failed with {name}{f' ({code})' if code is not None else ''}: {detail}",
            error_name=name,
            error_code=code,
        ) from exc


T = TypeVar("T")
NOT_SENT = frozenset({"KafkaConnectionError", "NodeNotReadyError"})
"""kafka-python errors raised before a request left: safe to send again to another broker."""


@dataclass
class Bounded(Generic[T]):
    finished: bool
    value: T | None = None
    error: BaseException | None = None

    def result(self) -> T:
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]


def run_bounded(call: Callable[[], T], seconds: float) -> Bounded[T]:
    """Run `call` on a daemon thread and wait at most `seconds` for it."""
    outcome: Bounded[T] = Bounded(finished=False)
    done = threading.Event()

    def target() -> None:
        try:
            outcome.value = call()
        except BaseException as exc:  # handed to the caller's thread
            outcome.error = exc
        finally:
            done.set()

    threading.Thread(target=target, name="krafter-admin-call", daemon=True).start()
    outcome.finished = done.wait(seconds)
    return outcome


def batches(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
