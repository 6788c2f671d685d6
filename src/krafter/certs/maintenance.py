"""Maintenance time windows: Strimzi's Quartz cron expressions, matched to the minute.

`spec.maintenanceTimeWindows` holds Quartz `CronExpression`s, evaluated in UTC, and the
disruptive certificate work (CA renewal and the rolls it causes) may only start while the
current time satisfies one of them. Quartz is a Java library, so this module implements the
subset of its syntax Quartz itself accepts, to validate and evaluate the same strings:

    seconds minutes hours day-of-month month day-of-week [year]

with `*`, `?` (exactly one of the two day fields), `a-b` (wrapping, e.g. `22-2`), `a,b`,
`*/n` and `a/n`, `JAN`-`DEC` and `SUN`-`SAT` (day-of-week 1 is Sunday), `L`, `L-n`, `LW` and
`nW` in day-of-month, and `L`, `nL` and `n#k` in day-of-week.

Strimzi asks Quartz whether the current *second* satisfies the expression; a reconcile runs at
an arbitrary second every couple of minutes, so a seconds field other than `*` would make a
window almost never open. Krafter therefore validates the seconds field but ignores it when
matching: a window is open during every minute its other fields match.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol, TypeVar

from krafter.certs import _time

_T = TypeVar("_T")


class InvalidCronExpression(ValueError):
    """A maintenance window expression Quartz would reject; `field` names the culprit."""

    def __init__(self, expression: str, field: str, problem: str) -> None:
        super().__init__(f"invalid cron expression {expression!r}: {field} field: {problem}")
        self.expression = expression
        self.field = field
        self.problem = problem


class _FieldError(Exception):
    """Raised inside one field's parser; turned into InvalidCronExpression with the field's name."""


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: Mapping[str, int]
    wraps: bool = True

    @property
    def span(self) -> int:
        return self.high - self.low + 1


_MONTH_NAMES = {name.upper(): number for number, name in enumerate(calendar.month_abbr) if name}
_DAY_NAMES = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}

_SECONDS = _Field("seconds", 0, 59, {})
_MINUTES = _Field("minutes", 0, 59, {})
_HOURS = _Field("hours", 0, 23, {})
_DAY_OF_MONTH = _Field("day-of-month", 1, 31, {})
_MONTH = _Field("month", 1, 12, _MONTH_NAMES)
_DAY_OF_WEEK = _Field("day-of-week", 1, 7, _DAY_NAMES)
_YEAR = _Field("year", 1970, 2099, {}, wraps=False)


class DayRule(Protocol):
    """One of the two day fields, which can depend on the month (`L`, `W`, `#`)."""

    def matches(self, day: date) -> bool: ...


@dataclass(frozen=True)
class AnyDay:
    """`?`: this day field places no constraint (the other one does)."""

    def matches(self, day: date) -> bool:
        return True


@dataclass(frozen=True)
class DaysOfMonth:
    days: frozenset[int]

    def matches(self, day: date) -> bool:
        return day.day in self.days


@dataclass(frozen=True)
class DaysOfWeek:
    days: frozenset[int]
    """Quartz numbering: 1 is Sunday, 7 is Saturday."""

    def matches(self, day: date) -> bool:
        return _quartz_weekday(day) in self.days


@dataclass(frozen=True)
class LastDayOfMonth:
    """`L`, `L-n`, `LW`, `L-nW`: the last day minus `offset`, optionally its nearest weekday."""

    offset: int
    nearest_weekday: bool

    def matches(self, day: date) -> bool:
        target = _days_in_month(day) - self.offset
        if target < 1:
            return False
        if self.nearest_weekday:
            return day.day == _nearest_weekday(day, target)
        return day.day == target


@dataclass(frozen=True)
class NearestWeekday:
    """`nW`: the weekday closest to day `n`, never crossing into another month."""

    day_of_month: int

    def matches(self, day: date) -> bool:
        if self.day_of_month > _days_in_month(day):
            return False
        return day.day == _nearest_weekday(day, self.day_of_month)


@dataclass(frozen=True)
class LastWeekdayOfMonth:
    """`nL` in day-of-week: the last such weekday of the month."""

    weekday: int

    def matches(self, day: date) -> bool:
        return _quartz_weekday(day) == self.weekday and day.day + 7 > _days_in_month(day)


@dataclass(frozen=True)
class NthWeekdayOfMonth:
    """`n#k` in day-of-week: the k-th such weekday of the month."""

    weekday: int
    nth: int

    def matches(self, day: date) -> bool:
        return _quartz_weekday(day) == self.weekday and (day.day - 1) // 7 + 1 == self.nth


@dataclass(frozen=True)
class CronExpression:
    """A parsed Quartz cron expression; `years` is None when the optional field is absent."""

    text: str
    seconds: frozenset[int]
    minutes: frozenset[int]
    hours: frozenset[int]
    day_of_month: DayRule
    months: frozenset[int]
    day_of_week: DayRule
    years: frozenset[int] | None

    def matches_minute(self, moment: datetime) -> bool:
        """Whether the UTC minute containing `moment` lies in this window (seconds ignored)."""
        utc = _time.as_utc(moment)
        day = utc.date()
        return (
            utc.minute in self.minutes
            and utc.hour in self.hours
            and utc.month in self.months
            and (self.years is None or utc.year in self.years)
            and self.day_of_month.matches(day)
            and self.day_of_week.matches(day)
        )


def in_maintenance_window(expressions: Sequence[str], now: datetime) -> bool:
    """Whether `now` lies in any of the windows; no windows at all means "always"."""
    if not expressions:
        return True
    return any(parse_cron(expression).matches_minute(now) for expression in expressions)


@functools.lru_cache(maxsize=256)
def parse_cron(expression: str) -> CronExpression:
    """Parse a Quartz cron expression, raising InvalidCronExpression (a ValueError) naming the field."""
    parts = expression.upper().split()
    if len(parts) not in (6, 7):
        hint = (
            " (Quartz expressions start with a seconds field: prefix the Unix cron expression with '0 ')"
            if len(parts) == 5
            else ""
        )
        raise InvalidCronExpression(
            expression,
            "expression",
            f"expected 6 or 7 fields (seconds minutes hours day-of-month month day-of-week [year]), "
            f"got {len(parts)}{hint}",
        )
    dom_text, dow_text = parts[3], parts[5]
    if (dom_text == "?") == (dow_text == "?"):
        raise InvalidCronExpression(
            expression,
            "day-of-week" if dom_text == "?" else "day-of-month",
            "exactly one of day-of-month and day-of-week must be '?' "
            f"(got {parts[3]!r} and {parts[5]!r}); e.g. '* * 0-1 ? * SUN' or '* * 0-1 1 * ?'",
        )

    def field(spec: _Field, text: str) -> frozenset[int]:
        return _in_field(expression, spec, lambda: _values(text, spec))

    return CronExpression(
        text=expression,
        seconds=field(_SECONDS, parts[0]),
        minutes=field(_MINUTES, parts[1]),
        hours=field(_HOURS, parts[2]),
        day_of_month=_in_field(expression, _DAY_OF_MONTH, lambda: _day_of_month(dom_text)),
        months=field(_MONTH, parts[4]),
        day_of_week=_in_field(expression, _DAY_OF_WEEK, lambda: _day_of_week(dow_text)),
        years=field(_YEAR, parts[6]) if len(parts) == 7 else None,
    )


def _in_field(expression: str, spec: _Field, parse: Callable[[], _T]) -> _T:
    try:
        return parse()
    except _FieldError as exc:
        raise InvalidCronExpression(expression, spec.name, str(exc)) from None


def _day_of_month(text: str) -> DayRule:
    if text == "?":
        return AnyDay()
    if text.startswith("L"):
        rest = text[1:]
        nearest = rest.endswith("W")
        rest = rest.removesuffix("W")
        offset = 0
        if rest:
            if not rest.startswith("-"):
                raise _FieldError(f"{text!r}: 'L' may only be followed by '-<days>' and/or 'W'")
            offset = _number(rest[1:], "offset from the last day")
            if offset > 30:
                raise _FieldError(f"{text!r}: the offset from the last day must be at most 30")
        return LastDayOfMonth(offset=offset, nearest_weekday=nearest)
    if text.endswith("W"):
        day = _value(text[:-1], _DAY_OF_MONTH)
        return NearestWeekday(day)
    if "L" in text or "W" in text:
        raise _FieldError(f"{text!r}: 'L' and 'W' cannot be combined with lists, ranges or steps")
    return DaysOfMonth(_values(text, _DAY_OF_MONTH))


def _day_of_week(text: str) -> DayRule:
    if text == "?":
        return AnyDay()
    if text == "L":  # Quartz reads a bare 'L' in day-of-week as 7, Saturday.
        return DaysOfWeek(frozenset({7}))
    if "#" in text:
        weekday, _, nth = text.partition("#")
        count = _number(nth, "'#' occurrence")
        if not 1 <= count <= 5:
            raise _FieldError(f"{text!r}: the number after '#' must be 1 to 5")
        return NthWeekdayOfMonth(_value(weekday, _DAY_OF_WEEK), count)
    if text.endswith("L"):
        return LastWeekdayOfMonth(_value(text[:-1], _DAY_OF_WEEK))
    if "L" in text:
        raise _FieldError(f"{text!r}: 'L' cannot be combined with lists, ranges or steps")
    return DaysOfWeek(_values(text, _DAY_OF_WEEK))


def _values(text: str, spec: _Field) -> frozenset[int]:
    result: set[int] = set()
    for item in text.split(","):
        if not item:
            raise _FieldError(f"{text!r} has an empty list item")
        result |= _item(item, spec)
    return frozenset(result)


def _item(item: str, spec: _Field) -> set[int]:
    base, slash, step_text = item.partition("/")
    step = 1
    if slash:
        step = _number(step_text, "step")
        if step < 1 or (spec.wraps and step > spec.high):
            raise _FieldError(f"{item!r}: the step must be 1 to {spec.high}")
    if base in ("*", "") and (base or slash):  # Quartz reads "/n" as "*/n"
        return set(range(spec.low, spec.high + 1, step))
    if base == "?":
        raise _FieldError("'?' is only allowed alone, in day-of-month or day-of-week")
    if "-" in base:
        first_text, _, last_text = base.partition("-")
        first, last = _value(first_text, spec), _value(last_text, spec)
    else:
        first = _value(base, spec)
        last = spec.high if slash else first
    if last < first:
        if not spec.wraps:
            raise _FieldError(f"{item!r}: the range must not run backwards")
        last += spec.span  # a wrapping range such as hours 22-2
    return {spec.low + (value - spec.low) % spec.span for value in range(first, last + 1, step)}


def _value(text: str, spec: _Field) -> int:
    if text in spec.names:
        return spec.names[text]
    value = _number(text, "value")
    if not spec.low <= value <= spec.high:
        raise _FieldError(f"{text!r} is outside {spec.low}-{spec.high}")
    return value


def _number(text: str, what: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise _FieldError(f"{text!r} is not a valid {what}")
    return int(text)


def _quartz_weekday(day: date) -> int:
    return day.isoweekday() % 7 + 1


def _days_in_month(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def _nearest_weekday(day: date, target: int) -> int:
    """The day of `day`'s month that Quartz's `W` picks for `target`."""
    weekday = date(day.year, day.month, target).isoweekday()
    if weekday == 6:  # Saturday: the Friday before, or the Monday after on the 1st
        return target + 2 if target == 1 else target - 1
    if weekday == 7:  # Sunday: the Monday after, or the Friday before on the last day
        return target - 2 if target == _days_in_month(day) else target + 1
    return target
