"""What people are told (DESIGN §11): a notification per person and event, written in the event's own transaction.

``notify`` adds the in-app notification and, in the same transaction, one outbox row (``Delivery``) per channel the
person chose (e-mail, SMS). Nothing leaves the machine here: after the commit the job queue's worker carries the
outbox rows (app/jobs.py, domain/delivery.py), so a rolled-back event tells nobody and a crash loses nothing.

The text is not stored: ``kind`` and ``params`` are rendered when read, in the reader's language (``render``); the
e-mail and SMS are rendered in Vietnamese, the programme's language. Params hold plain values only (titles, names,
numbers, reason codes), never markup.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from flask import current_app, g
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, exists, func, select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..i18n import number
from ..models import Delivery, Notification, User, utcnow
from . import catalog


@dataclass(frozen=True)
class Kind:
    subject: Any  # lazy string with %(name)s params: the inbox line, the e-mail subject, the SMS
    body: Any     # lazy string: the e-mail body and the inbox detail


# Every kind of notification, with its Vietnamese text (translated in the catalogues). The subject alone must say
# what happened and what to do: it is what an SMS carries.
KINDS: dict[str, Kind] = {
    # To the author (and co-authors with an account) of an initiative.
    "returned": Kind(
        _l("Sáng kiến “%(title)s” được trả lại để bổ sung: %(reason)s"),
        _l("Người thẩm định đã trả lại sáng kiến “%(title)s” để bổ sung.\nLý do: %(reason)s\nLời nhắn: %(message)s\n"
           "Hãy sửa và gửi lại.")),
    "valid": Kind(
        _l("Sáng kiến “%(title)s” được công nhận hợp lệ"),
        _l("Chúc mừng! Sáng kiến “%(title)s” đã được công nhận hợp lệ và được tính vào chỉ tiêu của đơn vị.")),
    "invalid": Kind(
        _l("Sáng kiến “%(title)s” không hợp lệ: %(reason)s"),
        _l("Sáng kiến “%(title)s” không được công nhận hợp lệ.\nLý do: %(reason)s\n%(message)s")),
    "shortlisted": Kind(
        _l("Sáng kiến “%(title)s” vào danh sách đề cử khen thưởng"),
        _l("Sáng kiến “%(title)s” đã được đưa vào danh sách đề cử khen thưởng.")),
    "awarded": Kind(
        _l("Sáng kiến “%(title)s” được khen thưởng: %(award)s"),
        _l("Chúc mừng! Sáng kiến “%(title)s” được khen thưởng %(award)s.")),
    "coauthor_added": Kind(
        _l("Bạn được ghi là đồng tác giả của sáng kiến “%(title)s”"),
        _l("%(by)s đã ghi bạn là đồng tác giả của sáng kiến “%(title)s”.")),
    "entered_on_behalf": Kind(
        _l("Tổ hỗ trợ đã gửi sáng kiến “%(title)s” thay bạn"),
        _l("%(by)s (tổ hỗ trợ sáng kiến) đã nhập và gửi sáng kiến “%(title)s” đứng tên bạn. Bạn là tác giả; "
           "hãy kiểm tra nội dung.")),
    # Deadlines (campaign or period end) for authors with drafts or returned initiatives, and for their support team.
    "deadline": Kind(
        _l("Còn %(days)s ngày đến hạn %(name)s: %(drafts)s bản nháp, %(returned)s bị trả lại chưa gửi lại"),
        _l("Còn %(days)s ngày (đến %(end)s) là kết thúc %(name)s. Bạn còn %(drafts)s bản nháp và %(returned)s sáng "
           "kiến bị trả lại chưa gửi lại: hãy hoàn thiện và gửi trước hạn.")),
    "deadline_team": Kind(
        _l("Còn %(days)s ngày đến hạn %(name)s: %(members)s đoàn viên còn bản nháp hoặc sáng kiến bị trả lại"),
        _l("Còn %(days)s ngày (đến %(end)s) là kết thúc %(name)s. %(members)s đoàn viên của đơn vị còn bản nháp "
           "hoặc sáng kiến bị trả lại chưa gửi lại: xem danh sách để hỗ trợ họ.")),
    # Staff.
    "queue_ageing": Kind(
        _l("%(count)s sáng kiến chờ thẩm định quá %(days)s ngày"),
        _l("Trong phạm vi của bạn có %(count)s sáng kiến chờ thẩm định quá %(days)s ngày. Hãy xử lý để tác giả "
           "không phải chờ.")),
    "behind_pace": Kind(
        _l("%(unit)s chậm tiến độ: %(valid)s/%(target)s hợp lệ, cần %(expected)s đến hôm nay"),
        _l("%(unit)s có %(valid)s sáng kiến hợp lệ trên chỉ tiêu %(target)s; theo tiến độ cần %(expected)s đến hôm "
           "nay (%(name)s).")),
    "digest": Kind(
        _l("Tin tuần %(week)s — %(unit)s"),
        _l("%(text)s")),
    # The obstacle log, both ways.
    "obstacle_raised": Kind(
        _l("Vướng mắc mới từ %(unit)s: %(title)s"),
        _l("%(unit)s nêu vướng mắc “%(title)s”, cần trả lời trước %(due)s.")),
    "obstacle_answered": Kind(
        _l("Vướng mắc “%(title)s” đã được trả lời"),
        _l("%(by)s đã trả lời vướng mắc “%(title)s”.")),
    "obstacle_followup": Kind(
        _l("%(unit)s hỏi thêm về vướng mắc “%(title)s”"),
        _l("%(by)s hỏi thêm về vướng mắc “%(title)s”.")),
    "obstacle_resolved": Kind(
        _l("Vướng mắc “%(title)s” đã được giải quyết"),
        _l("Vướng mắc “%(title)s” của %(unit)s đã được đánh dấu là đã giải quyết.")),
}

# Params that hold a code, shown through its label.
_REASON_LISTS = {"returned": catalog.RETURN_REASONS, "invalid": catalog.INVALID_REASONS}

SMS_LENGTH = 160  # one SMS without diacritics (GSM 7-bit); with them a segment is 70 characters


# Where each person chooses their channels (the inbox area); every e-mail ends with it.
SETTINGS_PATH = "/notifications/settings"


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


class _Params(dict):
    """Format params that never fail: a param a text asks for but the notification lacks renders empty."""

    def __missing__(self, key: str) -> str:
        return ""


def _display_params(notification: Notification) -> _Params:
    params = _Params(notification.params or {})
    reasons = _REASON_LISTS.get(notification.kind)
    if reasons is not None and params.get("reason"):
        params["reason"] = str(reasons.get(params["reason"], params["reason"]))
    for key, value in list(params.items()):
        if isinstance(value, int) and not isinstance(value, bool):
            params[key] = number(value)  # formatted for the locale: 1.032
    return params


@contextmanager
def _in_locale(locale: str) -> Iterator[None]:
    g.setdefault("_notices_render", True)  # Flask-Babel's force_locale does nothing while ``g`` is empty
    with force_locale(locale):
        yield


def render(notification: Notification, locale: str | None = None) -> Rendered:
    """The notification's text in ``locale`` (the current one when None)."""
    kind = KINDS.get(notification.kind)
    if kind is None:  # a kind retired since the row was written: still readable
        return Rendered(notification.kind, "")
    if locale is None:
        params = _display_params(notification)
        return Rendered(str(kind.subject) % params, str(kind.body) % params)
    with _in_locale(locale):
        return render(notification, None)


