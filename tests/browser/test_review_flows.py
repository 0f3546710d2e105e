"""Review and awards flows in a real browser (issue 11): keyboard triage, the decision message once, candidates in
pages on a phone. Each asserts what the database and the page really show."""
from __future__ import annotations

import re

from .conftest import DESKTOP, PHONE

ITEM = re.compile(r"/review/(\d+)")
DECIDE = re.compile(r"/review/\d+/decide$")


def status_of(live_server, initiative_id: int) -> tuple:
    return live_server.query("SELECT status, decision_reason, decision_message FROM initiatives WHERE id = ?",
                             (initiative_id,))[0]


def current_item(page) -> int:
    page.wait_for_url(ITEM)
    return int(ITEM.search(page.url).group(1))


def focused(page) -> str:
    return page.evaluate("document.activeElement === document.body ? 'body' : document.activeElement.id")


def decide_with_keys(page, *keys: str) -> int:
    """Press ``keys`` on the current item; the last one sends the decision. The item decided."""
    initiative_id = current_item(page)
    for key in keys[:-1]:
        page.keyboard.press(key)
    with page.expect_response(lambda r: bool(DECIDE.search(r.url))) as answer:
        page.keyboard.press(keys[-1])
    assert answer.value.status == 200 and answer.value.url.endswith(f"/review/{initiative_id}/decide")
    page.locator(".flash.success", has_text=f"#{initiative_id}.").wait_for()
    return initiative_id


def test_keyboard_i_then_enter_decides_invalid_with_the_shown_reason(new_context, live_server):
    page = new_context(DESKTOP, role="reviewer").pages[0]
    page.goto("/review/start")
    current_item(page)
    page.keyboard.press("i")
    assert focused(page) == "invalid_reason"
    assert page.eval_on_selector("#invalid_reason", "list => list.value") == "duplicate"  # the first reason shows
    first = decide_with_keys(page, "Enter")
    assert status_of(live_server, first) == ("invalid", "duplicate", None)
    # the next item is in place and the keys are the page's again (no list of the next item has the focus)
    second = current_item(page)
    assert second != first and focused(page) == "body"
    decide_with_keys(page, "i", "ArrowDown", "Enter")  # another reason chosen with the arrow
    assert status_of(live_server, second) == ("invalid", "copied", None)
    assert page.locator(".flash").count() == 1


def test_keyboard_r_then_enter_returns_once_there_is_a_message(new_context, live_server):
    page = new_context(DESKTOP, role="reviewer").pages[0]
    page.goto("/review/start")
    initiative_id = current_item(page)
    sent = []
    page.on("request", lambda request: sent.append(request.url) if DECIDE.search(request.url) else None)
    page.keyboard.press("r")
    assert focused(page) == "return_reason"
    assert page.eval_on_selector("#return_reason", "list => list.value") == "unclear_solution"
    page.keyboard.press("Enter")  # no message yet: the message field gets the focus, nothing is sent
    assert focused(page) == "return_message"
    message = "Bổ sung số liệu trước và sau; vì sao j, k, v, i, r không làm gì khi gõ"
    page.keyboard.type(message)  # keys typed into the field are the field's
    page.wait_for_timeout(300)
    assert sent == [] and current_item(page) == initiative_id
    assert status_of(live_server, initiative_id)[0] == "submitted"
    page.keyboard.press("Escape")
    decide_with_keys(page, "r", "ArrowDown", "Enter")
    assert status_of(live_server, initiative_id) == ("returned", "missing_effect", message)
    assert len(sent) == 1


def test_the_decision_message_shows_once(new_context, live_server):
    for javascript in (False, True):
        page = new_context(PHONE, role="reviewer", java_script_enabled=javascript).pages[0]
        page.goto("/review/start")
        initiative_id = current_item(page)
        if javascript:
            with page.expect_response(lambda r: bool(DECIDE.search(r.url))):
                page.locator("button[name=decision][value=valid]").click()
        else:
            with page.expect_navigation():
                page.locator("button[name=decision][value=valid]").click()
        text = f"Đã ghi quyết định “Hợp lệ” cho #{initiative_id}."
        page.locator(".flash.success", has_text=text).first.wait_for()
        assert page.locator(".flash").count() == 1, (javascript, page.locator(".flash").all_inner_texts())
        assert page.inner_text("main").count(text) == 1
        assert current_item(page) != initiative_id
        assert status_of(live_server, initiative_id)[0] == "valid"


def row_ids(page) -> list[int]:
    ids = page.eval_on_selector_all("tbody tr[id^=cand-]", "rows => rows.map(r => r.id)")
    return [int(row.split("-")[1]) for row in ids]


def test_award_candidates_come_in_pages_on_a_phone(new_context, live_server):
    """Without JS, on a phone: a page of 25, links to the next and back, the filter kept, no overlap, no gap."""
    page = new_context(PHONE, role="organizer", java_script_enabled=False).pages[0]
    page.goto("/awards/?sector=production")
    pager = page.locator("nav.pager")
    total = int(re.search(r"· (\d+) sáng kiến", pager.inner_text()).group(1))
    pages = -(-total // 25)
    assert total > 25 and f"Trang 1/{pages}" in pager.inner_text()
    box = pager.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    seen = row_ids(page)
    assert len(seen) == 25 and pager.locator("a[rel=prev]").count() == 0
    for number in range(2, pages + 1):
        with page.expect_navigation():
            pager.locator("a[rel=next]").click()
        assert "sector=production" in page.url and f"page={number}" in page.url
        assert f"Trang {number}/{pages}" in pager.inner_text()
        seen += row_ids(page)
    assert pager.locator("a[rel=next]").count() == 0 and pager.locator("a[rel=prev]").count() == 1
    assert len(seen) == len(set(seen)) == total  # every candidate once across the pages
    fields = live_server.query(
        f"SELECT DISTINCT field FROM initiatives WHERE id IN ({','.join('?' * len(seen))})", tuple(seen))
    assert {field for field, in fields} <= {"production", "agriculture", "safety"}
    with page.expect_navigation():
        pager.locator("a[rel=prev]").click()
    assert f"Trang {pages - 1}/{pages}" in pager.inner_text()
