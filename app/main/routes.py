from __future__ import annotations

from flask import Blueprint
from flask_login import current_user
from sqlalchemy import func, or_, select

from ..domain import campaigns, tallies
from ..extensions import db
from ..models import Initiative, Role, Status
from ..policy import public
from ..web import render

bp = Blueprint("main", __name__)


@bp.route("/")
@public
def home():
    campaign = campaigns.current()
    tally = tallies.for_unit(campaign.id, campaign.unit_id) if campaign else None
    todo = to_do(current_user) if current_user.is_authenticated else {}
    return render("main/home.html", campaign=campaign, tally=tally, todo=todo)


def to_do(user) -> dict:
    """What waits for this person: returned or unfinished initiatives, or the review queue in scope."""
    todo: dict = {}
    if user.role in (Role.MEMBER, Role.HELPER):
        own = Initiative.unit_id == user.unit_id if user.role == Role.HELPER else or_(
            Initiative.author_id == user.id, Initiative.entered_by_id == user.id)
        todo["mine"] = dict(db.session.execute(
            select(Initiative.status, func.count()).where(own, Initiative.status.in_([Status.DRAFT, Status.RETURNED]))
            .group_by(Initiative.status)).all())
    if user.role in (Role.REVIEWER, Role.ADMIN):
        campaign = campaigns.current(user.scope)
        scope = user.scope or (campaign.unit if campaign else None)
        tally = tallies.for_unit(campaign.id, scope.id) if campaign and scope else None
        todo["pending"] = tally.pending if tally else 0
    return todo


@bp.route("/healthz")
@public
def healthz():
    """For load balancers and the benchmark's baseline: no database, no template."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
