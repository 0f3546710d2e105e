"""The awards pages' inputs: the shortlist, award levels, awarding, pairwise votes, the public story and the
candidate/gallery filters. Field names are the names the templates post (and the query strings use)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Optional, StopValidation

from ..domain.catalog import FIELDS
from ..fields import DateField, Form, IntegerField, SelectField, parse_count, text_problem
from .service import SECTORS

EXPORTS = ("xlsx", "csv")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _one_of(allowed):
    """A filter: a value outside ``allowed`` (or none) is None, so a query string never fails a page."""
    return lambda value: value if value in allowed else None


class LabelledText(StringField):
    """Free text whose NUL or length problem names the field ("Số quyết định: tối đa 60 ký tự."), the message
    these pages show; checked before the generic NUL check that ``app.fields.Form`` adds to every field."""

    def __init__(self, label=None, validators=None, *, max_length: int, **kwargs):
        super().__init__(label, validators, filters=[_strip], **kwargs)
        self.max_length = max_length

    def pre_validate(self, form):
        problem = text_problem(str(self.label.text), self.data, self.max_length)
        if problem:
            raise StopValidation(problem)


class Pressed(BooleanField):
    """A named submit button: any value means it was pressed (only the pressed button is posted)."""

    false_values = ("",)


class ChosenId(IntegerField):
    """The id behind a radio button or a hidden input: anything but a storable whole number gets ``message``."""

    def __init__(self, label=None, validators=None, message=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message = message

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(self.message)) from None


class QuotaField(IntegerField):
    """How many awards a level allows: a whole number ≥ 0 the database can store, or blank for no limit."""

    def process_formdata(self, valuelist):
        text = valuelist[0].strip() if valuelist and isinstance(valuelist[0], str) else ""
        self.data = parse_count(text) if text else None
        if text and self.data is None:
            raise ValueError(str(_l("Số lượng phải là số nguyên, hoặc để trống nếu không giới hạn.")))


def messages(form: Form) -> list[str]:
    """Every problem on the form, in field order and once each (the pages show them together, above the form)."""
    found = [str(error) for field in form for error in field.errors]
    found += [str(error) for error in form.form_errors]
    return list(dict.fromkeys(found))


# --- query strings: fed ``request.args`` and read, never validated (a value outside the choices means "all", as
# a filter should); no CSRF, they only choose what a page shows -------------------------------------------------

class GalleryFilter(Form):
    class Meta:
        csrf = False

    field = SelectField(choices=list(FIELDS.items()), filters=[_one_of(FIELDS)])
    unit = IntegerField()  # a value that is not a storable number counts as missing


class CandidateFilter(GalleryFilter):
    sector = SelectField(choices=[(code, code) for code in SECTORS], filters=[_one_of(SECTORS)])
    page = IntegerField()  # missing or not a number: the first page; beyond the last: the last

    def page_number(self) -> int:
        return max(1, self.page.data or 1)


class AwardListExport(Form):
    class Meta:
        csrf = False

    format = SelectField(choices=[(kind, kind) for kind in EXPORTS], filters=[_one_of(EXPORTS)])  # None: the page


# --- posted forms ----------------------------------------------------------------------------------------------

class ShortlistForm(Form):
    note = LabelledText(_l("Ghi chú đề cử"), max_length=2000)  # absent: the note is left as it is
    only_note = Pressed()


BOTH_NAMES = _l("Vui lòng nhập tên hình thức khen thưởng và cấp khen.")
INVALID_PAIR = _l("Cặp so sánh không hợp lệ.")


class LevelForm(Form):
    level_id = ChosenId(validators=[Optional()], message=_l("Hình thức khen thưởng không thuộc chiến dịch này."))
    name = LabelledText(_l("Tên hình thức khen thưởng"), [DataRequired(BOTH_NAMES)], max_length=200)
    issuer = LabelledText(_l("Cấp khen"), [DataRequired(BOTH_NAMES)], max_length=200)
    quota = QuotaField(validators=[Optional()])


class AwardForm(Form):
    level_id = ChosenId(validators=[InputRequired(_l("Vui lòng chọn hình thức khen thưởng."))],
                        message=_l("Vui lòng chọn hình thức khen thưởng."))
    # Keys of the authors and the collective ("a12", "c3"); the service checks they belong to the initiative.
    recipients = SelectMultipleField(validate_choice=False)
    decision_number = LabelledText(_l("Số quyết định"), [DataRequired(_l("Vui lòng nhập số quyết định."))],
                                   max_length=60)
    decision_date = DateField(validators=[InputRequired(_l("Vui lòng nhập ngày quyết định."))])


class RoundForm(Form):
    name = LabelledText(_l("Tên vòng so sánh"), max_length=200)  # blank: the round takes the campaign's name


class VoteForm(Form):
    first = ChosenId(validators=[InputRequired(INVALID_PAIR)], message=INVALID_PAIR)
    second = ChosenId(validators=[InputRequired(INVALID_PAIR)], message=INVALID_PAIR)
    winner = ChosenId(validators=[InputRequired(INVALID_PAIR)], message=INVALID_PAIR)


class FeatureForm(Form):
    story = LabelledText(_l("Lời giới thiệu"), [DataRequired(_l("Vui lòng viết vài dòng giới thiệu."))],
                         max_length=5000)
    unpublish = Pressed()
