"""Organizer work: targets that add up, units and users inside one's subtree, peak periods, the giao ban and sơ
kết reports and their exports."""
from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from .. import pdf as documents
from .. import policy
from ..domain import accounts, ranking, reports, tallies
from ..domain import campaigns as campaign_rules
from ..domain import periods as period_rules
from ..domain.text import fold
from ..domain.units import subtree_ids_select
from ..exports import Sheet, csv_bytes, xlsx_book
from ..extensions import db
from ..models import Campaign, Period, Programme, Target, Unit, UnitKind, User


class TargetProblem(Exception):
    pass


class SlugTaken(Exception):
    pass


def campaigns_for(user: User) -> list[Campaign]:
    """Campaigns run inside the organizer's subtree or above it (their units take part)."""
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.start_date.desc())).all()
    the_reach = policy.reach(user)
    return [c for c in campaigns
            if the_reach.contains(c.unit) or (the_reach.root is not None and c.unit.contains(the_reach.root))]


def organizable_units(user: User) -> list[Unit]:
    """Units a campaign can be run by: the organizer's scope and the federations below it."""
    stmt = select(Unit).where(Unit.kind.notin_([UnitKind.GRASSROOTS, UnitKind.COLLECTIVE]),
                              policy.reach(user).clause(Unit.id)).order_by(Unit.path)
    return list(db.session.scalars(stmt))


@dataclass
class CampaignData:
    name: str
    slug: str
    description: str
    start_date: date
    end_date: date
    goal: int
    unit_id: int
    programme_id: int | None = None  # the programme whose eligibility rules apply


def programme_choices() -> list[tuple[int, str]]:
    return [(p.id, p.name) for p in db.session.scalars(select(Programme).order_by(Programme.start_date.desc(),
                                                                                  Programme.id))]


def save_campaign(campaign: Campaign | None, data: CampaignData) -> Campaign:
    """Create (with the default rubric) or update a campaign; its short address must be free."""
    clash = db.session.scalar(select(Campaign).where(Campaign.slug == data.slug))
    if clash is not None and clash is not campaign:
        raise SlugTaken(_("Địa chỉ ngắn này đã được dùng."))
    created = campaign is None
    if campaign is None:
        campaign = Campaign()
        db.session.add(campaign)
    for name, value in vars(data).items():
        setattr(campaign, name, value)
    if created:
        db.session.flush()
        campaign_rules.add_defaults(campaign)
    return campaign


# --- peak periods ----------------------------------------------------------------------------------------------

class PeriodProblem(Exception):
    """What is wrong with a typed period: field name → message (shown next to the field)."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


@dataclass
class PeriodData:
    name: str
    kind: str
    unit_id: int
    start_date: date
    end_date: date
    goal: int
    measure: str
    description: str


def periods_of(campaign: Campaign, user: User) -> list[Period]:
    """The campaign's periods the organizer manages (run inside their subtree), the latest first."""
    return list(db.session.scalars(
        select(Period).where(Period.campaign_id == campaign.id, policy.manageable_periods_clause(user))
        .order_by(Period.start_date.desc(), Period.id.desc())))


def period_units(campaign: Campaign, user: User) -> list[Unit]:
    """The units the organizer may run a period of ``campaign`` for: federations of their subtree inside the
    campaign's unit."""
    return [unit for unit in organizable_units(user) if campaign.unit.contains(unit)]


def save_period(campaign: Campaign, period: Period | None, data: PeriodData, user: User) -> Period:
    """Create or update a period after the domain's checks (``periods.problems``); a closed period keeps its
    final figures and is not edited any more. The caller has checked the unit with ``policy.can_manage_period``."""
    if period is not None and period.closed_at is not None:
        raise PeriodProblem({"name": _("Đợt này đã chốt kết quả nên không sửa được nữa.")})
    unit = db.session.get(Unit, data.unit_id)
    found = period_rules.problems(campaign, unit, data.start_date, data.end_date, data.goal)
    if found:
        raise PeriodProblem(found)
    if period is None:
        period = Period(campaign_id=campaign.id, created_by_id=user.id)
        db.session.add(period)
    for name, value in vars(data).items():
        setattr(period, name, value)
    db.session.flush()
    return period


