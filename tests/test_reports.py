"""Reports: the giao ban of any week, month or range, the breakdown by field (khối), the sơ kết of a campaign or
a period (page, XLSX, PDF), who may read them, hostile query strings, and a bounded number of queries.

The hand-built world (``build``) on top of tests/factories.py, targets A = 5 and B = 3 (campaign 22/4–31/5):

    A1  i1 production  submitted 25/4, valid 26/4        scores 90, 80   awarded (individual)
    A1  i2 education   submitted 27/4, valid 27/4        scores 70, 60   award revoked
    A1  i3 production  submitted 3/5,  valid 10/5        score 75
    A1  i5 health      submitted 20/5 (pending)          entered by helper A1
    A2  i4 health      submitted 12/5, valid 12/5
    A2  i6 admin.      submitted 14/5, invalid 15/5 (duplicate)
    B1  b1 health      submitted 23/4, valid 23/4        score 95        awarded (collective)
    B1  b2 admin.      submitted 24/4, valid 29/4
    B1  b3 health      submitted 5/5,  invalid 6/5 (duplicate)
    B1  b4 education   submitted 6/5,  invalid 7/5 (incomplete)          entered by helper B1
    B1  b5 education   submitted 7/5,  returned 8/5                      entered by helper B1
"""
from __future__ import annotations

import csv
import io
import re
import zlib
from collections import Counter
from contextlib import contextmanager
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, select

from app.domain import reports, workflow
from app.domain.units import create_unit
from app.extensions import db
from app.models import Award, AwardLevel, Initiative, Period, Role, Score, Status, Target, Unit, UnitKind, User

from . import factories
from .conftest import login

# name: (author, field, submitted on, decision, decided on, reason, entered by, title)
WORLD = {
    "i1": ("member_a1", "production", (4, 25), Status.VALID, (4, 26), None, None, "Máy gieo hạt cải tiến"),
    "i2": ("member_a1b", "education", (4, 27), Status.VALID, (4, 27), None, None, "Giáo án điện tử vùng cao"),
    "i3": ("member_a1", "production", (5, 3), Status.VALID, (5, 10), None, None, "Dây chuyền sấy chè"),
    "i5": ("member_a1", "health", (5, 20), None, None, None, "helper_a1", "Tủ thuốc thôn bản"),
    "i4": ("member_a2", "health", (5, 12), Status.VALID, (5, 12), None, None, "Sổ khám bệnh điện tử"),
    "i6": ("member_a2", "administration", (5, 14), Status.INVALID, (5, 15), "duplicate", None,
           "Phần mềm quản lý công văn"),
    "b1": ("member_b1", "health", (4, 23), Status.VALID, (4, 23), None, None, "Quy trình tiếp đón bệnh nhân"),
    "b2": ("member_b1", "administration", (4, 24), Status.VALID, (4, 29), None, None, "Một cửa liên thông"),
    "b3": ("member_b1", "health", (5, 5), Status.INVALID, (5, 6), "duplicate", None, "Bếp ăn bán trú"),
    "b4": ("member_b1", "education", (5, 6), Status.INVALID, (5, 7), "incomplete", "helper_b1", "Thư viện lưu động"),
    "b5": ("member_b1", "education", (5, 7), Status.RETURNED, (5, 8), "other", "helper_b1", "Lớp học xóa mù chữ"),
}
SCORES = {"i1": (("reviewer_p", 90), ("reviewer_p2", 80)), "i2": (("reviewer_p", 70), ("reviewer_a", 60)),
          "i3": (("reviewer_a", 75),), "b1": (("reviewer_p", 95),)}


def on(month_day: tuple[int, int]) -> datetime:
    """03:00 UTC: 10:00 the same day in Vietnam."""
    return datetime(2022, *month_day, 3)


