"""Test data, built through the domain functions the app uses wherever the domain has one.

Through the domain: units (``units.create_unit``), accounts (``accounts.create_user``), every status change
(``workflow.transition``: audit rows and tallies included), folded texts (``text.fold``, ``duplicates.text_of``),
a campaign's default rubric and award levels (``campaigns.add_defaults``).

Written as rows, deliberately: what only an area's service creates (a draft initiative, a campaign and its
targets, attachments, features, awards, pairwise rounds, review templates): the fixtures must not depend on
those services' forms and checks, which the tests exercise themselves. Each such place says so below.
"""
from __future__ import annotations

import io
from datetime import date
from types import SimpleNamespace

from PIL import Image
from sqlalchemy import delete
from werkzeug.security import generate_password_hash

from app.domain import accounts, campaigns, duplicates, uploads, workflow
from app.domain.text import fold
from app.domain.units import create_unit
from app.extensions import db
from app.models import (
    Attachment,
    Award,
    AwardLevel,
    Campaign,
    EligibilityRule,
    Feature,
    Initiative,
    InitiativeAuthor,
    PairwiseRound,
    Period,
    Programme,
    ReviewTemplate,
    Role,
    RubricCriterion,
    Status,
    Target,
    Unit,
    UnitKind,
    User,
)

PASSWORD = "secret-pass-1"
# Hashed once per run: a hash costs about 0.2 s and every test's world holds a dozen accounts.
_HASH = generate_password_hash(PASSWORD)


def user(full_name: str, phone: str, role: str, unit: Unit | None, scope: Unit | None = None) -> User:
    """An account made by ``accounts.create_user``, whose password is ``PASSWORD`` (the run's one hash)."""
    person = accounts.create_user(full_name=full_name, role=role, unit=unit, phone=phone, scope_unit=scope)
    person.password_hash = _HASH
    db.session.flush()
    return person


def initiative(campaign_id: int, author: User, title: str = "Cải tiến quy trình tiếp đón bệnh nhân",
               entered_by: User | None = None, unit_id: int | None = None, **fields) -> Initiative:
    """A complete draft, written as a row (saving one is the submission area's work, with its form's checks);
    move it on with ``workflow.transition`` or ``submissions.service.submit``.

    ``status=`` writes a status directly, without its audit row or tallies: only for the test of the workflow
    table, which must start from every status with no history before it.
    """
    item = Initiative(campaign_id=campaign_id, unit_id=unit_id or author.unit_id, author_id=author.id,
                      entered_by_id=(entered_by or author).id, title=title,
                      field=fields.pop("field", "health"),
                      current_situation=fields.pop("current_situation", "Bệnh nhân phải chờ lâu."),
                      solution=fields.pop("solution", "Sắp xếp lại quầy tiếp đón và phát số thứ tự."),
                      application_scope=fields.pop("application_scope", "Khoa Khám bệnh"),
                      effectiveness=fields.pop("effectiveness", "Giảm 30% thời gian chờ."), **fields)
    # The folded forms search and duplicate detection compare, as a saved draft gets them.
    item.title_folded = fold(item.title)[:300]
    item.text_folded = duplicates.text_of(item)
    item.authors.append(InitiativeAuthor(user_id=author.id, full_name=author.full_name, share_percent=100))
    db.session.add(item)
    db.session.flush()
    return item


def programme(campaign_id: int | None = None, *, applied_from: date | None = date(2021, 7, 1),
              applied_to: date | None = None, evidence: bool = True, slug: str = "chuong-trinh-thu") -> SimpleNamespace:
    """Opt-in: a national programme with an applied window and (``evidence``) the head of unit's confirmation,
    as rows (the programmes area's work); ``campaign_id`` is put inside it. Returns the ids."""
    made = Programme(slug=slug, name="Chương trình thử", start_date=date(2021, 7, 1), end_date=date(2023, 12, 31))
    db.session.add(made)
    db.session.flush()
    window = EligibilityRule(programme_id=made.id, kind="applied_window", position=0, date_from=applied_from,
                             date_to=applied_to, label="Áp dụng lần đầu trong giai đoạn 1",
                             explanation="Áp dụng trước giai đoạn 1 thì không tính.")
    db.session.add(window)
    confirmation = None
    if evidence:
        confirmation = EligibilityRule(programme_id=made.id, kind="evidence", position=1,
                                       label="Có xác nhận của thủ trưởng đơn vị", explanation="Ảnh hoặc PDF.")
        db.session.add(confirmation)
    if campaign_id is not None:
        db.session.get(Campaign, campaign_id).programme_id = made.id
    db.session.commit()
    return SimpleNamespace(programme=made.id, window=window.id, evidence=confirmation.id if confirmation else None)


