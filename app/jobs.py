"""The job queue: Huey carries the notification outbox and runs the scheduled jobs.

Storage, from ``JOB_QUEUE_URL`` (read when this module is imported, by the web app and by the worker alike):
``sqlite:///path`` or unset (instance/jobs.db: the embedded default, nothing to install), ``redis://host:port/db``
(at scale: several web servers and workers share it), ``memory://`` (tests, one process).

The worker: ``huey_consumer app.jobs.huey -k thread -w 2`` (``make run`` starts it beside the web server).

The database is the record, the queue only a prompt: each committed ``Delivery`` is enqueued after the commit
(``deliver``); a sweep every minute and at the worker's start takes whatever is due (retries after backoff,
claims of a worker that died, prompts lost with a queue that was down), so losing the queue loses nothing.
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime
from typing import Any

import click
from flask import Flask, has_app_context
from flask.cli import with_appcontext
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from sqlalchemy import event
from sqlalchemy.orm import Session

from . import clock
from .config import INSTANCE_DIR
from .domain import delivery
from .domain.reminders import SCHEDULE
from .extensions import db
from .models import Delivery

log = logging.getLogger(__name__)
_PENDING = "sangkien_deliveries"


def make_huey(url: str) -> Huey:
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("sangkien", url=url)
    if url == "memory://":
        return MemoryHuey("sangkien")
    filename = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else str(INSTANCE_DIR / "jobs.db")
    return SqliteHuey("sangkien", filename=filename)


huey = make_huey(os.environ.get("JOB_QUEUE_URL", ""))

# --- the app the worker's tasks run in ----------------------------------------------------------------------------

_worker_app: Flask | None = None
_worker_app_lock = threading.Lock()


def _app_context() -> Any:
    """The web app's context when there is one (tests run tasks in-process); the worker builds its own once."""
    global _worker_app
    if has_app_context():
        return nullcontext()
    with _worker_app_lock:
        if _worker_app is None:
            from . import create_app
            _worker_app = create_app()
    return _worker_app.app_context()


@contextmanager
def _job() -> Iterator[None]:
    with _app_context():
        try:
            yield
        except Exception:
            db.session.rollback()
            raise


# --- tasks -------------------------------------------------------------------------------------------------------

@huey.task()
def deliver(delivery_id: int) -> str | None:
    with _job():
        return delivery.deliver(delivery_id)


@huey.periodic_task(crontab(minute="*"), name="sweep_deliveries")
def sweep_deliveries() -> dict[str, int]:
    with _job():
        return delivery.sweep()


@huey.on_startup()
def _sweep_at_start() -> None:
    """A worker that starts (after a crash, a deploy) first takes what waited while none was running."""
    try:
        sweep_deliveries.call_local()
    except Exception:  # noqa: BLE001 - a database not reachable yet: the minute sweep tries again
        log.exception("delivery sweep at start failed")


def _scheduled(run: Callable[[datetime], object]) -> Callable[[], object]:
    def job() -> object:
        with _job():
            result = run(clock.utcnow())
            db.session.commit()
            return result
    return job


def _register_schedule() -> None:
    for entry in SCHEDULE:
        huey.periodic_task(crontab(**entry.crontab), name=entry.name)(_scheduled(entry.run))


_register_schedule()


# --- enqueue after commit ----------------------------------------------------------------------------------------

@event.listens_for(Session, "after_flush")
def _collect_deliveries(session: Session, _flush_context: Any) -> None:
    ids = [obj.id for obj in session.new if isinstance(obj, Delivery)]
    if ids:
        session.info.setdefault(_PENDING, []).extend(ids)


@event.listens_for(Session, "after_commit")
def _enqueue_deliveries(session: Session) -> None:
    ids = session.info.pop(_PENDING, None)
    for delivery_id in ids or ():
        try:
            deliver(delivery_id)
        except Exception:  # noqa: BLE001 - the queue is down: the delivery is committed, the sweep sends it
            log.warning("could not enqueue delivery %s; the sweep will send it", delivery_id, exc_info=True)
            return


@event.listens_for(Session, "after_rollback")
def _forget_deliveries(session: Session) -> None:
    session.info.pop(_PENDING, None)


def run_pending(limit: int = 10_000) -> int:
    """Run the queued tasks here and now, in this process (the tests' worker); how many ran."""
    done = 0
    while done < limit:
        task = huey.dequeue()
        if task is None:
            break
        huey.execute(task)
        done += 1
    return done


def init_app(app: Flask) -> None:
    app.cli.add_command(deliver_notifications)
    app.cli.add_command(run_job)


@click.command("deliver-notifications")
@with_appcontext
def deliver_notifications() -> None:
    """Send every due notification now, in this process (what the worker's minute sweep does)."""
    outcomes = delivery.sweep()
    click.echo(", ".join(f"{status}: {count}" for status, count in sorted(outcomes.items())) or "nothing due")


@click.command("run-job")
@click.argument("name")
@with_appcontext
def run_job(name: str) -> None:
    """Run one scheduled job now (reminders, digests, alerts), at the platform's clock, as the worker would."""
    entry = next((entry for entry in SCHEDULE if entry.name == name), None)
    if entry is None:
        raise click.BadParameter(f"no such job; the jobs: {', '.join(e.name for e in SCHEDULE) or 'none'}")
    click.echo(f"{name}: {_scheduled(entry.run)()}")
