"""Submitting initiatives through the real app: members, helpers, drafts, autosave, uploads, bad input."""
from __future__ import annotations

import gzip
import io
import json
import re
import unicodedata
from datetime import date

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.domain import tallies, workflow
from app.extensions import db
from app.models import Attachment, Initiative, Status, StatusEvent, User

from . import factories
from .conftest import login

KEY = re.compile(r'name="submit_key" type="hidden" value="([^"]+)"')


def complete(**overrides) -> dict:
    data = {
        "title": "Cải tiến quy trình tiếp đón bệnh nhân tại khoa Khám bệnh", "field": "health",
        "current_situation": "Bệnh nhân phải xếp hàng từ 45 đến 60 phút mỗi buổi sáng.",
        "solution": "Phát số thứ tự qua Zalo, chia hai luồng khám, bố trí người hướng dẫn tại cửa khoa.",
        "application_scope": "Khoa Khám bệnh", "applied_since": "2022-03-01",
        "effectiveness": "Thời gian chờ giảm từ 50 xuống 20 phút mỗi lượt khám.",
        "estimated_value": "15.000.000", "author_share": "100", "confirm_original": "y", "action": "submit",
    }
    data.update(overrides)
    return data


def new_key(client) -> str:
    page = client.get("/initiatives/new").get_data(as_text=True)
    return KEY.search(page).group(1)


def only_initiative(app) -> Initiative:
    with app.app_context():
        items = db.session.scalars(select(Initiative)).all()
        assert len(items) == 1
        item = items[0]
        # Load the relations while the session is open: the test reads them afterwards.
        assert item.authors is not None and item.events is not None
        return item