def campaign_rule(campaign_id: int, kind: str, label: str, position: int = 0, **dates) -> int:
    """Opt-in: a campaign's own eligibility rule, as a row; its id."""
    rule = EligibilityRule(campaign_id=campaign_id, kind=kind, label=label, explanation="", position=position,
                           **dates)
    db.session.add(rule)
    db.session.commit()
    return rule.id


def build_rules(world: SimpleNamespace, campaign_b: int) -> dict[str, int]:
    """For the authorization matrix: the current (province) campaign inside a programme with its two rules, plus
    one rule of its own, and one of district B's old campaign ``campaign_b``. By name → id."""
    ids = programme(world.campaign)
    return {"programme": ids.programme, "rule_programme": ids.window,
            "rule_campaign": campaign_rule(world.campaign, "evidence", "Có biên bản nghiệm thu"),
            "rule_campaign_B": campaign_rule(campaign_b, "evidence", "Có xác nhận của LĐLĐ huyện")}


def build_world() -> SimpleNamespace:
    """Units and accounts through the domain; the campaign and its targets as rows (the admin area's work)."""
    province = create_unit("LĐLĐ tỉnh Thử", "P", UnitKind.PROVINCE)
    district_a = create_unit("LĐLĐ huyện Ả", "A", UnitKind.DISTRICT, province)
    district_b = create_unit("LĐLĐ huyện Bê", "B", UnitKind.DISTRICT, province)
    union_a1 = create_unit("CĐCS Trường Tiểu học Sìn Hồ", "A1", UnitKind.GRASSROOTS, district_a, member_count=40)
    union_a2 = create_unit("CĐCS Trạm Y tế xã Nậm Tăm", "A2", UnitKind.GRASSROOTS, district_a, member_count=20)
    union_b1 = create_unit("CĐCS Bệnh viện Đa khoa huyện Bê", "B1", UnitKind.GRASSROOTS, district_b,
                           member_count=80)
    team_a1 = create_unit("Tổ Toán – Tin", "A1-T1", UnitKind.COLLECTIVE, union_a1)
    campaign = Campaign(slug="thu", name="Chiến dịch thử", unit_id=province.id, start_date=date(2022, 4, 22),
                        end_date=date(2022, 5, 31), goal=100)
    db.session.add(campaign)
    db.session.flush()
    campaigns.add_defaults(campaign)
    for unit, count in ((province, 100), (district_a, 60), (district_b, 40), (union_a1, 40), (union_a2, 20),
                        (union_b1, 40)):
        db.session.add(Target(campaign_id=campaign.id, unit_id=unit.id, count=count))
    people = {
        "member_a1": user("Lò Văn Một", "0911000001", Role.MEMBER, union_a1),
        "member_a1b": user("Vàng Thị Hai", "0911000002", Role.MEMBER, union_a1),
        "helper_a1": user("Tòng Văn Ba", "0911000003", Role.HELPER, union_a1),
        "member_a2": user("Lường Thị Bốn", "0911000004", Role.MEMBER, union_a2),
        "member_b1": user("Giàng A Năm", "0911000005", Role.MEMBER, union_b1),
        "helper_b1": user("Sùng Thị Sáu", "0911000006", Role.HELPER, union_b1),
        "reviewer_p": user("Nguyễn Thẩm Định", "0911000007", Role.REVIEWER, union_b1, province),
        "reviewer_p2": user("Trần Thẩm Định", "0911000008", Role.REVIEWER, union_a2, province),
        "reviewer_a": user("Lê Thẩm Định", "0911000009", Role.REVIEWER, union_a2, district_a),
        "organizer_p": user("Phạm Tổ Chức", "0911000010", Role.ORGANIZER, union_b1, province),
        "organizer_a": user("Đỗ Tổ Chức", "0911000011", Role.ORGANIZER, union_a2, district_a),
        "admin": user("Quản Trị", "0911000012", Role.ADMIN, None),
    }
    db.session.commit()
    ids = {name: person.id for name, person in people.items()}
    phones = {f"{name}_phone": person.phone for name, person in people.items()}
    return SimpleNamespace(
        province=province.id, district_a=district_a.id, district_b=district_b.id, union_a1=union_a1.id,
        union_a2=union_a2.id, union_b1=union_b1.id, team_a1=team_a1.id, campaign=campaign.id, **ids, **phones)


