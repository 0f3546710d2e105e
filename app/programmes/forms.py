"""Forms of programmes and eligibility rules; hostile dates and NUL bytes end as messages on the fields."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, InputRequired, Optional, Regexp

from ..domain import eligibility
from ..domain.text import nfc
from ..fields import DateField, Form, IntegerField, Length, NumberRange, SelectField
from .service import ProgrammeData, RuleData

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
# Dates a programme or a rule can mean (a typo like 0202 or 20222 is refused, not stored).
EARLIEST, LATEST = date(1975, 1, 1), date(2999, 12, 31)
BAD_DATE = _l("Ngày không hợp lệ: chọn ngày trên lịch, hoặc gõ theo dạng năm-tháng-ngày.")


def _nfc(value):
    return nfc(value) if isinstance(value, str) else value


def _believable(form, field) -> None:
    if field.data is not None and not EARLIEST <= field.data <= LATEST:
        raise ValidationError(BAD_DATE)


class ProgrammeForm(Form):
    name = StringField(_l("Tên chương trình"), filters=[_nfc], validators=[
        DataRequired(_l("Vui lòng nhập tên chương trình.")), Length(max=200)])
    slug = StringField(_l("Địa chỉ ngắn"), description=_l("Chữ thường, số và dấu gạch, ví dụ: 01-trieu-sang-kien"),
                       validators=[DataRequired(_l("Vui lòng nhập địa chỉ ngắn.")), Length(max=80),
                                   Regexp(SLUG, message=_l("Chỉ dùng chữ thường không dấu, số và dấu gạch ngang."))])
    description = TextAreaField(_l("Mô tả"), filters=[_nfc], validators=[Optional(), Length(max=5000)])
    start_date = DateField(_l("Ngày bắt đầu"), validators=[InputRequired(_l("Vui lòng nhập ngày bắt đầu.")),
                                                           _believable])
    end_date = DateField(_l("Ngày kết thúc"), validators=[InputRequired(_l("Vui lòng nhập ngày kết thúc.")),
                                                          _believable])

    def validate_end_date(self, field):
        if self.start_date.data and field.data and field.data < self.start_date.data:
            raise ValidationError(_l("Ngày kết thúc phải sau ngày bắt đầu."))

    def to_data(self) -> ProgrammeData:
        return ProgrammeData(name=self.name.data, slug=self.slug.data, description=self.description.data or "",
                             start_date=self.start_date.data, end_date=self.end_date.data)


class RuleForm(Form):
    kind = SelectField(_l("Loại điều kiện"), choices=list(eligibility.KINDS.items()))
    label = StringField(_l("Điều kiện"), filters=[_nfc], validators=[
        DataRequired(_l("Vui lòng nêu điều kiện.")), Length(max=300)],
        description=_l("Một câu ngắn, ví dụ: “Có xác nhận của thủ trưởng đơn vị về việc sáng kiến đã được áp dụng”."))
    explanation = TextAreaField(_l("Giải thích cho tác giả"), filters=[_nfc],
                                validators=[Optional(), Length(max=2000)])
    date_from = DateField(_l("Áp dụng lần đầu từ ngày (bỏ trống: không giới hạn)"),
                          validators=[Optional(), _believable])
    date_to = DateField(_l("Đến ngày (bỏ trống: đến ngày đăng ký)"), validators=[Optional(), _believable])
    position = IntegerField(_l("Thứ tự hiển thị"), validators=[
        Optional(), NumberRange(min=0, max=1000, message=_l("Thứ tự từ %(min)s đến %(max)s."))])

    def validate_date_to(self, field):
        if self.date_from.data and field.data and field.data < self.date_from.data:
            raise ValidationError(_l("Ngày kết thúc phải sau ngày bắt đầu."))

    def to_data(self) -> RuleData:
        return RuleData(kind=self.kind.data, label=self.label.data, explanation=self.explanation.data or "",
                        date_from=self.date_from.data, date_to=self.date_to.data, position=self.position.data)
