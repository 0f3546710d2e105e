"""The Lai Châu demo: units, users of every role, the 40-day campaign and ~1,000 initiatives.

The figures echo letter 900/LĐLĐ: about 1,032 submitted, of which about 715 invalid or still being reviewed.
Everything is drawn from a fixed random seed, so two fresh databases hold the same demo.

Built through the domain, as real use would build it: units by ``units.create_unit``, accounts by
``accounts.check``/``create`` and ``create_user``, every status change by ``workflow.transition`` (which writes the
audit rows and moves the tallies), near-duplicate bands by ``duplicates.index``. The history is replayed in date
order, so the tallies need no recount afterwards.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from ..domain import accounts, campaigns, duplicates, scoring, workflow
from ..domain.text import fold
from ..domain.units import create_unit
from ..extensions import db
from ..models import (
    Award,
    AwardLevel,
    Campaign,
    Feature,
    Initiative,
    InitiativeAuthor,
    InitiativeRevision,
    ReviewTemplate,
    Role,
    Score,
    Status,
    Target,
    Unit,
    UnitKind,
    User,
)

DEMO_PASSWORD = "SangKien@2022"
ROOT_CODE = "LC"

DISTRICTS = [
    ("LC-TP", "LĐLĐ Thành phố Lai Châu", "Thành phố Lai Châu"),
    ("LC-TD", "LĐLĐ huyện Tam Đường", "Tam Đường"),
    ("LC-PT", "LĐLĐ huyện Phong Thổ", "Phong Thổ"),
    ("LC-SH", "LĐLĐ huyện Sìn Hồ", "Sìn Hồ"),
    ("LC-MT", "LĐLĐ huyện Mường Tè", "Mường Tè"),
    ("LC-TU", "LĐLĐ huyện Than Uyên", "Than Uyên"),
    ("LC-TNU", "LĐLĐ huyện Tân Uyên", "Tân Uyên"),
    ("LC-NN", "LĐLĐ huyện Nậm Nhùn", "Nậm Nhùn"),
]
DISTRICT_GRASSROOTS = ["CĐCS Trường THCS thị trấn {d}", "CĐCS Trường Tiểu học xã {d}", "CĐCS Trung tâm Y tế {d}",
                       "CĐCS Cơ quan UBND {d}"]
SECTORS = [
    ("LC-GD", "Công đoàn ngành Giáo dục tỉnh", UnitKind.SECTOR,
     ["CĐCS Trường THPT chuyên Lê Quý Đôn", "CĐCS Trường Cao đẳng Cộng đồng Lai Châu",
      "CĐCS Trường PTDT Nội trú tỉnh"]),
    ("LC-YT", "Công đoàn ngành Y tế tỉnh", UnitKind.SECTOR,
     ["CĐCS Bệnh viện Đa khoa tỉnh", "CĐCS Trung tâm Kiểm soát bệnh tật tỉnh",
      "CĐCS Bệnh viện Y dược cổ truyền tỉnh"]),
    ("LC-CT", "Công đoàn ngành Công thương tỉnh", UnitKind.SECTOR,
     ["CĐCS Công ty Điện lực Lai Châu", "CĐCS Công ty CP Chè Tam Đường", "CĐCS Công ty Thủy điện Nậm Na"]),
    ("LC-VC", "Công đoàn Viên chức tỉnh", UnitKind.CIVIL_SERVANTS,
     ["CĐCS Cơ quan LĐLĐ tỉnh", "CĐCS Sở Tài chính", "CĐCS Sở Nội vụ"]),
]
COLLECTIVES = ["Tổ chuyên môn", "Phòng Hành chính – Tổng hợp"]

FIELDS_BY_UNIT = {"Trường": ["education", "education", "digital", "administration"],
                  "Y tế": ["health", "health", "digital", "administration"],
                  "Bệnh viện": ["health", "health", "safety", "digital"],
                  "Trung tâm": ["health", "administration", "digital"],
                  "Công ty": ["production", "production", "safety", "digital"],
                  "UBND": ["administration", "agriculture", "digital"]}
TITLE_PARTS = {
    "education": (["Đổi mới phương pháp", "Ứng dụng trò chơi học tập trong", "Xây dựng ngân hàng câu hỏi cho",
                   "Nâng cao chất lượng", "Giải pháp rèn kỹ năng đọc trong"],
                  ["dạy học môn Toán lớp 6", "dạy tiếng Việt cho học sinh dân tộc thiểu số", "bồi dưỡng học sinh giỏi",
                   "giáo dục kỹ năng sống", "công tác chủ nhiệm lớp bán trú"]),
    "health": (["Cải tiến quy trình", "Ứng dụng phần mềm trong", "Giải pháp rút ngắn thời gian",
                "Nâng cao hiệu quả"],
               ["tiếp đón bệnh nhân tại khoa Khám bệnh", "tiêm chủng mở rộng vùng cao",
                "quản lý thuốc tại trạm y tế xã",
                "truyền thông phòng chống dịch Covid-19", "theo dõi thai phụ ở bản xa"]),
    "production": (["Cải tiến", "Tự động hóa", "Giải pháp tiết kiệm điện năng cho", "Hợp lý hóa"],
                   ["dây chuyền sao chè xanh", "khâu kiểm tra đồng hồ đo đếm điện", "bảo dưỡng tổ máy thủy điện",
                    "quy trình đóng gói sản phẩm", "hệ thống chiếu sáng nhà xưởng"]),
    "administration": (["Số hóa", "Cải cách quy trình", "Rút ngắn thời gian giải quyết", "Chuẩn hóa"],
                       ["hồ sơ một cửa cấp xã", "lưu trữ văn bản đến và đi", "thủ tục chứng thực",
                        "quản lý hồ sơ đoàn viên công đoàn", "báo cáo thống kê định kỳ"]),
    "agriculture": (["Mô hình", "Kỹ thuật", "Giải pháp nâng cao năng suất"],
                    ["trồng thảo quả dưới tán rừng", "nuôi cá nước lạnh", "ủ phân vi sinh từ phụ phẩm nông nghiệp",
                     "trồng chè Shan tuyết"]),
    "digital": (["Ứng dụng Zalo OA trong", "Xây dựng phần mềm", "Ứng dụng mã QR trong", "Số hóa"],
                ["quản lý thiết bị dạy học", "tra cứu thông tin đoàn viên", "quản lý tài sản cơ quan",
                 "theo dõi tiến độ công việc"]),
    "safety": (["Giải pháp giảm thiểu tai nạn trong", "Cải tiến thiết bị bảo hộ cho"],
               ["vận hành trạm biến áp", "thi công trên cao", "làm việc trong nhà xưởng chế biến"]),
}
FIRST = ["Nguyễn", "Trần", "Lò", "Hoàng", "Vàng", "Lê", "Phạm", "Tòng", "Đỗ", "Giàng", "Lường", "Vũ", "Sùng", "Tao"]
MIDDLE = ["Văn", "Thị", "Thị Thu", "Đức", "Minh", "Thị Hồng", "A", "Ngọc", "Quang", "Thị Mai"]
LAST = ["An", "Bình", "Chiến", "Dung", "Hà", "Hùng", "Lan", "Long", "Mai", "Nam", "Pua", "Sính", "Thắng", "Thảo",
        "Tuấn", "Vân", "Xuân", "Yến", "Dế", "Chư"]
POSITIONS = ["Giáo viên", "Bác sĩ", "Điều dưỡng", "Công nhân", "Kỹ sư", "Chuyên viên", "Kế toán", "Nhân viên"]

# Status mix: 1,032 submitted, 715 of them invalid, pending or returned; a few drafts on top.
MIX = [(Status.VALID, 317), (Status.INVALID, 280), (Status.SUBMITTED, 370), (Status.RETURNED, 65),
       (Status.DRAFT, 40)]
INVALID_REASONS = ["duplicate"] * 5 + ["incomplete"] * 4 + ["not_initiative"] * 3 + ["copied", "out_of_scope"]
RETURN_REASONS = ["unclear_solution", "missing_effect", "missing_scope", "missing_evidence"]


@dataclass
class DemoAccount:
    role: str
    name: str
    phone: str
    email: str
    unit_name: str
    scope_code: str | None


DEMO_ACCOUNTS = [
    DemoAccount(Role.ADMIN, "Quản trị hệ thống", "0900000001", "admin@sangkien.local", "CĐCS Cơ quan LĐLĐ tỉnh", None),
    DemoAccount(Role.ORGANIZER, "Lò Thị Hương", "0900000002", "tochuc@sangkien.local", "CĐCS Cơ quan LĐLĐ tỉnh", "LC"),
    DemoAccount(Role.ORGANIZER, "Trần Văn Dũng", "0900000003", "tochuc.tamduong@sangkien.local",
                "CĐCS Cơ quan UBND Tam Đường", "LC-TD"),
    DemoAccount(Role.REVIEWER, "Nguyễn Minh Đức", "0900000004", "thamdinh1@sangkien.local", "CĐCS Sở Nội vụ", "LC"),
    DemoAccount(Role.REVIEWER, "Hoàng Thị Lan", "0900000005", "thamdinh2@sangkien.local", "CĐCS Sở Tài chính", "LC"),
    DemoAccount(Role.REVIEWER, "Vàng A Sính", "0900000006", "thamdinh.phongtho@sangkien.local",
                "CĐCS Cơ quan UBND Phong Thổ", "LC-PT"),
    DemoAccount(Role.HELPER, "Lường Thị Mai", "0900000007", "hotro@sangkien.local",
                "CĐCS Trường THCS thị trấn Tam Đường", None),
    DemoAccount(Role.MEMBER, "Giàng A Chư", "0900000008", "doanvien@sangkien.local",
                "CĐCS Trường THCS thị trấn Tam Đường", None),
    DemoAccount(Role.MEMBER, "Tòng Văn Thắng", "0900000009", "doanvien2@sangkien.local",
                "CĐCS Bệnh viện Đa khoa tỉnh", None),
]


def is_loaded() -> bool:
    return db.session.scalar(select(Unit.id).where(Unit.code == ROOT_CODE)) is not None


def database_is_empty() -> bool:
    return db.session.scalar(select(Unit.id).limit(1)) is None and db.session.scalar(select(User.id).limit(1)) is None


def _split(total: int, weights: list[int]) -> list[int]:
    """Largest-remainder split of ``total`` in proportion to ``weights``; the parts add up exactly."""
    weight_sum = sum(weights) or 1
    raw = [total * w / weight_sum for w in weights]
    parts = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(MIDDLE)} {rng.choice(LAST)}"


def _fields_for(unit_name: str) -> list[str]:
    for key, fields in FIELDS_BY_UNIT.items():
        if key in unit_name:
            return fields
    return ["administration", "digital"]


SITUATION_PARTS = (
    ["trước đây làm hoàn toàn thủ công", "phụ thuộc vào sổ sách giấy", "mỗi người làm một kiểu",
     "thường xuyên bị chậm so với kế hoạch", "tốn nhiều công đi lại giữa các bản"],
    ["mất nhiều thời gian", "dễ sai sót khi tổng hợp", "khó kiểm tra, đối chiếu", "chi phí vật tư cao",
     "người lao động phải làm thêm giờ"],
    ["đơn vị ở vùng cao, đường sá khó khăn", "sóng điện thoại yếu", "nhân lực mỏng",
     "nhiều đồng bào dân tộc thiểu số chưa thạo tiếng phổ thông", "mùa mưa thường bị chia cắt"],
)
SOLUTION_STEPS = ["khảo sát lại thực trạng", "lập sơ đồ quy trình mới", "tập huấn cho người lao động",
                  "thiết kế biểu mẫu thống nhất", "dùng nhóm Zalo để cập nhật hằng ngày",
                  "gắn mã QR cho từng hồ sơ", "phân công người phụ trách từng khâu", "áp dụng thử một tháng",
                  "tận dụng máy tính, điện thoại sẵn có", "lắp đặt thiết bị tự chế từ vật liệu địa phương",
                  "họp rút kinh nghiệm hằng tuần", "nhân rộng sang các tổ khác"]
EFFECTS = ["tiết kiệm khoảng {n}% thời gian", "giảm {n}% sai sót", "tiết kiệm {m} triệu đồng mỗi năm",
           "{p} lượt người được phục vụ mỗi tháng", "rút ngắn thời gian xử lý từ {a} xuống {b} ngày"]


def _texts(rng: random.Random, title: str, unit: Unit) -> dict:
    """Varied, plausible paragraphs: ideas from different unions should not look alike by accident."""
    place = unit.name.replace("CĐCS ", "")
    how, cost, context = (rng.choice(part) for part in SITUATION_PARTS)
    steps = rng.sample(SOLUTION_STEPS, rng.randint(3, 5))
    effects = [e.format(n=rng.randint(10, 45), m=rng.randint(5, 120), p=rng.randint(50, 2000),
                        a=rng.randint(5, 10), b=rng.randint(1, 4)) for e in rng.sample(EFFECTS, 2)]
    return {
        "current_situation": f"Tại {place}, công việc {how}, {cost}; {context}.",
        "solution": f"{title}: " + "; ".join(steps) + ".",
        "application_scope": f"Áp dụng tại {place}" + rng.choice(["", " và các đơn vị cùng ngành trong huyện",
                                                                  ", có thể nhân rộng toàn tỉnh"]) + ".",
        "effectiveness": (effects[0][0].upper() + effects[0][1:] + ", " + effects[1] + "."),
    }


RETURN_TEMPLATES = [
    ("missing_effect", "Đề nghị bổ sung số liệu cụ thể về hiệu quả: tiết kiệm bao nhiêu thời gian, chi phí, "
                       "bao nhiêu người được hưởng lợi."),
    ("missing_scope", "Đề nghị ghi rõ sáng kiến đã áp dụng ở đâu, từ ngày nào."),
    ("unclear_solution", "Đề nghị mô tả các bước thực hiện giải pháp và điểm mới so với cách làm trước."),
]


@dataclass
class Step:
    """One status change of the demo's history, replayed later through the workflow in date order."""

    when: datetime
    order: int  # creation order: breaks ties between steps of the same second as the initiatives' ids would
    initiative: Initiative
    to_status: str
    actor: User
    reason: str | None = None
    message: str | None = None


