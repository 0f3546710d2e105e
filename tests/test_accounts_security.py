"""Accounts and sessions: password rules, login limits, equal work per login, account claims, session headers."""
from __future__ import annotations

import os
import re

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
        app_factory(TESTING=False, DEVELOPMENT=False)
    assert "each worker process counts login attempts on its own" in caplog.text
    for quiet in ({}, {"TESTING": False, "DEVELOPMENT": True},
                  {"TESTING": False, "DEVELOPMENT": False, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"}):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="app.extensions"):
            app_factory(**quiet)
        assert "memory://" not in caplog.text, quiet


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


# --- Taking over an account the support team created ----------------------------------------------------------------

CODE = re.compile(r'<strong class="code">(\d{6})</strong>')
CLAIM = dict(REGISTRATION, full_name="Lò Văn Mới", phone="0966555444", email="")


@pytest.fixture
def entered_member(app, world):
    """A member the support team of union A1 registered (no password) and entered an initiative for."""
    from app.domain import accounts

    from . import factories
    with app.app_context():
        helper = db.session.get(User, world.helper_a1)
        member = accounts.create_user(full_name="Lò Văn Mới", role="member", unit=helper.unit, phone="0966555444",
                                      created_by=helper)
        factories.initiative(world.campaign, member, title="Sáng kiến nhập hộ cho đoàn viên mới", entered_by=helper)
        db.session.commit()
        return member.id


def _issue_code(app, world, member_id) -> str:
    helper = app.test_client()
    login(helper, world.helper_a1_phone)
    response = helper.form(f"/account/claim-codes/{member_id}")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    return CODE.search(response.get_data(as_text=True)).group(1)


def _claimed(app) -> bool:
    with app.app_context():
        return db.session.scalar(select(User).where(User.phone == "0966555444")).password_hash is not None


def test_knowing_phone_and_union_is_not_enough_to_take_over(app, client, world, entered_member):
    response = client.form("/register", dict(CLAIM, unit_id=str(world.union_a1)))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nhập mã nhận tài khoản do tổ hỗ trợ đưa cho bạn." in body
    assert 'name="claim_code"' in body and 'value="Lò Văn Mới"' in body
    assert not _claimed(app)
    # No code issued yet: guessing gets nowhere.
    body = client.form("/register", dict(CLAIM, unit_id=str(world.union_a1), claim_code="123456")
                       ).get_data(as_text=True)
    assert "Chưa có mã nhận tài khoản cho số điện thoại này." in body
    assert not _claimed(app)


def test_helper_lists_unclaimed_members_of_their_union_only(app, world, entered_member):
    helper = app.test_client()
    login(helper, world.helper_a1_phone)
    page = helper.get("/account/claim-codes").get_data(as_text=True)
    assert "Lò Văn Mới" in page and "0966555444" in page
    assert "Lò Văn Một" not in page  # has a password: nothing to claim
    assert "Mã nhận tài khoản" in helper.get("/").get_data(as_text=True)  # in the helper's menu
    other = app.test_client()
    login(other, world.helper_b1_phone)
    assert "Lò Văn Mới" not in other.get("/account/claim-codes").get_data(as_text=True)
    assert other.form(f"/account/claim-codes/{entered_member}").status_code == 404
    assert other.form(f"/account/claim-codes/{world.member_a1}").status_code == 404
    assert other.form("/account/claim-codes/99999999999").status_code == 404
    member = app.test_client()
    login(member, world.member_a1_phone)
    assert member.get("/account/claim-codes").status_code == 403
    assert member.form(f"/account/claim-codes/{entered_member}").status_code == 403
    assert app.test_client().get("/account/claim-codes").status_code == 302  # to the login page


def test_code_is_stored_hashed_with_an_expiry(app, world, entered_member):
    code = _issue_code(app, world, entered_member)
    with app.app_context():
        member = db.session.get(User, entered_member)
        assert member.claim_code_hash and code not in member.claim_code_hash
        assert member.check_password(code) is False  # not a password either
        from app.models import utcnow
        hours = (member.claim_code_expires_at - utcnow()).total_seconds() / 3600
        assert 7 * 24 - 1 < hours <= 7 * 24


def test_member_takes_over_with_the_code_once(app, client, world, entered_member):
    code = _issue_code(app, world, entered_member)
    response = client.form("/register", dict(CLAIM, unit_id=str(world.union_a1), claim_code=f" {code[:3]} {code[3:]}"))
    assert response.status_code == 302
    assert "Sáng kiến nhập hộ cho đoàn viên mới" in client.get("/initiatives/mine").get_data(as_text=True)
    with app.app_context():
        member = db.session.get(User, entered_member)
        assert member.claim_code_hash is None and member.claim_code_expires_at is None
    # Single use: the same code cannot take the account a second time.
    again = app.test_client().form("/register", dict(CLAIM, unit_id=str(world.union_a1), claim_code=code))
    assert "Số điện thoại này đã có tài khoản" in again.get_data(as_text=True)


def test_a_fresh_code_replaces_the_old_one(app, client, world, entered_member):
    old = _issue_code(app, world, entered_member)
    new = _issue_code(app, world, entered_member)
    if old != new:
        body = client.form("/register", dict(CLAIM, unit_id=str(world.union_a1), claim_code=old)
                           ).get_data(as_text=True)
        assert "Mã nhận tài khoản không đúng." in body
    assert client.form("/register", dict(CLAIM, unit_id=str(world.union_a1), claim_code=new)).status_code == 302


def test_wrong_codes_are_counted_and_the_code_is_spent(app, client, world, entered_member):
    code = _issue_code(app, world, entered_member)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    for _ in range(4):
        body = client.form("/register", dict(CLAIM, unit_id=str(world.union_a1), claim_code=wrong)
                           ).get_data(as_text=True)
        assert "Mã nhận tài khoản không đúng." in body
        assert 'value="Lò Văn Mới"' in body and f'value="{wrong}"' in body  # what was typed stays
    body = client.form("/register", dict(CLAIM, unit_id=str(world.union_a1), claim_code=wrong)).get_data(as_text=True)
    assert "Mã này đã bị khóa vì nhập sai quá nhiều lần." in body
    # Even the right code no longer works: the support team issues a new one.
    body = client.form("/register", dict(CLAIM, unit_id=str(world.union_a1), claim_code=code)).get_data(as_text=True)
    assert "Mã này đã bị khóa" in body
    assert not _claimed(app)
    assert client.form("/register", dict(CLAIM, unit_id=str(world.union_a1),
                                         claim_code=_issue_code(app, world, entered_member))).status_code == 302


def test_expired_code_is_refused(app, client, world, entered_member):
    code = _issue_code(app, world, entered_member)
    with app.app_context():
        from datetime import timedelta
        member = db.session.get(User, entered_member)
        member.claim_code_expires_at -= timedelta(days=8)
        db.session.commit()
    body = client.form("/register", dict(CLAIM, unit_id=str(world.union_a1), claim_code=code)).get_data(as_text=True)
    assert "Mã nhận tài khoản đã hết hạn." in body
    assert not _claimed(app)


def test_code_is_sent_by_sms_where_a_gateway_is_configured(app, world, entered_member):
    sent = []
    app.extensions["sms"] = type("Gateway", (), {"send": lambda self, phone, text: sent.append((phone, text))})()
    helper = app.test_client()
    login(helper, world.helper_a1_phone)
    body = helper.form(f"/account/claim-codes/{entered_member}").get_data(as_text=True)
    assert "Đã gửi mã mới qua SMS tới 0966555444." in body and not CODE.search(body)
    assert sent and sent[0][0] == "0966555444" and re.search(r"\d{6}", sent[0][1])


# --- Sessions -------------------------------------------------------------------------------------------------------

def test_signed_in_pages_and_exports_are_not_stored(app, client, world):
    anonymous = client.get("/")
    assert "no-store" not in anonymous.headers.get("Cache-Control", "")
    asset = client.get(re.search(r'href="(/s/[^"]+app\.css)"', anonymous.get_data(as_text=True)).group(1))
    login(client, world.organizer_p_phone)
    for url in ("/", "/campaigns/thu", "/initiatives/mine", "/admin/users"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response.headers["Cache-Control"], url
    for fmt in ("csv", "xlsx"):
        export = client.get(f"/admin/campaigns/{world.campaign}/report?week=2022-05-02&format={fmt}")
        assert export.status_code == 200 and export.mimetype != "text/html"
        assert "no-store" in export.headers["Cache-Control"]
    # Fingerprinted assets keep their long public cache.
    cached = client.get(asset.request.path)
    assert "immutable" in cached.headers["Cache-Control"] and "no-store" not in cached.headers["Cache-Control"]


def test_cookies_are_https_only_unless_in_development():
    import subprocess
    import sys

    def secure(**env):
        code = "from app.config import Config as C; print(C.SESSION_COOKIE_SECURE, C.REMEMBER_COOKIE_SECURE)"
        clean = {k: v for k, v in os.environ.items()
                 if k not in ("SANGKIEN_DEVELOPMENT", "FLASK_DEBUG", "SESSION_COOKIE_SECURE")}
        return subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True,
                              check=True).stdout.split()

    assert secure() == ["True", "True"]
    assert secure(SANGKIEN_DEVELOPMENT="1") == ["False", "False"]
    assert secure(FLASK_DEBUG="1") == ["False", "False"]
    assert secure(SANGKIEN_DEVELOPMENT="1", SESSION_COOKIE_SECURE="1") == ["True", "True"]


def test_make_run_is_development():
    from pathlib import Path
    makefile = (Path(__file__).parent.parent / "Makefile").read_text()
    run_recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "SANGKIEN_DEVELOPMENT=1" in run_recipe


def test_login_cookie_is_secure_outside_development(app, client, world):
    response = login(client, world.member_a1_phone)
    assert "Secure" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]


def _age_session(client, minutes: int) -> None:
    import time
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - minutes * 60


def test_idle_staff_session_ends_with_a_clear_message(app, client, world):
    login(client, world.reviewer_a_phone)
    _age_session(client, 59)
    assert client.get("/review/").status_code == 200  # still active: and the request counts as activity
    with client.session_transaction() as session:
        assert abs(session["seen_at"] - __import__("time").time()) < 5
    _age_session(client, 61)
    response = client.get("/review/?status=submitted")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Phiên đăng nhập đã hết hạn vì quá 60 phút không thao tác." in body
    assert "Lê Thẩm Định" not in body
    assert client.get("/review/").status_code == 302  # really logged out


def test_idle_staff_htmx_request_redirects_the_page(app, client, world):
    login(client, world.organizer_a_phone)
    _age_session(client, 61)
    response = client.htmx("/initiatives/mine")
    assert response.status_code == 204 and response.headers["HX-Redirect"].startswith("/login")


def test_idle_timeout_is_configurable(app_factory, world):
    app = app_factory(STAFF_IDLE_MINUTES=5)
    client = app.test_client()
    login(client, world.organizer_a_phone)
    _age_session(client, 6)
    assert client.get("/admin/users").status_code == 302


def test_members_keep_long_sessions(app, client, world):
    login(client, world.member_a1_phone)
    _age_session(client, 24 * 60)
    response = client.get("/initiatives/mine")
    assert response.status_code == 200 and "Lò Văn Một" in response.get_data(as_text=True)


def test_staff_get_no_remember_me_cookie(app, client, world):
    response = client.form("/login", {"identifier": world.organizer_a_phone, "password": "secret-pass-1",
                                      "remember": "y"})
    assert response.status_code == 302 and "remember_token" not in response.headers.get("Set-Cookie", "")
    member = app.test_client()
    response = member.form("/login", {"identifier": world.member_a1_phone, "password": "secret-pass-1",
                                      "remember": "y"})
    assert "remember_token" in str(response.headers.getlist("Set-Cookie"))


def test_logout_deletes_the_remember_me_cookie(app, client, world):
    client.form("/login", {"identifier": world.member_a1_phone, "password": "secret-pass-1", "remember": "y"})
    assert client.get_cookie("remember_token") is not None
    client.form("/logout")
    assert client.get_cookie("remember_token") is None


# --- Change my password ---------------------------------------------------------------------------------------------

NEW = "Hoa-ban-nở-trắng-rừng"


def _change(client, current="secret-pass-1", new=NEW, confirm=None):
    return client.form("/account/password", {"current": current, "password": new,
                                             "confirm": new if confirm is None else confirm})


def test_change_password_page_is_linked_and_needs_login(client, world):
    assert client.get("/account/password").status_code == 302
    login(client, world.member_a1_phone)
    # The header names the person and links to their account page, which links to the password form.
    assert 'class="account" href="/notifications/settings"' in client.get("/").get_data(as_text=True)
    assert 'href="/account/password"' in client.get("/notifications/settings").get_data(as_text=True)
    assert client.get("/account/password").status_code == 200


@pytest.mark.parametrize("current, new, confirm, message", [
    ("wrong-pass-1", NEW, NEW, "Mật khẩu hiện tại không đúng."),
    ("secret-pass-1", "matkhau123", "matkhau123", "Mật khẩu này quá phổ biến"),
    ("secret-pass-1", "0911000001ab", "0911000001ab", "không được chứa số điện thoại"),
    ("secret-pass-1", NEW, NEW + "x", "Hai mật khẩu không khớp."),
    ("secret-pass-1", "secret-pass-1", "secret-pass-1", "Mật khẩu mới cần khác mật khẩu hiện tại."),
    ("", NEW, NEW, "Vui lòng nhập mật khẩu hiện tại."),
])
def test_change_password_refusals(app, client, world, current, new, confirm, message):
    login(client, world.member_a1_phone)
    response = _change(client, current, new, confirm)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, world.member_a1).check_password("secret-pass-1")


