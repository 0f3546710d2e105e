"""The weekly digest: its text and the organizer's text page."""
from __future__ import annotations

from datetime import datetime

from app.domain import workflow
from app.extensions import db
from app.models import Status, User

from . import factories
from .conftest import login


def decided(app, world, author_key, status, when):
    with app.app_context():
        author = db.session.get(User, getattr(world, author_key))
        item = factories.initiative(world.campaign, author)
        workflow.transition(item, Status.SUBMITTED, author, now=when)
        if status != Status.SUBMITTED:
            workflow.transition(item, status, db.session.get(User, world.admin), now=when,
                                reason_code=None if status == Status.VALID else "other")
        db.session.commit()


def test_digest_text_page_for_a_district(app, client, world):
    decided(app, world, "member_a1", Status.VALID, datetime(2022, 5, 3, 9))
    decided(app, world, "member_a2", Status.RETURNED, datetime(2022, 5, 4, 9))
    login(client, world.organizer_a_phone)
    response = client.get(f"/admin/campaigns/{world.campaign}/digest.txt")
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/plain" and len(response.data) < 2000
    assert "Chiến dịch thử — LĐLĐ huyện Ả" in text
    assert "Tổng: 2 đã gửi, 1 hợp lệ, 0 chờ thẩm định, 1 đang trả lại để bổ sung" in text
    assert "Chỉ tiêu 60: đạt 2%, còn thiếu 59 sáng kiến hợp lệ." in text
    assert "Nhắc tác giả có sáng kiến bị trả lại" in text
    assert client.get(f"/admin/campaigns/{world.campaign}/digest.txt?unit={world.district_b}").status_code == 404


# The command (printing, and notifying the readers with --send) is tested in test_reminders.py.