def count(app, model=Initiative) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def jpeg_bytes(size=(640, 480)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_member_submits_and_counters_move(app, client, world):
    login(client, world.member_a1_phone)
    data = complete(submit_key=new_key(client))
    response = client.form("/initiatives/new", data)
    assert response.status_code == 302
    item = only_initiative(app)
    assert response.headers["Location"] == f"/initiatives/{item.id}"
    assert item.status == Status.SUBMITTED
    assert item.author_id == item.entered_by_id == world.member_a1
    assert item.estimated_value == 15_000_000
    assert [(e.from_status, e.to_status) for e in item.events] == [("draft", "submitted")]
    with app.app_context():
        for unit in (world.union_a1, world.district_a, world.province):
            assert tallies.for_unit(world.campaign, unit).pending == 1
        assert tallies.for_unit(world.campaign, world.district_b) is None
    body = client.get(f"/initiatives/{item.id}").get_data(as_text=True)
    assert "Chờ thẩm định" in body and "15.000.000" in body


def test_double_submit_with_the_same_key_makes_one_initiative(app, client, world):
    login(client, world.member_a1_phone)
    data = complete(submit_key=new_key(client))
    first = client.form("/initiatives/new", data)
    second = client.form("/initiatives/new", data)
    assert count(app) == 1
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert tallies.for_unit(world.campaign, world.province).pending == 1
        assert db.session.scalar(select(func.count()).select_from(StatusEvent)) == 1


def test_concurrent_duplicate_insert_lands_on_the_first_row(app, client, world):
    """Two requests with one key that both missed the lookup: the unique key keeps one row, no typing lost."""
    login(client, world.member_a1_phone)
    key = new_key(client)
    with app.app_context():
        factories.initiative(world.campaign, db.session.get(User, world.member_a1), submit_key=key)
        db.session.commit()
    from app.submissions import service
    original = service.by_key
    calls = {"n": 0}

    def miss_once(k):
        calls["n"] += 1
        return None if calls["n"] == 1 else original(k)

    service.by_key = miss_once
    try:
        response = client.form("/initiatives/new", complete(submit_key=key, action="draft",
                                                            title="Tên gõ sau cùng, không được mất"))
    finally:
        service.by_key = original
    assert count(app) == 1
    assert response.status_code == 302 and "/initiatives/" in response.headers["Location"]
    # The request that lost the race still saved what was typed, into the draft that won.
    assert only_initiative(app).title == "Tên gõ sau cùng, không được mất"


def test_helper_submits_on_behalf_of_a_member(app, client, world):
    login(client, world.helper_a1_phone)
    page = client.get("/initiatives/new").get_data(as_text=True)
    assert "Lò Văn Một" in page and "Giàng A Năm" not in page  # only their union's members
    client.form("/initiatives/new", complete(submit_key=KEY.search(page).group(1), author_id=str(world.member_a1)))
    item = only_initiative(app)
    assert (item.author_id, item.entered_by_id) == (world.member_a1, world.helper_a1)
    member = app.test_client()
    login(member, world.member_a1_phone)
    mine = member.get("/initiatives/mine").get_data(as_text=True)
    assert item.title in mine and "nhập hộ bởi Tòng Văn Ba" in mine


def test_helper_must_choose_an_author_and_can_add_a_new_member(app, client, world):
    login(client, world.helper_a1_phone)
    key = new_key(client)
    body = client.form("/initiatives/new", complete(submit_key=key)).get_data(as_text=True)
    assert "Vui lòng chọn đoàn viên là tác giả" in body
    assert 'value="Cải tiến quy trình tiếp đón bệnh nhân tại khoa Khám bệnh"' in body
    response = client.form("/initiatives/new", complete(submit_key=key, new_member_name="Lò Thị Mới",
                                                        new_member_position="Điều dưỡng"))
    assert response.status_code == 302
    item = only_initiative(app)
    with app.app_context():
        author = db.session.get(User, item.author_id)
        assert (author.full_name, author.unit_id, author.created_by_id) == ("Lò Thị Mới", world.union_a1,
                                                                           world.helper_a1)
        assert author.password_hash is None


def test_helper_cannot_submit_for_another_unions_member(app, client, world):
    login(client, world.helper_a1_phone)
    body = client.form("/initiatives/new", complete(submit_key=new_key(client),
                                                    author_id=str(world.member_b1))).get_data(as_text=True)
    assert "Chỉ được chọn đoàn viên thuộc công đoàn cơ sở của bạn." in body
    assert count(app) == 0


def test_reviewers_cannot_open_the_new_form(client, world):
    login(client, world.reviewer_p_phone)
    assert client.get("/initiatives/new").status_code == 403


def test_empty_submit_saves_the_draft_and_lists_every_missing_field(app, client, world):
    login(client, world.member_a1_phone)
    empty = {k: "" for k in complete()} | {"action": "submit", "submit_key": new_key(client)}
    body = client.form("/initiatives/new", empty).get_data(as_text=True)
    for message in ("Vui lòng nhập tên sáng kiến.", "Vui lòng mô tả hiện trạng.", "Vui lòng nhập nội dung giải pháp.",
                    "Vui lòng nêu phạm vi áp dụng.", "Vui lòng nêu hiệu quả, lợi ích.", "Vui lòng chọn lĩnh vực.",
                    "Vui lòng nhập ngày bắt đầu áp dụng.", "Vui lòng xác nhận cam đoan trước khi gửi."):
        assert message in body
    assert only_initiative(app).status == Status.DRAFT


def test_too_short_texts_get_specific_messages(client, world):
    login(client, world.member_a1_phone)
    body = client.form("/initiatives/new", complete(submit_key=new_key(client), title="Ngắn", solution="Làm tốt hơn")
                       ).get_data(as_text=True)
    assert "Tên sáng kiến cần ít nhất 10 ký tự." in body
    assert "Nội dung giải pháp cần ít nhất 50 ký tự" in body


def test_too_long_title_saves_nothing_and_keeps_the_text(app, client, world):
    login(client, world.member_a1_phone)
    long_title = "Cải tiến " * 40
    body = client.form("/initiatives/new", complete(submit_key=new_key(client), title=long_title)
                       ).get_data(as_text=True)
    assert "Tên sáng kiến không quá 300 ký tự." in body
    assert "Thời gian chờ giảm từ 50 xuống 20 phút" in body
    assert count(app) == 0


@pytest.mark.parametrize("field,value,message", [
    ("estimated_value", "mười triệu", "Giá trị làm lợi chỉ gồm chữ số"),
    ("applied_since", "2099-01-01", "Ngày áp dụng không được ở tương lai."),
    ("applied_since", "31/31/2022", "Ngày không hợp lệ: chọn ngày trên lịch"),
    ("author_share", "năm mươi", "Vui lòng nhập một số nguyên, ví dụ 25."),
    ("field", "astrology", "Vui lòng chọn lĩnh vực trong danh sách."),
    ("author_share", "0", "Tỷ lệ đóng góp từ 1 đến 100%."),
])
def test_wrong_values_are_explained(client, world, field, value, message):
    login(client, world.member_a1_phone)
    body = client.form("/initiatives/new", complete(**{"submit_key": new_key(client), field: value})
                       ).get_data(as_text=True)
    assert message in body


def test_author_shares_must_sum_to_100(app, client, world):
    login(client, world.member_a1_phone)
    data = complete(submit_key=new_key(client), author_share="60", **{
        "authors-0-full_name": "Vàng Thị Hai", "authors-0-job_title": "Điều dưỡng", "authors-0-share_percent": "30"})
    body = client.form("/initiatives/new", data).get_data(as_text=True)
    assert "Tổng tỷ lệ đóng góp của các tác giả phải bằng 100% (hiện là 90%)." in body
    assert 'value="Vàng Thị Hai"' in body
    data["authors-0-share_percent"] = "40"
    assert client.form("/initiatives/new", data).status_code == 302
    item = only_initiative(app)
    assert [(a.full_name, a.share_percent) for a in item.authors] == [("Lò Văn Một", 60), ("Vàng Thị Hai", 40)]


def test_collective_author_from_the_union(app, client, world):
    login(client, world.member_a1_phone)
    client.form("/initiatives/new", complete(submit_key=new_key(client), collective_unit_id=str(world.team_a1)))
    item = only_initiative(app)
    assert [a.collective_unit_id for a in item.authors if a.is_collective] == [world.team_a1]


def test_nfd_input_is_stored_nfc_and_folded(app, client, world):
    login(client, world.member_a1_phone)
    nfd_title = unicodedata.normalize("NFD", "Cải tiến bếp ăn bán trú cho học sinh vùng cao")
    client.form("/initiatives/new", complete(submit_key=new_key(client), title=nfd_title))
    item = only_initiative(app)
    assert item.title == unicodedata.normalize("NFC", nfd_title)
    assert item.title_folded == "cai tien bep an ban tru cho hoc sinh vung cao"


def test_add_author_row_without_javascript_keeps_input(client, world):
    login(client, world.member_a1_phone)
    body = client.form("/initiatives/new", complete(submit_key=new_key(client), action="add_author")
                       ).get_data(as_text=True)
    assert 'name="authors-2-full_name"' in body
    assert "Thời gian chờ giảm từ 50 xuống 20 phút" in body


def test_save_draft_without_js_then_reload_shows_everything(app, client, world):
    login(client, world.member_a1_phone)
    response = client.form("/initiatives/new", complete(submit_key=new_key(client), action="draft",
                                                        title="Bản nháp về sổ tay điện tử"))
    item = only_initiative(app)
    assert response.headers["Location"] == f"/initiatives/{item.id}/edit"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="Bản nháp về sổ tay điện tử"' in page
    assert "Phát số thứ tự qua Zalo" in page
    assert 'value="15.000.000"' in page


def test_autosave_creates_then_updates_one_draft(app, client, world):
    login(client, world.member_a1_phone)
    key = new_key(client)
    first = client.htmx("/initiatives/autosave", "POST", {"submit_key": key, "title": "Ý tưởng đầu",
                                                          "author_share": "100"})
    assert first.status_code == 200 and "Đã lưu nháp" in first.get_data(as_text=True)
    item = only_initiative(app)
    assert first.headers["HX-Replace-Url"] == f"/initiatives/{item.id}/edit"
    second = client.htmx("/initiatives/autosave", "POST", {"submit_key": key, "title": "Ý tưởng đầu, sửa lại",
                                                           "solution": "Đang gõ dở"})
    assert second.status_code == 200 and "HX-Replace-Url" not in second.headers
    item = only_initiative(app)
    assert (item.title, item.solution, item.status) == ("Ý tưởng đầu, sửa lại", "Đang gõ dở", Status.DRAFT)
    third = client.htmx(f"/initiatives/{item.id}/autosave", "POST", {"submit_key": key, "title": "Tên cuối"})
    assert third.status_code == 200
    assert only_initiative(app).title == "Tên cuối"


def test_autosave_rejects_a_missing_csrf_token(app, client, world):
    login(client, world.member_a1_phone)
    response = client.post("/initiatives/autosave", data={"submit_key": "k" * 20, "title": "x"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert count(app) == 0


def test_autosave_never_touches_a_submitted_initiative(app, client, world):
    login(client, world.member_a1_phone)
    key = new_key(client)
    client.form("/initiatives/new", complete(submit_key=key))
    response = client.htmx("/initiatives/autosave", "POST", {"submit_key": key, "title": "Ghi đè"})
    assert "không còn sửa được" in response.get_data(as_text=True)
    assert only_initiative(app).title != "Ghi đè"


def test_other_members_cannot_read_or_edit_a_draft(app, client, world):
    with app.app_context():
        draft_id = factories.initiative(world.campaign, db.session.get(User, world.member_a1)).id
        db.session.commit()
    for phone in (world.member_a1b_phone, world.member_b1_phone, world.helper_b1_phone):
        other = app.test_client()
        login(other, phone)
        assert other.get(f"/initiatives/{draft_id}").status_code == 404
        assert other.get(f"/initiatives/{draft_id}/edit").status_code == 404
        assert other.form(f"/initiatives/{draft_id}/edit", complete()).status_code == 404
        assert other.htmx(f"/initiatives/{draft_id}/autosave", "POST", {"title": "x"}).status_code == 404
    owner = app.test_client()
    login(owner, world.member_a1_phone)
    assert owner.get(f"/initiatives/{draft_id}/edit").status_code == 200


def test_submitted_initiative_is_no_longer_editable(app, client, world):
    login(client, world.member_a1_phone)
    client.form("/initiatives/new", complete(submit_key=new_key(client)))
    item = only_initiative(app)
    assert client.get(f"/initiatives/{item.id}/edit").status_code == 403
    response = client.form(f"/initiatives/{item.id}/edit", complete(title="Sửa sau khi gửi"))
    assert response.status_code == 302
    assert only_initiative(app).title != "Sửa sau khi gửi"


def test_returned_initiative_is_edited_and_resubmitted(app, client, world):
    login(client, world.member_a1_phone)
    client.form("/initiatives/new", complete(submit_key=new_key(client)))
    item = only_initiative(app)
    with app.app_context():
        reviewer = db.session.get(User, world.reviewer_p)
        workflow.transition(db.session.get(Initiative, item.id), Status.RETURNED, reviewer,
                            reason_code="missing_effect", message="Bổ sung số liệu hiệu quả.")
        db.session.commit()
        assert tallies.for_unit(world.campaign, world.province).returned == 1
    mine = client.get("/initiatives/mine").get_data(as_text=True)
    assert "Bổ sung số liệu hiệu quả." in mine
    page = client.get(f"/initiatives/{item.id}/edit").get_data(as_text=True)
    assert "Bổ sung số liệu hiệu quả." in page
    response = client.form(f"/initiatives/{item.id}/edit", complete(
        effectiveness="Thời gian chờ giảm từ 50 xuống 20 phút; 1.200 lượt bệnh nhân mỗi tháng hưởng lợi."))
    assert response.status_code == 302
    item = only_initiative(app)
    assert item.status == Status.SUBMITTED and "1.200 lượt" in item.effectiveness
    assert [e.to_status for e in item.events] == ["submitted", "returned", "submitted"]
    with app.app_context():
        counts = tallies.for_unit(world.campaign, world.province)
        assert (counts.pending, counts.returned, counts.submitted) == (1, 0, 1)


def test_withdraw_while_undecided(app, client, world):
    login(client, world.member_a1_phone)
    client.form("/initiatives/new", complete(submit_key=new_key(client)))
    item = only_initiative(app)
    response = client.form(f"/initiatives/{item.id}/withdraw", {"version": str(item.version)})
    assert response.status_code == 302
    assert only_initiative(app).status == Status.WITHDRAWN
    with app.app_context():
        assert tallies.for_unit(world.campaign, world.province).submitted == 0
    # Nothing left to withdraw.
    assert client.form(f"/initiatives/{item.id}/withdraw").status_code == 403


def submitted_then_returned(app, client, world, reason: str, message: str) -> Initiative:
    """Member A1 submits one initiative; reviewer P returns it. The initiative as it was before the return."""
    login(client, world.member_a1_phone)
    client.form("/initiatives/new", complete(submit_key=new_key(client)))
    item = only_initiative(app)
    with app.app_context():
        workflow.transition(db.session.get(Initiative, item.id), Status.RETURNED,
                            db.session.get(User, world.reviewer_p), reason_code=reason, message=message)
        db.session.commit()
    return item


def test_withdraw_after_a_decision_is_refused_with_a_message(app, client, world):
    item = submitted_then_returned(app, client, world, "other", "Xem lại")
    body = client.form(f"/initiatives/{item.id}/withdraw", {"version": str(item.version)},
                       follow_redirects=True).get_data(as_text=True)
    assert "vừa được thẩm định" in body
    assert only_initiative(app).status == Status.RETURNED


def test_submit_a_complete_draft_from_its_page(app, client, world):
    login(client, world.helper_a1_phone)
    client.form("/initiatives/new", complete(submit_key=new_key(client), action="draft",
                                             author_id=str(world.member_a1)))
    item = only_initiative(app)
    union_page = client.get("/initiatives/union").get_data(as_text=True)
    assert "Đủ điều kiện gửi" in union_page
    refused = client.form(f"/initiatives/{item.id}/submit", {}, follow_redirects=True).get_data(as_text=True)
    assert "Vui lòng xác nhận cam đoan" in refused
    client.form(f"/initiatives/{item.id}/submit", {"confirm_original": "y"})
    assert only_initiative(app).status == Status.SUBMITTED


def test_similar_hint_ignores_diacritics_and_normal_form(app, client, world):
    with app.app_context():
        item = factories.initiative(world.campaign, db.session.get(User, world.member_b1),
                                    title="Cải tiến quy trình tiếp đón bệnh nhân")
        item.status = Status.VALID  # public: another union's member may see it
        factories.initiative(world.campaign, db.session.get(User, world.member_b1), title="Cải tiến bản nháp riêng")
        db.session.commit()
    login(client, world.member_a1_phone)
    for query in ("cai tien", "CAI TIEN tiep don", unicodedata.normalize("NFD", "cải tiến tiếp đón")):
        body = client.htmx("/initiatives/similar", query_string={"title": query}).get_data(as_text=True)
        assert "Cải tiến quy trình tiếp đón bệnh nhân" in body, query
        assert "bản nháp riêng" not in body  # drafts are private
    partial = client.htmx("/initiatives/similar", query_string={"title": "cải tiến nuôi cá tiếp đón"})
    assert "khớp 67% từ đã gõ" in partial.get_data(as_text=True)  # 4 of the 6 words
    assert "tương tự" not in client.htmx("/initiatives/similar", query_string={"title": "nuôi cá"}).get_data(
        as_text=True)


def test_attachments_checked_by_content_and_served_as_downloads(app, client, world):
    login(client, world.member_a1_phone)
    data = complete(submit_key=new_key(client))
    data["attachments"] = [(io.BytesIO(jpeg_bytes()), "ảnh hiện trường.jpg"),
                           (io.BytesIO(b"%PDF-1.4\n%fake but pdf-shaped\n"), "thuyet-minh.pdf"),
                           (io.BytesIO(b"MZ this is really an exe"), "anh.jpg")]
    body = client.form("/initiatives/new", data, content_type="multipart/form-data").get_data(as_text=True)
    assert "“anh.jpg” không phải ảnh JPG/PNG, PDF hay DOCX thật." in body
    item = only_initiative(app)
    assert item.status == Status.DRAFT  # the refused file stops the submit, the good ones are kept
    with app.app_context():
        stored = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
        assert [(a.original_name, a.content_type, a.has_thumbnail) for a in stored] == [
            ("ảnh hiện trường.jpg", "image/jpeg", True), ("thuyet-minh.pdf", "application/pdf", False)]
        assert all(re.fullmatch(r"[0-9a-f]{32}\.(jpg|pdf)", a.stored_name) for a in stored)
        photo_id = stored[0].id
    download = client.get(f"/initiatives/attachments/{photo_id}")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E1%BA%A3nh" in download.headers["Content-Disposition"]
    thumb = client.get(f"/initiatives/attachments/{photo_id}/thumb")
    assert Image.open(io.BytesIO(thumb.data)).size[0] <= 320
    outsider = app.test_client()
    login(outsider, world.member_b1_phone)
    assert outsider.get(f"/initiatives/attachments/{photo_id}").status_code == 404


def test_oversized_upload_is_refused(app_factory, world):
    app = app_factory(MAX_UPLOAD_BYTES=2000)
    client = app.test_client()
    login(client, world.member_a1_phone)
    data = complete(submit_key=new_key(client), attachments=[(io.BytesIO(jpeg_bytes((1200, 900))), "to.jpg")])
    body = client.form("/initiatives/new", data, content_type="multipart/form-data").get_data(as_text=True)
    assert "“to.jpg” quá lớn" in body
    assert count(app, Attachment) == 0


def test_new_initiative_page_fits_the_byte_budget(client, world):
    login(client, world.helper_a1_phone)
    html = client.get("/initiatives/new").get_data()
    assert len(gzip.compress(html)) <= 14 * 1024


def test_similar_hint_looks_at_a_bounded_window_of_recent_initiatives(app, world):
    from app.submissions import service
    with app.app_context():
        author = db.session.get(User, world.member_b1)
        ids = []
        for n in range(3):
            item = factories.initiative(world.campaign, author, title=f"Cải tiến bếp ăn bán trú lần {n}")
            item.status = Status.SUBMITTED
            ids.append(item.id)
        db.session.commit()
        admin = db.session.get(User, world.admin)
        found = {m.initiative.id for m in service.similar("cai tien bep an", admin, world.campaign, window=2)}
        assert found == set(ids[1:])
        assert {m.initiative.id for m in service.similar("cai tien bep an", admin, world.campaign)} == set(ids)


@pytest.mark.parametrize("field,limit,message", [
    ("current_situation", 5000, "Hiện trạng không quá 5.000 ký tự."),
    ("solution", 10000, "Nội dung giải pháp không quá 10.000 ký tự."),
    ("application_scope", 2000, "Phạm vi áp dụng không quá 2.000 ký tự."),
    ("effectiveness", 5000, "Hiệu quả không quá 5.000 ký tự."),
])
def test_every_long_text_field_has_a_limit_and_keeps_the_rest(app, client, world, field, limit, message):
    login(client, world.member_a1_phone)
    body = client.form("/initiatives/new", complete(submit_key=new_key(client), **{field: "ả" * (limit + 1)})
                       ).get_data(as_text=True)
    assert message in body
    assert 'value="Cải tiến quy trình tiếp đón bệnh nhân tại khoa Khám bệnh"' in body
    assert count(app) == 0


def test_co_author_rows_need_a_name_and_a_valid_share(client, world):
    login(client, world.member_a1_phone)
    body = client.form("/initiatives/new", complete(submit_key=new_key(client), author_share="50", **{
        "authors-0-job_title": "Điều dưỡng", "authors-0-share_percent": "50"})).get_data(as_text=True)
    assert "Vui lòng nhập họ tên đồng tác giả." in body and 'value="Điều dưỡng"' in body
    body = client.form("/initiatives/new", complete(submit_key=new_key(client), author_share="50", **{
        "authors-1-full_name": "Người Thứ Ba", "authors-1-share_percent": "abc"})).get_data(as_text=True)
    assert "Vui lòng nhập một số nguyên, ví dụ 25." in body and 'value="Người Thứ Ba"' in body


def test_a_helpers_new_member_follows_the_account_rules(app, client, world):
    login(client, world.helper_a1_phone)
    key, people = new_key(client), count(app, User)
    body = client.form("/initiatives/new", complete(submit_key=key, new_member_name="Lò Thị Mới",
                                                    new_member_phone="0912")).get_data(as_text=True)
    assert "Số điện thoại của đoàn viên mới không đúng (10 hoặc 11 chữ số)." in body
    body = client.form("/initiatives/new", complete(submit_key=key, new_member_name="Lò Thị Mới",
                                                    new_member_phone=world.member_a1b_phone)).get_data(as_text=True)
    assert "Số điện thoại này đã có tài khoản: hãy chọn đoàn viên trong danh sách." in body
    assert count(app) == 0 and count(app, User) == people
    response = client.form("/initiatives/new", complete(submit_key=key, new_member_name="Lò Thị Mới",
                                                        new_member_phone="+84 912 000 777"))
    assert response.status_code == 302
    with app.app_context():
        author = db.session.get(User, only_initiative(app).author_id)
        assert (author.full_name, author.phone, author.role) == ("Lò Thị Mới", "0912000777", "member")


def test_a_new_member_shown_again_is_chosen_and_not_added_twice(app, client, world):
    login(client, world.helper_a1_phone)
    key = new_key(client)
    body = client.form("/initiatives/new", complete(submit_key=key, title="Ngắn", new_member_name="Lò Thị Mới")
                       ).get_data(as_text=True)
    assert "Tên sáng kiến cần ít nhất 10 ký tự." in body
    with app.app_context():
        member = db.session.scalar(select(User).where(User.full_name == "Lò Thị Mới"))
    assert f'<option selected value="{member.id}">Lò Thị Mới</option>' in body
    assert 'value="Lò Thị Mới"' not in body  # the "new member" box is empty again
    item = only_initiative(app)
    client.form(f"/initiatives/{item.id}/edit", complete(submit_key=key, author_id=str(member.id)))
    assert only_initiative(app).status == Status.SUBMITTED
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User).where(User.full_name == "Lò Thị Mới")) == 1


def test_the_service_saves_and_submits_plain_data(app, world):
    from app.submissions import service
    with app.app_context():
        member = db.session.get(User, world.member_a1)
        data = service.InitiativeData(
            submit_key="plain-data", title="Cải tiến sổ theo dõi tiêm chủng", field="health",
            current_situation="Sổ giấy dễ thất lạc, tra cứu mất nhiều thời gian mỗi buổi.",
            solution="Chuyển sổ sang bảng tính dùng chung, có cột nhắc lịch tiêm và tìm theo tên trẻ.",
            application_scope="Trạm y tế xã", effectiveness="Tra cứu từ 10 phút xuống dưới 1 phút mỗi lượt.",
            applied_since=date(2023, 5, 1), estimated_value=2_000_000, author_share=100)
        draft = service.save(data, member, None)
        assert (draft.initiative.status, draft.author, draft.submitted) == (Status.DRAFT, member, False)
        refused = service.save(data, member, draft.initiative, submitting=True)
        assert not refused.submitted and refused.check is not None
        assert list(refused.check.problems) == ["confirm_original"]
        data.confirm_original = True
        data.co_authors = [service.CoAuthor("", "Điều dưỡng", 10)]
        refused = service.save(data, member, draft.initiative, submitting=True)
        assert refused.check is not None and refused.check.unnamed_co_authors == [0]
        assert refused.check.shares == "Tổng tỷ lệ đóng góp của các tác giả phải bằng 100% (hiện là 110%)."
        data.co_authors = []
        done = service.save(data, member, draft.initiative, submitting=True)
        assert done.submitted and done.initiative.status == Status.SUBMITTED
        assert done.initiative.estimated_value == 2_000_000


def test_withdraw_with_a_version_no_page_shows_changes_nothing(app, client, world):
    login(client, world.member_a1_phone)
    client.form("/initiatives/new", complete(submit_key=new_key(client)))
    item = only_initiative(app)
    for version in ("abc", str(2**40)):
        body = client.form(f"/initiatives/{item.id}/withdraw", {"version": version},
                           follow_redirects=True).get_data(as_text=True)
        assert "không rút được" in body
    assert only_initiative(app).status == Status.SUBMITTED


# --- issue 11: nothing typed may be lost or leak ------------------------------------------------------------------

ACCOUNT = re.compile(r'<body[^>]* data-account="([^"]*)"')


def test_browser_copies_belong_to_the_signed_in_account_and_to_one_draft(app, client, world):
    """static/app.js keys its copy by the body's data-account and the form's draft (id, or the one-time key):
    every page says whose it is, and no form names a key shared by everyone ("new")."""
    assert ACCOUNT.search(client.get("/").get_data(as_text=True)).group(1) == ""
    login(client, world.member_a1_phone)
    page = client.get("/initiatives/new").get_data(as_text=True)
    assert ACCOUNT.search(page).group(1) == str(world.member_a1)
    assert 'data-logout-url="/logout"' in page
    form = re.search(r"<form [^>]*data-draft[ >][^>]*>", page).group(0)
    assert 'data-draft-id=""' in form and 'data-autosave-url="/initiatives/autosave"' in form
    assert "data-autosave-key" not in page and "'new'" not in form
    key = KEY.search(page).group(1)
    client.htmx("/initiatives/autosave", "POST", {"submit_key": key, "title": "Nháp của A", "author_share": "100"})
    item = only_initiative(app)
    edit = client.get(f"/initiatives/{item.id}/edit").get_data(as_text=True)
    form = re.search(r"<form [^>]*data-draft[ >][^>]*>", edit).group(0)
    assert f'data-draft-id="{item.id}"' in form and f'data-autosave-url="/initiatives/{item.id}/autosave"' in form
    assert KEY.search(edit).group(1) == key  # the copy made before the first save is found again by its key
    other = app.test_client()
    login(other, world.member_a1b_phone)
    assert ACCOUNT.search(other.get("/initiatives/new").get_data(as_text=True)).group(1) == str(world.member_a1b)


def test_the_first_autosave_tells_the_browser_which_draft_its_copy_now_belongs_to(app, client, world):
    login(client, world.member_a1_phone)
    key = new_key(client)
    response = client.htmx("/initiatives/autosave", "POST",
                           {"submit_key": key, "title": "Ý tưởng", "author_share": "100"})
    item = only_initiative(app)
    body = response.get_data(as_text=True)
    assert response.headers["HX-Replace-Url"] == f"/initiatives/{item.id}/edit"
    mark = re.search(r'<span data-draft-state="saved"[^>]*>', body).group(0)
    assert f'data-draft-id="{item.id}"' in mark
    assert f'data-autosave-url="/initiatives/{item.id}/autosave"' in mark
    assert f'data-edit-url="/initiatives/{item.id}/edit"' in mark
    assert re.search(r"Đã lưu nháp lúc \d\d/\d\d/\d{4} \d\d:\d\d", body)
    # What the page sends when it is hidden or closed: the same key, the same draft, never a second one.
    again = client.htmx(f"/initiatives/{item.id}/autosave", "POST", {"submit_key": key, "title": "Ý tưởng",
                                                                      "solution": "Gõ trong hai giây cuối"})
    assert 'data-draft-state="saved"' in again.get_data(as_text=True)
    late = client.htmx("/initiatives/autosave", "POST", {"submit_key": key, "title": "Ý tưởng",
                                                          "solution": "Gõ trong hai giây cuối"})
    assert 'data-draft-state="saved"' in late.get_data(as_text=True) and "HX-Replace-Url" not in late.headers
    assert count(app) == 1 and only_initiative(app).solution == "Gõ trong hai giây cuối"


def test_autosave_answers_name_their_state_for_the_script(app, client, world):
    login(client, world.member_a1_phone)
    key = new_key(client)
    refused = client.htmx("/initiatives/autosave", "POST", {"submit_key": key, "title": "x" * 301})
    assert 'data-draft-state="invalid"' in refused.get_data(as_text=True) and count(app) == 0
    client.form("/initiatives/new", complete(submit_key=key))
    locked = client.htmx("/initiatives/autosave", "POST", {"submit_key": key, "title": "Ghi đè"})
    assert 'data-draft-state="locked"' in locked.get_data(as_text=True)


def test_the_draft_status_has_a_true_text_for_every_state(client, world):
    """Unsaved, saving, offline (kept on this phone) and failed are written by the script from these texts;
    an opened draft says when it was saved, a new form that it saves itself."""
    login(client, world.member_a1_phone)
    page = client.get("/initiatives/new").get_data(as_text=True)
    status = re.search(r'<div id="autosave-status"[^>]*>', page).group(0)
    for state, text in (("unsaved", "chưa lưu"), ("saving", "Đang lưu"), ("offline", "giữ trên máy này"),
                        ("failed", "giữ trên máy này")):
        assert re.search(rf'data-text-{state}="[^"]*{text}', status), state
    assert 'class="autosave-status' in status and 'aria-live="polite"' in status
    assert "hx-post" not in status  # one sender (static/app.js), which knows whether the answer arrived
    css = client.get(re.search(r'href="(/s/[^"]+/app\.css)"', page).group(1)).get_data(as_text=True)
    assert re.search(r"\.autosave-status\{position:sticky;bottom:0", css)
    key = KEY.search(page).group(1)
    client.htmx("/initiatives/autosave", "POST", {"submit_key": key, "title": "Đã lưu", "author_share": "100"})
    edit = client.get(f"/initiatives/{new_id(client, key)}/edit").get_data(as_text=True)
    assert re.search(r'id="autosave-status"[^>]*>Đã lưu nháp lúc \d\d/\d\d/\d{4} \d\d:\d\d', edit)


def new_id(client, key: str) -> int:
    from app.submissions import service
    with client.application.app_context():
        return service.by_key(key).id


def test_the_service_worker_is_served_from_the_root_and_keeps_only_static_files_and_the_form(client, world):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.cache_control.no_cache
    script = response.get_data(as_text=True)
    assets = json.loads(re.search(r"ASSETS = (\[[^\]]*\])", script).group(1))
    assert re.search(r'NEW_FORM = "/initiatives/new"', script)
    page = client.get("/").get_data(as_text=True)
    for name in ("app.css", "app.js", "htmx"):  # what a page needs, at the fingerprints pages use
        url = next(a for a in assets if name in a)
        assert url in page
        assert client.get(url).status_code == 200
    assert all(a.startswith("/s/") for a in assets)
    assert 'data-sw="/sw.js"' in page
    # It answers only GETs of the same site, caches no page but the form, and POSTs pass untouched.
    assert 'request.method !== "GET"' in script and "url.pathname === NEW_FORM" in script
    assert re.findall(r"cache\.put\((\w+)", script) == ["request", "NEW_FORM"]  # a /s/ file, the form


def test_the_web_app_manifest_names_the_app_and_its_icons(client):
    page = client.get("/").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["name"] == "Sáng kiến" and manifest["start_url"] == "/" and manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        image = Image.open(io.BytesIO(client.get(icon["src"]).data))
        assert image.format == "PNG" and "{}x{}".format(*image.size) == icon["sizes"]
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}


