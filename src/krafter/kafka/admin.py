"""Krafter's one Kafka Admin client: typed, synchronous, and the only user of kafka-python's admin.

Every method returns frozen values from `admin_types` (or the ACL/quota modules). A request
that fails as a whole raises `KafkaAdminError`; batch requests return one `OpResult` per
item instead, because reconcilers act on each item (a topic that already exists is not a
failure of the other 499). Calls block; async callers use `asyncio.to_thread`.

KRaft facts a caller needs: DescribeCluster's "controller" is a random live broker (the
active controller is `describe_quorum().leader_id`); metadata changes (topics, ACLs, SCRAM,
quotas, configs) reach each broker asynchronously, so a read right after a write may
briefly show the old state.
"""

from __future__ import annotations

import contextlib
import dataclasses
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from types import TracebackType
from typing import Any, TypeVar

from kafka import TopicPartition as KafkaTopicPartition
from kafka.protocol.consumer.offsets import OffsetSpec

from krafter.kafka import (
    admin_acls,
    admin_cluster,
    admin_configs,
    admin_quotas,
    admin_scram,
    admin_topics,
    admin_voters,
    admin_wire,
)
from krafter.kafka.admin_acls import AclBinding
from krafter.kafka.admin_types import (
    OK,
    UNKNOWN_TOPIC_OR_PARTITION,
    ClusterDescription,
    ConfigChange,
    ConfigEntry,
    ConnectionSettings,
    CreatedTopic,
    FeatureLevel,
    KafkaAdminError,
    NewTopic,
    OpResult,
    PartitionHealth,
    PartitionState,
    QuorumState,
    Reassignment,
    ScramCredential,
    ScramMechanism,
    TopicDescription,
    TopicPartition,
    VoterEndpoint,
)

R = TypeVar("R")

_RESOURCE_NOT_FOUND = 91
_PREFERRED_ELECTION = 0
_MIN_INSYNC_REPLICAS = "min.insync.replicas"
_CONFIG_BATCH = 500
_SCRAM_BATCH = 100
_ACL_BATCH = 500
CALL_GRACE_SECONDS = 5.0
BOOTSTRAP_ATTEMPT_SECONDS = 8.0
CONNECT_ATTEMPTS = 4

Described = dict[str, tuple[OpResult, dict[str, ConfigEntry]]]