def render_for_delivery(notification: Notification) -> Rendered:
    """The text e-mail and SMS carry: Vietnamese, with the direct link at the end of the body and, last, where to
    choose channels."""
    locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    rendered = render(notification, locale)
    body = rendered.body.strip()
    url = absolute_link(notification)
    if url:
        body += "\n\n" + url
    with _in_locale(locale):
        footer = str(_l("Chọn cách nhận thông báo: %(url)s")) % {"url": _absolute(SETTINGS_PATH)}
    return Rendered(rendered.subject, f"{body}\n\n-- \n{footer}\n")


def _absolute(path: str) -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def absolute_link(notification: Notification) -> str:
    return _absolute(notification.link) if notification.link else ""


def sms_text(notification: Notification) -> str:
    """One SMS: the subject without diacritics (7-bit, 160 characters) and the link when it fits."""
    subject = fold_for_sms(render(notification, current_app.config["BABEL_DEFAULT_LOCALE"]).subject)
    url = absolute_link(notification)
    if url and len(subject) + 1 + len(url) <= SMS_LENGTH:
        return f"{subject} {url}"
    return subject if len(subject) <= SMS_LENGTH else subject[:SMS_LENGTH - 1] + "…"


def fold_for_sms(text: str) -> str:
    """Vietnamese without diacritics, keeping the case (SMS gateways bill diacritics as UCS-2, 70 a segment)."""
    text = text.replace("đ", "d").replace("Đ", "D").replace("“", '"').replace("”", '"').replace("—", "-")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def channels_for(user: User) -> list[tuple[str, str]]:
    """(channel, address) pairs the person chose and the platform can carry; the inbox is always on."""
    config = current_app.config
    channels = []
    if user.email and user.notify_email:
        channels.append(("email", user.email))
    if user.phone and user.notify_sms and config["SMS_BACKEND"] != "off":
        channels.append(("sms", user.phone))
    return channels


