"""Commendation: shortlist, awards with quotas and scope, certificates, pairwise maths, gallery, exports."""
from __future__ import annotations

import gzip
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.domain import pairwise, workflow
from app.extensions import db
from app.models import Award, Initiative, Score, Status, StatusEvent, User

from . import factories
from .conftest import login


def make(app, world, author_key, status=Status.VALID, title="Cải tiến bếp ăn bán trú vùng cao", **fields):
    with app.app_context():
        author = db.session.get(User, getattr(world, author_key))
        admin = db.session.get(User, world.admin)
        item = factories.initiative(world.campaign, author, title=title, **fields)
        workflow.transition(item, Status.SUBMITTED, author)
        if status in (Status.VALID, Status.SHORTLISTED, Status.INVALID):
            workflow.transition(item, Status.INVALID if status == Status.INVALID else Status.VALID, admin,
                                reason_code="other" if status == Status.INVALID else None)
        if status == Status.SHORTLISTED:
            workflow.transition(item, Status.SHORTLISTED, admin)
        if status == Status.WITHDRAWN:
            workflow.transition(item, Status.WITHDRAWN, author)
        db.session.commit()
        return item.id


def status_of(app, item_id):
    with app.app_context():
        return db.session.get(Initiative, item_id).status


def score(app, item_id, reviewer_id, total):
    with app.app_context():
        db.session.add(Score(initiative_id=item_id, reviewer_id=reviewer_id, points={"novelty": total},
                             total=total))
        db.session.commit()


def test_candidates_ranked_by_normalised_score_with_filters(app, client, world):
    strong = make(app, world, "member_a1", title="Sổ tay điện tử", field="education")
    weak = make(app, world, "member_b1", title="Bảng phân công trực", field="health")
    for item, a, b in ((strong, 90, 70), (weak, 60, 40)):
        score(app, item, world.reviewer_p, a)
        score(app, item, world.reviewer_p2, b)
    login(client, world.organizer_p_phone)
    body = client.get("/awards/").get_data(as_text=True)
    assert body.index("Sổ tay điện tử") < body.index("Bảng phân công trực")
    assert "chênh 20" in body
    filtered = client.get("/awards/?sector=health").get_data(as_text=True)
    assert "Bảng phân công trực" in filtered and "Sổ tay điện tử" not in filtered


def candidate_ids(body):
    return [int(n) for n in re.findall(r'<tr id="cand-(\d+)"', body)]


def pager_links(body):
    return [link.replace("&amp;", "&") for link in re.findall(r'<a href="(/awards/\?[^"]*)" rel="(?:prev|next)"', body)]


def test_candidates_come_in_pages_in_one_stable_order(app, client, world):
    from app.awards.service import PAGE_SIZE
    assert 25 <= PAGE_SIZE <= 50
    items = [make(app, world, "member_a1", title=f"Sáng kiến số {n}", field="education")
             for n in range(2 * PAGE_SIZE + 3)]
    other = make(app, world, "member_a1", title="Sáng kiến y tế", field="health")
    scored = items[-4:]  # the last made ranks first: scored ones lead, ties broken by id
    for rank, item in enumerate(scored):
        score(app, item, world.reviewer_p, 90 - rank)
        score(app, item, world.reviewer_p2, 80 - rank)
    login(client, world.organizer_p_phone)
    first = client.get("/awards/?sector=education").get_data(as_text=True)
    assert "Trang 1/3 · 53 sáng kiến" in first and len(candidate_ids(first)) == PAGE_SIZE
    assert pager_links(first) == ["/awards/?page=2&sector=education"]  # no previous page; the filter is kept
    assert candidate_ids(first)[:4] == scored
    seen = candidate_ids(first)
    second = client.get(pager_links(first)[0]).get_data(as_text=True)
    assert "Trang 2/3" in second
    assert pager_links(second) == ["/awards/?page=1&sector=education", "/awards/?page=3&sector=education"]
    third = client.get(pager_links(second)[1]).get_data(as_text=True)
    assert pager_links(third) == ["/awards/?page=2&sector=education"]
    seen += candidate_ids(second) + candidate_ids(third)
    unscored = [i for i in items if i not in scored]
    assert seen == scored + unscored  # every candidate once, in order: no overlap, no gap
    assert other not in seen and len(candidate_ids(third)) == 3
    # beyond the last page, or not a number: the last page, the first page
    assert candidate_ids(client.get("/awards/?sector=education&page=99").get_data(as_text=True)) == \
        candidate_ids(third)
    assert candidate_ids(client.get("/awards/?sector=education&page=x").get_data(as_text=True)) == \
        candidate_ids(first)
    single = client.get("/awards/?sector=health").get_data(as_text=True)
    assert candidate_ids(single) == [other] and 'class="pager"' not in single


