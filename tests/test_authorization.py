"""One definition of who may see, decide and manage: the Python checks and the SQL filters agree, admins with a
home unit see everything, staff without a unit see nothing, accounts are managed only inside the manager's subtree."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app import policy
from app.domain import workflow
from app.extensions import db
from app.models import AwardLevel, Initiative, ReviewTemplate, Role, RubricCriterion, Score, Status, Unit, User
from app.submissions import service as submissions

from . import factories
from .conftest import login


def _person(name, phone, role, unit_id=None, scope_id=None) -> int:
    user = factories.user(name, phone, role, db.session.get(Unit, unit_id) if unit_id else None,
                          db.session.get(Unit, scope_id) if scope_id else None)
    db.session.commit()
    return user.id


def _submitted(campaign_id: int, author_id: int, title: str) -> int:
    author = db.session.get(User, author_id)
    item = factories.initiative(campaign_id, author, title=title)
    submissions.submit(item, author)
    db.session.commit()
    return item.id


@pytest.fixture
def province(app, world):
    """The small world plus the actors that broke the first version, and submitted work in both districts."""
    with app.app_context():
        world.admin_home = _person("Quản Trị Có Đơn Vị", "0911000020", Role.ADMIN, world.union_a1)
        world.reviewer_nowhere = _person("Thẩm Định Chưa Gán", "0911000021", Role.REVIEWER)
        world.organizer_nowhere = _person("Tổ Chức Chưa Gán", "0911000022", Role.ORGANIZER)
        # Home unit in district A, but works on the whole province: district A's organizer must not manage it.
        world.reviewer_a_home_p_scope = _person("Thẩm Định Tỉnh Ở Ả", "0911000023", Role.REVIEWER, world.union_a1,
                                                world.province)
        world.item_a1 = _submitted(world.campaign, world.member_a1, "Sổ tay điện tử cho giáo viên bản xa")
        world.item_a2 = _submitted(world.campaign, world.member_a2, "Bếp ăn bán trú tiết kiệm củi")
        world.item_b1 = _submitted(world.campaign, world.member_b1, "Cải tiến khoa khám bệnh huyện Bê")
        world.draft_b1 = factories.initiative(world.campaign, db.session.get(User, world.member_b1),
                                              title="Bản nháp huyện Bê").id
        db.session.commit()
    return world


def test_python_checks_and_sql_filters_agree_for_every_user_and_initiative(app, province):
    """``can_review``/``in_scope``/``account_in_reach`` and their SQL forms come from one definition."""
    with app.app_context():
        users = db.session.scalars(select(User)).all()
        initiatives = db.session.scalars(select(Initiative)).all()
        assert len(users) >= 16 and len(initiatives) >= 4
        for user in users:
            reviewable = set(db.session.scalars(select(Initiative.id).where(policy.reviewable_clause(user))))
            assert reviewable == {i.id for i in initiatives if policy.can_review(user, i)}, user.full_name
            in_scope = set(db.session.scalars(select(Initiative.id).where(policy.in_scope_clause(user))))
            assert in_scope == {i.id for i in initiatives if policy.in_scope(user, i.unit)}, user.full_name
            viewable = set(db.session.scalars(select(Initiative.id).where(policy.viewable_clause(user))))
            assert viewable == {i.id for i in initiatives if policy.can_view_initiative(user, i)}, user.full_name
            accounts = set(db.session.scalars(select(User.id).where(policy.accounts_in_reach_clause(user))))
            assert accounts == {p.id for p in users if policy.account_in_reach(user, p)}, user.full_name


def test_effective_scope_of_every_role_with_a_home_unit(app, province):
    with app.app_context():
        def reach_of(user_id):
            return {i for i in (province.item_a1, province.item_a2, province.item_b1)
                    if policy.in_scope(db.session.get(User, user_id), db.session.get(Initiative, i).unit)}

        a_items, everything = {province.item_a1, province.item_a2}, {province.item_a1, province.item_a2,
                                                                      province.item_b1}
        assert reach_of(province.member_a1) == {province.item_a1}  # own union
        assert reach_of(province.helper_a1) == {province.item_a1}
        assert reach_of(province.reviewer_a) == a_items  # home A2, scope district A
        assert reach_of(province.organizer_a) == a_items
        assert reach_of(province.reviewer_p) == everything  # home B1, scope province
        assert reach_of(province.organizer_p) == everything
        assert reach_of(province.admin_home) == everything  # home A1, no scope: still everything
        assert reach_of(province.admin) == everything
        assert reach_of(province.reviewer_nowhere) == set()
        assert reach_of(province.organizer_nowhere) == set()


def test_admin_with_a_home_unit_sees_the_whole_province(app, client, province):
    login(client, "0911000020")
    queue = client.get("/review/").get_data(as_text=True)
    for title in ("Bếp ăn bán trú", "khoa khám bệnh huyện Bê"):
        assert title in queue
    assert "Sổ tay điện tử" not in queue  # their own union's: a conflict of interest, even for an admin
    assert client.get(f"/review/{province.item_b1}").status_code == 200
    assert client.get(f"/review/{province.item_a1}").status_code == 403
    assert client.get(f"/admin/units?parent={province.district_b}").status_code == 200
    assert "LĐLĐ huyện Bê" in client.get("/admin/units").get_data(as_text=True)
    assert client.get(f"/admin/users/{province.member_b1}/edit").status_code == 200


def test_reviewer_with_neither_unit_nor_scope_sees_nothing(app, client, province):
    login(client, "0911000021")
    queue = client.get("/review/").get_data(as_text=True)
    for shown in ("Sổ tay điện tử", "Bếp ăn bán trú", "khoa khám bệnh huyện Bê", "LĐLĐ huyện Bê"):
        assert shown not in queue
    assert client.get(f"/review/{province.item_b1}").status_code == 404
    assert client.get("/review/start").status_code == 302  # "nothing waiting", not the first foreign item
    assert "Sổ tay điện tử" not in client.get("/review/scoring").get_data(as_text=True)
    organizer = app.test_client()
    login(organizer, "0911000022")
    assert "Lò Văn Một" not in organizer.get("/admin/users").get_data(as_text=True)
    assert organizer.get(f"/admin/users/{province.member_a1}/edit").status_code == 404
    assert organizer.get(f"/admin/units?parent={province.district_a}").status_code == 404


def test_district_organizer_cannot_manage_an_account_whose_scope_is_above_them(app, client, province):
    target = province.reviewer_a_home_p_scope
    login(client, province.organizer_a_phone)
    assert "Thẩm Định Tỉnh Ở Ả" not in client.get("/admin/users").get_data(as_text=True)
    assert client.get(f"/admin/users/{target}/edit").status_code == 404
    reset = client.form(f"/admin/users/{target}/edit", {
        "full_name": "Đã Bị Đổi", "phone": "0911000023", "role": Role.MEMBER, "unit_code": "A1",
        "password": "mat-khau-moi-2024"})
    assert reset.status_code == 404
    assert client.form(f"/admin/users/{target}/active").status_code == 404
    with app.app_context():
        person = db.session.get(User, target)
        assert (person.full_name, person.role, person.active) == ("Thẩm Định Tỉnh Ở Ả", Role.REVIEWER, True)
        assert person.check_password(factories.PASSWORD)
    # Their own district's member: still theirs to manage.
    assert client.get(f"/admin/users/{province.member_a1}/edit").status_code == 200
    # The province organizer manages that account.
    province_organizer = app.test_client()
    login(province_organizer, province.organizer_p_phone)
    assert province_organizer.get(f"/admin/users/{target}/edit").status_code == 200


def test_review_templates_are_deleted_by_their_author_or_staff_above(app, client, province):
    with app.app_context():
        by_province_reviewer = ReviewTemplate(reason_code="missing_evidence", body="Bổ sung số liệu trước/sau.",
                                              created_by_id=province.reviewer_p)
        by_district_reviewer = ReviewTemplate(reason_code="missing_evidence", body="Ghi rõ nơi áp dụng.",
                                              created_by_id=province.reviewer_a)
        db.session.add_all([by_province_reviewer, by_district_reviewer])
        db.session.commit()
        theirs, district_one = by_province_reviewer.id, by_district_reviewer.id

    def remaining():
        with app.app_context():
            return set(db.session.scalars(select(ReviewTemplate.id)))

    login(client, province.reviewer_a_phone)
    page = client.get("/review/templates").get_data(as_text=True)
    assert f'value="{district_one}"' in page and f'value="{theirs}"' not in page
    assert client.form("/review/templates", {"delete": str(theirs)}).status_code == 403
    district_organizer = app.test_client()
    login(district_organizer, province.organizer_a_phone)  # not above a province reviewer
    assert district_organizer.form("/review/templates", {"delete": str(theirs)}).status_code == 403
    assert remaining() == {theirs, district_one}
    assert client.form("/review/templates", {"delete": "999999"}).status_code == 404
    province_organizer = app.test_client()
    login(province_organizer, province.organizer_p_phone)  # above both
    assert province_organizer.form("/review/templates", {"delete": str(district_one)}).status_code == 302
    own = app.test_client()
    login(own, province.reviewer_p_phone)
    assert own.form("/review/templates", {"delete": str(theirs)}).status_code == 302
    assert remaining() == set()


def _row_counts(app) -> dict[str, int]:
    with app.app_context():
        return {table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in db.metadata.sorted_tables}


def test_get_never_writes_defaults_are_made_with_the_campaign_or_the_first_post(app, client, province):
    with app.app_context():
        item = db.session.get(Initiative, province.item_a1)
        workflow.transition(item, Status.VALID, db.session.get(User, province.reviewer_p))
        db.session.commit()
        db.session.execute(RubricCriterion.__table__.delete())
        db.session.execute(AwardLevel.__table__.delete())
        db.session.commit()
    login(client, province.reviewer_p_phone)
    before = _row_counts(app)
    page = client.get(f"/review/{province.item_a1}/score").get_data(as_text=True)
    assert "Tính mới, sáng tạo" in page  # the default rubric is shown...
    assert _row_counts(app) == before  # ...and not written by a GET
    organizer = app.test_client()
    login(organizer, province.organizer_p_phone)
    assert organizer.get("/awards/levels").status_code == 200
    assert organizer.get(f"/awards/{province.item_a1}/award").status_code == 200
    assert _row_counts(app) == before
    scored = client.form(f"/review/{province.item_a1}/score", {"c_novelty": "20", "c_effectiveness": "30",
                                                               "c_applicability": "20", "comment": ""})
    assert scored.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RubricCriterion)) == 3
        assert db.session.scalar(select(Score.total)) == 70
    # A campaign created by an organizer starts with its rubric and award levels.
    created = organizer.form("/admin/campaigns/new", {
        "name": "Tháng cao điểm huyện", "slug": "thang-cao-diem", "start_date": "2022-05-01",
        "end_date": "2022-05-31", "goal": "50", "unit_id": str(province.province)})
    assert created.status_code == 302
    with app.app_context():
        created_id = db.session.scalar(select(func.max(AwardLevel.campaign_id)))
        assert created_id != province.campaign
        assert db.session.scalars(select(AwardLevel.name).where(AwardLevel.campaign_id == created_id)
                                  .order_by(AwardLevel.position)).all() == ["Bằng khen", "Giấy khen"]
        assert db.session.scalar(select(func.count()).select_from(RubricCriterion)
                                 .where(RubricCriterion.campaign_id == created_id)) == 3


def test_a_forged_decision_on_a_decided_item_gets_the_already_decided_message(app, client, province):
    login(client, province.reviewer_p_phone)
    page = client.get(f"/review/{province.item_a1}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    assert client.form(f"/review/{province.item_a1}/decide", {"decision": "valid", "version": version}
                       ).status_code == 302
    with app.app_context():
        current = str(db.session.get(Initiative, province.item_a1).version)
    for decision in ("invalid", "return", "valid"):
        response = client.form(f"/review/{province.item_a1}/decide", {
            "decision": decision, "version": current, "invalid_reason": "copied", "return_reason": "missing_evidence",
            "message": "Giả mạo"}, follow_redirects=True)
        assert response.status_code == 200
        assert "đã được Nguyễn Thẩm Định quyết định" in response.get_data(as_text=True)
    with app.app_context():
        item = db.session.get(Initiative, province.item_a1)
        assert item.status == Status.VALID and str(item.version) == current
    # Withdrawn by its author meanwhile: no decision-maker to name, still a clear message.
    with app.app_context():
        item = db.session.get(Initiative, province.item_a2)
        workflow.transition(item, Status.WITHDRAWN, db.session.get(User, province.member_a2))
        db.session.commit()
        current = str(item.version)
    response = client.form(f"/review/{province.item_a2}/decide", {"decision": "valid", "version": current},
                           follow_redirects=True)
    assert response.status_code == 200 and "không còn chờ thẩm định" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.MEMBER, Role.HELPER, Role.REVIEWER, Role.ORGANIZER, Role.ADMIN])
def test_policy_never_widens_for_a_user_without_units(app, province, role):
    with app.app_context():
        nobody = User(full_name="Không Đơn Vị", role=role)
        units = db.session.scalars(select(Unit)).all()
        assert [u for u in units if policy.in_scope(nobody, u)] == (units if role == Role.ADMIN else [])
        reached = db.session.scalars(select(Unit).where(policy.reach(nobody).clause(Unit.id))).all()
        assert len(reached) == (len(units) if role == Role.ADMIN else 0)
