from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from ..domain import campaigns
from ..policy import public
from ..web import render

bp = Blueprint("main", __name__)


@bp.route("/")
@public
def home():
    campaign = campaigns.current()
    tally = campaigns.root_tally(campaign) if campaign else None
    return render("main/home.html", campaign=campaign, tally=tally, user=current_user)


@bp.route("/healthz")
@public
def healthz():
    """For load balancers and the benchmark's baseline: no database, no template."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
