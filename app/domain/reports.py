"""Reports for the giao ban and the sơ kết (DESIGN §6): the span a report covers, the breakdown by field (khối),
and the summary of a campaign or a period for one unit's subtree.

- A span is a week (Monday to Sunday), a calendar month, or any range of days; the "previous" span is the one of
  the same kind just before (the week before, the month before, the range of equal length ending the day before).
- Figures come from the tallies (``Tally``, ``DailyTally``, ``CohortTally``). Only what no counter keeps is read
  from the initiatives, each as one grouped, bounded query over the unit's subtree: the support teams, the best
  scored initiatives, the awards and the reasons of invalid decisions.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import case, func, select

from .. import clock
from ..extensions import db
from ..models import Award, AwardLevel, Campaign, Initiative, Period, Score, Status, Unit, UnitKind, User
from . import ranking, scoring, tallies
from .catalog import FIELDS, INVALID_REASONS
from .units import subtree_ids_select

# --- spans -------------------------------------------------------------------------------------------------------

KINDS = ("week", "month", "range")
# A custom range is at most about three years: the range before it must stay a real date, and a giao ban of
# more than that is a sơ kết.
MAX_RANGE_DAYS = 3 * 366


@dataclass(frozen=True)
class Span:
    kind: str  # week | month | range
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Span:
        """The span of the same kind just before: what the rank change is measured against."""
        if self.kind == "week":
            return week_of(self.first - timedelta(days=7))
        if self.kind == "month":
            return month_of(self.first - timedelta(days=1))
        return Span("range", self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    def next(self) -> Span:
        if self.kind == "week":
            return week_of(self.last + timedelta(days=1))
        if self.kind == "month":
            return month_of(self.last + timedelta(days=1))
        return Span("range", self.last + timedelta(days=1), self.last + timedelta(days=self.days))


def week_of(day: date) -> Span:
    first = day - timedelta(days=day.weekday())
    return Span("week", first, first + timedelta(days=6))


def month_of(day: date) -> Span:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Span("month", first, following - timedelta(days=1))


def between(first: date, last: date) -> Span:
    return Span("range", first, last)


def span_of(kind: str, day: date | None, first: date | None, last: date | None, default: date) -> Span:
    """The span a (checked) query asks for: the week or month of ``day``, or ``first``..``last``."""
    if kind == "range" and first and last:
        return between(first, last)
    return (month_of if kind == "month" else week_of)(day or default)


def utc_start(day: date) -> datetime:
    """The stored (naive UTC) time at which a Vietnamese calendar day begins."""
    return datetime.combine(day, time.min, tzinfo=clock.LOCAL_ZONE).astimezone(UTC).replace(tzinfo=None)


# --- breakdown by field (khối) ------------------------------------------------------------------------------------

# The letter asks to focus on these three: they come first, and are always shown, even at zero.
FOCUS_FIELDS = ("production", "education", "health")


@dataclass
class FieldRow:
    code: str
    label: str
    counts: tallies.Counts
    focus: bool

    @property
    def waiting(self) -> int:
        return self.counts.pending + self.counts.returned


def field_order(code: str) -> tuple:
    codes = list(FIELDS)
    if code in FOCUS_FIELDS:
        return (0, FOCUS_FIELDS.index(code), code)
    return (1, codes.index(code), code) if code in FIELDS else (2, 0, code)


def by_field(campaign_id: int, unit_id: int, first: date | None = None, last: date | None = None) -> list[FieldRow]:
    """Submitted / valid / invalid per field for a unit's subtree (initiatives first submitted between ``first``
    and ``last`` when given): one grouped read of the cohort tallies, the focus fields first."""
    found = tallies.field_counts(campaign_id, unit_id, first, last)
    codes = set(FOCUS_FIELDS) | {code for code, counts in found.items() if counts.submitted}
    return [FieldRow(code, str(FIELDS.get(code, code or "—")), found.get(code) or tallies.Counts(),
                     code in FOCUS_FIELDS) for code in sorted(codes, key=field_order)]


# --- the sơ kết (summary) ------------------------------------------------------------------------------------------

TOP_INITIATIVES = 10
TOP_HELPERS = 20
MAX_AWARDS = 500


@dataclass
class UnitLine:
    rank: int
    unit_id: int
    name: str
    has_children: bool
    target: int | None
    counts: tallies.Counts

    @property
    def progress(self) -> float | None:
        return ranking.progress(self.counts.valid, self.target)


@dataclass
class HelperLine:
    union: str
    helper: str
    submitted: int
    valid: int
    invalid: int


@dataclass
class TopLine:
    initiative_id: int
    title: str
    field: str
    union: str
    raw_mean: float | None
    z_mean: float | None
    reviews: int


@dataclass
class AwardLine:
    recipient: str
    collective: bool
    union: str
    title: str
    level: str
    issuer: str
    decision_number: str
    decision_date: date


@dataclass
class ReasonLine:
    code: str | None
    label: str
    count: int
    share: float | None  # of the invalid decisions


@dataclass
class Summary:
    campaign: Campaign
    unit: Unit
    period: Period | None
    first: date | None  # the period's window (None: the whole campaign)
    last: date | None
    goal: int | None
    measure: str  # what the goal counts: valid | submitted
    own: tallies.Counts
    units: list[UnitLine] = field(default_factory=list)
    fields: list[FieldRow] = field(default_factory=list)
    helpers: list[HelperLine] = field(default_factory=list)
    top: list[TopLine] = field(default_factory=list)
    awards: list[AwardLine] = field(default_factory=list)
    reasons: list[ReasonLine] = field(default_factory=list)

    @property
    def reached(self) -> int:
        return self.own.submitted if self.measure == "submitted" else self.own.valid

    @property
    def progress(self) -> float | None:
        return ranking.progress(self.reached, self.goal)

    @property
    def invalid_rate(self) -> float | None:
        """Invalid among the decided (valid + invalid)."""
        decided = self.own.valid + self.own.invalid
        return self.own.invalid / decided if decided else None


def _counts_of(tally) -> tallies.Counts:
    if tally is None:
        return tallies.Counts()
    return tallies.Counts(**{c: getattr(tally, c) for c in tallies.COUNTERS}, last_valid_at=tally.last_valid_at)


def summary(campaign: Campaign, unit: Unit, period: Period | None = None) -> Summary:
    """The sơ kết of ``campaign`` (or of one of its ``period``s) for ``unit``'s subtree. The caller has checked
    that the unit is inside the campaign (and the period's unit) and in the reader's reach."""
    if period is None:
        result = Summary(campaign, unit, None, None, None, ranking.goal_of(campaign, unit.id), "valid",
                         _counts_of(tallies.for_unit(campaign.id, unit.id)))
        result.units = [UnitLine(row.rank, row.unit_id, row.name, row.has_children, row.target,
                                 tallies.Counts(row.pending, row.returned, row.valid, row.invalid, row.last_valid_at))
                        for row in ranking.rank_children(campaign, unit)]
    else:
        result = Summary(campaign, unit, period, period.start_date, period.end_date,
                         period.goal if unit.id == period.unit_id else None, period.measure, tallies.Counts())
        result.units = _period_units(result)
    result.fields = by_field(campaign.id, unit.id, result.first, result.last)
    result.helpers = _helpers(result)
    result.top = _top(result)
    result.awards = _awards(result)
    result.reasons = _reasons(result)
    return result


def _period_units(result: Summary) -> list[UnitLine]:
    """The window counts of the unit and its children (cohort tallies), best first by what the goal counts."""
    children = db.session.execute(select(Unit.id, Unit.name, Unit.kind).where(
        Unit.parent_id == result.unit.id, Unit.kind != UnitKind.COLLECTIVE)).all()
    counted = tallies.cohort_counts(result.campaign.id, [result.unit.id, *[c.id for c in children]], result.first,
                                    result.last)
    result.own = counted.get(result.unit.id) or tallies.Counts()

    def reached(counts: tallies.Counts) -> int:
        return counts.submitted if result.measure == "submitted" else counts.valid

    lines = [UnitLine(0, c.id, c.name, c.kind != UnitKind.GRASSROOTS, None, counted.get(c.id) or tallies.Counts())
             for c in children]
    lines.sort(key=lambda line: (-reached(line.counts), -line.counts.valid, line.name))
    for position, line in enumerate(lines, start=1):
        line.rank = position
    return lines


def _of_the_report(result: Summary) -> list:
    """The initiatives a summary covers: the campaign's, in the unit's subtree, first submitted in the window."""
    where = [Initiative.campaign_id == result.campaign.id, Initiative.unit_id.in_(subtree_ids_select(result.unit))]
    if result.first is not None and result.last is not None:
        where += [Initiative.first_submitted_at >= utc_start(result.first),
                  Initiative.first_submitted_at < utc_start(result.last + timedelta(days=1))]
    return where


def _helpers(result: Summary) -> list[HelperLine]:
    """Initiatives a support team entered for a member (entered by ≠ author), per grassroots union and helper.

    A grouped query over the initiatives (no counter keeps this): the subtree's rows are found through the index
    on ``initiatives.unit_id``, and the helper-entered ones filtered there; no extra index is needed for that.
    """
    counted = Initiative.status.in_(tallies.COUNTED_STATUSES)

    def number_of(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    submitted = number_of(counted)
    valid = number_of(Initiative.status.in_(tallies.VALID_STATUSES))
    rows = db.session.execute(
        select(Unit.name, User.full_name, submitted, valid, number_of(Initiative.status == Status.INVALID))
        .select_from(Initiative).join(User, User.id == Initiative.entered_by_id)
        .join(Unit, Unit.id == Initiative.unit_id)
        .where(*_of_the_report(result), Initiative.entered_by_id != Initiative.author_id, counted)
        .group_by(Initiative.unit_id, Unit.name, Initiative.entered_by_id, User.full_name)
        .order_by(submitted.desc(), valid.desc(), Unit.name, User.full_name).limit(TOP_HELPERS))
    return [HelperLine(*row) for row in rows]


def _top(result: Summary) -> list[TopLine]:
    """The valid initiatives with the best mean score (raw mean of the rubric totals; the z-normalised mean of
    ``scoring.aggregates`` beside it), best first."""
    mean = func.avg(Score.total)
    best = db.session.execute(
        select(Initiative.id).join(Score, Score.initiative_id == Initiative.id)
        .where(*_of_the_report(result), Initiative.status.in_(tallies.VALID_STATUSES))
        .group_by(Initiative.id).order_by(mean.desc(), Initiative.id).limit(TOP_INITIATIVES)).scalars().all()
    if not best:
        return []
    scores = scoring.aggregates(result.campaign.id, list(best))
    about = {row.id: row for row in db.session.execute(
        select(Initiative.id, Initiative.title, Initiative.field, Unit.name.label("union"))
        .join(Unit, Unit.id == Initiative.unit_id).where(Initiative.id.in_(best)))}
    return [TopLine(i, about[i].title, str(FIELDS.get(about[i].field, about[i].field)), about[i].union,
                    scores[i].raw_mean, scores[i].z_mean, scores[i].count) for i in best]


def _awards(result: Summary) -> list[AwardLine]:
    """The awards standing (not revoked) on the campaign's initiatives of the subtree."""
    rows = db.session.execute(
        select(Award.recipient_name, Award.recipient_kind, Award.unit_name, Initiative.title, AwardLevel.name,
               AwardLevel.issuer, Award.decision_number, Award.decision_date)
        .join(AwardLevel, AwardLevel.id == Award.level_id).join(Initiative, Initiative.id == Award.initiative_id)
        .where(AwardLevel.campaign_id == result.campaign.id, Award.revoked_at.is_(None), *_of_the_report(result))
        .order_by(AwardLevel.position, Award.decision_date, Award.decision_number, Award.id).limit(MAX_AWARDS))
    return [AwardLine(name, kind == "collective", union, title, level, issuer, number, when)
            for name, kind, union, title, level, issuer, number, when in rows]


def _reasons(result: Summary) -> list[ReasonLine]:
    """The invalid decisions by reason code: one grouped query (no counter keeps the reasons)."""
    count = func.count()
    rows = db.session.execute(
        select(Initiative.decision_reason, count).where(*_of_the_report(result), Initiative.status == Status.INVALID)
        .group_by(Initiative.decision_reason).order_by(count.desc(), Initiative.decision_reason)).all()
    total = sum(n for _code, n in rows)
    return [ReasonLine(code, str(INVALID_REASONS.get(code or "", code or "—")), n, n / total if total else None)
            for code, n in rows]

