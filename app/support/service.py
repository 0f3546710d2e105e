"""The support area's reads and writes: the obstacle list and thread, the steps of the loop (one commit each, with
their notifications), the FAQ's counts and the gap-closing list. Authorization is app/policy.py's: the routes
check the objects, the lists take the policy's SQL filters."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import selectinload

from .. import clock
from ..domain import campaigns, obstacles, ranking, tallies
from ..domain.catalog import RETURN_REASONS, STATUSES
from ..domain.units import subtree_ids_select
from ..extensions import db
from ..i18n import number
from ..models import Campaign, Initiative, Obstacle, ObstacleReply, Status, StatusEvent, Unit, User
from .faq import EXAMPLES, Example

LIST_PAGE = 20
GAP_PAGE = 50
WAITING_LIMIT = 50
TEXT_LIMIT = 30  # items in the chat text (after the gap is covered it stops)


# --- obstacles ------------------------------------------------------------------------------------------------

@dataclass
class ObstacleList:
    items: list[Obstacle]
    more: bool
    counts: dict[str, int]
    today: date


def obstacle_list(visible: ColumnElement[bool], status: str | None, page: int,
                  per_page: int = LIST_PAGE) -> ObstacleList:
    """The obstacles ``visible`` lets through: waiting for an answer first, the most overdue first; one page."""
    counts = {code: how_many for code, how_many in db.session.execute(
        select(Obstacle.status, func.count()).where(visible).group_by(Obstacle.status))}
    stmt = select(Obstacle).where(visible)
    if status:
        stmt = stmt.where(Obstacle.status == status)
    stmt = (stmt.order_by(obstacles.STATUS_ORDER, Obstacle.due_date, Obstacle.id)
            .options(selectinload(Obstacle.unit), selectinload(Obstacle.owner), selectinload(Obstacle.raised_by))
            .offset((page - 1) * per_page).limit(per_page + 1))
    items = list(db.session.scalars(stmt))
    return ObstacleList(items=items[:per_page], more=len(items) > per_page, counts=counts, today=clock.today())


def campaign_of(obstacle: Obstacle) -> Campaign | None:
    return db.session.get(Campaign, obstacle.campaign_id) if obstacle.campaign_id else None


def thread(obstacle: Obstacle) -> list[ObstacleReply]:
    return list(db.session.scalars(select(ObstacleReply).where(ObstacleReply.obstacle_id == obstacle.id)
                                   .order_by(ObstacleReply.id).options(selectinload(ObstacleReply.author))))


def campaign_choices(unit: Unit) -> list[tuple[int, str]]:
    """The campaigns a union takes part in (run by it or a unit above), latest first: what an obstacle may be
    about."""
    found = db.session.scalars(select(Campaign).where(Campaign.unit_id.in_(unit.ancestor_ids))
                               .order_by(Campaign.end_date.desc(), Campaign.id).limit(10))
    return [(0, _("— Không gắn với chiến dịch nào —"))] + [(c.id, c.name) for c in found]


def default_campaign_id(unit: Unit) -> int:
    current = campaigns.current(unit)
    return current.id if current is not None else 0


# The steps of the loop (domain.obstacles): each flushes its reply and notifications; the route commits them
# together, or rolls back on ``obstacles.ObstacleRefused``, whose message the page shows.
raise_obstacle = obstacles.raise_obstacle
answer = obstacles.answer
follow_up = obstacles.follow_up
resolve = obstacles.resolve
assign = obstacles.assign


# --- the FAQ --------------------------------------------------------------------------------------------------

@dataclass
class Reason:
    code: str
    label: str
    count: int
    example: Example


def return_reasons(campaign: Campaign | None) -> list[Reason]:
    """Every return reason with how often reviewers gave it (in ``campaign``, else ever), most common first; codes
    the catalogue no longer has count as "other"."""
    stmt = select(StatusEvent.reason_code, func.count()).where(StatusEvent.to_status == Status.RETURNED)
    if campaign is not None:  # nothing of a campaign is returned before it starts: the index on the time helps
        stmt = stmt.join(Initiative, Initiative.id == StatusEvent.initiative_id).where(
            Initiative.campaign_id == campaign.id,
            StatusEvent.created_at >= datetime.combine(campaign.start_date - timedelta(days=1), time()))
    counts: dict[str, int] = dict.fromkeys(RETURN_REASONS, 0)
    for code, times in db.session.execute(stmt.group_by(StatusEvent.reason_code)):
        key = code if code in RETURN_REASONS else "other"
        counts[key] += times
    order = list(RETURN_REASONS)
    rows = [Reason(code, str(RETURN_REASONS[code]), counts[code], EXAMPLES[code]) for code in order]
    return sorted(rows, key=lambda row: (-row.count, order.index(row.code)))


# --- the gap-closing list -------------------------------------------------------------------------------------

# What a complete initiative has (the submission form's required fields): the more of them filled, the closer to
# done. Counted in SQL so that the order is the database's.
_REQUIRED_TEXTS = ("title", "current_situation", "solution", "application_scope", "effectiveness")
REQUIRED_COUNT = len(_REQUIRED_TEXTS) + 2


def _filled():
    parts = [case((func.length(func.trim(getattr(Initiative, name))) > 0, 1), else_=0) for name in _REQUIRED_TEXTS]
    parts.append(case((func.length(Initiative.field) > 0, 1), else_=0))
    parts.append(case((Initiative.applied_since.is_not(None), 1), else_=0))
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return total


@dataclass
class GapItem:
    initiative: Initiative
    author_name: str
    filled: int
    running: int      # how many of the list up to this one
    covers: bool      # the one with which the running total reaches the gap


@dataclass
class Gap:
    unit: Unit
    campaign: Campaign | None
    target: int | None
    valid: int = 0
    gap: int = 0
    items: list[GapItem] = field(default_factory=list)
    total: int = 0          # returned and drafts in all
    page: int = 1
    more: bool = False
    waiting: list[tuple[Initiative, str]] = field(default_factory=list)
    waiting_total: int = 0

    @property
    def covered(self) -> bool:
        """The returned initiatives and drafts together would close the gap."""
        return self.total >= self.gap


def _actionable(unit: Unit, campaign: Campaign):
    return (Initiative.campaign_id == campaign.id, Initiative.unit_id.in_(subtree_ids_select(unit)))


def gap_list(unit: Unit, page: int = 1, per_page: int = GAP_PAGE) -> Gap:
    """The union's gap in the current campaign (target − valid) and exactly which returned initiatives and drafts
    could close it, the closest to done first (most required fields filled, a returned one before a draft, the
    latest worked on), with the running total; the ones waiting for review apart."""
    campaign = campaigns.current(unit)
    if campaign is None:
        return Gap(unit=unit, campaign=None, target=None)
    target = ranking.goal_of(campaign, unit.id)
    counts = tallies.for_unit(campaign.id, unit.id)
    valid = counts.valid if counts is not None else 0
    result = Gap(unit=unit, campaign=campaign, target=target, valid=valid, gap=max(0, (target or 0) - valid),
                 page=page)
    where = _actionable(unit, campaign)
    editable = Initiative.status.in_((Status.RETURNED, Status.DRAFT))
    result.total = db.session.scalar(select(func.count()).select_from(Initiative).where(*where, editable)) or 0
    filled = _filled().label("filled")
    offset = (page - 1) * per_page
    rows = db.session.execute(
        select(Initiative, User.full_name, filled).join(User, User.id == Initiative.author_id)
        .where(*where, editable)
        .order_by(filled.desc(), case((Initiative.status == Status.RETURNED, 0), else_=1),
                  Initiative.updated_at.desc(), Initiative.id.desc())
        .offset(offset).limit(per_page + 1)).all()
    result.more = len(rows) > per_page
    for index, (item, name, count) in enumerate(rows[:per_page]):
        running = offset + index + 1
        result.items.append(GapItem(item, name, int(count), running, running == result.gap))
    waiting = Initiative.status == Status.SUBMITTED
    result.waiting_total = db.session.scalar(select(func.count()).select_from(Initiative).where(*where, waiting)) or 0
    if result.waiting_total:
        result.waiting = [(item, name) for item, name in db.session.execute(
            select(Initiative, User.full_name).join(User, User.id == Initiative.author_id).where(*where, waiting)
            .order_by(Initiative.submitted_at, Initiative.id).limit(WAITING_LIMIT))]
    return result


def _short(text: str, limit: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def gap_text(gap: Gap) -> str:
    """The list as plain Vietnamese text for a chat group: short lines, a direct link under each item, stopping
    once the gap is covered."""
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    lines = [_("Danh sách bù chỉ tiêu — %(unit)s", unit=gap.unit.name)]
    if gap.campaign is None:
        lines.append(_("Chưa có chiến dịch nào."))
        return "\n".join(lines) + "\n"
    lines.append(_short(gap.campaign.name, 80))
    if gap.target is None:
        lines.append(_("Đơn vị chưa được giao chỉ tiêu."))
    else:
        lines.append(_("Hợp lệ %(valid)s/%(target)s, còn thiếu %(gap)s.", valid=number(gap.valid),
                       target=number(gap.target), gap=number(gap.gap)))
    if gap.waiting_total:
        lines.append(_("Đang chờ thẩm định: %(n)s.", n=number(gap.waiting_total)))
    if gap.target is not None and gap.gap == 0:
        lines.append(_("Đã đạt chỉ tiêu. Cảm ơn mọi người!"))
    if gap.items:
        lines.append("")
        lines.append(_("Cần hoàn thiện và gửi:"))
    shown = 0
    for entry in gap.items[:TEXT_LIMIT]:
        item = entry.initiative
        if item.status == Status.RETURNED:
            state = str(STATUSES[item.status]).lower()
        else:
            state = _("bản nháp %(n)s/%(all)s mục", n=entry.filled, all=REQUIRED_COUNT)
        title = _short(item.title or _("(chưa có tên)"), 50)
        lines.append(f"{entry.running}. {entry.author_name}: “{title}” ({state})")
        lines.append("   " + base + url_for("submissions.edit", initiative_id=item.id))
        shown += 1
        if entry.covers:
            lines.append(_("→ Đủ %(n)s: bù được chỉ tiêu.", n=number(gap.gap)))
            break
    rest = gap.total - shown
    if rest > 0:
        lines.append(_("Còn %(n)s sáng kiến khác:", n=number(rest)))
        lines.append("   " + base + url_for("support.gap", unit_id=gap.unit.id))
    elif gap.gap and gap.total < gap.gap:
        lines.append(_("Vẫn còn thiếu %(n)s: cần thêm sáng kiến mới.", n=number(gap.gap - gap.total)))
    return "\n".join(lines) + "\n"
