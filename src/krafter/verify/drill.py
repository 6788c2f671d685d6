"""Runs a failover drill: per scenario a fresh topic, load, the fault, recovery, and the verdict.

Each scenario follows one script, so results compare across scenarios and platforms:
create a topic (one partition, the drill's replication factor and min.insync.replicas) and
wait until it is fully replicated; start the consumer and the producer; let the load run;
aim the fault at the cluster as it is now and inject it; bring the nodes back and wait
until the cluster and the topic are healthy again; run the load a while longer; stop the
producer, let the consumer catch up, judge, and delete the topic. A cluster that does not
recover stops the drill: the next scenario would only measure the previous one's damage.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from krafter.core.errors import KrafterError
from krafter.kafka.admin import KafkaAdmin
from krafter.kafka.admin_types import KafkaAdminError, NewTopic
from krafter.kafka.workload import ProducerSettings, SequenceConsumer, SequenceProducer, read_back
from krafter.verify import judge, scenarios
from krafter.verify.faults import FaultTarget
from krafter.verify.scenarios import Action, ClusterView, Scenario

Say = Callable[[str], None]
"""A step worth a line of output."""
Tick = Callable[[str], None]
"""The live status (replaces the previous one; terminals only)."""


@dataclass(frozen=True)
class DrillSettings:
    acks: str = "all"
    replication_factor: int = 3
    min_isr: int = 2
    rate: float = 100.0
    """Records per second."""
    duration: float = 6.0
    """Seconds of load around each fault: half before it, half after the cluster recovered."""
    fault_seconds: float = 3.0
    """How long a killed node stays down, or a paused one frozen."""
    recovery_timeout: float = 180.0
    drain_timeout: float = 30.0

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class AckPoint:
    """One acknowledged record on the drill's clock: when it was sent, and its latency."""

    sent_s: float
    latency_ms: float


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    round: int
    fault: str
    topic: str
    verdict: judge.Verdict
    timeline: judge.Timeline
    """Monotonic seconds."""
    acks: tuple[AckPoint, ...]
    failed_s: tuple[float, ...]
    """Send times (drill clock) of records that failed after retries."""
    problem: str | None = None
    """Why the cluster did not recover, when it did not."""

    @property
    def passed(self) -> bool:
        return self.verdict.passed and self.problem is None

    def to_dict(self, origin: float) -> dict[str, object]:
        return {
            "scenario": self.scenario.value,
            "round": self.round,
            "fault": self.fault,
            "topic": self.topic,
            "passed": self.passed,
            "problem": self.problem,
            "fault_at_s": round(self.timeline.fault - origin, 3),
            "recovered_at_s": None if self.timeline.recovered is None else round(self.timeline.recovered - origin, 3),
            **self.verdict.to_dict(),
        }


@dataclass
class DrillReport:
    cluster: str
    platform: str
    settings: DrillSettings
    started_at: str
    origin: float
    """Monotonic time of the drill's start: chart times are seconds since then."""
    results: list[ScenarioResult] = field(default_factory=list)
    problem: str | None = None
    """Why the drill stopped early, if it did."""

    @property
    def passed(self) -> bool:
        return self.problem is None and all(r.passed for r in self.results)

    @property
    def lost(self) -> int:
        return sum(r.verdict.lost for r in self.results)

    def to_dict(self) -> dict[str, object]:
        return {
            "cluster": self.cluster,
            "platform": self.platform,
            "started_at": self.started_at,
            "passed": self.passed,
            "lost": self.lost,
            "problem": self.problem,
            "settings": self.settings.to_dict(),
            "scenarios": [r.to_dict(self.origin) for r in self.results],
        }


