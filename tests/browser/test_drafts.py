"""Nothing typed may be lost or leak (issue 11), in a real browser: a shared phone, a tab closed within the 2 s
before the autosave, a connection that drops and comes back, and the new-initiative form opened with no signal
through the service worker. Each test reads what the server really stored."""
from __future__ import annotations

import json
import re
import secrets
import time

from .conftest import ACCOUNTS, DESKTOP, PHONE, login
from .test_flows import fill_initiative


def phone_context(new_context):
    return new_context(PHONE, is_mobile=True, has_touch=True)


def user_id(live_server, role: str) -> int:
    return live_server.scalar("SELECT id FROM users WHERE phone = ?", (ACCOUNTS[role],))


def draft_keys(page) -> list[str]:
    return page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('draft:')).sort()")


def logout(page) -> None:
    """Press "Đăng xuất" in the header, opening the menu first if it is folded (phones)."""
    page.goto("/")
    button = page.locator("form[action='/logout'] button")
    if not button.is_visible():
        page.locator("details:has(form[action='/logout']) > summary").first.click()
    with page.expect_navigation():
        button.click()
    page.wait_for_load_state()
    assert page.locator("body").get_attribute("data-account") == ""


def wait_for(condition, timeout: float = 10.0, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


def status_text(page) -> str:
    return page.inner_text("#autosave-status").strip()


def test_shared_phone_nothing_of_member_a_reaches_member_b(new_context, live_server):
    context = phone_context(new_context)
    page = login(context.new_page(), "member")
    member_a, member_b = user_id(live_server, "member"), user_id(live_server, "member2")
    secret = f"Bí mật của A {secrets.token_hex(3)}"
    page.goto("/initiatives/new")
    page.fill("input[name=title]", secret)
    page.fill("textarea[name=solution]", secret + ": nội dung chỉ A biết")
    # The copy on this phone belongs to A and to this form, never to "new" for everyone.
    keys = draft_keys(page)
    assert keys and all(key.startswith(f"draft:{member_a}:") for key in keys), keys
    page.close(run_before_unload=True)  # within 2 s: before the autosave
    page = context.new_page()
    logout(page)
    assert draft_keys(page) == []  # logout cleared every copy of A's
    assert page.evaluate("async () => (await caches.keys()).includes('pages')") is False

    page = login(page, "member2")
    page.goto("/initiatives/new")
    assert page.input_value("input[name=title]") == "" and page.input_value("textarea[name=solution]") == ""
    page.fill("textarea[name=current_situation]", "B gõ phần của mình")
    wait_for(lambda: "Đã lưu nháp" in status_text(page))
    assert "Đã lưu nháp" in status_text(page)
    assert all(key.startswith(f"draft:{member_b}:") for key in draft_keys(page))
    leaked = live_server.query("SELECT id FROM initiatives WHERE (author_id = ? OR entered_by_id = ?) AND "
                               "(title LIKE ? OR solution LIKE ?)", (member_b, member_b, secret + "%", secret + "%"))
    assert leaked == []
    # What A typed is A's (sent when the tab closed), once.
    assert [row[0] for row in live_server.query("SELECT author_id FROM initiatives WHERE title = ?", (secret,))] \
        in ([], [member_a])


def test_text_typed_in_the_last_2_s_lands_in_its_draft_and_never_in_the_next_form(new_context, live_server):
    context = phone_context(new_context)
    page = login(context.new_page(), "member")
    title = f"Hai giây cuối {secrets.token_hex(3)}"
    page.goto("/initiatives/new")
    page.fill("input[name=title]", title)
    page.wait_for_url(re.compile(r"/initiatives/\d+/edit$"))  # the first autosave made the draft
    draft_id = int(re.search(r"/initiatives/(\d+)/edit$", page.url).group(1))
    assert page.locator("form[data-draft]").get_attribute("data-draft-id") == str(draft_id)
    page.fill("textarea[name=solution]", "Gõ trong hai giây cuối trước khi đóng")
    assert "chưa lưu" in status_text(page)
    assert any(key.endswith(f":{draft_id}") for key in draft_keys(page))  # the copy followed the draft
    page.close(run_before_unload=True)
    stored = wait_for(lambda: live_server.scalar("SELECT solution FROM initiatives WHERE id = ?", (draft_id,)))
    assert stored == "Gõ trong hai giây cuối trước khi đóng"  # sent when the page was closed (keepalive)

    page = context.new_page()
    page.goto("/initiatives/new")
    assert page.input_value("input[name=title]") == "" and page.input_value("textarea[name=solution]") == ""
    page.fill("textarea[name=current_situation]", "Một sáng kiến khác")
    wait_for(lambda: "Đã lưu nháp" in status_text(page))
    assert live_server.scalar("SELECT COUNT(*) FROM initiatives WHERE title = ?", (title,)) == 1


def test_offline_the_status_tells_the_truth_and_the_draft_is_sent_when_back(new_context, live_server):
    context = phone_context(new_context)
    page = login(context.new_page(), "member")
    title = f"Mất sóng {secrets.token_hex(3)}"
    page.goto("/initiatives/new")
    page.fill("input[name=title]", title)
    page.wait_for_url(re.compile(r"/initiatives/\d+/edit$"))
    draft_id = int(re.search(r"/initiatives/(\d+)/edit$", page.url).group(1))
    saved = status_text(page)
    assert re.match(r"Đã lưu nháp lúc \d\d/\d\d/\d{4} \d\d:\d\d", saved)
    context.set_offline(True)
    page.fill("textarea[name=solution]", "Soạn khi mất sóng trên đèo")
    assert "giữ trên máy này" in status_text(page)  # never "saved at" while it is not
    page.wait_for_timeout(2500)  # the autosave's pause: nothing can go out
    assert "giữ trên máy này" in status_text(page)
    # It stays in view wherever the member is in the form on a phone (the visible height: a page too wide is zoomed).
    height = page.evaluate("window.innerHeight")
    for field in ("input[name=title]", "textarea[name=solution]", "button[name=action][value=submit]"):
        page.locator(field).scroll_into_view_if_needed()
        box = page.locator("#autosave-status").bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height + 1, (field, box)
    assert live_server.scalar("SELECT solution FROM initiatives WHERE id = ?", (draft_id,)) in (None, "")
    context.set_offline(False)  # the "online" event: sent without another keystroke
    stored = wait_for(lambda: live_server.scalar("SELECT solution FROM initiatives WHERE id = ?", (draft_id,)))
    assert stored == "Soạn khi mất sóng trên đèo"
    wait_for(lambda: "Đã lưu nháp" in status_text(page))
    assert "Đã lưu nháp" in status_text(page)
    assert draft_keys(page) == []  # the server has everything: no copy left on the phone


def test_the_form_opens_with_no_signal_and_the_draft_is_sent_when_back_online(new_context, live_server):
    context = phone_context(new_context)
    page = login(context.new_page(), "member")
    page.goto("/")
    assert page.locator("link[rel=manifest]").count() == 1
    cached = wait_for(lambda: page.evaluate(
        "async () => !!(await caches.open('pages').then(c => c.match('/initiatives/new', {ignoreVary: true})))"))
    assert cached, "the service worker did not keep the new-initiative form"
    wait_for(lambda: page.evaluate("() => !!(navigator.serviceWorker && navigator.serviceWorker.controller)"))
    context.set_offline(True)
    title = f"Không sóng {secrets.token_hex(3)}"
    page.goto("/initiatives/new")
    assert page.locator("form[data-draft]").count() == 1
    first_key = page.input_value("input[name=submit_key]")
    page.fill("input[name=title]", title)
    page.fill("textarea[name=solution]", "Soạn ở bản, không có sóng")
    page.wait_for_timeout(2500)
    assert "giữ trên máy này" in status_text(page)
    page.goto("/initiatives/new")  # a second form opened offline is another draft, never the same one
    assert page.input_value("input[name=submit_key]") != first_key
    # (Chromium's offline emulation may let the keepalive sent at pagehide through: on a real phone it waits.)
    context.set_offline(False)
    page.goto("/")  # any page, once back online, sends what was kept on the phone
    stored = wait_for(lambda: live_server.query("SELECT solution, author_id FROM initiatives WHERE title = ?",
                                                (title,)))
    assert stored == [("Soạn ở bản, không có sóng", user_id(live_server, "member"))]
    wait_for(lambda: draft_keys(page) == [])
    assert draft_keys(page) == []


def test_withdraw_asks_first_and_can_be_undone(new_context, live_server):
    for javascript in (True, False):
        page = new_context(PHONE, role="member", java_script_enabled=javascript).pages[0]
        page.goto("/initiatives/new")
        title = f"Rút rồi hoàn tác {secrets.token_hex(3)}"
        fill_initiative(page, title)
        with page.expect_navigation():
            page.locator("button[name=action][value=submit]").click()
        item = live_server.scalar("SELECT id FROM initiatives WHERE title = ? AND status = 'submitted'", (title,))
        assert item and page.url.endswith(f"/initiatives/{item}")
        with page.expect_navigation():
            page.get_by_role("link", name="Rút sáng kiến").click()
        assert page.url.endswith(f"/initiatives/{item}/withdraw")
        assert live_server.scalar("SELECT status FROM initiatives WHERE id = ?", (item,)) == "submitted"
        with page.expect_navigation():
            page.locator("main form button.primary").click()
        assert live_server.scalar("SELECT status FROM initiatives WHERE id = ?", (item,)) == "withdrawn"
        with page.expect_navigation():
            page.get_by_role("button", name="Hoàn tác").click()
        assert live_server.scalar("SELECT status FROM initiatives WHERE id = ?", (item,)) == "submitted"
        assert "Đã hoàn tác" in page.inner_text("main")


def declared(live_server, draft_id: int) -> list[int] | None:
    return json.loads(live_server.scalar("SELECT evidence_declared FROM initiatives WHERE id = ?", (draft_id,))
                      or "null")


def test_a_ticked_evidence_confirmation_is_autosaved_and_restored(new_context, live_server):
    """The "Tôi xác nhận: …" boxes of the campaign's evidence rules travel with the draft like typed text: sent by
    the autosave, kept on the phone offline and put back when the form opens again."""
    context = phone_context(new_context)
    page = login(context.new_page(), "member")
    page.goto("/initiatives/new")
    page.fill("input[name=title]", f"Xác nhận đi theo bản nháp {secrets.token_hex(3)}")
    page.wait_for_url(re.compile(r"/initiatives/\d+/edit$"))
    draft_id = int(re.search(r"/initiatives/(\d+)/edit$", page.url).group(1))
    campaign_id = live_server.scalar("SELECT campaign_id FROM initiatives WHERE id = ?", (draft_id,))
    # The province organizer adds an evidence rule of the campaign (the demo may have its programme's too).
    organizer = login(new_context(DESKTOP).new_page(), "organizer")
    label = f"Có biên bản nghiệm thu {secrets.token_hex(3)}"
    organizer.goto(f"/admin/campaigns/{campaign_id}/rules/new")
    organizer.select_option("select[name=kind]", "evidence")
    organizer.fill("input[name=label]", label)
    with organizer.expect_navigation():
        organizer.locator("main form button.primary").click()
    rule_id = live_server.scalar("SELECT id FROM eligibility_rules WHERE label = ?", (label,))
    assert rule_id
    try:
        page.reload()
        box = page.locator(f"input[name=evidence][value='{rule_id}']")
        box.check()
        stored = wait_for(lambda: declared(live_server, draft_id) == [rule_id])
        assert stored, "the autosave did not carry the ticked box"
        assert "Đã lưu nháp" in wait_for(lambda: "Đã lưu nháp" in status_text(page) and status_text(page))
        context.set_offline(True)
        box.uncheck()  # kept on the phone only
        page.wait_for_timeout(2500)
        assert "giữ trên máy này" in status_text(page)
        copy = page.evaluate(f"() => JSON.parse(localStorage.getItem(Object.keys(localStorage).find("
                             f"k => k.endsWith(':{draft_id}'))))")
        assert copy["values"]["evidence"] == []
        context.set_offline(False)
        cleared = wait_for(lambda: declared(live_server, draft_id) == [])
        assert cleared, "unticking every box was not sent when back online"
        # A copy made while the page was closing is put back into the box when the form opens again.
        box.check()
        page.close(run_before_unload=True)
        page = context.new_page()
        page.goto(f"/initiatives/{draft_id}/edit")
        assert page.locator(f"input[name=evidence][value='{rule_id}']").is_checked()
    finally:
        with organizer.expect_navigation():
            organizer.goto(f"/admin/campaigns/{campaign_id}/rules")
        organizer.locator(f"form[action='/admin/rules/{rule_id}/delete'] button").click()
        organizer.wait_for_load_state()
