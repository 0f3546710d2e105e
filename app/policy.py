"""Authorization in one place (DESIGN §3, §9).

Every view is wrapped by ``public``, ``signed_in`` or ``roles_allowed`` (a test checks that none is left out), and
every object a view touches is checked with one of the ``can_*`` functions. Objects outside the user's reach
answer 404, so ids from other units reveal nothing.

Each rule that lists also exists as an SQL filter (``*_clause``). Both forms are built from the same
definition: the user's ``Reach`` (which subtree) and ``_conflict_keys`` (what makes a conflict of interest),
so a list never shows what the object page refuses, and the other way round.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TypeVar

from flask import abort
from flask_login import current_user
from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true

from .domain import workflow
from .domain.units import subtree_filter
from .extensions import db
from .models import (
    Campaign,
    EligibilityRule,
    Initiative,
    InitiativeAuthor,
    Notification,
    Obstacle,
    Period,
    ReviewTemplate,
    Role,
    Status,
    Unit,
    UnitKind,
    User,
)

T = TypeVar("T")

STAFF_ROLES = (Role.REVIEWER, Role.ORGANIZER, Role.ADMIN)
EDITABLE = (Status.DRAFT, Status.RETURNED)
WITHDRAWABLE = (Status.SUBMITTED, Status.RETURNED)
# Who an organizer may create or change; only an admin makes admins.
ORGANIZER_ASSIGNABLE = (Role.MEMBER, Role.HELPER, Role.REVIEWER, Role.ORGANIZER)


def public(view: Callable) -> Callable:
    view.policy = "public"  # type: ignore[attr-defined]
    return view


def roles_allowed(*roles: str) -> Callable[[Callable], Callable]:
    """Require a signed-in user with one of ``roles`` (admin always passes): ``@roles_allowed(Role.REVIEWER)``."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from .extensions import login_manager
                return login_manager.unauthorized()
            if roles and current_user.role not in roles and current_user.role != Role.ADMIN:
                abort(403)
            return view(*args, **kwargs)

        wrapped.policy = ("login", roles)  # type: ignore[attr-defined]
        return wrapped

    return decorator


def signed_in(view: Callable) -> Callable:
    """Require a signed-in user of any role: ``@signed_in`` (no parentheses)."""
    return roles_allowed()(view)


# --- reach: the subtree a user works on -----------------------------------------------------------------------

@dataclass(frozen=True)
class Reach:
    """Everything (an admin), one subtree (``root``), or nothing (a staff account with neither unit nor scope)."""

    everything: bool = False
    root: Unit | None = None

    def contains(self, unit: Unit | None) -> bool:
        if unit is None:
            return False
        return self.everything or (self.root is not None and self.root.contains(unit))

    def clause(self, unit_id_column) -> ColumnElement[bool]:
        """The same test in SQL, on a column holding a unit id."""
        if self.everything:
            return true()
        if self.root is None:
            return false()
        return unit_id_column.in_(select(Unit.id).where(subtree_filter(self.root)))


def reach(user: User) -> Reach:
    """An admin reaches everything, whatever their home unit; everyone else their ``scope`` (maybe nothing)."""
    if user.role == Role.ADMIN:
        return Reach(everything=True)
    return Reach(root=user.scope)


def top_unit(user: User, default: Unit) -> Unit | None:
    """Where a user's pages start: the top of their reach (``default``, e.g. the campaign's unit, for an admin);
    None for staff who reach nothing."""
    the_reach = reach(user)
    return default if the_reach.everything else the_reach.root


def in_scope(user: User, unit: Unit | None) -> bool:
    """Is ``unit`` inside the subtree the user works on?"""
    return reach(user).contains(unit)


def in_scope_clause(user: User, unit: Unit | None = None) -> ColumnElement[bool]:
    """Initiatives of the user's subtree (narrowed to ``unit``'s subtree when given), in SQL."""
    clause = reach(user).clause(Initiative.unit_id)
    if unit is not None:
        clause = and_(clause, Reach(root=unit).clause(Initiative.unit_id))
    return clause


# --- initiatives ---------------------------------------------------------------------------------------------

def is_author(user: User, initiative: Initiative) -> bool:
    return initiative.author_id == user.id or any(a.user_id == user.id for a in initiative.authors)


def helps_union(user: User, unit_id: int | None) -> bool:
    """Support-team members act for the members of their own grassroots union."""
    return user.role == Role.HELPER and unit_id is not None and user.unit_id == unit_id


