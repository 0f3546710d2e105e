"""PDF documents with the Vietnamese glyphs embedded, shared by every area that prints one (the award
certificates, the sơ kết report): DejaVu Sans (app/fonts, with its licence) is embedded as a subset, so the text
shows the same on any reader, without fonts installed.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVu"


def document(orientation: str = "P") -> FPDF:
    """An A4 document (``"P"`` portrait, ``"L"`` landscape) with the regular and bold faces registered."""
    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_font(FONT, "", 10)
    return pdf


def heading(pdf: FPDF, text: str, size: int = 12) -> None:
    pdf.set_font(FONT, "B", size)
    pdf.multi_cell(0, size * 0.5, text)
    pdf.ln(1)
    pdf.set_font(FONT, "", 9)


def table(pdf: FPDF, headers: Sequence[str], rows: Sequence[Sequence[object]],
          widths: Sequence[float] | None = None, size: int = 8) -> None:
    """A bordered table, headings in bold and repeated on each page; None prints as "—"."""
    pdf.set_font(FONT, "", size)
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=size * 0.5, padding=0.8) as grid:
        grid.row([str(h) for h in headers])
        for values in rows:
            grid.row(["—" if value is None else str(value) for value in values])
    pdf.ln(3)


def output(pdf: FPDF) -> bytes:
    return bytes(pdf.output())