def children(parent: Unit, with_collectives: bool = True) -> list[Unit]:
    stmt = (select(Unit).where(Unit.parent_id == parent.id).order_by(Unit.name)
            .options(selectinload(Unit.leader), selectinload(Unit.adviser)))  # the list shows both
    if not with_collectives:
        stmt = stmt.where(Unit.kind != UnitKind.COLLECTIVE)
    return list(db.session.scalars(stmt))


def update_unit(unit: Unit, name: str, member_count: int | None) -> None:
    unit.name, unit.name_folded, unit.member_count = name, fold(name), member_count


class PersonNotFound(Exception):
    """A typed leader or adviser names no account the organizer may choose (field name → message)."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def people_in_charge(user: User, unit: Unit, logins: Mapping[str, str | None]) -> dict[str, User | None]:
    """The account each field's login names (a phone or an e-mail; empty: nobody), field name → account, each an
    active account the organizer may name for ``unit`` (``policy.can_name_in_charge``); else ``PersonNotFound``."""
    found: dict[str, User | None] = {}
    problems: dict[str, str] = {}
    for name, typed in logins.items():
        login = (typed or "").strip()
        if not login:
            found[name] = None
            continue
        person = accounts.find_by_login(login)
        if not policy.can_name_in_charge(user, unit, person):
            problems[name] = _("Không tìm thấy tài khoản đang hoạt động có số điện thoại hoặc email “%(login)s” "
                               "trong phạm vi của bạn.", login=login)
        found[name] = person
    if problems:
        raise PersonNotFound(problems)
    return found


def set_in_charge(unit: Unit, leader: User | None, adviser: User | None) -> None:
    unit.leader, unit.adviser = leader, adviser


def toggle_active(person: User) -> None:
    person.active = not person.active
    if not person.active:
        person.rotate_session_token()  # a disabled account is logged out everywhere at once


def targets_of(campaign: Campaign, unit_ids: list[int]) -> dict[int, int]:
    """The targets as set (not the goal progress is measured against: ``ranking.goals``)."""
    return {unit_id: count for unit_id, count in db.session.execute(select(Target.unit_id, Target.count).where(
        Target.campaign_id == campaign.id, Target.unit_id.in_(unit_ids)))}


def set_targets(campaign: Campaign, parent: Unit, values: Mapping[int, int | None], allow_exceed: bool) -> None:
    """Write children's targets; refuses (unless allowed) when they add up to more than the parent's."""
    parent_target = targets_of(campaign, [parent.id]).get(parent.id)
    children = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.parent_id == parent.id))}
    if set(values) - set(children):
        raise TargetProblem(_("Chỉ được đặt chỉ tiêu cho đơn vị trực thuộc."))
    current = targets_of(campaign, list(children))
    merged = {**current, **{k: v for k, v in values.items() if v is not None}}
    for k, v in values.items():
        if v is None:
            merged.pop(k, None)
    total = sum(merged.values())
    if parent_target is not None and total > parent_target and not allow_exceed:
        raise TargetProblem(_("Tổng chỉ tiêu các đơn vị trực thuộc (%(total)s) vượt chỉ tiêu của %(unit)s "
                              "(%(parent)s). Sửa lại, hoặc đánh dấu xác nhận nếu cố ý giao vượt.",
                              total=total, unit=parent.name, parent=parent_target))
    existing = {t.unit_id: t for t in db.session.scalars(select(Target).where(
        Target.campaign_id == campaign.id, Target.unit_id.in_(list(values))))}
    for unit_id, count in values.items():
        if count is None:
            if unit_id in existing:
                db.session.delete(existing[unit_id])
        elif unit_id in existing:
            existing[unit_id].count = count
        else:
            db.session.add(Target(campaign_id=campaign.id, unit_id=unit_id, count=count))


def import_targets(user: User, campaign: Campaign, text: str, allow_exceed: bool) -> int:
    """CSV rows ``unit_code,target``; every unit must be a child of a unit the organizer manages."""
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"unit_code", "target"} <= {f.strip() for f in reader.fieldnames}:
        raise TargetProblem(_("Tệp CSV cần hai cột: unit_code, target."))
    by_parent: dict[Unit, dict[int, int]] = {}
    for line, row in enumerate(reader, start=2):
        code = (row.get("unit_code") or "").strip()
        unit = db.session.scalar(select(Unit).where(Unit.code == code))
        if unit is None or unit.parent is None or not policy.can_manage_unit(user, unit.parent):
            raise TargetProblem(_("Dòng %(line)s: không có đơn vị mã “%(code)s” trong phạm vi của bạn.",
                                  line=line, code=code))
        try:
            count = int((row.get("target") or "").strip())
        except ValueError:
            raise TargetProblem(_("Dòng %(line)s: chỉ tiêu phải là số nguyên.", line=line)) from None
        if count < 0:
            raise TargetProblem(_("Dòng %(line)s: chỉ tiêu không được âm.", line=line))
        by_parent.setdefault(unit.parent, {})[unit.id] = count
    for parent, values in by_parent.items():
        set_targets(campaign, parent, values, allow_exceed)
    return sum(len(v) for v in by_parent.values())


USERS_PAGE = 50


def users_in_scope(user: User, query: str = "", page: int = 1,
                   per_page: int = USERS_PAGE) -> tuple[list[User], bool]:
    """A page of the accounts the user reaches, by name (then id: a stable order across pages), and whether
    another page follows."""
    stmt = (select(User).where(policy.accounts_in_reach_clause(user)).order_by(User.full_name, User.id)
            .offset((page - 1) * per_page).limit(per_page + 1)
            .options(selectinload(User.unit), selectinload(User.scope_unit)))  # the list shows both
    if query.strip():
        like = f"%{query.strip()}%"
        stmt = stmt.where(or_(User.full_name.ilike(like), User.phone.ilike(like), User.email.ilike(like)))
    people = list(db.session.scalars(stmt))
    return people[:per_page], len(people) > per_page


def unit_by_code(code: str | None) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.code == code.strip())) if code and code.strip() else None


# --- the giao ban: a week, a month or any range of days -----------------------------------------------------

@dataclass
class Report:
    campaign: Campaign
    unit: Unit
    span: reports.Span
    result: ranking.RangeReport
    fields: list[reports.FieldRow]  # initiatives first submitted in the span, by field
    fields_total: list[reports.FieldRow]  # the whole campaign so far
    # The units behind pace, by id, with their leader in charge and adviser loaded (the report names them).
    in_charge: dict[int, Unit] = field(default_factory=dict)

    @property
    def rows(self) -> list[ranking.RangeRow]:
        return self.result.rows

    @property
    def own(self) -> ranking.RangeRow | None:
        return self.result.own

    @property
    def field_lines(self) -> list[tuple[reports.FieldRow, tallies.Counts]]:
        """Each field of the campaign so far, with what was first submitted in the span."""
        in_span = {row.code: row.counts for row in self.fields}
        return [(row, in_span.get(row.code) or tallies.Counts()) for row in self.fields_total]

    @property
    def label(self) -> str:
        """The span in words, for the exports (Vietnamese, like their headers)."""
        first, last = self.span.first, self.span.last
        if self.span.kind == "week":
            return f"Tuần {first:%d/%m/%Y} – {last:%d/%m/%Y}"
        if self.span.kind == "month":
            return f"Tháng {first:%m/%Y}"
        return f"Từ {first:%d/%m/%Y} đến {last:%d/%m/%Y}"


def report(campaign: Campaign, unit: Unit, span: reports.Span) -> Report:
    result = ranking.range_report(campaign, unit, span.first, span.last, span.previous().last)
    return Report(campaign, unit, span, result, reports.by_field(campaign.id, unit.id, span.first, span.last),
                  reports.by_field(campaign.id, unit.id), in_charge_of([r.row.unit_id for r in result.rows
                                                                        if r.below_pace]))


def in_charge_of(unit_ids: list[int]) -> dict[int, Unit]:
    """The units, by id, with their leader in charge and staff adviser (two reads however many units)."""
    if not unit_ids:
        return {}
    return {unit.id: unit for unit in db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids)).options(
        selectinload(Unit.leader), selectinload(Unit.adviser)))}


IN_SPAN = {"week": "trong tuần", "month": "trong tháng", "range": "trong kỳ"}


def report_headers(data: Report) -> tuple[str, ...]:
    during = IN_SPAN[data.span.kind]
    return ("Hạng", "Thay đổi hạng", "Đơn vị", "Mã", f"Gửi mới {during}", f"Hợp lệ mới {during}", "Tổng đã gửi",
            "Tổng hợp lệ", "Chờ thẩm định (hiện nay)", "Không hợp lệ (hiện nay)", "Chỉ tiêu",
            "Tỷ lệ hợp lệ/chỉ tiêu (%)", "Chậm tiến độ", "Cần đạt theo tiến độ")


def _percent(value: float | None) -> float | None:
    return round(100 * value, 1) if value is not None else None


def report_rows(data: Report) -> list[list]:
    """Numbers stay numbers: spreadsheets can sum and sort them. Totals are at the span's end."""
    return [[item.rank, item.rank_change, item.row.name, item.row.code, item.new_submitted, item.new_valid,
             item.submitted, item.valid, item.row.pending + item.row.returned, item.row.invalid, item.row.target,
             _percent(item.progress), "x" if item.below_pace else "",
             round(item.expected, 1) if item.expected is not None else None] for item in data.rows]


