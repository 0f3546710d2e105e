"""Notifications (DESIGN §11): the person's inbox, the header's unread badge, the channels each person chooses,
the support team's view of what their members without e-mail must act on, and the development outbox.

No GET changes anything: marking read and opening are POST buttons (opening marks read, then follows the
notification's link inside the platform), each with its CSRF token (checked for every POST by Flask-WTF's
CSRFProtect, app/extensions.py). An htmx request gets the fragment, any other the whole page."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import policy
from ..extensions import db
from ..models import Role
from ..policy import roles_allowed, signed_in
from ..web import is_htmx, render
from . import service
from .forms import ChannelsForm, PageQuery

bp = Blueprint("inbox", __name__, url_prefix="/notifications")


@bp.app_context_processor
def unread_badge():
    """``unread_notifications()`` for the header: one indexed count, only when a page's header asks for it."""

    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        if "unread_notifications" not in g:
            g.unread_notifications = service.unread_count(current_user)
        return g.unread_notifications

    return {"unread_notifications": unread_notifications}


def _page() -> int:
    return PageQuery(request.args, meta={"csrf": False}).page_number()


def _back(page: int | None = None):
    return redirect(url_for("inbox.index", page=page) if page and page > 1 else url_for("inbox.index"))


def _index_context(page: int) -> dict:
    items, more = service.page_of(current_user, page)
    members = service.for_helper(current_user) if current_user.role == Role.HELPER and page == 1 else []
    return dict(items=items, more=more, page=page, members=members, unread=service.unread_count(current_user))


@bp.route("/")
@signed_in
def index():
    return render("inbox/index.html", "inbox/_list.html", **_index_context(_page()))


@bp.route("/<int:notification_id>/read", methods=["POST"])
@signed_in
def read(notification_id: int):
    notification = service.own(current_user, notification_id)
    service.mark_read(current_user, [notification.id])
    db.session.commit()
    if is_htmx():  # the item read, and the header's count again (an out-of-band swap)
        return render("inbox/_item.html", item=service.item(notification),
                      badge_count=service.unread_count(current_user))
    return _back(request.args.get("page", type=int))


@bp.route("/read-all", methods=["POST"])
@signed_in
def read_all():
    marked = service.mark_read(current_user)
    db.session.commit()
    if is_htmx():
        return render("inbox/_list.html", **_index_context(1), badge_count=0)
    flash(_("Đã đánh dấu %(n)s thông báo là đã đọc.", n=marked), "success")
    return _back()


@bp.route("/<int:notification_id>/open", methods=["POST"])
@signed_in
def open_(notification_id: int):
    """Mark it read and go where it leads (only a page of this platform; else back to the inbox)."""
    notification = service.own(current_user, notification_id)
    service.mark_read(current_user, [notification.id])
    db.session.commit()
    return redirect(service.safe_link(notification.link) or url_for("inbox.index"))


@bp.route("/settings", methods=["GET", "POST"])
@signed_in
def settings():
    """E-mail on/off when the person has an address; SMS on/off when SMS is on and the person has a phone."""
    offers_email = bool(current_user.email)
    offers_sms = current_app.config["SMS_BACKEND"] != "off" and bool(current_user.phone)
    form = ChannelsForm(obj=current_user)
    if request.method == "POST" and form.validate():
        service.save_channels(current_user, form.notify_email.data if offers_email else None,
                              form.notify_sms.data if offers_sms else None)
        db.session.commit()
        flash(_("Đã lưu cách nhận thông báo."), "success")
        return redirect(url_for("inbox.settings"))
    return render("inbox/settings.html", form=form, offers_email=offers_email, offers_sms=offers_sms)


@bp.route("/outbox")
@roles_allowed(Role.ADMIN)
def outbox():
    """Development: the e-mail and SMS the platform "sent" while no SMTP server or SMS gateway is configured."""
    policy.require(policy.can_view_outbox(current_user), 403)
    page = _page()
    messages, more = service.outbox_page(page)
    return render("inbox/outbox.html", "inbox/_outbox_list.html", messages=messages, more=more, page=page)
