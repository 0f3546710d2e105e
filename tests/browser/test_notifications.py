"""Nobody waits in silence (issue 14), in a real browser against the live server and its job-queue worker: a
reviewer's return reaches the author's inbox (the header's count, the notice, its link to the edit form) and, by
the worker, the e-mail outbox; an obstacle raised by a support team on a phone is answered by the unit above."""
from __future__ import annotations

import re
import time

from .conftest import DESKTOP, PHONE

MEMBERS = ("0900000008", "0900000009")


def unread(page) -> int:
    badge = page.locator("#inbox-link .count")
    return int(badge.inner_text().replace(".", "")) if badge.count() else 0


def test_a_return_reaches_the_authors_inbox_and_the_outbox(new_context, live_server):
    rows = live_server.query(
        "SELECT i.id, i.title, u.phone FROM initiatives i JOIN users u ON u.id = i.author_id "
        "WHERE u.phone IN (?, ?) AND i.status = 'submitted' ORDER BY i.id", MEMBERS)
    assert rows, "the demo has a submitted initiative by a demo member"
    initiative_id, title, phone = rows[0]

    member = new_context(PHONE, role=phone, is_mobile=True, has_touch=True).pages[0]
    member.goto("/")
    before = unread(member)

    reviewer = new_context(DESKTOP, role="reviewer").pages[0]
    reviewer.goto(f"/review/{initiative_id}")
    reviewer.select_option("#return_reason", "missing_effect")
    reviewer.fill("#return_message", "Bổ sung số học sinh tham gia câu lạc bộ trước và sau một học kỳ.")
    reviewer.locator("button[name=decision][value=return]").click()
    reviewer.locator(".flash.success").first.wait_for()
    assert live_server.scalar("SELECT status FROM initiatives WHERE id = ?", (initiative_id,)) == "returned"

    member.goto("/")
    assert unread(member) == before + 1
    member.locator("#inbox-link").click()
    member.wait_for_url(re.compile(r"/notifications/"))
    notice = member.locator("li.notice.unread").first
    assert title in notice.inner_text() and "Chưa nêu hiệu quả, lợi ích" in notice.inner_text()
    assert "Bổ sung số học sinh tham gia" in notice.inner_text()
    notice.locator("button.subject").click()                       # open it: marked read, straight to the form
    member.wait_for_url(re.compile(rf"/initiatives/{initiative_id}/edit$"))
    assert unread(member) == before

    email = live_server.scalar("SELECT email FROM users WHERE phone = ?", (phone,))
    admin = new_context(DESKTOP, role="admin").pages[0]
    deadline = time.monotonic() + 20
    while True:                                                    # the worker delivers within a few seconds
        admin.goto("/notifications/outbox")
        text = admin.inner_text("main")
        if title in text and email in text:
            break
        assert time.monotonic() < deadline, "the worker did not deliver the e-mail to the outbox"
        time.sleep(0.5)
    assert live_server.scalar(
        "SELECT d.status FROM deliveries d JOIN notifications n ON n.id = d.notification_id "
        "WHERE n.initiative_id = ? AND n.kind = 'returned' ORDER BY d.id DESC LIMIT 1", (initiative_id,)) == "sent"


def test_an_obstacle_raised_on_a_phone_is_answered_by_the_unit_above(new_context, live_server):
    helper = new_context(PHONE, role="helper", is_mobile=True, has_touch=True).pages[0]
    helper.goto("/support/obstacles/new")
    title = "Đoàn viên điểm trường Sin Suối Hồ chưa có tài khoản"
    helper.fill("textarea[name=body]", "Năm giáo viên chưa có số điện thoại riêng; tổ hỗ trợ nhập thay được không?")
    helper.fill("input[name=title]", title)
    helper.locator("form button.primary").click()
    helper.wait_for_url(re.compile(r"/support/obstacles/\d+$"))
    obstacle_id = int(helper.url.rsplit("/", 1)[1])
    assert live_server.scalar("SELECT status FROM obstacles WHERE id = ?", (obstacle_id,)) == "open"

    # The district's leader in charge (Tam Đường) is told, and answers from the notice.
    leader = new_context(DESKTOP, role="organizer_district").pages[0]
    leader.goto("/notifications/")
    notice = leader.locator("li.notice.unread", has_text=title).first
    notice.locator("button.subject").click()
    leader.wait_for_url(re.compile(rf"/support/obstacles/{obstacle_id}$"))
    leader.fill(f"form[action$='/obstacles/{obstacle_id}/answer'] textarea",
                "Được: tổ hỗ trợ nhập thay, ghi đúng tên tác giả; đoàn viên nhận tài khoản sau bằng mã nhận.")
    leader.locator(f"form[action$='/obstacles/{obstacle_id}/answer'] button.primary").click()
    leader.wait_for_load_state()
    assert live_server.scalar("SELECT status FROM obstacles WHERE id = ?", (obstacle_id,)) == "answered"

    helper.goto("/")
    helper.locator("#inbox-link").click()
    answered = helper.locator("li.notice.unread", has_text=title).first
    assert "đã được trả lời" in answered.inner_text()
    answered.locator("button.subject").click()
    helper.wait_for_url(re.compile(rf"/support/obstacles/{obstacle_id}$"))
    assert "tổ hỗ trợ nhập thay, ghi đúng tên tác giả" in helper.inner_text("main")
