"""Every main page at 360 px, as the role that uses it: no sideways scrolling, no serious/critical axe-core violation.

Pages that fail today (issue 11) carry ``xfail(strict=True)``: once a page is fixed its check passes, the strict mark
turns that into a failure, and the fixer removes the mark. ``BROWSER_REPORT=file.json`` writes the measured figures;
``BROWSER_SCREENSHOTS=dir`` saves a 360 px screenshot of every page.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from . import conftest as harness
from .conftest import ACCOUNTS, PHONE, login

# (name, role or None for a visitor, path; the {placeholders} are filled from the demo database by demo_ids)
PAGES = [
    ("home", None, "/"),
    ("campaign", None, "/campaign"),
    ("ranking", None, "/campaigns/{slug}/units/{district}"),
    ("gallery", None, "/gallery"),
    ("login", None, "/login"),
    ("register", None, "/register"),
    ("new-initiative", "member", "/initiatives/new"),
    ("my-initiatives", "member", "/initiatives/mine"),
    ("review-queue", "reviewer", "/review/"),
    ("review-item", "reviewer", "/review/{review_item}"),
    ("scoring", "reviewer", "/review/scoring"),
    ("award-candidates", "organizer", "/awards/"),
    ("admin-campaigns", "organizer", "/admin/"),
    ("admin-targets", "organizer", "/admin/campaigns/{campaign}/targets"),
    ("admin-units", "organizer", "/admin/units"),
    ("admin-users", "organizer", "/admin/users"),
    ("weekly-report", "organizer", "/admin/campaigns/{campaign}/report"),
]


def issue(why: str):
    # raises=AssertionError: a page that breaks in another way (timeout, 500) is an error, not the expected failure.
    return pytest.mark.xfail(strict=True, raises=AssertionError, reason=f"issue 11: {why}")


# What fails today (measured 2026-12-01, docs/BROWSER_BEFORE.md); remove a mark when its page is fixed.
OVERFLOW_TODAY = {
    "new-initiative": "the file input is not sized: 380 px wide at 360 px",
    "admin-targets": "the CSV file input is not sized: 380 px wide at 360 px",
}
AXE_TODAY = {
    "my-initiatives": "status badges fail colour contrast (color-contrast, serious)",
    "review-item": "status badges fail colour contrast (color-contrast, serious)",
    "award-candidates": "status badges fail colour contrast on 200 rows (color-contrast, serious)",
    "weekly-report": "status badges fail colour contrast (color-contrast, serious)",
}

_STATES: dict[str, dict] = {}
_REPORT: dict[str, dict] = {}


@pytest.fixture(scope="module")
def demo_ids(live_server) -> dict:
    slug, campaign, province = live_server.query("SELECT slug, id, unit_id FROM campaigns ORDER BY id LIMIT 1")[0]
    district = live_server.scalar("SELECT id FROM units WHERE kind = 'district' AND parent_id = ? ORDER BY id",
                                  (province,))
    # An item waiting for review whose author has a valid initiative too (the page lists it with its badge), outside
    # the reviewer's own union (a conflict of interest would answer 404).
    review_item = live_server.scalar(
        "SELECT i.id FROM initiatives i WHERE i.status = 'submitted' AND i.unit_id <> "
        "(SELECT unit_id FROM users WHERE phone = ?) AND EXISTS (SELECT 1 FROM initiatives o WHERE "
        "o.author_id = i.author_id AND o.id <> i.id AND o.status = 'valid') ORDER BY i.id",
        (ACCOUNTS["reviewer"],))
    return {"slug": slug, "campaign": campaign, "district": district, "review_item": review_item}


@pytest.fixture
def page_as(browser, live_server, new_context, demo_ids):
    """A 360×740 page signed in as ``role`` (one login per role and session), opened at ``path``."""

    def open_page(role: str | None, path: str):
        if role and role not in _STATES:
            context = browser.new_context(base_url=live_server.url, viewport=PHONE)
            login(context.new_page(), role)
            _STATES[role] = context.storage_state()
            context.close()
        context = new_context(PHONE, is_mobile=True, has_touch=True,
                              **({"storage_state": _STATES[role]} if role else {}))
        page = context.new_page()
        response = page.goto(path.format(**demo_ids))
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        assert "/login" not in page.url or role is None, f"{path} sent {role} to the login page"
        page.wait_for_load_state("load")
        return page

    return open_page


def _measure(name: str, page) -> dict:
    figures = _REPORT.setdefault(name, {"url": page.url.split("//", 1)[1].split("/", 1)[1]})
    figures.setdefault("scroll_width", harness.scroll_width(page))
    return figures


def _params(today: dict[str, str]):
    return [pytest.param(name, role, path, id=name, marks=[issue(today[name])] if name in today else [])
            for name, role, path in PAGES]


@pytest.mark.parametrize(("name", "role", "path"), _params(OVERFLOW_TODAY))
def test_no_horizontal_scroll_at_360px(page_as, name, role, path):
    page = page_as(role, path)
    figures = _measure(name, page)
    figures["overflow"] = harness.horizontal_overflow(page)
    figures["height"] = page.evaluate("document.documentElement.scrollHeight")
    figures["widest"] = harness.widest_elements(page) if figures["overflow"] else []
    figures["inner_scrollers"] = harness.inner_scrollers(page)
    figures["header_height"] = harness.header_height(page)
    shots = os.environ.get("BROWSER_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        height = min(figures["height"], 8000)
        page.screenshot(path=str(Path(shots) / f"{name}-360.png"), full_page=True,
                        clip={"x": 0, "y": 0, "width": max(360, figures["scroll_width"]), "height": height})
    assert figures["overflow"] == 0, f"{name} is {figures['scroll_width']} px wide at 360 px: {figures['widest']}"


@pytest.mark.parametrize(("name", "role", "path"), _params(AXE_TODAY))
def test_no_serious_axe_violations(page_as, name, role, path):
    page = page_as(role, path)
    figures = _measure(name, page)
    violations = harness.axe_violations(page, impacts=("minor", "moderate", "serious", "critical"))
    figures["axe_minor_moderate"] = [v for v in violations if v["impact"] in ("minor", "moderate")]
    violations = [v for v in violations if v["impact"] in ("serious", "critical")]
    figures["axe"] = violations
    figures["serious"] = sum(1 for v in violations if v["impact"] == "serious")
    figures["critical"] = sum(1 for v in violations if v["impact"] == "critical")
    assert not violations, f"{name}: {harness.describe(violations)}"


@pytest.fixture(scope="module", autouse=True)
def _write_report():
    yield
    target = os.environ.get("BROWSER_REPORT")
    if target and _REPORT:
        Path(target).write_text(json.dumps(_REPORT, ensure_ascii=False, indent=1), encoding="utf-8")
