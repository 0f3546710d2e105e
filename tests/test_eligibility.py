"""Eligibility of the programme (issue 12): the rules a programme sets for its campaigns and a campaign adds,
explained on the form, checked at submit, declared by the author, shown to reviewers as a checklist, and kept by
the organizers who may (admins for a programme, the campaign unit's organizers for a campaign)."""
from __future__ import annotations

import gzip
import html
import re
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from app.domain import eligibility, workflow
from app.extensions import db
from app.models import Attachment, Campaign, EligibilityRule, Initiative, Programme, Role, Status, Unit, User
from app.submissions import service as submissions

from . import factories
from .conftest import login
from .test_submissions import complete, new_key, only_initiative

WINDOW_LABEL = "Áp dụng lần đầu trong giai đoạn 1"
EVIDENCE_LABEL = "Có xác nhận của thủ trưởng đơn vị"
BEFORE_WINDOW = ("Ngày áp dụng 01/03/2021 trước ngày 01/07/2021: sáng kiến không đáp ứng điều kiện "
                 f"“{WINDOW_LABEL}”.")
NEEDS_CONFIRMING = "Cần xác nhận điều kiện này trước khi gửi."


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def rules(app, world):
    """The world's campaign inside a programme: applied from 01/07/2021, the head of unit's confirmation."""
    with app.app_context():
        return factories.programme(world.campaign)


def count_rules(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(EligibilityRule))


# --- the form: explained up front, dates checked at submit, evidence declared ----------------------------------

def test_the_form_explains_the_rules_and_offers_one_confirmation_per_evidence_rule(client, world, rules):
    login(client, world.member_a1_phone)
    page = text_of(client.get("/initiatives/new"))
    box = page.index("Điều kiện để sáng kiến được tính")
    assert box < page.index("data-draft ")  # above the form
    assert WINDOW_LABEL in page and "Áp dụng trước giai đoạn 1 thì không tính." in page and EVIDENCE_LABEL in page
    assert re.search(rf'<input type="checkbox" name="evidence" value="{rules.evidence}"[^>]* data-draft-keep>', page)
    assert f"Tôi xác nhận: {EVIDENCE_LABEL}" in page
    assert page.count('name="evidence"') == 2  # the box and the empty marker: a window rule has no checkbox


def test_a_date_before_the_programme_window_is_refused_at_submit_and_kept_in_the_draft(app, client, world, rules):
    login(client, world.member_a1_phone)
    data = complete(submit_key=new_key(client), applied_since="2021-03-01", evidence=str(rules.evidence))
    response = client.form("/initiatives/new", data)
    assert response.status_code == 200
    page = text_of(response)
    assert BEFORE_WINDOW in page
    field = page[page.index('for="applied_since"') - 200:page.index('name="applied_since"') + 400]
    assert "has-error" in field and BEFORE_WINDOW in field  # the problem sits on the applied date
    item = only_initiative(app)
    assert item.status == Status.DRAFT
    assert (item.applied_since, item.title, item.evidence_declared) == (
        date(2021, 3, 1), data["title"], [rules.evidence])  # everything typed is kept
    assert 'value="2021-03-01"' in page and re.search(rf'value="{rules.evidence}"[^>]*checked', page)
    # Corrected, it goes through.
    response = client.form(f"/initiatives/{item.id}/edit", {**data, "applied_since": "2021-07-01"})
    assert response.status_code == 302
    assert only_initiative(app).status == Status.SUBMITTED


def test_a_window_with_an_end_refuses_later_dates(app, client, world):
    with app.app_context():
        ids = factories.programme(world.campaign, applied_to=date(2022, 1, 31), evidence=False)
    login(client, world.member_a1_phone)
    response = client.form("/initiatives/new", complete(submit_key=new_key(client), applied_since="2022-03-01"))
    assert ("Ngày áp dụng 01/03/2022 sau ngày 31/01/2022: sáng kiến không đáp ứng điều kiện "
            f"“{WINDOW_LABEL}”.") in text_of(response)
    assert only_initiative(app).status == Status.DRAFT
    assert client.form(f"/initiatives/{only_initiative(app).id}/edit",
                       complete(applied_since="2022-01-31")).status_code == 302
    assert only_initiative(app).status == Status.SUBMITTED and ids.evidence is None


