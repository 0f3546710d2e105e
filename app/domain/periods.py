"""Peak periods (Tuần/Tháng cao điểm): windows over a campaign's initiatives, never a second home for them.

A period is a unit's subtree × a window of local days × its own goal. Whom it counts is ``COUNTING_RULE`` (the one
statement of it, shown on the period page); its figures are sums of the cohort series (``CohortTally``: counters
by the day of each initiative's *first* submission), never a count over initiatives, so a period page costs the
same at any size. Nothing is exclusive: periods of different units (or of the same unit) may overlap, and each
counts the same initiatives the campaign counts.

The rules of a period's page live here too: its ranking (``rank``), the pace line (``expected``), the countdown
(``days_left``), the result panel (``result``: reached, best units, who improved most), and ``close``, which keeps
the final figures and ranking for the archive.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from .. import clock
from ..extensions import db
from ..fields import DB_INT_MAX
from ..i18n import day as format_day
from ..models import Campaign, Period, Unit, UnitKind, utcnow
from . import ranking, tallies
from .units import subtree_filter

COUNTING_RULE = _l(
    "Mỗi sáng kiến thuộc một chiến dịch duy nhất (chiến dịch của tỉnh) và được tính vào mọi đợt cao điểm thỏa cả "
    "hai điều kiện: đơn vị tổ chức đợt là đơn vị của sáng kiến hoặc một đơn vị cấp trên của nó, và ngày gửi lần "
    "đầu của sáng kiến nằm trong thời gian của đợt (tính cả ngày bắt đầu và ngày kết thúc). Sáng kiến không bao giờ "
    "chuyển đi: được duyệt, trả lại hay gửi lại sau đó, nó vẫn tính vào chiến dịch và đúng các đợt ấy.")
PACE_RULE = _l("Đường tiến độ: thẳng từ 0 vào ngày đầu tiên đến mục tiêu vào ngày cuối cùng của đợt.")
KINDS = {"week": _l("Tuần cao điểm"), "month": _l("Tháng cao điểm"), "other": _l("Đợt cao điểm")}
MEASURES = {"valid": _l("sáng kiến hợp lệ"), "submitted": _l("sáng kiến đã gửi")}
BEST_COUNT = 3  # the result panel's best units, and the archive's short ranking


# --- status and countdown --------------------------------------------------------------------------------------

def status(period: Period, today: date | None = None) -> str:
    """"upcoming", "running" or "ended" on ``today`` (the platform's clock by default)."""
    today = today or clock.today()
    if today < period.start_date:
        return "upcoming"
    return "running" if today <= period.end_date else "ended"


def days_left(period: Period, today: date | None = None) -> int:
    """Days from today to the last day (0 on the last day and after), as ``campaigns.days_left`` counts."""
    today = today or clock.today()
    return max(0, (period.end_date - today).days)


def days_to_start(period: Period, today: date | None = None) -> int:
    today = today or clock.today()
    return max(0, (period.start_date - today).days)


# --- which periods a page shows --------------------------------------------------------------------------------

def _listed(stmt, campaign_id: int | None, running: bool, today: date | None, limit: int | None) -> list[Period]:
    if campaign_id is not None:
        stmt = stmt.where(Period.campaign_id == campaign_id)
    if running:
        today = today or clock.today()
        stmt = stmt.where(Period.start_date <= today, Period.end_date >= today)
    stmt = stmt.options(joinedload(Period.unit), joinedload(Period.campaign)).order_by(
        Period.end_date, Period.start_date, Period.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


def visible_on(unit: Unit, campaign_id: int | None = None, *, running: bool = True, today: date | None = None,
               limit: int | None = None) -> list[Period]:
    """The periods a unit takes part in: run by the unit itself or by one of its ancestors (running ones by
    default). A district's week is visible on the district and below it, never on the province or a sibling."""
    stmt = select(Period).where(Period.unit_id.in_(unit.ancestor_ids))
    return _listed(stmt, campaign_id, running, today, limit)


def inside(scope: Unit, campaign_id: int | None = None, *, running: bool = True, today: date | None = None,
           limit: int | None = None) -> list[Period]:
    """The periods run by ``scope`` or any unit of its subtree (what a staff member's home page lists)."""
    stmt = select(Period).join(Unit, Unit.id == Period.unit_id).where(subtree_filter(scope))
    return _listed(stmt, campaign_id, running, today, limit)


def ended(today: date | None = None, *, offset: int = 0, limit: int = 10) -> tuple[list[Period], int]:
    """Periods whose last day has passed, the latest first (the archive), and how many there are in all."""
    today = today or clock.today()
    where = Period.end_date < today
    total = db.session.scalar(select(func.count()).select_from(Period).where(where)) or 0
    found = db.session.scalars(select(Period).where(where).options(joinedload(Period.unit), joinedload(
        Period.campaign)).order_by(Period.end_date.desc(), Period.id.desc()).offset(offset).limit(limit))
    return list(found), total


# --- validation ------------------------------------------------------------------------------------------------

def problems(campaign: Campaign, unit: Unit | None, start: date | None, end: date | None,
             goal: int | None) -> dict[str, str]:
    """What is wrong with a period of ``campaign`` (field name → message; empty when it may be saved).

    The window lies inside the campaign's dates (start ≤ end), the goal is a whole number > 0 the database can
    store, and the unit running the period is inside the campaign's unit (a collective runs none). Who may run a
    period for which unit is ``policy.can_manage_period``; overlaps are allowed: nothing is exclusive.
    """
    found: dict[str, str] = {}
    inside_campaign = _("Phải trong thời gian của chiến dịch (%(first)s – %(last)s).",
                        first=format_day(campaign.start_date), last=format_day(campaign.end_date))
    if start is None:
        found["start_date"] = _("Vui lòng nhập ngày bắt đầu.")
    elif not campaign.start_date <= start <= campaign.end_date:
        found["start_date"] = inside_campaign
    if end is None:
        found["end_date"] = _("Vui lòng nhập ngày kết thúc.")
    elif start is not None and end < start:
        found["end_date"] = _("Ngày kết thúc không được trước ngày bắt đầu.")
    elif not campaign.start_date <= end <= campaign.end_date:
        found["end_date"] = inside_campaign
    if goal is None or not 0 < goal <= DB_INT_MAX:
        found["goal"] = _("Mục tiêu là một số nguyên từ 1 đến %(max)s.", max=DB_INT_MAX)
    if unit is None or unit.kind == UnitKind.COLLECTIVE or not campaign.unit.contains(unit):
        found["unit_id"] = _("Đơn vị tổ chức đợt phải là %(unit)s hoặc một đơn vị trực thuộc.",
                             unit=campaign.unit.name)
    return found


# --- figures ---------------------------------------------------------------------------------------------------

def measured(counts, measure: str) -> int:
    """What a period's goal counts: its valid initiatives, or all submitted ones (``Period.measure``)."""
    return counts.valid if measure == "valid" else tallies.submitted(counts)


@dataclass
class Figures:
    """A unit's counters over a period's window (initiatives first submitted in it), with the period's goal."""

    pending: int
    returned: int
    valid: int
    invalid: int
    goal: int | None
    measure: str

    @property
    def submitted(self) -> int:
        return tallies.submitted(self)

    @property
    def measured(self) -> int:
        return measured(self, self.measure)

    @property
    def progress(self) -> float | None:
        return ranking.progress(self.measured, self.goal)


def figures(period: Period, unit_id: int | None = None) -> Figures:
    """The period's figures for its own unit (with its goal), or for another unit of its subtree (no goal):
    one grouped read of the cohort rows of the window."""
    unit_id = unit_id or period.unit_id
    counts = tallies.cohort_counts(period.campaign_id, [unit_id], period.start_date, period.end_date).get(
        unit_id, tallies.Counts())
    return Figures(counts.pending, counts.returned, counts.valid, counts.invalid,
                   period.goal if unit_id == period.unit_id else None, period.measure)


# --- ranking of the units under the period's unit ---------------------------------------------------------------

@dataclass
class PeriodRow:
    unit_id: int
    name: str
    code: str
    has_children: bool
    share: float | None  # this unit's part of the period's goal (``goal_shares``)
    measure: str = "valid"
    pending: int = 0
    returned: int = 0
    valid: int = 0
    invalid: int = 0
    last_valid_at: datetime | None = None
    rank: int = 0
    before: int | None = None  # the measured count of the window just before the period (``with_before``)

    @property
    def submitted(self) -> int:
        return tallies.submitted(self)

    @property
    def measured(self) -> int:
        return measured(self, self.measure)

    @property
    def progress(self) -> float | None:
        return ranking.progress(self.measured, self.share)

    @property
    def increase(self) -> int | None:
        return None if self.before is None else self.measured - self.before


def goal_shares(period: Period, unit_ids: list[int]) -> dict[int, float]:
    """Each unit's share of the period's goal, in proportion to the campaign targets (``ranking.goals``) of the
    units ranked together. Units without a target (or a target of 0) get no share; no targets at all: no shares,
    and the ranking falls back to the counts."""
    targets = {uid: count for uid, count in ranking.goals(period.campaign, unit_ids).items() if count}
    total = sum(targets.values())
    return {uid: period.goal * count / total for uid, count in targets.items()} if total else {}


def _reached_at(row: PeriodRow) -> datetime | None:
    # Who reached a count first is known for valid initiatives (the last one's decision time), not for submissions.
    return row.last_valid_at if row.measure == "valid" else None


def order(rows: list[PeriodRow]) -> list[PeriodRow]:
    """The campaign's ranking rule (``ranking.order_key``) on the period's counts and goal shares."""
    rows.sort(key=lambda r: ranking.order_key(r.share, r.measured, _reached_at(r), r.name))
    for position, row in enumerate(rows, start=1):
        row.rank = position
    return rows


def rank(period: Period) -> list[PeriodRow]:
    """The units directly under the period's unit (collectives excluded), ranked on the window's counts: three
    reads (children, their cohort sums, their targets) however many children there are."""
    children = db.session.execute(
        select(Unit.id, Unit.name, Unit.code, Unit.kind)
        .where(Unit.parent_id == period.unit_id, Unit.kind != UnitKind.COLLECTIVE)).all()
    ids = [child.id for child in children]
    if not ids:
        return []
    counted = tallies.cohort_counts(period.campaign_id, ids, period.start_date, period.end_date)
    shares = goal_shares(period, ids)
    rows = []
    for child in children:
        counts = counted.get(child.id, tallies.Counts())
        rows.append(PeriodRow(unit_id=child.id, name=child.name, code=child.code,
                              has_children=child.kind != UnitKind.GRASSROOTS, share=shares.get(child.id),
                              measure=period.measure, pending=counts.pending, returned=counts.returned,
                              valid=counts.valid, invalid=counts.invalid, last_valid_at=counts.last_valid_at))
    return order(rows)


# --- pace --------------------------------------------------------------------------------------------------------

def expected(period: Period, day: date) -> float:
    """The pace line: the count expected by the end of ``day``, on the straight line from 0 on the first day to
    the goal on the last (a one-day period: the goal). Before the window 0, after it the goal."""
    span = (period.end_date - period.start_date).days
    if span <= 0:
        return float(period.goal) if day >= period.start_date else 0.0
    elapsed = min(span, max(0, (day - period.start_date).days))
    return period.goal * elapsed / span


def series(period: Period, until: date | None = None) -> ranking.Series:
    """The cumulative measured count of the period's unit for each day of the window up to ``until`` (today),
    by first-submission day (the counting rule), starting from 0 (``Series.cumulative_valid`` holds it)."""
    last = min(until or clock.today(), period.end_date)
    per_day = tallies.day_counts(period.campaign_id, period.unit_id, period.start_date, last)
    days, values, running = [], [], 0
    day = period.start_date
    while day <= last:
        counts = per_day.get(day)
        running += measured(counts, period.measure) if counts else 0
        days.append(day)
        values.append(running)
        day += timedelta(days=1)
    return ranking.Series(days, values, 0)


def chart(period: Period, values: ranking.Series) -> dict | None:
    """The campaign chart's drawing (``ranking.window_chart``) over the window; its dashed line is ``expected``."""
    if not values.days:
        return None
    pace = ranking.Series(values.days, values.cumulative_valid, round(expected(period, period.start_date)))
    return ranking.window_chart(period.start_date, period.end_date, pace, round(expected(period, period.end_date)))


# --- result of an ended period ------------------------------------------------------------------------------------

def previous_window(period: Period) -> tuple[date, date]:
    """The window of the same number of days just before the period (what "improved" compares with)."""
    length = (period.end_date - period.start_date).days + 1
    return period.start_date - timedelta(days=length), period.start_date - timedelta(days=1)


def improved_rule(period: Period) -> str:
    """The "improved most" rule of ``result``, in words, with the dates it compares with (shown on the page)."""
    first, last = previous_window(period)
    return _("Tiến bộ nhất: đơn vị có số sáng kiến được tính (theo mục tiêu của đợt) tăng nhiều nhất so với khoảng "
             "thời gian cùng số ngày ngay trước đợt (%(first)s – %(last)s).", first=format_day(first),
             last=format_day(last))


def with_before(period: Period, rows: list[PeriodRow]) -> list[PeriodRow]:
    """Fill each row's ``before``: its measured count in ``previous_window`` (one grouped read)."""
    first, last = previous_window(period)
    counted = tallies.cohort_counts(period.campaign_id, [r.unit_id for r in rows], first, last)
    for row in rows:
        counts = counted.get(row.unit_id)
        row.before = measured(counts, period.measure) if counts else 0
    return rows


@dataclass
class Result:
    reached: bool
    best: list[PeriodRow]
    improved: list[PeriodRow]


def result(period: Period, totals: Figures, rows: list[PeriodRow]) -> Result:
    """The result panel: goal reached or not; the best units (the first ``BEST_COUNT`` of the ranking that
    counted anything); who improved most: the largest increase of the measured count over the same-length window
    just before the period (``previous_window``; rows need ``before``), only real increases, ties by rank."""
    best = [row for row in rows if row.measured > 0][:BEST_COUNT]
    improved = sorted((row for row in rows if (row.increase or 0) > 0), key=lambda r: (-(r.increase or 0), r.rank))
    return Result(reached=totals.measured >= period.goal, best=best, improved=improved[:BEST_COUNT])


# --- the page, live or frozen, and closing --------------------------------------------------------------------

@dataclass
class View:
    period: Period
    status: str
    days_left: int
    days_to_start: int
    figures: Figures
    rows: list[PeriodRow]
    series: ranking.Series
    chart: dict | None
    expected_today: float | None
    result: Result | None
    previous: tuple[date, date]
    frozen: bool = False


def view(period: Period, today: date | None = None) -> View:
    """Everything the period page shows: the stored snapshot once the period is closed, else live."""
    today = today or clock.today()
    state = status(period, today)
    if period.final_snapshot:
        totals, rows, values = _thawed(period)
    else:
        totals, rows = figures(period), rank(period)
        values = series(period, today)
        if state == "ended":
            with_before(period, rows)
    return View(period=period, status=state, days_left=days_left(period, today),
                days_to_start=days_to_start(period, today), figures=totals, rows=rows, series=values,
                chart=chart(period, values), expected_today=expected(period, today) if state == "running" else None,
                result=result(period, totals, rows) if state == "ended" else None,
                previous=previous_window(period), frozen=bool(period.final_snapshot))


class NotClosable(Exception):
    """Why a period cannot be closed (the message is for the organizer)."""


def _stored(row: PeriodRow) -> dict:
    return {**asdict(row), "last_valid_at": row.last_valid_at.isoformat() if row.last_valid_at else None}


def snapshot(period: Period, today: date | None = None) -> dict:
    """The final figures, ranking (with the window before) and daily series, as JSON."""
    rows = with_before(period, rank(period))
    values = series(period, today)
    return {"figures": asdict(figures(period)), "rows": [_stored(row) for row in rows],
            "series": [[d.isoformat(), v] for d, v in zip(values.days, values.cumulative_valid)]}


def _thawed(period: Period) -> tuple[Figures, list[PeriodRow], ranking.Series]:
    stored = period.final_snapshot or {}
    totals = Figures(**stored["figures"])
    rows = []
    for data in stored.get("rows", []):
        data = dict(data)  # a copy: the loaded snapshot stays whole for the next reader
        when = data.pop("last_valid_at", None)
        rows.append(PeriodRow(**data, last_valid_at=datetime.fromisoformat(when) if when else None))
    points = stored.get("series", [])
    values = ranking.Series([date.fromisoformat(d) for d, _v in points], [v for _d, v in points], 0)
    return totals, rows, values


def close(period: Period, today: date | None = None) -> None:
    """Keep the final figures and ranking (``final_snapshot``) once the period has ended: the period page and the
    archive show them from then on, whatever changes later (a late decision on an initiative of the window)."""
    today = today or clock.today()
    if period.closed_at is not None:
        raise NotClosable(_("Đợt này đã được chốt kết quả."))
    if status(period, today) != "ended":
        raise NotClosable(_("Chỉ chốt kết quả sau ngày kết thúc của đợt (%(day)s).", day=format_day(period.end_date)))
    period.final_snapshot = snapshot(period, today)
    period.closed_at = utcnow()


def short_result(period: Period) -> tuple[Figures, list[PeriodRow]]:
    """The archive's line of an ended period: its figures and the first ``BEST_COUNT`` of its ranking, from the
    snapshot when closed, else live."""
    if period.final_snapshot:
        totals, rows, _values = _thawed(period)
    else:
        totals, rows = figures(period), rank(period)
    return totals, rows[:BEST_COUNT]
