"""Tallies, the public campaign page with its polling partials, organizer pages, weekly report and exports."""
from __future__ import annotations

import csv
import gzip
import io
import random
import re
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.domain import ranking, tallies, workflow
from app.extensions import db
from app.models import Initiative, Status, Tally, Target, Unit, User

from . import factories
from .conftest import login

VERSION = re.compile(r'name="v" value="([0-9a-f]+)"')


def make(app, world, author_key, status=Status.SUBMITTED, when=None, title="Sáng kiến thử nghiệm số một"):
    """An initiative moved through the workflow to ``status`` (tallies updated on the way)."""
    with app.app_context():
        author = db.session.get(User, getattr(world, author_key))
        reviewer = db.session.get(User, world.admin)
        item = factories.initiative(world.campaign, author, title=title)
        workflow.transition(item, Status.SUBMITTED, author, now=when)
        if status in (Status.VALID, Status.INVALID, Status.RETURNED):
            workflow.transition(item, status, reviewer, reason_code=None if status == Status.VALID else "other",
                                now=when)
        db.session.commit()
        return item.id


def counts(app, world, unit_key):
    with app.app_context():
        tally = tallies.for_unit(world.campaign, getattr(world, unit_key))
        return (tally.submitted, tally.pending, tally.returned, tally.valid, tally.invalid) if tally else None


def test_counters_follow_each_transition_and_roll_up(app, world):
    item = make(app, world, "member_a1")
    assert counts(app, world, "union_a1") == counts(app, world, "district_a") == counts(app, world, "province") \
        == (1, 1, 0, 0, 0)
    assert counts(app, world, "district_b") is None
    with app.app_context():
        initiative = db.session.get(Initiative, item)
        workflow.transition(initiative, Status.RETURNED, db.session.get(User, world.admin), reason_code="other")
        db.session.commit()
    assert counts(app, world, "province") == (1, 0, 1, 0, 0)
    with app.app_context():
        initiative = db.session.get(Initiative, item)
        workflow.transition(initiative, Status.SUBMITTED, initiative.author)
        workflow.transition(initiative, Status.VALID, db.session.get(User, world.admin))
        db.session.commit()
    assert counts(app, world, "district_a") == (1, 0, 0, 1, 0)
    with app.app_context():
        initiative = db.session.get(Initiative, item)
        workflow.transition(initiative, Status.SHORTLISTED, db.session.get(User, world.admin))
        db.session.commit()
    assert counts(app, world, "province") == (1, 0, 0, 1, 0)  # shortlisted still counts as valid


