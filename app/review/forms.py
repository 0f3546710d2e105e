from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from ..domain.catalog import RETURN_REASONS
from ..domain.text import nfc
from ..fields import Form, IntegerField, Length, NumberRange, SelectField
from ..models import RubricCriterion


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
