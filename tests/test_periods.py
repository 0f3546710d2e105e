"""Peak periods (Tuần/Tháng cao điểm): windows over the campaign's initiatives, their pages, who runs them, their
rules (counting, ranking, pace, result, who improved), the archive, and the issue's scenario: a district's week
overlapping the provincial campaign changes nobody else's pages and counts its members' submissions in both."""
from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import delete, event, func, select

from app.domain import periods, ranking, tallies, workflow
from app.domain.units import create_unit
from app.extensions import db
from app.models import Campaign, Initiative, Period, Role, Status, Target, Unit, UnitKind, User

from . import factories
from .conftest import login
from .test_submissions import complete, new_key

WEEK = (date(2022, 5, 9), date(2022, 5, 15))  # a Monday to Sunday inside the campaign (22/4 – 31/5/2022)
TOKENS = re.compile(r'(csrf[-_]token"[^>]*?(?:content|value)=")[^"]*')


def local(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """A Vietnamese local time (UTC+7) as stored: naive UTC."""
    return datetime(day.year, day.month, day.day, hour, minute) - timedelta(hours=7)


def make(world, author_key: str, when: datetime, status: str = Status.SUBMITTED, title: str | None = None,
         decided: datetime | None = None) -> int:
    """An initiative first submitted at ``when`` and moved on to ``status`` (tallies and cohorts through the
    workflow); call inside an app context."""
    author = db.session.get(User, getattr(world, author_key))
    admin = db.session.get(User, world.admin)
    item = factories.initiative(world.campaign, author, title=title or f"Sáng kiến {author_key} {when:%d%m%H%M}")
    workflow.transition(item, Status.SUBMITTED, author, now=when)
    if status != Status.SUBMITTED:
        workflow.transition(item, status, admin, reason_code=None if status == Status.VALID else "other",
                            message=None if status == Status.VALID else "Bổ sung", now=decided or when)
    db.session.flush()
    return item.id


def add_period(world, unit_key: str, first: date, last: date, goal: int = 10, **extra) -> int:
    found = factories.period(world.campaign, getattr(world, unit_key), first, last, goal=goal, **extra)
    db.session.commit()
    return found.id


def stripped(html: str) -> str:
    """A page without its CSRF tokens (the only part that differs from one request to the next)."""
    return TOKENS.sub(r"\1", html)


def period_of(period_id: int) -> Period:
    return db.session.get(Period, period_id)


@contextmanager
def counted_queries():
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


# --- the counting rule ---------------------------------------------------------------------------------------

def test_an_initiative_counts_in_every_period_whose_unit_and_window_contain_it(app, world):
    with app.app_context():
        week_a = add_period(world, "district_a", *WEEK)
        month = add_period(world, "province", date(2022, 5, 1), date(2022, 5, 31), name="Tháng cao điểm")
        union_week = add_period(world, "union_a1", *WEEK, name="Tuần của công đoàn A1")
        make(world, "member_a1", local(WEEK[0], 0, 5), Status.VALID)        # first minutes of the first day
        make(world, "member_a2", local(date(2022, 5, 12)))
        make(world, "member_a1", local(WEEK[1], 23, 55))                    # last minutes of the last day
        make(world, "member_a1", local(date(2022, 5, 8), 23, 55))           # the evening before: not in the week
        make(world, "member_a1", local(date(2022, 5, 16), 0, 5))            # the night after: not in the week
        make(world, "member_b1", local(date(2022, 5, 10)), Status.VALID)    # another district
        make(world, "member_b1", local(date(2022, 4, 30), 23, 55))          # before the month
        # First submitted in the week, returned and sent again after it: it never moves.
        moved = make(world, "member_a2", local(date(2022, 5, 14)), Status.RETURNED, decided=local(date(2022, 5, 20)))
        item = db.session.get(Initiative, moved)
        workflow.transition(item, Status.SUBMITTED, item.author, now=local(date(2022, 5, 21)))
        workflow.transition(item, Status.VALID, db.session.get(User, world.admin), now=local(date(2022, 5, 22)))
        db.session.commit()

        in_week = periods.figures(period_of(week_a))
        assert (in_week.submitted, in_week.valid, in_week.pending) == (4, 2, 2)
        in_union = periods.figures(period_of(union_week))
        assert (in_union.submitted, in_union.valid) == (2, 1)
        in_month = periods.figures(period_of(month))
        assert (in_month.submitted, in_month.valid) == (7, 3)  # May 1–31, district B included
        # The campaign counts every one of them, once.
        assert tallies.for_unit(world.campaign, world.province).submitted == 8
        # The figures are the cohort rows' sums, equal to a recount of the rule itself.
        counted = [i for i in db.session.scalars(select(Initiative))
                   if i.status in tallies.BUCKETS and db.session.get(Unit, world.district_a).contains(i.unit)
                   and WEEK[0] <= tallies.local_day(i.first_submitted_at) <= WEEK[1]]
        assert len(counted) == in_week.submitted


def test_overlapping_periods_of_different_units_never_interfere(app, world):
    with app.app_context():
        week_a = add_period(world, "district_a", *WEEK, goal=3)
        week_b = add_period(world, "district_b", date(2022, 5, 11), date(2022, 5, 17), goal=2)
        again_a = add_period(world, "district_a", date(2022, 5, 12), date(2022, 5, 13), goal=1, name="Hai ngày")
        make(world, "member_a1", local(date(2022, 5, 12)), Status.VALID)
        make(world, "member_b1", local(date(2022, 5, 12)), Status.VALID)
        db.session.commit()
        assert periods.figures(period_of(week_a)).valid == 1
        assert periods.figures(period_of(week_b)).valid == 1
        assert periods.figures(period_of(again_a)).valid == 1
        assert tallies.for_unit(world.campaign, world.province).valid == 2


# --- THE scenario of the issue -------------------------------------------------------------------------------

def test_a_district_week_changes_no_other_page_and_its_submissions_count_in_both(app, world, real_clock):
    real_clock.set_demo_date(date(2022, 5, 10))  # inside the campaign and the week: everything is running
    with app.app_context():
        make(world, "member_a1", local(date(2022, 5, 2)), Status.VALID, title="Sáng kiến có từ trước tuần")
        make(world, "member_b1", local(date(2022, 5, 3)), title="Sáng kiến của huyện Bê")
        db.session.commit()
    anonymous = app.test_client()
    member_b = app.test_client()
    login(member_b, world.member_b1_phone)
    reviewer = app.test_client()
    login(reviewer, world.reviewer_p_phone)
    province_organizer = app.test_client()
    login(province_organizer, world.organizer_p_phone)
    others = {
        "province top page": (anonymous, "/campaigns/thu"),
        "current campaign page": (anonymous, "/campaign"),
        "another district's unit page": (anonymous, f"/campaigns/thu/units/{world.district_b}"),
        "a union of another district": (anonymous, f"/campaigns/thu/units/{world.union_b1}"),
        "anonymous home page": (anonymous, "/"),
        "home of a member of another district": (member_b, "/"),
        "provincial reviewer's queue": (reviewer, "/review/"),
        "provincial weekly report": (province_organizer,
                                     f"/admin/campaigns/{world.campaign}/report?unit={world.province}"),
    }

    def pages():
        found = {}
        for name, (client, url) in others.items():
            response = client.get(url)
            assert response.status_code == 200, name
            found[name] = stripped(response.get_data(as_text=True))
        return found

    before = pages()
    organizer = app.test_client()
    login(organizer, world.organizer_a_phone)
    created = organizer.form(f"/admin/campaigns/{world.campaign}/periods/new", {
        "name": "Tuần cao điểm sáng kiến huyện Ả", "kind": "week", "unit_id": str(world.district_a),
        "start_date": "2022-05-09", "end_date": "2022-05-15", "goal": "5", "measure": "submitted"})
    assert created.status_code == 302, created.get_data(as_text=True)
    with app.app_context():
        week = db.session.scalar(select(Period))
        assert (week.unit_id, week.created_by_id, week.goal) == (world.district_a, world.organizer_a, 5)
        week_id = week.id
    after = pages()
    for name in others:
        assert after[name] == before[name], f"{name} changed when district A created its week"
    # District A's own pages show it next to the campaign.
    member_a = app.test_client()
    login(member_a, world.member_a1_phone)
    assert "Tuần cao điểm sáng kiến huyện Ả" in member_a.get("/").get_data(as_text=True)
    assert "Tuần cao điểm sáng kiến huyện Ả" in anonymous.get(f"/campaigns/thu/units/{world.district_a}").get_data(
        as_text=True)

    # A member of district A submits during the week, through the real form.
    title = "Sổ theo dõi điện tử cho tổ chuyên môn trường tiểu học"
    sent = member_a.form("/initiatives/new", complete(title=title, field="education",
                                                      submit_key=new_key(member_a)))
    assert sent.status_code == 302
    with app.app_context():
        # One submitted on 10/5 by district B, and the one of 2/5 by district A: the campaign counts both.
        make(world, "member_b1", local(date(2022, 5, 10)), title="Sáng kiến huyện Bê trong tuần")
        db.session.commit()
        assert tallies.for_unit(world.campaign, world.province).submitted == 4
        assert tallies.for_unit(world.campaign, world.district_a).pending == 1
        in_week = periods.figures(period_of(week_id))
        assert (in_week.submitted, in_week.pending, in_week.measured) == (1, 1, 1)
    assert title in reviewer.get("/review/").get_data(as_text=True)
    page = anonymous.get(f"/campaigns/thu/periods/{week_id}").get_data(as_text=True)
    assert "<strong>1</strong> đã gửi / 5" in page and "<strong>20%</strong> mục tiêu" in page
    assert str(periods.COUNTING_RULE) in page


# --- the period's rules --------------------------------------------------------------------------------------

def test_period_ranking_splits_the_goal_by_campaign_targets_and_ranks_by_the_campaign_rule(app, world):
    with app.app_context():
        month = add_period(world, "province", date(2022, 5, 1), date(2022, 5, 31), goal=10)
        for n in range(3):
            make(world, "member_a1", local(date(2022, 5, 3 + n)), Status.VALID)
            make(world, "member_b1", local(date(2022, 5, 10 + n)), Status.VALID)
        for day in (25, 26):  # before the month: the campaign counts them, the month does not
            make(world, "member_a2", local(date(2022, 4, day)), Status.VALID)
        db.session.commit()
        rows = periods.rank(period_of(month))
        # Targets A 60, B 40 → shares 6 and 4 of the goal: B's 3 is 75 %, A's 3 is 50 %.
        assert [(r.code, r.share, r.valid, r.rank) for r in rows] == [("B", 4.0, 3, 1), ("A", 6.0, 3, 2)]
        assert [round(r.progress, 2) for r in rows] == [0.75, 0.5]
        # The campaign ranks A first (5 of 60 against 3 of 40): the month has its own ranking.
        campaign = db.session.get(Campaign, world.campaign)
        assert [r.code for r in ranking.rank_children(campaign, campaign.unit)][0] == "A"
        # Without targets there are no shares: the count, then who reached it first (A's third came first).
        db.session.execute(delete(Target).where(Target.campaign_id == world.campaign,
                                                Target.unit_id.in_([world.district_a, world.district_b])))
        db.session.commit()
        rows = periods.rank(period_of(month))
        assert [(r.code, r.share) for r in rows] == [("A", None), ("B", None)]
        # Collectives are never ranked: under union A1 there is only a team.
        team_week = add_period(world, "union_a1", *WEEK)
        assert periods.rank(period_of(team_week)) == []


def test_pace_line_goes_from_zero_on_the_first_day_to_the_goal_on_the_last(app, client, world, real_clock):
    with app.app_context():
        week = add_period(world, "district_a", *WEEK, goal=12)
        one_day = add_period(world, "district_a", date(2022, 5, 20), date(2022, 5, 20), goal=4)
        found = period_of(week)
        assert periods.expected(found, WEEK[0]) == 0
        assert periods.expected(found, date(2022, 5, 12)) == 6
        assert periods.expected(found, WEEK[1]) == 12
        assert periods.expected(found, date(2022, 5, 1)) == 0 and periods.expected(found, date(2022, 5, 30)) == 12
        assert periods.expected(period_of(one_day), date(2022, 5, 20)) == 4
        make(world, "member_a1", local(date(2022, 5, 9)), Status.VALID)
        make(world, "member_a2", local(date(2022, 5, 11)), Status.VALID)
        db.session.commit()
        values = periods.series(found, date(2022, 5, 12))
        assert values.days == [date(2022, 5, d) for d in (9, 10, 11, 12)] and values.cumulative_valid == [1, 1, 2, 2]
        drawn = periods.chart(found, values)
        # The dashed line starts at 0 on the first day and ends at the goal on the last.
        assert drawn["goal_line"][0] == drawn["left"] and drawn["goal_line"][1] == drawn["axis_y"]
        assert drawn["goal_line"][2] == drawn["right"] and drawn["goal_line"][3] == drawn["goal_y"]
    real_clock.set_demo_date(date(2022, 5, 12))
    page = client.get(f"/campaigns/thu/periods/{week}").get_data(as_text=True)
    assert "cần 6 sáng kiến hợp lệ; hiện có 2" in page and "Chậm tiến độ" in page
    assert "<polyline" in page and "3 ngày" in page.replace("</strong> ", " ")


def test_result_panel_reached_best_units_and_who_improved_most(app, client, world, real_clock):
    with app.app_context():
        week = add_period(world, "province", *WEEK, goal=5)
        before = date(2022, 5, 2)  # inside the 7 days just before the week (2/5 – 8/5)
        for n in range(4):
            make(world, "member_a1", local(before + timedelta(days=n)), Status.VALID)
        for n in range(3):
            make(world, "member_a1", local(WEEK[0] + timedelta(days=n)), Status.VALID)
        for n in range(2):
            make(world, "member_b1", local(WEEK[0] + timedelta(days=n)), Status.VALID)
        make(world, "member_b1", local(date(2022, 5, 1)), Status.VALID)  # 8 days before: outside the comparison
        db.session.commit()
        found = period_of(week)
        assert periods.previous_window(found) == (date(2022, 5, 2), date(2022, 5, 8))
        rows = periods.with_before(found, periods.rank(found))
        assert {r.code: (r.before, r.measured, r.increase) for r in rows} == {"A": (4, 3, -1), "B": (0, 2, 2)}
        outcome = periods.result(found, periods.figures(found), rows)
        assert outcome.reached  # 5 of 5
        assert [r.code for r in outcome.best] == ["A", "B"]  # both 100 % of their share (3 and 2): A counts more
        assert [r.code for r in outcome.improved] == ["B"]  # A went down: not an improvement
        # One fewer valid: not reached.
        found.goal = 6
        assert not periods.result(found, periods.figures(found), rows).reached
        db.session.rollback()
    real_clock.set_demo_date(date(2022, 5, 12))
    assert "Kết quả của đợt" not in client.get(f"/campaigns/thu/periods/{week}").get_data(as_text=True)
    real_clock.set_demo_date(date(2022, 5, 20))
    page = client.get(f"/campaigns/thu/periods/{week}").get_data(as_text=True)
    assert "Kết quả của đợt" in page and "Đã đạt mục tiêu: 5 / 5" in page
    improved = page[page.index("Tiến bộ nhất</h3>"):]
    assert "LĐLĐ huyện Bê: +2" in improved and "LĐLĐ huyện Ả: +" not in improved
    assert "02/05/2022 – 08/05/2022" in improved  # the rule, with the window it compares with


def test_closing_keeps_the_final_result_which_the_archive_shows(app, world, real_clock):
    with app.app_context():
        week = add_period(world, "district_a", *WEEK, goal=2, name="Tuần cao điểm huyện Ả")
        other = add_period(world, "district_b", *WEEK, goal=2, name="Tuần cao điểm huyện Bê")
        later = make(world, "member_a1", local(date(2022, 5, 10)))
        make(world, "member_a2", local(date(2022, 5, 11)), Status.VALID)
        db.session.commit()
    organizer = app.test_client()
    login(organizer, world.organizer_a_phone)
    real_clock.set_demo_date(date(2022, 5, 15))  # the last day: too early
    refused = organizer.form(f"/admin/periods/{week}/close", follow_redirects=True)
    assert "Chỉ chốt kết quả sau ngày kết thúc" in refused.get_data(as_text=True)
    with app.app_context():
        assert period_of(week).closed_at is None
    real_clock.set_demo_date(date(2022, 5, 16))
    done = organizer.form(f"/admin/periods/{week}/close", follow_redirects=True)
    assert "Đã chốt kết quả" in done.get_data(as_text=True)
    assert "Đợt này đã được chốt kết quả." in organizer.form(f"/admin/periods/{week}/close",
                                                           follow_redirects=True).get_data(as_text=True)
    with app.app_context():
        closed = period_of(week)
        assert closed.closed_at is not None and closed.final_snapshot["figures"]["valid"] == 1
        # A late decision on an initiative of the week: the live figures move, the closed result does not.
        item = db.session.get(Initiative, later)
        workflow.transition(item, Status.VALID, db.session.get(User, world.admin), now=local(date(2022, 5, 18)))
        db.session.commit()
        assert periods.figures(closed).valid == 2
    anonymous = app.test_client()
    page = anonymous.get(f"/campaigns/thu/periods/{week}").get_data(as_text=True)
    assert "Kết quả của đợt đã chốt" in page and "Chưa đạt mục tiêu: 1 / 2" in page
    # A closed period is not edited any more.
    edit = organizer.form(f"/admin/periods/{week}/edit", {
        "name": "Đổi tên", "kind": "week", "unit_id": str(world.district_a), "start_date": "2022-05-09",
        "end_date": "2022-05-15", "goal": "9", "measure": "valid"})
    assert edit.status_code == 200 and "không sửa được" in edit.get_data(as_text=True)
    real_clock.set_demo_date(date(2022, 6, 5))  # the campaign has ended too
    archive = anonymous.get("/archive").get_data(as_text=True)
    assert "Chiến dịch thử" in archive and "chưa được chốt" in archive  # the campaign's ranking is live, marked
    closed_part = archive[archive.index("Tuần cao điểm huyện Ả"):]
    assert "1 / 2" in closed_part[:600] and "đã chốt lúc" in closed_part[:600]
    live_part = archive[archive.index("Tuần cao điểm huyện Bê"):]
    assert "chưa chốt, số liệu hiện tại" in live_part[:600]
    with app.app_context():
        ranking.freeze(db.session.get(Campaign, world.campaign))
        db.session.commit()
    assert "Bảng xếp hạng cuối cùng, đã chốt lúc" in anonymous.get("/archive").get_data(as_text=True)
    real_clock.set_demo_date(date(2022, 5, 12))  # before the end nothing is archived
    early = anonymous.get("/archive").get_data(as_text=True)
    assert "Chiến dịch thử" not in early and "Tuần cao điểm huyện Bê" not in early
    assert other


# --- who may run periods -------------------------------------------------------------------------------------

@pytest.fixture
def organizer_b(app, world):
    with app.app_context():
        person = factories.user("Vừ A Bảy", "0911000020", Role.ORGANIZER, db.session.get(Unit, world.union_b1),
                                db.session.get(Unit, world.district_b))
        db.session.commit()
        return person.phone


def period_form(unit_id: int, **overrides) -> dict:
    return {"name": "Tuần cao điểm", "kind": "week", "unit_id": str(unit_id), "start_date": "2022-05-09",
            "end_date": "2022-05-15", "goal": "10", "measure": "valid"} | overrides


def count_periods(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Period))