def test_tallies_equal_a_recount_after_random_workflows(app, world):
    rng = random.Random(7)
    authors = ["member_a1", "member_a2", "member_b1", "member_a1b"]
    moves = {Status.DRAFT: [Status.SUBMITTED], Status.SUBMITTED: [Status.VALID, Status.INVALID, Status.RETURNED,
                                                                  Status.WITHDRAWN],
             Status.RETURNED: [Status.SUBMITTED, Status.WITHDRAWN], Status.INVALID: [Status.SUBMITTED],
             Status.VALID: [Status.SHORTLISTED], Status.SHORTLISTED: [Status.VALID, Status.AWARDED]}
    with app.app_context():
        admin = db.session.get(User, world.admin)
        items = [factories.initiative(world.campaign, db.session.get(User, getattr(world, rng.choice(authors))),
                                      title=f"Sáng kiến ngẫu nhiên số {n}") for n in range(25)]
        start = datetime(2022, 4, 20, 8)
        undone = fields_changed = 0
        for step in range(150):
            item = rng.choice(items)
            options = moves.get(item.status)
            if item.status == Status.WITHDRAWN:  # the author's undo (issue 11), back to where it was
                undo = workflow.withdrawn_from(item)
                options = [undo] if undo else None
                undone += bool(undo)
            if item.status == Status.RETURNED and rng.random() < 0.3:  # the author edits it into another field
                before = item.field
                item.field = rng.choice([f for f in ("production", "education", "health") if f != before])
                tallies.change_field(item, before)
                fields_changed += 1
            if not options:
                continue
            target = rng.choice(options)
            workflow.transition(item, target, admin, reason_code="other" if target in (Status.INVALID,
                                                                                       Status.RETURNED) else None,
                                now=start + timedelta(hours=7 * step))
        db.session.commit()
        assert undone, "the random walk should undo some withdrawals"
        expected = tallies.recount(world.campaign)
        stored = tallies.stored(world.campaign)  # summed over each unit's slots
        for unit_id, values in expected.items():
            assert {c: getattr(stored[unit_id], c) for c in tallies.COUNTERS} == \
                {c: values[c] for c in tallies.COUNTERS}, unit_id
        assert all(t.submitted == 0 for uid, t in stored.items() if uid not in expected)
        replayed = {k: v for k, v in tallies.recount_daily(world.campaign).items() if any(v)}
        assert tallies.stored_daily(world.campaign) == replayed
        # The top units' rows are spread over slots, so no row takes every write (and the sums above still hold).
        slots = {(row.unit_id, row.slot) for row in db.session.scalars(select(Tally))}
        assert len({slot for uid, slot in slots if uid == world.province}) > 1
        assert {slot for uid, slot in slots if uid == world.union_a1} == {0}
        # The cohort series (first-submission day × field) equals its recount, and adds up to the tallies.
        assert fields_changed, "the random walk should move some returned initiatives to another field"
        live_cohorts = {key: tuple(values) for key, values in tallies.stored_cohorts(world.campaign).items()}
        assert live_cohorts == {key: tuple(v[n] for n in tallies.COUNTERS)
                                for key, v in tallies.recount_cohorts(world.campaign).items()
                                if any(v[n] for n in tallies.COUNTERS)}
        for unit_id, values in expected.items():
            summed = [sum(v[n] for (uid, _, _), v in live_cohorts.items() if uid == unit_id)
                      for n in range(len(tallies.COUNTERS))]
            assert summed == [values[c] for c in tallies.COUNTERS], unit_id
        # The reads the periods and reports use: a whole-campaign sum equals the tallies, a window its days.
        summed_all = tallies.cohort_counts(world.campaign, list(expected))
        assert {uid: [getattr(c, n) for n in tallies.COUNTERS] for uid, c in summed_all.items()} == \
            {uid: [v[n] for n in tallies.COUNTERS] for uid, v in expected.items()}
        first, last = date(2022, 4, 25), date(2022, 5, 5)
        window = tallies.cohort_counts(world.campaign, [world.province], first, last)
        in_window = [item for item in items if item.status in tallies.BUCKETS
                     and first <= tallies.local_day(item.first_submitted_at) <= last]
        assert in_window and window[world.province].submitted == len(in_window)
        by_field = tallies.field_counts(world.campaign, world.province, first, last)
        assert {f: c.valid for f, c in by_field.items() if c.valid} == dict(Counter(
            item.field for item in in_window if item.status in tallies.VALID_STATUSES))
    # The command gives the same numbers.
    result = app.test_cli_runner().invoke(args=["rebuild-tallies"])
    assert result.exit_code == 0
    with app.app_context():
        assert tallies.mismatches(world.campaign) == 0
        rebuilt = {uid: (t.pending, t.returned, t.valid, t.invalid)
                   for uid, t in tallies.stored(world.campaign).items()}
        assert {uid: v for uid, v in rebuilt.items() if any(v)} == \
            {uid: (v["pending"], v["returned"], v["valid"], v["invalid"]) for uid, v in expected.items()
             if any(v[c] for c in tallies.COUNTERS)}


def test_ranking_by_progress_then_valid_then_first_to_reach(app, world):
    # District A: target 60, district B: target 40. Give both 50% progress? A needs 30, B 20: use unit targets.
    with app.app_context():
        for target in db.session.scalars(select(Target).where(Target.unit_id.in_([world.district_a,
                                                                                   world.district_b]))):
            target.count = 2
        db.session.commit()
    make(app, world, "member_b1", Status.VALID, when=datetime(2022, 4, 25, 9))
    make(app, world, "member_a1", Status.VALID, when=datetime(2022, 4, 26, 9))
    with app.app_context():
        from app.models import Campaign
        campaign = db.session.get(Campaign, world.campaign)
        rows = ranking.rank_children(campaign, campaign.unit)
        # Same progress (1/2) and same valid count: B reached it first.
        assert [r.code for r in rows] == ["B", "A"] and [r.rank for r in rows] == [1, 2]
    make(app, world, "member_a2", Status.VALID, when=datetime(2022, 4, 27, 9))
    with app.app_context():
        campaign = db.session.get(Campaign, world.campaign)
        assert [r.code for r in ranking.rank_children(campaign, campaign.unit)] == ["A", "B"]


