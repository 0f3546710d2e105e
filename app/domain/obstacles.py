"""The obstacle log (vướng mắc, DESIGN §11): a grassroots union raises a difficulty, the unit above answers it.

An obstacle is answered by the raising unit's parent (``answer_unit``) and taken care of by its ``owner``: by
default the answer unit's leader in charge (``Unit.leader_id``), else nobody until someone of the unit above takes
it. Its status goes open → answered (the unit above replied) → open again (the raiser asks more) … → resolved
(the raiser is satisfied). Every step writes its reply and tells the other side (``domain.notices``) in the
caller's transaction: these functions flush, the caller commits once. Who may do what is app/policy.py's.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import selectinload

from .. import clock
from ..extensions import db
from ..models import Obstacle, ObstacleReply, ObstacleStatus, Role, Unit, UnitKind, User, utcnow
from . import notices
from .text import nfc
from .units import subtree_ids_select

DUE_DAYS = 7          # the default time the unit above has to answer
TITLE_MAX = 200       # the column's length
BODY_MAX = 5000
TEAM_LIMIT = 20       # organizers of the answer unit told about an obstacle nobody owns
GIAO_BAN_LIMIT = 20   # obstacles listed at giao ban (the total is said)

STATUSES = {
    ObstacleStatus.OPEN: _l("Chờ trả lời"),
    ObstacleStatus.ANSWERED: _l("Đã trả lời"),
    ObstacleStatus.RESOLVED: _l("Đã giải quyết"),
}
# Open first (waiting for the unit above), then answered (waiting for the raiser), resolved last.
STATUS_ORDER = case((Obstacle.status == ObstacleStatus.OPEN, 0), (Obstacle.status == ObstacleStatus.ANSWERED, 1),
                    else_=2)


class ObstacleRefused(Exception):
    """A step the obstacle's status does not allow (answering a resolved one…): the message says why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


def default_due(today: date | None = None) -> date:
    return (today or clock.today()) + timedelta(days=DUE_DAYS)


def answer_unit_of(unit: Unit) -> Unit | None:
    """Who answers a unit's obstacles: the unit above (a grassroots union's district or sector union)."""
    return unit.parent


def can_be_raised_by(unit: Unit) -> bool:
    """Obstacles come from grassroots unions, which always have a unit above."""
    return unit.kind == UnitKind.GRASSROOTS and unit.parent_id is not None


def is_overdue(obstacle: Obstacle, today: date | None = None) -> bool:
    """Still waiting for the unit above after its due date."""
    return obstacle.status == ObstacleStatus.OPEN and obstacle.due_date < (today or clock.today())


def answer_team(answer_unit: Unit) -> list[User]:
    """Who speaks for the unit above when nobody owns an obstacle: its leader in charge, its staff adviser and the
    organizers working on that unit (a few: ``TEAM_LIMIT``), active accounts only."""
    people = [person for person in (answer_unit.leader, answer_unit.adviser) if person is not None and person.active]
    people += db.session.scalars(
        select(User).where(User.role == Role.ORGANIZER, User.active.is_(True),
                           or_(User.scope_unit_id == answer_unit.id,
                               (User.scope_unit_id.is_(None)) & (User.unit_id == answer_unit.id)))
        .order_by(User.full_name, User.id).limit(TEAM_LIMIT))
    return _distinct(people)


def _distinct(people: list[User]) -> list[User]:
    by_id: dict[int, User] = {}
    for person in people:
        by_id.setdefault(person.id, person)
    return list(by_id.values())


def _told_above(obstacle: Obstacle) -> list[User]:
    """The owner, or the answer unit's team while nobody owns it."""
    if obstacle.owner is not None:
        return [obstacle.owner]
    return answer_team(obstacle.answer_unit)


def link_of(obstacle: Obstacle) -> str:
    return f"/support/obstacles/{obstacle.id}"


def _tell(people: list[User], kind: str, obstacle: Obstacle, actor: User, **params) -> None:
    notices.notify_all([p for p in people if p.id != actor.id], kind, link=link_of(obstacle),
                       obstacle_id=obstacle.id, params={"title": obstacle.title, "unit": obstacle.unit.name,
                                                        "by": actor.full_name, **params})


def _clean(text: str | None) -> str:
    return nfc((text or "").strip())