def _move(initiative: Initiative, to_status: str, actor: User, when: datetime, *, reason: str | None = None,
          message: str | None = None) -> None:
    """A status change at a past moment, through the workflow (audit row and tallies included)."""
    initiative.updated_at = when  # what the column's onupdate would have stored at that moment
    workflow.transition(initiative, to_status, actor, reason_code=reason, message=message, now=when)


def _submitted(initiative: Initiative, when: datetime) -> None:
    """What a submission keeps besides the status: the version's content and its near-duplicate bands."""
    db.session.add(InitiativeRevision(initiative_id=initiative.id, number=1, created_at=when,
                                      content={"title": initiative.title, "solution": initiative.solution,
                                               "effectiveness": initiative.effectiveness}))
    duplicates.index(initiative)


def _replay(steps: list[Step]) -> list[Initiative]:
    """Every step in date order, so that the tallies' daily series and "last valid at" (the ranking's tie-break)
    come out as if the campaign had happened: no recount needed afterwards. Returns the submitted, in order."""
    submitted = []
    for step in sorted(steps, key=lambda s: (s.when, s.order)):
        _move(step.initiative, step.to_status, step.actor, step.when, reason=step.reason, message=step.message)
        if step.to_status == Status.SUBMITTED:
            _submitted(step.initiative, step.when)
            submitted.append(step.initiative)
    return submitted


