"""Weeks as the giao ban counts them: Monday to Sunday."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def week_start_at(moment: datetime) -> datetime:
    """Midnight at the start of ``moment``'s week, in ``moment``'s time zone."""
    return datetime.combine(week_start(moment.date()), time.min, tzinfo=moment.tzinfo)
