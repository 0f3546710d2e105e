"""What the public pages show: a campaign's counters, progress chart and the ranking of one unit's children, with
the peak periods running on that unit; a period's page; the archive of ended campaigns and periods."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from .. import clock
from ..domain import campaigns, periods, ranking, reports, tallies
from ..domain.units import ancestors
from ..extensions import db
from ..models import Campaign, Period, Unit

POLL_SECONDS = 20  # how often the counters and the ranking refresh themselves


def campaign_by_slug(slug: str) -> Campaign | None:
    return db.session.scalar(select(Campaign).where(Campaign.slug == slug))


@dataclass
class Counters:
    campaign: Campaign
    unit: Unit
    tally: tallies.UnitCounts | None
    goal: int | None
    progress: float | None
    days_left: int
    version: str
    poll: int = POLL_SECONDS


@dataclass
class Ranking:
    campaign: Campaign
    unit: Unit
    rows: list[ranking.RankRow]
    frozen: bool
    version: str
    poll: int = POLL_SECONDS


@dataclass
class Page:
    counters: Counters
    ranking: Ranking
    chart: dict | None
    trail: list[Unit]
    fields: list[reports.FieldRow] = field(default_factory=list)  # per field (khối), the focus fields first
    periods: list[Period] = field(default_factory=list)


def counters(campaign: Campaign, unit: Unit) -> Counters:
    goal = ranking.goal_of(campaign, unit.id)
    tally = tallies.for_unit(campaign.id, unit.id)
    return Counters(campaign=campaign, unit=unit, tally=tally, goal=goal,
                    progress=ranking.progress(tally.valid, goal) if tally else None,
                    days_left=campaigns.days_left(campaign), version=ranking.version(campaign, [tally], goal))


def ranking_of(campaign: Campaign, unit: Unit) -> Ranking:
    """The children of ``unit`` ranked live, or the campaign's frozen ranking at its top."""
    frozen = unit.id == campaign.unit_id and campaign.ranking_frozen_at is not None
    rows = ranking.frozen_rows(campaign) if frozen else ranking.rank_children(campaign, unit)
    return Ranking(campaign=campaign, unit=unit, rows=rows, frozen=frozen, version=ranking.version(campaign, rows))


def page(campaign: Campaign, unit: Unit, today: date | None = None) -> Page:
    shown = counters(campaign, unit)
    series = ranking.valid_series(campaign, unit.id, until=today)
    chart = ranking.chart(campaign, series, shown.goal) if series.days and shown.goal else None
    trail = [u for u in ancestors(unit) if campaign.unit.contains(u)]
    # The unit's own running periods and its ancestors' (never a sibling's or a child's: their pages show those).
    running = periods.visible_on(unit, campaign.id, today=today)
    return Page(counters=shown, ranking=ranking_of(campaign, unit), chart=chart, trail=trail,
                fields=reports.by_field(campaign.id, unit.id), periods=running)


# --- a peak period's page ------------------------------------------------------------------------------------

def period_view(period: Period) -> periods.View:
    return periods.view(period)


# --- the archive ---------------------------------------------------------------------------------------------

ARCHIVE_PAGE = 10  # ended periods per page


@dataclass
class ArchivedCampaign:
    campaign: Campaign
    rows: list[ranking.RankRow]
    frozen: bool


@dataclass
class ArchivedPeriod:
    period: Period
    figures: periods.Figures
    best: list[periods.PeriodRow]

    @property
    def frozen(self) -> bool:
        return self.period.final_snapshot is not None


@dataclass
class Archive:
    campaigns: list[ArchivedCampaign]
    periods: list[ArchivedPeriod]
    page: int
    pages: int


def archive(page: int = 1, today: date | None = None) -> Archive:
    """Ended campaigns with their final ranking (the frozen one, else the live one, marked), and ended periods,
    a page at a time, with their figures and best units (from the snapshot once closed, else live, marked)."""
    today = today or clock.today()
    ended = db.session.scalars(select(Campaign).where(Campaign.end_date < today)
                               .order_by(Campaign.end_date.desc(), Campaign.id.desc())).all() if page == 1 else []
    shown = []
    for campaign in ended:
        frozen = campaign.ranking_frozen_at is not None
        rows = ranking.frozen_rows(campaign) if frozen else ranking.rank_children(campaign, campaign.unit)
        shown.append(ArchivedCampaign(campaign, rows, frozen))
    found, total = periods.ended(today, offset=(page - 1) * ARCHIVE_PAGE, limit=ARCHIVE_PAGE)
    listed = [ArchivedPeriod(period, *periods.short_result(period)) for period in found]
    return Archive(campaigns=shown, periods=listed, page=page, pages=max(1, -(-total // ARCHIVE_PAGE)))