def test_a_district_organizer_runs_periods_of_their_subtree_only(app, world, organizer_b):
    with app.app_context():
        week_a = add_period(world, "district_a", *WEEK, name="Tuần của huyện Ả")
        month = add_period(world, "province", date(2022, 5, 1), date(2022, 5, 31), name="Tháng của tỉnh")
    client = app.test_client()
    login(client, organizer_b)
    new = f"/admin/campaigns/{world.campaign}/periods/new"
    assert client.form(new, period_form(world.district_a)).status_code == 403
    assert client.form(new, period_form(world.union_a1)).status_code == 403
    assert client.form(new, period_form(world.province)).status_code == 403
    assert client.get(f"/admin/periods/{week_a}/edit").status_code == 404
    assert client.form(f"/admin/periods/{week_a}/edit", period_form(world.district_b)).status_code == 404
    assert client.form(f"/admin/periods/{week_a}/close").status_code == 404
    assert client.form(f"/admin/periods/{month}/close").status_code == 404
    assert count_periods(app) == 2
    listing = client.get(f"/admin/campaigns/{world.campaign}/periods").get_data(as_text=True)
    assert "Tuần của huyện Ả" not in listing and "Tháng của tỉnh" not in listing
    # Their own district: yes, and the form offers only it.
    form_page = client.get(new).get_data(as_text=True)
    assert "LĐLĐ huyện Bê" in form_page and "LĐLĐ huyện Ả" not in form_page
    assert client.form(new, period_form(world.district_b, name="Tuần của huyện Bê")).status_code == 302
    with app.app_context():
        own = db.session.scalar(select(Period.id).where(Period.unit_id == world.district_b))
    # ... but not move it to another district.
    assert client.form(f"/admin/periods/{own}/edit", period_form(world.district_a)).status_code == 403
    with app.app_context():
        assert period_of(own).unit_id == world.district_b
    assert "Tuần của huyện Bê" in client.get(f"/admin/campaigns/{world.campaign}/periods").get_data(as_text=True)
    # An admin whose home unit is in district A runs one for district B; the province organizer for district A.
    with app.app_context():
        factories.user("Quản Trị Cơ Sở", "0911000021", Role.ADMIN, db.session.get(Unit, world.union_a1))
        db.session.commit()
    admin = app.test_client()
    login(admin, "0911000021")
    assert admin.form(new, period_form(world.district_b, name="Tuần của quản trị")).status_code == 302
    province = app.test_client()
    login(province, world.organizer_p_phone)
    assert province.form(f"/admin/periods/{week_a}/edit", period_form(world.district_a, goal="7")).status_code == 302
    with app.app_context():
        assert period_of(week_a).goal == 7
    assert count_periods(app) == 4
    # The admin index links to the campaign's periods.
    assert f"/admin/campaigns/{world.campaign}/periods" in province.get("/admin/").get_data(as_text=True)


