"""Authorization in one place (DESIGN §3, §9).

Every view is wrapped by ``public`` or ``login_required`` (a test checks that none is left out), and every
object a view touches is checked with one of the ``can_*`` functions. Objects outside the user's reach
answer 404, so ids from other units reveal nothing.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import abort
from flask_login import current_user

from .models import Initiative, Role, Status, Unit, User

STAFF_ROLES = (Role.REVIEWER, Role.ORGANIZER, Role.ADMIN)
EDITABLE = (Status.DRAFT, Status.RETURNED)
WITHDRAWABLE = (Status.SUBMITTED, Status.RETURNED)


def public(view: Callable) -> Callable:
    view.policy = "public"  # type: ignore[attr-defined]
    return view


def login_required(*roles: str) -> Callable:
    """Require a logged-in user, optionally with one of ``roles`` (admin always passes)."""

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


def in_scope(user: User, unit: Unit | None) -> bool:
    """Is ``unit`` inside the subtree the user works on?"""
    if user.role == Role.ADMIN and user.scope is None:
        return True
    scope = user.scope
    return scope is not None and scope.contains(unit)


def is_author(user: User, initiative: Initiative) -> bool:
    return initiative.author_id == user.id or any(a.user_id == user.id for a in initiative.authors)


def helps_union(user: User, unit_id: int) -> bool:
    """Support-team members act for the members of their own grassroots union."""
    return user.role == Role.HELPER and user.unit_id == unit_id


def can_view_initiative(user: User, initiative: Initiative) -> bool:
    if is_author(user, initiative) or initiative.entered_by_id == user.id or helps_union(user, initiative.unit_id):
        return True
    if user.role in STAFF_ROLES:
        return initiative.status != Status.DRAFT and in_scope(user, initiative.unit)
    return False


def can_edit_initiative(user: User, initiative: Initiative) -> bool:
    if initiative.status not in EDITABLE:
        return False
    return (initiative.author_id == user.id or initiative.entered_by_id == user.id
            or helps_union(user, initiative.unit_id))


def can_withdraw(user: User, initiative: Initiative) -> bool:
    return initiative.status in WITHDRAWABLE and (
        initiative.author_id == user.id or helps_union(user, initiative.unit_id))


def has_conflict_of_interest(user: User, initiative: Initiative) -> bool:
    """A reviewer never decides their own initiative or one from their own grassroots union.

    The review queue applies the same rule in SQL (review.service.no_conflict_clause): change both together.
    """
    return is_author(user, initiative) or initiative.entered_by_id == user.id or initiative.unit_id == user.unit_id


def can_review(user: User, initiative: Initiative) -> bool:
    if user.role not in (Role.REVIEWER, Role.ADMIN):
        return False
    return in_scope(user, initiative.unit) and not has_conflict_of_interest(user, initiative)


def can_manage_unit(user: User, unit: Unit | None) -> bool:
    """Organizers manage campaigns, targets, units and users inside their subtree."""
    return user.role in (Role.ORGANIZER, Role.ADMIN) and in_scope(user, unit)


def can_assign_role(user: User, role: str) -> bool:
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.ORGANIZER and role in (Role.MEMBER, Role.HELPER, Role.REVIEWER, Role.ORGANIZER)


def require(allowed: bool, status: int = 404) -> None:
    if not allowed:
        abort(status)
