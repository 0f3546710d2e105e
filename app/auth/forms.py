from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, StringField, ValidationError
from wtforms.validators import DataRequired, EqualTo, InputRequired, Optional, Regexp

from ..domain import accounts, passwords
from ..domain.passwords import PasswordRules
from ..extensions import db
from ..fields import Form, IntegerField, Length
from ..models import Unit, UnitKind

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def no_control_characters(form, field):
    """NUL and other control characters never belong in a name or a login (PostgreSQL refuses NUL outright)."""
    if isinstance(field.data, str) and _CONTROL_CHARACTERS.search(field.data):
        raise ValidationError(_l("Có ký tự không hợp lệ (ký tự điều khiển); hãy gõ lại ô này."))


class LoginForm(Form):
    identifier = StringField(_l("Số điện thoại hoặc email"),
                             validators=[DataRequired(_l("Vui lòng nhập số điện thoại hoặc email.")),
                                         Length(max=254), no_control_characters])
    # No stored password is longer (RegisterForm, UserForm): hashing megabytes would only cost CPU.
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(_l("Vui lòng nhập mật khẩu.")),
                                                        Length(max=128)])
    remember = BooleanField(_l("Ghi nhớ đăng nhập trên máy này"))


class RegisterForm(Form):
    action = StringField(validators=[Length(max=20)])  # the button pressed: "search" for a union, or "register"
    full_name = StringField(_l("Họ và tên"), validators=[
        DataRequired(_l("Vui lòng nhập họ và tên.")),
        Length(min=2, max=120, message=_l("Họ và tên dài từ 2 đến 120 ký tự.")), no_control_characters])
    phone = StringField(_l("Số điện thoại"), description=_l("Dùng để đăng nhập, ví dụ 0912 345 678."),
                        validators=[DataRequired(_l("Vui lòng nhập số điện thoại.")), Length(max=40),
                                    no_control_characters])
    email = StringField(_l("Email (không bắt buộc)"), validators=[
        Optional(), Length(max=254), no_control_characters,
        Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Email không đúng định dạng."))])
    position = StringField(_l("Chức vụ, nghề nghiệp"), validators=[Optional(), Length(max=120),
                                                                   no_control_characters])
    unit_query = StringField(_l("Tìm công đoàn cơ sở của bạn"), validators=[Optional(), Length(max=100)])
    unit_id = IntegerField(_l("Công đoàn cơ sở"), validators=[
        InputRequired(_l("Vui lòng chọn công đoàn cơ sở của bạn."))])
    password = PasswordField(_l("Mật khẩu"), validators=[
        DataRequired(_l("Vui lòng nhập mật khẩu.")), PasswordRules(avoid_fields=("phone", "email"))])
    confirm = PasswordField(_l("Nhập lại mật khẩu"), validators=[
        DataRequired(_l("Vui lòng nhập lại mật khẩu.")), Length(max=128),
        EqualTo("password", message=_l("Hai mật khẩu không khớp."))])
    # Asked for only when the phone belongs to an account the support team created for this member.
    claim_code = StringField(_l("Mã nhận tài khoản"),
                             description=_l("Tổ hỗ trợ sáng kiến của công đoàn đã tạo tài khoản cho bạn. "
                                            "Hãy xin tổ hỗ trợ mã gồm 6 chữ số rồi nhập vào đây."),
                             validators=[Optional(), Length(max=20), no_control_characters])

    def validate_phone(self, field):
        field.data = accounts.normalise_phone(field.data)
        problem = accounts.phone_problem(field.data)
        if problem:
            raise ValidationError(problem)

    def validate_email(self, field):
        field.data = accounts.normalise_email(field.data)

    def validate_unit_id(self, field):
        unit = db.session.get(Unit, field.data) if field.data else None
        if unit is None or unit.kind != UnitKind.GRASSROOTS:
            raise ValidationError(_l("Vui lòng chọn công đoàn cơ sở trong danh sách."))

    @property
    def selected_unit(self) -> Unit | None:
        if self.unit_id.data and not self.unit_id.errors:
            return db.session.get(Unit, self.unit_id.data)
        return None


class ChangePasswordForm(Form):
    current = PasswordField(_l("Mật khẩu hiện tại"), validators=[
        DataRequired(_l("Vui lòng nhập mật khẩu hiện tại.")), Length(max=128)])
    password = PasswordField(_l("Mật khẩu mới"), validators=[DataRequired(_l("Vui lòng nhập mật khẩu mới."))])
    confirm = PasswordField(_l("Nhập lại mật khẩu mới"), validators=[
        DataRequired(_l("Vui lòng nhập lại mật khẩu.")), Length(max=128),
        EqualTo("password", message=_l("Hai mật khẩu không khớp."))])

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_current(self, field):
        if not self.user.check_password(field.data):
            raise ValidationError(_l("Mật khẩu hiện tại không đúng."))

    def validate_password(self, field):
        if field.data == self.current.data:
            raise ValidationError(_l("Mật khẩu mới cần khác mật khẩu hiện tại."))
        message = passwords.problem(field.data, avoid=[self.user.phone, self.user.email])
        if message:
            raise ValidationError(message)


class NextQuery(Form):
    """``?next=`` of the login page: where to go after signing in (checked by ``_safe_next``)."""

    next = StringField(validators=[Length(max=2000)])


class UnitSearchQuery(Form):
    """The grassroots union picker's query string (registration without JS, and the htmx search)."""

    unit_query = StringField(validators=[Length(max=200)])
    unit_id = IntegerField(validators=[Optional()])


class LanguageForm(Form):
    lang = StringField(validators=[Length(max=10)])
    next = StringField(validators=[Length(max=2000)])
