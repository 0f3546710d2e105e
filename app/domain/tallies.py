"""Per (campaign, unit) counters, rolled up to every ancestor, and two daily series.

Pages read these rows instead of counting initiatives. The workflow module calls ``apply_transition`` inside
the same transaction as the status change; ``rebuild`` recomputes everything from the initiatives.

- ``Tally``: the counters of a unit's subtree (pending, returned, valid, invalid).
- ``DailyTally``: what changed on each local day (new submitted, new valid): the chart and the giao ban.
- ``CohortTally``: the same counters split by the day of each initiative's *first* submission and by field: the
  periods (a window of days) and the breakdown by field.
"""
from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from .. import clock
from ..extensions import db
from ..models import CohortTally, DailyTally, Initiative, Status, StatusEvent, Tally, Unit, path_ids, utcnow

# Which counter a status belongs to; drafts and withdrawn initiatives are not counted.
BUCKETS: dict[str, str] = {
    Status.SUBMITTED: "pending",
    Status.RETURNED: "returned",
    Status.VALID: "valid",
    Status.SHORTLISTED: "valid",
    Status.AWARDED: "valid",
    Status.INVALID: "invalid",
}
COUNTERS = Tally.COUNTERS
COUNTED_STATUSES = tuple(BUCKETS)  # ever left draft and not withdrawn
VALID_STATUSES = tuple(status for status, bucket in BUCKETS.items() if bucket == "valid")
LOCAL_ZONE = clock.LOCAL_ZONE


def submitted(counts: Any) -> int:
    """"Submitted" (DESIGN §6): ever left draft and not withdrawn, i.e. the sum of every counter (drafts and
    withdrawn initiatives have none); defined on the model so that ``Tally.submitted`` works in SQL too."""
    return Tally.submitted_of(counts)


def local_day(when: datetime) -> date:
    """Stored times are UTC; a day of the campaign is a Vietnamese calendar day."""
    return clock.local_day(when)


def daily_delta(from_status: str, to_status: str) -> tuple[int, int]:
    """(submitted, valid) change of one transition."""
    old, new = BUCKETS.get(from_status), BUCKETS.get(to_status)
    return (int(new is not None) - int(old is not None), int(new == "valid") - int(old == "valid"))


def _upsert(model):
    """INSERT … ON CONFLICT for the database in use (both dialects share the API)."""
    return _insert_of(db.session.get_bind().dialect.name, model.__table__)