def test_a_campaign_rule_adds_to_the_programmes(app, client, world, rules):
    with app.app_context():
        own_window = factories.campaign_rule(world.campaign, "applied_window", "Áp dụng từ năm 2022",
                                             date_from=date(2022, 1, 1))
        own_evidence = factories.campaign_rule(world.campaign, "evidence", "Có biên bản nghiệm thu", position=1)
        campaign = db.session.get(Campaign, world.campaign)
        # The programme's rules first, then the campaign's, each by position.
        assert [r.id for r in eligibility.rules_for(campaign)] == [rules.window, rules.evidence, own_window,
                                                                   own_evidence]
    login(client, world.member_a1_phone)
    page = text_of(client.get("/initiatives/new"))
    assert page.index(WINDOW_LABEL) < page.index("Áp dụng từ năm 2022")
    assert "Tôi xác nhận: Có biên bản nghiệm thu" in page
    # Inside the programme's window but before the campaign's: refused by the campaign's rule.
    data = complete(submit_key=new_key(client), applied_since="2021-09-01", evidence=str(rules.evidence))
    page = text_of(client.form("/initiatives/new", data))
    assert "trước ngày 01/01/2022: sáng kiến không đáp ứng điều kiện “Áp dụng từ năm 2022”." in page
    assert page.count(NEEDS_CONFIRMING) == 1  # the campaign's evidence, not the declared programme's one
    item = only_initiative(app)
    assert item.status == Status.DRAFT
    response = client.form(f"/initiatives/{item.id}/edit", {**data, "applied_since": "2022-02-01",
                                                            "evidence": [str(rules.evidence), str(own_evidence)]})
    assert response.status_code == 302
    item = only_initiative(app)
    assert item.status == Status.SUBMITTED and item.evidence_declared == [rules.evidence, own_evidence]


def test_evidence_is_required_to_submit_and_only_the_campaigns_rules_are_stored(app, client, world, rules):
    with app.app_context():
        other = Campaign(slug="khac", name="Chiến dịch khác", unit_id=world.district_b, start_date=date(2021, 1, 1),
                         end_date=date(2021, 2, 1), goal=5)
        db.session.add(other)
        db.session.flush()
        foreign = factories.campaign_rule(other.id, "evidence", "Của chiến dịch khác")
    login(client, world.member_a1_phone)
    data = complete(submit_key=new_key(client), evidence="")
    page = text_of(client.form("/initiatives/new", data))
    assert NEEDS_CONFIRMING in page and "Vui lòng sửa các mục báo lỗi màu đỏ bên dưới." in page
    item = only_initiative(app)
    assert item.status == Status.DRAFT and item.evidence_declared in (None, [])
    # Forged ids (another campaign's rule, the window rule, ids of nothing) are dropped; the real one is kept.
    forged = [str(foreign), str(rules.window), "2147483647", "99999999999999999999", "x", str(rules.evidence)]
    response = client.form(f"/initiatives/{item.id}/edit", {**data, "evidence": forged})
    assert response.status_code == 302
    item = only_initiative(app)
    assert item.status == Status.SUBMITTED and item.evidence_declared == [rules.evidence]


