"""The inbox's forms: the channels a person chooses, a page of a list."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms.validators import Optional

from ..fields import Form, IntegerField


class PageQuery(Form):
    """``?page=`` (a query string: no CSRF token); missing, not a number or too big: the first page."""

    page = IntegerField(validators=[Optional()])

    def page_number(self) -> int:
        self.validate()
        return max(1, self.page.data if not self.page.errors and self.page.data else 1)


class ChannelsForm(Form):
    notify_email = BooleanField(_l("Gửi thông báo qua thư điện tử"))
    notify_sms = BooleanField(_l("Gửi thông báo qua tin nhắn SMS"))
