"""A measured produce/consume workload: every record carries a sequence number, every outcome is kept.

A failover drill is only as trustworthy as its bookkeeping, so this records, per record, when
it was sent, when (or whether) the broker acknowledged it and with which error, and per
consumed record which sequence number came back. Judging those lists is someone else's job
(`krafter.verify.judge`); this module only talks to Kafka, and is the one place that does so
with kafka-python's producer and consumer.

Times are `time.monotonic()` seconds, so a drill's events, faults and records share one clock.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kafka import KafkaConsumer, KafkaProducer
from kafka.structs import TopicPartition

from krafter.kafka.admin_types import ConnectionSettings
from krafter.kafka.admin_wire import client_options

VALUE_PREFIX = b"krafter-verify:"


@dataclass
class SendRecord:
    """One produced record; `acked` and `error` stay None until the producer decides."""

    seq: int
    sent: float
    acked: float | None = None
    error: str | None = None


@dataclass(frozen=True)
class ConsumedRecord:
    seq: int
    at: float
    offset: int


@dataclass(frozen=True)
class ProducerSettings:
    acks: str = "all"
    """"all", "1" or "0"; idempotence is on exactly when acks is "all" (Kafka requires that)."""
    rate: float = 200.0
    """Records per second, bounded: the drill measures failover, not throughput."""
    delivery_timeout_ms: int = 60_000
    """How long the producer retries one record before reporting it failed."""
    request_timeout_ms: int = 10_000


def encode(seq: int) -> bytes:
    return VALUE_PREFIX + str(seq).encode()


def decode(value: bytes | None) -> int | None:
    """The sequence number in a value this workload wrote, else None (a foreign record)."""
    if value is None or not value.startswith(VALUE_PREFIX):
        return None
    try:
        return int(value[len(VALUE_PREFIX) :])
    except ValueError:
        return None


class SequenceProducer:
    """Sends records 0, 1, 2, ... to partition 0 of `topic` at a bounded rate on its own thread."""

    def __init__(self, connection: ConnectionSettings, topic: str, settings: ProducerSettings) -> None:
        self.topic = topic
        self.settings = settings
        self.records: list[SendRecord] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        idempotent = settings.acks == "all"
        self._producer = KafkaProducer(
            **client_options(connection),
            client_id="krafter-verify-producer",
            acks="all" if settings.acks == "all" else int(settings.acks),
            enable_idempotence=idempotent,
            retries=2**31 - 1 if idempotent else 3,
            max_in_flight_requests_per_connection=5 if idempotent else 1,
            delivery_timeout_ms=settings.delivery_timeout_ms,
            request_timeout_ms=settings.request_timeout_ms,
            linger_ms=0,
            max_block_ms=settings.delivery_timeout_ms,
            retry_backoff_ms=100,
            reconnect_backoff_max_ms=1000,
            metadata_max_age_ms=5000,
        )

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"verify-producer-{self.topic}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        interval = 1.0 / self.settings.rate
        started = time.monotonic()
        seq = 0
        while not self._stop.is_set():
            due = started + seq * interval
            delay = due - time.monotonic()
            if delay > 0 and self._stop.wait(delay):
                break
            record = SendRecord(seq, time.monotonic())
            with self._lock:
                self.records.append(record)
            try:
                future = self._producer.send(self.topic, value=encode(seq), partition=0)
            except Exception as exc:  # buffer full or metadata timeout: the record was never sent
                record.error = f"{type(exc).__name__}: {exc}"
            else:
                future.add_callback(self._acked, record)
                future.add_errback(self._failed, record)
            seq += 1

    @staticmethod
    def _acked(record: SendRecord, _metadata: Any) -> None:
        record.acked = time.monotonic()

    @staticmethod
    def _failed(record: SendRecord, exc: BaseException) -> None:
        record.error = f"{type(exc).__name__}: {exc}"

    def snapshot(self) -> tuple[int, int, int]:
        """(sent, acknowledged, failed) so far, for progress displays."""
        with self._lock:
            records = list(self.records)
        return len(records), sum(r.acked is not None for r in records), sum(r.error is not None for r in records)

    def stop(self, flush_timeout: float) -> list[SendRecord]:
        """Stop sending, wait up to `flush_timeout` for outstanding records, close; every record."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with contextlib.suppress(Exception):
            self._producer.flush(timeout=flush_timeout)
        with contextlib.suppress(Exception):
            self._producer.close(timeout=5)
        with self._lock:
            return list(self.records)


def read_back(connection: ConnectionSettings, topic: str, timeout: float) -> list[ConsumedRecord]:
    """Every record in partition 0 of `topic`, read from the beginning by a new consumer up to
    the end offset it finds at the start: what the topic holds now, whoever read it before."""
    partition = TopicPartition(topic, 0)
    consumer = KafkaConsumer(
        **client_options(connection),
        client_id="krafter-verify-read-back",
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        request_timeout_ms=30_000,
    )
    records: list[ConsumedRecord] = []
    try:
        consumer.assign([partition])
        consumer.seek_to_beginning(partition)
        end = consumer.end_offsets([partition])[partition]
        deadline = time.monotonic() + timeout
        while consumer.position(partition) < end and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                now = time.monotonic()
                records += [ConsumedRecord(seq, now, r.offset) for r in batch if (seq := decode(r.value)) is not None]
    finally:
        with contextlib.suppress(Exception):
            consumer.close()
    return records


@dataclass
class _ConsumerState:
    records: list[ConsumedRecord] = field(default_factory=list)
    foreign: int = 0
    error: str | None = None


class SequenceConsumer:
    """Reads partition 0 of `topic` from the beginning on its own thread (no group, no commits)."""

    def __init__(self, connection: ConnectionSettings, topic: str) -> None:
        self.topic = topic
        self._state = _ConsumerState()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._partition = TopicPartition(topic, 0)
        self._consumer = KafkaConsumer(
            **client_options(connection),
            client_id="krafter-verify-consumer",
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            request_timeout_ms=30_000,
            reconnect_backoff_max_ms=1000,
            metadata_max_age_ms=5000,
        )
        self._consumer.assign([self._partition])
        self._consumer.seek_to_beginning(self._partition)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"verify-consumer-{self.topic}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                batches = self._consumer.poll(timeout_ms=200)
            except Exception as exc:  # the consumer retries by itself; keep the last error for the report
                with self._lock:
                    self._state.error = f"{type(exc).__name__}: {exc}"
                time.sleep(0.2)
                continue
            now = time.monotonic()
            with self._lock:
                for records in batches.values():
                    for record in records:
                        seq = decode(record.value)
                        if seq is None:
                            self._state.foreign += 1
                        else:
                            self._state.records.append(ConsumedRecord(seq, now, record.offset))

    def count(self) -> int:
        with self._lock:
            return len(self._state.records)

    def drain(self, wanted: Callable[[set[int]], bool], timeout: float) -> None:
        """Wait until `wanted(seen sequence numbers)` holds or `timeout` passes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                seen = {r.seq for r in self._state.records}
            if wanted(seen):
                return
            time.sleep(0.2)

    def stop(self) -> tuple[list[ConsumedRecord], int]:
        """Stop and close; (every consumed record in order, count of records not written by the drill)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with contextlib.suppress(Exception):
            self._consumer.close()
        with self._lock:
            return list(self._state.records), self._state.foreign