def test_declared_evidence_follows_saves_and_autosaves(app, client, world, rules):
    login(client, world.member_a1_phone)
    key = new_key(client)
    client.form("/initiatives/new", complete(submit_key=key, action="draft", evidence=["", str(rules.evidence)]))
    item = only_initiative(app)
    assert item.evidence_declared == [rules.evidence]
    page = text_of(client.get(f"/initiatives/{item.id}/edit"))
    assert re.search(rf'value="{rules.evidence}"[^>]*checked', page)  # shown ticked again
    # An autosave that does not carry the boxes (an older page) leaves them; one that says "none ticked" clears.
    assert client.htmx(f"/initiatives/{item.id}/autosave", "POST",
                       {"submit_key": key, "title": "Tên mới khi gõ"}).status_code == 200
    assert only_initiative(app).evidence_declared == [rules.evidence]
    client.htmx(f"/initiatives/{item.id}/autosave", "POST", {"submit_key": key, "title": "Tên", "evidence": ""})
    assert only_initiative(app).evidence_declared == []
    client.htmx(f"/initiatives/{item.id}/autosave", "POST",
                {"submit_key": key, "title": "Tên", "evidence": str(rules.evidence)})
    assert only_initiative(app).evidence_declared == [rules.evidence]
    # Unticked on the page and saved (the empty marker is all the browser sends): cleared.
    client.form(f"/initiatives/{item.id}/edit", complete(action="draft", evidence=""))
    assert only_initiative(app).evidence_declared == []


def test_the_precheck_and_the_submit_button_of_a_draft_include_the_rules(app, client, world, rules):
    with app.app_context():
        member = db.session.get(User, world.member_a1)
        item = factories.initiative(world.campaign, member, applied_since=date(2021, 3, 1),
                                    solution="Phát số thứ tự qua Zalo, chia hai luồng khám, bố trí người hướng dẫn.",
                                    current_situation="Bệnh nhân phải xếp hàng từ 45 đến 60 phút mỗi buổi sáng.",
                                    effectiveness="Thời gian chờ giảm từ 50 xuống 20 phút mỗi lượt khám.")
        db.session.commit()
        item_id = item.id
    login(client, world.member_a1_phone)
    page = text_of(client.get(f"/initiatives/{item_id}"))
    assert BEFORE_WINDOW in page and f"Chưa xác nhận điều kiện “{EVIDENCE_LABEL}”." in page
    client.form(f"/initiatives/{item_id}/submit", {"confirm_original": "y"})
    assert only_initiative(app).status == Status.DRAFT
    helper = app.test_client()
    login(helper, world.helper_a1_phone)
    assert BEFORE_WINDOW in text_of(helper.get("/initiatives/union"))
    with app.app_context():
        stored = db.session.get(Initiative, item_id)
        stored.applied_since, stored.evidence_declared = date(2021, 8, 1), [rules.evidence]
        db.session.commit()
    assert client.form(f"/initiatives/{item_id}/submit", {"confirm_original": "y"}).status_code == 302
    assert only_initiative(app).status == Status.SUBMITTED


def test_a_campaign_without_programme_or_rules_behaves_as_before(app, client, world):
    login(client, world.member_a1_phone)
    page = text_of(client.get("/initiatives/new"))
    assert "Điều kiện để sáng kiến được tính" not in page and 'name="evidence"' not in page
    response = client.form("/initiatives/new", complete(submit_key=new_key(client), applied_since="1990-01-01"))
    assert response.status_code == 302
    item = only_initiative(app)
    assert item.status == Status.SUBMITTED and item.evidence_declared is None
    reviewer = app.test_client()
    login(reviewer, world.reviewer_a_phone)
    assert "Điều kiện của chương trình" not in text_of(reviewer.get(f"/review/{item.id}"))
    with app.app_context():
        assert eligibility.rules_for(db.session.get(Campaign, world.campaign)) == []


def test_the_new_form_with_rules_fits_the_byte_budget(app, client, world, rules):
    with app.app_context():
        factories.campaign_rule(world.campaign, "evidence", "Có biên bản nghiệm thu của hội đồng cơ sở " * 5)
    login(client, world.helper_a1_phone)
    html_bytes = client.get("/initiatives/new").get_data()
    assert "Có biên bản nghiệm thu".encode() in html_bytes
    assert len(gzip.compress(html_bytes)) <= 14 * 1024