def _score(rng: random.Random, campaign: Campaign, submitted: list[Initiative], reviewers: list[User]) -> None:
    """Two rubric scores for most valid initiatives (one lenient, one strict reviewer), and the return templates.

    Scores and templates are plain rows: writing them is the review area's work, which the demo does not import.
    """
    db.session.add_all(campaigns.default_rubric(campaign))
    severity = {reviewers[0].id: 6, reviewers[1].id: -6}
    for initiative in submitted:
        if initiative.status != Status.VALID or rng.random() > 0.6:
            continue
        quality = rng.uniform(0.45, 0.9)
        for reviewer in reviewers:
            noise = rng.uniform(-0.12, 0.12)
            points = {code: max(0, min(top, round(top * (quality + noise) + severity[reviewer.id] * top / 100)))
                      for code, _label, top in scoring.DEFAULT_RUBRIC}
            db.session.add(Score(initiative_id=initiative.id, reviewer_id=reviewer.id, points=points,
                                 total=sum(points.values()), created_at=initiative.decided_at))
    for reason, body in RETURN_TEMPLATES:
        db.session.add(ReviewTemplate(reason_code=reason, body=body))


STORIES = [
    "Từ một góc bếp ăn bán trú ở vùng cao, nhóm tác giả đã nghĩ ra cách làm đơn giản mà hiệu quả, "
    "được đồng nghiệp trong huyện học theo.",
    "Sáng kiến ra đời từ chính những vướng mắc hằng ngày của người lao động và đã giúp tiết kiệm "
    "nhiều thời gian, công sức.",
    "Không cần thiết bị đắt tiền, chỉ với điện thoại và sự tận tâm, tác giả đã thay đổi cách phục vụ "
    "người dân nơi bản xa.",
    "Một cải tiến nhỏ trong dây chuyền sản xuất mang lại lợi ích lớn, được doanh nghiệp nhân rộng.",
]


