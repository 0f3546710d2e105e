"""The home page: the current campaign's counters, the peak periods that concern the visitor, and what waits for
the person signed in."""
from __future__ import annotations

from sqlalchemy import func, or_, select

from .. import policy
from ..domain import campaigns, periods, tallies
from ..domain.units import root
from ..extensions import db
from ..models import Campaign, Initiative, Period, Role, Status, User

STAFF_PERIODS = 10  # a short list on the home page; each links to the period's page


def periods_for(user: User, campaign: Campaign | None) -> list[Period]:
    """The running periods next to the campaign: the campaign's own unit's for a visitor; those containing their
    home unit for a member or helper; for staff, those containing their scope and those run inside it."""
    if not user.is_authenticated:
        return periods.visible_on(campaign.unit, campaign.id) if campaign else []
    if user.role in (Role.MEMBER, Role.HELPER):
        return periods.visible_on(user.unit) if user.unit else []
    default = campaign.unit if campaign else root()
    scope = policy.top_unit(user, default) if default is not None else None
    if scope is None:
        return []
    found = {p.id: p for p in periods.visible_on(scope)}
    found.update((p.id, p) for p in periods.inside(scope, limit=STAFF_PERIODS))
    return sorted(found.values(), key=lambda p: (p.end_date, p.start_date, p.id))[:STAFF_PERIODS]


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