class KafkaAdmin:
    """A context manager around one cluster's Admin API; connects on first use."""

    def __init__(self, settings: ConnectionSettings) -> None:
        self.settings = settings
        self._client_instance: Any = None
        self._lock = threading.Lock()

    def __enter__(self) -> KafkaAdmin:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _abandon(self) -> None:
        """Close the client without the lock: the stuck call may hold no lock, but the caller
        opening the client does (a hung bootstrap is abandoned from inside `_client`)."""
        client, self._client_instance = self._client_instance, None
        if client is not None:
            with contextlib.suppress(Exception):
                client.close()

    def close(self) -> None:
        with self._lock:
            client, self._client_instance = self._client_instance, None
        if client is not None:
            client.close()

    @property
    def _client(self) -> Any:
        with self._lock:
            if self._client_instance is None:
                self._client_instance = self._open_first_responsive()
            return self._client_instance

    def _open_first_responsive(self) -> Any:
        """Bootstrap from one server at a time, each briefly: kafka-python would wait without
        limit on a server that accepts connections but never answers, however many others work."""
        servers = [s.strip() for s in self.settings.bootstrap_servers.split(",") if s.strip()]
        # kafka-python's own bootstrap timeout fires first where it works (its error says more).
        seconds = min(BOOTSTRAP_ATTEMPT_SECONDS, self.settings.request_timeout_ms / 1000) + 2.0
        first_error: BaseException | None = None
        silent = []
        for server in servers:
            unresolved = _unresolvable(server)
            if unresolved is not None:  # fail at once with the cause instead of after the timeout
                first_error = first_error or unresolved
                continue
            settings = dataclasses.replace(self.settings, bootstrap_servers=server)
            outcome = admin_wire.run_bounded(partial(admin_wire.open_client, settings), seconds)
            if outcome.finished and outcome.error is None:
                return outcome.result()
            if outcome.finished:
                first_error = first_error or outcome.error
            else:
                silent.append(server)
        if first_error is not None:
            raise first_error  # a real answer (refused, bad credentials) says more than silence
        raise KafkaAdminError(
            f"Connecting to Kafka failed: no answer within {seconds:.0f} s from {', '.join(silent)}",
            error_name="REQUEST_TIMED_OUT",
        )

    def _call(self, action: str, method: Callable[..., R], *args: Any, **kwargs: Any) -> R:
        """Call a public kafka-python admin method, translating its errors."""
        return self._retrying(action, lambda: method(*args, **kwargs))

    def _send(self, action: str, request: Any, node_id: int | None = None) -> Any:
        """Send a protocol request where kafka-python's method would lose detail (or has none)."""
        client = self._client
        return self._retrying(action, lambda: admin_wire.send(client, request, node_id))

    def _retrying(self, action: str, call: Callable[[], R]) -> R:
        """kafka-python sends to its "least loaded" broker, which can be one that just went down;
        the failed connect was never a request, so trying again (kafka-python now backs off that
        broker and picks another) is safe even for writes."""
        for attempt in range(1, CONNECT_ATTEMPTS + 1):
            try:
                with admin_wire.translated(action):
                    return self._bounded(action, call)
            except KafkaAdminError as exc:
                if exc.error_name not in admin_wire.NOT_SENT or attempt == CONNECT_ATTEMPTS:
                    raise
                time.sleep(0.2 * attempt)
        raise AssertionError("unreachable")

    def _bounded(self, action: str, call: Callable[[], R]) -> R:
        """kafka-python 3.0 waits without limit for a broker that accepts connections but never
        answers (a stalled process, a half-dead host); a roller or a status call must not hang
        with it. The call runs on a helper thread; past the deadline the client is closed, which
        fails the stuck wait, and the caller gets a KafkaAdminError to retry or report."""
        seconds = self.settings.request_timeout_ms / 1000 + CALL_GRACE_SECONDS
        outcome = admin_wire.run_bounded(call, seconds)
        if outcome.finished:
            return outcome.result()
        self._abandon()
        raise KafkaAdminError(
            f"{action} got no answer within {seconds:.0f} s: a broker accepts connections but does not respond",
            error_name="REQUEST_TIMED_OUT",
        )

    @property
    def _timeout_ms(self) -> int:
        return self.settings.operation_timeout_ms

    # --- cluster -------------------------------------------------------------------------

    def describe_cluster(self) -> ClusterDescription:
        """Brokers (fenced ones included, flagged) and the cluster id."""
        raw = self._call("Describing the cluster", self._client.describe_cluster)
        return admin_cluster.parse_cluster(raw)

    def describe_quorum(self) -> QuorumState:
        """The KRaft metadata quorum; `leader_id` is the active controller."""
        response = self._send("Describing the KRaft quorum", admin_cluster.quorum_request())
        return admin_cluster.parse_quorum(response)

    def add_raft_voter(self, voter_id: int, directory_id: str, endpoints: Sequence[VoterEndpoint]) -> None:
        """Make a caught-up observer controller a voter (KIP-853); returns once committed."""
        request = admin_voters.add_request(voter_id, directory_id, endpoints, self._timeout_ms)
        admin_voters.raise_for_response(self._send("Adding a KRaft voter", request), f"Adding voter {voter_id}")

    def remove_raft_voter(self, voter_id: int, directory_id: str) -> None:
        """Take a voter out of the controller quorum (KIP-853); it stays an observer while it runs."""
        request = admin_voters.remove_request(voter_id, directory_id)
        admin_voters.raise_for_response(self._send("Removing a KRaft voter", request), f"Removing voter {voter_id}")

    def describe_features(self) -> dict[str, FeatureLevel]:
        """Supported and finalized feature levels (metadata.version, kraft.version, ...)."""
        return admin_cluster.parse_features(self._call("Describing features", self._client.describe_features))

    def list_groups(self) -> set[str]:
        return {group["group_id"] for group in self._call("Listing groups", self._client.list_groups)}

    def group_members(self, groups: Iterable[str]) -> dict[str, int]:
        """Members per consumer group (0 for an empty or unknown group)."""
        wanted = sorted(groups)
        if not wanted:
            return {}
        described = self._call("Describing groups", self._client.describe_groups, wanted)
        return {group: len((described.get(group) or {}).get("members") or []) for group in wanted}

    def committed_offsets(self, groups: Iterable[str]) -> dict[str, dict[TopicPartition, int]]:
        """Every committed offset of the groups: one OffsetFetch per coordinator (KIP-709)."""
        wanted = sorted(groups)
        if not wanted:
            return {}
        fetched = self._call("Fetching committed offsets", self._client.list_group_offsets, wanted)
        return {
            group: {(tp.topic, tp.partition): meta.offset for tp, meta in (fetched.get(group) or {}).items()}
            for group in wanted
        }

    def partition_offsets(self, partitions: Iterable[TopicPartition], *, latest: bool) -> dict[TopicPartition, int]:
        """The high watermark (latest) or log start offset of each partition: one ListOffsets per leader."""
        spec = OffsetSpec.LATEST if latest else OffsetSpec.EARLIEST
        request = {KafkaTopicPartition(topic, partition): spec for topic, partition in partitions}
        if not request:
            return {}
        found = self._call("Listing partition offsets", self._client.list_partition_offsets, request)
        return {(tp.topic, tp.partition): result.offset for tp, result in found.items()}

    # --- topics --------------------------------------------------------------------------

    def list_topics(self, include_internal: bool = False) -> set[str]:
        topics = self._describe_topics(None)
        return {name for name, topic in topics.items() if include_internal or not topic.internal}

    def describe_all_topics(self) -> dict[str, TopicDescription]:
        """Every topic, internal ones included, in one metadata request."""
        return self._describe_topics(None)

    def describe_topics(self, names: Iterable[str]) -> dict[str, TopicDescription]:
        """Topics by name; names that do not exist are absent from the result."""
        wanted = list(dict.fromkeys(names))
        return self._describe_topics(wanted) if wanted else {}

    def replicas_per_broker(self) -> dict[int, int]:
        """Partition replicas each broker hosts over every topic, internal ones included (what
        the scale-down guard weighs). A broker being filled by an ongoing reassignment is in
        the replica list already, so it counts as hosting those replicas."""
        counts: dict[int, int] = {}
        for topic in self._describe_topics(None).values():
            for partition in topic.partitions:
                for broker in partition.replicas:
                    counts[broker] = counts.get(broker, 0) + 1
        return counts

    def _describe_topics(self, names: list[str] | None) -> dict[str, TopicDescription]:
        return admin_topics.parse_metadata(self._call("Describing topics", self._client.describe_topics, names))

    def create_topics(self, topics: Sequence[NewTopic], batch_size: int = 500) -> dict[str, OpResult]:
        """Create in batches; an existing topic comes back with `OpResult.already_exists`."""
        return {name: created.outcome for name, created in self.create_topics_with_ids(topics, batch_size).items()}

    def create_topics_with_ids(self, topics: Sequence[NewTopic], batch_size: int = 500) -> dict[str, CreatedTopic]:
        """As `create_topics`, also giving each created topic's id (from the CreateTopics answer)."""
        results: dict[str, CreatedTopic] = {}
        for batch in admin_wire.batches(list(topics), batch_size):
            raw = self._call(
                f"Creating {len(batch)} topics",
                self._client.create_topics,
                admin_topics.create_spec(batch),
                timeout_ms=self._timeout_ms,
                raise_errors=False,
            )
            results.update(admin_topics.parse_created(raw["topics"]))
        return results

    def delete_topics(self, names: Iterable[str], batch_size: int = 500) -> dict[str, OpResult]:
        results: dict[str, OpResult] = {}
        for batch in admin_wire.batches(list(dict.fromkeys(names)), batch_size):
            raw = self._call(
                f"Deleting {len(batch)} topics",
                self._client.delete_topics,
                batch,
                timeout_ms=self._timeout_ms,
                raise_errors=False,
            )
            results.update(admin_topics.parse_topic_results(raw["topics"]))
        return results

    def create_partitions(self, total_counts: Mapping[str, int]) -> dict[str, OpResult]:
        """Grow topics to these total partition counts (Kafka never shrinks; same count is
        INVALID_PARTITIONS)."""
        if not total_counts:
            return {}
        response = self._call(
            "Creating partitions",
            self._client.create_partitions,
            dict(total_counts),
            timeout_ms=self._timeout_ms,
            raise_errors=False,
        )
        return {r.name: admin_wire.op_result(r.error_code, r.error_message) for r in response.results}

    # --- configs -------------------------------------------------------------------------

    def describe_topic_configs(self, names: Iterable[str]) -> dict[str, dict[str, ConfigEntry]]:
        """Every config of each topic; names that do not exist are absent from the result."""
        described = self._describe_configs(admin_configs.TOPIC, list(dict.fromkeys(names)), None)
        configs = {}
        for name, (outcome, entries) in described.items():
            if outcome.error_name == UNKNOWN_TOPIC_OR_PARTITION:
                continue
            _raise_unless_ok(outcome, f"Describing configs of topic {name}")
            configs[name] = entries
        return configs

    def alter_topic_configs(self, changes: Mapping[str, Sequence[ConfigChange]]) -> dict[str, OpResult]:
        """Incremental: only the named keys change; a None value reverts the key to its default."""
        results: dict[str, OpResult] = {}
        for batch in admin_wire.batches(list(changes), _CONFIG_BATCH):
            request = admin_configs.alter_request(admin_configs.TOPIC, {name: changes[name] for name in batch})
            results.update(admin_configs.parse_alter(self._send("Altering topic configs", request)))
        return results

    def describe_broker_config(self, node_id: int | None = None) -> dict[str, ConfigEntry]:
        """One broker's configs, or with None the cluster-wide dynamic defaults (only those set)."""
        name = _broker_resource(node_id)
        described = self._describe_configs(admin_configs.BROKER, [name], None, node_id)
        outcome, entries = described.get(name, (OK, {}))
        _raise_unless_ok(outcome, f"Describing configs of broker {name or '<cluster default>'}")
        return entries

    def alter_broker_configs(self, changes: Mapping[int | None, Sequence[ConfigChange]]) -> dict[int | None, OpResult]:
        """Dynamic configs per broker (node id) or cluster-wide (None); a None value deletes."""
        results: dict[int | None, OpResult] = {}
        for node_id, node_changes in changes.items():
            name = _broker_resource(node_id)
            request = admin_configs.alter_request(admin_configs.BROKER, {name: node_changes})
            # A broker's own config goes to that broker, as the Java admin client does.
            response = self._send(f"Altering configs of broker {name or '<cluster default>'}", request, node_id)
            results[node_id] = admin_configs.parse_alter(response).get(name, OK)
        return results

    def _describe_configs(
        self, resource_type: int, names: list[str], keys: Sequence[str] | None, node_id: int | None = None
    ) -> Described:
        described: Described = {}
        for batch in admin_wire.batches(names, _CONFIG_BATCH):
            request = admin_configs.describe_request(resource_type, batch, keys)
            described.update(admin_configs.parse_describe(self._send("Describing configs", request, node_id)))
        return described

    # --- partitions ----------------------------------------------------------------------

    def alter_partition_reassignments(
        self, reassignments: Mapping[TopicPartition, Sequence[int] | None]
    ) -> dict[TopicPartition, OpResult]:
        """Move partitions to these replica lists (the first is the preferred leader); None
        cancels an ongoing reassignment. Completion is observed with list_partition_reassignments."""
        if not reassignments:
            return {}
        request = admin_topics.reassignment_request(reassignments, self._timeout_ms)
        return admin_topics.parse_reassignment(self._send("Altering partition reassignments", request))

    def list_partition_reassignments(self) -> dict[TopicPartition, Reassignment]:
        raw = self._call("Listing reassignments", self._client.list_partition_reassignments)
        return admin_topics.parse_ongoing(raw)

    def partition_sizes(self, topics: Iterable[str] | None = None) -> dict[TopicPartition, int]:
        """Bytes of each partition's largest replica (DescribeLogDirs on every broker); None: all topics."""
        wanted = list(dict.fromkeys(topics)) if topics is not None else None
        if wanted == []:
            return {}
        raw = self._call("Describing log directories", self._client.describe_log_dirs, wanted)
        return admin_topics.parse_log_dirs(raw)

    def elect_preferred_leaders(
        self, partitions: Mapping[str, Sequence[int]] | None = None
    ) -> dict[TopicPartition, OpResult]:
        """Move leadership to each partition's first replica; None means every partition.
        A partition already led by its preferred replica is ok."""
        # kafka-python wants {topic: [partitions]}: a list of TopicPartition is silently
        # turned into a wrong topic name and elects nothing.
        wanted = {topic: list(parts) for topic, parts in partitions.items()} if partitions is not None else None
        response = self._call(
            "Electing preferred leaders",
            self._client.elect_leaders,
            _PREFERRED_ELECTION,
            wanted,
            timeout_ms=self._timeout_ms,
            raise_errors=False,
        )
        return admin_topics.parse_elections(response)

    def partition_health(self, min_isr_default: int = 1) -> PartitionHealth:
        """Under-replicated, under-min-ISR and offline partitions over every topic.

        Each topic's effective min.insync.replicas comes from its config (the topic's own
        value, else the cluster's); `min_isr_default` only covers topics whose config could
        not be read, such as one deleted in between.
        """
        topics, min_isr = self._topics_with_min_isr()
        return admin_topics.count_health(topics.values(), min_isr, min_isr_default)

    def partitions_with_min_isr(self, min_isr_default: int = 1) -> list[tuple[str, PartitionState, int]]:
        """Every partition with its topic's effective min.insync.replicas (what the roller weighs)."""
        topics, min_isr = self._topics_with_min_isr()
        return [
            (name, partition, min_isr.get(name, min_isr_default))
            for name, topic in sorted(topics.items())
            for partition in topic.partitions
        ]

    def _topics_with_min_isr(self) -> tuple[dict[str, TopicDescription], dict[str, int]]:
        topics = self._describe_topics(None)
        described = self._describe_configs(admin_configs.TOPIC, list(topics), [_MIN_INSYNC_REPLICAS])
        min_isr = {}
        unknown = []
        for name, (outcome, entries) in described.items():
            entry = entries.get(_MIN_INSYNC_REPLICAS)
            if outcome.ok and entry is not None and entry.value:
                min_isr[name] = int(entry.value)
            elif outcome.error_name == "UNKNOWN_TOPIC_OR_PARTITION":
                topics.pop(name, None)  # deleted since it was listed: nothing left to protect
            else:
                unknown.append(f"{name} ({outcome.error_name or 'no value'})")
        unknown += [f"{name} (not described)" for name in topics if name not in described]
        if unknown:  # guessing would under-protect them: the roller must not decide on a guess
            raise KafkaAdminError(
                f"min.insync.replicas unknown for {len(unknown)} topic(s): {', '.join(unknown[:5])}",
                error_name="MIN_INSYNC_REPLICAS_UNKNOWN",
            )
        return topics, min_isr

    # --- SCRAM users ---------------------------------------------------------------------

    def upsert_scram_credentials(self, credentials: Sequence[ScramCredential]) -> dict[str, OpResult]:
        """Create or replace each user's credential for its mechanism, in batches."""
        results: dict[str, OpResult] = {}
        for round_ in admin_scram.one_per_user(credentials, lambda c: c.user):
            for batch in admin_wire.batches(round_, _SCRAM_BATCH):
                response = self._send("Upserting SCRAM credentials", admin_scram.upsert_request(batch))
                admin_scram.merge(results, admin_scram.parse_alter(response))
        return results

    def delete_scram_credentials(self, users: Iterable[str]) -> dict[str, OpResult]:
        """Remove every SCRAM mechanism of each user; a user without any gets RESOURCE_NOT_FOUND."""
        existing = self.describe_scram_users()
        results: dict[str, OpResult] = {}
        deletions: list[tuple[str, ScramMechanism]] = []
        for user in dict.fromkeys(users):
            if user in existing:
                deletions.extend((user, mechanism) for mechanism in existing[user])
            else:
                results[user] = admin_wire.op_result(_RESOURCE_NOT_FOUND, f"User {user} has no SCRAM credentials.")
        for round_ in admin_scram.one_per_user(deletions, lambda d: d[0]):
            for batch in admin_wire.batches(round_, _SCRAM_BATCH):
                response = self._send("Deleting SCRAM credentials", admin_scram.delete_request(batch))
                admin_scram.merge(results, admin_scram.parse_alter(response))
        return results

    def describe_scram_users(self) -> dict[str, tuple[ScramMechanism, ...]]:
        """Every user that has SCRAM credentials, with its mechanisms."""
        raw = self._call("Describing SCRAM users", self._client.describe_user_scram_credentials)
        users = {}
        for user, info in raw.items():
            mechanisms = {ScramMechanism.from_code(int(c["mechanism"])) for c in info["credential_infos"]}
            known = tuple(sorted((m for m in mechanisms if m is not None), key=lambda m: m.value))
            if known:
                users[user] = known
        return users

    # --- ACLs ----------------------------------------------------------------------------

    def describe_acls(self, principal: str | None = None) -> list[AclBinding]:
        """All ACLs, or one principal's (`User:alice`). Needs an authorizer on the brokers
        (else SECURITY_DISABLED)."""
        return admin_acls.parse_describe(self._send("Describing ACLs", admin_acls.describe_request(principal)))

    def create_acls(self, bindings: Sequence[AclBinding]) -> list[OpResult]:
        """One result per binding, in order; creating an existing binding is ok."""
        results: list[OpResult] = []
        for batch in admin_wire.batches(list(bindings), _ACL_BATCH):
            results += admin_acls.parse_create(self._send("Creating ACLs", admin_acls.create_request(batch)))
        return results

    def delete_acls(self, bindings: Sequence[AclBinding]) -> list[OpResult]:
        """Delete exactly these bindings; one result per binding, ok also when it was absent."""
        results: list[OpResult] = []
        for batch in admin_wire.batches(list(bindings), _ACL_BATCH):
            results += admin_acls.parse_delete(self._send("Deleting ACLs", admin_acls.delete_request(batch)))
        return results

    # --- client quotas -------------------------------------------------------------------

    def describe_client_quotas(self, user: str | None = None) -> dict[str, dict[str, float]]:
        """Quotas of every user (None), of one user, or of `admin_quotas.DEFAULT_USER`."""
        response = self._send("Describing client quotas", admin_quotas.describe_request(user))
        return admin_quotas.parse_describe(response)

    def alter_client_quotas(self, changes: Mapping[str, Mapping[str, float | None]]) -> dict[str, OpResult]:
        """Set quota keys per user (see `admin_quotas.QuotaKey`); a None value removes the key."""
        if not changes:
            return {}
        response = self._send("Altering client quotas", admin_quotas.alter_request(changes))
        return admin_quotas.parse_alter(response)


def _broker_resource(node_id: int | None) -> str:
    """Kafka names a broker config resource by node id, and the cluster-wide default by ""."""
    return "" if node_id is None else str(node_id)


def _raise_unless_ok(outcome: OpResult, action: str) -> None:
    if not outcome.ok:
        raise KafkaAdminError(
            f"{action} failed: {outcome}", error_name=outcome.error_name or "", error_code=outcome.error_code
        )


_NAME_UNKNOWN = frozenset({socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)})


def _unresolvable(server: str) -> KafkaAdminError | None:
    """An error when `server`'s host certainly does not exist (not on a transient DNS failure)."""
    host, _, port = server.rpartition(":")
    try:
        socket.getaddrinfo(host.strip("[]") or server, int(port) if port.isdigit() else None)
    except socket.gaierror as exc:
        if exc.errno not in _NAME_UNKNOWN:
            return None  # a DNS hiccup (EAI_AGAIN): let the client try and retry as usual
        return KafkaAdminError(
            f"Connecting to Kafka failed: {host or server} does not resolve ({exc})", error_name="NoBrokersAvailable"
        )
    except (OSError, UnicodeError):
        return None  # the client reports it in its own words
    return None
