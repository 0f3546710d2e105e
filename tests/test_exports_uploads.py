"""Exports that never run what users typed, uploads stored and served by their real type, image bombs refused,
files that follow their database rows, and the similar-initiatives hint limited to what the reader may see."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime

from openpyxl import load_workbook
from sqlalchemy import select

from app.domain import workflow
from app.extensions import db
from app.models import InitiativeAuthor, Status, Unit, User

from . import factories
from .conftest import login

HYPERLINK = '=HYPERLINK("http://x","y")'


def move(app, world, author_key, status, title="Cải tiến bếp ăn bán trú vùng cao", when=None, co_author=None):
    """An initiative of ``author_key`` moved through the workflow to ``status``."""
    with app.app_context():
        author = db.session.get(User, getattr(world, author_key))
        admin = db.session.get(User, world.admin)
        item = factories.initiative(world.campaign, author, title=title)
        if co_author:
            item.authors.append(InitiativeAuthor(full_name=co_author, job_title="+Tổ trưởng", share_percent=0,
                                                 position_order=1))
        if status != Status.DRAFT:
            workflow.transition(item, Status.SUBMITTED, author, now=when)
        if status in (Status.VALID, Status.SHORTLISTED, Status.AWARDED):
            workflow.transition(item, Status.VALID, admin, now=when)
        if status in (Status.SHORTLISTED, Status.AWARDED):
            workflow.transition(item, Status.SHORTLISTED, admin)
        if status in (Status.INVALID, Status.RETURNED):
            workflow.transition(item, status, admin, reason_code="other", now=when)
        if status == Status.WITHDRAWN:
            workflow.transition(item, Status.WITHDRAWN, author)
        db.session.commit()
        return item.id


def assert_no_formula(data: bytes, *texts: str) -> list:
    """Read the XLSX back: not one formula cell, and every text is there unchanged."""
    values = []
    for row in load_workbook(io.BytesIO(data)).active.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            values.append(cell.value)
    for text in texts:
        assert text in values, text
    return values


# --- 1. formula injection in exports --------------------------------------------------------------------------

def test_award_annex_writes_formula_like_names_and_titles_as_text(app, client, world):
    item = move(app, world, "member_a1", Status.SHORTLISTED, title="@SUM(1+1) bếp ăn", co_author=HYPERLINK)
    login(client, world.organizer_p_phone)
    page = client.get(f"/awards/{item}/award").get_data(as_text=True)
    client.form(f"/awards/{item}/award", {
        "level_id": re.search(r'name="level_id" value="(\d+)"', page).group(1),
        "recipients": re.findall(r'name="recipients" value="(\w+)"', page),
        "decision_number": "-125/QĐ", "decision_date": "2022-06-10"})
    data = client.get("/awards/list?format=xlsx").data
    values = assert_no_formula(data, HYPERLINK, "@SUM(1+1) bếp ăn", "+Tổ trưởng", "-125/QĐ", "Lò Văn Một")
    assert 1 in values and 2 in values  # the row numbers stay numbers
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["J4"].value.date().isoformat() == "2022-06-10" and sheet["J4"].number_format == "DD/MM/YYYY"
    rows = list(csv.reader(io.StringIO(client.get("/awards/list?format=csv").data.decode("utf-8-sig"))))
    by_name = {row[1]: row for row in rows[1:]}
    hostile = by_name["'" + HYPERLINK]
    assert hostile[2] == "'+Tổ trưởng" and hostile[4] == "'@SUM(1+1) bếp ăn" and hostile[8] == "'-125/QĐ"
    assert hostile[9] == "10/06/2022" and by_name["Lò Văn Một"][0] == "1"


def test_weekly_report_writes_hostile_unit_names_as_text_and_numbers_as_numbers(app, client, world):
    with app.app_context():
        district = db.session.get(Unit, world.district_a)
        district.name, district.code = "\t=1+2 huyện", "-A"
        db.session.commit()
    move(app, world, "member_a1", Status.VALID, when=datetime(2022, 5, 3, 9))
    move(app, world, "member_b1", Status.VALID, when=datetime(2022, 5, 3, 9))
    login(client, world.organizer_p_phone)
    url = f"/admin/campaigns/{world.campaign}/report?week=2022-05-02"
    sheet = load_workbook(io.BytesIO(client.get(url + "&format=xlsx").data)).active
    assert_no_formula(client.get(url + "&format=xlsx").data, "\t=1+2 huyện", "-A")
    rows = {r[3]: r for r in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows["-A"][7] == 1 and isinstance(rows["-A"][10], int) and rows["-A"][11] == round(100 / 60, 1)
    report = list(csv.reader(io.StringIO(client.get(url + "&format=csv").data.decode("utf-8-sig"))))
    hostile = next(row for row in report if row[3] == "'-A")
    assert hostile[2] == "'\t=1+2 huyện" and hostile[7] == "1"


def test_negative_numbers_and_plain_text_are_not_mangled(app):
    from app.exports import csv_bytes, xlsx_bytes
    rows = [[-5, None, -2.5, "a-b", "Tổ = tốt"]]
    assert csv_bytes(("x",), rows).decode("utf-8-sig").splitlines()[1] == "-5,,-2.5,a-b,Tổ = tốt"
    sheet = load_workbook(io.BytesIO(xlsx_bytes("T", [], ("x",), rows))).active
    assert [c.value for c in sheet[2]] == [-5, None, -2.5, "a-b", "Tổ = tốt"]
    assert (sheet["A2"].data_type, sheet["C2"].data_type) == ("n", "n")