def build(app, world) -> dict[str, int]:
    """The world of the module docstring; returns the initiatives' ids by name."""
    with app.app_context():
        admin = db.session.get(User, world.admin)
        for unit_id, count in ((world.district_a, 5), (world.district_b, 3)):
            db.session.scalar(select(Target).where(Target.campaign_id == world.campaign,
                                                   Target.unit_id == unit_id)).count = count
        ids = {}
        for name, (author_key, field, sent, decision, decided, reason, helper, title) in WORLD.items():
            author = db.session.get(User, getattr(world, author_key))
            entered_by = db.session.get(User, getattr(world, helper)) if helper else author
            item = factories.initiative(world.campaign, author, title=title, field=field, entered_by=entered_by)
            workflow.transition(item, Status.SUBMITTED, entered_by, now=on(sent))
            if decision:
                workflow.transition(item, decision, admin, now=on(decided), reason_code=reason,
                                    message="Bổ sung" if decision == Status.RETURNED else None)
            ids[name] = item.id
        for name, scores in SCORES.items():
            for reviewer_key, total in scores:
                db.session.add(Score(initiative_id=ids[name], reviewer_id=getattr(world, reviewer_key),
                                     points={}, total=total))
        level = AwardLevel(campaign_id=world.campaign, name="Bằng khen thử", issuer="Ban Chấp hành LĐLĐ tỉnh",
                           position=9)
        db.session.add(level)
        db.session.flush()

        def award(name, recipient, kind, number, revoked=False):
            db.session.add(Award(level_id=level.id, initiative_id=ids[name], recipient_kind=kind,
                                 recipient_name=recipient, unit_name="đơn vị", decision_number=number,
                                 decision_date=date(2022, 6, 5), created_by_id=admin.id,
                                 revoked_at=datetime(2022, 6, 6) if revoked else None))

        award("i1", "Lò Văn Một", "individual", "15/QĐ-LĐLĐ")
        award("b1", "Khoa Khám bệnh", "collective", "16/QĐ-LĐLĐ")
        award("i2", "Vàng Thị Hai", "individual", "17/QĐ-LĐLĐ", revoked=True)
        db.session.commit()
        return ids