def report_csv(data: Report) -> bytes:
    return csv_bytes(report_headers(data), report_rows(data))


FIELD_HEADERS = ("Khối, lĩnh vực", "Gửi lần đầu trong kỳ", "Trong đó hợp lệ", "Trong đó không hợp lệ",
                 "Tổng đã gửi", "Tổng hợp lệ", "Tổng không hợp lệ")


def report_field_rows(data: Report) -> list[list]:
    return [[row.label, window.submitted, window.valid, window.invalid, row.counts.submitted, row.counts.valid,
             row.counts.invalid] for row, window in data.field_lines]


def report_xlsx(data: Report) -> bytes:
    heading = [f"{data.campaign.name} — {data.unit.name}", data.label]
    return xlsx_book([Sheet("Giao ban", heading, report_headers(data), report_rows(data), {"C": 40}),
                      Sheet("Theo khối", heading, FIELD_HEADERS, report_field_rows(data), {"A": 36})])


# --- the sơ kết (summary) of a campaign or a period --------------------------------------------------------------

def summary_periods(campaign: Campaign, unit: Unit, limit: int = 100) -> list[Period]:
    """The campaign's periods a sơ kết of ``unit`` can be about: run by it, above it (its part of theirs) or
    below it; newest first."""
    return list(db.session.scalars(
        select(Period).where(Period.campaign_id == campaign.id,
                             or_(Period.unit_id.in_(unit.ancestor_ids), Period.unit_id.in_(subtree_ids_select(unit))))
        .order_by(Period.start_date.desc(), Period.id.desc()).limit(limit)))


