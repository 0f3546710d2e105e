"""Real-browser harness (issue 11): Debian's Chromium driven by Playwright against a live server.

The server is the production one (gunicorn running ``wsgi:app``) in a subprocess on a free 127.0.0.1 port, on its own
SQLite file, migrated with ``flask db upgrade`` and loaded once per session with ``flask seed-demo``. CSRF is on, as
in production; ``SANGKIEN_DEVELOPMENT=1`` lets the cookies travel over plain http. Every test gets a fresh browser
context (phone 360×740 or desktop 1280×800).

Without a browser the tests are skipped with a loud banner; with ``CI=true`` or ``REQUIRE_BROWSER=1`` (set by
``.ci/run``) they fail instead. ``make test-browser`` installs Debian's ``chromium`` first when it runs as root.
Developer shortcut: ``BROWSER_SEEDED_DB=/tmp/seeded.db`` keeps the migrated and seeded database between runs (made
on the first run, copied on the next ones; delete it after changing migrations or the demo).
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENDOR = Path(__file__).resolve().parent / "vendor"
CHROMIUM = os.environ.get("BROWSER_EXECUTABLE", "/usr/bin/chromium")
PASSWORD = "SangKien@2022"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
# The demo accounts (README): role → phone.
ACCOUNTS = {
    "admin": "0900000001", "organizer": "0900000002", "organizer_district": "0900000003",
    "reviewer": "0900000004", "reviewer2": "0900000005", "reviewer_district": "0900000006",
    "helper": "0900000007", "member": "0900000008", "member2": "0900000009",
}


def browser_required() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"} or os.environ.get("REQUIRE_BROWSER") == "1"


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package 'playwright' is not installed (pip install -r requirements.txt)"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return (f"no Chromium at {CHROMIUM} (apt-get install chromium, as root; `make test-browser` does it; "
                "or set BROWSER_EXECUTABLE)")
    return None


_SKIPPED: list[str] = []


def pytest_collection_modifyitems(config, items):
    reason = missing_browser()
    if reason is None:
        return
    here = Path(__file__).parent
    browser_items = [item for item in items if here in Path(str(item.fspath)).parents]
    if not browser_items:
        return
    if browser_required():
        raise pytest.UsageError(f"BROWSER TESTS REQUIRED (CI / REQUIRE_BROWSER=1) BUT CANNOT RUN: {reason}")
    _SKIPPED.append(reason)
    marker = pytest.mark.skip(reason=f"BROWSER TESTS SKIPPED: {reason}")
    for item in browser_items:
        item.add_marker(marker)


def pytest_terminal_summary(terminalreporter):
    if _SKIPPED:
        line = "!" * 100
        terminalreporter.write_line(line, red=True, bold=True)
        terminalreporter.write_line(f"!!! THE REAL-BROWSER TESTS DID NOT RUN: {_SKIPPED[0]}", red=True, bold=True)
        terminalreporter.write_line("!!! (CI=true or REQUIRE_BROWSER=1 turns this into a failure)", red=True, bold=True)
        terminalreporter.write_line(line, red=True, bold=True)


# --- the live server -------------------------------------------------------------------------------------------------

@dataclass
class LiveServer:
    url: str
    database: Path
    log: Path

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Read the server's database directly (what the app really stored)."""
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=10) as conn:
            return conn.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: tuple = ()):
        rows = self.query(sql, params)
        return rows[0][0] if rows else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _flask(env: dict, *args: str) -> None:
    run = subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> LiveServer:
    workdir = tmp_path_factory.mktemp("browser")
    database = workdir / "browser.db"
    env = {k: v for k, v in os.environ.items() if k not in {"TEST_DATABASE_URL", "FLASK_DEBUG"}}
    env.update({
        "FLASK_APP": "wsgi", "DATABASE_URL": f"sqlite:///{database}", "SANGKIEN_DEVELOPMENT": "1",
        "SECRET_KEY": secrets.token_hex(16), "UPLOAD_DIR": str(workdir / "uploads"),
        # Every test logs in from 127.0.0.1: the login limits would otherwise refuse the suite itself.
        "LOGIN_RATE_LIMIT": "10000 per minute", "LOGIN_ACCOUNT_RATE_LIMIT": "10000 per minute",
        "PYTHONUNBUFFERED": "1",
        # The job queue beside the database, and its worker running (as `make run` does): e-mail lands on the
        # development outbox page.
        "JOB_QUEUE_URL": f"sqlite:///{workdir / 'jobs.db'}",
        # The flows check that an anonymous page shows a change at once, while the browser's clock is faked and
        # the server's seconds barely pass: no shared copies (the micro-cache has its own tests, test_microcache).
        "MICROCACHE_ENTRIES": "0", "POLL_CACHE_SECONDS": "0",
    })
    cached = os.environ.get("BROWSER_SEEDED_DB")
    if cached and Path(cached).is_file():
        shutil.copyfile(cached, database)
    else:
        _flask(env, "db", "upgrade")
        _flask(env, "seed-demo")
        if cached:
            shutil.copyfile(database, cached)
    port = _free_port()
    log = workdir / "server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", "8", "--bind", f"127.0.0.1:{port}",
             "--access-logfile", "-", "--graceful-timeout", "2", "wsgi:app"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        worker = subprocess.Popen(
            [str(Path(sys.executable).with_name("huey_consumer")), "app.jobs.huey", "-k", "thread", "-w", "1",
             "-d", "0.1", "-m", "1"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            worker.kill()
            raise RuntimeError(f"the live server did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    yield LiveServer(url=url, database=database, log=log)
    worker.terminate()
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    try:
        worker.wait(timeout=10)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


# --- browser, contexts, login ----------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser, live_server):
    """Build fresh contexts: ``new_context(viewport=PHONE, java_script_enabled=False, role="member")``."""
    contexts = []

    def build(viewport=PHONE, role: str | None = None, **options):
        options.setdefault("locale", "vi-VN")
        context = browser.new_context(base_url=live_server.url, viewport=viewport, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        if role:
            login(context.new_page(), role)
        return context

    yield build
    for context in contexts:
        context.close()


@pytest.fixture
def phone(new_context):
    """A page in a fresh 360×740 context (a cheap Android phone)."""
    return new_context(PHONE, is_mobile=True, has_touch=True).new_page()


@pytest.fixture
def desktop(new_context):
    """A page in a fresh 1280×800 context."""
    return new_context(DESKTOP).new_page()


def login(page, role_or_phone: str, password: str = PASSWORD):
    """Log in through the login form, as a person would; the page is left where the app sends it."""
    phone = ACCOUNTS.get(role_or_phone, role_or_phone)
    page.goto("/login")
    page.fill("input[name=identifier]", phone)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("form:has(input[name=password]) button.primary").click()
    assert "/login" not in page.url, f"login as {role_or_phone} failed: {page.url}"
    return page


# --- page checks -----------------------------------------------------------------------------------------------------

AXE_SOURCE = None


def axe_results(page, tags: tuple[str, ...] | None = None) -> dict:
    """Run the vendored axe-core on the page (injected by the test, never served by the app).

    By default every rule axe-core runs on its own (WCAG 2.x A/AA and best practices); ``tags`` narrows it.
    """
    global AXE_SOURCE
    if AXE_SOURCE is None:
        AXE_SOURCE = (VENDOR / "axe.min.js").read_text(encoding="utf-8")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # add_script_tag would be refused by the app's CSP; evaluate runs in the page without it.
        page.evaluate(AXE_SOURCE)
    options: dict = {"resultTypes": ["violations"]}
    if tags:
        options["runOnly"] = {"type": "tag", "values": list(tags)}
    return page.evaluate("options => axe.run(document, options)", options)


def axe_violations(page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """axe-core violations of the given impacts: [{id, impact, nodes, help}]."""
    return [{"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"]), "help": v["help"],
             "targets": [n["target"] for n in v["nodes"][:5]]}
            for v in axe_results(page)["violations"] if v["impact"] in impacts]


def scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when it does not scroll sideways).

    Compared with the context's viewport, not ``window.innerWidth``: a mobile Chromium zooms out to fit a page that
    is too wide, and ``innerWidth`` grows with it.
    """
    return max(0, scroll_width(page) - page.viewport_size["width"])


def widest_elements(page, limit: int = 5) -> list[str]:
    """The elements that stick out of the viewport, for the failure message."""
    return page.evaluate("""([limit, width]) => {
        const out = [];
        for (const el of document.body.querySelectorAll('*')) {
            const r = el.getBoundingClientRect();
            if (r.right > width + 1) {
                out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                         (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '') +
                         ' right=' + Math.round(r.right));
            }
        }
        return out.slice(0, limit);
    }""", [limit, page.viewport_size["width"]])


def describe(violations: list[dict]) -> str:
    return json.dumps(violations, ensure_ascii=False, indent=1)


def inner_scrollers(page) -> list[dict]:
    """Boxes that scroll sideways inside the page (a ``.table-wrap``): the page does not overflow, its content does."""
    return page.evaluate("""() => {
        const out = [];
        for (const el of document.body.querySelectorAll('*')) {
            if (el.scrollWidth > el.clientWidth + 1 && /(auto|scroll)/.test(getComputedStyle(el).overflowX)) {
                const name = el.className ? '.' + String(el.className).split(' ')[0] : '';
                out.push({element: el.tagName.toLowerCase() + name, width: el.clientWidth, content: el.scrollWidth});
            }
        }
        return out;
    }""")


def header_height(page) -> int:
    """Height of the site header (menu) in CSS pixels."""
    return page.evaluate("(document.querySelector('body > header') || {offsetHeight: 0}).offsetHeight")
