"""The initiative form: every field of DESIGN §4 with guidance, NFC input and clear Vietnamese messages."""
from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, FieldList, FormField, HiddenField, StringField, TextAreaField, ValidationError
from wtforms.validators import Optional, Regexp

from ..domain.catalog import FIELDS
from ..domain.text import nfc
from ..fields import DateField, Form, IntegerField, Length, NumberRange, SelectField, SubForm, database_int
from .rules import REQUIRED_FIELDS, missing_items, shares_problem

MAX_AUTHORS = 10
MAX_MONEY_DIGITS = 15  # validate_estimated_value refuses above 10**13; longer input is not parsed at all


def _nfc(value):
    return nfc(value) if isinstance(value, str) else value


def _money(value):
    """"1.500.000", "1 500 000 đ" → 1500000; anything without digits → None."""
    if value in (None, ""):
        return None
    if isinstance(value, int):
        return value
    digits = re.sub(r"[^\d]", "", str(value))
    if len(digits) > MAX_MONEY_DIGITS:
        return value  # not a believable amount: validate_estimated_value says so
    return int(digits) if digits else value


class MoneyField(StringField):
    """An amount in VND typed the Vietnamese way, with dots between thousands."""

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        parsed = _money(self.raw.strip()) if self.raw.strip() else None
        self.data = parsed

    def _value(self):
        if self.data is None:
            return getattr(self, "raw", "") or ""
        if isinstance(self.data, int):
            return f"{self.data:,}".replace(",", ".")
        return str(self.data)


class AuthorRow(SubForm):
    """One co-author line. Blank lines are ignored, so the form can offer spare rows without JavaScript."""

    full_name = StringField(_l("Họ và tên"), filters=[_nfc], validators=[Optional(), Length(max=200)])
    job_title = StringField(_l("Chức vụ, nơi công tác"), filters=[_nfc], validators=[Optional(), Length(max=120)])
    share_percent = IntegerField(_l("Tỷ lệ đóng góp (%)"), validators=[
        Optional(), NumberRange(min=1, max=100, message=_l("Tỷ lệ đóng góp từ %(min)s đến %(max)s%%."))])

    @property
    def is_blank(self) -> bool:
        return not (self.full_name.data or self.job_title.data or self.share_percent.data)