def raise_obstacle(unit: Unit, by: User, title: str, body: str, campaign_id: int | None = None,
                   today: date | None = None) -> Obstacle:
    """Record the difficulty ``unit`` has, due in ``DUE_DAYS`` days, and tell the unit above."""
    answer_unit = answer_unit_of(unit)
    if not can_be_raised_by(unit) or answer_unit is None:
        raise ObstacleRefused(_l("Chỉ công đoàn cơ sở nêu vướng mắc lên cấp trên."))
    owner = answer_unit.leader if answer_unit.leader is not None and answer_unit.leader.active else None
    obstacle = Obstacle(unit=unit, answer_unit=answer_unit, raised_by=by, owner=owner, title=_clean(title),
                        body=_clean(body), campaign_id=campaign_id, status=ObstacleStatus.OPEN,
                        due_date=default_due(today), created_at=utcnow(), updated_at=utcnow())
    db.session.add(obstacle)
    db.session.flush()
    _tell(_told_above(obstacle), "obstacle_raised", obstacle, by, due=obstacle.due_date.strftime("%d/%m/%Y"))
    return obstacle


def _reply(obstacle: Obstacle, by: User, body: str) -> ObstacleReply:
    reply = ObstacleReply(obstacle=obstacle, author=by, body=_clean(body), created_at=utcnow())
    db.session.add(reply)
    obstacle.updated_at = utcnow()
    return reply


def _not_resolved(obstacle: Obstacle) -> None:
    if obstacle.status == ObstacleStatus.RESOLVED:
        raise ObstacleRefused(_l("Vướng mắc này đã được giải quyết; hãy nêu vướng mắc mới nếu còn khó khăn."))


def answer(obstacle: Obstacle, by: User, body: str) -> ObstacleReply:
    """The unit above answers (again, after a follow-up); an obstacle nobody owned becomes the answerer's."""
    _not_resolved(obstacle)
    reply = _reply(obstacle, by, body)
    obstacle.status = ObstacleStatus.ANSWERED
    if obstacle.owner_id is None:
        obstacle.owner = by
    db.session.flush()
    _tell([obstacle.raised_by], "obstacle_answered", obstacle, by)
    return reply


def follow_up(obstacle: Obstacle, by: User, body: str) -> ObstacleReply:
    """The raiser asks more: open again, for the owner (or the unit above's team)."""
    _not_resolved(obstacle)
    reply = _reply(obstacle, by, body)
    obstacle.status = ObstacleStatus.OPEN
    db.session.flush()
    _tell(_told_above(obstacle), "obstacle_followup", obstacle, by)
    return reply


def resolve(obstacle: Obstacle, by: User, body: str = "") -> None:
    """The raiser marks it resolved (with an optional last word); the owner is told."""
    _not_resolved(obstacle)
    if _clean(body):
        _reply(obstacle, by, body)
    obstacle.status = ObstacleStatus.RESOLVED
    obstacle.resolved_at = obstacle.updated_at = utcnow()
    db.session.flush()
    _tell(_told_above(obstacle), "obstacle_resolved", obstacle, by)


def assign(obstacle: Obstacle, by: User, owner: User | None, due_date: date) -> None:
    """The unit above changes who takes care of it and when it is due; a new owner (not the actor) is told."""
    _not_resolved(obstacle)
    changed_owner = owner is not None and owner.id != obstacle.owner_id
    obstacle.owner = owner
    obstacle.due_date = due_date
    obstacle.updated_at = utcnow()
    db.session.flush()
    if changed_owner and owner is not None:
        _tell([owner], "obstacle_raised", obstacle, by, due=due_date.strftime("%d/%m/%Y"))


def owner_choices(obstacle: Obstacle, actor: User) -> list[User]:
    """Whom the reassign form offers: the answer unit's team, the current owner and the actor."""
    people = answer_team(obstacle.answer_unit)
    people += [p for p in (obstacle.owner, actor) if p is not None]
    return _distinct(people)


# --- giao ban -------------------------------------------------------------------------------------------------

@dataclass
class OpenObstacles:
    items: list[Obstacle]
    total: int
    overdue: int
    today: date


def open_for(unit: Unit, limit: int = GIAO_BAN_LIMIT, today: date | None = None) -> OpenObstacles:
    """Obstacles raised below ``unit`` (answered by it or a unit under it) and not resolved: waiting for an answer
    first, the longest overdue first; three reads whatever the count."""
    today = today or clock.today()
    where = (Obstacle.status != ObstacleStatus.RESOLVED, Obstacle.answer_unit_id.in_(subtree_ids_select(unit)))
    total, overdue = db.session.execute(select(
        func.count(), func.coalesce(func.sum(case(
            ((Obstacle.status == ObstacleStatus.OPEN) & (Obstacle.due_date < today), 1), else_=0)), 0))
        .select_from(Obstacle).where(*where)).one()
    items = list(db.session.scalars(
        select(Obstacle).where(*where).order_by(STATUS_ORDER, Obstacle.due_date, Obstacle.id).limit(limit)
        .options(selectinload(Obstacle.unit), selectinload(Obstacle.owner)))) if total else []
    return OpenObstacles(items=items, total=int(total or 0), overdue=int(overdue or 0), today=today)
