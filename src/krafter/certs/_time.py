"""Time handling shared by the certificate modules.

Certificates carry UTC instants with second precision; a naive `datetime` would silently be read
as local time, so every entry point insists on an aware one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

CLOCK_SKEW = timedelta(minutes=5)
"""How far `notBefore` is backdated, so a node whose clock runs slightly behind the operator's
does not reject a certificate issued a moment ago as "not yet valid"."""


def as_utc(now: datetime) -> datetime:
    """`now` converted to UTC; raises ValueError for a naive datetime."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"timezone-aware datetime required, got naive {now.isoformat()}")
    return now.astimezone(UTC)


def validity_period(now: datetime, validity_days: int) -> tuple[datetime, datetime]:
    """(notBefore, notAfter) for a certificate issued at `now` that is valid for `validity_days`."""
    if validity_days < 1:
        raise ValueError(f"validity_days must be at least 1, got {validity_days}")
    start = as_utc(now).replace(microsecond=0)
    return start - CLOCK_SKEW, start + timedelta(days=validity_days)
