from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, PasswordField, StringField, TextAreaField, ValidationError
from wtforms.validators import AnyOf, DataRequired, InputRequired, Optional, Regexp

from ..domain import periods
from ..domain.catalog import ROLES, UNIT_KINDS
from ..domain.passwords import PasswordRules
from ..domain.reports import KINDS, MAX_RANGE_DAYS
from ..domain.text import nfc
from ..fields import (
    DB_INT_MAX,
    DateField,
    Form,
    IntegerField,
    Length,
    NumberRange,
    SelectField,
    database_int,
    parse_count,
)

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
CODE = r"^[A-Za-z0-9_.-]+$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def _nfc(value):
    return nfc(value) if isinstance(value, str) else value


def _id_or_none(value):
    """A chosen id, or None for the "none" choice (an empty value)."""
    return None if value in (None, "") else database_int(value)


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
    programme_id = SelectField(_l("Thuộc chương trình"), coerce=_id_or_none, description=_l(
        "Điều kiện của chương trình (thời gian áp dụng, minh chứng) áp dụng cho sáng kiến của chiến dịch."))

    def offer_programmes(self, programmes: list[tuple[int, str]]) -> None:
        self.programme_id.choices = [("", _("— Không thuộc chương trình nào —"))] + programmes

    def validate_end_date(self, field):
        if self.start_date.data and field.data and field.data < self.start_date.data:
            raise ValidationError(_l("Ngày kết thúc phải sau ngày bắt đầu."))


class PeriodForm(Form):
    """A peak week or month of a campaign. The rules that need the campaign (its dates, its unit) are
    ``domain.periods.problems``, checked by the service; who may choose which unit is the policy's."""

    name = StringField(_l("Tên đợt"), filters=[_nfc], description=_l("Ví dụ: Tuần cao điểm sáng kiến ngành Y tế"),
                       validators=[DataRequired(_l("Vui lòng nhập tên đợt.")), Length(max=200)])
    kind = SelectField(_l("Loại đợt"), choices=list(periods.KINDS.items()))
    unit_id = SelectField(_l("Đơn vị tổ chức đợt"), coerce=database_int)
    start_date = DateField(_l("Ngày bắt đầu"), validators=[InputRequired(_l("Vui lòng nhập ngày bắt đầu."))])
    end_date = DateField(_l("Ngày kết thúc"), validators=[InputRequired(_l("Vui lòng nhập ngày kết thúc."))])
    goal = IntegerField(_l("Mục tiêu của đợt"), validators=[
        InputRequired(_l("Vui lòng nhập mục tiêu.")),
        NumberRange(min=1, max=DB_INT_MAX, message=_l("Mục tiêu là một số nguyên từ 1 trở lên."))])
    measure = SelectField(_l("Mục tiêu tính theo"), choices=list(periods.MEASURES.items()))
    description = TextAreaField(_l("Mô tả"), filters=[_nfc], validators=[Optional(), Length(max=5000)])

    def validate_end_date(self, field):
        if self.start_date.data and field.data and field.data < self.start_date.data:
            raise ValidationError(_l("Ngày kết thúc không được trước ngày bắt đầu."))


class TargetField(StringField):
    """One box of the targets table: empty clears the unit's target, else a whole number ≥ 0 that the database
    can store (which also bounds its length)."""

    def process_formdata(self, valuelist):
        # A box missing from the post counts as an empty one (its target is cleared), as a blank box does.
        self.data = valuelist[0].strip() if valuelist else ""

    @property
    def count(self) -> int | None:
        return parse_count(self.data) if self.data else None


def _whole_count(form, field: TargetField) -> None:
    if field.data and field.count is None:
        raise ValidationError(_("Chỉ tiêu của %(unit)s phải là số nguyên không âm.", unit=field.label.text))


class TargetsForm(Form):
    """The targets of a unit's children, one ``t<unit id>`` box each (built by ``targets_form``)."""

    confirm_exceed = BooleanField(_l("Tôi biết tổng chỉ tiêu các đơn vị con vượt chỉ tiêu đơn vị cấp trên"))
    unit_ids: list[int] = []

    def box(self, unit_id: int) -> TargetField:
        return self[f"t{unit_id}"]

    def counts(self) -> dict[int, int | None]:
        """The typed target of each unit (None: cleared)."""
        return {unit_id: self.box(unit_id).count for unit_id in self.unit_ids}

    def first_error(self) -> str | None:
        return next((str(message) for field in self for message in field.errors), None)


