"""WTForms fields whose parse errors speak Vietnamese (WTForms ships no Vietnamese catalogue)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import fields
from wtforms.validators import ValidationError


class IntegerField(fields.IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(_l("Vui lòng nhập một số nguyên, ví dụ 25."))) from None


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
        except ValueError:
            raise ValueError(str(_l("Vui lòng chọn một mục trong danh sách."))) from None

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(str(_l("Vui lòng chọn một mục trong danh sách."))) from None
