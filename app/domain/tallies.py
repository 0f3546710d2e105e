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

from sqlalchemy import delete, func, insert, select

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


# Every write in the country reaches the root's rows, and every write of a province its province's: those rows are
# spread over SLOTS rows each (an initiative always uses the same one), so concurrent writes rarely wait for the
# same lock. Deeper units, where writes are few, keep one row. A unit's counters are the sum of its rows.
SLOTS = 16
SPREAD_DEPTH = 1  # the root (depth 0) and the level under it


def slot_of(initiative_id: int, depth: int) -> int:
    return initiative_id % SLOTS if depth <= SPREAD_DEPTH else 0


def _slots(initiative: Initiative) -> list[tuple[int, int]]:
    """(unit id, slot) of the initiative's unit and every ancestor (the path lists them root first)."""
    return [(uid, slot_of(initiative.id, depth)) for depth, uid in enumerate(initiative.unit.ancestor_ids)]


def _add(model, keys: dict, targets: list[tuple[int, int]], change: dict[str, int], extra: dict | None = None,
         on_conflict_set: dict | None = None) -> None:
    """INSERT one row per (unit, slot) with ``change`` as its counters, or add ``change`` to the row there."""
    # The rows go as parameters of one statement (see above): its compiled form is cached.
    stmt = _upsert(model)
    updates: dict[str, Any] = {name: getattr(model, name) + getattr(stmt.excluded, name)
                               for name, delta in change.items() if delta}
    updates.update({name: getattr(stmt.excluded, name) for name in (on_conflict_set or {})})
    index = [*keys, "unit_id", "slot"]
    db.session.execute(stmt.on_conflict_do_update(index_elements=index, set_=updates or {
        next(iter(change)): getattr(model, next(iter(change)))}),
        [{**keys, "unit_id": uid, "slot": slot, **change, **(extra or {})} for uid, slot in targets])


def apply_transition(initiative: Initiative, from_status: str, to_status: str, when: datetime) -> None:
    """Move one initiative between counters for its unit and all ancestors (its daily and cohort rows too):
    three upserts, whatever the depth of the tree."""
    old, new = BUCKETS.get(from_status), BUCKETS.get(to_status)
    if old == new:
        return
    campaign_id = initiative.campaign_id
    targets = _slots(initiative)
    change = {c: (c == new) - (c == old) for c in COUNTERS}
    stamps = {"updated_at": when} | ({"last_valid_at": when} if new == "valid" else {})
    _add(Tally, {"campaign_id": campaign_id}, targets, change, stamps, on_conflict_set=stamps)
    submitted, valid = daily_delta(from_status, to_status)
    if submitted or valid:  # a decision to return, or between invalid and pending, changes no daily figure
        _add(DailyTally, {"campaign_id": campaign_id, "day": local_day(when)}, targets,
             {"submitted": submitted, "valid": valid})
    _move_cohort(campaign_id, targets, cohort_day(initiative) or local_day(when), initiative.field,
                 change, when if new == "valid" else None)


def cohort_day(initiative: Initiative) -> date | None:
    """The local day an initiative counts on in the cohort series: its first submission (rows imported without
    one fall back to their last submission, then their creation, as the recount does)."""
    when = initiative.first_submitted_at or initiative.submitted_at or initiative.created_at
    return local_day(when) if when else None


def _move_cohort(campaign_id: int, targets: list[tuple[int, int]], day: date, field: str, change: dict[str, int],
                 valid_at: datetime | None) -> None:
    """Add ``change`` (counter → delta) to the cohort row of each (unit, slot), creating the rows."""
    stamp = {"last_valid_at": valid_at} if valid_at is not None else {}
    _add(CohortTally, {"campaign_id": campaign_id, "day": day, "field": field}, targets, change,
         {"last_valid_at": valid_at}, on_conflict_set=stamp)