def test_public_campaign_page_counters_chart_ranking_and_budget(app, client, world):
    make(app, world, "member_a1", Status.VALID, when=datetime(2022, 4, 25, 9))
    make(app, world, "member_b1", Status.INVALID, when=datetime(2022, 4, 26, 9))
    make(app, world, "member_a2")
    response = client.get("/campaign", follow_redirects=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Chiến dịch thử" in body and "<svg" in body and "<polyline" in body
    assert re.search(r"<strong>3</strong> đã gửi", body) and re.search(r"<strong>1</strong> hợp lệ / 100", body)
    assert body.index("LĐLĐ huyện Ả") < body.index("LĐLĐ huyện Bê")
    assert len(gzip.compress(response.data)) <= 14 * 1024
    drill = client.get(f"/campaigns/thu/units/{world.district_a}").get_data(as_text=True)
    assert "CĐCS Trường Tiểu học Sìn Hồ" in drill and "CĐCS Trạm Y tế xã Nậm Tăm" in drill
    assert client.get(f"/campaigns/thu/units/{world.team_a1}").status_code == 200
    assert client.get("/campaigns/khong-co").status_code == 404


def test_polls_cost_no_body_when_nothing_changed(app, client, world):
    make(app, world, "member_a1")
    page = client.get("/campaigns/thu").get_data(as_text=True)
    counters_version, ranking_version = VERSION.findall(page)[:2]
    unchanged = client.htmx(f"/campaigns/thu/counters?unit={world.province}&v={counters_version}")
    assert unchanged.status_code == 204 and unchanged.data == b""
    assert "HX-Request" in unchanged.headers["Vary"]
    assert client.htmx(f"/campaigns/thu/ranking?unit={world.province}&v={ranking_version}").status_code == 204
    make(app, world, "member_b1", Status.VALID)
    fresh = client.htmx(f"/campaigns/thu/counters?unit={world.province}&v={counters_version}")
    body = fresh.get_data(as_text=True)
    assert fresh.status_code == 200 and "<html" not in body and re.search(r"<strong>2</strong> đã gửi", body)
    assert VERSION.search(body).group(1) != counters_version
    ranked = client.htmx(f"/campaigns/thu/ranking?unit={world.province}&v={ranking_version}")
    assert ranked.status_code == 200 and 'id="ranking"' in ranked.get_data(as_text=True)


def test_ranking_freeze_is_visible_and_holds(app, client, world):
    make(app, world, "member_a1", Status.VALID)
    login(client, world.organizer_p_phone)
    client.form(f"/admin/campaigns/{world.campaign}/freeze")
    make(app, world, "member_b1", Status.VALID)
    make(app, world, "member_b1", Status.VALID, title="Sáng kiến thử nghiệm số hai")
    public = app.test_client().get("/campaigns/thu").get_data(as_text=True)
    assert "Bảng xếp hạng đã chốt lúc" in public
    assert public.index("LĐLĐ huyện Ả") < public.index("LĐLĐ huyện Bê")  # frozen order, though B now leads
    client.form(f"/admin/campaigns/{world.campaign}/freeze")
    live = app.test_client().get("/campaigns/thu").get_data(as_text=True)
    assert "đã chốt" not in live and live.index("LĐLĐ huyện Bê") < live.index("LĐLĐ huyện Ả")


def test_organizer_edits_targets_of_their_subtree_only(app, client, world):
    login(client, world.organizer_a_phone)
    page = client.get(f"/admin/campaigns/{world.campaign}/targets").get_data(as_text=True)
    assert "CĐCS Trường Tiểu học Sìn Hồ" in page
    response = client.form(f"/admin/campaigns/{world.campaign}/targets",
                           {"unit": str(world.district_a), f"t{world.union_a1}": "35", f"t{world.union_a2}": "25"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Target.count).where(Target.unit_id == world.union_a1)) == 35
    # Another district's targets: not theirs.
    assert client.get(f"/admin/campaigns/{world.campaign}/targets?unit={world.district_b}").status_code == 404
    assert client.form(f"/admin/campaigns/{world.campaign}/targets",
                       {"unit": str(world.district_b), f"t{world.union_b1}": "1"}).status_code == 404
    # Their own target is set by the province, not by them.
    assert client.form(f"/admin/campaigns/{world.campaign}/targets",
                       {"unit": str(world.province), f"t{world.district_a}": "999"}).status_code == 404


def test_children_targets_cannot_silently_exceed_the_parent(app, client, world):
    login(client, world.organizer_a_phone)
    data = {"unit": str(world.district_a), f"t{world.union_a1}": "50", f"t{world.union_a2}": "20"}
    body = client.form(f"/admin/campaigns/{world.campaign}/targets", data).get_data(as_text=True)
    assert "Tổng chỉ tiêu các đơn vị trực thuộc (70) vượt chỉ tiêu của LĐLĐ huyện Ả (60)" in body
    assert 'value="50"' in body  # what was typed stays
    with app.app_context():
        assert db.session.scalar(select(Target.count).where(Target.unit_id == world.union_a1)) == 40
    body = client.form(f"/admin/campaigns/{world.campaign}/targets", {**data, f"t{world.union_a2}": "x"}
                       ).get_data(as_text=True)
    assert "phải là số nguyên không âm" in body
    assert client.form(f"/admin/campaigns/{world.campaign}/targets", {**data, "confirm_exceed": "y"}
                       ).status_code == 302


def test_targets_csv_import(app, client, world):
    login(client, world.organizer_p_phone)
    csv_bytes = b"unit_code,target\nA,55\nB,45\n"
    client.form(f"/admin/campaigns/{world.campaign}/targets/import",
                {"file": (io.BytesIO(csv_bytes), "chitieu.csv")}, content_type="multipart/form-data")
    with app.app_context():
        assert dict(db.session.execute(select(Target.unit_id, Target.count).where(
            Target.unit_id.in_([world.district_a, world.district_b]))).all()) == {world.district_a: 55,
                                                                                 world.district_b: 45}
    outsider = app.test_client()
    login(outsider, world.organizer_a_phone)
    body = outsider.form(f"/admin/campaigns/{world.campaign}/targets/import",
                         {"file": (io.BytesIO(b"unit_code,target\nB1,5\n"), "x.csv")},
                         content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "không có đơn vị mã “B1” trong phạm vi của bạn" in body


def test_organizer_creates_a_campaign_and_units_and_users_in_scope(app, client, world):
    login(client, world.organizer_a_phone)
    bad = client.form("/admin/campaigns/new", {"name": "Tháng cao điểm", "slug": "Có Dấu", "start_date": "2024-05-01",
                                               "end_date": "2024-04-01", "goal": "0", "unit_id": str(world.district_a)})
    body = bad.get_data(as_text=True)
    assert "Chỉ dùng chữ thường không dấu" in body and "Ngày kết thúc phải sau ngày bắt đầu." in body
    assert "Mục tiêu từ 1 trở lên." in body and 'value="Tháng cao điểm"' in body
    ok = client.form("/admin/campaigns/new", {"name": "Tháng cao điểm", "slug": "thang-cao-diem",
                                              "start_date": "2024-05-01", "end_date": "2024-05-31", "goal": "50",
                                              "unit_id": str(world.district_a)})
    assert ok.status_code == 302
    assert client.form("/admin/campaigns/new", {"name": "X", "slug": "x", "start_date": "2024-05-01",
                                                "end_date": "2024-05-31", "goal": "5",
                                                "unit_id": str(world.province)}).status_code == 200  # not a choice
    client.form("/admin/units", {"parent": str(world.district_a), "name": "CĐCS Trường Mầm non Hoa Ban",
                                 "code": "A3", "kind": "grassroots", "member_count": "30"})
    with app.app_context():
        new_unit = db.session.scalar(select(Unit).where(Unit.code == "A3"))
        assert new_unit.parent_id == world.district_a and new_unit.path.endswith(f"/{new_unit.id}/")
    assert client.get(f"/admin/units?parent={world.district_b}").status_code == 404
    client.form("/admin/users", {"full_name": "Người thẩm định mới", "phone": "0977111222", "role": "reviewer",
                                 "unit_code": "A3", "scope_code": "A", "password": "mat-khau-moi"})
    with app.app_context():
        person = db.session.scalar(select(User).where(User.phone == "0977111222"))
        assert person.role == "reviewer" and person.scope_unit_id == world.district_a
    body = client.form("/admin/users", {"full_name": "Ngoài phạm vi", "phone": "0977111333", "role": "member",
                                        "unit_code": "B1"}).get_data(as_text=True)
    assert "Không có đơn vị mã này trong phạm vi của bạn." in body
    assert "admin" not in re.findall(r'<option value="(\w+)"', body)  # organizers cannot create admins


def test_weekly_report_page_and_exports(app, client, world):
    make(app, world, "member_a1", Status.VALID, when=datetime(2022, 5, 3, 9))
    make(app, world, "member_a2", Status.SUBMITTED, when=datetime(2022, 5, 4, 9))
    make(app, world, "member_b1", Status.VALID, when=datetime(2022, 4, 24, 9))
    login(client, world.organizer_p_phone)
    page = client.get(f"/admin/campaigns/{world.campaign}/report?week=2022-05-04").get_data(as_text=True)
    assert "02/05/2022" in page and "08/05/2022" in page
    assert "chậm tiến độ" in page  # 1 valid of 60 after two weeks is below the line
    xlsx = client.get(f"/admin/campaigns/{world.campaign}/report?week=2022-05-02&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    header = [c.value for c in sheet[3]]
    assert header[2] == "Đơn vị" and header[4] == "Gửi mới trong tuần"
    rows = {r[2]: r for r in sheet.iter_rows(min_row=4, values_only=True)}
    district_a, district_b = rows["LĐLĐ huyện Ả"], rows["LĐLĐ huyện Bê"]
    assert (district_a[4], district_a[5], district_a[6], district_a[7], district_a[10]) == (2, 1, 2, 1, 60)
    assert isinstance(district_a[4], int) and district_a[11] == round(100 / 60, 1)
    assert (district_b[4], district_b[5], district_b[7]) == (0, 0, 1)
    # B was ahead at the end of last week, A has the better ratio? A 1/60, B 1/40: B stays first.
    assert (district_b[0], district_a[0]) == (1, 2)
    response = client.get(f"/admin/campaigns/{world.campaign}/report?week=2022-05-02&format=csv")
    csv_text = response.data.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("Hạng,Thay đổi hạng,Đơn vị")
    member = app.test_client()
    login(member, world.member_a1_phone)
    assert member.get(f"/admin/campaigns/{world.campaign}/report").status_code == 403


def test_progress_series_is_cumulative_per_day(app, world):
    make(app, world, "member_a1", Status.VALID, when=datetime(2022, 4, 10, 9))  # before the start
    make(app, world, "member_a2", Status.VALID, when=datetime(2022, 4, 23, 20))  # 24/4 in Vietnam
    with app.app_context():
        from app.models import Campaign
        campaign = db.session.get(Campaign, world.campaign)
        series = ranking.valid_series(campaign, world.province, until=date(2022, 4, 25))
        assert series.days == [date(2022, 4, 22), date(2022, 4, 23), date(2022, 4, 24), date(2022, 4, 25)]
        assert series.cumulative_valid == [1, 1, 2, 2] and series.start_valid == 1


def test_organizer_edits_units_and_accounts_of_their_subtree(app, client, world):
    login(client, world.organizer_a_phone)
    response = client.form(f"/admin/units/{world.union_a1}/edit", {"name": "CĐCS Trường Tiểu học Sìn Hồ số 2",
                                                                   "member_count": "55"})
    assert response.status_code == 302
    with app.app_context():
        unit = db.session.get(Unit, world.union_a1)
        assert (unit.name_folded, unit.member_count) == ("cdcs truong tieu hoc sin ho so 2", 55)
    assert client.get(f"/admin/units/{world.union_b1}/edit").status_code == 404
    assert client.form(f"/admin/units/{world.district_a}/edit", {"name": "X"}).status_code == 403
    page = client.get(f"/admin/users/{world.member_a1}/edit").get_data(as_text=True)
    assert 'value="Lò Văn Một"' in page and 'value="A1"' in page
    response = client.form(f"/admin/users/{world.member_a1}/edit", {
        "full_name": "Lò Văn Một", "phone": "0911000001", "role": "helper", "unit_code": "A1", "password": ""})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, world.member_a1).role == "helper"
    taken = client.form(f"/admin/users/{world.member_a1}/edit", {
        "full_name": "Lò Văn Một", "phone": "0911000002", "role": "member", "unit_code": "A1"}).get_data(as_text=True)
    assert "Số điện thoại hoặc email đã có tài khoản." in taken
    assert client.get(f"/admin/users/{world.member_b1}/edit").status_code == 404
    assert client.get(f"/admin/users/{world.organizer_a}/edit").status_code == 403  # own account: not here


def test_poll_refreshes_when_a_target_changes(app, client, world):
    page = client.get("/campaigns/thu").get_data(as_text=True)
    ranking_version = VERSION.findall(page)[1]
    assert client.htmx(f"/campaigns/thu/ranking?unit={world.province}&v={ranking_version}").status_code == 204
    with app.app_context():
        db.session.scalar(select(Target).where(Target.unit_id == world.district_a)).count = 70
        db.session.commit()
    fresh = client.htmx(f"/campaigns/thu/ranking?unit={world.province}&v={ranking_version}")
    assert fresh.status_code == 200 and "0 / 70" in fresh.get_data(as_text=True)


# --- the definitions every page shares: "submitted" and progress (DESIGN §6) ----------------------------------

def walk(app, world, author_key, path, title, when=datetime(2022, 5, 3, 9)):
    """An initiative of ``author_key`` moved along ``path`` (statuses after draft), by its author or the admin."""
    with app.app_context():
        author = db.session.get(User, getattr(world, author_key))
        admin = db.session.get(User, world.admin)
        item = factories.initiative(world.campaign, author, title=title)
        for status in path:
            actor = author if status in (Status.SUBMITTED, Status.WITHDRAWN) else admin
            workflow.transition(item, status, actor, now=when,
                                reason_code="other" if status in (Status.INVALID, Status.RETURNED) else None)
        db.session.commit()


def _counters(body: str) -> str:
    return body[body.index('id="counters"'):body.index('id="ranking"')]


def _ranking_row(body: str, name: str) -> str:
    table = body[body.index('id="ranking"'):]
    return table[table.index(name):].split("</tr>")[0]


def test_submitted_is_every_initiative_that_left_draft_and_was_not_withdrawn(app, client, world):
    """Draft and withdrawn are not submitted; submitted, returned, valid, shortlisted and invalid are: the same 5
    on the Tally (in Python and in SQL), the home page, the campaign page, its ranking, the digest and the report."""
    walk(app, world, "member_a1", [], "Sáng kiến còn là bản nháp")
    walk(app, world, "member_a1", [Status.SUBMITTED, Status.WITHDRAWN], "Sáng kiến đã rút lại")
    walk(app, world, "member_a1", [Status.SUBMITTED], "Sáng kiến đang chờ thẩm định")
    walk(app, world, "member_a1", [Status.SUBMITTED, Status.RETURNED], "Sáng kiến bị trả lại bổ sung")
    walk(app, world, "member_a2", [Status.SUBMITTED, Status.VALID], "Sáng kiến được công nhận")
    walk(app, world, "member_a2", [Status.SUBMITTED, Status.VALID, Status.SHORTLISTED], "Sáng kiến vào vòng sau")
    walk(app, world, "member_a2", [Status.SUBMITTED, Status.INVALID], "Sáng kiến không hợp lệ")
    with app.app_context():
        assert tallies.for_unit(world.campaign, world.district_a).submitted == 5
        assert db.session.scalar(select(func.sum(Tally.submitted)).where(  # the SQL form, over the slots
            Tally.campaign_id == world.campaign, Tally.unit_id == world.province)) == 5
    assert re.search(r"<strong>5</strong> đã gửi", client.get("/").get_data(as_text=True))
    page = client.get("/campaigns/thu").get_data(as_text=True)
    assert re.search(r"<strong>5</strong> đã gửi", _counters(page))
    assert re.search(r'<td class="num" data-label="Đã gửi">5 <small', _ranking_row(page, "LĐLĐ huyện Ả"))
    login(client, world.organizer_p_phone)
    digest = client.get(f"/admin/campaigns/{world.campaign}/digest.txt?unit={world.district_a}").get_data(
        as_text=True)
    assert "Tổng: 5 đã gửi, 2 hợp lệ, 1 chờ thẩm định, 1 đang trả lại để bổ sung, 1 không hợp lệ." in digest
    report = client.get(f"/admin/campaigns/{world.campaign}/report?week=2022-05-02&format=csv")
    rows = {row["Đơn vị"]: row for row in csv.DictReader(io.StringIO(report.data.decode("utf-8-sig")))}
    assert rows["LĐLĐ huyện Ả"]["Tổng đã gửi"] == "5" and rows["LĐLĐ huyện Ả"]["Gửi mới trong tuần"] == "5"


def test_progress_is_valid_over_the_goal_of_the_campaign_at_its_top_and_of_the_target_below(app, client, world):
    """Valid 3 and submitted 5 in district A (target 60); the province's own target (50) is not its goal: the
    campaign's goal (100) is. So 3% at the top, 5% for district A, and submitted / target (8%) beside it."""
    with app.app_context():
        db.session.scalar(select(Target).where(Target.unit_id == world.province)).count = 50
        db.session.commit()
    for n in range(3):
        walk(app, world, "member_a1", [Status.SUBMITTED, Status.VALID], f"Sáng kiến hợp lệ số {n + 1}")
    for n in range(2):
        walk(app, world, "member_a2", [Status.SUBMITTED], f"Sáng kiến đang chờ số {n + 1}")
    top = client.get("/campaigns/thu").get_data(as_text=True)
    assert re.search(r"<strong>3</strong> hợp lệ / 100", _counters(top))
    assert re.search(r"<strong>3%</strong> mục tiêu", _counters(top))
    assert re.search(r'aria-label="3%"><progress max="100" value="3.0">', _counters(top))
    row = _ranking_row(top, "LĐLĐ huyện Ả")
    assert "3 / 60" in row and "<strong>5%</strong>" in row and "(8%)" in row
    district = client.get(f"/campaigns/thu/units/{world.district_a}").get_data(as_text=True)
    assert re.search(r"<strong>3</strong> hợp lệ / 60", _counters(district))
    assert re.search(r"<strong>5%</strong> mục tiêu", _counters(district))
    assert re.search(r"<strong>—</strong> mục tiêu", _counters(
        client.get(f"/campaigns/thu/units/{world.team_a1}").get_data(as_text=True)))  # no target, no progress
    login(client, world.organizer_p_phone)
    digest = client.get(f"/admin/campaigns/{world.campaign}/digest.txt").get_data(as_text=True)
    assert "Chỉ tiêu 100: đạt 3%, còn thiếu 97 sáng kiến hợp lệ." in digest
    digest = client.get(f"/admin/campaigns/{world.campaign}/digest.txt?unit={world.district_a}").get_data(
        as_text=True)
    assert "Chỉ tiêu 60: đạt 5%, còn thiếu 57 sáng kiến hợp lệ." in digest
    report = client.get(f"/admin/campaigns/{world.campaign}/report?week=2022-05-02&format=csv")
    rows = {row["Đơn vị"]: row for row in csv.DictReader(io.StringIO(report.data.decode("utf-8-sig")))}
    assert rows["LĐLĐ huyện Ả"]["Tỷ lệ hợp lệ/chỉ tiêu (%)"] == "5.0"
    assert rows["LĐLĐ huyện Bê"]["Tỷ lệ hợp lệ/chỉ tiêu (%)"] == "0.0"


def test_progress_and_goal_rules_themselves(app, world):
    from app.models import Campaign
    assert (ranking.progress(3, 60), ranking.progress(0, 60)) == (0.05, 0.0)
    assert (ranking.progress(3, None), ranking.progress(3, 0)) == (None, None)  # a target of 0 is no target
    with app.app_context():
        campaign = db.session.get(Campaign, world.campaign)
        db.session.scalar(select(Target).where(Target.unit_id == world.province)).count = 50
        assert ranking.goals(campaign, [world.province, world.district_a, world.team_a1]) == {
            world.province: 100, world.district_a: 60}


@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01", "2022-02-30", "x"])
def test_a_week_with_no_whole_week_around_it_is_a_bad_request(client, world, week):
    login(client, world.organizer_p_phone)
    assert client.get(f"/admin/campaigns/{world.campaign}/report?week={week}").status_code == 400
