"""The menu each role sees; entries whose area is not installed are left out."""
from __future__ import annotations

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .models import Role

ANYONE = None
STAFF = (Role.REVIEWER, Role.ORGANIZER, Role.ADMIN)

# (endpoint, label, roles allowed or ANYONE); admin sees every staff entry.
MENU = [
    ("dashboard.campaign", _l("Tiến độ chiến dịch"), ANYONE),
    ("awards.gallery", _l("Sáng kiến tiêu biểu"), ANYONE),
    ("submissions.new", _l("Gửi sáng kiến"), (Role.MEMBER, Role.HELPER)),
    ("submissions.mine", _l("Sáng kiến của tôi"), (Role.MEMBER, Role.HELPER, Role.REVIEWER, Role.ORGANIZER)),
    ("submissions.union", _l("Sáng kiến của công đoàn"), (Role.HELPER,)),
    ("auth.claim_codes", _l("Mã nhận tài khoản"), (Role.HELPER,)),
    ("review.queue", _l("Thẩm định"), (Role.REVIEWER,)),
    ("admin.index", _l("Quản lý"), (Role.ORGANIZER,)),
    ("awards.candidates", _l("Khen thưởng"), (Role.ORGANIZER,)),
    ("support.index", _l("Vướng mắc"), (Role.HELPER, Role.REVIEWER, Role.ORGANIZER)),
    ("support.faq", _l("Hỏi đáp"), (Role.MEMBER, Role.HELPER)),
]


def menu_for(user) -> list[tuple[str, str]]:
    items = []
    for endpoint, label, roles in MENU:
        if endpoint not in current_app.view_functions:
            continue
        if roles is not ANYONE and (not user.is_authenticated or (user.role not in roles and user.role != Role.ADMIN)):
            continue
        items.append((endpoint, label))
    return items


def init_app(app: Flask) -> None:
    @app.context_processor
    def inject_menu():
        return {"menu": menu_for(current_user)}