@functools.cache
def _insert_of(dialect: str, table):
    """One INSERT construct per table and dialect (statements are immutable): its ``excluded`` columns are built
    once instead of at every transition."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert
        return postgresql_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert
    return sqlite_insert(table)


# The upserts below pass their rows as parameters (one statement, executed for each row) rather than as a
# multi-row VALUES clause: SQLAlchemy caches the compiled form of the first and compiles the second every time,
# which cost more than the rest of a transition together.


def ensure_rows(campaign_id: int, unit_ids: list[int]) -> None:
    if not unit_ids:
        return
    rows = [{"campaign_id": campaign_id, "unit_id": uid, "pending": 0, "returned": 0, "valid": 0, "invalid": 0,
             "updated_at": utcnow()} for uid in unit_ids]
    db.session.execute(_upsert(Tally).on_conflict_do_nothing(), rows)


def apply_transition(initiative: Initiative, from_status: str, to_status: str, when: datetime) -> None:
    """Move one initiative between counters for its unit and all ancestors (its cohort row too)."""
    old, new = BUCKETS.get(from_status), BUCKETS.get(to_status)
    if old == new:
        return
    campaign_id = initiative.campaign_id
    unit_ids = initiative.unit.ancestor_ids
    ensure_rows(campaign_id, unit_ids)
    values: dict = {"updated_at": when}
    if old:
        values[old] = getattr(Tally, old) - 1
    if new:
        values[new] = getattr(Tally, new) + 1
    if new == "valid":
        values["last_valid_at"] = when
    db.session.execute(
        update(Tally).where(Tally.campaign_id == campaign_id, Tally.unit_id.in_(unit_ids)).values(**values),
        execution_options={"synchronize_session": False},
    )
    submitted, valid = daily_delta(from_status, to_status)
    day = local_day(when)
    stmt = _upsert(DailyTally)
    db.session.execute(stmt.on_conflict_do_update(
        index_elements=["campaign_id", "unit_id", "day"],
        set_={"submitted": DailyTally.submitted + stmt.excluded.submitted,
              "valid": DailyTally.valid + stmt.excluded.valid}),
        [{"campaign_id": campaign_id, "unit_id": uid, "day": day, "submitted": submitted, "valid": valid}
         for uid in unit_ids])
    _move_cohort(campaign_id, unit_ids, cohort_day(initiative) or local_day(when), initiative.field,
                 {old: -1} if old else {}, {new: 1} if new else {}, when if new == "valid" else None)


def cohort_day(initiative: Initiative) -> date | None:
    """The local day an initiative counts on in the cohort series: its first submission (rows imported without
    one fall back to their last submission, then their creation, as the recount does)."""
    when = initiative.first_submitted_at or initiative.submitted_at or initiative.created_at
    return local_day(when) if when else None


def _move_cohort(campaign_id: int, unit_ids: list[int], day: date, field: str, minus: dict[str, int],
                 plus: dict[str, int], valid_at: datetime | None) -> None:
    """Add ``plus`` and ``minus`` (counter → change) to one cohort row of each unit, creating the rows."""
    change = {c: plus.get(c, 0) + minus.get(c, 0) for c in COUNTERS}
    stmt = _upsert(CohortTally)
    updates: dict[str, Any] = {c: getattr(CohortTally, c) + getattr(stmt.excluded, c) for c in COUNTERS if change[c]}
    if valid_at is not None:
        updates["last_valid_at"] = stmt.excluded.last_valid_at
    db.session.execute(stmt.on_conflict_do_update(index_elements=["campaign_id", "unit_id", "day", "field"],
                                                  set_=updates or {"pending": CohortTally.pending}),
                       [{"campaign_id": campaign_id, "unit_id": uid, "day": day, "field": field,
                         "last_valid_at": valid_at, **change} for uid in unit_ids])


def change_field(initiative: Initiative, old_field: str) -> None:
    """An initiative still counted (returned and edited) moved to another field: move its cohort count too.
    Call after setting ``initiative.field``; does nothing for drafts, withdrawn items or an unchanged field."""
    bucket = BUCKETS.get(initiative.status)
    day = cohort_day(initiative)
    if bucket is None or old_field == initiative.field or day is None:
        return
    unit_ids = initiative.unit.ancestor_ids
    _move_cohort(initiative.campaign_id, unit_ids, day, old_field, {bucket: -1}, {}, None)
    _move_cohort(initiative.campaign_id, unit_ids, day, initiative.field, {}, {bucket: 1},
                 initiative.decided_at if bucket == "valid" else None)


def recount(campaign_id: int) -> dict[int, dict]:
    """Counters per unit computed from the initiatives themselves (the truth the tallies must equal)."""
    per_unit: dict[int, dict] = defaultdict(lambda: {c: 0 for c in COUNTERS} | {"last_valid_at": None})
    # Joined to the unit's path in SQL: no list of ids, however many units there are.
    rows = db.session.execute(
        select(Unit.path, Initiative.status, func.count(), func.max(Initiative.decided_at))
        .join(Unit, Unit.id == Initiative.unit_id)
        .where(Initiative.campaign_id == campaign_id, Initiative.status.in_(list(BUCKETS)))
        .group_by(Unit.path, Initiative.status))
    for path, status, count, last_decided in rows:
        bucket = BUCKETS[status]
        for ancestor_id in path_ids(path):
            target = per_unit[ancestor_id]
            target[bucket] += count
            if bucket == "valid" and last_decided is not None and (
                    target["last_valid_at"] is None or last_decided > target["last_valid_at"]):
                target["last_valid_at"] = last_decided
    return dict(per_unit)


def recount_daily(campaign_id: int) -> dict[tuple[int, date], list[int]]:
    """Daily (submitted, valid) changes per unit and ancestor, replayed from the audit log."""
    rolled: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0])
    events = db.session.execute(
        select(Unit.path, StatusEvent.created_at, StatusEvent.from_status, StatusEvent.to_status)
        .join(Initiative, Initiative.id == StatusEvent.initiative_id).join(Unit, Unit.id == Initiative.unit_id)
        .where(Initiative.campaign_id == campaign_id))
    for path, when, from_status, to_status in events:
        submitted, valid = daily_delta(from_status, to_status)
        if submitted or valid:
            day = local_day(when)
            for ancestor_id in path_ids(path):
                rolled[(ancestor_id, day)][0] += submitted
                rolled[(ancestor_id, day)][1] += valid
    return dict(rolled)


def recount_cohorts(campaign_id: int) -> dict[tuple[int, date, str], dict]:
    """Cohort counters per (unit and ancestor, first-submission day, field), from the initiatives themselves."""
    rolled: dict[tuple[int, date, str], dict] = defaultdict(lambda: {c: 0 for c in COUNTERS} | {"last_valid_at": None})
    rows = db.session.execute(
        select(Unit.path, func.coalesce(Initiative.first_submitted_at, Initiative.submitted_at, Initiative.created_at),
               Initiative.field, Initiative.status, Initiative.decided_at)
        .join(Unit, Unit.id == Initiative.unit_id)
        .where(Initiative.campaign_id == campaign_id, Initiative.status.in_(list(BUCKETS))))
    for path, first_submitted_at, field, status, decided_at in rows:
        bucket = BUCKETS[status]
        day = local_day(first_submitted_at)
        for ancestor_id in path_ids(path):
            target = rolled[(ancestor_id, day, field)]
            target[bucket] += 1
            if bucket == "valid" and decided_at is not None and (
                    target["last_valid_at"] is None or decided_at > target["last_valid_at"]):
                target["last_valid_at"] = decided_at
    return dict(rolled)


def _insert_batches(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(model), rows[start:start + 5000])


def rebuild(campaign_id: int) -> int:
    """Replace a campaign's tallies and daily series with a recount; returns the number of tally rows."""
    counts = recount(campaign_id)
    db.session.execute(delete(Tally).where(Tally.campaign_id == campaign_id))
    now = utcnow()
    rows = [{"campaign_id": campaign_id, "unit_id": uid, "updated_at": now, **values} for uid, values in counts.items()]
    _insert_batches(Tally, rows)
    db.session.execute(delete(DailyTally).where(DailyTally.campaign_id == campaign_id))
    _insert_batches(DailyTally, [{"campaign_id": campaign_id, "unit_id": uid, "day": day, "submitted": s, "valid": v}
                                 for (uid, day), (s, v) in recount_daily(campaign_id).items()])
    db.session.execute(delete(CohortTally).where(CohortTally.campaign_id == campaign_id))
    _insert_batches(CohortTally, [{"campaign_id": campaign_id, "unit_id": uid, "day": day, "field": field, **values}
                                  for (uid, day, field), values in recount_cohorts(campaign_id).items()])
    return len(rows)


