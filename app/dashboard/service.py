"""What the public campaign page shows: counters, progress chart and the ranking of one unit's children."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from sqlalchemy import BigInteger, cast, func, select, true
from sqlalchemy.orm import aliased, joinedload

from ..domain import campaigns, ranking, tallies
from ..domain.units import ancestors
from ..extensions import db
from ..models import Campaign, Tally, Target, Unit

POLL_SECONDS = 20  # how often the counters and the ranking refresh themselves


def campaign_by_slug(slug: str) -> Campaign | None:
    """The campaign with its unit (one query: the polls check the unit asked for against the campaign's)."""
    return db.session.scalar(select(Campaign).where(Campaign.slug == slug).options(joinedload(Campaign.unit)))


@dataclass(frozen=True)
class Stamp:
    """What the polling partials' versions are made of, read in one indexed query (``stamp``)."""

    unit_id: int
    path: str
    counts: tuple          # the unit's own tally row: it changes with every transition in its subtree
    own_target: int | None
    children_targets: tuple  # a fingerprint of the targets of the units ranked under it


def stamp(campaign: Campaign, unit_id: int) -> Stamp | None:
    """The unit's path, its tally row, its target and a fingerprint of its children's targets, in one query
    (primary-key and parent_id look-ups); None for a unit that does not exist.

    The tally row of a unit is updated in the same statement as every ancestor's, each time anything in its
    subtree changes status (``tallies.apply_transition`` sets the counters and ``updated_at``), so it stands for
    the children's rows as well. Targets change through the admin pages, which touch no tally: the fingerprint
    (how many, their sum and two weighted sums) sees any change an organizer can make short of a contrived
    coincidence, for the cost of an index range over one unit's children."""
    child = aliased(Unit)
    count = cast(Target.count, BigInteger)
    children = (select(func.count().label("n"), func.sum(count).label("total"),
                       func.sum(count * (child.id % 10007)).label("weighted"),
                       func.sum((count % 10007) * (count % 10007) * (child.id % 101)).label("squared"))
                .join(child, child.id == Target.unit_id)
                .where(Target.campaign_id == campaign.id, child.parent_id == unit_id).subquery("children_targets"))
    own = aliased(Target)
    row = db.session.execute(
        select(Unit.id, Unit.path, Tally.pending, Tally.returned, Tally.valid, Tally.invalid, Tally.last_valid_at,
               Tally.updated_at, own.count, children.c.n, children.c.total, children.c.weighted, children.c.squared)
        .outerjoin(Tally, (Tally.campaign_id == campaign.id) & (Tally.unit_id == Unit.id))
        .outerjoin(own, (own.campaign_id == campaign.id) & (own.unit_id == Unit.id))
        .outerjoin(children, true())
        .where(Unit.id == unit_id)).first()
    if row is None:
        return None
    return Stamp(unit_id=row[0], path=row[1], counts=tuple(row[2:8]), own_target=row[8],
                 children_targets=tuple(int(value or 0) for value in row[9:13]))


def _digest(*parts) -> str:
    return hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).hexdigest()


def counters_version(campaign: Campaign, shown: Stamp) -> str:
    goal = campaign.goal if shown.unit_id == campaign.unit_id else shown.own_target
    return _digest("counters", shown.counts, goal, campaigns.days_left(campaign))


def ranking_version(campaign: Campaign, shown: Stamp) -> str:
    if shown.unit_id == campaign.unit_id and campaign.ranking_frozen_at is not None:
        return _digest("frozen", campaign.ranking_frozen_at)  # the snapshot is shown, whatever happens meanwhile
    return _digest("ranking", shown.counts, shown.children_targets)


def poll_version(campaign: Campaign, unit_id: int | None, partial: str) -> str | None:
    """The version a polling partial ("counters" or "ranking") of a unit would carry now, from ``stamp`` alone: an
    unchanged poll costs the campaign's row and this one read. None for a unit outside the campaign."""
    shown = stamp(campaign, unit_id or campaign.unit_id)
    if shown is None or not shown.path.startswith(campaign.unit.path):
        return None
    return (counters_version if partial == "counters" else ranking_version)(campaign, shown)


def _version_of(campaign: Campaign, unit: Unit, partial: str) -> str:
    version = poll_version(campaign, unit.id, partial)
    assert version is not None  # the unit was loaded and checked against the campaign already
    return version


@dataclass
class Counters:
    campaign: Campaign
    unit: Unit
    tally: Tally | None
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
    return Page(counters=shown, ranking=ranking_of(campaign, unit), chart=chart, trail=trail)
