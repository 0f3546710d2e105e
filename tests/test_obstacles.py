"""The obstacle log (vướng mắc, DESIGN §11) through the app: a grassroots union's support team raises a difficulty,
the unit above answers it, the raiser follows up or marks it resolved; each step tells the other side in the same
transaction, nobody of another district sees it, and hostile input never loses what was typed."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.domain import obstacles
from app.extensions import db
from app.models import Notification, Obstacle, ObstacleStatus, Role, Unit, User

from . import factories
from .conftest import login
from .queries import counted

TITLE = "Đoàn viên chưa biết ghi hiệu quả sáng kiến"
BODY = "Khối văn phòng có 12 đoàn viên không biết ghi số liệu hiệu quả, cần huyện hướng dẫn mẫu."


@pytest.fixture
def people(app, world):
    """The world plus an organizer of district B (who must see nothing of district A) and a district-A leader."""
    with app.app_context():
        district_b = db.session.get(Unit, world.district_b)
        union_b1 = db.session.get(Unit, world.union_b1)
        organizer_b = factories.user("Vi Tổ Chức Bê", "0911000020", Role.ORGANIZER, union_b1, district_b)
        db.session.commit()
        world.organizer_b = organizer_b.id
        world.organizer_b_phone = organizer_b.phone
    return world


def notes(app, user_id: int, kind: str | None = None) -> list[Notification]:
    with app.app_context():
        stmt = select(Notification).where(Notification.user_id == user_id)
        if kind:
            stmt = stmt.where(Notification.kind == kind)
        found = list(db.session.scalars(stmt.order_by(Notification.id)))
        db.session.expunge_all()
        return found


def note_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Notification)) or 0


def the_obstacle(app, obstacle_id: int) -> Obstacle:
    with app.app_context():
        found = db.session.get(Obstacle, obstacle_id)
        found.replies  # noqa: B018 (loaded before the session ends)
        db.session.expunge_all()
        return found


def raise_one(client, title: str = TITLE, body: str = BODY) -> int:
    response = client.form("/support/obstacles/new", {"title": title, "body": body, "campaign_id": "0"})
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    return int(re.search(r"/support/obstacles/(\d+)$", response.location).group(1))


def as_user(app, phone: str):
    client = app.test_client()
    login(client, phone)
    return client


# --- the whole loop ------------------------------------------------------------------------------------------

def test_the_whole_loop_tells_each_side(app, people, real_clock):
    real_clock.set_demo_date(date(2022, 5, 10))
    helper = as_user(app, people.helper_a1_phone)
    page = helper.get("/support/obstacles/new").get_data(as_text=True)
    assert "LĐLĐ huyện Ả" in page and "17/05/2022" in page  # who answers, and by when (7 days)
    obstacle_id = raise_one(helper)
    made = the_obstacle(app, obstacle_id)
    assert (made.unit_id, made.answer_unit_id, made.raised_by_id) == (people.union_a1, people.district_a,
                                                                        people.helper_a1)
    assert made.status == ObstacleStatus.OPEN and made.owner_id is None and made.due_date == date(2022, 5, 17)
    # Nobody owns it (district A has no leader in charge): district A's organizers are told; not the raiser.
    raised = notes(app, people.organizer_a, "obstacle_raised")
    assert len(raised) == 1 and raised[0].link == f"/support/obstacles/{obstacle_id}"
    assert raised[0].params["unit"] == "CĐCS Trường Tiểu học Sìn Hồ" and raised[0].params["due"] == "17/05/2022"
    assert notes(app, people.helper_a1) == []
    assert notes(app, people.organizer_p) == []  # the province organizer works on the province, not district A

    organizer = as_user(app, people.organizer_a_phone)
    listing = organizer.get("/support/").get_data(as_text=True)
    assert TITLE in listing
    response = organizer.form(f"/support/obstacles/{obstacle_id}/answer",
                              {"body": "Huyện gửi mẫu ghi hiệu quả kèm ví dụ trong tuần này."})
    assert response.status_code == 302
    answered = the_obstacle(app, obstacle_id)
    assert answered.status == ObstacleStatus.ANSWERED and answered.owner_id == people.organizer_a
    told = notes(app, people.helper_a1, "obstacle_answered")
    assert len(told) == 1 and told[0].params["by"] == "Đỗ Tổ Chức"

    detail = helper.get(f"/support/obstacles/{obstacle_id}").get_data(as_text=True)
    assert "Huyện gửi mẫu ghi hiệu quả" in detail
    assert helper.form(f"/support/obstacles/{obstacle_id}/followup",
                       {"body": "Mẫu cho khối hành chính có khác khối sản xuất không?"}).status_code == 302
    assert the_obstacle(app, obstacle_id).status == ObstacleStatus.OPEN  # open again
    assert len(notes(app, people.organizer_a, "obstacle_followup")) == 1

    assert organizer.form(f"/support/obstacles/{obstacle_id}/answer",
                          {"body": "Có: khối hành chính ghi thời gian tiết kiệm."}).status_code == 302
    assert len(notes(app, people.helper_a1, "obstacle_answered")) == 2
    assert helper.form(f"/support/obstacles/{obstacle_id}/resolve", {"body": "Đã rõ, cảm ơn."}).status_code == 302
    done = the_obstacle(app, obstacle_id)
    assert done.status == ObstacleStatus.RESOLVED and done.resolved_at is not None
    assert [reply.body for reply in done.replies][-1] == "Đã rõ, cảm ơn."
    assert len(notes(app, people.organizer_a, "obstacle_resolved")) == 1

    # Once resolved: answering again is explained, writes nothing, tells nobody.
    before = note_count(app)
    response = organizer.form(f"/support/obstacles/{obstacle_id}/answer", {"body": "Bổ sung thêm."})
    assert response.status_code == 200 and "đã được giải quyết" in response.get_data(as_text=True)
    assert len(the_obstacle(app, obstacle_id).replies) == len(done.replies)
    assert note_count(app) == before


def test_the_leader_in_charge_owns_it_and_alone_is_told(app, people):
    with app.app_context():
        db.session.get(Unit, people.district_a).leader_id = people.reviewer_a
        db.session.commit()
    obstacle_id = raise_one(as_user(app, people.helper_a1_phone))
    assert the_obstacle(app, obstacle_id).owner_id == people.reviewer_a
    assert len(notes(app, people.reviewer_a, "obstacle_raised")) == 1
    assert notes(app, people.organizer_a) == []  # the owner is told, not the whole team
    # The leader answers (any staff role may lead); a follow-up goes to the owner only.
    leader = as_user(app, people.reviewer_a_phone)
    assert leader.form(f"/support/obstacles/{obstacle_id}/answer", {"body": "Xem hướng dẫn số 3."}).status_code == 302
    helper = as_user(app, people.helper_a1_phone)
    assert helper.form(f"/support/obstacles/{obstacle_id}/followup", {"body": "Chưa thấy."}).status_code == 302
    assert len(notes(app, people.reviewer_a, "obstacle_followup")) == 1
    assert notes(app, people.organizer_a) == []


def test_a_leader_without_a_staff_role_answers_too(app, people):
    """The leader in charge may hold any role: a member named leader of district A sees and answers."""
    with app.app_context():
        db.session.get(Unit, people.district_a).leader_id = people.member_a2
        db.session.commit()
    obstacle_id = raise_one(as_user(app, people.helper_a1_phone))
    leader = as_user(app, "0911000004")
    assert TITLE in leader.get("/support/").get_data(as_text=True)
    assert leader.form(f"/support/obstacles/{obstacle_id}/answer", {"body": "Sẽ hỗ trợ."}).status_code == 302
    assert the_obstacle(app, obstacle_id).status == ObstacleStatus.ANSWERED


# --- who sees what --------------------------------------------------------------------------------------------

def test_another_district_gets_404_everywhere_and_writes_nothing(app, people):
    obstacle_id = raise_one(as_user(app, people.helper_a1_phone))
    before = note_count(app)
    outsider = as_user(app, people.organizer_b_phone)
    assert TITLE not in outsider.get("/support/").get_data(as_text=True)
    assert outsider.get(f"/support/obstacles/{obstacle_id}").status_code == 404
    for action in ("answer", "followup", "resolve", "assign"):
        response = outsider.form(f"/support/obstacles/{obstacle_id}/{action}", {"body": "Trộm", "take": "1"})
        assert response.status_code == 404, action
    helper_b = as_user(app, "0911000006")
    assert helper_b.get(f"/support/obstacles/{obstacle_id}").status_code == 404
    member = as_user(app, people.member_a1_phone)  # a member of the same union is not its support team
    assert member.get(f"/support/obstacles/{obstacle_id}").status_code == 404
    assert member.get("/support/").status_code == 403
    made = the_obstacle(app, obstacle_id)
    assert made.status == ObstacleStatus.OPEN and made.replies == [] and made.owner_id is None
    assert note_count(app) == before


def test_staff_above_see_and_answer_admins_everywhere(app, people):
    obstacle_id = raise_one(as_user(app, people.helper_a1_phone))
    for phone in (people.reviewer_a_phone, people.organizer_p_phone, people.admin_phone):
        client = as_user(app, phone)
        assert TITLE in client.get("/support/").get_data(as_text=True), phone
        assert client.get(f"/support/obstacles/{obstacle_id}").status_code == 200, phone
    admin = as_user(app, people.admin_phone)
    assert admin.form(f"/support/obstacles/{obstacle_id}/answer", {"body": "Quản trị trả lời."}).status_code == 302


def test_refused_steps_tell_nobody(app, people):
    helper = as_user(app, people.helper_a1_phone)
    obstacle_id = raise_one(helper)
    before = note_count(app)
    # The raiser does not answer their own obstacle; the unit above does not follow up or resolve it.
    assert helper.form(f"/support/obstacles/{obstacle_id}/answer", {"body": "Tự trả lời"}).status_code == 403
    assert helper.form(f"/support/obstacles/{obstacle_id}/assign", {"take": "1"}).status_code == 403
    organizer = as_user(app, people.organizer_a_phone)
    assert organizer.form(f"/support/obstacles/{obstacle_id}/followup", {"body": "Hỏi hộ"}).status_code == 403
    assert organizer.form(f"/support/obstacles/{obstacle_id}/resolve", {}).status_code == 403
    # Only a grassroots union's own people raise: a district organizer cannot.
    assert organizer.get("/support/obstacles/new").status_code == 403
    assert organizer.form("/support/obstacles/new", {"title": TITLE, "body": BODY}).status_code == 403
    made = the_obstacle(app, obstacle_id)
    assert made.status == ObstacleStatus.OPEN and made.replies == []
    assert note_count(app) == before
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Obstacle)) == 1


# --- owner and due date ---------------------------------------------------------------------------------------

def test_the_unit_above_reassigns_and_moves_the_due_date(app, people):
    with app.app_context():
        db.session.get(Unit, people.district_a).adviser_id = people.reviewer_a
        db.session.commit()
    obstacle_id = raise_one(as_user(app, people.helper_a1_phone))
    organizer = as_user(app, people.organizer_a_phone)
    page = organizer.get(f"/support/obstacles/{obstacle_id}").get_data(as_text=True)
    assert "Lê Thẩm Định" in page and "Tôi phụ trách" in page  # the adviser is offered; nobody owns it yet
    new_due = (clock.today() + timedelta(days=20)).isoformat()
    told_before = len(notes(app, people.reviewer_a, "obstacle_raised"))
    response = organizer.form(f"/support/obstacles/{obstacle_id}/assign",
                              {"owner_id": str(people.reviewer_a), "due_date": new_due})
    assert response.status_code == 302
    made = the_obstacle(app, obstacle_id)
    assert made.owner_id == people.reviewer_a and made.due_date.isoformat() == new_due
    assert len(notes(app, people.reviewer_a, "obstacle_raised")) == told_before + 1  # the new owner is told
    # Someone outside the unit above cannot be made owner: the form says so, nothing changes.
    response = organizer.form(f"/support/obstacles/{obstacle_id}/assign",
                              {"owner_id": str(people.organizer_b), "due_date": new_due})
    assert response.status_code == 400 and "Vui lòng chọn một mục trong danh sách" in response.get_data(as_text=True)
    assert the_obstacle(app, obstacle_id).owner_id == people.reviewer_a


def test_someone_above_takes_an_unowned_obstacle(app, people):
    obstacle_id = raise_one(as_user(app, people.helper_a1_phone))
    province = as_user(app, people.organizer_p_phone)
    assert province.form(f"/support/obstacles/{obstacle_id}/assign", {"take": "1"}).status_code == 302
    assert the_obstacle(app, obstacle_id).owner_id == people.organizer_p
    # From now on the follow-up goes to the one who took it.
    helper = as_user(app, people.helper_a1_phone)
    helper.form(f"/support/obstacles/{obstacle_id}/followup", {"body": "Xin trả lời sớm."})
    assert len(notes(app, people.organizer_p, "obstacle_followup")) == 1
    assert notes(app, people.organizer_a, "obstacle_followup") == []


# --- hostile input -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/support/obstacles/2147483648", "/support/obstacles/99999999999999999999",
                                  "/support/obstacles/0", "/support/units/2147483648/gap"])
def test_huge_ids_are_not_found(app, people, path):
    assert as_user(app, people.admin_phone).get(path).status_code == 404


def test_hostile_input_is_explained_and_what_was_typed_is_kept(app, people):
    helper = as_user(app, people.helper_a1_phone)
    typed = "Máy tính của công đoàn hỏng, không nhập được sáng kiến"
    response = helper.form("/support/obstacles/new", {"title": typed, "body": "Hỏng\x00 ổ cứng", "campaign_id": "0"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "ký tự NUL" in page and typed in page
    response = helper.form("/support/obstacles/new", {"title": typed})  # the body is missing
    assert response.status_code == 400 and "Vui lòng mô tả vướng mắc" in response.get_data(as_text=True)
    assert typed in response.get_data(as_text=True)
    long_body = "Rất dài. " * 700
    response = helper.form("/support/obstacles/new", {"title": "x" * 250, "body": long_body})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "không quá 200 ký tự" in page and "không quá 5.000 ký tự" in page
    assert long_body.strip() in page
    response = helper.form("/support/obstacles/new", {"title": typed, "body": BODY, "campaign_id": "99999999999"})
    assert response.status_code == 400 and typed in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Obstacle)) == 0
    obstacle_id = raise_one(helper)
    response = helper.form(f"/support/obstacles/{obstacle_id}/followup", {"body": "Hỏi\x00 thêm về mẫu"})
    assert response.status_code == 400 and "Hỏi" in response.get_data(as_text=True)
    response = helper.form(f"/support/obstacles/{obstacle_id}/followup", {})
    assert response.status_code == 400 and "Vui lòng nhập nội dung" in response.get_data(as_text=True)
    organizer = as_user(app, people.organizer_a_phone)
    answer = "Trả lời dài " * 600
    response = organizer.form(f"/support/obstacles/{obstacle_id}/answer", {"body": answer})
    assert response.status_code == 400 and answer.strip() in response.get_data(as_text=True)
    for data in ({"owner_id": "2147483648", "due_date": "2022-05-20"}, {"owner_id": "abc", "due_date": "x"},
                 {"owner_id": "0", "due_date": "9999-12-31"}, {"owner_id": "0\x00", "due_date": "2022-05-20\x00"}):
        response = organizer.form(f"/support/obstacles/{obstacle_id}/assign", data)
        assert response.status_code == 400, data
    assert organizer.get("/support/?page=99999999999999&status=%00open").status_code == 200
    made = the_obstacle(app, obstacle_id)
    assert made.replies == [] and made.status == ObstacleStatus.OPEN


# --- the lists ------------------------------------------------------------------------------------------------

def test_the_list_puts_open_first_marks_overdue_filters_and_pages(app, people, real_clock):
    real_clock.set_demo_date(date(2022, 5, 1))
    with app.app_context():
        union, helper = db.session.get(Unit, people.union_a1), db.session.get(User, people.helper_a1)
        made = [obstacles.raise_obstacle(union, helper, f"Vướng mắc số {n:02d}", BODY) for n in range(25)]
        made[0].status = ObstacleStatus.RESOLVED
        made[1].status = ObstacleStatus.ANSWERED
        made[2].due_date = date(2022, 4, 20)  # long overdue: first of the open ones
        db.session.commit()
    real_clock.set_demo_date(date(2022, 5, 9))  # everything raised on 1 May is now overdue (due 8 May)
    organizer = as_user(app, people.organizer_a_phone)
    page = organizer.get("/support/").get_data(as_text=True)
    rows = re.findall(r"Vướng mắc số (\d\d)", page)
    assert rows[0] == "02" and len(rows) == 20 and "00" not in rows and "01" not in rows
    assert "quá hạn" in page and 'rel="next"' in page
    second = re.findall(r"Vướng mắc số (\d\d)", organizer.get("/support/?page=2").get_data(as_text=True))
    assert second[-2:] == ["01", "00"] and len(second) == 5  # the last open ones, then answered, then resolved
    assert set(rows) | set(second) == {f"{n:02d}" for n in range(25)}
    resolved = organizer.get("/support/?status=resolved").get_data(as_text=True)
    assert re.findall(r"Vướng mắc số (\d\d)", resolved) == ["00"]


def test_open_obstacles_appear_at_giao_ban(app, people):
    helper = as_user(app, people.helper_a1_phone)
    open_id = raise_one(helper, "Chưa có mẫu biên bản nghiệm thu")
    closed_id = raise_one(helper, "Không đăng nhập được")
    helper.form(f"/support/obstacles/{closed_id}/resolve", {})
    with app.app_context():
        listed = obstacles.open_for(db.session.get(Unit, people.district_a))
        assert [item.id for item in listed.items] == [open_id] and listed.total == 1
        assert obstacles.open_for(db.session.get(Unit, people.district_b)).total == 0
        assert obstacles.open_for(db.session.get(Unit, people.province)).total == 1  # raised below the province
    organizer = as_user(app, people.organizer_a_phone)
    page = organizer.get(f"/admin/campaigns/{people.campaign}/report?unit={people.district_a}").get_data(as_text=True)
    assert "Vướng mắc chưa giải quyết" in page and "Chưa có mẫu biên bản nghiệm thu" in page
    assert "Không đăng nhập được" not in page
    province = as_user(app, people.organizer_p_phone)
    page = province.get(f"/admin/campaigns/{people.campaign}/report?unit={people.district_b}").get_data(as_text=True)
    assert "Chưa có mẫu biên bản nghiệm thu" not in page


# --- budget and language --------------------------------------------------------------------------------------

def test_obstacle_pages_stay_within_the_query_budget(app, people):
    with app.app_context():
        union, helper = db.session.get(Unit, people.union_a1), db.session.get(User, people.helper_a1)
        for n in range(30):
            item = obstacles.raise_obstacle(union, helper, f"Vướng mắc {n}", BODY)
            obstacles.answer(item, db.session.get(User, people.organizer_a), "Trả lời")
        db.session.commit()
        obstacle_id = item.id
    organizer = as_user(app, people.organizer_a_phone)
    for url in ("/support/", f"/support/obstacles/{obstacle_id}", "/support/?status=answered&page=2",
                f"/admin/campaigns/{people.campaign}/report?unit={people.district_a}"):
        organizer.get(url)
        with counted(app) as statements:
            assert organizer.get(url).status_code == 200
        assert len(statements) <= 20, (url, len(statements))


def test_the_obstacle_pages_speak_english(app, people):
    helper = as_user(app, people.helper_a1_phone)
    helper.form("/lang", {"lang": "en", "next": "/"})
    page = helper.get("/support/obstacles/new").get_data(as_text=True)
    assert "Raise an obstacle" in page and "Nêu vướng mắc" not in page
    obstacle_id = raise_one(helper)
    page = helper.get(f"/support/obstacles/{obstacle_id}").get_data(as_text=True)
    assert "Waiting for an answer" in page and "Ask more" in page and "Chờ trả lời" not in page
    assert "Obstacles" in helper.get("/support/").get_data(as_text=True)


def test_the_menu_leads_to_the_support_area(app, people):
    helper = as_user(app, people.helper_a1_phone)
    page = helper.get("/").get_data(as_text=True)
    assert 'href="/support/"' in page and 'href="/support/faq"' in page
    page = as_user(app, people.organizer_a_phone).get("/").get_data(as_text=True)
    assert 'href="/support/"' in page
    page = as_user(app, people.member_a1_phone).get("/").get_data(as_text=True)
    assert 'href="/support/faq"' in page and 'href="/support/"' not in page
    index = helper.get("/support/").get_data(as_text=True)
    assert f'href="/support/units/{people.union_a1}/gap"' in index and 'href="/support/obstacles/new"' in index


def test_an_obstacle_may_name_its_campaign(app, people):
    helper = as_user(app, people.helper_a1_phone)
    form = helper.get("/support/obstacles/new").get_data(as_text=True)
    assert f'<option selected value="{people.campaign}">Chiến dịch thử</option>' in form  # the current one
    response = helper.form("/support/obstacles/new", {"title": TITLE, "body": BODY,
                                                      "campaign_id": str(people.campaign)})
    obstacle_id = int(response.location.rsplit("/", 1)[1])
    assert the_obstacle(app, obstacle_id).campaign_id == people.campaign
    assert "Chiến dịch thử" in helper.get(f"/support/obstacles/{obstacle_id}").get_data(as_text=True)


def test_the_step_and_its_notification_commit_together(app, people, monkeypatch):
    """A notification that cannot be written takes the step with it: no obstacle nobody was told about."""
    helper = as_user(app, people.helper_a1_phone)

    def broken(*args, **kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(obstacles.notices, "notify_all", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = helper.form("/support/obstacles/new", {"title": TITLE, "body": BODY, "campaign_id": "0"})
    assert response.status_code == 500
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Obstacle)) == 0
    monkeypatch.undo()
    obstacle_id = raise_one(helper)
    monkeypatch.setattr(obstacles.notices, "notify_all", broken)
    organizer = as_user(app, people.organizer_a_phone)
    assert organizer.form(f"/support/obstacles/{obstacle_id}/answer", {"body": "Trả lời"}).status_code == 500
    made = the_obstacle(app, obstacle_id)
    assert made.status == ObstacleStatus.OPEN and made.replies == []


def test_the_unions_own_staff_raise_and_follow_up(app, people):
    """An organizer working on the grassroots union itself is its staff: raises, follows up, resolves; the support
    team's obstacle is theirs too, and the other way round."""
    with app.app_context():
        union = db.session.get(Unit, people.union_a1)
        staff = factories.user("Hoàng Chủ Tịch", "0911000021", Role.ORGANIZER, union, union)
        db.session.commit()
        staff_id = staff.id
    own = as_user(app, "0911000021")
    assert own.get("/support/obstacles/new").status_code == 200
    mine = raise_one(own, "Cần tập huấn cách chụp minh chứng")
    team = raise_one(as_user(app, people.helper_a1_phone))
    assert the_obstacle(app, mine).raised_by_id == staff_id
    listing = own.get("/support/").get_data(as_text=True)
    assert "Cần tập huấn cách chụp minh chứng" in listing and TITLE in listing
    assert own.form(f"/support/obstacles/{team}/followup", {"body": "Bổ sung: 5 tổ cần"}).status_code == 302
    assert own.form(f"/support/obstacles/{team}/answer", {"body": "Tự trả lời"}).status_code == 403
    helper = as_user(app, people.helper_a1_phone)
    assert helper.form(f"/support/obstacles/{mine}/resolve", {}).status_code == 302
    assert the_obstacle(app, mine).status == ObstacleStatus.RESOLVED
