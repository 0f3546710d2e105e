"""Public campaign page: live counters, progress chart, emulation ranking with drill-down."""
from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, abort, request

from .. import policy
from ..domain import campaigns
from ..models import Campaign, Unit
from ..policy import public
from ..web import render
from . import service
from .forms import PageQuery

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
    """204: htmx keeps the page as it is and the poll costs no body."""
    response = Response(status=204)
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
                  ranking=page.ranking, fields=page.fields)


def _poll(slug: str, build: Callable[[Campaign, Unit], service.Counters | service.Ranking], template: str,
          name: str) -> Response:
    """A polling partial: 204 without a body while the client's version is current, fresh HTML otherwise."""
    campaign = _campaign(slug)
    query = PageQuery(request.args, meta={"csrf": False})
    shown = build(campaign, _unit(campaign, query.unit.data))
    if query.v.data == shown.version:
        return _no_change()
    return render(template, template, 200, **{name: shown})


@bp.route("/campaigns/<slug>/counters")
@public
def counters(slug: str):
    return _poll(slug, service.counters, "dashboard/_counters.html", "counters")


@bp.route("/campaigns/<slug>/ranking")
@public
def ranking_partial(slug: str):
    return _poll(slug, service.ranking_of, "dashboard/_ranking.html", "ranking")