def _commend(campaign: Campaign, organizer: User) -> None:
    """Shortlist the best-scored valid initiatives, feature a few in the gallery, award two.

    Features, award levels and awards are plain rows (the awards area's work); the statuses move through the
    workflow.
    """
    valid = db.session.scalars(select(Initiative).where(Initiative.campaign_id == campaign.id,
                                                        Initiative.status == Status.VALID)).all()
    scores = scoring.aggregates(campaign.id, [i.id for i in valid])
    best = sorted((i for i in valid if scores[i.id].count >= 2), key=lambda i: -(scores[i.id].z_mean or 0))[:12]
    when = datetime(2022, 6, 2, 9, 0)
    for initiative in best:
        _move(initiative, Status.SHORTLISTED, organizer, when)
    for initiative, story in zip(best, STORIES):
        db.session.add(Feature(initiative_id=initiative.id, story=story, created_by_id=organizer.id,
                               created_at=when))
    level = AwardLevel(campaign_id=campaign.id, name="Bằng khen", issuer="Ban Chấp hành LĐLĐ tỉnh Lai Châu",
                       quota=10, position=0)
    db.session.add_all([level, AwardLevel(campaign_id=campaign.id, name="Giấy khen",
                                          issuer="Ban Thường vụ LĐLĐ tỉnh Lai Châu", quota=30, position=1)])
    db.session.flush()
    for initiative in best[:2]:
        author = initiative.authors[0]
        db.session.add(Award(level_id=level.id, initiative_id=initiative.id, recipient_kind="individual",
                             recipient_name=author.full_name, recipient_title=author.job_title,
                             recipient_user_id=author.user_id, unit_name=initiative.unit.name,
                             decision_number="125/QĐ-LĐLĐ", decision_date=date(2022, 6, 10),
                             created_by_id=organizer.id, created_at=when))
        _move(initiative, Status.AWARDED, organizer, when, message="125/QĐ-LĐLĐ")