def notify(user: User, kind: str, *, params: dict[str, Any] | None = None, link: str = "",
           initiative_id: int | None = None, obstacle_id: int | None = None,
           dedupe_key: str | None = None, now: datetime | None = None) -> Notification | None:
    """Tell ``user`` about an event, in the caller's transaction (the caller commits once, with the event).

    ``now`` is when the event happened (the workflow passes its own; the demo replays history with it).

    With ``dedupe_key`` the event tells the person once: None when that notification exists already (a scheduled
    job run twice, or two workers racing, make one). Inactive accounts are told nothing.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if not user.active:
        return None
    notification = Notification(user_id=user.id, kind=kind, params=dict(params or {}), link=link,
                                initiative_id=initiative_id, obstacle_id=obstacle_id, dedupe_key=dedupe_key,
                                created_at=now or utcnow())
    deliveries = [Delivery(notification=notification, channel=channel, address=address,
                           next_attempt_at=notification.created_at)
                  for channel, address in channels_for(user)]
    if dedupe_key is None:
        db.session.add(notification)
        db.session.add_all(deliveries)
        return notification
    if db.session.scalar(select(exists().where(Notification.dedupe_key == dedupe_key))):
        return None
    try:
        with db.session.begin_nested():  # a concurrent run that wrote it first costs this savepoint only
            db.session.add(notification)
            db.session.add_all(deliveries)
    except IntegrityError:
        return None
    return notification


def notify_all(users: Iterable[User | None], kind: str, **kwargs: Any) -> list[Notification]:
    """``notify`` each distinct person once (a leader who is also the adviser gets one notification)."""
    made, seen = [], set()
    for user in users:
        if user is None or user.id in seen:
            continue
        seen.add(user.id)
        key = kwargs.get("dedupe_key")
        one = dict(kwargs, dedupe_key=f"{key}:u{user.id}" if key else None)
        notification = notify(user, kind, **one)
        if notification is not None:
            made.append(notification)
    return made


def unread_count(user_id: int) -> int:
    """The header's badge: one indexed count over the person's unread notifications."""
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def mark_read(user_id: int, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the person's notifications read (all of them when ``notification_ids`` is None); returns how many."""
    statement = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if notification_ids is not None:
        statement = statement.where(Notification.id.in_(list(notification_ids)))
    result = cast(CursorResult, db.session.execute(statement.values(read_at=utcnow())))  # an UPDATE: a row count
    return result.rowcount or 0