# --- reviewers: the checklist next to the decision buttons ------------------------------------------------------

def _submitted(app, world, title: str, applied: date, declared: list[int] | None, photo: bool = False) -> int:
    with app.app_context():
        author = db.session.get(User, world.member_a1)
        item = factories.initiative(world.campaign, author, title=title, applied_since=applied,
                                    evidence_declared=declared)
        if photo:
            db.session.add(Attachment(initiative_id=item.id, original_name="xac-nhan.jpg", stored_name=f"x{item.id}",
                                      content_type="image/jpeg", size=10, uploaded_by_id=author.id))
        submissions.submit(item, author)
        db.session.commit()
        return item.id


def _lines(page: str) -> list[str]:
    section = page[page.index("Điều kiện của chương trình"):]
    section = section[:section.index("</section>")]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", li)).strip() for li in re.findall(r"<li>(.*?)</li>", section)]


def test_the_reviewer_checklist_says_met_not_met_and_to_check(app, world, rules):
    inside = _submitted(app, world, "Sổ tay điện tử cho giáo viên", date(2021, 9, 1), [rules.evidence], photo=True)
    before = _submitted(app, world, "Bếp ăn bán trú tiết kiệm củi", date(2021, 3, 1), None)
    bare = _submitted(app, world, "Cải tiến tủ thuốc trạm y tế", date(2021, 9, 1), [rules.evidence])
    reviewer = app.test_client()
    login(reviewer, world.reviewer_a_phone)
    page = text_of(reviewer.get(f"/review/{inside}"))
    assert page.index("Điều kiện của chương trình") < page.index('value="valid"')  # beside the decision buttons
    assert _lines(page) == [f"Đạt {WINDOW_LABEL} Áp dụng từ 01/09/2021: trong thời gian quy định.",
                            f"Người thẩm định kiểm tra {EVIDENCE_LABEL} Tác giả đã xác nhận; có 1 tệp đính kèm để "
                            "đối chiếu."]
    assert "Không thuộc phạm vi chương trình”." not in page
    assert _lines(text_of(reviewer.get(f"/review/{bare}")))[1] == (
        f"Người thẩm định kiểm tra {EVIDENCE_LABEL} Tác giả đã xác nhận nhưng không có tệp đính kèm: cần kiểm tra kỹ.")
    page = text_of(reviewer.get(f"/review/{before}"))
    assert _lines(page) == [f"Không đạt {WINDOW_LABEL} {BEFORE_WINDOW}",
                            f"Không đạt {EVIDENCE_LABEL} Tác giả chưa xác nhận."]
    # A date rule failed: said clearly, and the out-of-scope reason is ready for the reviewer to use.
    assert ("Sáng kiến không đáp ứng điều kiện về thời gian áp dụng: nếu đúng như vậy, chọn Không hợp lệ với lý do "
            "“Không thuộc phạm vi chương trình”.") in page
    assert re.search(r'<option value="out_of_scope" selected>', page)
    with app.app_context():
        version = db.session.get(Initiative, before).version
    reviewer.form(f"/review/{before}/decide", {"decision": "invalid", "invalid_reason": "out_of_scope",
                                               "version": str(version)})
    with app.app_context():
        decided = db.session.get(Initiative, before)
        assert (decided.status, decided.decision_reason) == (Status.INVALID, "out_of_scope")