def csv_rows(response) -> dict[str, dict]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return {row["Đơn vị"]: row for row in csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")))}


def report_url(world, **query) -> str:
    return f"/admin/campaigns/{world.campaign}/report?" + "&".join(f"{k}={v}" for k, v in query.items())


def summary_url(world, **query) -> str:
    return f"/admin/campaigns/{world.campaign}/summary?" + "&".join(f"{k}={v}" for k, v in query.items())


# --- giao ban -------------------------------------------------------------------------------------------------

def test_month_report_figures_rank_change_and_pace(app, client, world):
    build(app, world)
    login(client, world.organizer_p_phone)
    rows = csv_rows(client.get(report_url(world, kind="month", day="2022-05-17", format="csv")))
    a, b = rows["LĐLĐ huyện Ả"], rows["LĐLĐ huyện Bê"]
    # May: A got i3, i4, i5, i6 (i3 and i4 found valid in May); B got b3, b4, b5 and nothing valid.
    assert (a["Gửi mới trong tháng"], a["Hợp lệ mới trong tháng"], a["Tổng đã gửi"], a["Tổng hợp lệ"]) == \
        ("4", "2", "6", "4")
    assert (b["Gửi mới trong tháng"], b["Hợp lệ mới trong tháng"], b["Tổng đã gửi"], b["Tổng hợp lệ"]) == \
        ("3", "0", "5", "2")
    assert (a["Chỉ tiêu"], a["Tỷ lệ hợp lệ/chỉ tiêu (%)"], b["Tỷ lệ hợp lệ/chỉ tiêu (%)"]) == ("5", "80.0", "66.7")
    # End of April: A 2/5 (40%), B 2/3 (67%), B first; end of May: A 80%, B 67%: A gained a place.
    assert (a["Hạng"], a["Thay đổi hạng"], b["Hạng"], b["Thay đổi hạng"]) == ("1", "1", "2", "-1")
    # At the campaign's end the pace line is the target itself: both are short of it.
    assert (a["Chậm tiến độ"], a["Cần đạt theo tiến độ"], b["Chậm tiến độ"]) == ("x", "5.0", "x")
    page = client.get(report_url(world, kind="month", day="2022-05-17")).get_data(as_text=True)
    assert "Báo cáo giao ban tháng" in page and "Tháng 05/2022" in page
    assert "so với kỳ trước (01/04/2022 – 30/04/2022)" in page
    xlsx = client.get(report_url(world, kind="month", day="2022-05-17", format="xlsx"))
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames == ["Giao ban", "Theo khối"]
    sheet = book["Giao ban"]
    assert sheet["A2"].value == "Tháng 05/2022" and sheet[3][4].value == "Gửi mới trong tháng"
    by_name = {r[2]: r for r in sheet.iter_rows(min_row=4, values_only=True)}
    assert by_name["LĐLĐ huyện Ả"][4:8] == (4, 2, 6, 4) and by_name["LĐLĐ huyện Ả"][11] == 80.0
    fields = {r[0]: r[1:] for r in book["Theo khối"].iter_rows(min_row=4, values_only=True)}
    # First submitted in May / in total, by field: health i4, i5, b3 of i4, i5, b1, b3.
    assert fields["Y tế, chăm sóc sức khỏe"] == (3, 1, 1, 4, 2, 1)
    assert list(fields)[:3] == ["Sản xuất, kinh doanh", "Giáo dục, đào tạo", "Y tế, chăm sóc sức khỏe"]


def test_range_report_against_the_range_of_equal_length_before(app, client, world):
    build(app, world)
    login(client, world.organizer_p_phone)
    # 1–20 May (20 days) against 11–30 April; at 20/5, 28 of the campaign's 39 days have passed.
    rows = csv_rows(client.get(report_url(world, kind="range", start="2022-05-01", end="2022-05-20",
                                          format="csv")))
    a, b = rows["LĐLĐ huyện Ả"], rows["LĐLĐ huyện Bê"]
    assert (a["Gửi mới trong kỳ"], a["Hợp lệ mới trong kỳ"], a["Tổng hợp lệ"]) == ("4", "2", "4")
    assert (a["Hạng"], a["Thay đổi hạng"], b["Hạng"], b["Thay đổi hạng"]) == ("1", "1", "2", "-1")
    # The pace line: 5 × 28/39 = 3.6 for A (4 reached), 3 × 28/39 = 2.2 for B (2 reached: below).
    assert (a["Cần đạt theo tiến độ"], a["Chậm tiến độ"]) == ("3.6", "")
    assert (b["Cần đạt theo tiến độ"], b["Chậm tiến độ"]) == ("2.2", "x")
    # The range is read as of its end: what happened after 20/5 is not in it (nothing here), nor before 1/5.
    rows = csv_rows(client.get(report_url(world, start="2022-04-23", end="2022-04-27", format="csv")))
    assert (rows["LĐLĐ huyện Ả"]["Gửi mới trong kỳ"], rows["LĐLĐ huyện Ả"]["Tổng hợp lệ"]) == ("2", "2")
    assert (rows["LĐLĐ huyện Bê"]["Gửi mới trong kỳ"], rows["LĐLĐ huyện Bê"]["Tổng hợp lệ"]) == ("2", "1")
    # The older weekly link still works.
    week = csv_rows(client.get(report_url(world, week="2022-05-04", format="csv")))
    assert week["LĐLĐ huyện Ả"]["Gửi mới trong tuần"] == "1"


def test_a_running_month_is_read_until_today_and_highlights_units_below_pace(app, client, world, real_clock):
    build(app, world)
    real_clock.set_demo_date(date(2022, 5, 20))
    login(client, world.organizer_p_phone)
    page = client.get(report_url(world, kind="month", day="2022-05-02")).get_data(as_text=True)
    assert "tính đến hết ngày 20/05/2022" in page
    below = re.findall(r'<tr class="below">.*?<td class="name">(?:<a [^>]*>)?([^<]+)<', page, re.S)
    assert below == ["LĐLĐ huyện Bê"]  # 2 of 3 where 2.2 were due; A has 4 of 5 where 3.6 were due
    district = client.get(report_url(world, kind="month", day="2022-05-02", unit=world.district_a,
                                     format="csv"))
    rows = csv_rows(district)
    assert set(rows) == {"CĐCS Trường Tiểu học Sìn Hồ", "CĐCS Trạm Y tế xã Nậm Tăm"}
    assert (rows["CĐCS Trường Tiểu học Sìn Hồ"]["Gửi mới trong tháng"],
            rows["CĐCS Trường Tiểu học Sìn Hồ"]["Tổng hợp lệ"]) == ("2", "3")


@pytest.mark.parametrize("query", [
    "kind=range&start=2022-05-10&end=2022-05-01", "kind=range&start=2022-05-10", "kind=month&day=99999-01-01",
    "kind=week&day=2022-02-30", "day=9999-12-31", "start=0001-01-01&end=2022-05-01", "kind=nam",
    "kind=range&start=1900-01-01&end=9000-12-31", "day=a%00b", "start=2022-05-01&end=" + "9" * 4000,
])
def test_bad_spans_get_a_message_and_the_current_week(client, world, query):
    login(client, world.organizer_p_phone)
    for extra in ("", "&format=csv", "&format=xlsx"):
        response = client.get(f"/admin/campaigns/{world.campaign}/report?{query}{extra}")
        body = response.get_data(as_text=True)
        assert response.status_code == 400 and response.mimetype == "text/html"
        assert 'class="flash error"' in body and "Đang hiển thị báo cáo tuần hiện tại." in body


@pytest.mark.parametrize("query", ["unit=9999999999", "unit=-1", "unit=abc", "kind=range&start=&end=",
                                   "format=%00", "format=" + "x" * 50, "kind=%00", "day=2022-05-31&kind=week&unit=%00"])
def test_hostile_report_and_summary_queries_never_fail(client, world, query):
    login(client, world.organizer_p_phone)
    assert client.get(f"/admin/campaigns/{world.campaign}/report?{query}").status_code < 500
    assert client.get(f"/admin/campaigns/{world.campaign}/summary?{query}").status_code < 500
    for period in ("abc", "2147483648", "9" * 40, "0", "%00", "99"):
        assert client.get(f"/admin/campaigns/{world.campaign}/summary?period={period}&{query}").status_code < 500


# --- breakdown by field -------------------------------------------------------------------------------------------

def field_table(body: str) -> dict[str, tuple[int, int, int]]:
    table = body[body.index('<table class="fields">'):]
    table = table[:table.index("</table>")]
    return {label: (int(s), int(v), int(i)) for label, s, v, i in re.findall(
        r'<tr(?: class="focus")?><td>([^<]+)</td><td class="num">(\d+)</td><td class="num">(\d+)</td>'
        r'<td class="num">(\d+)</td></tr>', table)}


def expected_fields(app, unit_id: int) -> dict[str, tuple[int, int, int]]:
    """Counted from the initiatives themselves (the test's own recount, not the app's)."""
    with app.app_context():
        unit = db.session.get(Unit, unit_id)
        found = Counter()
        for item in db.session.scalars(select(Initiative)):
            if not unit.contains(item.unit) or item.status in (Status.DRAFT, Status.WITHDRAWN):
                continue
            label = str(reports.FIELDS[item.field])
            found[label, "s"] += 1
            found[label, "v"] += item.status in (Status.VALID, Status.SHORTLISTED, Status.AWARDED)
            found[label, "i"] += item.status == Status.INVALID
        labels = {label for label, _kind in found}
        return {label: (found[label, "s"], found[label, "v"], found[label, "i"]) for label in labels}


def test_field_breakdown_on_the_campaign_page_equals_what_was_submitted(app, client, world):
    ids = build(app, world)
    page = client.get("/campaigns/thu").get_data(as_text=True)
    table = field_table(page)
    assert table == expected_fields(app, world.province)
    assert table["Y tế, chăm sóc sức khỏe"] == (4, 2, 1) and table["Hành chính, quản lý"] == (2, 1, 1)
    # The letter's three focus fields first; and the polling partials keep their place and form.
    assert list(table)[:3] == ["Sản xuất, kinh doanh", "Giáo dục, đào tạo", "Y tế, chăm sóc sức khỏe"]
    assert page.index('id="counters"') < page.index('id="ranking"') < page.index('<table class="fields">')
    district = field_table(client.get(f"/campaigns/thu/units/{world.district_b}").get_data(as_text=True))
    assert district == {"Sản xuất, kinh doanh": (0, 0, 0), **expected_fields(app, world.district_b)}
    # The author edits the returned b5 into another field: the breakdown follows.
    author = app.test_client()
    login(author, world.member_b1_phone)
    response = author.form(f"/initiatives/{ids['b5']}/edit", {
        "title": "Lớp học xóa mù chữ", "field": "digital", "current_situation": "Nhiều người chưa biết chữ.",
        "solution": "Mở lớp buổi tối tại nhà văn hóa.", "application_scope": "Xã Nậm Tăm",
        "applied_since": "2022-03-01", "effectiveness": "30 người biết đọc.", "author_share": "100",
        "action": "draft"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Initiative, ids["b5"]).status == Status.RETURNED
    table = field_table(client.get("/campaigns/thu").get_data(as_text=True))
    assert table["Giáo dục, đào tạo"] == (2, 1, 1) and table["Chuyển đổi số, công nghệ thông tin"] == (1, 0, 0)
    assert table == expected_fields(app, world.province)


def test_the_campaign_page_stays_within_its_budget_with_the_field_table(app, client, world):
    import gzip
    build(app, world)
    response = client.get("/campaigns/thu")
    assert len(gzip.compress(response.data)) <= 14 * 1024


# --- sơ kết ---------------------------------------------------------------------------------------------------

def sections(body: str) -> dict[str, str]:
    """Each section of the summary page by its heading, tags stripped, spaces folded."""
    found = {}
    for part in body.split("<section>")[1:]:
        title = re.search(r"<h2>([^<]+)</h2>", part).group(1)
        found[title] = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", part.split("</section>")[0]))
    return found


def test_campaign_summary_sections_with_known_data(app, client, world):
    build(app, world)
    login(client, world.organizer_p_phone)
    body = client.get(summary_url(world)).get_data(as_text=True)
    part = sections(body)
    assert "Báo cáo sơ kết" in body and "22/04/2022 – 31/05/2022" in body
    # By unit: A 4/5 = 80% before B 2/3 = 67%.
    assert re.search(r"1 LĐLĐ huyện Ả 6 4 1 5 80% 2 LĐLĐ huyện Bê 5 2 2 3 67%", part["Theo đơn vị"])
    assert "Sản xuất, kinh doanh 2 2 0 0 Giáo dục, đào tạo 3 1 1 1 Y tế, chăm sóc sức khỏe 4 2 1 1" in \
        part["Theo khối, lĩnh vực"]
    assert re.search(r"CĐCS Bệnh viện Đa khoa huyện Bê Sùng Thị Sáu 2 0 1 CĐCS Trường Tiểu học Sìn Hồ Tòng Văn Ba "
                     r"1 0 0", part["Tổ hỗ trợ sáng kiến"])
    top = part["Sáng kiến tiêu biểu"]
    order = [top.index(t) for t in ("Quy trình tiếp đón bệnh nhân", "Máy gieo hạt cải tiến", "Dây chuyền sấy chè",
                                    "Giáo án điện tử vùng cao")]
    assert order == sorted(order) and "95" in top and "85" in top and "Một cửa liên thông" not in top
    awards = part["Khen thưởng"]
    assert "Lò Văn Một" in awards and "Khoa Khám bệnh (tập thể)" in awards and "Vàng Thị Hai" not in awards
    invalid = part["Sáng kiến không hợp lệ"]
    assert "33% (3 trên 9)" in invalid  # 3 invalid of 9 decided (6 valid)
    assert "Trùng lặp với sáng kiến đã gửi 2 67% Thiếu nội dung bắt buộc 1 33%" in invalid
    # District A's summary sees only its own subtree.
    part = sections(client.get(summary_url(world, unit=world.district_a)).get_data(as_text=True))
    assert "Bệnh viện" not in part["Tổ hỗ trợ sáng kiến"] and "Tòng Văn Ba 1 0 0" in part["Tổ hỗ trợ sáng kiến"]
    assert "Quy trình tiếp đón bệnh nhân" not in part["Sáng kiến tiêu biểu"]
    assert "Khoa Khám bệnh" not in part["Khen thưởng"] and "Lò Văn Một" in part["Khen thưởng"]
    assert "Trùng lặp với sáng kiến đã gửi 1 100%" in part["Sáng kiến không hợp lệ"]


def make_period(app, world, unit_key: str, first: date, last: date, goal: int, measure: str, name: str) -> int:
    with app.app_context():
        period = Period(campaign_id=world.campaign, unit_id=getattr(world, unit_key), name=name, kind="week",
                        start_date=first, end_date=last, goal=goal, measure=measure)
        db.session.add(period)
        db.session.commit()
        return period.id


def test_period_summary_counts_its_window(app, client, world):
    build(app, world)
    week = make_period(app, world, "district_b", date(2022, 5, 2), date(2022, 5, 8), 3, "submitted",
                       "Tuần cao điểm huyện Bê")
    month = make_period(app, world, "province", date(2022, 5, 1), date(2022, 5, 31), 10, "valid",
                        "Tháng cao điểm tỉnh")
    login(client, world.organizer_p_phone)
    body = client.get(summary_url(world, period=week)).get_data(as_text=True)
    part = sections(body)
    # First submitted 2–8 May in district B: b3, b4, b5; 3 submitted of the goal 3.
    assert "Tuần cao điểm huyện Bê" in body and "02/05/2022 – 08/05/2022" in body
    assert re.search(r"<strong>3</strong> đã gửi", body) and re.search(r"<strong>100%</strong> mục tiêu", body)
    assert re.search(r"1 CĐCS Bệnh viện Đa khoa huyện Bê 3 0 2", part["Theo đơn vị"])
    assert "Sùng Thị Sáu 2 0 1" in part["Tổ hỗ trợ sáng kiến"]
    assert "Không có số liệu." in part["Khen thưởng"]  # b1's award: first submitted before the week
    assert "Trùng lặp với sáng kiến đã gửi 1 50% Thiếu nội dung bắt buộc 1 50%" in part["Sáng kiến không hợp lệ"]
    # From the province's summary, the district's week is offered, and is about the district.
    assert f'<option value="{week}">Tuần cao điểm huyện Bê' in client.get(summary_url(world)).get_data(as_text=True)
    same = client.get(summary_url(world, period=week, unit=world.province)).get_data(as_text=True)
    assert sections(same) == part and "02/05/2022 – 08/05/2022" in same
    # The district organizer reads the province's month for their own district (their part of it)...
    district = app.test_client()
    login(district, world.organizer_a_phone)
    body = district.get(summary_url(world, period=month)).get_data(as_text=True)
    assert "Tháng cao điểm tỉnh" in body and "LĐLĐ huyện Ả" in body
    assert re.search(r"<strong>4</strong> đã gửi", body) and re.search(r"<strong>2</strong> hợp lệ", body)
    # ... but not another district's week, nor the province's month for the province or district B.
    assert district.get(summary_url(world, period=week)).status_code == 404
    assert district.get(summary_url(world, period=week, unit=world.district_a)).status_code == 404
    assert district.get(summary_url(world, period=month, unit=world.province)).status_code == 404
    assert district.get(summary_url(world, period=month, unit=world.district_b)).status_code == 404


def pdf_text(data: bytes) -> str:
    """The text a PDF shows, read through each font's ToUnicode map (no PDF library is installed)."""
    objects = {int(n): body for n, body in re.findall(rb"(\d+) 0 obj\n(.*?)\nendobj", data, re.S)}

    def stream(body: bytes) -> bytes:
        raw = re.search(rb"stream\r?\n(.*)\r?\nendstream", body, re.S).group(1)
        return zlib.decompress(raw) if b"/FlateDecode" in body else raw

    maps: dict[bytes, dict[int, str]] = {}
    for body in objects.values():
        for name, ref in re.findall(rb"/(F\d+) (\d+) 0 R", body):
            font = objects[int(ref)]
            cmap = stream(objects[int(re.search(rb"/ToUnicode (\d+) 0 R", font).group(1))])
            maps[name] = {int(code, 16): bytes.fromhex(text.decode()).decode("utf-16-be")
                          for code, text in re.findall(rb"<([0-9A-F]{4})> <([0-9A-F]+)>", cmap)}
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
    lines = []
    for body in objects.values():
        if b"/Filter /FlateDecode" not in body or b"/Length1" in body:
            continue
        try:
            content = stream(body)
        except zlib.error:
            continue
        font = None
        for token in re.finditer(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) ?Tj", content, re.S):
            if token.group(1):
                font = token.group(1)
                continue
            raw = re.sub(rb"\\([0-7]{1,3}|.)", lambda m: escapes.get(m.group(1), bytes([int(m.group(1), 8)])
                         if m.group(1)[:1].isdigit() else m.group(1)), token.group(2), flags=re.S)
            lines.append("".join(maps[font].get(int.from_bytes(raw[i:i + 2], "big"), "?")
                                 for i in range(0, len(raw), 2)))
    return "\n".join(lines)


def test_summary_xlsx_and_pdf_with_the_font_embedded(app, client, world):
    build(app, world)
    login(client, world.organizer_p_phone)
    xlsx = client.get(summary_url(world, format="xlsx"))
    assert xlsx.status_code == 200 and "so-ket-thu-P.xlsx" in xlsx.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames == ["Tổng hợp", "Theo đơn vị", "Theo khối", "Tổ hỗ trợ", "Tiêu biểu", "Khen thưởng",
                               "Không hợp lệ"]
    overview = {r[0]: r[1] for r in book["Tổng hợp"].iter_rows(min_row=4, values_only=True)}
    assert (overview["Đã gửi"], overview["Hợp lệ"], overview["Không hợp lệ"]) == (11, 6, 3)
    assert overview["Không hợp lệ trên số đã thẩm định (%)"] == 33.3
    units = list(book["Theo đơn vị"].iter_rows(min_row=4, values_only=True))
    assert units[0][:4] == (1, "LĐLĐ huyện Ả", 6, 4) and units[0][7] == 80.0
    top = list(book["Tiêu biểu"].iter_rows(min_row=4, values_only=True))
    assert [row[1] for row in top][:2] == ["Quy trình tiếp đón bệnh nhân", "Máy gieo hạt cải tiến"]
    assert top[1][4] == 85.0 and top[1][6] == 2
    reasons = list(book["Không hợp lệ"].iter_rows(min_row=4, values_only=True))
    assert reasons == [("Trùng lặp với sáng kiến đã gửi", 2, 66.7), ("Thiếu nội dung bắt buộc", 1, 33.3)]
    awards = list(book["Khen thưởng"].iter_rows(min_row=4, values_only=True))
    assert len(awards) == 2 and awards[0][7] == datetime(2022, 6, 5)

    response = client.get(summary_url(world, format="pdf"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    data = response.data
    assert data.startswith(b"%PDF") and b"/FontFile2" in data
    assert re.search(rb"/BaseFont /[A-Z]{6}\+DejaVuSans", data)  # embedded (a subset), not referenced
    text = pdf_text(data)
    for shown in ("BÁO CÁO SƠ KẾT — Chiến dịch thử", "LĐLĐ huyện Ả", "Quy trình tiếp đón bệnh nhân",
                  "Trùng lặp với sáng kiến đã gửi", "Sùng Thị Sáu", "Tự hào trí tuệ lao động Việt Nam"):
        assert shown in text, shown


def test_the_certificate_still_embeds_the_font_from_its_new_place(app, client, world):
    build(app, world)
    login(client, world.organizer_p_phone)
    with app.app_context():
        award_id = db.session.scalar(select(Award.id).where(Award.recipient_name == "Lò Văn Một"))
    data = client.get(f"/awards/certificates/{award_id}.pdf").data
    assert b"/FontFile2" in data and "Lò Văn Một" in pdf_text(data)


# --- who may read them ----------------------------------------------------------------------------------------

def test_a_district_organizer_reads_only_their_subtree(app, client, world):
    build(app, world)
    login(client, world.organizer_a_phone)
    own = client.get(report_url(world, kind="month", day="2022-05-01")).get_data(as_text=True)
    assert "<strong>LĐLĐ huyện Ả</strong>" in own and "CĐCS Trạm Y tế xã Nậm Tăm" in own
    assert client.get(summary_url(world)).status_code == 200
    for unit in (world.province, world.district_b, world.union_b1):
        for fmt in ("", "csv", "xlsx"):
            assert client.get(report_url(world, unit=unit, kind="month", day="2022-05-01",
                                         format=fmt)).status_code == 404
        for fmt in ("", "xlsx", "pdf"):
            assert client.get(summary_url(world, unit=unit, format=fmt)).status_code == 404
    member = app.test_client()
    login(member, world.member_a1_phone)
    assert member.get(summary_url(world)).status_code == 403
    assert member.get(report_url(world, kind="month", day="2022-05-01")).status_code == 403
    admin = app.test_client()
    login(admin, world.admin_phone)
    assert admin.get(summary_url(world, unit=world.district_b, format="pdf")).status_code == 200


def test_the_admin_index_and_the_report_link_to_the_summary(client, world):
    login(client, world.organizer_p_phone)
    summary = f"/admin/campaigns/{world.campaign}/summary"
    assert summary in client.get("/admin/").get_data(as_text=True)
    assert summary in client.get(report_url(world, kind="month", day="2022-05-01")).get_data(as_text=True)


# --- a bounded number of queries --------------------------------------------------------------------------------

@contextmanager
def queries(app):
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def grow(app, world, districts: int) -> None:
    """More districts under the province, each with a union, a target, and for some a valid initiative."""
    with app.app_context():
        province = db.session.get(Unit, world.province)
        admin = db.session.get(User, world.admin)
        for n in range(districts):
            district = create_unit(f"LĐLĐ huyện thêm {n}", f"X{n}", UnitKind.DISTRICT, province)
            union = create_unit(f"CĐCS thêm {n}", f"X{n}-1", UnitKind.GRASSROOTS, district)
            db.session.add(Target(campaign_id=world.campaign, unit_id=district.id, count=4))
            if n % 5 == 0:
                author = factories.user(f"Đoàn viên thêm {n}", f"09120000{n:02d}", Role.MEMBER, union)
                item = factories.initiative(world.campaign, author, title=f"Sáng kiến thêm số {n}",
                                            field="education")
                workflow.transition(item, Status.SUBMITTED, author, now=on((5, 4)))
                workflow.transition(item, Status.VALID, admin, now=on((5, 9)))
        db.session.commit()


def test_reports_read_a_fixed_number_of_times_however_many_units(app, client, world):
    build(app, world)
    login(client, world.organizer_p_phone)
    pages = [report_url(world, kind="month", day="2022-05-01"), report_url(world, start="2022-05-01",
                                                                          end="2022-05-20", format="xlsx"),
             summary_url(world), "/campaigns/thu"]

    def counted() -> list[int]:
        found = []
        for url in pages:
            with queries(app) as statements:
                assert client.get(url).status_code == 200, url
            found.append(len(statements))
        return found

    few = counted()
    grow(app, world, 30)
    many = counted()
    assert many == few, (few, many)
    assert max(few) < 30


def test_the_report_pages_speak_english_too(app, client, world):
    build(app, world)
    login(client, world.organizer_p_phone)
    client.form("/lang", {"lang": "en", "next": "/"})
    report = client.get(report_url(world, kind="month", day="2022-05-01")).get_data(as_text=True)
    assert "Monthly progress report" in report and "By field" in report and "Previous period" in report
    summary = client.get(summary_url(world)).get_data(as_text=True)
    assert "Summary report" in summary and "Invalid among the decided: 33%" in summary
    bad = client.get(report_url(world, kind="range", start="2022-05-10", end="2022-05-01"))
    assert bad.status_code == 400 and "Showing the current week's report." in bad.get_data(as_text=True)
