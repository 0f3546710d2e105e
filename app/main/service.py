"""The home page: the current campaign's counters and what waits for the person signed in."""
from __future__ import annotations

from sqlalchemy import func, or_, select

from ..domain import campaigns, tallies
from ..extensions import db
from ..models import Initiative, Role, Status, User


def to_do(user: User) -> dict:
    """What waits for this person: returned or unfinished initiatives, or the review queue in scope."""
    todo: dict = {}
    if user.role in (Role.MEMBER, Role.HELPER):
        own = Initiative.unit_id == user.unit_id if user.role == Role.HELPER else or_(
            Initiative.author_id == user.id, Initiative.entered_by_id == user.id)
        todo["mine"] = {status: count for status, count in db.session.execute(
            select(Initiative.status, func.count()).where(own, Initiative.status.in_([Status.DRAFT, Status.RETURNED]))
            .group_by(Initiative.status))}
    if user.role in (Role.REVIEWER, Role.ADMIN):
        campaign = campaigns.current(user.scope)
        scope = user.scope or (campaign.unit if campaign else None)
        tally = tallies.for_unit(campaign.id, scope.id) if campaign and scope else None
        todo["pending"] = tally.pending if tally else 0
    return todo
