"""Flows that work today in a real browser (issue 11): each asserts what the database and the pages really show."""
from __future__ import annotations

import re
import secrets
import time

from playwright.sync_api import Error as PlaywrightError

from .conftest import DESKTOP, PHONE


def fill_initiative(page, title: str) -> None:
    """Every field a complete initiative needs (app/submissions/rules.py), as a member types them."""
    page.fill("input[name=title]", title)
    page.select_option("select[name=field]", index=1)
    page.fill("textarea[name=current_situation]", "Trước đây hồ sơ được chép tay, mỗi lượt mất gần một giờ đồng hồ.")
    page.fill("textarea[name=solution]", "Lập mẫu điền sẵn trên máy, in phiếu theo số thứ tự, chia hai bàn tiếp nhận "
                                         "và hướng dẫn người dân ngay tại cửa.")
    page.fill("textarea[name=application_scope]", "Bộ phận một cửa của trường")
    page.fill("input[name=applied_since]", "2022-04-01")
    page.fill("textarea[name=effectiveness]", "Thời gian chờ giảm từ 50 xuống 20 phút cho khoảng 300 lượt mỗi tháng.")
    page.check("input[name=confirm_original]")
    for box in page.locator("input[name=evidence][type=checkbox]").all():  # the programme's evidence rules
        box.check()


def wait_for_url_through_aborts(page, url: re.Pattern, seconds: float = 30) -> None:
    """Wait for ``url`` while earlier navigations are cut off: the second click of a double click aborts the
    navigation of the first (net::ERR_ABORTED), as it does for a person; the second one is the page we wait for."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            page.wait_for_url(url, timeout=max(1, deadline - time.monotonic()) * 1000)
            return
        except PlaywrightError as error:
            if "ERR_ABORTED" not in str(error) or time.monotonic() > deadline:
                raise


def unique_title(label: str) -> str:
    return f"Trình duyệt {label} {secrets.token_hex(3)}: cải tiến tiếp nhận hồ sơ"


def test_double_click_on_submit_makes_one_initiative(new_context, live_server):
    """On a slow link the first POST is still on its way when the second click sends the form again."""
    page = new_context(PHONE, role="member").pages[0]
    page.goto("/initiatives/new")
    title = unique_title("bấm đúp")
    fill_initiative(page, title)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 1500, "downloadThroughput": 50_000,
                                                  "uploadThroughput": 50_000})
    log_before = len(live_server.log.read_text().splitlines())
    button = page.locator("button[name=action][value=submit]")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    # Raw mouse clicks: a person's second click does not wait for the first navigation.
    page.mouse.click(x, y)
    # The second click once the server has answered the first POST, while its answer is still on the slow link.
    for _ in range(20):
        if any("POST /initiatives/new" in line for line in live_server.log.read_text().splitlines()[log_before:]):
            break
        page.wait_for_timeout(50)
    page.mouse.click(x, y)
    wait_for_url_through_aborts(page, re.compile(r"/initiatives/\d+$"))
    page.wait_for_load_state()
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1,
                                                  "uploadThroughput": -1})
    posts = [line for line in live_server.log.read_text().splitlines()[log_before:] if "POST /initiatives/new" in line]
    assert len(posts) == 2, f"the server saw {len(posts)} submit(s); the test needs two: {posts}"
    rows = live_server.query("SELECT id, status FROM initiatives WHERE title = ?", (title,))
    assert len(rows) == 1 and rows[0][1] == "submitted", rows
    assert page.url.endswith(f"/initiatives/{rows[0][0]}")
    page.goto("/initiatives/mine")
    assert page.get_by_text(title).count() == 1


def test_without_javascript_a_member_submits_and_a_reviewer_decides(new_context, live_server):
    member = new_context(PHONE, role="member", java_script_enabled=False).pages[0]
    member.goto("/initiatives/new")
    title = unique_title("không JS")
    fill_initiative(member, title)
    with member.expect_navigation():
        member.locator("button[name=action][value=submit]").click()
    (initiative_id, status), = live_server.query("SELECT id, status FROM initiatives WHERE title = ?", (title,))
    assert status == "submitted"
    assert member.url.endswith(f"/initiatives/{initiative_id}")
    assert title in member.inner_text("h1")

    reviewer = new_context(PHONE, role="reviewer", java_script_enabled=False).pages[0]
    reviewer.goto(f"/review/{initiative_id}")
    assert title in reviewer.inner_text("h1")
    with reviewer.expect_navigation():
        reviewer.locator("button[name=decision][value=valid]").click()
    assert live_server.scalar("SELECT status FROM initiatives WHERE id = ?", (initiative_id,)) == "valid"
    assert f"#{initiative_id}" in reviewer.locator(".flash.success").first.inner_text()

    member.goto(f"/initiatives/{initiative_id}")
    assert "Hợp lệ" in member.inner_text("main")


def test_keyboard_triage_v_decides_valid(new_context, live_server):
    page = new_context(DESKTOP, role="reviewer").pages[0]
    page.goto("/review/start")
    page.wait_for_url(re.compile(r"/review/\d+"))
    initiative_id = int(re.search(r"/review/(\d+)", page.url).group(1))
    assert live_server.scalar("SELECT status FROM initiatives WHERE id = ?", (initiative_id,)) == "submitted"
    with page.expect_response(lambda r: r.url.endswith(f"/review/{initiative_id}/decide")) as answer:
        page.keyboard.press("v")
    assert answer.value.status == 200
    page.locator(".flash.success", has_text=f"#{initiative_id}").wait_for()
    assert live_server.scalar("SELECT status FROM initiatives WHERE id = ?", (initiative_id,)) == "valid"
    # htmx swapped in the next item: a different initiative, still waiting.
    assert f"#{initiative_id} ·" not in page.inner_text("#review-item")


def test_live_counters_poll_answers_204_when_nothing_changed(new_context):
    page = new_context(PHONE).new_page()
    page.clock.install()
    page.goto("/campaign")
    before = page.inner_text("#counters")
    polls = []
    page.on("response", lambda r: polls.append(r) if "/counters" in r.url else None)
    with page.expect_response(lambda r: "/counters" in r.url) as answer:
        page.clock.run_for(25_000)
    response = answer.value
    assert response.status == 204, response.status
    assert response.request.headers.get("hx-request") == "true"
    assert page.inner_text("#counters") == before
    assert len(polls) == 1


def test_live_counters_show_a_decision_at_the_next_poll(new_context, live_server):
    page = new_context(PHONE).new_page()
    page.clock.install()
    page.goto("/campaign")
    valid_before = page.inner_text("#counters li.ok strong")

    reviewer = new_context(DESKTOP, role="reviewer2", java_script_enabled=False).pages[0]
    reviewer.goto("/review/start")
    initiative_id = int(re.search(r"/review/(\d+)", reviewer.url).group(1))
    with reviewer.expect_navigation():
        reviewer.locator("button[name=decision][value=valid]").click()
    assert live_server.scalar("SELECT status FROM initiatives WHERE id = ?", (initiative_id,)) == "valid"

    with page.expect_response(lambda r: "/counters" in r.url) as answer:
        page.clock.run_for(25_000)
    assert answer.value.status == 200
    page.wait_for_function("before => document.querySelector('#counters li.ok strong').textContent !== before",
                           arg=valid_before)
    digits = int(re.sub(r"\D", "", valid_before))
    assert int(re.sub(r"\D", "", page.inner_text("#counters li.ok strong"))) == digits + 1