class InitiativeForm(Form):
    # One-time key: the same key saves into the same draft and submits it at most once.
    submit_key = HiddenField(validators=[Optional(), Regexp(r"^[A-Za-z0-9_-]{1,64}$", message=_l(
        "Biểu mẫu đã bị thay đổi ngoài ý muốn. Hãy chép lại nội dung, tải lại trang rồi dán vào."))])
    author_id = SelectField(_l("Tác giả (đoàn viên)"), coerce=str, validate_choice=False,
                            description=_l("Chọn đoàn viên là tác giả, hoặc thêm đoàn viên mới bên dưới."))
    new_member_name = StringField(_l("Họ tên đoàn viên mới"), filters=[_nfc], validators=[Optional(), Length(max=120)])
    new_member_phone = StringField(_l("Số điện thoại (nếu có)"), validators=[Optional(), Length(max=20)],
                                   description=_l("Đoàn viên đăng ký bằng số này sẽ thấy sáng kiến của mình."))
    new_member_position = StringField(_l("Chức vụ, nghề nghiệp"), filters=[_nfc],
                                      validators=[Optional(), Length(max=120)])
    title = StringField(_l("Tên sáng kiến"), filters=[_nfc], validators=[
        Length(max=300, message=_l("Tên sáng kiến không quá 300 ký tự."))],
        description=_l("Nêu rõ việc gì được cải tiến, ở đâu. Ví dụ: “Cải tiến quy trình tiếp đón bệnh nhân tại khoa "
                       "Khám bệnh, Trung tâm Y tế huyện Tam Đường”."))
    field = SelectField(_l("Lĩnh vực"), choices=[("", _l("— Chọn lĩnh vực —"))] + list(FIELDS.items()),
                        validate_choice=False)
    current_situation = TextAreaField(_l("Hiện trạng trước khi có sáng kiến"), filters=[_nfc], validators=[
        Length(max=5000, message=_l("Hiện trạng không quá 5.000 ký tự."))],
        description=_l("Trước đây công việc được làm thế nào, vướng mắc gì. Ví dụ: “Bệnh nhân phải xếp hàng 45–60 "
                       "phút, nhiều người từ xã xa đến không kịp khám buổi sáng”."))
    solution = TextAreaField(_l("Nội dung giải pháp"), filters=[_nfc], validators=[
        Length(max=10000, message=_l("Nội dung giải pháp không quá 10.000 ký tự."))],
        description=_l("Các bước cụ thể đã làm, điểm mới so với trước. Ví dụ: “Phát số thứ tự qua Zalo, chia hai luồng "
                       "khám, bố trí một người hướng dẫn tại cửa”."))
    application_scope = TextAreaField(_l("Phạm vi áp dụng"), filters=[_nfc], validators=[
        Length(max=2000, message=_l("Phạm vi áp dụng không quá 2.000 ký tự."))],
        description=_l("Nơi đã áp dụng và có thể nhân rộng. Ví dụ: “Khoa Khám bệnh; có thể áp dụng ở các trạm y tế "
                       "xã”."))
    applied_since = DateField(_l("Áp dụng từ ngày"), validators=[Optional()],
                              description=_l("Ngày bắt đầu áp dụng thực tế."))
    effectiveness = TextAreaField(_l("Hiệu quả, lợi ích"), filters=[_nfc], validators=[
        Length(max=5000, message=_l("Hiệu quả không quá 5.000 ký tự."))],
        description=_l("Kết quả đo được: thời gian, chi phí, số người hưởng lợi. Ví dụ: “Thời gian chờ giảm từ 50 "
                       "xuống 20 phút, 1.200 lượt bệnh nhân/tháng được hưởng lợi”."))
    estimated_value = MoneyField(_l("Giá trị làm lợi ước tính (đồng, không bắt buộc)"),
                                 description=_l("Ví dụ: 15.000.000"))
    author_share = IntegerField(_l("Tỷ lệ đóng góp của tác giả (%)"), default=100, validators=[
        Optional(), NumberRange(min=1, max=100, message=_l("Tỷ lệ đóng góp từ %(min)s đến %(max)s%%."))])
    authors = FieldList(FormField(AuthorRow), min_entries=2, max_entries=MAX_AUTHORS)
    collective_unit_id = SelectField(_l("Tập thể tác giả (không bắt buộc)"), coerce=str, validate_choice=False)
    attachments = MultipleFileField(_l("Tệp đính kèm (ảnh JPG/PNG, PDF, DOCX)"))
    confirm_original = BooleanField(_l("Tôi cam đoan sáng kiến do tác giả thực hiện, đã được áp dụng thực tế và "
                                       "không sao chép của người khác."))

    def validate_estimated_value(self, field):
        if field.data is not None and not isinstance(field.data, int):
            if len(re.sub(r"[^\d]", "", field.data)) > MAX_MONEY_DIGITS:
                raise ValidationError(_l("Giá trị làm lợi quá lớn."))
            raise ValidationError(_l("Giá trị làm lợi chỉ gồm chữ số, ví dụ 15.000.000."))
        if isinstance(field.data, int) and field.data > 10**13:
            raise ValidationError(_l("Giá trị làm lợi quá lớn."))

    def validate_author_id(self, field):
        self._check_id(field)

    def validate_collective_unit_id(self, field):
        self._check_id(field)

    @staticmethod
    def _check_id(field):
        """Choices filled in by the page: anything else than a stored id is tampering, answered like a bad pick."""
        try:
            if field.data:
                database_int(field.data)
        except ValueError:
            raise ValidationError(_l("Vui lòng chọn một mục trong danh sách.")) from None

    def validate_field(self, field):
        if field.data and field.data not in FIELDS:
            raise ValidationError(_l("Vui lòng chọn lĩnh vực trong danh sách."))

    def validate_applied_since(self, field):
        if field.data and field.data > date.today():
            raise ValidationError(_l("Ngày áp dụng không được ở tương lai."))
        if field.data and field.data.year < 1975:
            raise ValidationError(_l("Ngày áp dụng không hợp lệ."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.author_errors: list[str] = []

    def filled_authors(self) -> list[AuthorRow]:
        return [row.form for row in self.authors if not row.form.is_blank]

    def check_complete(self) -> bool:
        """The stricter rules a submission must meet (a draft may be incomplete)."""
        ok = True
        for name, problem in missing_items({name: getattr(self, name).data for name in REQUIRED_FIELDS}):
            field = getattr(self, name)
            if not field.errors:
                field.errors = [problem]
            ok = False
        rows = self.filled_authors()
        for row in rows:
            if not row.full_name.data:
                row.full_name.errors = [_l("Vui lòng nhập họ tên đồng tác giả.")]
                ok = False
        if not rows and not self.author_share.data:
            self.author_share.data = 100
        problem = shares_problem((self.author_share.data or 0) + sum(row.share_percent.data or 0 for row in rows))
        if problem:
            self.author_errors.append(problem)
            ok = False
        if not self.confirm_original.data:
            self.confirm_original.errors = [_l("Vui lòng xác nhận cam đoan trước khi gửi.")]
            ok = False
        return ok