def for_unit(campaign_id: int, unit_id: int) -> Tally | None:
    return db.session.get(Tally, (campaign_id, unit_id))


@dataclass
class Counts:
    """Counters summed from cohort rows (a window of first-submission days, a field, or everything)."""

    pending: int = 0
    returned: int = 0
    valid: int = 0
    invalid: int = 0
    last_valid_at: datetime | None = None

    @property
    def submitted(self) -> int:
        return submitted(self)


def _cohort_sums(campaign_id: int, group_by, where: list, first: date | None, last: date | None):
    columns = [func.coalesce(func.sum(getattr(CohortTally, c)), 0) for c in COUNTERS]
    stmt = (select(group_by, *columns, func.max(CohortTally.last_valid_at))
            .where(CohortTally.campaign_id == campaign_id, *where).group_by(group_by))
    if first is not None:
        stmt = stmt.where(CohortTally.day >= first)
    if last is not None:
        stmt = stmt.where(CohortTally.day <= last)
    return {key: Counts(*values) for key, *values in db.session.execute(stmt)}


def cohort_counts(campaign_id: int, unit_ids: list[int], first: date | None = None,
                  last: date | None = None) -> dict[int, Counts]:
    """Per unit: the counters of the initiatives first submitted between ``first`` and ``last`` (local days,
    inclusive; None is open). Units with nothing there are left out. One grouped read of the cohort rows."""
    if not unit_ids:
        return {}
    return _cohort_sums(campaign_id, CohortTally.unit_id, [CohortTally.unit_id.in_(unit_ids)], first, last)


def field_counts(campaign_id: int, unit_id: int, first: date | None = None,
                 last: date | None = None) -> dict[str, Counts]:
    """Per field (khối) for one unit's subtree, optionally for a window of first-submission days."""
    return _cohort_sums(campaign_id, CohortTally.field, [CohortTally.unit_id == unit_id], first, last)


def day_counts(campaign_id: int, unit_id: int, first: date | None = None,
               last: date | None = None) -> dict[date, Counts]:
    """Per first-submission day for one unit's subtree (a period's pace chart): one grouped read."""
    return _cohort_sums(campaign_id, CohortTally.day, [CohortTally.unit_id == unit_id], first, last)
