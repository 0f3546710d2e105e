"""The worker's schedule: what Huey's scheduler starts at a given minute (``huey.read_periodic``)."""
from __future__ import annotations

from datetime import datetime, timedelta

from app import jobs
from app.domain.reminders import SCHEDULE


def due_at(moment: datetime) -> set[str]:
    return {task.name for task in jobs.huey.read_periodic(moment)}


def test_the_delivery_sweep_runs_every_minute():
    start = datetime(2022, 5, 12, 3, 0)
    for minute in range(0, 24 * 60, 37):
        assert "sweep_deliveries" in due_at(start + timedelta(minutes=minute))


def test_every_scheduled_job_is_registered_and_runs_at_least_weekly():
    week = [datetime(2022, 5, 9) + timedelta(minutes=minute) for minute in range(0, 7 * 24 * 60)]
    for entry in SCHEDULE:
        runs = [moment for moment in week if entry.name in due_at(moment)]
        assert runs, f"{entry.name} never runs in a week"
        assert len(runs) <= 7 * 24, f"{entry.name} runs more than hourly"
