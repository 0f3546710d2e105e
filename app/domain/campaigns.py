"""Campaign look-ups shared by the public pages and the organizer pages."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..models import Campaign, Unit


def current(unit: Unit | None = None, today: date | None = None) -> Campaign | None:
    """The running campaign, else the one that ended last.

    With ``unit`` (a reviewer's or organizer's scope): only campaigns run by that unit or one above it,
    so a district's own campaign and the province's campaign both reach the district's staff.
    """
    today = today or date.today()
    stmt = select(Campaign)
    if unit is not None:
        stmt = stmt.where(Campaign.unit_id.in_(unit.ancestor_ids))
    running = db.session.scalar(stmt.where(Campaign.start_date <= today, Campaign.end_date >= today)
                                .order_by(Campaign.end_date))
    return running or db.session.scalar(stmt.order_by(Campaign.end_date.desc()))


def days_left(campaign: Campaign, today: date | None = None) -> int:
    today = today or date.today()
    return max(0, (campaign.end_date - today).days)
