"""Every user-visible string has an English translation, and the catalogue matches the source."""
from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
METHODS = [("**.py", "python"), ("**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def source_messages() -> set[str]:
    found = set()
    for folder in ("app", "templates"):
        for _file, _line, message, _comments, _context in extract_from_dir(
                ROOT / folder, METHODS, keywords=KEYWORDS, options_map={"**.html": {}}):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_english_catalogue_translates_every_source_string():
    with open(ROOT / "app/translations/en/LC_MESSAGES/messages.po", "rb") as handle:
        catalogue = read_po(handle)
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in catalogue if m.id}
    messages = source_messages()
    assert "Đăng nhập" in messages and len(messages) > 300  # extraction really ran
    missing = sorted(m for m in messages if not translated.get(m))
    assert missing == [], "run `make messages` and translate: " + "; ".join(missing[:10])


def test_no_translation_carries_a_straight_double_quote():
    """Template translations are inserted as markup: a '"' would end an HTML attribute (e.g. a placeholder)."""
    with open(ROOT / "app/translations/en/LC_MESSAGES/messages.po", "rb") as handle:
        catalogue = read_po(handle)
    assert [m.id for m in catalogue if m.id and '"' in (m.string or "")] == []
