"""Organizer work: targets that add up, units and users inside one's subtree, the weekly report and exports."""
from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import or_, select

from .. import policy
from ..domain import campaigns as campaign_rules
from ..domain import ranking
from ..domain.text import fold
from ..exports import csv_bytes, xlsx_bytes
from ..extensions import db
from ..models import Campaign, Programme, Target, Unit, UnitKind, User


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


def children(parent: Unit, with_collectives: bool = True) -> list[Unit]:
    stmt = select(Unit).where(Unit.parent_id == parent.id).order_by(Unit.name)
    if not with_collectives:
        stmt = stmt.where(Unit.kind != UnitKind.COLLECTIVE)
    return list(db.session.scalars(stmt))


def update_unit(unit: Unit, name: str, member_count: int | None) -> None:
    unit.name, unit.name_folded, unit.member_count = name, fold(name), member_count


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


def users_in_scope(user: User, query: str = "", limit: int = 100) -> list[User]:
    stmt = select(User).where(policy.accounts_in_reach_clause(user)).order_by(User.full_name).limit(limit)
    if query.strip():
        like = f"%{query.strip()}%"
        stmt = stmt.where(or_(User.full_name.ilike(like), User.phone.ilike(like), User.email.ilike(like)))
    return list(db.session.scalars(stmt))


def unit_by_code(code: str | None) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.code == code.strip())) if code and code.strip() else None


# --- weekly report -------------------------------------------------------------------------------------------

@dataclass
class Report:
    campaign: Campaign
    unit: Unit
    week_start: date
    rows: list[ranking.WeekRow]

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)


def report(campaign: Campaign, unit: Unit, week_start: date) -> Report:
    return Report(campaign, unit, week_start, ranking.weekly_report(campaign, unit, week_start))


HEADERS = ("Hạng", "Thay đổi hạng", "Đơn vị", "Mã", "Gửi mới trong tuần", "Hợp lệ mới trong tuần", "Tổng đã gửi",
           "Tổng hợp lệ", "Chờ thẩm định", "Không hợp lệ", "Chỉ tiêu", "Tỷ lệ hợp lệ/chỉ tiêu (%)", "Chậm tiến độ")


def report_rows(data: Report) -> list[list]:
    """Numbers stay numbers: spreadsheets can sum and sort them."""
    rows = []
    for item in data.rows:
        row = item.row
        rows.append([row.rank, item.rank_change, row.name, row.code, item.week_submitted, item.week_valid,
                     row.submitted, row.valid, row.pending + row.returned, row.invalid, row.target,
                     round(100 * row.progress, 1) if row.progress is not None else None,
                     "x" if item.below_pace else ""])
    return rows


def report_csv(data: Report) -> bytes:
    return csv_bytes(HEADERS, report_rows(data))


def report_xlsx(data: Report) -> bytes:
    heading = [f"{data.campaign.name} — {data.unit.name}",
               f"Tuần {data.week_start:%d/%m/%Y} – {data.week_end:%d/%m/%Y}"]
    return xlsx_bytes("Giao ban", heading, HEADERS, report_rows(data), {"C": 40})

