"""Leaders in charge (lãnh đạo phụ trách) and staff advisers (cán bộ tham mưu): the admin unit form records them,
only inside the organizer's scope; the units list and the giao ban report (beside units behind pace) show them."""
from __future__ import annotations

from sqlalchemy import delete

from app import policy
from app.domain.units import create_unit
from app.extensions import db
from app.models import Role, Target, Unit, UnitKind, User

from . import factories
from .conftest import login
from .queries import counted


def in_charge(app, unit_id: int) -> tuple[int | None, int | None]:
    with app.app_context():
        unit = db.session.get(Unit, unit_id)
        return unit.leader_id, unit.adviser_id


def test_province_organizer_names_the_leader_and_adviser_of_a_district(app, client, world):
    with app.app_context():
        db.session.get(User, world.reviewer_a).email = "le.thamdinh@example.vn"
        db.session.commit()
    login(client, world.organizer_p_phone)
    url = f"/admin/units/{world.district_a}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "Lãnh đạo phụ trách" in page and "Cán bộ tham mưu" in page
    # A phone in any usual form, an e-mail in any case.
    response = client.form(url, {"name": "LĐLĐ huyện Ả", "leader_login": "+84 911 000 007",
                                 "adviser_login": " Le.ThamDinh@Example.VN "})
    assert response.status_code == 302
    assert in_charge(app, world.district_a) == (world.reviewer_p, world.reviewer_a)
    listed = client.get(f"/admin/units?parent={world.province}").get_data(as_text=True)
    assert "Nguyễn Thẩm Định" in listed and "Lê Thẩm Định" in listed
    page = client.get(url).get_data(as_text=True)
    assert 'value="0911000007"' in page and "Hiện tại: Nguyễn Thẩm Định" in page
    # Empty clears.
    cleared = client.form(url, {"name": "LĐLĐ huyện Ả", "leader_login": "0911000007", "adviser_login": ""})
    assert cleared.status_code == 302
    assert in_charge(app, world.district_a) == (world.reviewer_p, None)


def test_the_units_list_reads_the_people_in_charge_in_a_fixed_number_of_queries(app, client, world):
    def queries() -> int:
        with counted(app) as statements:
            assert client.get(f"/admin/units?parent={world.district_a}").status_code == 200
        return len(statements)

    login(client, world.organizer_p_phone)
    with app.app_context():
        union_a1 = db.session.get(Unit, world.union_a1)
        union_a1.leader_id, union_a1.adviser_id = world.reviewer_a, world.helper_a1
        db.session.commit()
    few = queries()
    with app.app_context():
        district_a = db.session.get(Unit, world.district_a)
        for n in range(6):
            union = create_unit(f"CĐCS thử {n}", f"A-X{n}", UnitKind.GRASSROOTS, district_a)
            person = factories.user(f"Người {n}", f"09120000{n:02d}", Role.REVIEWER, union, district_a)
            union.leader_id, union.adviser_id = person.id, world.reviewer_a
        db.session.commit()
    assert queries() == few
    assert "Người 5" in client.get(f"/admin/units?parent={world.district_a}").get_data(as_text=True)


def test_unknown_or_inactive_person_is_a_clear_message_and_nothing_typed_is_lost(app, client, world):
    with app.app_context():
        db.session.get(User, world.reviewer_p2).active = False
        db.session.commit()
    login(client, world.organizer_p_phone)
    url = f"/admin/units/{world.district_a}/edit"
    for login_name in ("0999999999", "nobody@example.vn", "0911000008"):  # the last: a locked account
        response = client.form(url, {"name": "Tên mới gõ dở", "member_count": "12", "leader_login": login_name})
        body = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "Không tìm thấy tài khoản đang hoạt động" in body and login_name in body
        assert 'value="Tên mới gõ dở"' in body and 'value="12"' in body  # nothing typed is lost
    with app.app_context():
        unit = db.session.get(Unit, world.district_a)
        assert unit.name == "LĐLĐ huyện Ả" and unit.leader_id is None  # nothing saved


