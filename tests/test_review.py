"""Reviewer queue, decisions, conflicts of interest, concurrency, duplicate clusters, scoring and stats."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import create_engine, select, text

from app.domain import duplicates, scoring, tallies, workflow
from app.extensions import db
from app.models import Initiative, Score, Status, StatusEvent, User
from app.submissions import service as submissions

from . import factories
from .conftest import login

SOLUTION = ("Phát số thứ tự qua Zalo cho bệnh nhân, chia hai luồng khám theo tuyến, bố trí một nhân viên hướng dẫn "
            "tại cửa khoa và niêm yết sơ đồ quy trình mới ở sảnh chờ")


def submitted(app, author_key, world, title="Cải tiến quy trình tiếp đón bệnh nhân", solution=SOLUTION, **fields):
    """An initiative submitted through the real submit path (revision, duplicate index, tallies)."""
    with app.app_context():
        author = db.session.get(User, getattr(world, author_key))
        item = factories.initiative(world.campaign, author, title=title, solution=solution, **fields)
        submissions.submit(item, author)
        db.session.commit()
        return item.id


def status_of(app, initiative_id):
    with app.app_context():
        return db.session.get(Initiative, initiative_id).status


def version_of(app, initiative_id):
    with app.app_context():
        return db.session.get(Initiative, initiative_id).version


def test_queue_is_scoped_oldest_first_and_without_conflicts(app, client, world):
    first = submitted(app, "member_a1", world, title="Sổ tay điện tử cho giáo viên bản xa")
    second = submitted(app, "member_a2", world, title="Bếp ăn bán trú tiết kiệm củi")
    own_union = submitted(app, "member_b1", world, title="Cải tiến khoa khám bệnh huyện Bê")
    login(client, world.reviewer_p_phone)  # scope: province; member of union B1
    body = client.get("/review/").get_data(as_text=True)
    assert body.index("Sổ tay điện tử") < body.index("Bếp ăn bán trú")
    assert "Cải tiến khoa khám bệnh huyện Bê" not in body
    assert client.get(f"/review/{own_union}").status_code == 403  # not decidable by URL either
    assert client.form(f"/review/{own_union}/decide", {"decision": "valid", "version": "2"}).status_code == 403
    assert status_of(app, own_union) == Status.SUBMITTED
    district_reviewer = app.test_client()
    login(district_reviewer, world.reviewer_a_phone)  # scope: district A, member of union A2
    body = district_reviewer.get("/review/").get_data(as_text=True)
    assert "Sổ tay điện tử" in body and "Bếp ăn bán trú" not in body and "huyện Bê" not in body
    assert district_reviewer.get(f"/review/{own_union}").status_code == 404  # foreign scope
    assert first and second


def test_queue_filters_and_counts(app, client, world):
    submitted(app, "member_a1", world, title="Sổ tay điện tử cho giáo viên bản xa", field="education")
    submitted(app, "member_a2", world, title="Bếp ăn bán trú tiết kiệm củi", field="production")
    login(client, world.reviewer_p_phone)
    body = client.get(f"/review/?unit={world.union_a2}").get_data(as_text=True)
    assert "Bếp ăn bán trú" in body and "Sổ tay" not in body
    body = client.get("/review/?field=education").get_data(as_text=True)
    assert "Sổ tay" in body and "Bếp ăn" not in body
    assert re.search(r"<strong>2</strong> chờ thẩm định", client.get("/review/").get_data(as_text=True))


def test_valid_decision_swaps_in_the_next_item_with_htmx(app, client, world):
    first = submitted(app, "member_a1", world, title="Sổ tay điện tử cho giáo viên bản xa")
    second = submitted(app, "member_a2", world, title="Bếp ăn bán trú tiết kiệm củi")
    login(client, world.reviewer_p_phone)
    page = client.get(f"/review/{first}").get_data(as_text=True)
    assert 'data-key="v"' in page and "Sổ tay điện tử" in page
    response = client.htmx(f"/review/{first}/decide", "POST", {"decision": "valid",
                                                               "version": str(version_of(app, first))})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert "Bếp ăn bán trú" in body and 'id="review-item"' in body
    assert response.headers["HX-Push-Url"] == f"/review/{second}"
    assert status_of(app, first) == Status.VALID
    with app.app_context():
        counts = tallies.for_unit(world.campaign, world.province)
        assert (counts.valid, counts.pending) == (1, 1)
        event = db.session.scalars(select(StatusEvent).where(StatusEvent.initiative_id == first)
                                   .order_by(StatusEvent.id.desc())).first()
        assert (event.from_status, event.to_status, event.actor_id) == ("submitted", "valid", world.reviewer_p)


def test_the_item_marks_its_keyboard_triage_for_the_app_script(app, client, world):
    """v presses the valid button; i and r reach the reason lists, whose Enter presses their form's button
    (static/app.js reads these marks; the browser suite drives the keys)."""
    item = submitted(app, "member_a1", world)
    login(client, world.reviewer_p_phone)
    page = client.get(f"/review/{item}").get_data(as_text=True)
    assert re.search(r'<button class="primary" name="decision" value="valid" data-key="v">', page)
    invalid = re.search(r'<form [^>]*>(?:(?!</form>).)*<select id="invalid_reason" name="invalid_reason" '
                        r'data-key="i" data-enter-decides="invalid">(?:(?!</form>).)*</form>', page, re.S)
    assert invalid and '<button name="decision" value="invalid">' in invalid.group(0)
    returned = re.search(r'<form [^>]*>(?:(?!</form>).)*<select id="return_reason" name="return_reason" '
                         r'data-key="r" data-enter-decides="return" data-enter-needs="message template_id">'
                         r'(?:(?!</form>).)*</form>', page, re.S)
    assert returned and '<button name="decision" value="return">' in returned.group(0)
    assert 'name="message"' in returned.group(0)
    assert page.count('data-key="r"') == page.count('data-key="i"') == page.count('data-key="v"') == 1
    assert "<script>" not in page and " onkeydown=" not in page


def test_decisions_work_without_javascript(app, client, world):
    first = submitted(app, "member_a1", world, title="Sổ tay điện tử cho giáo viên bản xa")
    second = submitted(app, "member_a2", world, title="Bếp ăn bán trú tiết kiệm củi")
    login(client, world.reviewer_p_phone)
    response = client.form(f"/review/{first}/decide", {"decision": "invalid", "invalid_reason": "not_initiative",
                                                       "version": str(version_of(app, first))})
    assert response.status_code == 302 and response.headers["Location"] == f"/review/{second}"
    with app.app_context():
        item = db.session.get(Initiative, first)
        assert (item.status, item.decision_reason) == (Status.INVALID, "not_initiative")
    response = client.form(f"/review/{second}/decide", {"decision": "return", "return_reason": "missing_effect",
                                                        "message": "Bổ sung số liệu.",
                                                        "version": str(version_of(app, second))})
    assert response.headers["Location"] == "/review/"  # queue is empty now
    with app.app_context():
        item = db.session.get(Initiative, second)
        assert (item.status, item.decision_message) == (Status.RETURNED, "Bổ sung số liệu.")


def test_the_decision_message_shows_once_with_or_without_javascript(app, client, world):
    first = submitted(app, "member_a1", world, title="Sổ tay điện tử cho giáo viên bản xa")
    second = submitted(app, "member_a2", world, title="Bếp ăn bán trú tiết kiệm củi")
    third = submitted(app, "member_a1", world, title="Bảng phân công trực đêm")
    login(client, world.reviewer_p_phone)
    response = client.form(f"/review/{first}/decide", {"decision": "valid", "version": str(version_of(app, first))},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.request.path == f"/review/{second}" and "Bếp ăn bán trú" in page
    assert page.count(f"Đã ghi quyết định “Hợp lệ” cho #{first}.") == 1
    assert page.count('class="flash success"') == 1
    # the next page has no leftover message; with htmx the swapped-in fragment carries it, once
    assert "Đã ghi quyết định" not in client.get(f"/review/{second}").get_data(as_text=True)
    fragment = client.htmx(f"/review/{second}/decide", "POST", {"decision": "valid",
                                                                "version": str(version_of(app, second))})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "Bảng phân công trực đêm" in body
    assert body.count(f"Đã ghi quyết định “Hợp lệ” cho #{second}.") == 1
    assert third


@pytest.mark.parametrize("data,message", [
    ({"decision": "invalid"}, "Vui lòng chọn lý do không hợp lệ."),
    ({"decision": "invalid", "invalid_reason": "other"}, "Lý do khác: vui lòng ghi rõ."),
    ({"decision": "return", "return_reason": "missing_effect"}, "Vui lòng ghi lời nhắn cho tác giả"),
    ({"decision": "return", "message": "Bổ sung"}, "Vui lòng chọn lý do trả lại."),
    ({"decision": "valid", "version": ""}, "Thiếu phiên bản của sáng kiến"),
])
def test_incomplete_decisions_are_refused_with_a_message(app, client, world, data, message):
    item = submitted(app, "member_a1", world)
    login(client, world.reviewer_p_phone)
    payload = {"version": str(version_of(app, item)), **data}
    body = client.htmx(f"/review/{item}/decide", "POST", payload).get_data(as_text=True)
    assert message in body
    assert status_of(app, item) == Status.SUBMITTED


def test_return_template_fills_an_empty_message(app, client, world):
    item = submitted(app, "member_a1", world)
    login(client, world.reviewer_p_phone)
    client.form("/review/templates", {"reason_code": "missing_scope", "body": "Ghi rõ nơi và ngày áp dụng."})
    page = client.get(f"/review/{item}").get_data(as_text=True)
    template_id = re.search(r'<option value="(\d+)">Chưa nêu phạm vi', page).group(1)
    client.form(f"/review/{item}/decide", {"decision": "return", "template_id": template_id,
                                           "version": str(version_of(app, item))})
    with app.app_context():
        decided = db.session.get(Initiative, item)
        assert (decided.status, decided.decision_reason, decided.decision_message) == (
            Status.RETURNED, "missing_scope", "Ghi rõ nơi và ngày áp dụng.")


def test_second_reviewer_gets_already_decided_by_x(app, world):
    item = submitted(app, "member_a1", world)
    other = submitted(app, "member_a2", world, title="Bếp ăn bán trú tiết kiệm củi")
    first, second = app.test_client(), app.test_client()
    login(first, world.reviewer_p_phone)
    login(second, world.reviewer_p2_phone)  # member of A2: item from A1 is fine for both
    seen = version_of(app, item)
    first.form(f"/review/{item}/decide", {"decision": "valid", "version": str(seen)})
    response = second.form(f"/review/{item}/decide", {"decision": "invalid", "invalid_reason": "copied",
                                                      "version": str(seen)}, follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "đã được Nguyễn Thẩm Định quyết định lúc" in body
    assert status_of(app, item) == Status.VALID
    with app.app_context():
        assert tallies.for_unit(world.campaign, world.province).invalid == 0
        assert db.session.scalar(select(StatusEvent).where(StatusEvent.initiative_id == item,
                                                           StatusEvent.to_status == "invalid")) is None
    assert other  # the second reviewer lands on the next item


def test_database_version_check_stops_a_simultaneous_decision(app, world, database_url):
    """Both passed the form's version check; the row's version decides at write time, on either database."""
    item_id = submitted(app, "member_a1", world)
    with app.app_context():
        item = db.session.get(Initiative, item_id)
        reviewer = db.session.get(User, world.reviewer_p2)
        seen = item.version
        # Another reviewer's transaction commits a decision after we loaded the row.
        other = create_engine(database_url)
        with other.begin() as conn:
            conn.execute(text("UPDATE initiatives SET status='valid', version=version+1, decided_by_id=:r "
                              "WHERE id=:i"), {"r": world.reviewer_p, "i": item_id})
        other.dispose()
        with pytest.raises(workflow.AlreadyDecided) as raised:
            workflow.transition(item, Status.INVALID, reviewer, reason_code="copied", expected_version=seen)
        assert raised.value.initiative_id == item_id
        # Who won is read after the caller's rollback (transition leaves it to the caller), as the route does.
        db.session.rollback()
        assert db.session.get(Initiative, item_id).decided_by.id == world.reviewer_p
        assert db.session.get(Initiative, item_id).status == Status.VALID
        assert tallies.for_unit(world.campaign, world.province).invalid == 0


def test_a_stale_version_names_who_decided_without_touching_the_session(app, world):
    item_id = submitted(app, "member_a1", world)
    with app.app_context():
        item = db.session.get(Initiative, item_id)
        seen = item.version
        workflow.transition(item, Status.VALID, db.session.get(User, world.reviewer_p))
        db.session.commit()
        with pytest.raises(workflow.AlreadyDecided) as raised:
            workflow.transition(item, Status.INVALID, db.session.get(User, world.reviewer_p2), reason_code="copied",
                                expected_version=seen)
        assert (raised.value.by.id, raised.value.at, raised.value.status) == (
            world.reviewer_p, item.decided_at, Status.VALID)
        assert db.session.get(Initiative, item_id).status == Status.VALID


def test_duplicates_found_at_submit_time_with_similarity(app, client, world):
    original = submitted(app, "member_b1", world)
    copy = submitted(app, "member_a1", world, title="Cải tiến quy trình tiếp đón bệnh nhân",
                     solution=SOLUTION + " hằng ngày")
    unrelated = submitted(app, "member_a2", world, title="Nuôi cá hồi nước lạnh ở Sìn Hồ",
                          solution="Xây bể xi măng lấy nước suối đầu nguồn, thả cá giống, cho ăn thức ăn công nghiệp")
    with app.app_context():
        found = duplicates.likely_duplicates(db.session.get(Initiative, copy))
        assert [(other.id) for other, _ in found] == [original]
        assert found[0][1] >= 0.8
        assert duplicates.likely_duplicates(db.session.get(Initiative, unrelated)) == []
    login(client, world.reviewer_p2_phone)
    body = client.get(f"/review/{copy}").get_data(as_text=True)
    assert "Có thể trùng lặp" in body and f"#{original}" in body


def test_cluster_marks_duplicates_invalid_after_a_preview(app, client, world):
    lead = submitted(app, "member_b1", world)
    copy_a = submitted(app, "member_a1", world, solution=SOLUTION + " mỗi sáng")
    copy_b = submitted(app, "member_a2", world, solution=SOLUTION + " mỗi chiều")
    login(client, world.reviewer_p_phone)
    with app.app_context():
        # The lead's own cluster page shows the later copies.
        page = client.get(f"/review/{lead}/cluster").get_data(as_text=True)
    assert f"#{copy_a}" in page and f"#{copy_b}" in page
    preview = client.form(f"/review/{lead}/cluster", {"step": "preview", "ids": [str(copy_a), str(copy_b)]})
    body = preview.get_data(as_text=True)
    assert "Xác nhận đánh dấu 2 sáng kiến" in body
    assert status_of(app, copy_a) == Status.SUBMITTED  # nothing written by the preview
    versions = dict(re.findall(r'name="v(\d+)" value="(\d+)"', body))
    response = client.form(f"/review/{lead}/cluster", {"step": "commit", "ids": [str(copy_a), str(copy_b)],
                                                       **{f"v{k}": v for k, v in versions.items()}})
    assert response.status_code == 302
    with app.app_context():
        for item_id in (copy_a, copy_b):
            item = db.session.get(Initiative, item_id)
            assert (item.status, item.decision_reason) == (Status.INVALID, "duplicate")
            assert f"#{lead}" in item.decision_message
        assert tallies.for_unit(world.campaign, world.province).invalid == 2


def test_cluster_commit_is_all_or_nothing_on_a_stale_version(app, client, world):
    lead = submitted(app, "member_b1", world)
    copy_a = submitted(app, "member_a1", world, solution=SOLUTION + " mỗi sáng")
    copy_b = submitted(app, "member_a2", world, solution=SOLUTION + " mỗi chiều")
    login(client, world.reviewer_p_phone)
    data = {"step": "commit", "ids": [str(copy_a), str(copy_b)], f"v{copy_a}": str(version_of(app, copy_a)),
            f"v{copy_b}": str(version_of(app, copy_b) - 1)}
    client.form(f"/review/{lead}/cluster", data)
    assert status_of(app, copy_a) == status_of(app, copy_b) == Status.SUBMITTED


def test_cluster_commit_without_the_previewed_versions_previews_again(app, client, world):
    lead = submitted(app, "member_b1", world)
    copy_a = submitted(app, "member_a1", world, solution=SOLUTION + " mỗi sáng")
    login(client, world.reviewer_p_phone)
    response = client.form(f"/review/{lead}/cluster", {"step": "commit", "ids": [str(copy_a)], f"v{copy_a}": "x"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Xác nhận đánh dấu 1 sáng kiến" in body
    assert f'name="v{copy_a}" value="{version_of(app, copy_a)}"' in body
    assert status_of(app, copy_a) == Status.SUBMITTED


def test_resubmitted_initiative_reenters_the_queue_with_its_history(app, client, world):
    item = submitted(app, "member_a1", world)
    login(client, world.reviewer_p_phone)
    client.form(f"/review/{item}/decide", {"decision": "return", "return_reason": "missing_effect",
                                           "message": "Thêm số liệu", "version": str(version_of(app, item))})
    with app.app_context():
        initiative = db.session.get(Initiative, item)
        initiative.effectiveness = "Giảm 30% thời gian chờ, 1.200 lượt bệnh nhân mỗi tháng hưởng lợi."
        submissions.submit(initiative, initiative.author)
        db.session.commit()
    body = client.get(f"/review/{item}").get_data(as_text=True)
    assert "lần gửi thứ 2" in body and "Các lần gửi trước" in body
    assert f'/review/{item}' in client.get("/review/").get_data(as_text=True)


def test_scoring_hides_others_until_scored_and_aggregates(app, world):
    item = submitted(app, "member_a1", world)
    with app.app_context():
        workflow.transition(db.session.get(Initiative, item), Status.VALID, db.session.get(User, world.reviewer_a))
        db.session.commit()
    first, second = app.test_client(), app.test_client()
    login(first, world.reviewer_p_phone)
    login(second, world.reviewer_p2_phone)
    assert f"/review/{item}/score" in first.get("/review/scoring").get_data(as_text=True)
    bad = first.form(f"/review/{item}/score", {"c_novelty": "31", "c_effectiveness": "", "c_applicability": "20"})
    body = bad.get_data(as_text=True)
    assert "Điểm từ 0 đến 30." in body and "Vui lòng cho điểm mục này." in body
    first.form(f"/review/{item}/score", {"c_novelty": "25", "c_effectiveness": "35", "c_applicability": "25"})
    page = second.get(f"/review/{item}/score").get_data(as_text=True)
    assert "Nguyễn Thẩm Định" not in page and ">85<" not in page  # not shown before scoring
    second.form(f"/review/{item}/score", {"c_novelty": "10", "c_effectiveness": "20", "c_applicability": "10"})
    page = second.get(f"/review/{item}/score").get_data(as_text=True)
    assert "Nguyễn Thẩm Định" in page and "cần người chấm thứ ba" in page  # 85 vs 40
    with app.app_context():
        assert sorted(db.session.scalars(select(Score.total))) == [40, 85]
    # A third reviewer is asked for; the first two no longer see it in their list.
    assert f"/review/{item}/score" not in first.get("/review/scoring").get_data(as_text=True)
    third = app.test_client()
    login(third, world.admin_phone)
    assert f"/review/{item}/score" in third.get("/review/scoring").get_data(as_text=True)


def test_aggregation_maths():
    stats = {1: scoring.ReviewerStats.from_sums(3, 60 + 70 + 80, 60**2 + 70**2 + 80**2),
             2: scoring.ReviewerStats.from_sums(2, 40 + 60, 40**2 + 60**2)}
    assert stats[1].mean == pytest.approx(70)
    assert stats[1].sd == pytest.approx((200 / 3) ** 0.5)
    result = scoring.aggregate([(1, 80), (2, 60)], stats)
    # z1 = (80-70)/8.165 = 1.2247, z2 = (60-50)/10 = 1.0
    assert result.raw_mean == pytest.approx(70)
    assert result.z_mean == pytest.approx((10 / (200 / 3) ** 0.5 + 1.0) / 2)
    assert (result.spread, result.needs_third_review) == (20, False)
    assert scoring.aggregate([(1, 90), (2, 65)], stats).needs_third_review is True
    assert scoring.aggregate([(1, 90), (2, 65), (3, 70)], stats).needs_third_review is False
    lone = scoring.ReviewerStats.from_sums(1, 50, 2500)
    assert lone.z(50) == 0.0 and scoring.aggregate([], stats).raw_mean is None


def test_reviewer_stats_page(app, client, world):
    item = submitted(app, "member_a1", world)
    login(client, world.reviewer_p_phone)
    client.form(f"/review/{item}/decide", {"decision": "invalid", "invalid_reason": "copied",
                                           "version": str(version_of(app, item))})
    body = client.get("/review/stats").get_data(as_text=True)
    assert re.search(r"<strong>1</strong> bạn đã quyết định hôm nay", body)
    assert "LĐLĐ huyện Ả" in body and "100%" in body


def test_members_cannot_open_the_queue(client, world):
    login(client, world.member_a1_phone)
    assert client.get("/review/").status_code == 403


def test_second_check_samples_others_invalid_decisions_and_can_reopen(app, world):
    from app.review import service as review
    ids = [submitted(app, "member_a1", world, title=f"Sáng kiến số {n} cần kiểm tra lại") for n in range(30)]
    with app.app_context():
        decider = db.session.get(User, world.reviewer_p)
        for item_id in ids:
            workflow.transition(db.session.get(Initiative, item_id), Status.INVALID, decider, reason_code="copied")
        db.session.commit()
        sampled = {i for i in ids if (i * 7919) % 100 < review.SECOND_CHECK_PERCENT}
    checker, decider_client = app.test_client(), app.test_client()
    login(checker, world.reviewer_p2_phone)
    login(decider_client, world.reviewer_p_phone)
    page = checker.get("/review/second-check").get_data(as_text=True)
    shown = {int(i) for i in re.findall(r'name="initiative_id" value="(\d+)"', page)}
    assert shown == sampled and shown  # the sample, and never empty for this id range
    assert not re.findall(r'name="initiative_id"', decider_client.get("/review/second-check").get_data(as_text=True))
    first, second = sorted(shown)[:2]
    checker.form("/review/second-check", {"initiative_id": str(first), "outcome": "confirm",
                                          "version": str(version_of(app, first))})
    checker.form("/review/second-check", {"initiative_id": str(second), "outcome": "reopen",
                                          "version": str(version_of(app, second))})
    assert status_of(app, first) == Status.INVALID and status_of(app, second) == Status.SUBMITTED
    page = checker.get("/review/second-check").get_data(as_text=True)
    assert f'value="{first}"' not in page and f'value="{second}"' not in page
    assert "Đã kiểm tra 2, mở lại 1" in page
    with app.app_context():
        counts = tallies.for_unit(world.campaign, world.province)
        assert (counts.invalid, counts.pending) == (29, 1)


def test_back_button_history_restore_gets_the_whole_page(app, client, world):
    item = submitted(app, "member_a1", world)
    login(client, world.reviewer_p_phone)
    partial = client.htmx(f"/review/{item}").get_data(as_text=True)
    restored = client.get(f"/review/{item}", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" not in partial and "<html" in restored.get_data(as_text=True)