def can_view_initiative(user: User, initiative: Initiative) -> bool:
    if is_author(user, initiative) or initiative.entered_by_id == user.id or helps_union(user, initiative.unit_id):
        return True
    if user.role in STAFF_ROLES:
        return initiative.status != Status.DRAFT and in_scope(user, initiative.unit)
    return False


def viewable_clause(user: User) -> ColumnElement[bool]:
    """``can_view_initiative`` in SQL."""
    co_authored = exists().where(InitiativeAuthor.initiative_id == Initiative.id, InitiativeAuthor.user_id == user.id)
    clauses = [Initiative.author_id == user.id, co_authored, Initiative.entered_by_id == user.id]
    if user.role == Role.HELPER and user.unit_id is not None:
        clauses.append(Initiative.unit_id == user.unit_id)
    if user.role in STAFF_ROLES:
        clauses.append(and_(Initiative.status != Status.DRAFT, in_scope_clause(user)))
    return or_(*clauses)


# What anyone may see of an initiative once it is valid: its title and unit (DESIGN §12, public search).
PUBLIC_STATUSES = (Status.VALID, Status.SHORTLISTED, Status.AWARDED)


def is_public(initiative: Initiative) -> bool:
    return initiative.status in PUBLIC_STATUSES


def can_edit_initiative(user: User, initiative: Initiative) -> bool:
    if initiative.status not in EDITABLE:
        return False
    return (initiative.author_id == user.id or initiative.entered_by_id == user.id
            or helps_union(user, initiative.unit_id))


def can_withdraw(user: User, initiative: Initiative) -> bool:
    return initiative.status in WITHDRAWABLE and (
        initiative.author_id == user.id or helps_union(user, initiative.unit_id))


def can_undo_withdraw(user: User, initiative: Initiative) -> bool:
    """Who may withdraw may undo it, while the withdrawal is the last thing that happened (workflow)."""
    return (initiative.status == Status.WITHDRAWN and workflow.withdrawn_from(initiative) is not None
            and (initiative.author_id == user.id or helps_union(user, initiative.unit_id)))


def _conflict_keys(user: User) -> list[tuple[str, int]]:
    """A reviewer never decides what they wrote, entered, or what comes from their own grassroots union."""
    keys = [("author_id", user.id), ("entered_by_id", user.id)]
    if user.unit_id is not None:
        keys.append(("unit_id", user.unit_id))
    return keys


def has_conflict_of_interest(user: User, initiative: Initiative) -> bool:
    return (any(getattr(initiative, name) == value for name, value in _conflict_keys(user))
            or any(a.user_id == user.id for a in initiative.authors))


def no_conflict_clause(user: User) -> ColumnElement[bool]:
    co_authored = exists().where(InitiativeAuthor.initiative_id == Initiative.id, InitiativeAuthor.user_id == user.id)
    return and_(*(getattr(Initiative, name) != value for name, value in _conflict_keys(user)), ~co_authored)


def may_review(user: User) -> bool:
    return user.role in (Role.REVIEWER, Role.ADMIN)


def can_review(user: User, initiative: Initiative) -> bool:
    return may_review(user) and in_scope(user, initiative.unit) and not has_conflict_of_interest(user, initiative)


def reviewable_clause(user: User, unit: Unit | None = None) -> ColumnElement[bool]:
    """``can_review`` in SQL: the initiatives of the review queue."""
    if not may_review(user):
        return false()
    return and_(in_scope_clause(user, unit), no_conflict_clause(user))


# --- units, accounts, templates -------------------------------------------------------------------------------

def can_manage_unit(user: User, unit: Unit | None) -> bool:
    """Organizers manage campaigns, targets, units and users inside their subtree."""
    return user.role in (Role.ORGANIZER, Role.ADMIN) and in_scope(user, unit)


def can_name_in_charge(user: User, unit: Unit | None, person: User | None) -> bool:
    """Who may be named a unit's leader in charge or staff adviser, by whom: an organizer (or an admin) sets them
    for the units they manage, choosing an active account of their own reach (a person outside it is "not
    found": looking up a phone number tells nothing about other districts' accounts)."""
    return (can_manage_unit(user, unit) and person is not None and person.active
            and account_in_reach(user, person))


def can_manage_period(user: User, unit: Unit | None) -> bool:
    """A unit organizer creates, edits and closes peak periods (``domain.periods``) run by units of their subtree
    only; an admin, whatever their home unit, for any unit."""
    return can_manage_unit(user, unit)


def manageable_periods_clause(user: User) -> ColumnElement[bool]:
    """``can_manage_period`` in SQL, on the periods table."""
    if user.role not in (Role.ORGANIZER, Role.ADMIN):
        return false()
    return reach(user).clause(Period.unit_id)


