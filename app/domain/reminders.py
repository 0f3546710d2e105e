"""Scheduled work on the job queue (app/jobs.py registers each entry of ``SCHEDULE`` as a Huey periodic task).

Each job takes the platform's ``now`` (app/clock.py: real time, or the demo clock) and is idempotent: the
notifications it writes carry a dedupe key, so a job run twice, late or by two workers tells each person once.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Scheduled:
    name: str
    run: Callable[[datetime], object]
    # Huey crontab fields, in UTC (07:00 in Việt Nam is 00:00 UTC).
    crontab: dict[str, str] = field(default_factory=dict)


SCHEDULE: list[Scheduled] = []
