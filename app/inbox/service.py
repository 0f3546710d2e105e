"""The inbox: a person's notifications, the support team's view of what their members must act on, the channels
each person chooses, and the development outbox. Rendering is ``domain.notices``'s (the reader's language)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from .. import policy
from ..domain import notices
from ..extensions import db
from ..models import Initiative, Notification, OutboxMessage, Status, User

PAGE_SIZE = 20
HELPER_LIMIT = 50  # the support team's section: the most recent of what is waiting
OUTBOX_PAGE = 30
# What a member must act on: an initiative to mend and send again, a deadline, one entered in their name to check.
ACTIONABLE = ("returned", "invalid", "deadline", "entered_on_behalf")
# Kinds that wait only while the initiative is still in the status of the same name.
STILL_IN_STATUS = (Status.RETURNED, Status.INVALID)


@dataclass
class Item:
    notification: Notification
    subject: str
    body: str
    link: str  # where opening it leads ("" when nowhere)


def safe_link(link: str | None) -> str:
    """Only a path of this platform is followed ("/initiatives/7"), never another site ("//x", "/\\x", "http:")."""
    if not link or not link.startswith("/") or link.startswith(("//", "/\\")) or "\x00" in link:
        return ""
    return link


def _item(notification: Notification, link: str | None = None) -> Item:
    text = notices.render(notification)
    return Item(notification, text.subject, text.body.strip(), safe_link(notification.link if link is None else link))


def page_of(user: User, page: int = 1, per_page: int = PAGE_SIZE) -> tuple[list[Item], bool]:
    """One page of the person's notifications, newest first, and whether another page follows."""
    rows = list(db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id.desc())
        .limit(per_page + 1).offset((max(1, page) - 1) * per_page)))
    return [_item(n) for n in rows[:per_page]], len(rows) > per_page


def own(user: User, notification_id: int) -> Notification:
    """The person's own notification, or 404 (another's reveals nothing)."""
    return policy.get_or_404(Notification, notification_id, lambda n: policy.owns_notification(user, n))


def item(notification: Notification) -> Item:
    return _item(notification)


def mark_read(user: User, notification_ids: list[int] | None = None) -> int:
    return notices.mark_read(user.id, notification_ids)


def unread_count(user: User) -> int:
    return notices.unread_count(user.id)


@dataclass
class MemberItem(Item):
    member: User


def for_helper(helper: User, limit: int = HELPER_LIMIT) -> list[MemberItem]:
    """The unread notifications of the helper's members without e-mail that ask for an action, newest first; a
    returned initiative already sent again (or withdrawn), an invalid one reopened, no longer waits. Each links to
    the initiative, on its edit page when the helper may edit it for the member."""
    still_waiting = or_(Notification.kind.notin_(STILL_IN_STATUS),
                        *(and_(Notification.kind == kind, Initiative.status == kind) for kind in STILL_IN_STATUS))
    rows = list(db.session.scalars(
        select(Notification).outerjoin(Initiative, Initiative.id == Notification.initiative_id)
        .where(policy.helped_members_clause(helper), Notification.read_at.is_(None),
               Notification.kind.in_(ACTIONABLE), still_waiting)
        .options(joinedload(Notification.user), joinedload(Notification.initiative))
        .order_by(Notification.id.desc()).limit(limit)))
    found = []
    for notification in rows:
        initiative = notification.initiative
        if initiative is not None and policy.can_edit_initiative(helper, initiative):
            link = url_for("submissions.edit", initiative_id=initiative.id)
        elif initiative is not None and policy.helps_union(helper, initiative.unit_id):  # their union's: readable
            link = url_for("submissions.detail", initiative_id=initiative.id)
        else:
            link = url_for("submissions.union")
        text = notices.render(notification)
        found.append(MemberItem(notification, text.subject, text.body.strip(), link, notification.user))
    return found


def save_channels(user: User, email: bool | None, sms: bool | None) -> None:
    """The channels besides the inbox; None leaves a channel the page did not offer as it is."""
    if email is not None:
        user.notify_email = email
    if sms is not None:
        user.notify_sms = sms


def outbox_page(page: int = 1, per_page: int = OUTBOX_PAGE) -> tuple[list[OutboxMessage], bool]:
    """One page of the development outbox, newest first, and whether more follow."""
    rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())
                                   .limit(per_page + 1).offset((max(1, page) - 1) * per_page)))
    return rows[:per_page], len(rows) > per_page

