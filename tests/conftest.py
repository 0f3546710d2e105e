"""Fixtures: one schema per run, emptied before every test; SQLite by default, PostgreSQL via TEST_DATABASE_URL."""
from __future__ import annotations

import os
import re

import pytest

# The job queue lives in this process's memory during tests (app/jobs.py reads it when first imported).
os.environ["JOB_QUEUE_URL"] = "memory://"
from flask.testing import FlaskClient
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app import create_app
from app.config import TestConfig, normalise_database_url
from app.extensions import db

from . import factories

CSRF_META = re.compile(r'name="csrf-token" content="([^"]+)"')
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def refuse_non_test_database(url: str) -> None:
    """The fixtures drop every table: only ever on a database whose name says it is for tests."""
    name = make_url(url).database or ""
    if make_url(url).get_backend_name() != "sqlite" and "test" not in name.lower():
        raise pytest.UsageError(f"TEST_DATABASE_URL names the database {name!r}: the test suite empties the "
                                "database it runs on, so its name must contain 'test'.")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    url = normalise_database_url(url)
    refuse_non_test_database(url)
    return url


@pytest.fixture(scope="session")
def _schema(database_url):
    engine = create_engine(database_url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        else:
            for table in inspect(conn).get_table_names():
                conn.execute(text(f'DROP TABLE "{table}"'))
        db.metadata.create_all(conn)
    yield engine
    engine.dispose()


def _empty_all_tables(engine) -> None:
    tables = [t.name for t in db.metadata.sorted_tables]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            conn.execute(text("PRAGMA foreign_keys=OFF"))
            for table in reversed(tables):
                conn.execute(text(f'DELETE FROM "{table}"'))
            conn.execute(text("PRAGMA foreign_keys=ON"))


class Client(FlaskClient):
    """A test client that fetches a CSRF token the way a browser form would."""

    def csrf_token(self) -> str:
        """From the home page's meta tag when signed in; anonymous public pages carry none (they start no session),
        so from the login form then, as a browser would."""
        match = CSRF_META.search(self.get("/").get_data(as_text=True))
        if match is None:
            match = CSRF_FIELD.search(self.get("/login").get_data(as_text=True))
        assert match, "no CSRF token on the home page nor on the login form"
        return match.group(1)

    def form(self, url: str, data: dict | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)

    def htmx(self, url: str, method: str = "GET", data: dict | None = None, **kwargs):
        headers = {"HX-Request": "true", **kwargs.pop("headers", {})}
        if method != "GET":
            headers.setdefault("X-CSRFToken", self.csrf_token())
        return self.open(url, method=method, data=data, headers=headers, **kwargs)


def make_config(database_url: str, tmp_path, **overrides) -> type[TestConfig]:
    attrs = {"SQLALCHEMY_DATABASE_URI": database_url, "UPLOAD_DIR": str(tmp_path / "uploads"), **overrides}
    return type("PerTestConfig", (TestConfig,), attrs)


@pytest.fixture
def app_factory(_schema, database_url, tmp_path):
    """Build an app on the (emptied) test database, with extra config if a test needs it."""
    _empty_all_tables(_schema)
    apps = []

    def build(**overrides):
        app = create_app(make_config(database_url, tmp_path, **overrides))
        app.test_client_class = Client
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(autouse=True)
def empty_job_queue():
    """Each test starts with an empty job queue: no task left by another test runs in this one."""
    from app import jobs
    jobs.huey.flush()
    yield jobs
    jobs.huey.flush()


@pytest.fixture(autouse=True)
def real_clock():
    """Each test starts on the real clock; a test that sets the demo clock (app/clock.py) gets it back after."""
    from app import clock
    clock.set_demo_date(None)
    yield clock
    clock.set_demo_date(None)


@pytest.fixture
def app(app_factory):
    return app_factory()


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def world(app):
    """A small province: two districts, three grassroots unions, a user of every role, one campaign."""
    with app.app_context():
        return factories.build_world()


def login(client: Client, phone: str, password: str = factories.PASSWORD):
    response = client.form("/login", {"identifier": phone, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response