def targets_form(units: list[tuple[int, str]], current: dict[int, int]) -> TargetsForm:
    """A ``TargetsForm`` with a box per (unit id, unit name), showing ``current`` targets until something is posted."""

    class UnitTargetsForm(TargetsForm):
        pass

    for unit_id, name in units:
        setattr(UnitTargetsForm, f"t{unit_id}", TargetField(name, validators=[_whole_count]))
    UnitTargetsForm.unit_ids = [unit_id for unit_id, _name in units]
    return UnitTargetsForm(data={f"t{unit_id}": current.get(unit_id, "") for unit_id, _name in units})


class TargetImportForm(Form):
    file = FileField(_l("Tệp CSV (cột: unit_code, target)"))
    confirm_exceed = BooleanField(_l("Tôi biết tổng chỉ tiêu các đơn vị con vượt chỉ tiêu đơn vị cấp trên"))


class UnitFields(Form):
    name = StringField(_l("Tên đơn vị"), filters=[_nfc], validators=[
        DataRequired(_l("Vui lòng nhập tên đơn vị.")), Length(max=200)])
    member_count = IntegerField(_l("Số đoàn viên"), validators=[Optional(), NumberRange(min=0, max=10_000_000)])


PERSON_HINT = _l("Số điện thoại hoặc email của một tài khoản đang hoạt động; để trống nếu chưa có.")


class UnitEditForm(UnitFields):
    """A unit's name, member count, and the people in charge of it (DESIGN §3: they receive its digest and
    alerts), each typed as the login (phone or e-mail) of an existing account (not ``leader``/``adviser``: with
    ``obj=unit`` those would be filled with the accounts themselves)."""

    leader_login = StringField(_l("Lãnh đạo phụ trách"), description=PERSON_HINT,
                               validators=[Optional(), Length(max=254)])
    adviser_login = StringField(_l("Cán bộ tham mưu"), description=PERSON_HINT,
                                validators=[Optional(), Length(max=254)])


class UnitForm(UnitFields):
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


# --- query strings (read with meta={"csrf": False}: a GET changes nothing) -----------------------------------

class UnitQuery(Form):
    """``?unit=``, or the hidden field carrying it on a post: which unit a page is about (else the default)."""

    unit = IntegerField(validators=[Optional()])


class ParentQuery(Form):
    parent = IntegerField(validators=[Optional()])


class UserQuery(Form):
    q = StringField(validators=[Optional(), Length(max=200)])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100_000)])


DAY_PROBLEM = _l("Ngày không hợp lệ: chọn ngày trên lịch, hoặc gõ theo dạng năm-tháng-ngày.")


def _real_day(form, field) -> None:
    """Bounded so that the span, the span before it and the day before it stay real dates."""
    if field.data and not date(1900, 1, 1) <= field.data <= date(9000, 12, 31):
        raise ValidationError(DAY_PROBLEM)


class ReportQuery(UnitQuery):
    """The giao ban's span: ``kind`` week or month with ``day`` (any day in it), or a range ``start``..``end``.
    ``week`` is the older form of ``kind=week&day=``."""

    kind = StringField(validators=[Optional(), Length(max=10), AnyOf(
        KINDS, message=_l("Chọn báo cáo theo tuần, theo tháng hoặc theo khoảng ngày."))])
    week = DateField(validators=[Optional(), _real_day])
    day = DateField(validators=[Optional(), _real_day])
    start = DateField(validators=[Optional(), _real_day])
    end = DateField(validators=[Optional(), _real_day])
    format = StringField(validators=[Optional(), Length(max=10)])

    def validate(self, extra_validators=None) -> bool:
        fine = super().validate(extra_validators)
        if self.chosen_kind == "range" and not (self.start.errors or self.end.errors):
            start, end = self.start.data, self.end.data
            if not start or not end:
                self.end.errors = [*self.end.errors, _("Chọn ngày bắt đầu và ngày kết thúc của khoảng ngày.")]
            elif end < start:
                self.end.errors = [*self.end.errors, _("Ngày kết thúc phải sau ngày bắt đầu.")]
            elif (end - start).days >= MAX_RANGE_DAYS:
                self.end.errors = [*self.end.errors, _("Khoảng ngày dài nhất %(n)s ngày; với cả chiến dịch, "
                                                       "xem báo cáo sơ kết.", n=MAX_RANGE_DAYS)]
            fine = fine and not self.end.errors
        return fine

    @property
    def chosen_kind(self) -> str:
        """The kind asked for; without one, a range when its days are given, else a week."""
        if self.kind.data in KINDS:
            return self.kind.data
        return "range" if self.start.data or self.end.data else "week"

    @property
    def problems(self) -> list[str]:
        return [str(message) for name in ("kind", "week", "day", "start", "end") for message in self[name].errors]


class SummaryQuery(UnitQuery):
    """``?unit=&period=&format=``: the sơ kết of the campaign (no period) or of one of its periods."""

    period = IntegerField(validators=[Optional()])
    format = StringField(validators=[Optional(), Length(max=10)])