class Drill:
    def __init__(
        self,
        target: FaultTarget,
        settings: DrillSettings,
        *,
        platform: str = "local",
        say: Say | None = None,
        tick: Tick | None = None,
    ) -> None:
        self.target = target
        self.settings = settings
        self.say: Say = say or (lambda _message: None)
        self.tick: Tick = tick or (lambda _status: None)
        self.report = DrillReport(
            target.name, platform, settings, datetime.now(UTC).isoformat(timespec="seconds"), time.monotonic()
        )

    def run(self, plan: list[Scenario]) -> DrillReport:
        rounds: dict[Scenario, int] = {}
        for scenario in plan:
            rounds[scenario] = rounds.get(scenario, 0) + 1
            label = f"{scenario.value} #{rounds[scenario]}"
            try:
                result = self._scenario(scenario, rounds[scenario], label)
            except KrafterError as exc:
                self.report.problem = f"{label}: {exc}"
                self.say(f"{label}: stopped: {exc}")
                break
            self.report.results.append(result)
            verdict = result.verdict
            outcome = "passed" if result.passed else "FAILED"
            self.say(
                f"{label}: {outcome}: {verdict.acknowledged} acknowledged, {verdict.consumed} consumed, "
                f"{verdict.read_back} read back, {verdict.lost} lost, {verdict.unseen} unseen, "
                f"{verdict.duplicates} duplicates, longest stall {verdict.longest_stall_s:.1f} s"
            )
            if result.problem is not None:
                self.report.problem = f"{label}: {result.problem}"
                break
        return self.report

    # --- one scenario --------------------------------------------------------------------------

    def _scenario(self, scenario: Scenario, round_: int, label: str) -> ScenarioResult:
        topic = f"krafter-verify-{scenario.value}-{round_}-{secrets.token_hex(3)}"
        self._create_topic(topic)
        try:
            return self._under_load(scenario, round_, label, topic)
        finally:
            self._delete_topic(topic)

    def _under_load(self, scenario: Scenario, round_: int, label: str, topic: str) -> ScenarioResult:
        settings = self.settings
        connection = self.target.client_settings()
        consumer = SequenceConsumer(connection, topic)
        # Records wait out the whole recovery instead of expiring: an outage the drill tolerates
        # is not the application's error (a full crash on a busy machine takes over a minute).
        patience_ms = int((settings.recovery_timeout + 60) * 1000)
        producer = SequenceProducer(
            connection, topic, ProducerSettings(acks=settings.acks, rate=settings.rate, delivery_timeout_ms=patience_ms)
        )
        consumer.start()
        producer.start()
        started = time.monotonic()

        def wait(seconds: float, phase: str) -> None:
            until = time.monotonic() + seconds
            while (left := until - time.monotonic()) > 0:
                sent, acked, failed = producer.snapshot()
                self.tick(
                    f"{label}: {phase}, {time.monotonic() - started:.0f} s: "
                    f"{sent} sent, {acked} acknowledged, {failed} failed, {consumer.count()} consumed"
                )
                time.sleep(min(0.25, left))

        def note(text: str) -> None:
            """A step line that also says, for logs without the live status, how far the load got."""
            _sent, acked, _failed = producer.snapshot()
            self.say(f"{label} [{time.monotonic() - started:.0f} s, {acked} acknowledged]: {text}")

        problem = None
        recovered: float | None = None
        try:
            wait(settings.duration / 2, "load before the fault")
            view = self._view(topic)
            fault = scenarios.choose_fault(scenario, view)
            description = fault.describe(view)
            note(description)
            fault_at = time.monotonic()
            self.target.inject(fault)
            if fault.action is not Action.ROLL:
                wait(settings.fault_seconds, description)
            self.target.restore(fault)
            note("nodes back, waiting for the cluster and the topic to be healthy")
            try:
                self._wait_recovered(topic)
                recovered = time.monotonic()
                note(f"healthy again {recovered - fault_at:.1f} s after the fault")
            except KrafterError as exc:
                problem = str(exc)
            wait(settings.duration / 2, "load after recovery")
        except BaseException:
            producer.stop(flush_timeout=1.0)
            consumer.stop()
            raise
        stopped = time.monotonic()
        self.tick(f"{label}: flushing the producer")
        sent = producer.stop(flush_timeout=settings.drain_timeout)
        acked = {r.seq for r in sent if r.acked is not None}
        self.tick(f"{label}: reading the topic back ({len(acked)} acknowledged records)")
        try:
            stored = read_back(connection, topic, settings.drain_timeout)
        except Exception as exc:  # kafka-python raises its own types; the verdict must still be written
            stored = []
            problem = problem or f"reading the topic back failed: {type(exc).__name__}: {exc}"
        # The live consumer can still read what the topic holds; what the topic lost is gone for it too.
        present = acked & {r.seq for r in stored}
        consumer.drain(lambda seen: present <= seen, settings.drain_timeout)
        consumed, _foreign = consumer.stop()
        timeline = judge.Timeline(started, fault_at, recovered, stopped)
        origin = self.report.origin
        return ScenarioResult(
            scenario=scenario,
            round=round_,
            fault=description,
            topic=topic,
            verdict=judge.judge(sent, consumed, stored, timeline),
            timeline=timeline,
            acks=tuple(AckPoint(r.sent - origin, (r.acked - r.sent) * 1000) for r in sent if r.acked is not None),
            failed_s=tuple(r.sent - origin for r in sent if r.acked is None and r.error is not None),
            problem=problem,
        )

    # --- Kafka ---------------------------------------------------------------------------------

    def _admin(self) -> KafkaAdmin:
        return KafkaAdmin(self.target.admin_settings())

    def _create_topic(self, topic: str) -> None:
        settings = self.settings
        config = {"min.insync.replicas": str(settings.min_isr)}
        with self._admin() as admin:
            outcome = admin.create_topics([NewTopic(topic, 1, settings.replication_factor, config)])[topic]
        if not outcome.ok:
            raise KrafterError(f"creating the test topic {topic} failed: {outcome}")
        self._until(lambda: self._in_sync(topic), 60.0, f"topic {topic} fully replicated")

    def _delete_topic(self, topic: str) -> None:
        with contextlib.suppress(KafkaAdminError, OSError), self._admin() as admin:
            admin.delete_topics([topic])

    def _in_sync(self, topic: str) -> str | None:
        """None when partition 0 has a leader and every replica in sync; else what is missing."""
        with self._admin() as admin:
            described = admin.describe_topics([topic]).get(topic)
        if described is None or not described.partitions:
            return "not visible yet"
        partition = described.partitions[0]
        if partition.leader < 0:
            return "no leader"
        if set(partition.isr) != set(partition.replicas):
            return f"in-sync replicas {sorted(partition.isr)} of {sorted(partition.replicas)}"
        return None

    def _view(self, topic: str) -> ClusterView:
        with self._admin() as admin:
            described = admin.describe_topics([topic]).get(topic)
            active = admin.describe_quorum().leader_id
        leader = described.partitions[0].leader if described and described.partitions else None
        return ClusterView(self.target.nodes(), leader, active)

    def _wait_recovered(self, topic: str) -> None:
        deadline = time.monotonic() + self.settings.recovery_timeout
        self.target.wait_healthy(self.settings.recovery_timeout)
        self._until(lambda: self._in_sync(topic), max(1.0, deadline - time.monotonic()), f"topic {topic} in sync")

    @staticmethod
    def _until(check: Callable[[], str | None], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        missing: str | None = "not checked"
        while time.monotonic() < deadline:
            try:
                missing = check()
            except (KafkaAdminError, OSError) as exc:
                missing = str(exc)
            if missing is None:
                return
            time.sleep(0.25)
        raise KrafterError(f"{what}: not within {timeout:.0f} s ({missing})")
