"""Per (campaign, unit) counters, rolled up to every ancestor.

Pages read these rows instead of counting initiatives. The workflow module calls ``apply_transition`` inside
the same transaction as the status change; ``rebuild`` recomputes everything from the initiatives.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, select, update

from ..extensions import db
from ..models import DailyTally, Initiative, Status, StatusEvent, Tally, Unit, path_ids, utcnow

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
LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def submitted(counts: Any) -> int:
    """"Submitted" (DESIGN §6): ever left draft and not withdrawn, i.e. the sum of every counter (drafts and
    withdrawn initiatives have none); defined on the model so that ``Tally.submitted`` works in SQL too."""
    return Tally.submitted_of(counts)


def local_day(when: datetime) -> date:
    """Stored times are UTC; a day of the campaign is a Vietnamese calendar day."""
    return when.replace(tzinfo=UTC).astimezone(LOCAL_ZONE).date()


def daily_delta(from_status: str, to_status: str) -> tuple[int, int]:
    """(submitted, valid) change of one transition."""
    old, new = BUCKETS.get(from_status), BUCKETS.get(to_status)
    return (int(new is not None) - int(old is not None), int(new == "valid") - int(old == "valid"))


def _upsert(model):
    """INSERT … ON CONFLICT for the database in use (both dialects share the API)."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert(model)


def ensure_rows(campaign_id: int, unit_ids: list[int]) -> None:
    if not unit_ids:
        return
    rows = [{"campaign_id": campaign_id, "unit_id": uid, "pending": 0, "returned": 0, "valid": 0, "invalid": 0,
             "updated_at": utcnow()} for uid in unit_ids]
    db.session.execute(_upsert(Tally).values(rows).on_conflict_do_nothing())


def apply_transition(campaign_id: int, unit: Unit, from_status: str, to_status: str, when: datetime) -> None:
    """Move one initiative between counters for its unit and all ancestors."""
    old, new = BUCKETS.get(from_status), BUCKETS.get(to_status)
    if old == new:
        return
    unit_ids = unit.ancestor_ids
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
    stmt = _upsert(DailyTally).values([{"campaign_id": campaign_id, "unit_id": uid, "day": day,
                                        "submitted": submitted, "valid": valid} for uid in unit_ids])
    db.session.execute(stmt.on_conflict_do_update(
        index_elements=["campaign_id", "unit_id", "day"],
        set_={"submitted": DailyTally.submitted + stmt.excluded.submitted,
              "valid": DailyTally.valid + stmt.excluded.valid}))


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
    return len(rows)


def for_unit(campaign_id: int, unit_id: int) -> Tally | None:
    return db.session.get(Tally, (campaign_id, unit_id))
