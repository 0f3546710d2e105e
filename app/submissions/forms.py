"""The initiative form: every field of DESIGN §4 with guidance, NFC input and clear Vietnamese messages."""
from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, Field, FieldList, FormField, HiddenField, StringField, TextAreaField, ValidationError
from wtforms.validators import Optional, Regexp

from .. import clock
from ..domain.catalog import FIELDS, STATUSES
from ..domain.text import nfc
from ..fields import DateField, Form, IntegerField, Length, NumberRange, SelectField, SubForm, database_int
from ..models import Initiative, Unit, User
from .service import TEXT_FIELDS, CoAuthor, InitiativeData, NewMember, Saved, SubmitCheck

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


class IdListField(Field):
    """The ids of ticked checkboxes (``name="remove_attachment" value="7"``); anything else is ignored."""

    def process_formdata(self, valuelist):
        self.data = []
        for value in valuelist:
            try:
                self.data.append(database_int(value))
            except (TypeError, ValueError):  # a tampered page: nothing to remove
                continue

    def _value(self):
        return ""


def _chosen_id(value: str | None) -> int | None:
    """The id picked in a select filled by the page (``_check_id`` has refused anything else)."""
    return database_int(value) if value else None


def _member_choice(member: User) -> tuple[str, str]:
    return str(member.id), f"{member.full_name}{' — ' + member.position if member.position else ''}"


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
    remove_attachment = IdListField()
    action = StringField(validators=[Optional(), Length(max=20)])  # which button: draft, submit, add_author
    confirm_original = BooleanField(_l("Tôi cam đoan sáng kiến do tác giả thực hiện, đã được áp dụng thực tế và "
                                       "không sao chép của người khác."))
    # One checkbox per evidence rule of the campaign ("Tôi xác nhận: …"), plus an empty hidden value that says the
    # page showed them (so unticking them all is saved too); ids of no rule of the campaign are dropped on save.
    evidence = IdListField()

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
        if field.data and field.data > clock.today():
            raise ValidationError(_l("Ngày áp dụng không được ở tương lai."))
        if field.data and field.data.year < 1975:
            raise ValidationError(_l("Ngày áp dụng không hợp lệ."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.author_errors: list[str] = []
        self.missing_evidence: list[int] = []

    def filled_authors(self) -> list[AuthorRow]:
        return [row.form for row in self.authors if not row.form.is_blank]

    def offer_choices(self, members: list[User] | None, collectives: list[Unit]) -> None:
        """Choices that depend on who is typing: a helper picks the author among their union's ``members``."""
        if members is not None:
            self.author_id.choices = [("", _("— Chọn đoàn viên —"))] + [_member_choice(m) for m in members]
        self.collective_unit_id.choices = [("", _("— Không —"))] + [(str(u.id), u.name) for u in collectives]

    def fill_from(self, initiative: Initiative) -> None:
        """Fill a GET form from a saved initiative."""
        for name in TEXT_FIELDS:
            getattr(self, name).data = getattr(initiative, name)
        self.applied_since.data = initiative.applied_since
        self.estimated_value.data = initiative.estimated_value
        self.submit_key.data = initiative.submit_key
        self.author_id.data = str(initiative.author_id)
        people = [a for a in initiative.authors if not a.is_collective]
        main = next((a for a in people if a.user_id == initiative.author_id), None)
        self.author_share.data = main.share_percent if main else 100
        co_authors = [a for a in people if a is not main]
        while len(self.authors) < len(co_authors) + 1:
            self.authors.append_entry()
        for row, author in zip(self.authors, co_authors):
            row.form.full_name.data = author.full_name
            row.form.job_title.data = author.job_title
            row.form.share_percent.data = author.share_percent
        collective = next((a for a in initiative.authors if a.is_collective), None)
        self.collective_unit_id.data = str(collective.collective_unit_id) if collective else ""
        self.evidence.data = list(initiative.evidence_declared or [])

    def to_data(self) -> InitiativeData:
        """What was typed, for the service (call after ``validate``)."""
        new_member = None
        if self.new_member_name.data:
            new_member = NewMember(self.new_member_name.data, self.new_member_phone.data or "",
                                   self.new_member_position.data or "")
        value = self.estimated_value.data
        return InitiativeData(
            submit_key=self.submit_key.data or None,
            title=self.title.data or "", field=self.field.data or "",
            current_situation=self.current_situation.data or "", solution=self.solution.data or "",
            application_scope=self.application_scope.data or "", effectiveness=self.effectiveness.data or "",
            applied_since=self.applied_since.data,
            estimated_value=value if isinstance(value, int) else None,
            author_share=self.author_share.data,
            co_authors=[CoAuthor(row.full_name.data or "", row.job_title.data or "", row.share_percent.data)
                        for row in self.filled_authors()],
            collective_unit_id=_chosen_id(self.collective_unit_id.data),
            author_id=_chosen_id(self.author_id.data),
            new_member=new_member,
            confirm_original=bool(self.confirm_original.data),
            new_files=[upload for upload in self.attachments.data or [] if upload and upload.filename],
            remove_attachment_ids=list(self.remove_attachment.data or []),
            evidence_declared=list(self.evidence.data or []) if self.evidence.raw_data else None,
        )

    def show_saved(self, saved: Saved) -> None:
        """Write the outcome of a save back, for the page shown again: the author (a new member is now chosen,
        so a second save does not add them twice), refused files, what stopped the submission."""
        if saved.created_member:
            self.author_id.data = str(saved.author.id)
            if self.author_id.choices is not None and self.author_id.data not in dict(self.author_id.choices):
                self.author_id.choices.append(_member_choice(saved.author))
            self.new_member_name.data = self.new_member_phone.data = self.new_member_position.data = ""
        self.attachments.errors = list(saved.upload_errors)
        if saved.check is not None:
            self.show_check(saved.check)

    def show_check(self, check: SubmitCheck) -> None:
        for name, problem in check.problems.items():
            field = getattr(self, name)
            if not field.errors:
                field.errors = [problem]
        rows = self.filled_authors()
        for position in check.unnamed_co_authors:
            rows[position].full_name.errors = [_l("Vui lòng nhập họ tên đồng tác giả.")]
        self.author_share.data = check.author_share
        self.missing_evidence = list(check.missing_evidence)
        if check.shares:
            self.author_errors.append(check.shares)


class SubmitDraftForm(Form):
    """Submitting a complete draft from its page."""

    confirm_original = BooleanField()


class WithdrawForm(Form):
    version = IntegerField(validators=[Optional()])  # the version the page showed: a decision since then wins


class PageForm(Form):
    """``?page=`` of a list (a query string: no CSRF token); missing, not a number or too big: the first page."""

    page = IntegerField(validators=[Optional()])

    def page_number(self) -> int:
        self.validate()
        return max(1, self.page.data if not self.page.errors and self.page.data else 1)


class UnionFilterForm(PageForm):
    """The support team's list, filtered by status (a query string: no CSRF token), a page at a time."""

    status = SelectField(choices=[("", "")] + list(STATUSES.items()), validate_choice=False)

    def chosen_status(self) -> str | None:
        return self.status.data if self.status.data in STATUSES else None


class SimilarForm(Form):
    """The title being typed and the draft itself (not similar to itself), from the hint's query string."""

    title = StringField(validators=[Length(max=300)])
    exclude = IntegerField()

    def typed(self) -> str:
        """Not validated: a hint refuses nothing, it reads the first 300 characters (a title's length)."""
        return (self.title.data or "")[:300]
