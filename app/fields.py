"""Forms and fields that refuse what the database cannot store, with messages in Vietnamese (WTForms ships no
Vietnamese catalogue).

Every form derives from ``Form`` (or ``SubForm`` inside a ``FormField``): a value carrying a NUL byte stops at the
field with a clear message, before any validator or the database (PostgreSQL refuses NUL in text).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import fields, validators
from wtforms import form as wtforms_form
from wtforms.validators import StopValidation, ValidationError

# The smallest integer column in the schema is PostgreSQL ``integer`` (32-bit); ids, counts, quotas all fit.
DB_INT_MIN = -(2**31)
DB_INT_MAX = 2**31 - 1


def database_int(value) -> int:
    """``int(value)``, refusing (ValueError) a number no integer column can store."""
    number = int(value)
    if not DB_INT_MIN <= number <= DB_INT_MAX:
        raise ValueError(value)
    return number


def parse_count(text: str) -> int | None:
    """A whole number ≥ 0 typed in a plain input (a target, a quota) that the database can store; else None."""
    try:
        number = database_int(text)
    except ValueError:
        return None
    return number if number >= 0 else None


def has_nul(value) -> bool:
    return isinstance(value, str) and "\x00" in value


def nul_message() -> str:
    return str(_l("Nội dung có ký tự không hợp lệ (ký tự NUL). Vui lòng gõ lại hoặc dán lại văn bản."))


def text_problem(label: str, value: str | None, max_length: int) -> str | None:
    """What is wrong with a free text read straight from a request (no form), or None."""
    if has_nul(value):
        return str(_l("%(field)s: có ký tự không hợp lệ (ký tự NUL). Vui lòng gõ lại hoặc dán lại văn bản.",
                      field=label))
    if value and len(value.strip()) > max_length:
        return str(_l("%(field)s: tối đa %(max)s ký tự.", field=label, max=max_length))
    return None


def refuse_nul(form, field) -> None:
    """Runs first on every field: a NUL byte (never typed, sometimes pasted) stops validation of that field."""
    if any(has_nul(value) for value in field.raw_data or ()):
        raise StopValidation(nul_message())


class _RefuseNulMeta:
    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        field.validators = [refuse_nul, *field.validators]
        return field


class Form(FlaskForm):
    """Base of every page form (CSRF-protected)."""

    class Meta(_RefuseNulMeta):
        pass


class SubForm(wtforms_form.Form):
    """Base of the rows of a ``FieldList(FormField(...))``."""

    class Meta(_RefuseNulMeta):
        pass


class Length(validators.Length):
    """``Length`` whose default messages speak Vietnamese (a limit with no message of its own used to be English)."""

    def __init__(self, min: int = -1, max: int = -1, message=None):
        if message is None:
            if min < 0:
                message = _l("Tối đa %(max)d ký tự (đang có %(length)d).")
            elif max < 0:
                message = _l("Cần ít nhất %(min)d ký tự.")
            else:
                message = _l("Cần từ %(min)d đến %(max)d ký tự (đang có %(length)d).")
        super().__init__(min, max, message)


class NumberRange(validators.NumberRange):
    def __init__(self, min=None, max=None, message=None):
        super().__init__(min, max, message or _l("Vui lòng nhập một số từ %(min)s đến %(max)s."))


class IntegerField(fields.IntegerField):
    """An integer the database can store; anything else is a Vietnamese message on the field."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(_l("Vui lòng nhập một số nguyên, ví dụ 25."))) from None
        if self.data is not None and not DB_INT_MIN <= self.data <= DB_INT_MAX:
            self.data = None
            raise ValueError(str(_l("Số quá lớn.")))


class DateField(fields.DateField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(_l("Ngày không hợp lệ: chọn ngày trên lịch, hoặc gõ theo dạng năm-tháng-ngày."))) \
                from None


class SelectField(fields.SelectField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except (ValueError, TypeError):
            raise ValueError(str(_l("Vui lòng chọn một mục trong danh sách."))) from None

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(str(_l("Vui lòng chọn một mục trong danh sách."))) from None
