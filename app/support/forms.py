from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, InputRequired, Optional

from .. import clock
from ..domain import obstacles
from ..domain.text import nfc
from ..fields import DateField, Form, IntegerField, Length, SelectField

MAX_DUE_DAYS = 366


def _nfc(value):
    return nfc(value) if isinstance(value, str) else value


class ObstacleForm(Form):
    """A grassroots union raises a difficulty to the unit above."""

    title = StringField(_l("Vướng mắc (tóm tắt)"), filters=[_nfc], validators=[
        DataRequired(_l("Vui lòng nêu vướng mắc trong một câu.")),
        Length(max=obstacles.TITLE_MAX, message=_l("Tóm tắt không quá 200 ký tự."))],
        description=_l("Ví dụ: “Đoàn viên không biết ghi hiệu quả cho sáng kiến về quản lý hành chính”."))
    body = TextAreaField(_l("Nội dung chi tiết"), filters=[_nfc], validators=[
        DataRequired(_l("Vui lòng mô tả vướng mắc.")),
        Length(max=obstacles.BODY_MAX, message=_l("Nội dung không quá 5.000 ký tự."))],
        description=_l("Việc gì đang vướng, ảnh hưởng đến bao nhiêu đoàn viên, đơn vị cần cấp trên giúp gì."))
    campaign_id = SelectField(_l("Chiến dịch liên quan"), coerce=int, validators=[Optional()])


class ReplyForm(Form):
    """An answer from above, or the raiser's follow-up."""

    body = TextAreaField(_l("Nội dung"), filters=[_nfc], validators=[
        DataRequired(_l("Vui lòng nhập nội dung.")),
        Length(max=obstacles.BODY_MAX, message=_l("Nội dung không quá 5.000 ký tự."))])


class ResolveForm(Form):
    body = TextAreaField(_l("Lời nhắn (không bắt buộc)"), filters=[_nfc], validators=[
        Optional(), Length(max=obstacles.BODY_MAX, message=_l("Nội dung không quá 5.000 ký tự."))])


class AssignForm(Form):
    """The unit above names who takes care of it and moves the due date."""

    owner_id = SelectField(_l("Người phụ trách"), coerce=int, validators=[InputRequired(
        _l("Vui lòng chọn một mục trong danh sách."))])
    due_date = DateField(_l("Hạn trả lời"), validators=[InputRequired(_l("Vui lòng nhập hạn trả lời."))])

    def validate_due_date(self, field) -> None:
        today = clock.today()
        if field.data is not None and not (date(2000, 1, 1) <= field.data <= today + timedelta(days=MAX_DUE_DAYS)):
            raise ValidationError(_l("Hạn trả lời trong vòng một năm tới."))


class ListQuery(Form):
    """``?status=&page=`` of the obstacle list (a query string: no CSRF token)."""

    status = StringField(validators=[Optional(), Length(max=20)])
    page = IntegerField(validators=[Optional()])

    def chosen_status(self) -> str | None:
        return self.status.data if self.status.data in obstacles.STATUSES else None

    def page_number(self) -> int:
        self.validate()
        return max(1, self.page.data if not self.page.errors and self.page.data else 1)


class PageQuery(Form):
    page = IntegerField(validators=[Optional()])

    def page_number(self) -> int:
        self.validate()
        return max(1, self.page.data if not self.page.errors and self.page.data else 1)