def summary(campaign: Campaign, unit: Unit, period: Period | None) -> reports.Summary:
    return reports.summary(campaign, unit, period)


def _summary_heading(data: reports.Summary) -> list[str]:
    first = data.first or data.campaign.start_date
    last = data.last or data.campaign.end_date
    what = data.period.name if data.period else data.campaign.name
    return [f"BÁO CÁO SƠ KẾT — {what}", f"{data.unit.name} · {first:%d/%m/%Y} – {last:%d/%m/%Y}"]


def summary_overview(data: reports.Summary) -> list[list]:
    counts = data.own
    return [["Đã gửi", counts.submitted], ["Hợp lệ", counts.valid],
            ["Đang thẩm định, bổ sung", counts.pending + counts.returned], ["Không hợp lệ", counts.invalid],
            ["Mục tiêu" + (" (số đã gửi)" if data.measure == "submitted" else " (số hợp lệ)"), data.goal],
            ["Đạt mục tiêu (%)", _percent(data.progress)],
            ["Không hợp lệ trên số đã thẩm định (%)", _percent(data.invalid_rate)]]


SUMMARY_SECTIONS = {
    "units": ("Theo đơn vị", ("Hạng", "Đơn vị", "Đã gửi", "Hợp lệ", "Đang thẩm định, bổ sung", "Không hợp lệ",
                              "Chỉ tiêu", "Tỷ lệ hợp lệ/chỉ tiêu (%)")),
    "fields": ("Theo khối", ("Khối, lĩnh vực", "Đã gửi", "Hợp lệ", "Đang thẩm định, bổ sung", "Không hợp lệ")),
    "helpers": ("Tổ hỗ trợ", ("Công đoàn cơ sở", "Người hỗ trợ", "Đã gửi giúp", "Hợp lệ", "Không hợp lệ")),
    "top": ("Tiêu biểu", ("STT", "Sáng kiến", "Khối, lĩnh vực", "Đơn vị", "Điểm trung bình", "Điểm chuẩn hóa (z)",
                          "Số lượt chấm")),
    "awards": ("Khen thưởng", ("STT", "Cá nhân / tập thể", "Đơn vị", "Sáng kiến", "Hình thức", "Cấp khen",
                               "Số quyết định", "Ngày quyết định")),
    "reasons": ("Không hợp lệ", ("Lý do không hợp lệ", "Số sáng kiến", "Tỷ lệ trong số không hợp lệ (%)")),
}