def test_the_checklist_measures_the_window_against_the_registration_day(app, world, rules):
    """Applied after the day it was registered (first submitted): not met, even if submitted again later."""
    with app.app_context():
        author = db.session.get(User, world.member_a1)
        item = factories.initiative(world.campaign, author, applied_since=date(2022, 5, 10))
        workflow.transition(item, Status.SUBMITTED, author)
        item.first_submitted_at = datetime(2022, 5, 1, 3)  # registered on 01/05/2022 (Vietnamese day)
        rules_now = eligibility.rules_for(item.campaign)
        lines = eligibility.checklist(item, rules_now)
        assert (lines[0].state, lines[0].note) == (eligibility.NOT_MET, (
            "Ngày áp dụng 10/05/2022 sau ngày đăng ký 01/05/2022: sáng kiến không đáp ứng điều kiện "
            f"“{WINDOW_LABEL}”."))
        assert eligibility.fails_a_date_rule(lines)
        item.applied_since = date(2022, 5, 1)
        assert eligibility.checklist(item, rules_now)[0].state == eligibility.MET
        item.applied_since = None  # missing: not met, but incomplete rather than out of the window
        assert eligibility.checklist(item, rules_now)[0].state == eligibility.NOT_MET
        assert not eligibility.fails_a_date_rule(eligibility.checklist(item, rules_now))
        db.session.rollback()


# --- the domain's small rules, each on its own -------------------------------------------------------------------

def test_window_rule_each_bound_and_the_open_window(app):
    window = EligibilityRule(kind="applied_window", label="Cửa sổ", date_from=date(2021, 7, 1),
                             date_to=date(2022, 6, 30))
    open_window = EligibilityRule(kind="applied_window", label="Mở")
    day = date(2022, 5, 1)
    with app.test_request_context("/"):
        assert eligibility.window_problem(window, date(2021, 6, 30), day)
        assert eligibility.window_problem(window, date(2021, 7, 1), day) is None
        assert eligibility.window_problem(window, date(2022, 7, 1), date(2022, 8, 1))
        assert eligibility.window_problem(window, date(2022, 6, 30), date(2022, 8, 1)) is None
        assert eligibility.window_problem(open_window, date(1990, 1, 1), day) is None
        assert eligibility.window_problem(open_window, date(2022, 5, 2), day)
        assert eligibility.date_problems([window, open_window], None, day) == []
        evidence = EligibilityRule(id=7, kind="evidence", label="Xác nhận")
        assert eligibility.date_problems([evidence], date(1990, 1, 1), day) == []
        assert eligibility.declared_ids([window, evidence], [7, 7, 8]) == [7]
        assert eligibility.missing_evidence([window, evidence], [7]) == []
        assert eligibility.missing_evidence([window, evidence], None) == [evidence]


def test_rules_are_ordered_by_position_inside_each_owner(app, world):
    with app.app_context():
        ids = factories.programme(world.campaign)
        db.session.get(EligibilityRule, ids.window).position = 5  # after the evidence now
        late = factories.campaign_rule(world.campaign, "evidence", "Sau", position=9)
        early = factories.campaign_rule(world.campaign, "evidence", "Trước", position=0)
        assert [r.id for r in eligibility.rules_for(db.session.get(Campaign, world.campaign))] == [
            ids.evidence, ids.window, early, late]
        assert submissions.precheck(factories.initiative(world.campaign, db.session.get(User, world.member_a1)))


# --- organizers: who keeps which rules ---------------------------------------------------------------------------

@pytest.fixture
def district_b_organizer(app, world):
    with app.app_context():
        person = factories.user("Vi Văn Huyện", "0911000051", Role.ORGANIZER, db.session.get(Unit, world.union_b1),
                                db.session.get(Unit, world.district_b))
        db.session.commit()
        return person.phone


RULE = {"kind": "evidence", "label": "Có biên bản nghiệm thu", "explanation": "Ảnh chụp biên bản."}


