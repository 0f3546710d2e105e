"""Progress, emulation ranking (xếp loại thi đua), progress series and the weekly report — all read from tallies.

Progress (DESIGN §6) is ``progress(valid, goal)`` (main) and ``progress(submitted, goal)`` (secondary), where the
goal is the one ``goals`` picks: the campaign's goal for the unit running it, the unit's target below.
Inside a group (the children of one unit): progress first, then the valid count, then who reached that count
first (earliest ``last_valid_at``). Units without a target come last.
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from .. import clock
from ..extensions import db
from ..models import Campaign, DailyTally, Target, Unit, UnitKind, utcnow
from . import tallies
from .tallies import COUNTERS

# --- progress -------------------------------------------------------------------------------------------------

def progress(count: int, goal: int | None) -> float | None:
    """The share of the goal reached: ``count`` is the valid count (main progress) or the submitted count
    (secondary). None without a goal (a target of 0 is no target)."""
    return count / goal if goal else None


def goals(campaign: Campaign, unit_ids: list[int]) -> dict[int, int]:
    """What each unit's progress is measured against: the campaign's goal for the unit running the campaign, the
    unit's target (chỉ tiêu) for the units below it. Units without one are left out."""
    found: dict[int, int] = {unit_id: count for unit_id, count in db.session.execute(
        select(Target.unit_id, Target.count).where(Target.campaign_id == campaign.id, Target.unit_id.in_(unit_ids)))}
    if campaign.unit_id in unit_ids:
        found[campaign.unit_id] = campaign.goal  # even where the top unit also has a target row (the seed writes one)
    return found


def goal_of(campaign: Campaign, unit_id: int) -> int | None:
    return goals(campaign, [unit_id]).get(unit_id)


@dataclass
class RankRow:
    unit_id: int
    name: str
    code: str
    has_children: bool
    target: int | None
    pending: int = 0
    returned: int = 0
    valid: int = 0
    invalid: int = 0
    last_valid_at: datetime | None = None
    member_count: int | None = None
    rank: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def submitted(self) -> int:
        return tallies.submitted(self)

    @property
    def progress(self) -> float | None:
        return progress(self.valid, self.target)

    @property
    def submitted_progress(self) -> float | None:
        return progress(self.submitted, self.target)

    @property
    def valid_per_100_members(self) -> float | None:
        return 100 * self.valid / self.member_count if self.member_count else None


def order_key(target: int | None, valid: int, reached_at: datetime | None, name: str):
    """The ranking rule: progress (valid/target), then valid count, then who reached it first; no target last."""
    return (not target, -(progress(valid, target) or 0), -valid, reached_at or datetime.max, name)


def sort_key(row: RankRow):
    return order_key(row.target, row.valid, row.last_valid_at, row.name)


def rank_children(campaign: Campaign, parent: Unit) -> list[RankRow]:
    """The ranking group under ``parent``: its direct children, collectives excluded."""
    children = db.session.execute(
        select(Unit.id, Unit.name, Unit.code, Unit.member_count, Unit.kind)
        .where(Unit.parent_id == parent.id, Unit.kind != UnitKind.COLLECTIVE)).all()
    ids = [c.id for c in children]
    if not ids:
        return []
    counted = tallies.counts_for(campaign.id, ids)
    targets = goals(campaign, ids)
    rows = []
    for child in children:
        tally = counted.get(child.id)
        counts = {c: getattr(tally, c) for c in COUNTERS} if tally else {}
        rows.append(RankRow(unit_id=child.id, name=child.name, code=child.code,
                            has_children=child.kind != UnitKind.GRASSROOTS, target=targets.get(child.id),
                            last_valid_at=tally.last_valid_at if tally else None, member_count=child.member_count,
                            **counts))
    rows.sort(key=sort_key)
    for position, row in enumerate(rows, start=1):
        row.rank = position
    return rows


def version(campaign: Campaign, counts: list, goal: int | None = None) -> str:
    """A fingerprint of counters already loaded (tallies or rank rows, with their targets) and of the freeze:
    the polling partials compare it with the one the page holds, without reading anything twice."""
    rows = sorted((c.unit_id, c.pending, c.returned, c.valid, c.invalid, getattr(c, "target", None))
                  for c in counts if c is not None)
    text = f"{campaign.ranking_frozen_at}|{goal}|" + ";".join(",".join(map(str, r)) for r in rows)
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def freeze(campaign: Campaign) -> None:
    campaign.ranking_frozen_at = utcnow()
    campaign.ranking_snapshot = {"rows": [
        {**asdict(row), "last_valid_at": row.last_valid_at.isoformat() if row.last_valid_at else None}
        for row in rank_children(campaign, campaign.unit)]}


def unfreeze(campaign: Campaign) -> None:
    campaign.ranking_frozen_at = None
    campaign.ranking_snapshot = None