def test_change_password_ends_other_sessions_and_keeps_this_one(app, client, world):
    login(client, world.member_a1_phone)
    other_device = app.test_client()
    login(other_device, world.member_a1_phone)
    response = _change(client)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã đổi mật khẩu." in page and "Lò Văn Một" in page
    assert client.get("/initiatives/mine").status_code == 200
    assert other_device.get("/initiatives/mine").status_code == 302  # logged out there
    fresh = app.test_client()
    assert fresh.form("/login", {"identifier": world.member_a1_phone, "password": "secret-pass-1"}).status_code == 200
    login(fresh, world.member_a1_phone, NEW)


def test_guessing_the_current_password_is_rate_limited(app_factory, world):
    app = app_factory(LOGIN_ACCOUNT_RATE_LIMIT="3 per minute")
    client = app.test_client()
    login(client, world.member_a1_phone)
    for _ in range(3):
        assert _change(client, current="guess-pass-0").status_code == 200
    assert _change(client).status_code == 429


# --- Hostile input --------------------------------------------------------------------------------------------------

def test_control_characters_in_logins_and_names_get_a_form_error(app, client, world):
    for identifier in ("0911\x00000001", "a\x00@example.vn"):
        response = client.form("/login", {"identifier": identifier, "password": "secret-pass-1"})
        assert response.status_code == 200 and "ký tự không hợp lệ" in response.get_data(as_text=True)
    data = dict(REGISTRATION, full_name="Lò\x00Thị", email="moi\x00@example.vn", position="Giáo\x07viên",
                claim_code="12\x0034", unit_id=str(world.union_a2))
    body = client.form("/register", data).get_data(as_text=True)
    assert body.count("ký tự không hợp lệ") == 4  # name, e-mail, position, code
    with app.app_context():
        assert db.session.scalar(select(User).where(User.phone == "0988123456")) is None
    for url in ("/register?unit_query=tr%00am", "/units/search?unit_query=tr%00am"):
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 200