@pytest.mark.parametrize("overrides, message", [
    ({"end_date": "2022-05-01"}, "Ngày kết thúc không được trước ngày bắt đầu."),
    ({"start_date": "2022-04-01", "end_date": "2022-04-07"}, "Phải trong thời gian của chiến dịch (22/04/2022"),
    ({"end_date": "2022-06-07"}, "Phải trong thời gian của chiến dịch"),
    ({"goal": "0"}, "Mục tiêu là một số nguyên từ 1 trở lên."),
    ({"goal": "99999999999"}, "Số quá lớn."),
    ({"goal": "-3"}, "Mục tiêu là một số nguyên từ 1 trở lên."),
    ({"start_date": "2022-02-30"}, "Ngày không hợp lệ"),
    ({"name": "Tuần\x00 cao điểm"}, "ký tự NUL"),
    ({"description": "Mô tả\x00"}, "ký tự NUL"),
    ({"name": "x" * 201}, "Tối đa 200 ký tự"),
    ({"kind": "forever"}, "Vui lòng chọn một mục trong danh sách."),
    ({"measure": "likes"}, "Vui lòng chọn một mục trong danh sách."),
    ({"unit_id": "99999999999999"}, "Vui lòng chọn một mục trong danh sách."),
])
def test_hostile_period_input_gets_a_clear_message_and_keeps_what_was_typed(app, world, overrides, message):
    client = app.test_client()
    login(client, world.organizer_a_phone)
    data = period_form(world.district_a, name="Tuần cao điểm ngành Giáo dục", description="Đẩy mạnh",
                       goal="17") | overrides
    response = client.form(f"/admin/campaigns/{world.campaign}/periods/new", data)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and message in body
    for name, value in data.items():
        if "\x00" not in value and name not in ("kind", "measure", "unit_id"):
            assert value in body, name  # what was typed is still in the form
    assert count_periods(app) == 0


