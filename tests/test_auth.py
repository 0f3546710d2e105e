"""Login, logout and self-registration, with bad input that keeps what the user typed."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import Role, User

from .conftest import login


def test_login_by_phone_in_any_format_and_by_email(app, client, world):
    response = client.form("/login", {"identifier": "+84 911 000 001", "password": "secret-pass-1"})
    assert response.status_code == 302
    assert "Lò Văn Một" in client.get("/").get_data(as_text=True)
    client.form("/logout")
    with app.app_context():
        person = db.session.get(User, world.member_a1b)
        person.email = "hai@example.vn"
        db.session.commit()
    response = client.form("/login", {"identifier": "HAI@example.vn", "password": "secret-pass-1"})
    assert response.status_code == 302


def test_wrong_password_says_so_and_keeps_the_identifier(client, world):
    response = client.form("/login", {"identifier": "0911000001", "password": "wrong"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "hoặc mật khẩu không đúng" in body
    assert 'value="0911000001"' in body


def test_empty_login_shows_field_errors(client, world):
    body = client.form("/login", {"identifier": "", "password": ""}).get_data(as_text=True)
    assert "Vui lòng nhập số điện thoại hoặc email." in body
    assert "Vui lòng nhập mật khẩu." in body


def test_login_without_csrf_token_is_refused(client, world):
    response = client.post("/login", data={"identifier": "0911000001", "password": "secret-pass-1"})
    assert response.status_code == 400


def test_next_parameter_cannot_leave_the_site(client, world):
    response = client.form("/login?next=//evil.example/x", {"identifier": "0911000001", "password": "secret-pass-1"})
    assert response.headers["Location"] == "/"


def test_logout_really_ends_the_session(client, world):
    login(client, world.member_a1_phone)
    stolen = client.get_cookie("session").value
    response = client.form("/logout")
    assert response.status_code == 302
    assert "Lò Văn Một" not in client.get("/").get_data(as_text=True)
    # Replaying the cookie captured before logout no longer logs anyone in.
    client.set_cookie("session", stolen)
    assert "Lò Văn Một" not in client.get("/").get_data(as_text=True)


def test_logout_is_post_only(client, world):
    login(client, world.member_a1_phone)
    assert client.get("/logout").status_code == 405


def test_login_is_rate_limited(app_factory, world):
    app = app_factory(LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    for _ in range(3):
        assert client.form("/login", {"identifier": "0911000001", "password": "bad"}).status_code == 200
    response = client.form("/login", {"identifier": "0911000001", "password": "secret-pass-1"})
    assert response.status_code == 429
    assert "quá nhiều lần" in response.get_data(as_text=True)


def test_inactive_account_cannot_log_in(app, client, world):
    with app.app_context():
        db.session.get(User, world.member_a1).active = False
        db.session.commit()
    response = client.form("/login", {"identifier": "0911000001", "password": "secret-pass-1"})
    assert response.status_code == 200


REGISTRATION = {"full_name": "Lò Thị Mới", "phone": "0988 123 456", "email": "moi@example.vn",
                "position": "Giáo viên", "password": "matkhau-dai", "confirm": "matkhau-dai"}


def test_register_with_bad_input_keeps_everything_typed(client, world):
    data = dict(REGISTRATION, phone="12345", email="not-an-email", confirm="khac", unit_id=str(world.union_a1),
                full_name="Lò Thị Mới")
    body = client.form("/register", data).get_data(as_text=True)
    assert "Số điện thoại gồm 10 hoặc 11 chữ số" in body
    assert "Email không đúng định dạng." in body
    assert "Hai mật khẩu không khớp." in body
    assert 'value="Lò Thị Mới"' in body
    assert 'value="not-an-email"' in body
    assert 'value="Giáo viên"' in body
    # The chosen union stays chosen.
    assert f'value="{world.union_a1}" checked' in body


def test_register_requires_a_grassroots_union(client, world):
    body = client.form("/register", dict(REGISTRATION)).get_data(as_text=True)
    assert "Vui lòng chọn công đoàn cơ sở của bạn." in body
    body = client.form("/register", dict(REGISTRATION, unit_id=str(world.district_a))).get_data(as_text=True)
    assert "Vui lòng chọn công đoàn cơ sở trong danh sách." in body


def test_register_creates_a_member_and_logs_in(app, client, world):
    response = client.form("/register", dict(REGISTRATION, unit_id=str(world.union_a2)))
    assert response.status_code == 302
    assert "Lò Thị Mới" in client.get("/").get_data(as_text=True)
    with app.app_context():
        person = db.session.scalar(select(User).where(User.phone == "0988123456"))
        assert person.role == Role.MEMBER and person.unit_id == world.union_a2
        assert person.password_hash and "matkhau-dai" not in person.password_hash


def test_register_refuses_a_phone_already_used(client, world):
    body = client.form("/register", dict(REGISTRATION, phone="0911000001",
                                         unit_id=str(world.union_a1))).get_data(as_text=True)
    assert "Số điện thoại này đã có tài khoản" in body


def test_union_search_without_js_keeps_the_form(client, world):
    data = dict(REGISTRATION, unit_query="tieu hoc sin ho", action="search")
    body = client.form("/register", data).get_data(as_text=True)
    assert "CĐCS Trường Tiểu học Sìn Hồ" in body
    assert 'value="Lò Thị Mới"' in body
    assert "Vui lòng chọn" not in body  # searching is not submitting


def test_union_search_htmx_is_diacritic_insensitive(client, world):
    response = client.htmx("/units/search?unit_query=TRAM Y TE")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "CĐCS Trạm Y tế xã Nậm Tăm" in body and "<html" not in body
    assert "Sìn Hồ" not in body
    # Districts are not grassroots unions: never offered.
    assert "LĐLĐ huyện" not in client.htmx("/units/search?unit_query=huyen").get_data(as_text=True)


def test_union_search_without_htmx_goes_to_the_form(client, world):
    response = client.get("/units/search?unit_query=tram")
    assert response.status_code == 302
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "CĐCS Trạm Y tế xã Nậm Tăm" in body


def test_member_entered_by_the_support_team_takes_over_the_account(app, client, world):
    with app.app_context():
        from app.auth import service
        from app.domain import accounts
        from app.extensions import db as database
        from app.models import Unit
        helper = database.session.get(User, world.helper_a1)
        member = accounts.create_user(full_name="Lò Văn Mới", role=Role.MEMBER, unit=helper.unit,
                                      phone="0966555444", created_by=helper)
        from . import factories
        factories.initiative(world.campaign, member, title="Sáng kiến nhập hộ cho đoàn viên mới")
        database.session.commit()
        other_union = database.session.get(Unit, world.union_b1)
        assert service.claimable("0966555444", other_union) is None
    # Wrong union: refused as an existing account.
    body = client.form("/register", dict(REGISTRATION, phone="0966555444", unit_id=str(world.union_b1))
                       ).get_data(as_text=True)
    assert "Số điện thoại này đã có tài khoản" in body
    # The support team hands the member a one-time code (see test_accounts_security for the refusals).
    helper = app.test_client()
    login(helper, world.helper_a1_phone)
    with app.app_context():
        member_id = db.session.scalar(select(User.id).where(User.phone == "0966555444"))
    page = helper.form(f"/account/claim-codes/{member_id}").get_data(as_text=True)
    code = re.search(r'<strong class="code">(\d{6})</strong>', page).group(1)
    response = client.form("/register", dict(REGISTRATION, full_name="Lò Văn Mới", phone="0966555444",
                                             unit_id=str(world.union_a1), claim_code=code))
    assert response.status_code == 302
    assert "Sáng kiến nhập hộ cho đoàn viên mới" in client.get("/initiatives/mine").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.phone == "0966555444")).password_hash
    # Once claimed, the account is no longer open to registration.
    again = app.test_client().form("/register", dict(REGISTRATION, phone="0966555444", unit_id=str(world.union_a1)))
    assert "Số điện thoại này đã có tài khoản" in again.get_data(as_text=True)
