"""What the public campaign page shows: counters, progress chart and the ranking of one unit's children."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..domain import campaigns, ranking, tallies
from ..domain.units import ancestors
from ..extensions import db
from ..models import Campaign, Unit

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
    return Page(counters=shown, ranking=ranking_of(campaign, unit), chart=chart, trail=trail)
