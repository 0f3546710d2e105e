"""Factory, configuration and the cross-cutting web behaviour every page relies on."""
from __future__ import annotations

import gzip
import re

from sqlalchemy import text

from app.config import normalise_database_url
from app.extensions import db


def test_database_url_forms_use_psycopg():
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_factory_uses_given_config(app):
    assert app.config["TESTING"] is True
    assert app.config["BABEL_DEFAULT_LOCALE"] == "vi"
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None


def test_sqlite_runs_in_wal_mode_with_busy_timeout(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def test_home_page_is_vietnamese_with_security_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert '<html lang="vi">' in body
    assert "Đăng nhập" in body
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "HX-Request" in response.headers["Vary"]


def test_english_switch_is_a_post_and_sticks(client):
    assert client.get("/lang").status_code == 405  # no state change on GET
    response = client.form("/lang", {"lang": "en", "next": "/"})
    assert response.status_code == 302
    body = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in body
    assert "Log in" in body


def test_static_files_are_fingerprinted_and_cached_forever(client):
    body = client.get("/").get_data(as_text=True)
    urls = re.findall(r'(?:href|src)="(/s/[0-9a-f]{12}/[^"]+)"', body)
    assert any(u.endswith("app.css") for u in urls) and any("htmx" in u for u in urls)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        assert "immutable" in response.headers["Cache-Control"]
        assert "max-age=31536000" in response.headers["Cache-Control"]
    assert client.get("/s/000000000000/app.css").status_code == 404


def test_pages_are_compressed(client):
    response = client.get("/register", headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("Content-Encoding") == "gzip"
    assert b"<html" in gzip.decompress(response.data)


def test_numbers_and_dates_follow_the_locale(app):
    from datetime import date

    from app.i18n import day, number
    with app.test_request_context("/"):
        assert number(1032) == "1.032"
        assert day(date(2022, 5, 31)) == "31/05/2022"
    with app.test_request_context("/"):
        from flask import session
        session["lang"] = "en"
        from flask_babel import refresh
        refresh()
        assert number(1032) == "1,032"


def test_every_view_declares_its_access_policy(app):
    """The policy module is used by every route: a view without a declaration is a bug."""
    undeclared = [endpoint for endpoint, view in app.view_functions.items()
                  if not hasattr(view, "policy")]
    assert undeclared == []


def test_home_tells_each_person_what_waits_for_them(app, client, world):
    from app.domain import workflow
    from app.models import Initiative, Status, User

    from . import factories
    from .conftest import login
    with app.app_context():
        author = db.session.get(User, world.member_a1)
        item = factories.initiative(world.campaign, author)
        workflow.transition(item, Status.SUBMITTED, author)
        workflow.transition(db.session.get(Initiative, item.id), Status.RETURNED, db.session.get(User, world.admin),
                            reason_code="other")
        factories.initiative(world.campaign, author, title="Bản nháp thứ hai của tôi")
        colleague = db.session.get(User, world.member_a1b)
        workflow.transition(factories.initiative(world.campaign, colleague), Status.SUBMITTED, colleague)
        db.session.commit()
    login(client, world.member_a1_phone)
    body = client.get("/").get_data(as_text=True)
    assert "1 sáng kiến được trả lại, cần bổ sung" in body and "1 bản nháp chưa gửi." in body
    reviewer = app.test_client()
    login(reviewer, world.reviewer_a_phone)
    assert "1 sáng kiến đang chờ thẩm định trong phạm vi" in reviewer.get("/").get_data(as_text=True)
