"""Maintenance windows: Quartz cron parsing, its error messages, and minute-level matching."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from krafter.certs import maintenance
from krafter.certs.maintenance import InvalidCronExpression, in_maintenance_window, parse_cron

pytestmark = pytest.mark.unit

STRIMZI_EXAMPLE = "* * 0-1 ? * SUN,MON,TUE,WED,THU,FRI,SAT"


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def matches(expression: str, moment: datetime) -> bool:
    return parse_cron(expression).matches_minute(moment)


@pytest.mark.parametrize(
    "expression",
    [
        STRIMZI_EXAMPLE,
        "0 */5 * * * ?",
        "0 0 22-2 ? * *",
        "0 0/15 8-17 ? * MON-FRI",
        "0 15 10 ? * 6L",
        "0 15 10 L * ?",
        "0 15 10 L-2 * ?",
        "0 15 10 LW * ?",
        "0 15 10 15W * ?",
        "0 15 10 ? * FRI#3",
        "0 0 12 1/5 * ?",
        "0 11 11 11 11 ? 2030",
        "* * 1 ? JAN-MAR,NOV MON-FRI",
        "* * 0-1 ? * sun",
        "0 /10 * * * ?",
    ],
)
def test_valid_quartz_expressions_parse(expression: str) -> None:
    assert parse_cron(expression).text == expression


@pytest.mark.parametrize(
    ("expression", "field"),
    [
        ("* * * * *", "expression"),
        ("x * * ? * *", "seconds"),
        ("* 60 * ? * *", "minutes"),
        ("* */0 * ? * *", "minutes"),
        ("* * 24 ? * *", "hours"),
        ("* * 1- ? * *", "hours"),
        ("* * * 0 * ?", "day-of-month"),
        ("* * * L,5 * ?", "day-of-month"),
        ("* * * * * *", "day-of-month"),
        ("* * * ? * ?", "day-of-week"),
        ("* * * ? FOO *", "month"),
        ("* * * ? 13 *", "month"),
        ("* * * ? * 8", "day-of-week"),
        ("* * * ? * MON#6", "day-of-week"),
        ("* * * ? * MON,", "day-of-week"),
        ("* * * ? * * 1969", "year"),
        ("* * * ? * * 2031-2030", "year"),
        ("? * * ? * *", "seconds"),
    ],
)
def test_invalid_expression_error_names_the_bad_field(expression: str, field: str) -> None:
    with pytest.raises(InvalidCronExpression) as raised:
        parse_cron(expression)
    assert raised.value.field == field
    assert f"{field} field" in str(raised.value)


def test_invalid_expression_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"invalid cron expression '\* 99 \* \? \* \*': minutes field"):
        parse_cron("* 99 * ? * *")


def test_unix_five_field_expression_error_suggests_the_seconds_field() -> None:
    with pytest.raises(InvalidCronExpression, match="prefix the Unix cron expression with '0 '"):
        parse_cron("0 1 * * *")


def test_no_windows_means_always_in_a_window() -> None:
    assert in_maintenance_window([], at(2025, 6, 4, 13, 37))


def test_strimzi_example_window_is_open_between_midnight_and_two() -> None:
    assert in_maintenance_window([STRIMZI_EXAMPLE], at(2025, 6, 4, 0, 0))
    assert in_maintenance_window([STRIMZI_EXAMPLE], at(2025, 6, 4, 1, 59, second=59))
    assert not in_maintenance_window([STRIMZI_EXAMPLE], at(2025, 6, 4, 2, 0))


def test_any_matching_window_opens_maintenance() -> None:
    windows = ["* * 3 ? * *", "* * 14 ? * *"]
    assert in_maintenance_window(windows, at(2025, 6, 4, 14, 30))


def test_matching_ignores_the_seconds_field() -> None:
    assert matches("0 */5 * * * ?", at(2025, 6, 4, 10, 5, second=37))
    assert not matches("0 */5 * * * ?", at(2025, 6, 4, 10, 6))


def test_now_in_another_timezone_is_compared_in_utc() -> None:
    local_midnight_thirty = datetime(2025, 6, 4, 2, 30, tzinfo=timezone(timedelta(hours=2)))
    assert matches("* * 0 ? * *", local_midnight_thirty)


def test_naive_now_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        in_maintenance_window(["* * * ? * *"], datetime(2025, 6, 4))


def test_day_of_week_one_is_sunday() -> None:
    assert matches("* * * ? * 1", at(2025, 6, 1))  # a Sunday
    assert not matches("* * * ? * 1", at(2025, 6, 2))


def test_hour_range_wraps_past_midnight() -> None:
    assert matches("0 0 22-2 ? * *", at(2025, 6, 4, 23, 0))
    assert matches("0 0 22-2 ? * *", at(2025, 6, 4, 1, 0))
    assert not matches("0 0 22-2 ? * *", at(2025, 6, 4, 12, 0))


def test_weekday_range_wraps_over_the_weekend() -> None:
    assert matches("* * * ? * FRI-MON", at(2025, 6, 1))  # Sunday
    assert not matches("* * * ? * FRI-MON", at(2025, 6, 4))  # Wednesday


def test_step_from_a_start_value_runs_to_the_end_of_the_range() -> None:
    assert parse_cron("0 10/20 * ? * *").minutes == frozenset({10, 30, 50})


def test_last_day_of_month_follows_leap_years() -> None:
    assert matches("* * * L * ?", at(2024, 2, 29))
    assert matches("* * * L * ?", at(2025, 2, 28))
    assert not matches("* * * L * ?", at(2024, 2, 28))


def test_last_day_offset_counts_back_from_the_last_day() -> None:
    assert matches("* * * L-2 * ?", at(2025, 6, 28))


def test_last_weekday_of_month_skips_a_weekend_end() -> None:
    assert matches("* * * LW * ?", at(2025, 5, 30))  # May 31st 2025 is a Saturday


def test_nearest_weekday_of_a_saturday_first_is_the_monday_after() -> None:
    assert matches("* * * 1W * ?", at(2025, 3, 3))  # March 1st 2025 is a Saturday
    assert not matches("* * * 1W * ?", at(2025, 3, 1))


def test_nearest_weekday_of_a_sunday_is_the_monday_after() -> None:
    assert matches("* * * 15W * ?", at(2025, 6, 16))  # June 15th 2025 is a Sunday


def test_last_friday_of_the_month() -> None:
    assert matches("* * * ? * 6L", at(2025, 6, 27))
    assert not matches("* * * ? * 6L", at(2025, 6, 20))


def test_third_friday_of_the_month() -> None:
    assert matches("* * * ? * FRI#3", at(2025, 6, 20))
    assert not matches("* * * ? * FRI#3", at(2025, 6, 27))


def test_year_field_restricts_the_years() -> None:
    assert matches("* * * ? * * 2025-2026", at(2026, 1, 1))
    assert not matches("* * * ? * * 2025-2026", at(2027, 1, 1))


@given(step=st.integers(1, 59), moment=st.datetimes(timezones=st.just(UTC)))
def test_minute_step_matches_exactly_the_multiples_of_the_step(step: int, moment: datetime) -> None:
    assert matches(f"0 */{step} * * * ?", moment) == (moment.minute % step == 0)


@given(minutes=st.sets(st.integers(0, 59), min_size=1))
def test_minute_list_parses_to_exactly_its_values(minutes: set[int]) -> None:
    expression = f"0 {','.join(map(str, sorted(minutes)))} * ? * *"
    assert parse_cron(expression).minutes == minutes


@given(first=st.integers(1, 7), last=st.integers(1, 7))
def test_day_names_mean_the_same_as_their_numbers(first: int, last: int) -> None:
    names = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
    by_number = parse_cron(f"* * * ? * {first}-{last}").day_of_week
    by_name = parse_cron(f"* * * ? * {names[first - 1]}-{names[last - 1]}").day_of_week
    assert by_number == by_name
    assert isinstance(by_number, maintenance.DaysOfWeek)