def test_the_district_b_organizer_cannot_touch_the_province_campaigns_rules(app, world, rules,
                                                                              district_b_organizer):
    with app.app_context():
        own = factories.campaign_rule(world.campaign, "evidence", "Riêng của tỉnh")
        district_week = Campaign(slug="tuan-huyen-be", name="Tuần cao điểm huyện Bê", unit_id=world.district_b,
                                 start_date=date(2022, 5, 2), end_date=date(2022, 5, 8), goal=20)
        db.session.add(district_week)
        db.session.commit()
        district_campaign = district_week.id
    organizer = app.test_client()
    login(organizer, district_b_organizer)
    page = text_of(organizer.get(f"/admin/campaigns/{world.campaign}/rules"))
    assert "Riêng của tỉnh" in page and WINDOW_LABEL in page  # read, not changed
    assert f"/admin/rules/{own}/edit" not in page and "/rules/new" not in page
    before = count_rules(app)
    assert organizer.get(f"/admin/campaigns/{world.campaign}/rules/new").status_code == 403
    assert organizer.form(f"/admin/campaigns/{world.campaign}/rules/new", RULE).status_code == 403
    assert organizer.form(f"/admin/rules/{own}/edit", {**RULE, "label": "Đổi"}).status_code == 403
    assert organizer.form(f"/admin/rules/{own}/delete").status_code == 403
    assert organizer.form(f"/admin/rules/{rules.window}/edit", RULE).status_code == 403  # the programme's: admins
    with app.app_context():
        assert db.session.get(EligibilityRule, own).label == "Riêng của tỉnh"
    assert count_rules(app) == before
    # Their own district's campaign is theirs.
    assert organizer.form(f"/admin/campaigns/{district_campaign}/rules/new", RULE).status_code == 302
    assert count_rules(app) == before + 1
    # The province organizer keeps the province campaign's rules: edit, and delete.
    province = app.test_client()
    login(province, world.organizer_p_phone)
    response = province.form(f"/admin/rules/{own}/edit", {**RULE, "label": "Đã sửa"})
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/campaigns/{world.campaign}/rules"
    with app.app_context():
        assert db.session.get(EligibilityRule, own).label == "Đã sửa"
    assert province.form(f"/admin/rules/{own}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(EligibilityRule, own) is None
    # A district A organizer does not even see district B's campaign.
    district_a = app.test_client()
    login(district_a, world.organizer_a_phone)
    assert district_a.get(f"/admin/campaigns/{district_campaign}/rules").status_code == 404


def test_admins_keep_programmes_and_campaigns_choose_one(app, client, world):
    login(client, world.admin_phone)
    response = client.form("/admin/programmes/new", {"name": "Chương trình 01 triệu sáng kiến", "slug": "mot-trieu",
                                                     "start_date": "2021-07-01", "end_date": "2023-12-31"})
    assert response.status_code == 302
    with app.app_context():
        programme = db.session.scalar(select(Programme))
    assert response.headers["Location"] == f"/admin/programmes/{programme.id}"
    assert client.form(f"/admin/programmes/{programme.id}/rules/new", {
        "kind": "applied_window", "label": "Áp dụng từ 01/07/2021", "date_from": "2021-07-01"}).status_code == 302
    # An evidence rule keeps no dates, whatever was sent.
    client.form(f"/admin/programmes/{programme.id}/rules/new", {**RULE, "date_from": "2021-07-01"})
    with app.app_context():
        window, evidence = db.session.scalars(select(EligibilityRule).order_by(EligibilityRule.position)).all()
        assert (window.programme_id, window.date_from, window.position) == (programme.id, date(2021, 7, 1), 0)
        assert (evidence.kind, evidence.date_from, evidence.position) == ("evidence", None, 1)
    assert "Áp dụng từ 01/07/2021" in text_of(client.get(f"/admin/programmes/{programme.id}"))
    # The province organizer puts the campaign inside it; the form then shows its rules.
    province = app.test_client()
    login(province, world.organizer_p_phone)
    assert "Chương trình 01 triệu sáng kiến" in text_of(province.get(f"/admin/campaigns/{world.campaign}/edit"))
    assert province.get("/admin/programmes/new").status_code == 403
    assert province.form(f"/admin/campaigns/{world.campaign}/edit", {
        "name": "Chiến dịch thử", "slug": "thu", "start_date": "2022-04-22", "end_date": "2022-05-31", "goal": "100",
        "unit_id": str(world.province), "programme_id": str(programme.id)}).status_code == 302
    with app.app_context():
        assert db.session.get(Campaign, world.campaign).programme_id == programme.id
    member = app.test_client()
    login(member, world.member_a1_phone)
    assert "Áp dụng từ 01/07/2021" in text_of(member.get("/initiatives/new"))


@pytest.mark.parametrize("field, value, message", [
    ("label", "Xác\x00nhận", "ký tự NUL"),
    ("label", "", "Vui lòng nêu điều kiện."),
    ("label", "x" * 301, "Tối đa 300 ký tự"),
    ("kind", "bogus", "Vui lòng chọn một mục trong danh sách."),
    ("date_from", "2022-02-30", "Ngày không hợp lệ"),
    ("date_from", "0001-01-01", "Ngày không hợp lệ"),
    ("date_to", "9999-12-31", "Ngày không hợp lệ"),
    ("date_to", "2021-01-01", "Ngày kết thúc phải sau ngày bắt đầu."),
    ("position", "9" * 40, "Số quá lớn."),
    ("explanation", "a\x00b", "ký tự NUL"),
])
def test_hostile_rule_input_is_a_message_and_nothing_is_written(app, world, field, value, message):
    province = app.test_client()
    login(province, world.organizer_p_phone)
    data = {"kind": "applied_window", "label": "Áp dụng từ 2021", "date_from": "2021-07-01", field: value}
    response = province.form(f"/admin/campaigns/{world.campaign}/rules/new", data)
    assert response.status_code == 200 and message in text_of(response)
    assert count_rules(app) == 0


@pytest.mark.parametrize("value", ["99999999999999999999", "123456", "x\x00"])
def test_a_hostile_programme_choice_on_the_campaign_form_is_a_message(app, world, value):
    province = app.test_client()
    login(province, world.organizer_p_phone)
    response = province.form(f"/admin/campaigns/{world.campaign}/edit", {
        "name": "Chiến dịch thử", "slug": "thu", "start_date": "2022-04-22", "end_date": "2022-05-31", "goal": "100",
        "unit_id": str(world.province), "programme_id": value})
    assert response.status_code == 200
    page = text_of(response)
    assert "Vui lòng chọn một mục trong danh sách." in page or "ký tự NUL" in page
    with app.app_context():
        assert db.session.get(Campaign, world.campaign).programme_id is None


def test_hostile_programme_input_is_a_message(app, world):
    admin = app.test_client()
    login(admin, world.admin_phone)
    for data, message in (({"name": "A\x00", "slug": "a", "start_date": "2021-07-01", "end_date": "2021-08-01"},
                           "ký tự NUL"),
                          ({"name": "A", "slug": "Có Dấu", "start_date": "2021-07-01", "end_date": "2021-08-01"},
                           "Chỉ dùng chữ thường"),
                          ({"name": "A", "slug": "a", "start_date": "2021-07-01", "end_date": "2021-06-01"},
                           "Ngày kết thúc phải sau ngày bắt đầu."),
                          ({"name": "A", "slug": "a", "start_date": "20222-07-01", "end_date": "2021-08-01"},
                           "Ngày không hợp lệ")):
        response = admin.form("/admin/programmes/new", data)
        assert response.status_code == 200 and message in text_of(response), data
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Programme)) == 0
        db.session.add(Programme(slug="da-co", name="Đã có", start_date=date(2021, 1, 1), end_date=date(2021, 2, 1)))
        db.session.commit()
    response = admin.form("/admin/programmes/new", {"name": "B", "slug": "da-co", "start_date": "2021-07-01",
                                                    "end_date": "2021-08-01"})
    assert "Địa chỉ ngắn này đã được dùng." in text_of(response)

