"""The inbox through the app (issue 14): the header's badge, reading and opening (POST only, one's own only), htmx
fragments, the channels page, the support team's view of members without e-mail, the development outbox."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.domain import notices, workflow
from app.extensions import db
from app.models import Delivery, Initiative, Notification, OutboxMessage, Status, User

from . import factories
from .conftest import login
from .queries import counted
from .test_notifications import submitted, told

BADGE = re.compile(r'class="inbox-link"[^>]*>[^<]*(?:<span class="count"[^>]*>(\d+)</span>)?')


def badge(client) -> int:
    match = BADGE.search(client.get("/").get_data(as_text=True))
    assert match, "no inbox link in the header"
    return int(match.group(1) or 0)


def returned(app, world, author_key="member_a1", co_author_key: str | None = None, title="Sổ tay điện tử") -> int:
    """A submitted initiative returned by the province reviewer (the author is told)."""
    item = submitted(app, world, author_key=author_key, co_author_key=co_author_key, title=title)
    with app.app_context():
        workflow.transition(db.session.get(Initiative, item), Status.RETURNED, db.session.get(User, world.reviewer_p),
                            reason_code="missing_effect", message="Bổ sung số liệu hiệu quả.")
        db.session.commit()
    return item


def notice_of(app, user_id: int) -> Notification:
    with app.app_context():
        return db.session.scalar(select(Notification).where(Notification.user_id == user_id)
                                 .order_by(Notification.id.desc()))


def is_read(app, notification_id: int) -> bool:
    with app.app_context():
        return db.session.get(Notification, notification_id).read_at is not None


def tell(app, user_id: int, kind="valid", link="", **params) -> int:
    with app.app_context():
        made = notices.notify(db.session.get(User, user_id), kind, params=params or {"title": "Thử"}, link=link)
        db.session.commit()
        return made.id


# --- the member's inbox -----------------------------------------------------------------------------------------

def test_the_member_sees_the_notification_unread_with_the_badge_and_reading_it_is_a_post(app, client, world):
    item = returned(app, world)
    login(client, world.member_a1_phone)
    assert badge(client) == 1
    page = client.get("/notifications/")
    body = page.get_data(as_text=True)
    assert "<html" in body and "HX-Request" in page.headers["Vary"]
    assert "Sáng kiến “Sổ tay điện tử” được trả lại để bổ sung: Chưa nêu hiệu quả, lợi ích" in body  # the label
    assert "Lời nhắn: Bổ sung số liệu hiệu quả." in body
    assert 'class="notice unread"' in body and "Mới" in body
    notification = notice_of(app, world.member_a1)
    assert f'action="/notifications/{notification.id}/open"' in body
    assert not is_read(app, notification.id)  # looking changes nothing
    assert client.get(f"/notifications/{notification.id}/open").status_code == 405  # no GET changes state
    response = client.form(f"/notifications/{notification.id}/open")
    assert response.status_code == 302 and response.location == f"/initiatives/{item}/edit"
    assert is_read(app, notification.id) and badge(client) == 0
    assert 'class="notice unread"' not in client.get("/notifications/").get_data(as_text=True)


def test_mark_one_read_with_and_without_javascript(app, client, world):
    first, second = tell(app, world.member_a1), tell(app, world.member_a1)
    login(client, world.member_a1_phone)
    response = client.form(f"/notifications/{first}/read")
    assert response.status_code == 302 and response.location == "/notifications/"
    assert is_read(app, first) and not is_read(app, second)
    fragment = client.htmx(f"/notifications/{second}/read", method="POST")
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in text and "HX-Request" in fragment.headers["Vary"]
    assert f'id="notice-{second}"' in text and "unread" not in text
    assert re.search(r'<a id="inbox-link"[^>]*hx-swap-oob="true">[^<]*</a>', text)  # the header's badge, now empty
    assert is_read(app, second)


def test_mark_all_read(app, client, world):
    ids = [tell(app, world.member_a1) for _ in range(3)]
    other = tell(app, world.member_a1b)
    login(client, world.member_a1_phone)
    assert "Chưa đọc: 3 thông báo." in client.get("/notifications/").get_data(as_text=True)
    fragment = client.htmx("/notifications/read-all", method="POST").get_data(as_text=True)
    assert 'id="inbox-list"' in fragment and "<html" not in fragment and "unread" not in fragment
    assert 'hx-swap-oob="true"' in fragment
    assert all(is_read(app, i) for i in ids) and not is_read(app, other)  # another's stays unread
    tell(app, world.member_a1)
    response = client.form("/notifications/read-all")
    assert response.status_code == 302 and badge(client) == 0


def test_the_inbox_fragment_for_htmx_and_pages_newest_first(app, client, world):
    ids = [tell(app, world.member_a1, title=f"Sáng kiến số {n}") for n in range(25)]
    login(client, world.member_a1_phone)
    first = client.get("/notifications/").get_data(as_text=True)
    found = [int(i) for i in re.findall(r'id="notice-(\d+)"', first)]
    assert found == ids[::-1][:20]
    assert 'href="/notifications/?page=2"' in first
    second = client.htmx("/notifications/?page=2").get_data(as_text=True)
    assert "<html" not in second and [int(i) for i in re.findall(r'id="notice-(\d+)"', second)] == ids[4::-1]
    assert 'href="/notifications/?page=3"' not in second
    for page in ("99999999999999999999", "abc", "-4", "%00", "1%00"):  # the first page, never a 500
        response = client.get(f"/notifications/?page={page}")
        assert response.status_code == 200, page


def test_someone_elses_notification_can_never_be_opened_or_marked(app, client, world):
    theirs = tell(app, world.member_a1b, link="/initiatives/1")
    login(client, world.member_a1_phone)
    for action in ("open", "read"):
        assert client.form(f"/notifications/{theirs}/{action}").status_code == 404
        assert client.htmx(f"/notifications/{theirs}/{action}", method="POST").status_code == 404
    assert not is_read(app, theirs)
    for hostile in ("99999999999999999999", "2147483648", "-1", "0", "abc", "1%00"):
        for action in ("open", "read"):
            response = client.form(f"/notifications/{hostile}/{action}")
            assert response.status_code in (400, 404, 405), (hostile, action, response.status_code)
    assert client.form(f"/notifications/{theirs}/read", {"csrf_token": "forged"}).status_code in (400, 404)
    assert not is_read(app, theirs)


def test_a_post_without_a_valid_token_marks_nothing(app, client, world):
    mine = tell(app, world.member_a1)
    login(client, world.member_a1_phone)
    client.post(f"/notifications/{mine}/read", data={"csrf_token": "forged"})
    client.post(f"/notifications/{mine}/open", data={})
    client.post("/notifications/read-all", data={})
    assert not is_read(app, mine)


@pytest.mark.parametrize("link", ["//evil.example/x", "/\\evil.example", "http://evil.example/", "javascript:alert(1)"])
def test_opening_follows_only_links_inside_the_platform(app, client, world, link):
    mine = tell(app, world.member_a1, link=link)
    login(client, world.member_a1_phone)
    body = client.get("/notifications/").get_data(as_text=True)
    assert f"/notifications/{mine}/open" not in body  # nothing to open
    response = client.form(f"/notifications/{mine}/open")
    assert response.status_code == 302 and response.location == "/notifications/"
    assert is_read(app, mine)


# --- staff and their scopes -------------------------------------------------------------------------------------

@pytest.mark.parametrize("actor", ["reviewer_a", "organizer_a", "organizer_p", "admin"])
def test_staff_read_their_own_inbox_whatever_their_scope(app, client, world, actor):
    """Staff of district A (home union A2), the province organizer (home union B1) and the admin: each sees their
    own notifications, never the members' of any unit."""
    returned(app, world)  # member A1's
    own = tell(app, getattr(world, actor), kind="queue_ageing", link="/review/", count=7, days=5)
    login(client, getattr(world, f"{actor}_phone"))
    body = client.get("/notifications/").get_data(as_text=True)
    assert "7 sáng kiến chờ thẩm định quá 5 ngày" in body and f'id="notice-{own}"' in body
    assert "Sổ tay điện tử" not in body and "Đoàn viên cần làm" not in body
    assert client.form(f"/notifications/{own}/open").location == "/review/"


