"""Whatever arrives, the answer is one the site means to give: numbers beyond the database, NUL bytes, texts
longer than their columns, and server errors, each with a clear Vietnamese message and nothing typed lost."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from wtforms.fields import HiddenField, StringField, TextAreaField
from wtforms.validators import Regexp

from app import fields as app_fields
from app.extensions import db
from app.models import AwardLevel, Initiative, PairwiseRound, ShortlistNote, Unit

from .conftest import login
from .test_awards import make
from .test_fuzz import _form_field_names, form_classes
from .test_submissions import complete, new_key

HUGE = "9" * 400
BEYOND_INT = "2147483648"  # one past PostgreSQL integer
BEYOND_BIGINT = "99999999999999999999"  # past SQLite's 64-bit integers too


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


# --- integers beyond the database's range ---------------------------------------------------------------------

@pytest.mark.parametrize("path", [f"/gallery/{BEYOND_INT}", f"/gallery/{BEYOND_BIGINT}/image.jpg",
                                  f"/campaigns/thu/units/{BEYOND_INT}", f"/initiatives/{BEYOND_BIGINT}"])
def test_ids_beyond_the_database_in_the_path_are_not_found(client, world, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)


def test_ids_beyond_the_database_are_not_found_when_logged_in(client, world):
    login(client, world.organizer_p_phone)
    for path in (f"/initiatives/{BEYOND_BIGINT}", f"/awards/certificates/{BEYOND_INT}.pdf",
                 f"/admin/units/{BEYOND_INT}/edit", f"/review/{BEYOND_INT}"):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("query", [f"unit={BEYOND_INT}", f"unit=-{BEYOND_INT}1", f"unit={HUGE}"])
def test_query_numbers_beyond_the_database_count_as_missing(client, world, query):
    assert client.get(f"/gallery?{query}").status_code == 200
    assert client.get(f"/campaigns/thu/counters?{query}").status_code == 200  # the campaign's own unit


@pytest.mark.parametrize("page", [BEYOND_BIGINT, "-5", "0", "2147483647", HUGE])
def test_any_page_number_shows_the_queue(client, world, page):
    login(client, world.reviewer_a_phone)
    assert client.get(f"/review/?page={page}").status_code == 200


def test_values_and_lists_of_ids_beyond_the_database_count_as_missing(app, client, world):
    login(client, world.organizer_p_phone)
    # request.values (targets) and request.args (units) fall back to the organizer's own scope.
    assert client.get(f"/admin/campaigns/{world.campaign}/targets?unit={BEYOND_INT}").status_code == 200
    assert client.get(f"/admin/units?parent={BEYOND_BIGINT}").status_code == 200
    item = make(app, world, "member_a1", status="submitted")
    reviewer = app.test_client()
    login(reviewer, world.reviewer_a_phone)
    response = reviewer.form(f"/review/{item}/cluster", {"step": "preview", "ids": [BEYOND_INT, BEYOND_BIGINT]})
    assert response.status_code == 200
    assert "Hãy chọn ít nhất một sáng kiến trùng." in response.get_data(as_text=True)


def test_a_huge_number_in_a_number_field_is_a_form_error(app, client, world):
    login(client, world.organizer_p_phone)
    response = client.form("/admin/units", {"name": "Tổ mới", "code": "NEW1", "kind": "grassroots",
                                            "member_count": HUGE, "parent": world.district_a})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Số quá lớn." in body and "Tổ mới" in body
    response = client.form("/admin/units", {"name": "Tổ mới", "code": "NEW1", "kind": "grassroots",
                                            "member_count": BEYOND_INT, "parent": world.district_a})
    assert "Số quá lớn." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Unit).where(Unit.code == "NEW1")) is None


def test_a_huge_unit_id_at_registration_is_a_form_error(client, world):
    response = client.form("/register", {"full_name": "Lò Văn Mới", "phone": "0912345699", "unit_id": HUGE,
                                         "password": "mat-khau-dai-1", "confirm": "mat-khau-dai-1"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Số quá lớn." in body and "Lò Văn Mới" in body


@pytest.mark.parametrize("value,message", [(HUGE, "Giá trị làm lợi quá lớn."),
                                           ("9" * 5000, "Giá trị làm lợi quá lớn.")])
def test_a_huge_estimated_value_is_a_form_error(app, client, world, value, message):
    login(client, world.member_a1_phone)
    body = client.form("/initiatives/new", complete(submit_key=new_key(client), estimated_value=value)
                       ).get_data(as_text=True)
    assert message in body and "Thời gian chờ giảm từ 50 xuống 20 phút" in body
    assert count(app, Initiative) == 0


@pytest.mark.parametrize("name", ["author_id", "collective_unit_id"])
@pytest.mark.parametrize("value", [HUGE, "²"])
def test_a_forged_choice_is_a_form_error(app, client, world, name, value):
    login(client, world.helper_a1_phone)
    data = complete(submit_key=new_key(client), author_id=str(world.member_a1))
    body = client.form("/initiatives/new", {**data, name: value}).get_data(as_text=True)
    assert "Vui lòng chọn một mục trong danh sách." in body
    assert count(app, Initiative) == 0


@pytest.mark.parametrize("quota", [HUGE, BEYOND_INT, "²"])
def test_a_quota_beyond_the_database_is_explained_and_kept(app, client, world, quota):
    login(client, world.organizer_p_phone)
    client.form("/awards/levels", {"name": "Giấy khen", "issuer": "LĐLĐ huyện", "quota": "3"})
    before = count(app, AwardLevel)
    body = client.form("/awards/levels", {"name": "Giấy khen đặc biệt", "issuer": "LĐLĐ huyện", "quota": quota}
                       ).get_data(as_text=True)
    assert "Số lượng phải là số nguyên" in body and "Giấy khen đặc biệt" in body
    assert count(app, AwardLevel) == before


def test_a_target_beyond_the_database_is_explained(app, client, world):
    login(client, world.organizer_p_phone)
    body = client.form(f"/admin/campaigns/{world.campaign}/targets",
                       {f"t{world.district_a}": HUGE, "unit": world.province}).get_data(as_text=True)
    assert "phải là số nguyên không âm" in body


# --- NUL bytes ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/campaigns/thu%00", "/campaigns/%00/counters"])
def test_nul_in_the_path_is_a_bad_request(client, world, path):
    response = client.get(path)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Yêu cầu không hợp lệ" in body and "Về trang chủ" in body


def test_nul_in_the_query_string_is_dropped(client, world):
    assert client.get("/gallery?field=a%00b&unit=1%00").status_code == 200
    body = client.get("/register?unit_query=tr%00am").get_data(as_text=True)
    assert 'value="tram"' in body and "\x00" not in body
    response = client.get("/units/search?unit_query=S%C3%ACn%00%20H%E1%BB%93", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Sìn Hồ" in response.get_data(as_text=True)
    login(client, world.organizer_p_phone)
    assert client.get("/admin/users?q=L%C3%B2%00").status_code == 200


def test_nul_in_the_login_identifier_is_a_form_error(client, world):
    response = client.form("/login", {"identifier": "0911\x00000001", "password": "x"})
    assert response.status_code == 200
    assert "ký tự NUL" in response.get_data(as_text=True)


def test_nul_in_an_initiative_field_saves_nothing_and_keeps_the_rest(app, client, world):
    login(client, world.member_a1_phone)
    body = client.form("/initiatives/new", complete(submit_key=new_key(client), solution="Phát số\x00 thứ tự")
                       ).get_data(as_text=True)
    assert "ký tự NUL" in body and "Thời gian chờ giảm từ 50 xuống 20 phút" in body
    assert count(app, Initiative) == 0


def test_nul_in_a_co_author_row_is_a_form_error(app, client, world):
    login(client, world.member_a1_phone)
    body = client.form("/initiatives/new", complete(submit_key=new_key(client), action="draft",
                                                    **{"authors-0-full_name": "Lò\x00 Văn Hai"})
                       ).get_data(as_text=True)
    assert "ký tự NUL" in body
    assert count(app, Initiative) == 0


@pytest.mark.parametrize("key", ["a\x00b", "k" * 65, "khóa có dấu"])
def test_a_broken_submit_key_is_explained_and_the_text_kept(app, client, world, key):
    login(client, world.member_a1_phone)
    response = client.form("/initiatives/new", complete(submit_key=key))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ("ký tự NUL" if "\x00" in key else "Biểu mẫu đã bị thay đổi ngoài ý muốn") in body
    assert "Thời gian chờ giảm từ 50 xuống 20 phút" in body
    assert client.post("/initiatives/autosave", data=complete(submit_key=key, csrf_token=client.csrf_token()),
                       headers={"HX-Request": "true"}).status_code == 200
    assert count(app, Initiative) == 0


def test_nul_or_too_long_free_texts_read_without_a_form_are_explained(app, client, world):
    shortlisted = make(app, world, "member_a1", status="shortlisted")
    make(app, world, "member_b1", status="shortlisted", title="Sổ tay điện tử")
    login(client, world.organizer_p_phone)
    for name in ("Vòng\x00 một", "V" * 201):
        response = client.form("/awards/rounds", {"name": name}, follow_redirects=True)
        assert "Tên vòng so sánh:" in response.get_data(as_text=True)
    assert count(app, PairwiseRound) == 0

    level_id = _a_level(app, client)
    with app.app_context():
        author_id = db.session.get(Initiative, shortlisted).authors[0].id
    body = client.form(f"/awards/{shortlisted}/award", {
        "level_id": level_id, "decision_date": "2022-06-01", "decision_number": "1" * 61,
        "recipients": f"a{author_id}"}).get_data(as_text=True)
    assert "Số quyết định: tối đa 60 ký tự." in body and "1" * 61 in body

    body = client.form("/awards/levels", {"name": "Bằng khen " * 30, "issuer": "LĐLĐ tỉnh"}).get_data(as_text=True)
    assert "Tên hình thức khen thưởng: tối đa 200 ký tự." in body and "Bằng khen Bằng khen" in body

    body = client.form(f"/awards/{shortlisted}/feature", {"story": "Hay\x00"}).get_data(as_text=True)
    assert "Lời giới thiệu: có ký tự không hợp lệ" in body

    client.form(f"/awards/{shortlisted}/shortlist", {"note": "n" * 2001, "only_note": "1"})
    assert count(app, ShortlistNote) == 0


def _a_level(app, client) -> int:
    client.form("/awards/levels", {"name": "Bằng khen", "issuer": "LĐLĐ tỉnh", "quota": ""})
    with app.app_context():
        return db.session.scalar(select(AwardLevel.id).order_by(AwardLevel.id))


def test_a_return_message_with_nul_or_too_long_is_explained(app, client, world):
    item = make(app, world, "member_a1", status="submitted")
    login(client, world.reviewer_a_phone)
    for message, expected in (("Bổ sung\x00", "có ký tự không hợp lệ"), ("m" * 2001, "tối đa 2000 ký tự")):
        body = client.form(f"/review/{item}/decide", {"decision": "return", "return_reason": "other",
                                                      "message": message, "version": "2"}).get_data(as_text=True)
        assert expected in body
    with app.app_context():
        assert db.session.get(Initiative, item).status == "submitted"


# --- every form: bounded, NUL-proof, Vietnamese ---------------------------------------------------------------

def _validators(unbound) -> list:
    return list(unbound.kwargs.get("validators") or (unbound.args[1] if len(unbound.args) > 1 else []))


def _text_fields(form_class):
    """Text that can reach the database (passwords are only hashed: their rules bound them)."""
    for klass in reversed(form_class.__mro__):
        for name, value in vars(klass).items():
            if getattr(value, "field_class", None) in (StringField, TextAreaField, HiddenField):
                yield name, value


def test_every_form_refuses_nul_and_bounds_every_text_field():
    classes = form_classes()
    assert len(classes) >= 8 and all(issubclass(c, (app_fields.Form, app_fields.SubForm)) for c in classes), \
        [c.__name__ for c in classes if not issubclass(c, (app_fields.Form, app_fields.SubForm))]
    unbounded = []
    for form_class in classes:
        assert _form_field_names(form_class)
        for name, unbound in _text_fields(form_class):
            validators = _validators(unbound)
            bounded = any(isinstance(v, app_fields.Length) and v.max > 0 for v in validators) or any(
                isinstance(v, Regexp) and re.search(r"\{\d+,\d+\}\$$", v.regex.pattern) for v in validators)
            if not bounded:
                unbounded.append(f"{form_class.__name__}.{name}")
    assert unbounded == []


def test_length_limits_speak_vietnamese(client, world):
    login(client, world.organizer_p_phone)
    body = client.form("/admin/campaigns/new", {"name": "C" * 201, "slug": "c", "start_date": "2022-04-22",
                                                "end_date": "2022-05-31", "goal": "10"}).get_data(as_text=True)
    assert "Tối đa 200 ký tự (đang có 201)." in body
    assert "Field cannot be longer" not in body


# --- error pages ----------------------------------------------------------------------------------------------

def test_not_found_and_wrong_method_pages_are_vietnamese_in_the_layout(client):
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True) and 'class="top"' in response.get_data(
        as_text=True)
    response = client.get("/logout")
    assert response.status_code == 405 and "POST" in response.headers["Allow"]
    assert "Trang này không nhận thao tác đó" in response.get_data(as_text=True)


def test_a_server_error_is_a_vietnamese_page_rolls_back_and_hides_the_traceback(app_factory, world, monkeypatch):
    app = app_factory(PROPAGATE_EXCEPTIONS=False)
    from app.awards import service

    def broken_round(user, campaign, name):
        db.session.add(PairwiseRound(campaign_id=campaign.id, unit_id=campaign.unit_id, name=name,
                                     initiative_ids=[], created_by_id=user.id))
        db.session.flush()
        raise RuntimeError("secret detail from deep inside")

    monkeypatch.setattr(service, "create_round", broken_round)
    client = app.test_client()
    login(client, world.organizer_p_phone)
    response = client.form("/awards/rounds", {"name": "Vòng hỏng"})
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Đã có lỗi ở máy chủ" in body and 'class="top"' in body  # the site's layout, not Werkzeug's page
    assert "secret detail" not in body and "Traceback" not in body and "RuntimeError" not in body
    assert count(app, PairwiseRound) == 0
    assert client.get("/awards/rounds").status_code == 200  # the next request starts clean


def test_a_broken_error_page_still_answers_a_plain_vietnamese_500(app_factory, monkeypatch):
    app = app_factory(PROPAGATE_EXCEPTIONS=False)
    from app import web
    from app.domain import campaigns

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(campaigns, "current", broken)  # the home page fails…
    monkeypatch.setattr(web, "render_template", broken)  # …and so does rendering its error page
    response = app.test_client().get("/")
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and "Đã có lỗi ở máy chủ" in body and "boom" not in body


def test_after_a_database_error_the_error_page_still_knows_who_is_signed_in(app_factory, world, monkeypatch):
    """The failed transaction is rolled back before the page is drawn: the layout can still load the user."""
    app = app_factory(PROPAGATE_EXCEPTIONS=False)
    from app.domain import campaigns

    def failing_write(*args, **kwargs):
        db.session.add(PairwiseRound(campaign_id=world.campaign, unit_id=world.province, name=None,
                                     initiative_ids=[], created_by_id=world.admin))
        db.session.flush()  # NOT NULL violated: the session now needs a rollback

    client = app.test_client()
    login(client, world.member_a1_phone)
    monkeypatch.setattr(campaigns, "current", failing_write)
    response = client.get("/")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Đã có lỗi ở máy chủ" in body and "Lò Văn Một" in body  # the full layout, with the user's name
