"""The drill's verdict: Kafka's rule (every acknowledged record is consumed) and the measurements around it."""

from __future__ import annotations

import pytest

from krafter.kafka.workload import ConsumedRecord, SendRecord
from krafter.verify import judge
from krafter.verify.judge import Phase, Timeline

pytestmark = pytest.mark.unit

TIMELINE = Timeline(started=0.0, fault=10.0, recovered=20.0, stopped=30.0)


def sent(seq: int, at: float, latency: float | None = 0.01, error: str | None = None) -> SendRecord:
    return SendRecord(seq, at, None if latency is None else at + latency, error)


def consumed(*seqs: int) -> list[ConsumedRecord]:
    return [ConsumedRecord(seq, 0.0, offset) for offset, seq in enumerate(seqs)]


def test_every_acknowledged_record_consumed_passes() -> None:
    verdict = judge.judge([sent(0, 1.0), sent(1, 2.0)], consumed(0, 1), consumed(0, 1), TIMELINE)
    assert (verdict.acknowledged, verdict.consumed, verdict.lost, verdict.passed) == (2, 2, 0, True)


def test_an_acknowledged_record_never_consumed_is_lost_and_fails() -> None:
    verdict = judge.judge([sent(0, 1.0), sent(1, 2.0), sent(2, 3.0)], consumed(0, 2), consumed(0, 2), TIMELINE)
    assert (verdict.lost, verdict.lost_sample, verdict.unseen, verdict.passed) == (1, (1,), 1, False)


def test_a_record_that_failed_after_retries_is_an_error_not_a_loss() -> None:
    verdict = judge.judge(
        [sent(0, 1.0), sent(1, 2.0, latency=None, error="KafkaTimeoutError")], consumed(0), consumed(0), TIMELINE
    )
    assert (verdict.lost, verdict.produce_errors, verdict.passed) == (0, 1, True)


def test_a_failed_record_that_was_written_anyway_is_no_problem() -> None:
    verdict = judge.judge([sent(0, 1.0, latency=None, error="timeout")], consumed(0), consumed(0), TIMELINE)
    assert (verdict.lost, verdict.produce_errors, verdict.passed) == (0, 1, True)


def test_records_stored_twice_count_as_duplicates_not_losses() -> None:
    verdict = judge.judge([sent(0, 1.0), sent(1, 2.0)], consumed(0, 1), consumed(0, 1, 1, 1), TIMELINE)
    assert (verdict.duplicates, verdict.read_back, verdict.passed) == (2, 2, True)


def test_a_record_consumed_during_the_drill_but_gone_from_the_topic_afterwards_is_lost() -> None:
    verdict = judge.judge([sent(0, 1.0), sent(1, 2.0)], consumed(0, 1), consumed(1), TIMELINE)
    assert (verdict.lost, verdict.lost_sample, verdict.unseen, verdict.passed) == (1, (0,), 0, False)


def test_a_stored_record_the_live_consumer_never_saw_is_unseen_and_fails() -> None:
    verdict = judge.judge([sent(0, 1.0), sent(1, 2.0)], consumed(0), consumed(0, 1), TIMELINE)
    assert (verdict.lost, verdict.unseen, verdict.passed) == (0, 1, False)


def test_records_without_an_answer_are_counted_apart() -> None:
    verdict = judge.judge([sent(0, 1.0, latency=None)], consumed(), consumed(), TIMELINE)
    assert (verdict.unanswered, verdict.produce_errors, verdict.lost) == (1, 0, 0)


def test_latency_is_split_by_send_time_around_the_fault_and_the_recovery() -> None:
    records = [sent(0, 5.0, 0.002), sent(1, 12.0, 4.0), sent(2, 25.0, 0.003)]
    verdict = judge.judge(records, consumed(0, 1, 2), consumed(0, 1, 2), TIMELINE)
    assert verdict.latency[Phase.BEFORE].p50_ms == pytest.approx(2.0)
    assert verdict.latency[Phase.DURING].p99_ms == pytest.approx(4000.0)
    assert verdict.latency[Phase.AFTER].count == 1


def test_without_recovery_everything_after_the_fault_is_during() -> None:
    timeline = Timeline(0.0, 10.0, None, 30.0)
    assert judge.phase_of(29.0, timeline) is Phase.DURING
    assert judge.judge([], [], [], timeline).recovery_s is None


def test_recovery_time_runs_from_the_fault_to_healthy_again() -> None:
    assert judge.judge([], [], [], TIMELINE).recovery_s == pytest.approx(10.0)


def test_longest_stall_is_the_widest_gap_between_acknowledgements() -> None:
    assert judge.longest_stall([1.0, 2.0, 9.0, 10.0], started=0.0, stopped=11.0) == pytest.approx(7.0)


def test_a_stall_at_the_end_counts_until_the_load_stopped() -> None:
    assert judge.longest_stall([1.0], started=0.0, stopped=6.0) == pytest.approx(5.0)


def test_no_acknowledgement_at_all_is_one_stall_over_the_whole_load() -> None:
    assert judge.longest_stall([], started=2.0, stopped=8.0) == pytest.approx(6.0)


def test_percentiles_are_nearest_rank_values_that_were_measured() -> None:
    values = [float(v) for v in range(1, 101)]
    assert (judge.percentile(values, 0.5), judge.percentile(values, 0.99)) == (50.0, 99.0)
    assert judge.percentile([7.0], 0.99) == 7.0
    assert judge.percentile([], 0.5) is None


def test_the_verdict_as_json_names_every_measure() -> None:
    data = judge.judge([sent(0, 1.0)], consumed(0), consumed(0), TIMELINE).to_dict()
    assert set(data) >= {"passed", "acknowledged", "consumed", "lost", "duplicates", "produce_errors"}
    assert set(data["latency_ms"]) == {"before", "during", "after"}  # type: ignore[arg-type]