# --- campaigns and their eligibility rules ---------------------------------------------------------------------

def takes_part_in(user: User, campaign: Campaign) -> bool:
    """Organizers see the campaigns run inside their subtree or above it (their units take part)."""
    if user.role not in (Role.ORGANIZER, Role.ADMIN):
        return False
    the_reach = reach(user)
    return the_reach.contains(campaign.unit) or (the_reach.root is not None and campaign.unit.contains(the_reach.root))


def can_manage_programmes(user: User) -> bool:
    """A programme is national: only an admin creates or changes it and its rules."""
    return user.role == Role.ADMIN


def can_view_rule(user: User, rule: EligibilityRule) -> bool:
    """A programme's rules are read by every organizer; a campaign's by those who take part in it."""
    if rule.campaign_id is None:
        return user.role in (Role.ORGANIZER, Role.ADMIN)
    campaign = db.session.get(Campaign, rule.campaign_id)
    return campaign is not None and takes_part_in(user, campaign)


def can_edit_rule(user: User, rule: EligibilityRule) -> bool:
    """A programme's rules are the admin's; a campaign's own rules belong to the organizers of its unit."""
    if rule.campaign_id is None:
        return can_manage_programmes(user)
    campaign = db.session.get(Campaign, rule.campaign_id)
    return campaign is not None and can_manage_unit(user, campaign.unit)


def can_assign_role(user: User, role: str) -> bool:
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.ORGANIZER and role in ORGANIZER_ASSIGNABLE


# An account is placed by its home unit and by the subtree it works on: both must lie in the manager's reach.
_ACCOUNT_UNITS = ("unit", "scope_unit")


def account_in_reach(user: User, person: User) -> bool:
    placed = [getattr(person, name) for name in _ACCOUNT_UNITS if getattr(person, name) is not None]
    the_reach = reach(user)
    if the_reach.everything:
        return True
    return bool(placed) and all(the_reach.contains(unit) for unit in placed)


def accounts_in_reach_clause(user: User) -> ColumnElement[bool]:
    """``account_in_reach`` in SQL, on the users table."""
    the_reach = reach(user)
    if the_reach.everything:
        return true()
    columns = [getattr(User, f"{name}_id") for name in _ACCOUNT_UNITS]
    return and_(or_(*(column.is_not(None) for column in columns)),
                *(or_(column.is_(None), the_reach.clause(column)) for column in columns))


def can_manage_account(user: User, person: User) -> bool:
    """Reset the password of, change or lock an account: never one's own, never a higher role."""
    return (user.role in (Role.ORGANIZER, Role.ADMIN) and person.id != user.id
            and can_assign_role(user, person.role) and account_in_reach(user, person))


def can_delete_template(user: User, template: ReviewTemplate) -> bool:
    """A review answer template belongs to its author; staff above the author may also remove it."""
    if template.created_by_id == user.id or user.role == Role.ADMIN:
        return True
    author = template.created_by
    return (author is not None and user.role == Role.ORGANIZER and author.role != Role.ADMIN
            and author.scope is not None and in_scope(user, author.scope))


# --- notifications -----------------------------------------------------------------------------------------------

def owns_notification(user: User, notification: Notification) -> bool:
    """A notification is its addressee's alone: nobody else opens or marks it (404: the id reveals nothing)."""
    return notification.user_id == user.id


def helped_members_clause(user: User) -> ColumnElement[bool]:
    """The notifications a support team member watches for their members: those of the active members of their own
    grassroots union who have no e-mail (the in-app inbox is all they have), never the helper's own. On the
    notifications table; nothing for anyone else."""
    if user.role != Role.HELPER or user.unit_id is None:
        return false()
    members = select(User.id).where(User.unit_id == user.unit_id, User.id != user.id, User.active.is_(True),
                                    or_(User.email.is_(None), User.email == ""))
    return Notification.user_id.in_(members)


def can_view_outbox(user: User) -> bool:
    """The development outbox holds every person's e-mail and SMS text: the admin's page."""
    return user.role == Role.ADMIN


# --- the support area: the obstacle log and the gap-closing list (DESIGN §11) ----------------------------------

def _union_staff(user: User, unit_id: int | None) -> bool:
    """The grassroots union's own staff: its support team, or an organizer working on that union itself."""
    if unit_id is None:
        return False
    return helps_union(user, unit_id) or (user.role == Role.ORGANIZER and user.scope is not None
                                          and user.scope.id == unit_id)