def test_withdraw_asks_first_on_a_page_that_changes_nothing(app, client, world):
    login(client, world.member_a1_phone)
    client.form("/initiatives/new", complete(submit_key=new_key(client)))
    item = only_initiative(app)
    detail = client.get(f"/initiatives/{item.id}").get_data(as_text=True)
    assert f'<a class="button" href="/initiatives/{item.id}/withdraw">Rút sáng kiến</a>' in detail
    assert f'action="/initiatives/{item.id}/withdraw"' not in detail  # no one-tap withdrawal
    confirm = client.get(f"/initiatives/{item.id}/withdraw")
    body = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Rút sáng kiến?" in body
    assert f'action="/initiatives/{item.id}/withdraw"' in body and f'name="version" value="{item.version}"' in body
    assert f'href="/initiatives/{item.id}"' in body  # "keep it"
    assert only_initiative(app).status == Status.SUBMITTED


def test_a_withdrawal_can_be_undone_back_to_its_place_in_the_queue(app, client, world):
    login(client, world.member_a1_phone)
    client.form("/initiatives/new", complete(submit_key=new_key(client)))
    item = only_initiative(app)
    submitted_at = item.submitted_at
    page = client.form(f"/initiatives/{item.id}/withdraw", {"version": str(item.version)},
                       follow_redirects=True).get_data(as_text=True)
    withdrawn = only_initiative(app)
    assert withdrawn.status == Status.WITHDRAWN and "Hoàn tác" in page
    assert f'action="/initiatives/{item.id}/undo-withdraw"' in page
    with app.app_context():
        assert tallies.for_unit(world.campaign, world.province).submitted == 0
    page = client.form(f"/initiatives/{item.id}/undo-withdraw", {"version": str(withdrawn.version)},
                       follow_redirects=True).get_data(as_text=True)
    back = only_initiative(app)
    assert back.status == Status.SUBMITTED and back.submitted_at == submitted_at
    assert "Đã hoàn tác" in page and "undo-withdraw" not in page
    with app.app_context():
        assert tallies.for_unit(world.campaign, world.province).submitted == 1
        events = db.session.scalars(select(StatusEvent).where(StatusEvent.initiative_id == item.id)
                                    .order_by(StatusEvent.id)).all()
        assert [(e.from_status, e.to_status) for e in events] == [
            ("draft", "submitted"), ("submitted", "withdrawn"), ("withdrawn", "submitted")]
    # Undone once: nothing left to undo.
    assert client.form(f"/initiatives/{item.id}/undo-withdraw", {"version": str(back.version)}).status_code == 403


def test_undoing_a_withdrawal_from_returned_keeps_the_reviewers_decision(app, client, world):
    item = submitted_then_returned(app, client, world, "incomplete", "Thêm ảnh")
    returned = only_initiative(app)
    client.form(f"/initiatives/{item.id}/withdraw", {"version": str(returned.version)})
    client.form(f"/initiatives/{item.id}/undo-withdraw", {"version": str(only_initiative(app).version)})
    back = only_initiative(app)
    assert back.status == Status.RETURNED
    assert (back.decided_by_id, back.decision_reason, back.decision_message) == (
        world.reviewer_p, "incomplete", "Thêm ảnh")


def test_undo_with_an_old_version_changes_nothing(app, client, world):
    login(client, world.member_a1_phone)
    client.form("/initiatives/new", complete(submit_key=new_key(client)))
    item = only_initiative(app)
    client.form(f"/initiatives/{item.id}/withdraw", {"version": str(item.version)})
    body = client.form(f"/initiatives/{item.id}/undo-withdraw", {"version": str(item.version)},
                       follow_redirects=True).get_data(as_text=True)
    assert "Không hoàn tác được" in body and only_initiative(app).status == Status.WITHDRAWN