def test_district_organizer_names_people_only_inside_their_scope(app, client, world):
    login(client, world.organizer_a_phone)
    # A unit of another district: not even found.
    assert client.get(f"/admin/units/{world.union_b1}/edit").status_code == 404
    assert client.form(f"/admin/units/{world.union_b1}/edit", {"name": "X", "leader_login": "0911000009"}).status_code \
        == 404
    assert in_charge(app, world.union_b1) == (None, None)
    # Their own unit is set from above.
    own = client.form(f"/admin/units/{world.district_a}/edit", {"name": "X", "leader_login": "0911000009"})
    assert own.status_code == 403
    # A unit of theirs, with a person outside their reach (the province reviewer, of union B1): "not found".
    url = f"/admin/units/{world.union_a1}/edit"
    response = client.form(url, {"name": "CĐCS Trường Tiểu học Sìn Hồ", "leader_login": "0911000007"})
    assert response.status_code == 400 and "Không tìm thấy" in response.get_data(as_text=True)
    assert in_charge(app, world.union_a1) == (None, None)
    # A person of their district: saved.
    assert client.form(url, {"name": "CĐCS Trường Tiểu học Sìn Hồ", "leader_login": "0911000009",
                             "adviser_login": "0911000003"}).status_code == 302
    assert in_charge(app, world.union_a1) == (world.reviewer_a, world.helper_a1)


def test_policy_can_name_in_charge(app, world):
    with app.app_context():
        get = db.session.get
        organizer_a, organizer_p = get(User, world.organizer_a), get(User, world.organizer_p)
        union_a1, union_b1 = get(Unit, world.union_a1), get(Unit, world.union_b1)
        reviewer_a, reviewer_p = get(User, world.reviewer_a), get(User, world.reviewer_p)
        assert policy.can_name_in_charge(organizer_a, union_a1, reviewer_a)
        assert not policy.can_name_in_charge(organizer_a, union_a1, reviewer_p)  # outside the district
        assert not policy.can_name_in_charge(organizer_a, union_b1, reviewer_a)  # a unit of another district
        assert not policy.can_name_in_charge(organizer_a, union_a1, None)
        assert policy.can_name_in_charge(organizer_p, union_b1, reviewer_a)
        assert not policy.can_name_in_charge(get(User, world.reviewer_p), union_a1, reviewer_a)  # not an organizer
        reviewer_a.active = False
        assert not policy.can_name_in_charge(organizer_p, union_a1, reviewer_a)


def test_hostile_input_on_the_leader_form_never_500s(app, client, world):
    login(client, world.organizer_p_phone)
    url = f"/admin/units/{world.district_a}/edit"
    for data in ({"name": "X", "leader_login": "0911\x00000007"}, {"name": "X", "leader_login": "9" * 5000},
                 {"name": "X", "adviser_login": "@" * 300}, {"name": "X", "leader_login": "%' OR 1=1 --"},
                 {"name": "X", "leader_login": "@"}, {"name": "X", "leader_login": "+84"},
                 {"leader_login": "0911000007"},
                 {"name": "X", "leader_login": ["0911000007", "0911000009"]}, {}):
        response = client.form(url, data)
        assert response.status_code in (302, 400), (data, response.status_code)
    assert in_charge(app, world.district_a)[1] is None


def test_giao_ban_report_names_who_is_in_charge_of_units_behind_pace(app, client, world):
    with app.app_context():
        union_a1, union_a2 = db.session.get(Unit, world.union_a1), db.session.get(Unit, world.union_a2)
        union_a1.leader_id, union_a1.adviser_id = world.reviewer_a, world.helper_a1
        union_a2.leader_id = world.reviewer_p2
        # A2 has no target: never behind pace, its leader is not named.
        db.session.execute(delete(Target).where(Target.unit_id == world.union_a2))
        db.session.get(Unit, world.district_b).adviser_id = world.reviewer_p
        db.session.commit()
    login(client, world.organizer_p_phone)
    page = client.get(f"/admin/campaigns/{world.campaign}/report?unit={world.district_a}&kind=week"
                      "&day=2022-05-10").get_data(as_text=True)
    assert "Lãnh đạo phụ trách: Lê Thẩm Định" in page and "Cán bộ tham mưu: Tòng Văn Ba" in page
    assert "Trần Thẩm Định" not in page
    province = client.get(f"/admin/campaigns/{world.campaign}/report?unit={world.province}&kind=week"
                          "&day=2022-05-10").get_data(as_text=True)
    # District A behind with nobody named; district B behind, its adviser named.
    assert "Lãnh đạo phụ trách: chưa phân công" in province and "Cán bộ tham mưu: Nguyễn Thẩm Định" in province
