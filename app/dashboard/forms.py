from __future__ import annotations

from wtforms import StringField
from wtforms.validators import Optional

from ..fields import Form, IntegerField, Length, NumberRange


class PageQuery(Form):
    """The query string of the campaign page's polling partials: which unit, and the version the page holds.
    Read with ``meta={"csrf": False}``: a GET changes nothing."""

    unit = IntegerField(validators=[Optional()])
    v = StringField(validators=[Optional(), Length(max=64)])


class ArchiveQuery(Form):
    """``?page=`` of the archive (read with ``meta={"csrf": False}``)."""

    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100_000)])