def change_field(initiative: Initiative, old_field: str) -> None:
    """An initiative still counted (returned and edited) moved to another field: move its cohort count too.
    Call after setting ``initiative.field``; does nothing for drafts, withdrawn items or an unchanged field."""
    bucket = BUCKETS.get(initiative.status)
    day = cohort_day(initiative)
    if bucket is None or old_field == initiative.field or day is None:
        return
    targets = _slots(initiative)
    one = {c: int(c == bucket) for c in COUNTERS}
    _move_cohort(initiative.campaign_id, targets, day, old_field, {c: -n for c, n in one.items()}, None)
    _move_cohort(initiative.campaign_id, targets, day, initiative.field, one,
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


@dataclass
class UnitCounts:
    """A unit's counters: the sum of its tally rows (its slots)."""

    unit_id: int
    pending: int
    returned: int
    valid: int
    invalid: int
    last_valid_at: datetime | None
    updated_at: datetime | None

    @property
    def submitted(self) -> int:
        return submitted(self)


def counts_for(campaign_id: int, unit_ids: list[int]) -> dict[int, UnitCounts]:
    """The counters of each unit that has any (one grouped read of the tally rows)."""
    if not unit_ids:
        return {}
    rows = db.session.execute(
        select(Tally.unit_id, *(func.sum(getattr(Tally, c)) for c in COUNTERS), func.max(Tally.last_valid_at),
               func.max(Tally.updated_at))
        .where(Tally.campaign_id == campaign_id, Tally.unit_id.in_(unit_ids)).group_by(Tally.unit_id))
    return {row[0]: UnitCounts(*row) for row in rows}


def for_unit(campaign_id: int, unit_id: int) -> UnitCounts | None:
    return counts_for(campaign_id, [unit_id]).get(unit_id)


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


# --- the stored series, summed over slots (checks and repairs compare them with the recounts) -----------------

def stored(campaign_id: int) -> dict[int, UnitCounts]:
    """Every unit's counters as stored."""
    rows = db.session.execute(
        select(Tally.unit_id, *(func.sum(getattr(Tally, c)) for c in COUNTERS), func.max(Tally.last_valid_at),
               func.max(Tally.updated_at))
        .where(Tally.campaign_id == campaign_id).group_by(Tally.unit_id))
    return {row[0]: UnitCounts(*row) for row in rows}


def stored_daily(campaign_id: int) -> dict[tuple[int, date], list[int]]:
    """(unit, day) → [submitted, valid] as stored, days that net to nothing left out (as ``recount_daily``)."""
    rows = db.session.execute(
        select(DailyTally.unit_id, DailyTally.day, func.sum(DailyTally.submitted), func.sum(DailyTally.valid))
        .where(DailyTally.campaign_id == campaign_id).group_by(DailyTally.unit_id, DailyTally.day))
    return {(uid, day): [s, v] for uid, day, s, v in rows if s or v}


def stored_cohorts(campaign_id: int) -> dict[tuple[int, date, str], list[int]]:
    """(unit, first-submission day, field) → the counters as stored, empty ones left out."""
    rows = db.session.execute(
        select(CohortTally.unit_id, CohortTally.day, CohortTally.field,
               *(func.sum(getattr(CohortTally, c)) for c in COUNTERS))
        .where(CohortTally.campaign_id == campaign_id)
        .group_by(CohortTally.unit_id, CohortTally.day, CohortTally.field))
    return {(uid, day, field): list(values) for uid, day, field, *values in rows if any(values)}


def mismatches(campaign_id: int, with_daily: bool = True) -> int:
    """How many units' counters, (unit, day) daily rows and cohort rows differ from a recount: 0 when exact.
    ``with_daily=False`` leaves out the daily series, replayed from the audit log (data loaded in bulk has none)."""
    expected = recount(campaign_id)
    counted = stored(campaign_id)
    wrong = sum(1 for uid in set(expected) | set(counted)
                if [getattr(counted[uid], c) if uid in counted else 0 for c in COUNTERS]
                != [expected[uid][c] if uid in expected else 0 for c in COUNTERS])
    if with_daily:
        daily, replayed = stored_daily(campaign_id), {k: v for k, v in recount_daily(campaign_id).items() if any(v)}
        wrong += sum(1 for key in set(daily) | set(replayed) if daily.get(key) != replayed.get(key))
    cohorts = stored_cohorts(campaign_id)
    recounted = {k: [v[c] for c in COUNTERS] for k, v in recount_cohorts(campaign_id).items()
                 if any(v[c] for c in COUNTERS)}
    wrong += sum(1 for key in set(cohorts) | set(recounted) if cohorts.get(key) != recounted.get(key))
    return wrong