def test_the_domain_check_refuses_units_outside_the_campaign(app, world):
    with app.app_context():
        campaign = db.session.get(Campaign, world.campaign)
        outside = create_unit("LĐLĐ tỉnh Khác", "Q", UnitKind.PROVINCE)
        team = db.session.get(Unit, world.team_a1)
        ok = db.session.get(Unit, world.district_a)
        assert periods.problems(campaign, ok, *WEEK, 10) == {}
        assert set(periods.problems(campaign, outside, *WEEK, 10)) == {"unit_id"}
        assert set(periods.problems(campaign, team, *WEEK, 10)) == {"unit_id"}
        assert set(periods.problems(campaign, ok, *WEEK, 2**31)) == {"goal"}
        assert set(periods.problems(campaign, ok, WEEK[1], WEEK[0], 0)) == {"end_date", "goal"}


# --- what each page lists ------------------------------------------------------------------------------------

def test_each_unit_page_and_home_page_lists_the_running_periods_of_its_units(app, world, real_clock):
    real_clock.set_demo_date(date(2022, 5, 10))
    with app.app_context():
        add_period(world, "province", date(2022, 5, 1), date(2022, 5, 31), name="Tháng cao điểm toàn tỉnh")
        add_period(world, "district_a", *WEEK, name="Tuần cao điểm huyện Ả")
        add_period(world, "district_b", *WEEK, name="Tuần cao điểm huyện Bê")
        add_period(world, "union_a2", *WEEK, name="Tuần của trạm y tế")
        add_period(world, "district_a", date(2022, 5, 16), date(2022, 5, 22), name="Tuần sau của huyện Ả")
        add_period(world, "district_a", date(2022, 4, 25), date(2022, 5, 1), name="Tuần trước của huyện Ả")
        factories.user("Hà Văn Trống", "0911000014", Role.REVIEWER, None)
        db.session.commit()
    names = ("Tháng cao điểm toàn tỉnh", "Tuần cao điểm huyện Ả", "Tuần cao điểm huyện Bê", "Tuần của trạm y tế",
             "Tuần sau của huyện Ả", "Tuần trước của huyện Ả")

    def shown(client, url):
        body = client.get(url).get_data(as_text=True)
        return {name for name in names if name in body}

    anonymous = app.test_client()
    assert shown(anonymous, "/campaigns/thu") == {"Tháng cao điểm toàn tỉnh"}
    assert shown(anonymous, "/campaign") == {"Tháng cao điểm toàn tỉnh"}
    assert shown(anonymous, f"/campaigns/thu/units/{world.district_a}") == {
        "Tháng cao điểm toàn tỉnh", "Tuần cao điểm huyện Ả"}
    assert shown(anonymous, f"/campaigns/thu/units/{world.union_a2}") == {
        "Tháng cao điểm toàn tỉnh", "Tuần cao điểm huyện Ả", "Tuần của trạm y tế"}
    assert shown(anonymous, f"/campaigns/thu/units/{world.district_b}") == {
        "Tháng cao điểm toàn tỉnh", "Tuần cao điểm huyện Bê"}
    assert shown(anonymous, "/") == {"Tháng cao điểm toàn tỉnh"}
    homes = {
        "member_a1_phone": {"Tháng cao điểm toàn tỉnh", "Tuần cao điểm huyện Ả"},
        "helper_a1_phone": {"Tháng cao điểm toàn tỉnh", "Tuần cao điểm huyện Ả"},
        "member_a2_phone": {"Tháng cao điểm toàn tỉnh", "Tuần cao điểm huyện Ả", "Tuần của trạm y tế"},
        "member_b1_phone": {"Tháng cao điểm toàn tỉnh", "Tuần cao điểm huyện Bê"},
        # District A staff (home unit in district A): their scope's, above it and inside it.
        "reviewer_a_phone": {"Tháng cao điểm toàn tỉnh", "Tuần cao điểm huyện Ả", "Tuần của trạm y tế"},
        "organizer_a_phone": {"Tháng cao điểm toàn tỉnh", "Tuần cao điểm huyện Ả", "Tuần của trạm y tế"},
        # Province staff whose home union is in district B: everything running in the province.
        "organizer_p_phone": {"Tháng cao điểm toàn tỉnh", "Tuần cao điểm huyện Ả", "Tuần cao điểm huyện Bê",
                              "Tuần của trạm y tế"},
        "admin_phone": {"Tháng cao điểm toàn tỉnh", "Tuần cao điểm huyện Ả", "Tuần cao điểm huyện Bê",
                        "Tuần của trạm y tế"},
        "0911000014": set(),  # a reviewer with neither unit nor scope
    }
    for phone, expected in homes.items():
        client = app.test_client()
        login(client, getattr(world, phone, phone))
        assert shown(client, "/") == expected, phone
    # A period's page links back to its unit's campaign page.
    with app.app_context():
        week = db.session.scalar(select(Period).where(Period.name == "Tuần cao điểm huyện Ả"))
    page = anonymous.get(f"/campaigns/thu/periods/{week.id}").get_data(as_text=True)
    assert f"/campaigns/thu/units/{world.district_a}" in page
    assert anonymous.get(f"/campaigns/cu-khong-co/periods/{week.id}").status_code == 404


