"""The one batched offsets pass behind the consumer-lag metrics, at most once per interval.

A pass is five requests whatever the cluster's size (metadata, ListOffsets latest and
earliest per leader, ListGroups per broker, DescribeGroups and OffsetFetch per coordinator);
scrapes in between are served the last pass's text, so ten Prometheus replicas scraping
every 5 s cost the cluster the same as one scraping every 30 s.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping

from krafter.kafka.admin import KafkaAdmin
from krafter.kafka.admin_types import ConnectionSettings, KafkaAdminError
from krafter.monitoring import lag

log = logging.getLogger(__name__)
DEFAULT_INTERVAL = 30.0


def read_snapshot(admin: KafkaAdmin, wanted: lag.LagFilter) -> lag.OffsetsSnapshot:
    cluster = admin.describe_cluster()
    topics = {name: t for name, t in admin.describe_all_topics().items() if wanted.topic(name)}
    partitions = [(name, p.partition) for name, t in topics.items() for p in t.partitions]
    latest = admin.partition_offsets(partitions, latest=True)
    oldest = admin.partition_offsets(partitions, latest=False)
    groups = sorted(g for g in admin.list_groups() if wanted.group(g))
    members = admin.group_members(groups)
    committed = admin.committed_offsets(groups)
    return lag.OffsetsSnapshot(
        brokers={b.node_id: f"{b.host}:{b.port}" for b in cluster.brokers},
        partitions={
            (name, p.partition): lag.PartitionOffsets(
                oldest=oldest.get((name, p.partition), 0),
                latest=latest.get((name, p.partition), 0),
                leader=p.leader,
                replicas=p.replicas,
                isr=p.isr,
            )
            for name, t in topics.items()
            for p in t.partitions
        },
        groups={g: lag.GroupOffsets(members.get(g, 0), committed.get(g, {})) for g in groups},
    )


def kafka_pass(
    settings: ConnectionSettings,
    wanted: lag.LagFilter,
    labels: Mapping[str, str] | None = None,
    *,
    headers: bool = True,
) -> Callable[[], str]:
    """One offsets pass against the cluster, rendered as exposition text (`headers`: HELP/TYPE)."""

    def read() -> str:
        with KafkaAdmin(settings) as admin:
            snapshot = read_snapshot(admin, wanted)
        return lag.exposition(lag.samples(snapshot, wanted), labels, headers=headers)

    return read


class LagCollector:
    """Serves the last pass's exposition text; starts a new pass when it is older than `interval`."""

    def __init__(
        self,
        read: Callable[[], str],
        *,
        interval: float = DEFAULT_INTERVAL,
        name: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.read = read
        self.interval = interval
        self.name = name
        self.clock = clock
        self.passes = 0
        self.last_pass_seconds = 0.0
        self._text = ""
        self._at: float | None = None
        self._lock = threading.Lock()

    def render(self) -> str:
        with self._lock:  # concurrent scrapes wait for the one pass instead of starting their own
            if self._at is None or self.clock() - self._at >= self.interval:
                self._refresh()
            return self._text

    def _refresh(self) -> None:
        started = time.monotonic()
        try:
            text = self.read()
        except (KafkaAdminError, OSError) as exc:
            # Keep serving the previous pass: a gap in every lag series would look like lag 0.
            log.warning("cluster=%s consumer-lag offsets pass failed: %s", self.name, exc)
        else:
            self._text = text
            self.passes += 1
            self.last_pass_seconds = time.monotonic() - started
        self._at = self.clock()
