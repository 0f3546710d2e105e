"""The public FAQ of return reasons (ordered by the real counts, cacheable) and the gap-closing list of a grassroots
union (exactly which items, in which order, the running total, the text to paste into a chat group)."""
from __future__ import annotations

import gzip
import re
from datetime import date, datetime

import pytest
from sqlalchemy import select

from app.domain import workflow
from app.extensions import db
from app.models import Campaign, Role, Status, Target, Unit, User
from app.support import service

from . import factories
from .conftest import login
from .queries import counted

CODES = ("unclear_solution", "missing_effect", "missing_scope", "missing_evidence", "other")


def _returned(campaign_id: int, author: User, admin: User, reason: str, title: str):
    item = factories.initiative(campaign_id, author, title=title)
    workflow.transition(item, Status.SUBMITTED, author)
    workflow.transition(item, Status.RETURNED, admin, reason_code=reason, message="Bổ sung")
    return item


# --- the FAQ --------------------------------------------------------------------------------------------------

@pytest.fixture
def returns(app, world, real_clock):
    """Returns in the current campaign: 3 missing_evidence, 2 missing_scope, 1 unclear_solution; and 5
    missing_effect in an older campaign, which must not count."""
    real_clock.set_demo_date(date(2022, 5, 10))
    with app.app_context():
        admin, author = db.session.get(User, world.admin), db.session.get(User, world.member_a1)
        old = Campaign(slug="cu", name="Chiến dịch cũ", unit_id=world.province, start_date=date(2021, 3, 1),
                       end_date=date(2021, 4, 30), goal=10)
        db.session.add(old)
        db.session.flush()
        n = 0
        plan = ((world.campaign, "missing_evidence", 3), (world.campaign, "missing_scope", 2),
                (world.campaign, "unclear_solution", 1), (old.id, "missing_effect", 5))
        for campaign_id, reason, times in plan:
            for _ in range(times):
                n += 1
                _returned(campaign_id, author, admin, reason, f"Sáng kiến trả lại số {n}")
        db.session.commit()
    return world


def _order(page: str) -> list[str]:
    return re.findall(r'<section class="card faq" id="([a-z_]+)"', page)


def test_the_faq_follows_the_real_counts(client, returns):
    response = client.get("/support/faq")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    # Most common first; equal counts keep the catalogue's order; the older campaign's returns do not count.
    assert _order(page) == ["missing_evidence", "missing_scope", "unclear_solution", "missing_effect", "other"]
    assert "3 lần trả lại" in page and "2 lần trả lại" in page
    # Each reason has a worked example: what the reviewer saw, what was missing, a corrected version, how to avoid.
    for heading in ("Người thẩm định đã đọc", "Còn thiếu", "Viết lại cho đạt", "Cách tránh"):
        assert page.count(heading) == len(CODES)
    assert "Trạm Y tế xã Nậm Tăm" in page and "xác nhận của Trưởng trạm y tế" in page


def test_one_more_return_changes_the_order(app, client, returns):
    with app.app_context():
        admin, author = db.session.get(User, returns.admin), db.session.get(User, returns.member_a1b)
        for n in range(3):
            _returned(returns.campaign, author, admin, "unclear_solution", f"Giải pháp chưa rõ {n}")
        db.session.commit()
    assert _order(client.get("/support/faq").get_data(as_text=True))[0] == "unclear_solution"  # 4 > 3


def test_every_return_reason_has_a_worked_example():
    from app.domain.catalog import RETURN_REASONS
    from app.support.faq import EXAMPLES
    assert set(EXAMPLES) == set(RETURN_REASONS) == set(CODES)
    for example in EXAMPLES.values():
        assert all(len(str(part)) > 60 for part in (example.seen, example.missing, example.corrected, example.avoid))