def test_a_period_is_shown_only_under_its_own_campaign(app, world):
    with app.app_context():
        week = add_period(world, "district_a", *WEEK)
        db.session.add(Campaign(slug="khac", name="Chiến dịch khác", unit_id=world.province,
                                start_date=date(2021, 1, 1), end_date=date(2021, 2, 1), goal=5))
        db.session.commit()
    client = app.test_client()
    assert client.get(f"/campaigns/thu/periods/{week}").status_code == 200
    assert client.get(f"/campaigns/khac/periods/{week}").status_code == 404
    assert client.get("/campaigns/thu/periods/2147483648").status_code == 404


# --- cost ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("state_day", [date(2022, 5, 12), date(2022, 5, 20)], ids=["running", "ended"])
def test_the_period_page_reads_a_fixed_number_of_rows_whatever_the_number_of_units(app, world, real_clock,
                                                                                  state_day):
    real_clock.set_demo_date(state_day)
    with app.app_context():
        province = db.session.get(Unit, world.province)
        small = create_unit("LĐLĐ huyện Nhỏ", "S", UnitKind.DISTRICT, province)
        large = create_unit("LĐLĐ huyện Lớn", "L", UnitKind.DISTRICT, province)
        made = {}
        for district, size in ((small, 2), (large, 20)):
            unions = [create_unit(f"CĐCS {district.code}{n}", f"{district.code}{n}", UnitKind.GRASSROOTS, district)
                      for n in range(size)]
            for union in unions[:2]:
                db.session.add(Target(campaign_id=world.campaign, unit_id=union.id, count=10))
                author = factories.user(f"Đoàn viên {union.code}", f"09120000{len(made)}{union.code[-1]}",
                                        Role.MEMBER, union)
                item = factories.initiative(world.campaign, author, title=f"Sáng kiến của {union.code}")
                workflow.transition(item, Status.SUBMITTED, author, now=local(date(2022, 5, 10)))
                workflow.transition(item, Status.VALID, db.session.get(User, world.admin),
                                    now=local(date(2022, 5, 11)))
            made[size] = factories.period(world.campaign, district.id, *WEEK, goal=4).id
        db.session.commit()
    client = app.test_client()
    counts = {}
    for size, period_id in made.items():
        client.get(f"/campaigns/thu/periods/{period_id}")  # warm-up: nothing cached is measured
        with app.app_context(), counted_queries() as statements:
            response = client.get(f"/campaigns/thu/periods/{period_id}")
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert body.count('class="num lead"') == size
        counts[size] = len(statements)
    assert counts[2] == counts[20] and counts[2] <= 10, counts
