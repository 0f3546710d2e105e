"""Accounts and sessions: password rules, login limits, equal work per login, account claims, session headers."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.domain import passwords
from app.extensions import db
from app.models import User

from .conftest import login
from .test_auth import REGISTRATION


# --- Password rules -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("password", ["12345678", "password", "Password1", "matkhau123", "MậtKhẩu123", "anhyeuem",
                                      "ANHYEUEM", "iloveyou", "qwertyuiop", "aaaaaaaaaa", "congdoan@123"])
def test_common_passwords_are_refused(app, password):
    with app.test_request_context():
        assert passwords.problem(password) == "Mật khẩu này quá phổ biến, dễ bị đoán. Hãy chọn mật khẩu khác."


@pytest.mark.parametrize("password", ["SangKien@2022", "secret-pass-1", "Bò vàng ăn cỏ non", "x7#Lq9!vT2"])
def test_uncommon_passwords_are_accepted(app, password):
    # SangKien@2022 is the demo password of the seed and the README: it stays usable.
    with app.test_request_context():
        assert passwords.problem(password) is None


def test_length_and_own_identifiers(app):
    with app.test_request_context():
        assert passwords.problem("Ab1#xyz") == "Mật khẩu cần ít nhất 8 ký tự."
        assert passwords.problem("x" * 64 + "y" * 65) == "Mật khẩu dài tối đa 128 ký tự."
        assert passwords.problem("x" * 64 + "y" * 64) is None
        own = "Mật khẩu không được chứa số điện thoại hoặc email của bạn."
        assert passwords.problem("0988123456!", avoid=["0988123456"]) == own
        assert passwords.problem("lo.thi.moi", avoid=["lo.thi.moi@example.vn"]) == own
        assert passwords.problem("0988123456!", avoid=[None, ""]) is None


def test_messages_follow_the_language(app):
    with app.test_request_context(headers={"Cookie": ""}):
        from flask import session
        session["lang"] = "en"
        assert "common" in passwords.problem("12345678").lower()


def test_registration_refuses_a_common_password_and_keeps_the_form(app, client, world):
    data = dict(REGISTRATION, password="matkhau123", confirm="matkhau123", unit_id=str(world.union_a2))
    response = client.form("/register", data)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Mật khẩu này quá phổ biến" in body
    assert 'value="Lò Thị Mới"' in body and 'value="moi@example.vn"' in body
    with app.app_context():
        assert db.session.scalar(select(User).where(User.phone == "0988123456")) is None


def test_registration_refuses_the_phone_as_password(client, world):
    data = dict(REGISTRATION, password="0988123456", confirm="0988123456", unit_id=str(world.union_a2))
    body = client.form("/register", data).get_data(as_text=True)
    assert "không được chứa số điện thoại" in body


def test_organizer_password_reset_follows_the_rules(app, client, world):
    login(client, world.organizer_a_phone)
    account = {"full_name": "Lò Văn Một", "phone": "0911000001", "role": "member", "unit_code": "A1"}
    body = client.form(f"/admin/users/{world.member_a1}/edit", dict(account, password="12345678")
                       ).get_data(as_text=True)
    assert "Mật khẩu này quá phổ biến" in body
    response = client.form(f"/admin/users/{world.member_a1}/edit", dict(account, password="Cây-đa-đầu-làng"))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, world.member_a1).check_password("Cây-đa-đầu-làng")