# --- the support team -------------------------------------------------------------------------------------------

def test_the_helper_sees_what_members_without_email_must_act_on(app, client, world):
    with app.app_context():
        db.session.get(User, world.member_a1).email = "mot@example.vn"  # reached by e-mail
        db.session.commit()
    with_mail = returned(app, world, author_key="member_a1", title="Có thư điện tử")
    without = returned(app, world, author_key="member_a1b", title="Không có thư điện tử")
    returned(app, world, author_key="member_b1", title="Công đoàn khác")  # union B1: not this helper's
    tell(app, world.member_a1b, kind="valid", title="Tin vui không cần làm gì")
    tell(app, world.helper_a1, kind="returned", title="Của chính tổ hỗ trợ", reason="other")
    login(client, world.helper_a1_phone)
    body = client.get("/notifications/").get_data(as_text=True)
    section = body[body.index('id="members-need"'):body.index('id="inbox-list"')]
    assert "Vàng Thị Hai" in section and "Không có thư điện tử" in section
    assert f'href="/initiatives/{without}/edit"' in section  # the helper edits it on the member's behalf
    for absent in ("Có thư điện tử”", "Công đoàn khác", "Tin vui", "Của chính tổ hỗ trợ"):
        assert absent not in section, absent
    assert "Của chính tổ hỗ trợ" in body  # the helper's own, in their own list
    assert with_mail
    # Sent again (by the helper): nothing waits any more, though the member has not read it.
    with app.app_context():
        submitted_again = db.session.get(Initiative, without)
        workflow.transition(submitted_again, Status.SUBMITTED, db.session.get(User, world.helper_a1))
        db.session.commit()
    body = client.get("/notifications/").get_data(as_text=True)
    section = body[body.index('id="members-need"'):body.index('id="inbox-list"')]
    assert "Không có thư điện tử" not in section and "Không có việc nào đang chờ đoàn viên." in section


