from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, PasswordField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, InputRequired, Optional, Regexp

from ..domain.catalog import ROLES, UNIT_KINDS
from ..domain.passwords import PasswordRules
from ..domain.text import nfc
from ..fields import DateField, Form, IntegerField, Length, NumberRange, SelectField

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
CODE = r"^[A-Za-z0-9_.-]+$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def _nfc(value):
    return nfc(value) if isinstance(value, str) else value


class CampaignForm(Form):
    name = StringField(_l("Tên chiến dịch"), filters=[_nfc], validators=[
        DataRequired(_l("Vui lòng nhập tên chiến dịch.")), Length(max=200)])
    slug = StringField(
        _l("Địa chỉ ngắn (dùng trong đường dẫn)"),
        description=_l("Chữ thường, số và dấu gạch, ví dụ: cao-diem-2024"),
        validators=[DataRequired(_l("Vui lòng nhập địa chỉ ngắn.")), Length(max=80),
                    Regexp(SLUG, message=_l("Chỉ dùng chữ thường không dấu, số và dấu gạch ngang."))])
    description = TextAreaField(_l("Mô tả"), filters=[_nfc], validators=[Optional(), Length(max=5000)])
    start_date = DateField(_l("Ngày bắt đầu"), validators=[InputRequired(_l("Vui lòng nhập ngày bắt đầu."))])
    end_date = DateField(_l("Ngày kết thúc"), validators=[InputRequired(_l("Vui lòng nhập ngày kết thúc."))])
    goal = IntegerField(_l("Mục tiêu (số sáng kiến hợp lệ)"), validators=[
        InputRequired(_l("Vui lòng nhập mục tiêu.")),
        NumberRange(min=1, max=10_000_000, message=_l("Mục tiêu từ 1 trở lên."))])
    unit_id = SelectField(_l("Đơn vị tổ chức"), coerce=int)

    def validate_end_date(self, field):
        if self.start_date.data and field.data and field.data < self.start_date.data:
            raise ValidationError(_l("Ngày kết thúc phải sau ngày bắt đầu."))


class TargetImportForm(Form):
    file = FileField(_l("Tệp CSV (cột: unit_code, target)"))
    confirm_exceed = BooleanField(_l("Tôi biết tổng chỉ tiêu các đơn vị con vượt chỉ tiêu đơn vị cấp trên"))


class UnitEditForm(Form):
    name = StringField(_l("Tên đơn vị"), filters=[_nfc], validators=[
        DataRequired(_l("Vui lòng nhập tên đơn vị.")), Length(max=200)])
    member_count = IntegerField(_l("Số đoàn viên"), validators=[Optional(), NumberRange(min=0, max=10_000_000)])


class UnitForm(UnitEditForm):
    code = StringField(_l("Mã đơn vị"), validators=[
        DataRequired(_l("Vui lòng nhập mã đơn vị.")), Length(max=40),
        Regexp(CODE, message=_l("Mã chỉ gồm chữ, số, dấu gạch."))])
    kind = SelectField(_l("Loại đơn vị"), choices=list(UNIT_KINDS.items()))


class UserForm(Form):
    full_name = StringField(_l("Họ và tên"), filters=[_nfc], validators=[
        DataRequired(_l("Vui lòng nhập họ và tên.")), Length(max=120)])
    phone = StringField(_l("Số điện thoại"), validators=[Optional(), Length(max=20)])
    email = StringField(_l("Email"), validators=[
        Optional(), Length(max=254), Regexp(EMAIL, message=_l("Email không đúng định dạng."))])
    role = SelectField(_l("Vai trò"), choices=list(ROLES.items()))
    unit_code = StringField(_l("Mã công đoàn cơ sở của người này"), validators=[Optional(), Length(max=40)])
    scope_code = StringField(_l("Mã đơn vị phụ trách (người thẩm định, cán bộ tổ chức)"),
                             validators=[Optional(), Length(max=40)])
    password = PasswordField(_l("Mật khẩu ban đầu"), validators=[
        Optional(), PasswordRules(avoid_fields=("phone", "email"))])
