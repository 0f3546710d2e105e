"""The one place where an initiative changes status (DESIGN §5).

Each transition checks it is allowed, writes one audit row and moves the tallies, all in the caller's
transaction: it flushes, and never commits or rolls back (the caller does, once per request). Decisions carry
the version the reviewer saw: if someone else decided first, the caller gets ``AlreadyDecided``, never a silent
overwrite.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from ..models import Initiative, Status, StatusEvent, User, utcnow
from . import announce, tallies

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
    # Undoing a withdrawal: back to the status it left and only that one (``withdrawn_from``), issue 11.
    (Status.WITHDRAWN, Status.SUBMITTED),
    (Status.WITHDRAWN, Status.RETURNED),
})
# The statuses a reviewer's triage decision leads to; reaching one records who decided and when.
DECIDED_STATUSES = (Status.VALID, Status.INVALID, Status.RETURNED)


class WorkflowError(Exception):
    pass


class TransitionNotAllowed(WorkflowError):
    def __init__(self, from_status: str, to_status: str):
        super().__init__(f"{from_status} → {to_status} is not allowed")
        self.from_status, self.to_status = from_status, to_status


class ReasonRequired(WorkflowError):
    pass


class AlreadyDecided(WorkflowError):
    """Someone changed the initiative since the actor loaded it.

    ``by``, ``at`` and ``status`` describe the initiative as it is now, when the raiser knows it (a stale form:
    the initiative in hand is newer than the version the actor saw). A race lost at write time leaves them None:
    the session must be rolled back first, and the caller then reads the initiative again to say who won.
    """

    def __init__(self, initiative_id: int, *, by: User | None = None, at: datetime | None = None,
                 status: str | None = None):
        super().__init__(f"initiative {initiative_id} changed meanwhile")
        self.initiative_id = initiative_id
        self.by, self.at, self.status = by, at, status

    @classmethod
    def as_now(cls, initiative: Initiative) -> AlreadyDecided:
        """The exception describing ``initiative`` as loaded (newer than what the actor saw)."""
        return cls(initiative.id, by=initiative.decided_by, at=initiative.decided_at, status=initiative.status)


def can_transition(from_status: str, to_status: str) -> bool:
    return (from_status, to_status) in ALLOWED


def withdrawn_from(initiative: Initiative) -> str | None:
    """The status a withdrawn initiative goes back to when its author undoes the withdrawal, or None.

    Only the withdrawal itself is undone: its audit row must be the last one (nothing happened since), and it left
    a status that was waiting for a reviewer or for the author (submitted, returned). A reviewer's decision
    recorded before the withdrawal (returned) comes back unchanged; nobody can decide a withdrawn initiative.
    """
    if initiative.status != Status.WITHDRAWN or not initiative.events:
        return None
    last = initiative.events[-1]
    if last.to_status != Status.WITHDRAWN or (last.to_status, last.from_status) not in ALLOWED:
        return None
    return last.from_status


def transition(initiative: Initiative, to_status: str, actor: User, *, reason_code: str | None = None,
               message: str | None = None, expected_version: int | None = None,
               now: datetime | None = None, tell: bool = True) -> StatusEvent:
    """Change status, audit it, update tallies and tell the initiative's people (``announce.status_changed``: a
    decision, the shortlist), all in the caller's transaction; flushes, and leaves the commit or rollback to the
    caller. ``tell=False`` only replays history (the demo seed), which nobody is to be told about today.

    Raises ``AlreadyDecided`` when ``expected_version`` is not the initiative's version (nothing changed, the
    session is usable), or when another transaction changed the row before this flush (the caller must roll
    back); ``TransitionNotAllowed`` or ``ReasonRequired`` before changing anything.
    """
    if expected_version is not None and initiative.version != expected_version:
        raise AlreadyDecided.as_now(initiative)
    from_status = initiative.status
    undo = from_status == Status.WITHDRAWN
    if not can_transition(from_status, to_status) or (undo and withdrawn_from(initiative) != to_status):
        raise TransitionNotAllowed(from_status, to_status)
    if to_status in (Status.INVALID, Status.RETURNED) and not reason_code and not undo:
        raise ReasonRequired(to_status)
    now = now or utcnow()

    # No flush while the row changes (reading an expired actor would flush): the one flush is below, where a
    # race lost to another transaction is recognised.
    with db.session.no_autoflush:
        initiative.status = to_status
        if to_status == Status.SUBMITTED and not undo:  # an undone withdrawal keeps its place in the queue
            initiative.submitted_at = now
            initiative.first_submitted_at = initiative.first_submitted_at or now
        if to_status in DECIDED_STATUSES and not undo:  # an undone withdrawal keeps the decision it had
            initiative.decided_by_id = actor.id
            initiative.decided_at = now
            initiative.decision_reason = reason_code
            initiative.decision_message = message
        event = StatusEvent(initiative=initiative, actor_id=actor.id, from_status=from_status,
                            to_status=to_status, reason_code=reason_code, message=message, created_at=now)
        db.session.add(event)
    initiative_id = initiative.id
    try:
        db.session.flush()  # the version check happens here
        if initiative_id is None:
            initiative_id = initiative.id
        tallies.apply_transition(initiative, from_status, to_status, now)
    except StaleDataError:
        # The row's version moved under us: someone else wrote first. Who, the caller reads after its rollback.
        raise AlreadyDecided(initiative_id) from None
    if tell and not undo:  # undoing a withdrawal is no news to anyone
        announce.status_changed(initiative, from_status, to_status, actor, reason_code=reason_code, message=message,
                                now=now)
    return event
