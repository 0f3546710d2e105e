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

from sqlalchemy import and_, case, func, select

from .. import clock
from ..extensions import db
from ..models import Campaign, DailyTally, Target, Unit, UnitKind, utcnow
from . import tallies
from .tallies import COUNTERS

# --- progress -------------------------------------------------------------------------------------------------

def progress(count: int, goal: float | None) -> float | None:
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


def order_key(target: float | None, valid: int, reached_at: datetime | None, name: str):
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
    return window_chart(campaign.start_date, campaign.end_date, series, goal, width, height)


def window_chart(first: date, last: date, series: Series, goal: int, width: int = 600, height: int = 220) -> dict:
    """``chart`` for any window of days (a campaign, a peak period): the cumulative line of ``series`` and the
    straight line from ``series.start_valid`` on ``first`` to ``goal`` on ``last``."""
    total_days = max(1, (last - first).days)
    top = max([goal, *series.cumulative_valid, 1])
    pad_left, pad_bottom, pad_top = 44, 24, 10
    plot_w, plot_h = width - pad_left - 10, height - pad_bottom - pad_top

    def x(day: date) -> float:
        return round(pad_left + plot_w * (day - first).days / total_days, 1)

    def y(value: float) -> float:
        return round(pad_top + plot_h * (1 - value / top), 1)

    actual = " ".join(f"{x(d)},{y(v)}" for d, v in zip(series.days, series.cumulative_valid))
    return {"width": width, "height": height, "actual": actual,
            "goal_line": (x(first), y(series.start_valid), x(last), y(goal)),
            "goal_y": y(goal), "axis_y": y(0), "left": pad_left, "right": width - 10, "top": top,
            "last": (x(series.days[-1]), y(series.cumulative_valid[-1])) if series.days else None}


# --- the giao ban report: a week, a month or any range of days ------------------------------------------------

@dataclass
class RangeRow:
    """One child unit in a giao ban report. Totals, rank and pace are taken at the report's ``as_of`` day (the
    range's last day, or today while the range is still running); ``row`` carries the unit and its target."""

    row: RankRow
    rank: int
    new_submitted: int
    new_valid: int
    submitted: int
    valid: int
    rank_change: int | None
    expected: float | None

    @property
    def progress(self) -> float | None:
        return progress(self.valid, self.row.target)

    @property
    def below_pace(self) -> bool:
        return self.expected is not None and self.valid < self.expected


@dataclass
class RangeReport:
    """The giao ban of ``parent`` for the days ``first``..``last``: its children (``rows``) and itself (``own``)."""

    first: date
    last: date
    as_of: date
    rows: list[RangeRow]
    own: RangeRow | None


def _day_start(day: date | None) -> datetime | None:
    return datetime.combine(day, datetime.min.time()) if day else None


def expected_at(campaign: Campaign, start_valid: int, target: int | None, day: date) -> float | None:
    """The pace line: straight from where the unit stood at the campaign's start to its target on the last day."""
    if not target:
        return None
    span = max(1, (campaign.end_date - campaign.start_date).days)
    elapsed = min(span, max(0, (day - campaign.start_date).days))
    return start_valid + (target - start_valid) * elapsed / span


def range_report(campaign: Campaign, parent: Unit, first: date, last: date, previous_last: date,
                 today: date | None = None) -> RangeReport:
    """Per child unit of ``parent`` (and for ``parent`` itself): new submitted/valid between ``first`` and ``last``
    (the daily series), totals and % of target at the end, the rank change since ``previous_last`` (the end of the
    previous period of the same kind), and the pace. A fixed number of reads, however many children."""
    as_of = min(last, today or clock.today())
    rows = rank_children(campaign, parent)
    ids = [r.unit_id for r in rows]
    in_range = DailyTally.day.between(first, last)

    def total(column, condition):
        return func.coalesce(func.sum(case((condition, column), else_=0)), 0)

    def reached(condition):  # the last day the valid count rose: "who reached it first", by the day
        return func.max(case((and_(condition, DailyTally.valid > 0), DailyTally.day)))

    sums = {unit_id: values for unit_id, *values in db.session.execute(
        select(DailyTally.unit_id, total(DailyTally.submitted, in_range), total(DailyTally.valid, in_range),
               total(DailyTally.submitted, DailyTally.day <= as_of), total(DailyTally.valid, DailyTally.day <= as_of),
               reached(DailyTally.day <= as_of), total(DailyTally.valid, DailyTally.day <= previous_last),
               reached(DailyTally.day <= previous_last),
               total(DailyTally.valid, DailyTally.day < campaign.start_date))
        .where(DailyTally.campaign_id == campaign.id, DailyTally.unit_id.in_([*ids, parent.id]),
               DailyTally.day <= max(last, previous_last))
        .group_by(DailyTally.unit_id))}
    empty = [0, 0, 0, 0, None, 0, None, 0]

    def at(row: RankRow, valid_index: int, reached_index: int):
        values = sums.get(row.unit_id, empty)
        return order_key(row.target, values[valid_index], _day_start(_as_date(values[reached_index])), row.name)

    # While the range runs the ranking is the live one (the public page's); a past range is ranked at its end.
    ranked = rows if as_of >= (today or clock.today()) else sorted(rows, key=lambda r: at(r, 3, 4))
    previous = sorted(rows, key=lambda r: at(r, 5, 6))
    previous_rank = {r.unit_id: position for position, r in enumerate(previous, start=1)}

    def made(row: RankRow, rank: int, change: int | None) -> RangeRow:
        new_s, new_v, total_s, total_v, _reached, _before, _prev_reached, at_start = sums.get(row.unit_id, empty)
        return RangeRow(row, rank, new_s, new_v, total_s, total_v, change,
                        expected_at(campaign, at_start, row.target, as_of))

    result = [made(row, rank, previous_rank[row.unit_id] - rank) for rank, row in enumerate(ranked, start=1)]
    own = made(RankRow(unit_id=parent.id, name=parent.name, code=parent.code, has_children=True,
                       target=goal_of(campaign, parent.id)), 0, None)
    return RangeReport(first, last, as_of, result, own)


def _as_date(value) -> date | None:
    """A MAX() of dates: a date (PostgreSQL) or its ISO text (SQLite computes it on the stored strings)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def weekly_report(campaign: Campaign, parent: Unit, week_start: date) -> list[RangeRow]:
    """The giao ban of one week (Monday to Sunday) against the week before: the weekly digest's."""
    return range_report(campaign, parent, week_start, week_start + timedelta(days=6),
                        week_start - timedelta(days=1)).rows