def test_the_helpers_section_ends_when_the_member_reads(app, client, world):
    returned(app, world, author_key="member_a1b", title="Không có thư điện tử")
    helper = app.test_client()
    login(helper, world.helper_a1_phone)
    assert "Không có thư điện tử" in helper.get("/notifications/").get_data(as_text=True)
    member = app.test_client()
    login(member, world.member_a1b_phone)
    member.form("/notifications/read-all")
    assert "Không có thư điện tử" not in helper.get("/notifications/").get_data(as_text=True)


def test_an_invalid_initiative_reopened_no_longer_waits_in_the_helpers_section(app, client, world):
    item = submitted(app, world, author_key="member_a1b", co_author_key=None, title="Không hợp lệ")
    with app.app_context():
        initiative = db.session.get(Initiative, item)
        workflow.transition(initiative, Status.INVALID, db.session.get(User, world.reviewer_p), reason_code="other")
        db.session.commit()
    login(client, world.helper_a1_phone)
    assert f'href="/initiatives/{item}"' in client.get("/notifications/").get_data(as_text=True)  # not editable
    with app.app_context():  # the second check reopens it: back in the queue, nothing for the member to do
        initiative = db.session.get(Initiative, item)
        workflow.transition(initiative, Status.SUBMITTED, db.session.get(User, world.reviewer_a))
        db.session.commit()
    body = client.get("/notifications/").get_data(as_text=True)
    assert "Không hợp lệ" not in body[body.index('id="members-need"'):body.index('id="inbox-list"')]


def test_members_and_staff_have_no_support_team_section(app, client, world):
    returned(app, world, author_key="member_a1b", title="Không có thư điện tử")
    login(client, world.member_a1_phone)
    assert "Đoàn viên cần làm" not in client.get("/notifications/").get_data(as_text=True)


# --- channels ---------------------------------------------------------------------------------------------------

def test_channels_email_only_for_an_address_and_sms_only_when_on(app_factory):
    app = app_factory(SMS_BACKEND="outbox")
    with app.app_context():
        world = factories.build_world()
        db.session.get(User, world.member_a1).email = "mot@example.vn"
        db.session.commit()
    client = app.test_client()
    login(client, world.member_a1_phone)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert 'name="notify_email"' in page and 'name="notify_sms"' in page and "mot@example.vn" in page
    assert client.form("/notifications/settings", {"notify_sms": "y"}).status_code == 302
    with app.app_context():
        person = db.session.get(User, world.member_a1)
        assert (person.notify_email, person.notify_sms) == (False, True)
        notices.notify(person, "valid", params={"title": "Thử"})
        db.session.commit()
        assert [(d.channel, d.address) for d in db.session.scalars(select(Delivery))] == [("sms", "0911000001")]
    other = app.test_client()
    login(other, world.member_a1b_phone)  # no e-mail: no e-mail switch, which a forged post cannot turn on
    page = other.get("/notifications/settings").get_data(as_text=True)
    assert 'name="notify_email"' not in page and "Tài khoản chưa có thư điện tử" in page
    other.form("/notifications/settings", {"notify_email": "y", "notify_sms": ""})
    with app.app_context():
        person = db.session.get(User, world.member_a1b)
        assert (person.notify_email, person.notify_sms) == (True, False)


