"""Test data built through the same domain functions the app uses."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from werkzeug.security import generate_password_hash

from app.domain import campaigns
from app.domain.text import fold
from app.domain.units import create_unit
from app.extensions import db
from app.models import Campaign, Initiative, InitiativeAuthor, Role, Target, UnitKind, User

PASSWORD = "secret-pass-1"
_HASH = generate_password_hash(PASSWORD)


def user(full_name: str, phone: str, role: str, unit, scope=None) -> User:
    person = User(full_name=full_name, phone=phone, role=role, unit=unit, scope_unit=scope, password_hash=_HASH)
    db.session.add(person)
    db.session.flush()
    return person


def initiative(campaign_id: int, author: User, title: str = "Cải tiến quy trình tiếp đón bệnh nhân",
               entered_by: User | None = None, unit_id: int | None = None, **fields) -> Initiative:
    item = Initiative(campaign_id=campaign_id, unit_id=unit_id or author.unit_id, author_id=author.id,
                      entered_by_id=(entered_by or author).id, title=title, title_folded=fold(title),
                      field=fields.pop("field", "health"),
                      current_situation=fields.pop("current_situation", "Bệnh nhân phải chờ lâu."),
                      solution=fields.pop("solution", "Sắp xếp lại quầy tiếp đón và phát số thứ tự."),
                      application_scope=fields.pop("application_scope", "Khoa Khám bệnh"),
                      effectiveness=fields.pop("effectiveness", "Giảm 30% thời gian chờ."), **fields)
    item.text_folded = fold(" ".join([item.title, item.current_situation, item.solution]))
    item.authors.append(InitiativeAuthor(user_id=author.id, full_name=author.full_name, share_percent=100))
    db.session.add(item)
    db.session.flush()
    return item


def build_world() -> SimpleNamespace:
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
