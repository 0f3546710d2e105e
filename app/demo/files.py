"""Small generated attachments for the demo: an illustration (PNG, a few KB) and the head of unit's confirmation as
a one-page scanned PDF (1-bit, a few KB), drawn with Pillow and the DejaVu font of app/fonts.
They are stored through ``domain.uploads`` like any upload, so they are checked, thumbnailed and served the same way.
"""
from __future__ import annotations

import io
import random
from datetime import date
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"  # DejaVu, shared with app/pdf.py
_fonts: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    if (name, size) not in _fonts:
        _fonts[(name, size)] = ImageFont.truetype(str(FONT_DIR / name), size)
    return _fonts[(name, size)]


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and font.getlength(candidate) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return lines + ([line] if line else [])


# Palette: white, ink, muted, the two bars, a light band.
_PALETTE = [255, 255, 255, 29, 39, 51, 91, 102, 117, 200, 80, 60, 40, 140, 90, 232, 240, 254]


def illustration_png(rng: random.Random, title: str, unit_place: str) -> bytes:
    """A before/after chart of the initiative's effect, as a unit would put in its report."""
    image = Image.new("P", (480, 300), 0)
    image.putpalette(_PALETTE)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 479, 58), fill=5)
    for n, line in enumerate(_wrap(title, _font(14, True), 450)[:2]):
        draw.text((14, 8 + n * 20), line, font=_font(14, True), fill=1)
    before = rng.randint(40, 90)
    after = max(8, before - rng.randint(15, before - 5))
    unit = rng.choice(["phút", "giờ", "ngày", "lượt sai sót"])
    for x, value, label, colour in ((90, before, "Trước", 3), (290, after, "Sau", 4)):
        top = 250 - value * 2
        draw.rectangle((x, top, x + 100, 250), fill=colour)
        draw.text((x + 50, top - 4), f"{value} {unit}", font=_font(13), fill=1, anchor="md")
        draw.text((x + 50, 256), label, font=_font(13, True), fill=1, anchor="ma")
    draw.line((60, 250, 440, 250), fill=2, width=2)
    draw.text((14, 280), f"Kết quả áp dụng tại {unit_place}", font=_font(11), fill=2)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def confirmation_pdf(*, organisation: str, town: str, title: str, authors: list[str], applied_since: date,
                     signed_on: date, head: str) -> bytes:
    """The head of unit's confirmation that the initiative is applied (the programme's evidence rule), scanned."""
    out = io.BytesIO()
    confirmation_page(organisation=organisation, town=town, title=title, authors=authors, applied_since=applied_since,
                      signed_on=signed_on, head=head).save(out, "PDF", resolution=75)
    return out.getvalue()


def confirmation_page(*, organisation: str, town: str, title: str, authors: list[str], applied_since: date,
                      signed_on: date, head: str) -> Image.Image:
    """The confirmation as a 1-bit A4 page (75 dpi), as a scanner would give it."""
    page = Image.new("1", (620, 877), 1)
    draw = ImageDraw.Draw(page)
    regular, bold = _font(15), _font(15, True)
    for n, line in enumerate(_wrap(organisation.upper(), _font(12, True), 250)[:3]):
        draw.text((160, 40 + n * 18), line, font=_font(12, True), fill=0, anchor="mm")
    draw.text((455, 40), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", font=_font(11, True), fill=0, anchor="mm")
    draw.text((455, 58), "Độc lập - Tự do - Hạnh phúc", font=_font(12, True), fill=0, anchor="mm")
    draw.text((455, 92), f"{town}, ngày {signed_on.day} tháng {signed_on.month} năm {signed_on.year}",
              font=_font(12), fill=0, anchor="mm")
    draw.text((310, 150), "GIẤY XÁC NHẬN", font=_font(20, True), fill=0, anchor="mm")
    draw.text((310, 176), "Về việc áp dụng sáng kiến", font=bold, fill=0, anchor="mm")
    body = (f"Thủ trưởng {organisation} xác nhận sáng kiến “{title}” của {', '.join(authors)} đã được áp dụng "
            f"tại đơn vị từ ngày {applied_since:%d/%m/%Y}, mang lại hiệu quả thiết thực, được tập thể đơn vị ghi "
            "nhận. Đề nghị Hội đồng xét duyệt sáng kiến xem xét.")
    y = 230
    for line in _wrap(body, regular, 520):
        draw.text((50, y), line, font=regular, fill=0)
        y += 26
    draw.text((440, y + 40), "THỦ TRƯỞNG ĐƠN VỊ", font=bold, fill=0, anchor="mm")
    draw.ellipse((385, y + 60, 495, y + 170), outline=0, width=3)
    draw.text((440, y + 115), "ĐÃ KÝ", font=bold, fill=0, anchor="mm")
    draw.text((440, y + 195), head, font=bold, fill=0, anchor="mm")
    return page