def test_no_sms_switch_while_sms_is_off(app, client, world):
    login(client, world.member_a1_phone)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert 'name="notify_sms"' not in page and 'name="notify_email"' not in page
    client.form("/notifications/settings", {"notify_sms": "y"})
    with app.app_context():
        assert db.session.get(User, world.member_a1).notify_sms is False


def test_a_nul_byte_in_the_channels_form_is_no_500(app, client, world):
    login(client, world.member_a1_phone)
    assert client.form("/notifications/settings", {"notify_email": "y\x00"}).status_code in (200, 302)


# --- the development outbox -------------------------------------------------------------------------------------

def test_the_outbox_lists_messages_newest_first_for_admins_only(app, client, world):
    with app.app_context():
        member = db.session.get(User, world.member_a1)
        for n in range(35):  # one notification each: a delivery per (notification, channel)
            notification = notices.notify(member, "valid", params={"title": "Thử"})
            db.session.flush()
            delivery = Delivery(notification_id=notification.id, channel="email" if n % 2 else "sms",
                                address=f"nguoi{n}@example.vn")
            db.session.add(delivery)
            db.session.flush()
            db.session.add(OutboxMessage(delivery_id=delivery.id, channel=delivery.channel, address=delivery.address,
                                         subject=f"Tiêu đề {n}", body=f"Nội dung <b>{n}</b>"))
        db.session.commit()
    member = app.test_client()
    login(member, world.member_a1_phone)
    assert member.get("/notifications/outbox").status_code == 403
    login(client, world.admin_phone)
    first = client.get("/notifications/outbox").get_data(as_text=True)
    assert first.index("nguoi34@example.vn") < first.index("nguoi33@example.vn")
    assert "nguoi4@example.vn" not in first and 'href="/notifications/outbox?page=2"' in first
    assert "Nội dung &lt;b&gt;34&lt;/b&gt;" in first  # escaped
    second = client.htmx("/notifications/outbox?page=2").get_data(as_text=True)
    assert "<html" not in second and "nguoi0@example.vn" in second and "nguoi34@" not in second


# --- budget and language ----------------------------------------------------------------------------------------

def test_inbox_pages_stay_within_the_query_budget(app, client, world):
    for n in range(30):
        returned(app, world, author_key="member_a1b", title=f"Sáng kiến số {n}")
        tell(app, world.helper_a1, title=f"Của tổ {n}")
    for n in range(20):  # invalid ones: the helper reads them, without editing
        item = submitted(app, world, author_key="member_a1b", co_author_key=None, title=f"Không hợp lệ {n}")
        with app.app_context():
            workflow.transition(db.session.get(Initiative, item), Status.INVALID,
                                db.session.get(User, world.reviewer_p), reason_code="other")
            db.session.commit()
    login(client, world.helper_a1_phone)
    assert client.get("/notifications/").get_data(as_text=True).count("Không hợp lệ") >= 20
    for url in ("/notifications/", "/notifications/?page=2", "/notifications/settings", "/"):
        client.get(url)
        with counted(app) as statements:
            assert client.get(url).status_code == 200
        assert len(statements) <= 20, (url, len(statements))
    with counted(app) as statements:
        page = client.get("/initiatives/mine").get_data(as_text=True)
    assert re.search(r'<span class="count"[^>]*>30</span>', page)  # the badge…
    reading = [s for s in statements if "notifications" in s]
    assert len(reading) == 1 and "FROM users" in reading[0]  # …comes with the account, no query of its own


def test_english_rendering_after_the_language_switch(app, client, world):
    returned(app, world)
    login(client, world.member_a1_phone)
    client.form("/lang", {"lang": "en", "next": "/notifications/"})
    body = client.get("/notifications/").get_data(as_text=True)
    assert "Notifications" in body
    assert "returned for revision" in body and "Sổ tay điện tử" in body  # the title stays as written
    assert "được trả lại" not in body
    assert told(app)[0][1] == "returned"
