"""Campaign look-ups shared by the public pages and the organizer pages."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..models import Campaign, Tally


def current(today: date | None = None) -> Campaign | None:
    """The running campaign, else the one that ended last, else the next one."""
    today = today or date.today()
    running = db.session.scalar(select(Campaign).where(Campaign.start_date <= today, Campaign.end_date >= today)
                                .order_by(Campaign.end_date))
    if running:
        return running
    return db.session.scalar(select(Campaign).order_by(Campaign.end_date.desc()))


def root_tally(campaign: Campaign) -> Tally | None:
    return db.session.get(Tally, (campaign.id, campaign.unit_id))


def days_left(campaign: Campaign, today: date | None = None) -> int:
    today = today or date.today()
    return max(0, (campaign.end_date - today).days)
