"""Accounts and sessions: password rules, login limits, equal work per login, account claims, session headers."""
from __future__ import annotations

import os

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


# --- Login limits ---------------------------------------------------------------------------------------------------

def _attempt(client, identifier, address="10.0.0.1", password="bad-password", **headers):
    return client.form("/login", {"identifier": identifier, "password": password},
                       environ_base={"REMOTE_ADDR": address}, headers=headers).status_code


def test_login_attempts_are_counted_per_account_from_any_address(app_factory, world):
    app = app_factory(LOGIN_RATE_LIMIT="100 per minute", LOGIN_ACCOUNT_RATE_LIMIT="3 per minute")
    client = app.test_client()
    # The same account written three ways, from three addresses: one account, one count.
    for address, spelling in (("10.0.0.1", "0911000001"), ("10.0.0.2", "+84 911 000 001"),
                              ("10.0.0.3", "0911.000.001")):
        assert _attempt(client, spelling, address) == 200
    assert _attempt(client, "0911000001", "10.0.0.4", password="secret-pass-1") == 429
    # Another account is not affected.
    assert _attempt(client, "0911000002", "10.0.0.4", password="secret-pass-1") == 302


def test_login_attempts_are_counted_per_client_across_accounts(app_factory, world):
    app = app_factory(LOGIN_RATE_LIMIT="3 per minute", LOGIN_ACCOUNT_RATE_LIMIT="100 per minute")
    client = app.test_client()
    for number in range(3):
        assert _attempt(client, f"09110000{20 + number}") == 200
    assert _attempt(client, "0911000001", password="secret-pass-1") == 429
    assert _attempt(client, "0911000001", "10.0.0.9", password="secret-pass-1") == 302


def test_forwarded_for_is_ignored_without_proxy_fix(app_factory, world):
    app = app_factory(LOGIN_RATE_LIMIT="2 per minute", LOGIN_ACCOUNT_RATE_LIMIT="100 per minute")
    client = app.test_client()
    # A client inventing a new X-Forwarded-For on every try is still one client.
    assert _attempt(client, "0911000020", **{"X-Forwarded-For": "192.0.2.1"}) == 200
    assert _attempt(client, "0911000021", **{"X-Forwarded-For": "192.0.2.2"}) == 200
    assert _attempt(client, "0911000022", **{"X-Forwarded-For": "192.0.2.3"}) == 429


def test_proxy_fix_trusts_the_proxy_forwarded_address(app_factory, world):
    app = app_factory(PROXY_FIX=True, LOGIN_RATE_LIMIT="2 per minute", LOGIN_ACCOUNT_RATE_LIMIT="100 per minute")
    client = app.test_client()
    # All requests come from the proxy (10.0.0.1); the real clients are told apart by the header it adds.
    assert _attempt(client, "0911000020", **{"X-Forwarded-For": "192.0.2.1"}) == 200
    assert _attempt(client, "0911000021", **{"X-Forwarded-For": "192.0.2.1"}) == 200
    assert _attempt(client, "0911000022", **{"X-Forwarded-For": "192.0.2.1"}) == 429
    assert _attempt(client, "0911000023", **{"X-Forwarded-For": "192.0.2.2"}) == 200


def _redis_or_skip(url: str):
    redis = pytest.importorskip("redis")
    connection = redis.Redis.from_url(url)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {url}")
    return connection


def test_login_limits_are_shared_by_workers_through_redis(app_factory, world):
    import uuid
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    redis = _redis_or_skip(url)
    prefix = f"sangkien-test-{uuid.uuid4().hex[:12]}"
    limits = dict(RATELIMIT_STORAGE_URI=url, RATELIMIT_KEY_PREFIX=prefix, LOGIN_RATE_LIMIT="100 per minute",
                  LOGIN_ACCOUNT_RATE_LIMIT="3 per minute")
    try:
        # Two apps stand for two gunicorn workers; their counts add up in Redis.
        first, second = app_factory(**limits).test_client(), app_factory(**limits).test_client()
        assert _attempt(first, "0911000001") == 200
        assert _attempt(second, "0911000001") == 200
        assert _attempt(first, "0911000001") == 200
        assert _attempt(second, "0911000001", password="secret-pass-1") == 429
        assert redis.keys(f"*{prefix}*")
    finally:
        for key in redis.scan_iter(f"*{prefix}*"):
            redis.delete(key)


def test_memory_storage_warns_outside_tests(app_factory, caplog):
    import logging
    with caplog.at_level(logging.WARNING, logger="app.extensions"):
        app_factory(TESTING=False)
    assert "each worker process counts login attempts on its own" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="app.extensions"):
        app_factory()
    assert "memory://" not in caplog.text


# --- Equal work for known and unknown logins ------------------------------------------------------------------------

@pytest.mark.parametrize("identifier, active", [
    ("0911000001", True),    # known account, wrong password
    ("0999999999", True),    # nobody
    ("nobody@example.vn", True),
    ("0911000001", False),   # locked account
])
def test_every_login_attempt_checks_one_password_hash(app, client, world, monkeypatch, identifier, active):
    from app.auth import service
    calls = []
    real = service.check_password_hash

    def counting(stored, password):
        calls.append(stored)
        return real(stored, password)

    monkeypatch.setattr(service, "check_password_hash", counting)
    with app.app_context():
        db.session.get(User, world.member_a1).active = active
        db.session.commit()
    response = client.form("/login", {"identifier": identifier, "password": "wrong-password"})
    assert response.status_code == 200 and "hoặc mật khẩu không đúng" in response.get_data(as_text=True)
    assert len(calls) == 1
    # The stand-in hash has the same method and cost as real ones.
    assert calls[0].split("$")[0] == db_hash_method(app, world)


def db_hash_method(app, world) -> str:
    with app.app_context():
        return db.session.get(User, world.member_a1).password_hash.split("$")[0]


def test_passwordless_account_cannot_log_in_with_an_empty_check(app, client, world):
    with app.app_context():
        db.session.get(User, world.member_a1).password_hash = None
        db.session.commit()
    response = client.form("/login", {"identifier": "0911000001", "password": "not-a-password-anyone-has"})
    assert response.status_code == 200