def _demo_account(account: DemoAccount, unit: Unit) -> User:
    """A demo login, checked by the same rules as ``flask create-user`` and the organizers' form."""
    checked = accounts.check(accounts.AccountData(
        full_name=account.name, role=account.role, phone=account.phone, email=account.email, unit_code=unit.code,
        scope_code=account.scope_code, password=DEMO_PASSWORD), password_required=True)
    if checked.problems:
        raise ValueError(f"demo account {account.phone}: {checked.problems}")
    return accounts.create(checked)


def load(now: datetime | None = None) -> dict:
    """Create the whole demo; the caller commits. Returns what was made, for the command to print."""
    rng = random.Random(900)

    root = create_unit("LĐLĐ tỉnh Lai Châu", ROOT_CODE, UnitKind.PROVINCE)
    top_units: list[Unit] = []
    grassroots: list[Unit] = []
    by_name: dict[str, Unit] = {}

    def add_grassroots(parent: Unit, names: list[str]) -> None:
        for index, name in enumerate(names, start=1):
            unit = create_unit(name, f"{parent.code}-{index:02d}", UnitKind.GRASSROOTS, parent,
                               member_count=rng.randint(25, 320))
            for c_index, collective in enumerate(COLLECTIVES, start=1):
                create_unit(f"{collective} – {name.replace('CĐCS ', '')}", f"{unit.code}-T{c_index}",
                            UnitKind.COLLECTIVE, unit)
            grassroots.append(unit)
            by_name[name] = unit

    for code, name, short in DISTRICTS:
        district = create_unit(name, code, UnitKind.DISTRICT, root)
        top_units.append(district)
        add_grassroots(district, [pattern.format(d=short) for pattern in DISTRICT_GRASSROOTS])
    for code, name, kind, names in SECTORS:
        sector = create_unit(name, code, kind, root)
        top_units.append(sector)
        add_grassroots(sector, names)

    for unit in top_units:
        unit.member_count = sum(g.member_count or 0 for g in grassroots if g.parent_id == unit.id)
    root.member_count = sum(u.member_count or 0 for u in top_units)

    campaign = Campaign(slug="cao-diem-40-ngay-2022", name="Chiến dịch cao điểm 40 ngày", unit=root,
                        description=("Cao điểm 40 ngày đăng ký sáng kiến trên hệ thống trực tuyến, hưởng ứng Chương "
                                     "trình \"01 triệu sáng kiến – nỗ lực vượt khó, sáng tạo, quyết tâm chiến thắng "
                                     "đại dịch Covid-19\" (Công văn 900/LĐLĐ ngày 22/4/2022)."),
                        start_date=date(2022, 4, 22), end_date=date(2022, 5, 31), goal=1200)
    db.session.add(campaign)
    db.session.flush()

    # Targets: the goal split over the top-level units by members, then over their grassroots unions.
    db.session.add(Target(campaign=campaign, unit=root, count=campaign.goal))
    for unit, count in zip(top_units, _split(campaign.goal, [u.member_count or 1 for u in top_units])):
        db.session.add(Target(campaign=campaign, unit=unit, count=count))
        children = [g for g in grassroots if g.parent_id == unit.id]
        for child, child_count in zip(children, _split(count, [c.member_count or 1 for c in children])):
            db.session.add(Target(campaign=campaign, unit=child, count=child_count))

    demo_users = {account.phone: _demo_account(account, by_name[account.unit_name]) for account in DEMO_ACCOUNTS}

    # Ordinary members (authors) and one support-team helper per union, as a support team enters them: no login
    # yet (they claim their account later).
    members: dict[int, list[User]] = {}
    helpers: dict[int, User] = {}
    for unit in grassroots:
        members[unit.id] = [accounts.create_user(full_name=_person(rng), role=Role.MEMBER, unit=unit,
                                                 position=rng.choice(POSITIONS))
                            for _ in range(rng.randint(6, 12))]
        helpers[unit.id] = accounts.create_user(full_name=_person(rng), role=Role.HELPER, unit=unit,
                                                position="Tổ hỗ trợ sáng kiến")
    for phone in ("0900000007", "0900000008", "0900000009"):
        person = demo_users[phone]
        assert person.unit_id is not None  # members and helpers belong to a union (accounts.check)
        if person.role == Role.HELPER:
            helpers[person.unit_id] = person
        else:
            members[person.unit_id].append(person)

    reviewers = [u for u in demo_users.values()
                 if u.role == Role.REVIEWER and u.scope_unit is not None and u.scope_unit.code == ROOT_CODE]
    statuses = [status for status, count in MIX for _ in range(count)]
    rng.shuffle(statuses)
    weights = [u.member_count or 1 for u in grassroots]
    start = datetime(2022, 1, 10, 7, 0)
    span_seconds = int((datetime(2022, 5, 30, 17, 0) - start).total_seconds())
    made = 0
    copies_of: list[Initiative] = []
    steps: list[Step] = []
    for status in statuses:
        unit = rng.choices(grassroots, weights)[0]
        field = rng.choice(_fields_for(unit.name))
        verbs, objects = TITLE_PARTS[field]
        title = f"{rng.choice(verbs)} {rng.choice(objects)}"
        author = rng.choice(members[unit.id])
        helper = helpers[unit.id]
        entered_by = helper if rng.random() < 0.35 else author
        # Later submissions are more frequent: the campaign pushed the pace.
        created = start + timedelta(seconds=int(span_seconds * (rng.random() ** 0.7)))
        initiative = Initiative(campaign=campaign, unit=unit, title=title, field=field, status=Status.DRAFT,
                                author=author, entered_by=entered_by, created_at=created, updated_at=created,
                                estimated_value=rng.choice([None, None, rng.randint(5, 300) * 1_000_000]),
                                applied_since=(created - timedelta(days=rng.randint(30, 400))).date(),
                                **_texts(rng, title, unit))
        copied = bool(copies_of) and rng.random() < 0.1
        if copied:  # the same idea sent again from another union: what duplicate detection must catch
            original = rng.choice(copies_of)
            initiative.title, initiative.solution = original.title, original.solution
            initiative.current_situation = original.current_situation
        elif status != Status.DRAFT:
            copies_of.append(initiative)
        # The folded forms search and duplicate detection compare, as a saved draft gets them.
        initiative.title_folded = fold(initiative.title)[:300]
        initiative.text_folded = duplicates.text_of(initiative)
        shares = _split(100, [rng.randint(1, 4) for _ in range(rng.choice([1, 1, 1, 2, 3]))])
        co_authors = [author] + rng.sample([m for m in members[unit.id] if m is not author],
                                           min(len(shares) - 1, len(members[unit.id]) - 1))
        for order, (person, share) in enumerate(zip(co_authors, shares)):
            initiative.authors.append(InitiativeAuthor(user=person, full_name=person.full_name, position_order=order,
                                                       job_title=person.position or "", share_percent=share))
        db.session.add(initiative)
        if status != Status.DRAFT:
            steps.append(Step(created, made, initiative, Status.SUBMITTED, entered_by))
            if status != Status.SUBMITTED:
                decided = created + timedelta(hours=rng.randint(4, 24 * 12))
                reviewer = rng.choice(reviewers)
                reason = ("duplicate" if copied and status == Status.INVALID
                          else rng.choice(INVALID_REASONS) if status == Status.INVALID
                          else rng.choice(RETURN_REASONS) if status == Status.RETURNED else None)
                message = ("Đề nghị bổ sung số liệu về hiệu quả và thời gian áp dụng."
                           if status == Status.RETURNED else None)
                steps.append(Step(decided, made, initiative, status, reviewer, reason, message))
        made += 1
    db.session.flush()  # every initiative starts as a draft, in creation order
    submitted = _replay(steps)
    _score(rng, campaign, submitted, reviewers)
    _commend(campaign, demo_users["0900000002"])
    return {"units": 1 + len(top_units) + len(grassroots) * (1 + len(COLLECTIVES)), "initiatives": made,
            "campaign": campaign, "accounts": list(demo_users.values())}
