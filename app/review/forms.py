"""The review area's inputs: queue filters (query string or hidden fields), decisions, duplicate clusters,
second checks, scores and answer templates."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Field, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional
from wtforms.widgets import HiddenInput

from ..domain.catalog import FIELDS, RETURN_REASONS, STATUSES
from ..domain.text import nfc
from ..fields import Form, IntegerField, Length, NumberRange, SelectField, parse_count
from ..models import Initiative, RubricCriterion

MAX_MESSAGE = 2000  # as a review template's body
MAX_CODE = 40       # a decision word or a reason code
MISSING_VERSION = _l("Thiếu phiên bản của sáng kiến; vui lòng tải lại trang.")


def _strip(value: str | None) -> str | None:
    return value.strip() if value else value


def first_error(form: Form) -> str | None:
    """The first message of the first field in error, in the order the fields are declared."""
    for messages in form.errors.values():
        if messages:
            return str(messages[0])
    return None


class VersionField(IntegerField):
    """The version of the initiative the page was built from (a hidden field): a page without a usable one must
    be reloaded."""

    widget = HiddenInput()

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(MISSING_VERSION)) from None


class IdListField(Field):
    """Ids repeated under one name (checkboxes, hidden inputs); a value that is no id the database can hold is
    left out, as if it had not been sent."""

    def process_formdata(self, valuelist):
        self.data = [number for number in map(parse_count, valuelist) if number is not None]


class QueueFilterForm(Form):
    """The queue's filters: the query string of a page, or the hidden fields a decision carries them in. A
    filter that is not one of the choices is ignored (the queue's default), never an error."""

    class Meta:
        csrf = False

    status = SelectField(choices=list(STATUSES.items()), validators=[Optional()])
    unit = IntegerField(validators=[Optional()])
    field = SelectField(choices=list(FIELDS.items()), validators=[Optional()])

    def chosen(self) -> tuple[str | None, int | None, str | None]:
        """(status, unit id, field), each None unless it is one of the choices."""
        self.validate()
        status, unit, field = (None if f.errors else f.data for f in (self.status, self.unit, self.field))
        return status, unit, field


class PageForm(Form):
    """``?page=`` of a list (no CSRF: it only chooses what a page shows); missing or not a number: the first."""

    class Meta:
        csrf = False

    page = IntegerField(validators=[Optional()])

    def page_number(self) -> int:
        self.validate()
        return max(1, self.page.data if not self.page.errors and self.page.data else 1)


class QueuePageForm(QueueFilterForm):
    page = IntegerField(validators=[Optional()])

    def page_number(self) -> int:
        return max(1, self.page.data if not self.page.errors and self.page.data else 1)


class DecisionForm(Form):
    """One of the three decision forms of an item (valid, invalid with a reason, return with a reason and a
    message); the rules of a complete decision are the service's."""

    decision = StringField(validators=[Length(max=MAX_CODE)])
    invalid_reason = StringField(validators=[Length(max=MAX_CODE)])
    return_reason = StringField(validators=[Length(max=MAX_CODE)])
    reason = StringField(validators=[Length(max=MAX_CODE)])  # one field for any decision (clients without the page)
    message = TextAreaField(filters=[_strip], validators=[Length(max=MAX_MESSAGE, message=_l(
        "%(field)s: tối đa %(max)s ký tự.", field=_l("Lời nhắn"), max=MAX_MESSAGE))])
    template_id = IntegerField(validators=[Optional()])
    version = VersionField(validators=[InputRequired(MISSING_VERSION)])

    def reason_code(self) -> str | None:
        """The reason chosen in the list that goes with the button pressed, else the generic one."""
        by_decision = {"invalid": self.invalid_reason, "return": self.return_reason}
        chosen = by_decision.get(self.decision.data or "")
        return (chosen.data if chosen is not None else None) or self.reason.data or None


class ClusterForm(Form):
    """Marking duplicates: first a preview of the chosen ones, then the commit."""

    step = SelectField(choices=[("preview", "preview"), ("commit", "commit")], validators=[Optional()])
    ids = IdListField()


def versions_form(items: list[Initiative]) -> Form:
    """The versions the preview showed, one hidden field ``v<id>`` per chosen initiative."""

    class VersionsForm(Form):
        pass

    for item in items:
        setattr(VersionsForm, f"v{item.id}", VersionField(validators=[InputRequired(MISSING_VERSION)]))
    return VersionsForm()


class SecondCheckForm(Form):
    initiative_id = IntegerField(validators=[InputRequired()])
    outcome = SelectField(choices=[("confirm", "confirm"), ("reopen", "reopen")], validators=[InputRequired()])
    version = VersionField(validators=[Optional()])


def score_form(criteria: list[RubricCriterion], formdata=None) -> Form:
    """A form with one points field per rubric line, bounded by that line's maximum."""

    class ScoreForm(Form):
        comment = TextAreaField(_l("Nhận xét (không bắt buộc)"), filters=[lambda v: nfc(v) if v else v],
                                validators=[Optional(), Length(max=2000)])

    for criterion in criteria:
        setattr(ScoreForm, f"c_{criterion.code}", IntegerField(
            f"{criterion.label} (0–{criterion.max_points})",
            validators=[InputRequired(_l("Vui lòng cho điểm mục này.")),
                        NumberRange(min=0, max=criterion.max_points,
                                    message=_l("Điểm từ %(min)s đến %(max)s."))]))
    return ScoreForm(formdata=formdata) if formdata is not None else ScoreForm()


class TemplateForm(Form):
    reason_code = SelectField(_l("Lý do"), choices=list(RETURN_REASONS.items()))
    body = TextAreaField(_l("Lời nhắn mẫu"), filters=[lambda v: nfc(v) if v else v], validators=[
        DataRequired(_l("Vui lòng nhập nội dung lời nhắn.")), Length(max=2000)])


class DeleteTemplateForm(Form):
    delete = IntegerField(validators=[Optional()])  # the id on the pressed "delete" button
