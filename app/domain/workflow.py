"""The one place where an initiative changes status (DESIGN §5).

Each transition checks it is allowed, writes one audit row and moves the tallies, all in the caller's
transaction. Decisions carry the version the reviewer saw: if someone else decided first, the caller gets
``AlreadyDecided`` with who and when, never a silent overwrite.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from ..models import Initiative, Status, StatusEvent, User, utcnow
from . import tallies

ALLOWED: frozenset[tuple[str, str]] = frozenset({
    (Status.DRAFT, Status.SUBMITTED),
    (Status.RETURNED, Status.SUBMITTED),
    (Status.SUBMITTED, Status.VALID),
    (Status.SUBMITTED, Status.INVALID),
    (Status.SUBMITTED, Status.RETURNED),
    (Status.SUBMITTED, Status.WITHDRAWN),
    (Status.RETURNED, Status.WITHDRAWN),
    (Status.INVALID, Status.SUBMITTED),   # reopened after a second check of invalid decisions
    (Status.VALID, Status.SHORTLISTED),
    (Status.SHORTLISTED, Status.VALID),
    (Status.SHORTLISTED, Status.AWARDED),
})
DECISIONS = (Status.VALID, Status.INVALID, Status.RETURNED)


class WorkflowError(Exception):
    pass


class TransitionNotAllowed(WorkflowError):
    def __init__(self, from_status: str, to_status: str):
        super().__init__(f"{from_status} → {to_status} is not allowed")
        self.from_status, self.to_status = from_status, to_status


class ReasonRequired(WorkflowError):
    pass


class AlreadyDecided(WorkflowError):
    """Someone changed the initiative since the actor loaded it."""

    def __init__(self, initiative_id: int):
        super().__init__(f"initiative {initiative_id} changed meanwhile")
        self.initiative_id = initiative_id
        fresh = db.session.get(Initiative, initiative_id)
        self.by: User | None = fresh.decided_by if fresh else None
        self.at: datetime | None = fresh.decided_at if fresh else None
        self.status: str | None = fresh.status if fresh else None


def can_transition(from_status: str, to_status: str) -> bool:
    return (from_status, to_status) in ALLOWED


def transition(initiative: Initiative, to_status: str, actor: User, *, reason_code: str | None = None,
               message: str | None = None, expected_version: int | None = None,
               now: datetime | None = None) -> StatusEvent:
    """Change status, audit it and update tallies; flushes but leaves the commit to the caller."""
    if expected_version is not None and initiative.version != expected_version:
        raise AlreadyDecided(initiative.id)
    from_status = initiative.status
    if not can_transition(from_status, to_status):
        raise TransitionNotAllowed(from_status, to_status)
    if to_status in (Status.INVALID, Status.RETURNED) and not reason_code:
        raise ReasonRequired(to_status)
    now = now or utcnow()

    initiative.status = to_status
    if to_status == Status.SUBMITTED:
        initiative.submitted_at = now
        initiative.first_submitted_at = initiative.first_submitted_at or now
    if to_status in DECISIONS:
        initiative.decided_by_id = actor.id
        initiative.decided_at = now
        initiative.decision_reason = reason_code
        initiative.decision_message = message
    event = StatusEvent(initiative=initiative, actor_id=actor.id, from_status=from_status, to_status=to_status,
                        reason_code=reason_code, message=message, created_at=now)
    db.session.add(event)
    initiative_id = initiative.id
    try:
        db.session.flush()  # the version check happens here
        if initiative_id is None:
            initiative_id = initiative.id
        tallies.apply_transition(initiative.campaign_id, initiative.unit, from_status, to_status, now)
    except StaleDataError:
        db.session.rollback()
        raise AlreadyDecided(initiative_id) from None
    return event