def summary_rows(data: reports.Summary) -> dict[str, list[list]]:
    """Each section's rows, numbers as numbers (the XLSX sheets and the PDF tables)."""
    def rounded(value: float | None, digits: int) -> float | None:
        return round(value, digits) if value is not None else None

    return {
        "units": [[u.rank, u.name, u.counts.submitted, u.counts.valid, u.counts.pending + u.counts.returned,
                   u.counts.invalid, u.target, _percent(u.progress)] for u in data.units],
        "fields": [[f.label, f.counts.submitted, f.counts.valid, f.waiting, f.counts.invalid] for f in data.fields],
        "helpers": [[h.union, h.helper, h.submitted, h.valid, h.invalid] for h in data.helpers],
        "top": [[n, t.title, t.field, t.union, rounded(t.raw_mean, 1), rounded(t.z_mean, 2), t.reviews]
                for n, t in enumerate(data.top, start=1)],
        "awards": [[n, a.recipient + (" (tập thể)" if a.collective else ""), a.union, a.title, a.level, a.issuer,
                    a.decision_number, a.decision_date] for n, a in enumerate(data.awards, start=1)],
        "reasons": [[r.label, r.count, _percent(r.share)] for r in data.reasons],
    }


def summary_xlsx(data: reports.Summary) -> bytes:
    heading = _summary_heading(data)
    rows = summary_rows(data)
    sheets = [Sheet("Tổng hợp", heading, ("Chỉ số", "Giá trị"), summary_overview(data), {"A": 44})]
    sheets += [Sheet(title, heading, headers, rows[key], {"B": 40}) for key, (title, headers) in
               SUMMARY_SECTIONS.items()]
    return xlsx_book(sheets)


PDF_WIDTHS = {"units": (8, 40, 12, 12, 14, 12, 12, 14), "fields": (40, 15, 15, 18, 15),
              "helpers": (35, 30, 15, 12, 14), "top": (6, 44, 20, 26, 12, 12, 10),
              "awards": (6, 26, 24, 34, 16, 24, 16, 14), "reasons": (50, 20, 20)}
PDF_TITLES = {"units": "Theo đơn vị", "fields": "Theo khối, lĩnh vực", "helpers": "Tổ hỗ trợ sáng kiến",
              "top": "Sáng kiến tiêu biểu (điểm trung bình cao nhất)", "awards": "Khen thưởng",
              "reasons": "Sáng kiến không hợp lệ theo lý do"}


def summary_pdf(data: reports.Summary) -> bytes:
    """The same sections as the page and the XLSX, as an A4 document with the Vietnamese glyphs embedded."""
    pdf = documents.document("P")
    pdf.set_margins(12, 12, 12)
    pdf.add_page()
    heading, second = _summary_heading(data)
    documents.heading(pdf, heading, 13)
    pdf.multi_cell(0, 5, second)
    pdf.ln(2)
    documents.table(pdf, ("Chỉ số", "Giá trị"), summary_overview(data), (60, 30), 9)
    rows = summary_rows(data)
    for key, (_title, headers) in SUMMARY_SECTIONS.items():
        documents.heading(pdf, PDF_TITLES[key], 11)
        if rows[key]:
            cells = [[f"{v:%d/%m/%Y}" if isinstance(v, date) else v for v in row] for row in rows[key]]
            documents.table(pdf, headers, cells, PDF_WIDTHS[key])
        else:
            pdf.multi_cell(0, 5, "Không có số liệu.")
            pdf.ln(2)
    pdf.set_font(documents.FONT, "", 8)
    pdf.multi_cell(0, 4, "Tự hào trí tuệ lao động Việt Nam")
    return documents.output(pdf)
