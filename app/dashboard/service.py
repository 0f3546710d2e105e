"""What the public pages show: a campaign's counters, progress chart and the ranking of one unit's children, with
the peak periods running on that unit; a period's page; the archive of ended campaigns and periods."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Date, DateTime, select, text
from sqlalchemy.orm import joinedload

from .. import clock
from ..domain import campaigns, periods, ranking, reports, tallies
from ..domain.units import ancestors
from ..extensions import db
from ..models import Campaign, Period, Unit

POLL_SECONDS = 20  # how often the counters and the ranking refresh themselves


def campaign_by_slug(slug: str) -> Campaign | None:
    """The campaign with its unit (one query: the polls check the unit asked for against the campaign's)."""
    return db.session.scalar(select(Campaign).where(Campaign.slug == slug).options(joinedload(Campaign.unit)))


# Everything the polling partials' versions are made of, in one statement of primary-key and parent_id look-ups:
# the campaign (its goal, end and freeze), the unit asked for (its path: is it inside the campaign?), the unit's
# counters (the sums over its tally rows, with the latest ``updated_at``), its target, and a fingerprint of its
# children's targets. Written as SQL text: an unchanged poll then costs this one query, with none of the work of
# building an ORM statement.
#
# Each time anything in a unit's subtree changes status, ``tallies.apply_transition`` adds the change to one tally
# row (slot) of the unit and of every ancestor, in the same statement, and sets that row's ``updated_at``: the
# unit's sums or its latest ``updated_at`` move, so the unit's rows stand for its children's too. Targets change
# through the admin pages, which touch no tally: the fingerprint (how many, their sum and two weighted sums) sees
# any change an organizer makes short of a contrived coincidence.
STAMP = text("""
SELECT campaign_unit.path AS campaign_path, campaigns.unit_id AS campaign_unit_id, campaigns.goal AS goal,
       campaigns.end_date AS end_date, campaigns.ranking_frozen_at AS frozen_at, units.id AS unit_id,
       units.path AS path, own.count AS own_target,
       (SELECT COALESCE(SUM(tallies.pending), 0) || ':' || COALESCE(SUM(tallies.returned), 0) || ':'
               || COALESCE(SUM(tallies.valid), 0) || ':' || COALESCE(SUM(tallies.invalid), 0) || ':'
               || COALESCE(CAST(MAX(tallies.last_valid_at) AS VARCHAR(40)), '-') || ':'
               || COALESCE(CAST(MAX(tallies.updated_at) AS VARCHAR(40)), '-')
          FROM tallies WHERE tallies.campaign_id = campaigns.id AND tallies.unit_id = units.id) AS counts,
       (SELECT COUNT(*) || ':' || COALESCE(SUM(CAST(targets.count AS BIGINT)), 0) || ':'
               || COALESCE(SUM(CAST(targets.count AS BIGINT) * (children.id % 10007)), 0) || ':'
               || COALESCE(SUM((CAST(targets.count AS BIGINT) % 10007) * (targets.count % 10007)
                               * (children.id % 101)), 0)
          FROM targets JOIN units AS children ON children.id = targets.unit_id
         WHERE targets.campaign_id = campaigns.id AND children.parent_id = units.id) AS children_targets
  FROM campaigns
  JOIN units AS campaign_unit ON campaign_unit.id = campaigns.unit_id
  JOIN units ON units.id = COALESCE(CAST(:unit_id AS INTEGER), campaigns.unit_id)
  LEFT JOIN targets AS own ON own.campaign_id = campaigns.id AND own.unit_id = units.id
 WHERE campaigns.slug = :slug
""").columns(end_date=Date, frozen_at=DateTime)


def _digest(*parts) -> str:
    return hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).hexdigest()


def poll_version(slug: str, unit_id: int | None, partial: str) -> str | None:
    """The version a polling partial ("counters" or "ranking") of a unit of the campaign carries now, from one
    query (``STAMP``); None when there is no such campaign, or the unit is not in it. The partials built for a page
    carry the version this gives, so a poll compares like with like."""
    # A connection of its own in autocommit: a single read needs no transaction, so an unchanged poll costs one
    # round trip to the database (no BEGIN, no ROLLBACK), and the request's session is never opened.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        row = connection.execute(STAMP, {"slug": slug, "unit_id": unit_id}).mappings().first()
    if row is None or not row["path"].startswith(row["campaign_path"]):
        return None
    counts = row["counts"]
    top = row["unit_id"] == row["campaign_unit_id"]
    if partial == "counters":
        goal = row["goal"] if top else row["own_target"]
        return _digest("counters", counts, goal, max(0, (row["end_date"] - clock.today()).days))
    if top and row["frozen_at"] is not None:
        return _digest("frozen", row["frozen_at"])  # the snapshot is shown, whatever happens meanwhile
    return _digest("ranking", counts, row["children_targets"])


def _version_of(campaign: Campaign, unit: Unit, partial: str) -> str:
    version = poll_version(campaign.slug, unit.id, partial)
    assert version is not None  # the unit was loaded and checked against the campaign already
    return version


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
                    days_left=campaigns.days_left(campaign), version=_version_of(campaign, unit, "counters"))


def ranking_of(campaign: Campaign, unit: Unit) -> Ranking:
    """The children of ``unit`` ranked live, or the campaign's frozen ranking at its top."""
    frozen = unit.id == campaign.unit_id and campaign.ranking_frozen_at is not None
    rows = ranking.frozen_rows(campaign) if frozen else ranking.rank_children(campaign, unit)
    return Ranking(campaign=campaign, unit=unit, rows=rows, frozen=frozen,
                   version=_version_of(campaign, unit, "ranking"))


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
ARCHIVE_CAMPAIGNS = 3  # ended campaigns per page, each with its ranking


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
    finished = Campaign.end_date < today
    # One more than a page: whether campaigns go on past this page, without a count.
    ended = db.session.scalars(select(Campaign).where(finished).order_by(Campaign.end_date.desc(), Campaign.id.desc())
                               .offset((page - 1) * ARCHIVE_CAMPAIGNS).limit(ARCHIVE_CAMPAIGNS + 1)).all()
    more_campaigns = len(ended) > ARCHIVE_CAMPAIGNS
    ended = ended[:ARCHIVE_CAMPAIGNS]
    shown = []
    for campaign in ended:
        frozen = campaign.ranking_frozen_at is not None
        rows = ranking.frozen_rows(campaign) if frozen else ranking.rank_children(campaign, campaign.unit)
        shown.append(ArchivedCampaign(campaign, rows, frozen))
    found, total = periods.ended(today, offset=(page - 1) * ARCHIVE_PAGE, limit=ARCHIVE_PAGE)
    listed = [ArchivedPeriod(period, *periods.short_result(period)) for period in found]
    return Archive(campaigns=shown, periods=listed, page=page,
                   pages=max(1, -(-total // ARCHIVE_PAGE), page + 1 if more_campaigns else page))