def frozen_rows(campaign: Campaign) -> list[RankRow]:
    rows = []
    for stored in (campaign.ranking_snapshot or {}).get("rows", []):
        data = dict(stored)  # a copy: the snapshot loaded on the campaign stays whole for the next reader
        when = data.pop("last_valid_at", None)
        rows.append(RankRow(**data, last_valid_at=datetime.fromisoformat(when) if when else None))
    return rows


# --- progress series ------------------------------------------------------------------------------------------

@dataclass
class Series:
    days: list[date]
    cumulative_valid: list[int]
    start_valid: int


def valid_series(campaign: Campaign, unit_id: int, until: date | None = None) -> Series:
    """Cumulative valid count for each campaign day (days before the start are summed into the first)."""
    last = min(until or clock.today(), campaign.end_date)
    rows = db.session.execute(select(DailyTally.day, func.sum(DailyTally.valid))
                              .where(DailyTally.campaign_id == campaign.id, DailyTally.unit_id == unit_id,
                                     DailyTally.day <= last).group_by(DailyTally.day).order_by(DailyTally.day)).all()
    before = sum(v for d, v in rows if d < campaign.start_date)
    per_day = {d: v for d, v in rows if d >= campaign.start_date}
    days, values, running = [], [], before
    day = campaign.start_date
    while day <= last:
        running += per_day.get(day, 0)
        days.append(day)
        values.append(running)
        day += timedelta(days=1)
    return Series(days, values, before)


def chart(campaign: Campaign, series: Series, goal: int, width: int = 600, height: int = 220) -> dict:
    """Coordinates for the server-rendered SVG: actual cumulative line and the straight line to the goal."""
    total_days = max(1, (campaign.end_date - campaign.start_date).days)
    top = max([goal, *series.cumulative_valid, 1])
    pad_left, pad_bottom, pad_top = 44, 24, 10
    plot_w, plot_h = width - pad_left - 10, height - pad_bottom - pad_top

    def x(day: date) -> float:
        return round(pad_left + plot_w * (day - campaign.start_date).days / total_days, 1)

    def y(value: float) -> float:
        return round(pad_top + plot_h * (1 - value / top), 1)

    actual = " ".join(f"{x(d)},{y(v)}" for d, v in zip(series.days, series.cumulative_valid))
    return {"width": width, "height": height, "actual": actual,
            "goal_line": (x(campaign.start_date), y(series.start_valid), x(campaign.end_date), y(goal)),
            "goal_y": y(goal), "axis_y": y(0), "left": pad_left, "right": width - 10, "top": top,
            "last": (x(series.days[-1]), y(series.cumulative_valid[-1])) if series.days else None}


# --- weekly report -------------------------------------------------------------------------------------------

@dataclass
class WeekRow:
    row: RankRow
    week_submitted: int
    week_valid: int
    rank_change: int | None
    expected: float | None

    @property
    def below_pace(self) -> bool:
        return self.expected is not None and self.row.valid < self.expected


def _cumulative_valid(campaign: Campaign, unit_ids: list[int], until: date) -> dict[int, int]:
    return {unit_id: total for unit_id, total in db.session.execute(
        select(DailyTally.unit_id, func.sum(DailyTally.valid))
        .where(DailyTally.campaign_id == campaign.id, DailyTally.unit_id.in_(unit_ids), DailyTally.day <= until)
        .group_by(DailyTally.unit_id))}


def weekly_report(campaign: Campaign, parent: Unit, week_start: date) -> list[WeekRow]:
    """Per child unit: this week's new submitted/valid, totals, % of target, rank change, below pace."""
    week_end = week_start + timedelta(days=6)
    rows = rank_children(campaign, parent)
    ids = [r.unit_id for r in rows]
    week = {uid: (s or 0, v or 0) for uid, s, v in db.session.execute(
        select(DailyTally.unit_id, func.sum(DailyTally.submitted), func.sum(DailyTally.valid))
        .where(DailyTally.campaign_id == campaign.id, DailyTally.unit_id.in_(ids),
               DailyTally.day >= week_start, DailyTally.day <= week_end).group_by(DailyTally.unit_id))}
    # Rank at the end of the previous week, by the same rule on the valid counts of that day.
    before = _cumulative_valid(campaign, ids, week_start - timedelta(days=1))
    # (When each unit reached its count that day is not kept, so the name breaks ties there.)
    previous = sorted(rows, key=lambda r: order_key(r.target, before.get(r.unit_id, 0), None, r.name))
    previous_rank = {r.unit_id: position for position, r in enumerate(previous, start=1)}
    at_start = _cumulative_valid(campaign, ids, campaign.start_date - timedelta(days=1))
    span = max(1, (campaign.end_date - campaign.start_date).days)
    elapsed = min(span, max(0, (min(week_end, campaign.end_date) - campaign.start_date).days))
    result = []
    for row in rows:
        # The straight line from where the unit stood at the start to its target on the last day.
        start = at_start.get(row.unit_id, 0)
        expected = start + (row.target - start) * elapsed / span if row.target else None
        result.append(WeekRow(row, *week.get(row.unit_id, (0, 0)), previous_rank[row.unit_id] - row.rank, expected))
    return result