def build_actors(world: SimpleNamespace) -> SimpleNamespace:
    """Every role with a home unit and a scope, for the authorization matrix (build_world's people unchanged).

    District A staff (reviewer_a, organizer_a) belong to union A2 and work on district A; the province
    organizer belongs to union B1 and works on the province; reviewer_p2 (union A2, scope province) is the
    account a district-A organizer must not manage. Added here: an admin whose home unit is union A1 (admins
    were once confined to it) and a reviewer with neither unit nor scope, who must see nothing.
    """
    admin_home = user("Quản Trị Cơ Sở", "0911000013", Role.ADMIN, db.session.get(Unit, world.union_a1))
    reviewer_none = user("Hà Văn Trống", "0911000014", Role.REVIEWER, None)
    db.session.commit()
    actors = {"member": world.member_a1, "helper": world.helper_a1, "reviewer": world.reviewer_a,
              "organizer": world.organizer_a, "province": world.organizer_p, "admin": admin_home.id,
              "noscope": reviewer_none.id}
    phones = {name: db.session.get(User, user_id).phone for name, user_id in actors.items()}
    return SimpleNamespace(ids=actors, phones=phones)


def _moved(item: Initiative, actor: User, *statuses: str) -> Initiative:
    """Walk an initiative through the workflow (tallies and audit rows included)."""
    for status in statuses:
        workflow.transition(item, status, actor, reason_code="other" if status == Status.INVALID else None)
    return item


