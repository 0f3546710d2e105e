from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, StringField, ValidationError
from wtforms.validators import DataRequired, EqualTo, InputRequired, Optional, Regexp

from ..extensions import db
from ..fields import Form, IntegerField, Length
from ..models import Unit, UnitKind
from .service import PHONE_RE, normalise_email, normalise_phone


class LoginForm(Form):
    identifier = StringField(_l("Số điện thoại hoặc email"),
                             validators=[DataRequired(_l("Vui lòng nhập số điện thoại hoặc email.")),
                                         Length(max=254)])
    # No stored password is longer (RegisterForm, UserForm): hashing megabytes would only cost CPU.
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(_l("Vui lòng nhập mật khẩu.")),
                                                        Length(max=128)])
    remember = BooleanField(_l("Ghi nhớ đăng nhập trên máy này"))


class RegisterForm(Form):
    full_name = StringField(_l("Họ và tên"), validators=[
        DataRequired(_l("Vui lòng nhập họ và tên.")),
        Length(min=2, max=120, message=_l("Họ và tên dài từ 2 đến 120 ký tự."))])
    phone = StringField(_l("Số điện thoại"), description=_l("Dùng để đăng nhập, ví dụ 0912 345 678."),
                        validators=[DataRequired(_l("Vui lòng nhập số điện thoại.")), Length(max=40)])
    email = StringField(_l("Email (không bắt buộc)"), validators=[
        Optional(), Length(max=254),
        Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Email không đúng định dạng."))])
    position = StringField(_l("Chức vụ, nghề nghiệp"), validators=[Optional(), Length(max=120)])
    unit_query = StringField(_l("Tìm công đoàn cơ sở của bạn"), validators=[Optional(), Length(max=100)])
    unit_id = IntegerField(_l("Công đoàn cơ sở"), validators=[
        InputRequired(_l("Vui lòng chọn công đoàn cơ sở của bạn."))])
    password = PasswordField(_l("Mật khẩu"), validators=[
        DataRequired(_l("Vui lòng nhập mật khẩu.")),
        Length(min=8, max=128, message=_l("Mật khẩu cần ít nhất 8 ký tự."))])
    confirm = PasswordField(_l("Nhập lại mật khẩu"), validators=[
        DataRequired(_l("Vui lòng nhập lại mật khẩu.")), Length(max=128),
        EqualTo("password", message=_l("Hai mật khẩu không khớp."))])

    def validate_phone(self, field):
        field.data = normalise_phone(field.data)
        if not PHONE_RE.match(field.data):
            raise ValidationError(_l("Số điện thoại gồm 10 hoặc 11 chữ số, bắt đầu bằng 0."))

    def validate_email(self, field):
        field.data = normalise_email(field.data)

    def validate_unit_id(self, field):
        unit = db.session.get(Unit, field.data) if field.data else None
        if unit is None or unit.kind != UnitKind.GRASSROOTS:
            raise ValidationError(_l("Vui lòng chọn công đoàn cơ sở trong danh sách."))

    @property
    def selected_unit(self) -> Unit | None:
        if self.unit_id.data and not self.unit_id.errors:
            return db.session.get(Unit, self.unit_id.data)
        return None
