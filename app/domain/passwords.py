"""Password rules shared by registration, "change my password", the admin account form and the CLI.

The common-password list is the one Django ships (20,000 passwords collected by Royce Williams, BSD licence),
kept to the entries of 8 characters or more since shorter ones fail the length rule anyway, plus a short list of
Vietnamese favourites (common-passwords-vi.txt).
"""
from __future__ import annotations

import gzip
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from flask_babel import gettext as _
from wtforms import ValidationError

from .text import fold

MIN_LENGTH = 8
MAX_LENGTH = 128
_DATA = Path(__file__).resolve().parent / "data"


@cache
def _common() -> frozenset[str]:
    with gzip.open(_DATA / "common-passwords.txt.gz", "rt", encoding="utf-8") as public:
        words = {line.strip() for line in public}
    with open(_DATA / "common-passwords-vi.txt", encoding="utf-8") as vietnamese:
        words.update(line.strip() for line in vietnamese if not line.startswith("#"))
    words.discard("")
    return frozenset(words)


def _forms(password: str) -> set[str]:
    """The password as typed (lower case) and folded: "MậtKhẩu123" is as weak as "matkhau123"."""
    lowered = password.strip().lower()
    return {lowered, lowered.replace("đ", "d"), fold(password).replace(" ", "")}


def is_common(password: str) -> bool:
    return not _common().isdisjoint(_forms(password))


def problem(password: str, *, avoid: Iterable[str | None] = ()) -> str | None:
    """What is wrong with this password (a translated sentence), or None when it is acceptable.

    ``avoid``: the account's own identifiers (phone, email), which anyone who knows the login also knows.
    """
    if len(password) < MIN_LENGTH:
        return _("Mật khẩu cần ít nhất %(count)d ký tự.", count=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Mật khẩu dài tối đa %(count)d ký tự.", count=MAX_LENGTH)
    if len(set(password)) == 1 or is_common(password):
        return _("Mật khẩu này quá phổ biến, dễ bị đoán. Hãy chọn mật khẩu khác.")
    lowered = password.lower()
    for identifier in avoid:
        identifier = (identifier or "").strip().lower()
        if len(identifier) >= 4 and (identifier in lowered or identifier.split("@")[0] == lowered):
            return _("Mật khẩu không được chứa số điện thoại hoặc email của bạn.")
    return None


class PasswordRules:
    """WTForms validator built on ``problem``; ``avoid_fields`` names the form's phone/email fields."""

    def __init__(self, avoid_fields: Iterable[str] = ()):
        self.avoid_fields = tuple(avoid_fields)

    def __call__(self, form, field) -> None:
        if not field.data:
            return  # DataRequired/Optional decide whether an empty password is allowed
        avoid = [getattr(form, name).data for name in self.avoid_fields if name in form]
        message = problem(field.data, avoid=[value for value in avoid if isinstance(value, str)])
        if message:
            raise ValidationError(message)