def raising_unit(user: User) -> Unit | None:
    """The grassroots union a user raises obstacles for: a helper's union, an organizer's own union (their scope),
    an admin's home union; None when there is none."""
    unit = user.scope if user.role == Role.ORGANIZER else user.unit
    if unit is None or unit.kind != UnitKind.GRASSROOTS or unit.parent_id is None:
        return None
    if user.role == Role.ADMIN or _union_staff(user, unit.id):
        return unit
    return None


def may_raise_obstacles(user: User) -> bool:
    return raising_unit(user) is not None


def _answers_for(user: User, obstacle: Obstacle) -> bool:
    """Someone of the unit above: staff whose reach covers the answer unit (so the raising unit too), or the
    answer unit's leader in charge or staff adviser."""
    answer_unit = obstacle.answer_unit
    if user.role in STAFF_ROLES and in_scope(user, answer_unit):
        return True
    return user.id in (answer_unit.leader_id, answer_unit.adviser_id)


def can_answer_obstacle(user: User, obstacle: Obstacle) -> bool:
    """Answer, reassign and move the due date: the unit above, or the obstacle's owner."""
    return user.active and (_answers_for(user, obstacle) or obstacle.owner_id == user.id)


def may_own_obstacle(person: User, obstacle: Obstacle) -> bool:
    """Who an obstacle may be given to: an active person of the unit above."""
    return person.active and _answers_for(person, obstacle)


def can_follow_up_obstacle(user: User, obstacle: Obstacle) -> bool:
    """Follow up or mark resolved: who raised it, and the raising union's own staff."""
    return obstacle.raised_by_id == user.id or _union_staff(user, obstacle.unit_id)


def can_view_obstacle(user: User, obstacle: Obstacle) -> bool:
    """Both sides of the obstacle; anyone else (another district) gets 404."""
    return can_follow_up_obstacle(user, obstacle) or can_answer_obstacle(user, obstacle)


def obstacles_clause(user: User) -> ColumnElement[bool]:
    """``can_view_obstacle`` in SQL, on the obstacles table."""
    clauses = [Obstacle.raised_by_id == user.id, Obstacle.owner_id == user.id,
               Obstacle.answer_unit_id.in_(select(Unit.id).where(
                   or_(Unit.leader_id == user.id, Unit.adviser_id == user.id)))]
    if user.role == Role.HELPER and user.unit_id is not None:
        clauses.append(Obstacle.unit_id == user.unit_id)
    if user.role == Role.ORGANIZER and user.scope is not None:
        clauses.append(Obstacle.unit_id == user.scope.id)
    if user.role in STAFF_ROLES:
        clauses.append(reach(user).clause(Obstacle.answer_unit_id))
    return or_(*clauses)


def answerable_clause(user: User) -> ColumnElement[bool]:
    """The obstacles ``user`` answers for (the unit above's list), in SQL."""
    clauses = [Obstacle.owner_id == user.id, Obstacle.answer_unit_id.in_(select(Unit.id).where(
        or_(Unit.leader_id == user.id, Unit.adviser_id == user.id)))]
    if user.role in STAFF_ROLES:
        clauses.append(reach(user).clause(Obstacle.answer_unit_id))
    return or_(*clauses)


def may_use_support(user: User) -> bool:
    """The support area's list: whoever may raise obstacles, staff, and leaders or advisers in charge (who may
    hold any role)."""
    return user.role in STAFF_ROLES or may_raise_obstacles(user) or leads_a_unit(user)


def leads_a_unit(user: User) -> bool:
    return bool(db.session.scalar(select(exists().where(or_(Unit.leader_id == user.id, Unit.adviser_id == user.id)))))


def can_view_gap(user: User, unit: Unit) -> bool:
    """A grassroots union's gap-closing list: its support team and staff whose reach covers it."""
    if unit.kind != UnitKind.GRASSROOTS:
        return False
    return helps_union(user, unit.id) or (user.role in STAFF_ROLES and in_scope(user, unit))


def require(allowed: bool, status: int = 404) -> None:
    if not allowed:
        abort(status)


def get_or_404(model: type[T], object_id: int | None, allowed: Callable[[T], bool] | None = None,
               status: int = 404) -> T:
    """The one loader of every object a view touches (as flaskr's ``get_post(id, check_author)``).

    Returns the object, or aborts: 404 when it does not exist, ``status`` (404 unless said otherwise, so ids
    from other units reveal nothing) when ``allowed`` refuses it, e.g. ``get_or_404(Initiative, id,
    lambda item: can_view_initiative(current_user, item))``.
    """
    found = db.session.get(model, object_id) if object_id is not None else None
    if found is None:
        abort(404)
    if allowed is not None and not allowed(found):
        abort(status)
    return found
