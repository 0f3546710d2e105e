from __future__ import annotations

from wtforms import StringField
from wtforms.validators import Optional

from ..fields import Form, IntegerField, Length


class PageQuery(Form):
    """The query string of the campaign page's polling partials: which unit, and the version the page holds.
    Read with ``meta={"csrf": False}``: a GET changes nothing."""

    unit = IntegerField(validators=[Optional()])
    v = StringField(validators=[Optional(), Length(max=64)])