def test_shortlist_with_one_click_and_a_note(app, client, world):
    item = make(app, world, "member_a1")
    login(client, world.organizer_p_phone)
    response = client.htmx(f"/awards/{item}/shortlist", "POST", {"note": "Rất thiết thực"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and f'id="cand-{item}"' in body and "<html" not in body
    assert "Bỏ đề cử" in body and 'value="Rất thiết thực"' in body
    assert status_of(app, item) == Status.SHORTLISTED
    client.form(f"/awards/{item}/shortlist", {"note": "Rất thiết thực"})  # without JS: toggles back
    assert status_of(app, item) == Status.VALID


def test_only_organizers_of_the_scope_shortlist_or_award(app, world):
    item = make(app, world, "member_b1", Status.SHORTLISTED)  # district B
    organizer_a, reviewer, member = app.test_client(), app.test_client(), app.test_client()
    login(organizer_a, world.organizer_a_phone)
    login(reviewer, world.reviewer_p_phone)
    login(member, world.member_b1_phone)
    assert organizer_a.form(f"/awards/{item}/shortlist").status_code == 404
    assert organizer_a.get(f"/awards/{item}/award").status_code == 404
    assert reviewer.form(f"/awards/{item}/shortlist").status_code == 403
    assert member.form(f"/awards/{item}/award", {"decision_number": "1"}).status_code == 403
    assert status_of(app, item) == Status.SHORTLISTED


@pytest.mark.parametrize("status", [Status.WITHDRAWN, Status.INVALID, Status.VALID])
def test_withdrawn_invalid_or_not_shortlisted_cannot_be_awarded(app, client, world, status):
    item = make(app, world, "member_a1", status)
    login(client, world.organizer_p_phone)
    page = client.get(f"/awards/{item}/award").get_data(as_text=True)
    level_id = re.search(r'name="level_id" value="(\d+)"', page)
    assert level_id is None  # no award form at all
    with app.app_context():
        from app.awards import service
        initiative = db.session.get(Initiative, item)
        level = service.levels(initiative.campaign)[0]
        author_key = service.recipients(initiative)[0][0]
        with pytest.raises(service.AwardProblem):
            service.grant(db.session.get(User, world.organizer_p), initiative, level.id, [author_key], "12/QĐ",
                          __import__("datetime").date(2022, 6, 10))
    if status == Status.WITHDRAWN:
        assert client.form(f"/awards/{item}/shortlist").status_code == 302
        assert status_of(app, item) == Status.WITHDRAWN


def test_award_individuals_and_collective_with_quota_and_audit(app, client, world):
    item = make(app, world, "member_a1", Status.SHORTLISTED)
    with app.app_context():
        from app.models import InitiativeAuthor
        db.session.add(InitiativeAuthor(initiative_id=item, collective_unit_id=world.team_a1,
                                        full_name="Tổ Toán – Tin", share_percent=0, position_order=1))
        db.session.commit()
    login(client, world.organizer_p_phone)
    page = client.get(f"/awards/{item}/award").get_data(as_text=True)
    levels = re.findall(r'name="level_id" value="(\d+)"', page)
    keys = re.findall(r'name="recipients" value="(\w+)"', page)
    assert len(levels) == 2 and len(keys) == 2
    body = client.form(f"/awards/{item}/award", {"level_id": levels[0], "recipients": keys,
                                                 "decision_number": "", "decision_date": "2022-06-10"}
                       ).get_data(as_text=True)
    assert "Vui lòng nhập số quyết định." in body
    response = client.form(f"/awards/{item}/award", {"level_id": levels[0], "recipients": keys,
                                                     "decision_number": "125/QĐ-LĐLĐ", "decision_date": "2022-06-10"})
    assert response.status_code == 302
    with app.app_context():
        awards = db.session.scalars(select(Award).order_by(Award.id)).all()
        assert [(a.recipient_kind, a.recipient_name, a.created_by_id) for a in awards] == [
            ("individual", "Lò Văn Một", world.organizer_p), ("collective", "Tổ Toán – Tin", world.organizer_p)]
        assert db.session.get(Initiative, item).status == Status.AWARDED
        event = db.session.scalars(select(StatusEvent).where(StatusEvent.initiative_id == item)
                                   .order_by(StatusEvent.id.desc())).first()
        assert (event.to_status, event.actor_id, event.message) == ("awarded", world.organizer_p, "125/QĐ-LĐLĐ")
        awards[0].level.quota = 2
        db.session.commit()
    body = client.form(f"/awards/{item}/award", {"level_id": levels[0], "recipients": keys[:1],
                                                 "decision_number": "126", "decision_date": "2022-06-11"}
                       ).get_data(as_text=True)
    assert "còn 0 suất" in body


def test_certificate_page_and_pdf(app, client, world):
    item = make(app, world, "member_a1", Status.SHORTLISTED, title="Bếp ăn bán trú tiết kiệm củi")
    login(client, world.organizer_p_phone)
    page = client.get(f"/awards/{item}/award").get_data(as_text=True)
    client.form(f"/awards/{item}/award", {"level_id": re.search(r'name="level_id" value="(\d+)"', page).group(1),
                                          "recipients": re.search(r'name="recipients" value="(\w+)"', page).group(1),
                                          "decision_number": "125/QĐ-LĐLĐ", "decision_date": "2022-06-10"})
    with app.app_context():
        award_id = db.session.scalar(select(Award.id))
    body = client.get(f"/awards/certificates/{award_id}").get_data(as_text=True)
    for text in ("BẰNG KHEN", "BAN CHẤP HÀNH LĐLĐ TỈNH", "Lò Văn Một", "CĐCS Trường Tiểu học Sìn Hồ",
                 "Bếp ăn bán trú tiết kiệm củi", "Quyết định số 125/QĐ-LĐLĐ, ngày 10/06/2022"):
        assert text in body
    pdf = client.get(f"/awards/certificates/{award_id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert b"DejaVu" in pdf.data  # the Vietnamese-capable font is embedded
    # The recipient may open their own certificate; another member may not.
    recipient, other = app.test_client(), app.test_client()
    login(recipient, world.member_a1_phone)
    login(other, world.member_a1b_phone)
    assert recipient.get(f"/awards/certificates/{award_id}").status_code == 200
    assert other.get(f"/awards/certificates/{award_id}").status_code == 404


def test_award_list_exports_as_a_decision_annex(app, client, world):
    item = make(app, world, "member_a1", Status.SHORTLISTED)
    login(client, world.organizer_p_phone)
    page = client.get(f"/awards/{item}/award").get_data(as_text=True)
    client.form(f"/awards/{item}/award", {"level_id": re.search(r'name="level_id" value="(\d+)"', page).group(1),
                                          "recipients": re.search(r'name="recipients" value="(\w+)"', page).group(1),
                                          "decision_number": "125/QĐ-LĐLĐ", "decision_date": "2022-06-10"})
    sheet = load_workbook(io.BytesIO(client.get("/awards/list?format=xlsx").data)).active
    assert [c.value for c in sheet[3]][:4] == ["STT", "Họ và tên / Tập thể", "Chức vụ", "Đơn vị"]
    row = [c.value for c in sheet[4]]
    assert row[0] == 1 and row[1] == "Lò Văn Một" and row[6] == "Bằng khen" and row[8] == "125/QĐ-LĐLĐ"
    assert row[9].date().isoformat() == "2022-06-10"
    csv_text = client.get("/awards/list?format=csv").data.decode("utf-8-sig")
    assert "Lò Văn Một" in csv_text and "10/06/2022" in csv_text


def test_bradley_terry_on_known_examples():
    # Two items, 3 wins to 1: the maximum-likelihood strength ratio is exactly 3.
    strengths = pairwise.bradley_terry([1, 2], [(1, 2)] * 3 + [(2, 1)], prior=0)
    assert strengths[1] / strengths[2] == pytest.approx(3.0, rel=1e-6)
    # Three items: the score equations W_i = Σ n_ij p_i / (p_i + p_j) hold at the fitted strengths.
    wins = [(1, 2), (1, 2), (2, 1), (2, 3), (2, 3), (3, 2), (1, 3), (1, 3), (3, 1)]
    p = pairwise.bradley_terry([1, 2, 3], wins, prior=0)
    for i in (1, 2, 3):
        expected = sum(p[i] / (p[i] + p[j]) * 3 for j in (1, 2, 3) if j != i)
        assert sum(1 for w, _ in wins if w == i) == pytest.approx(expected, rel=1e-6)
    assert [i for i, _ in pairwise.ranking([1, 2, 3], wins, prior=0)] == [1, 2, 3]
    # An unbeaten item stays finite with the prior.
    assert pairwise.bradley_terry([1, 2], [(1, 2)] * 4)[1] < 100


def test_next_pair_prefers_least_compared_and_skips_judged():
    import random
    assert pairwise.next_pair([1, 2, 3], [(1, 2), (1, 3)], set(), random.Random(1)) == (2, 3)
    assert pairwise.next_pair([1, 2], [], {(1, 2)}) is None


def test_pairwise_round_end_to_end(app, client, world):
    first = make(app, world, "member_a1", Status.SHORTLISTED, title="Sổ tay điện tử")
    second = make(app, world, "member_a2", Status.SHORTLISTED, title="Bếp ăn bán trú")
    login(client, world.organizer_p_phone)
    response = client.form("/awards/rounds", {"name": "Chung khảo"})
    round_url = response.headers["Location"]
    page = client.get(round_url).get_data(as_text=True)
    assert "Sáng kiến nào tốt hơn?" in page
    client.form(f"{round_url}/vote", {"first": str(first), "second": str(second), "winner": str(second)})
    client.form(f"{round_url}/vote", {"first": str(first), "second": str(second), "winner": str(first)})  # repeat
    page = client.get(round_url).get_data(as_text=True)
    assert "Bạn đã so sánh hết các cặp" in page and "1 lượt chọn" in page
    assert page.index("Bếp ăn bán trú") < page.index("Sổ tay điện tử")


def test_public_gallery_with_open_graph_and_budget(app, client, world):
    item = make(app, world, "member_a1", title="Bếp ăn bán trú tiết kiệm củi", field="education")
    other = make(app, world, "member_b1", title="Ứng dụng Zalo nhắc lịch tiêm", field="health")
    login(client, world.organizer_p_phone)
    assert client.form(f"/awards/{item}/feature", {"story": ""}).status_code == 200
    response = client.form(f"/awards/{item}/feature", {"story": "Cô giáo Lò Văn Một và bếp ăn tiết kiệm củi."})
    feature_url = response.headers["Location"]
    client.form(f"/awards/{other}/feature", {"story": "Nhắc lịch tiêm cho bà con bản xa."})
    anonymous = app.test_client()
    gallery = anonymous.get("/gallery")
    body = gallery.get_data(as_text=True)
    assert "Tự hào trí tuệ lao động Việt Nam" in body and "Bếp ăn bán trú" in body and "Zalo" in body
    assert len(gzip.compress(gallery.data)) <= 14 * 1024
    filtered = anonymous.htmx("/gallery?field=health").get_data(as_text=True)
    assert "Zalo" in filtered and "Bếp ăn" not in filtered and "<html" not in filtered
    item_page = anonymous.get(feature_url).get_data(as_text=True)
    assert '<meta property="og:title" content="Bếp ăn bán trú tiết kiệm củi">' in item_page
    assert 'property="og:description" content="Cô giáo Lò Văn Một' in item_page
    invalid = make(app, world, "member_a2", Status.INVALID, title="Không hợp lệ")
    assert "Chỉ giới thiệu sáng kiến hợp lệ." in client.form(f"/awards/{invalid}/feature",
                                                             {"story": "x"}).get_data(as_text=True)


def test_award_levels_are_configurable_by_the_campaigns_organizers(app, client, world):
    item = make(app, world, "member_a1", Status.SHORTLISTED)
    login(client, world.organizer_p_phone)
    page = client.get("/awards/levels").get_data(as_text=True)
    assert 'value="Bằng khen"' in page and 'value="Giấy khen"' in page
    body = client.form("/awards/levels", {"name": "Giải thưởng sáng tạo", "issuer": "", "quota": "3"}
                       ).get_data(as_text=True)
    assert "Vui lòng nhập tên hình thức khen thưởng và cấp khen." in body
    assert client.form("/awards/levels", {"name": "Giải thưởng sáng tạo", "issuer": "LĐLĐ tỉnh",
                                          "quota": "1"}).status_code == 302
    page = client.get(f"/awards/{item}/award").get_data(as_text=True)
    level_id = re.search(r'name="level_id" value="(\d+)"> Giải thưởng sáng tạo', page).group(1)
    client.form(f"/awards/{item}/award", {"level_id": level_id, "recipients": re.search(
        r'name="recipients" value="(\w+)"', page).group(1), "decision_number": "9/QĐ", "decision_date": "2022-06-01"})
    body = client.form("/awards/levels", {"level_id": level_id, "name": "Giải thưởng sáng tạo", "issuer": "LĐLĐ tỉnh",
                                          "quota": "0"}).get_data(as_text=True)
    assert "Đã có 1 khen thưởng ở mức này" in body
    district_organizer = app.test_client()
    login(district_organizer, world.organizer_a_phone)
    assert district_organizer.get("/awards/levels").status_code == 403