def _tiny_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 40, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def build_objects(world: SimpleNamespace) -> dict[str, int]:
    """Objects of district A (the actors' own) and district B (another district), by name → id.

    Names ending in _A1/_A2/_B say the grassroots union or district; ``v_<name>`` is an initiative's
    current version (what a decision form sends). The current campaign gets no rubric and no award levels,
    so a GET that creates them shows up as a write.

    Statuses move through the workflow; the attachment, feature, award, pairwise round and templates are rows
    (the areas' work).
    """
    people = {name: db.session.get(User, getattr(world, name)) for name in (
        "member_a1", "member_a2", "member_b1", "reviewer_p", "reviewer_a", "organizer_p", "admin")}
    admin, member_a1, member_b1 = people["admin"], people["member_a1"], people["member_b1"]
    titles = iter(f"Sáng kiến mẫu số {n}: cải tiến quy trình" for n in range(1, 100))

    def made(author: User, *statuses: str, campaign_id: int = world.campaign) -> Initiative:
        """A draft; or submitted by its author, then moved on by the admin through the other ``statuses``."""
        item = initiative(campaign_id, author, title=next(titles))
        if statuses:
            _moved(item, author, statuses[0])
            _moved(item, admin, *statuses[1:])
        return item

    items = {
        "draft_A1": made(member_a1), "submitted_A1": made(member_a1, Status.SUBMITTED),
        "valid_A1": made(member_a1, Status.SUBMITTED, Status.VALID),
        "submitted_A2": made(people["member_a2"], Status.SUBMITTED),
        "draft_B": made(member_b1), "submitted_B": made(member_b1, Status.SUBMITTED),
        "valid_B": made(member_b1, Status.SUBMITTED, Status.VALID),
        "invalid_B": made(member_b1, Status.SUBMITTED, Status.INVALID),
        "withdrawn_A1": made(member_a1, Status.SUBMITTED, Status.WITHDRAWN),
        "withdrawn_B": made(member_b1, Status.SUBMITTED, Status.WITHDRAWN),
    }
    valid_b = items["valid_B"]
    stored = "matrix-photo.jpg"
    for name in (stored, stored + ".thumb.jpg"):
        with open(uploads.path_of(name), "wb") as handle:
            handle.write(_tiny_jpeg())
    attachment = Attachment(initiative_id=valid_b.id, original_name="anh.jpg", stored_name=stored,
                            content_type="image/jpeg", size=len(_tiny_jpeg()), has_thumbnail=True,
                            uploaded_by_id=member_b1.id)
    feature = Feature(initiative_id=valid_b.id, story="Bếp ăn sạch hơn.", created_by_id=people["organizer_p"].id)
    # An earlier campaign of district B carries the award, so the current campaign has no award levels.
    district_b = db.session.get(Unit, world.district_b)
    old = Campaign(slug="cu-huyen-be", name="Chiến dịch cũ huyện Bê", unit_id=district_b.id,
                   start_date=date(2021, 3, 1), end_date=date(2021, 4, 30), goal=10)
    db.session.add_all([attachment, feature, old])
    db.session.flush()
    level = AwardLevel(campaign_id=old.id, name="Giấy khen", issuer="Ban Thường vụ LĐLĐ huyện Bê", quota=5)
    db.session.add(level)
    awarded = made(member_b1, Status.SUBMITTED, Status.VALID, Status.SHORTLISTED, Status.AWARDED,
                   campaign_id=old.id)
    award = Award(level=level, initiative=awarded, recipient_kind="individual", recipient_name=member_b1.full_name,
                  recipient_user_id=member_b1.id, unit_name=district_b.name, decision_number="12/QĐ-LĐLĐ",
                  decision_date=date(2021, 5, 10), created_by_id=people["organizer_p"].id)
    judging = PairwiseRound(campaign_id=world.campaign, unit_id=district_b.id, name="Vòng chấm huyện Bê",
                            initiative_ids=[valid_b.id, items["submitted_B"].id],
                            created_by_id=people["organizer_p"].id)
    template_other = ReviewTemplate(reason_code="incomplete", body="Bổ sung số liệu hiệu quả.",
                                    created_by_id=people["reviewer_p"].id)
    template_a = ReviewTemplate(reason_code="incomplete", body="Bổ sung ảnh minh họa.",
                                created_by_id=people["reviewer_a"].id)
    # Members a support team entered, who have not taken over their accounts yet (no password).
    unclaimed_a1 = accounts.create_user(full_name="Lò Văn Chưa Nhận", role=Role.MEMBER, phone="0911000031",
                                        unit=db.session.get(Unit, world.union_a1),
                                        created_by=db.session.get(User, world.helper_a1))
    unclaimed_b = accounts.create_user(full_name="Giàng Thị Chưa Nhận", role=Role.MEMBER, phone="0911000032",
                                       unit=db.session.get(Unit, world.union_b1),
                                       created_by=db.session.get(User, world.helper_b1))
    # The current campaign behaves like one made before campaigns got their defaults: a GET that would
    # create them shows up as a write.
    db.session.execute(delete(RubricCriterion).where(RubricCriterion.campaign_id == world.campaign))
    db.session.execute(delete(AwardLevel).where(AwardLevel.campaign_id == world.campaign))
    db.session.add_all([award, judging, template_other, template_a])
    db.session.commit()
    found = {name: item.id for name, item in items.items()}
    found.update({f"v_{name}": item.version for name, item in items.items()})
    found.update(attachment_B=attachment.id, feature_B=feature.id, campaign_B=old.id, award_B=award.id,
                 round_B=judging.id, template_other=template_other.id, template_A=template_a.id,
                 unclaimed_A1=unclaimed_a1.id, unclaimed_B=unclaimed_b.id)
    return found


def period(campaign_id: int, unit_id: int, start: date, end: date, goal: int = 10, name: str = "Tuần cao điểm thử",
           kind: str = "week", measure: str = "valid", created_by: int | None = None) -> Period:
    """A peak period, written as a row (creating one is the admin area's work, with its form and checks)."""
    item = Period(campaign_id=campaign_id, unit_id=unit_id, name=name, kind=kind, start_date=start, end_date=end,
                  goal=goal, measure=measure, created_by_id=created_by)
    db.session.add(item)
    db.session.flush()
    return item


def obstacle(unit_id: int, raised_by_id: int, title: str = "Đoàn viên chưa biết ghi hiệu quả sáng kiến",
             body: str = "Nhiều đoàn viên khối văn phòng không biết ghi số liệu hiệu quả.") -> int:
    """An obstacle raised through ``domain.obstacles`` (notifications included), committed; its id."""
    from app.domain import obstacles
    made = obstacles.raise_obstacle(db.session.get(Unit, unit_id), db.session.get(User, raised_by_id), title, body)
    db.session.commit()
    return made.id


def build_obstacles(world: SimpleNamespace) -> dict[str, int]:
    """For the authorization matrix: one obstacle raised by union A1's support team, one by union B1's."""
    return {"obstacle_A1": obstacle(world.union_a1, world.helper_a1),
            "obstacle_B": obstacle(world.union_b1, world.helper_b1, "Bệnh viện chưa có máy quét tài liệu")}
