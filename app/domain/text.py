"""Vietnamese text handling: NFC storage and a folded form for search and duplicate detection."""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def nfc(text: str | None) -> str:
    """Normalise to NFC and trim; phones and some keyboards send NFD (decomposed) Vietnamese."""
    if not text:
        return ""
    return unicodedata.normalize("NFC", text).strip()


def fold(text: str | None) -> str:
    """Lower case, no diacritics, đ→d, punctuation squeezed to single spaces: "Cải tiến" → "cai tien"."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", stripped).strip()


def squeeze(text: str) -> str:
    return _SPACES.sub(" ", text).strip()
