"""Public pages: the campaign page (live counters, progress chart, emulation ranking with drill-down, the unit's
running peak periods), a peak period's page, and the archive of ended campaigns and periods."""
from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, abort, current_app, request

from .. import policy
from ..domain import campaigns, periods
from ..models import Campaign, Period, Unit
from ..policy import public
from ..web import render
from . import service
from .forms import ArchiveQuery, PageQuery

bp = Blueprint("dashboard", __name__)


def _campaign(slug: str) -> Campaign:
    campaign = service.campaign_by_slug(slug)
    if campaign is None:
        abort(404)
    return campaign


def _unit(campaign: Campaign, unit_id: int | None) -> Unit:
    """A unit of the campaign's subtree; the campaign's own unit by default."""
    if not unit_id:
        return campaign.unit
    return policy.get_or_404(Unit, unit_id, allowed=campaign.unit.contains)


def _no_change() -> Response:
    """204: htmx keeps the page as it is and the poll costs no body. For a visitor without any cookie the answer
    for this version may be shared for a few seconds (``POLL_CACHE_SECONDS``): the micro-cache (app/microcache.py)
    or a proxy answers the other visitors' identical polls, and a change shows at most that much later."""
    response = Response(status=204)
    seconds = current_app.config["POLL_CACHE_SECONDS"]
    if seconds and not request.cookies:
        response.headers["Cache-Control"] = f"public, max-age={seconds}"
        response.vary.add("Cookie")
    else:
        response.headers["Cache-Control"] = "no-store"
    response.vary.add("HX-Request")
    return response


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
    page = service.page(campaign, _unit(campaign, unit_id))
    return render("dashboard/campaign.html", chart=page.chart, trail=page.trail, counters=page.counters,
                  ranking=page.ranking, periods=page.periods, days_left=periods.days_left, fields=page.fields)


@bp.route("/campaigns/<slug>/periods/<int:period_id>")
@public
def period_page(slug: str, period_id: int):
    """A peak period: its figures, countdown, pace, ranking of the units under it, and its result once ended."""
    campaign = _campaign(slug)
    period = policy.get_or_404(Period, period_id, allowed=lambda found: found.campaign_id == campaign.id)
    return render("dashboard/period.html", view=service.period_view(period), campaign=campaign,
                  counting_rule=periods.COUNTING_RULE, pace_rule=periods.PACE_RULE,
                  improved_rule=periods.improved_rule(period), kinds=periods.KINDS, measures=periods.MEASURES)


@bp.route("/archive")
@public
def archive():
    """Ended campaigns and periods with their final ranking (frozen, or live and marked as such)."""
    query = ArchiveQuery(request.args, meta={"csrf": False})
    page = query.page.data if query.validate() and query.page.data else 1
    return render("dashboard/archive.html", archive=service.archive(page), kinds=periods.KINDS,
                  measures=periods.MEASURES)


def _poll(slug: str, build: Callable[[Campaign, Unit], service.Counters | service.Ranking], template: str,
          name: str) -> Response:
    """A polling partial: 204 without a body while the client's version is current, fresh HTML otherwise."""
    query = PageQuery(request.args, meta={"csrf": False})
    if query.v.data and query.v.data == service.poll_version(slug, query.unit.data, name):
        return _no_change()  # one indexed read: nothing is built
    campaign = _campaign(slug)
    return render(template, template, 200, **{name: build(campaign, _unit(campaign, query.unit.data))})


@bp.route("/campaigns/<slug>/counters")
@public
def counters(slug: str):
    return _poll(slug, service.counters, "dashboard/_counters.html", "counters")


@bp.route("/campaigns/<slug>/ranking")
@public
def ranking_partial(slug: str):
    return _poll(slug, service.ranking_of, "dashboard/_ranking.html", "ranking")
