"""Public campaign page: live counters, progress chart, emulation ranking with drill-down."""
from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, abort, request
from sqlalchemy import select

from ..domain import campaigns, ranking, tallies
from ..domain.units import ancestors
from ..extensions import db
from ..models import Campaign, Target, Unit
from ..policy import public
from ..web import render

bp = Blueprint("dashboard", __name__)
POLL_SECONDS = 20


def _campaign(slug: str) -> Campaign:
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None:
        abort(404)
    return campaign


def _unit(campaign: Campaign, unit_id: int | None) -> Unit:
    unit = db.session.get(Unit, unit_id) if unit_id else campaign.unit
    if unit is None or not campaign.unit.contains(unit):
        abort(404)
    return unit


def _no_change() -> Response:
    """204: htmx keeps the page as it is and the poll costs no body."""
    response = Response(status=204)
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("HX-Request")
    return response


def _counters_context(campaign: Campaign, unit: Unit) -> dict:
    target = db.session.scalar(select(Target.count).where(Target.campaign_id == campaign.id,
                                                          Target.unit_id == unit.id))
    goal = campaign.goal if unit.id == campaign.unit_id else target
    tally = tallies.for_unit(campaign.id, unit.id)
    return {"campaign": campaign, "unit": unit, "tally": tally, "goal": goal,
            "days_left": campaigns.days_left(campaign), "version": ranking.version(campaign, [tally], goal),
            "progress": (tally.valid / goal) if tally and goal else None, "poll": POLL_SECONDS}


def _ranking_context(campaign: Campaign, unit: Unit) -> dict:
    frozen = unit.id == campaign.unit_id and campaign.ranking_frozen_at is not None
    rows = ranking.frozen_rows(campaign) if frozen else ranking.rank_children(campaign, unit)
    return {"campaign": campaign, "unit": unit, "rows": rows, "frozen": frozen, "poll": POLL_SECONDS,
            "version": ranking.version(campaign, rows)}


@bp.route("/campaign")
@public
def campaign():
    """The current campaign's page, served here rather than redirected: a redirect costs 2 s on slow 3G."""
    current = campaigns.current()
    if current is None:
        abort(404)
    return campaign_page(current.slug)


@bp.route("/campaigns/<slug>")
@bp.route("/campaigns/<slug>/units/<int:unit_id>")
@public
def campaign_page(slug: str, unit_id: int | None = None):
    campaign = _campaign(slug)
    unit = _unit(campaign, unit_id)
    counters = _counters_context(campaign, unit)
    series = ranking.valid_series(campaign, unit.id)
    chart = ranking.chart(campaign, series, counters["goal"] or 0) if series.days and counters["goal"] else None
    trail = [u for u in ancestors(unit) if campaign.unit.contains(u)]
    return render("dashboard/campaign.html", chart=chart, trail=trail, counters=counters,
                  ranking=_ranking_context(campaign, unit))


def _poll(slug: str, build: Callable[[Campaign, Unit], dict], template: str, name: str):
    """A polling partial: 204 without a body while the client's version is current, fresh HTML otherwise."""
    campaign = _campaign(slug)
    context = build(campaign, _unit(campaign, request.args.get("unit", type=int)))
    if request.args.get("v") == context["version"]:
        return _no_change()
    return render(template, template, **{name: context})


@bp.route("/campaigns/<slug>/counters")
@public
def counters(slug: str):
    return _poll(slug, _counters_context, "dashboard/_counters.html", "counters")


@bp.route("/campaigns/<slug>/ranking")
@public
def ranking_partial(slug: str):
    return _poll(slug, _ranking_context, "dashboard/_ranking.html", "ranking")
