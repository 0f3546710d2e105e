"""The platform's clock: real time, or the demo clock.

The demo tells the story of a campaign that ran in 2022 as if it were running now: ``set_demo_date`` shifts the
clock by whole days so that today is a chosen day inside the campaign while the time of day keeps running. Every
"now" and "today" of the application comes from here (``models.utcnow`` too), so the counters, the daily series,
the countdown and the period windows all agree. Without a demo date the shift is zero.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

# A day of the campaign is a Vietnamese calendar day; stored times are UTC without a zone.
LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")

_shift = timedelta(0)
_demo_date: date | None = None


def real_utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def utcnow() -> datetime:
    return real_utcnow() + _shift


def local_day(when: datetime) -> date:
    """The Vietnamese calendar day of a stored (naive UTC) time."""
    return when.replace(tzinfo=UTC).astimezone(LOCAL_ZONE).date()


def today() -> date:
    return local_day(utcnow())


def set_demo_date(day: date | None) -> None:
    """Make ``day`` today (None: back to real time). Whole days, so the time of day stays the real one."""
    global _shift, _demo_date
    _demo_date = day
    _shift = timedelta(0) if day is None else day - local_day(real_utcnow())


def demo_date() -> date | None:
    """The day the demo clock was set to, when it is on (shown on every page so nobody mistakes it)."""
    return _demo_date
