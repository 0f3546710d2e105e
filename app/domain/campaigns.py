"""Campaign look-ups shared by the public pages and the organizer pages."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..models import AwardLevel, Campaign, RubricCriterion, Unit
from .scoring import DEFAULT_RUBRIC

# The usual commendations of a provincial campaign; organizers rename them, change quotas or add levels.
DEFAULT_AWARD_LEVELS = (("Bằng khen", "Ban Chấp hành LĐLĐ tỉnh", 10), ("Giấy khen", "Ban Thường vụ LĐLĐ tỉnh", 30))


def current(unit: Unit | None = None, today: date | None = None) -> Campaign | None:
    """The running campaign, else the one that ended last.

    With ``unit`` (a member's union, a reviewer's or organizer's scope): only campaigns run by that unit or one
    above it. Among running campaigns the one run highest up the tree wins (the province's over a district's):
    an initiative belongs to the campaign of the widest level, and a unit's peak weeks are periods inside it
    (``domain.periods``), so nobody's pages or submissions move because a district started something.
    """
    today = today or clock.today()
    stmt = select(Campaign).join(Unit, Unit.id == Campaign.unit_id)
    if unit is not None:
        stmt = stmt.where(Campaign.unit_id.in_(unit.ancestor_ids))
    running = db.session.scalar(stmt.where(Campaign.start_date <= today, Campaign.end_date >= today)
                                .order_by(Unit.depth, Campaign.end_date.desc(), Campaign.id))
    return running or db.session.scalar(stmt.order_by(Campaign.end_date.desc(), Unit.depth, Campaign.id))


def days_left(campaign: Campaign, today: date | None = None) -> int:
    today = today or clock.today()
    return max(0, (campaign.end_date - today).days)


def default_rubric(campaign: Campaign) -> list[RubricCriterion]:
    """The 30/40/30 rubric lines, not yet stored (what a campaign without its own rubric scores with)."""
    return [RubricCriterion(campaign_id=campaign.id, code=code, label=label, max_points=points, position=position)
            for position, (code, label, points) in enumerate(DEFAULT_RUBRIC)]


def add_defaults(campaign: Campaign) -> None:
    """Store the default rubric and award levels of a campaign that has none: when it is created, or on the
    first POST that needs them (never on a GET)."""
    has_rubric = db.session.scalar(select(RubricCriterion.id).where(RubricCriterion.campaign_id == campaign.id)
                                   .limit(1))
    has_levels = db.session.scalar(select(AwardLevel.id).where(AwardLevel.campaign_id == campaign.id).limit(1))
    if has_rubric is None:
        db.session.add_all(default_rubric(campaign))
    if has_levels is None:
        db.session.add_all(AwardLevel(campaign_id=campaign.id, name=name, issuer=issuer, quota=quota,
                                      position=position)
                           for position, (name, issuer, quota) in enumerate(DEFAULT_AWARD_LEVELS))
    db.session.flush()
