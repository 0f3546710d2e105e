from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from ..domain import campaigns, periods, tallies
from ..policy import public
from ..web import render
from . import service

bp = Blueprint("main", __name__)


@bp.route("/")
@public
def home():
    campaign = campaigns.current()
    tally = tallies.for_unit(campaign.id, campaign.unit_id) if campaign else None
    todo = service.to_do(current_user) if current_user.is_authenticated else {}
    return render("main/home.html", campaign=campaign, tally=tally, todo=todo,
                  periods=service.periods_for(current_user, campaign), days_left=periods.days_left)


@bp.route("/healthz")
@public
def healthz():
    """For load balancers and the benchmark's baseline: no database, no template."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