def test_the_faq_is_public_and_cacheable(client, returns):
    response = client.get("/support/faq")
    assert "Set-Cookie" not in response.headers
    assert response.cache_control.public and response.cache_control.max_age
    assert response.headers.get("ETag")
    assert "Cookie" in response.vary and 'name="csrf-token"' not in response.get_data(as_text=True)
    again = client.get("/support/faq", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    assert client.get_cookie("session") is None
    assert len(gzip.compress(response.data)) <= 14 * 1024  # the first response's budget (DESIGN §7)


def test_the_faq_speaks_english(client, returns):
    client.form("/lang", {"lang": "en", "next": "/"})
    page = client.get("/support/faq").get_data(as_text=True)
    assert "Common return reasons" in page and "What the reviewer saw" in page and "returned 3 times" in page
    assert "A corrected version" in page and "Cách tránh" not in page


# --- the gap-closing list -------------------------------------------------------------------------------------

@pytest.fixture
def gap_world(app, world, real_clock):
    """Union A1 with a target of 5 and 2 valid: a gap of 3. Its candidates, closest to done first:
    returned (7/7, Lò Văn Một), complete draft (7/7, Vàng Thị Hai), half draft (4/7, Lò Văn Một), title only (1/7,
    Vàng Thị Hai); one waiting for review. Not candidates: union A2's draft, a withdrawn one, another campaign's."""
    real_clock.set_demo_date(date(2022, 5, 10))
    with app.app_context():
        admin = db.session.get(User, world.admin)
        one, two = db.session.get(User, world.member_a1), db.session.get(User, world.member_a1b)
        target = db.session.scalar(select(Target).where(Target.campaign_id == world.campaign,
                                                        Target.unit_id == world.union_a1))
        target.count = 5
        for n in range(2):
            item = factories.initiative(world.campaign, one, title=f"Sáng kiến đã hợp lệ {n}")
            workflow.transition(item, Status.SUBMITTED, one)
            workflow.transition(item, Status.VALID, admin)
        applied = date(2022, 3, 1)
        half = factories.initiative(world.campaign, one, title="Sổ theo dõi thiết bị dạy học", solution="",
                                    effectiveness="")
        bare = factories.initiative(world.campaign, two, title="Ý tưởng về thư viện", field="", current_situation="",
                                    solution="", application_scope="", effectiveness="")
        full = factories.initiative(world.campaign, two, title="Lịch trực bán trú theo tuần", applied_since=applied)
        returned = _returned(world.campaign, one, admin, "missing_effect", "Điểm danh qua Zalo")
        returned.applied_since = applied
        # The complete draft was worked on last: the returned one still comes first (closer to done).
        returned.updated_at, full.updated_at = datetime(2022, 5, 1, 8), datetime(2022, 5, 9, 8)
        waiting = factories.initiative(world.campaign, two, title="Bảng tính điểm tự động")
        workflow.transition(waiting, Status.SUBMITTED, two)
        withdrawn = factories.initiative(world.campaign, one, title="Sáng kiến đã rút")
        workflow.transition(withdrawn, Status.SUBMITTED, one)
        workflow.transition(withdrawn, Status.WITHDRAWN, one)
        factories.initiative(world.campaign, db.session.get(User, world.member_a2), title="Bản nháp của CĐCS khác")
        old = Campaign(slug="cu", name="Chiến dịch cũ", unit_id=world.province, start_date=date(2021, 3, 1),
                       end_date=date(2021, 4, 30), goal=10)
        db.session.add(old)
        db.session.flush()
        factories.initiative(old.id, one, title="Bản nháp của chiến dịch cũ")
        db.session.commit()
        world.expected = [returned.id, full.id, half.id, bare.id]
        world.waiting = waiting.id
    return world


def _gap_ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/initiatives/(\d+)/edit"', page)]


def test_the_gap_list_is_exact(app, gap_world):
    client = app.test_client()
    login(client, gap_world.helper_a1_phone)
    response = client.get(f"/support/units/{gap_world.union_a1}/gap")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _gap_ids(page) == gap_world.expected
    assert re.findall(r'<td class="num lead" data-label="Cộng dồn">(\d+)', page) == ["1", "2", "3", "4"]
    # The third one covers the gap of 3, and only it is marked.
    assert page.count("đủ chỉ tiêu</small>") == 1
    covered_row = page.split("đủ chỉ tiêu</small>")[1].split("</tr>")[0]
    assert f"/initiatives/{gap_world.expected[2]}/edit" in covered_row
    assert "Lò Văn Một" in page and "Vàng Thị Hai" in page and "7/7" in page and "4/7" in page
    # The one waiting for review is listed apart, not as something to edit.
    assert f'href="/initiatives/{gap_world.waiting}"' in page and gap_world.waiting not in _gap_ids(page)
    for other in ("Bản nháp của CĐCS khác", "Bản nháp của chiến dịch cũ", "Sáng kiến đã rút"):
        assert other not in page


def test_the_running_total_continues_over_pages(app, gap_world):
    with app.app_context():
        unit = db.session.get(Unit, gap_world.union_a1)
        first, second = service.gap_list(unit, 1, per_page=2), service.gap_list(unit, 2, per_page=2)
        assert (first.gap, first.valid, first.target, first.total, first.waiting_total) == (3, 2, 5, 4, 1)
        assert [(e.initiative.id, e.running, e.covers) for e in first.items + second.items] == [
            (gap_world.expected[0], 1, False), (gap_world.expected[1], 2, False), (gap_world.expected[2], 3, True),
            (gap_world.expected[3], 4, False)]
        assert first.more and not second.more


def test_the_gap_text_is_ready_for_a_chat_group(app, gap_world):
    client = app.test_client()
    login(client, gap_world.helper_a1_phone)
    response = client.get(f"/support/units/{gap_world.union_a1}/gap.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    lines = text.splitlines()
    assert lines[0] == "Danh sách bù chỉ tiêu — CĐCS Trường Tiểu học Sìn Hồ"
    assert "Hợp lệ 2/5, còn thiếu 3." in lines and "Đang chờ thẩm định: 1." in lines
    assert all(len(line) <= 90 for line in lines), [line for line in lines if len(line) > 90]
    # The three that close the gap, each with its direct link, then where the rest is.
    links = [int(n) for n in re.findall(r"/initiatives/(\d+)/edit$", text, re.M)]
    assert links == gap_world.expected[:3]
    assert "1. Lò Văn Một: “Điểm danh qua Zalo” (trả lại để bổ sung)" in lines
    assert "2. Vàng Thị Hai: “Lịch trực bán trú theo tuần” (bản nháp 7/7 mục)" in lines
    assert "→ Đủ 3: bù được chỉ tiêu." in lines and "Còn 1 sáng kiến khác:" in lines
    assert lines[-1].endswith(f"/support/units/{gap_world.union_a1}/gap")
    assert "Ý tưởng về thư viện" not in text  # after the gap is covered the text stops


def test_a_gap_the_drafts_cannot_close_says_so(app, gap_world):
    with app.app_context():
        db.session.scalar(select(Target).where(Target.campaign_id == gap_world.campaign,
                                               Target.unit_id == gap_world.union_a1)).count = 10
        db.session.commit()
    client = app.test_client()
    login(client, gap_world.helper_a1_phone)
    text = client.get(f"/support/units/{gap_world.union_a1}/gap.txt").get_data(as_text=True)
    assert "→ Đủ" not in text and "Vẫn còn thiếu 4: cần thêm sáng kiến mới." in text  # gap 8, 4 candidates
    page = client.get(f"/support/units/{gap_world.union_a1}/gap").get_data(as_text=True)
    assert "chưa đủ bù 8 còn thiếu" in page


def test_who_may_see_a_gap_list(app, gap_world):
    url = f"/support/units/{gap_world.union_a1}/gap"
    with app.app_context():
        district_b = db.session.get(Unit, gap_world.district_b)
        outsider = factories.user("Vi Tổ Chức Bê", "0911000020", Role.ORGANIZER, None, district_b)
        db.session.commit()
        outsider_phone = outsider.phone
    for phone, status in ((gap_world.helper_a1_phone, 200), (gap_world.organizer_a_phone, 200),
                          (gap_world.reviewer_a_phone, 200), (gap_world.admin_phone, 200),
                          (gap_world.member_a1_phone, 404), ("0911000006", 404), (outsider_phone, 404)):
        client = app.test_client()
        login(client, phone)
        assert client.get(url).status_code == status, phone
        assert client.get(url + ".txt").status_code == status, phone
    client = app.test_client()
    login(client, gap_world.admin_phone)
    assert client.get(f"/support/units/{gap_world.district_a}/gap").status_code == 404  # not a grassroots union
    assert app.test_client().get(url).status_code == 302  # to the login page


def test_gap_pages_stay_within_the_query_budget(app, gap_world):
    client = app.test_client()
    login(client, gap_world.helper_a1_phone)
    for url in (f"/support/units/{gap_world.union_a1}/gap", f"/support/units/{gap_world.union_a1}/gap.txt",
                "/support/faq"):
        client.get(url)
        with counted(app) as statements:
            assert client.get(url).status_code == 200
        assert len(statements) <= 20, (url, len(statements))


def test_the_gap_list_speaks_english(app, gap_world):
    client = app.test_client()
    login(client, gap_world.helper_a1_phone)
    client.form("/lang", {"lang": "en", "next": "/"})
    page = client.get(f"/support/units/{gap_world.union_a1}/gap").get_data(as_text=True)
    assert "Gap-closing list" in page and "Running total" in page and "gap covered" in page
    assert "Cộng dồn" not in page
