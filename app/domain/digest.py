"""The weekly digest for unit leaders: a few plain-text lines, cheap to read on any phone or to paste into Zalo.

Sent every Monday morning as a notification (kind "digest") to each unit's leader in charge, staff adviser and
organizers (``reminders.weekly_digests``; ``flask weekly-digest`` prints it, or notifies with --send), and shown
to organizers as a text page.
"""
from __future__ import annotations

from datetime import date, timedelta

from babel.numbers import format_decimal

from ..models import Campaign, Unit
from . import ranking, tallies


def _n(value: int) -> str:
    return format_decimal(value, locale="vi")  # 1.032: the digest is Vietnamese


def compose(campaign: Campaign, unit: Unit, week_start: date) -> str:
    week_end = week_start + timedelta(days=6)
    tally = tallies.for_unit(campaign.id, unit.id)
    parent = unit.parent if unit.parent is not None and campaign.unit.contains(unit.parent) else None
    siblings = ranking.weekly_report(campaign, parent, week_start) if parent is not None else []
    own = next((row for row in siblings if row.row.unit_id == unit.id), None)
    children = ranking.weekly_report(campaign, unit, week_start)
    goal = ranking.goal_of(campaign, unit.id)
    valid = tally.valid if tally else 0
    lines = [f"{campaign.name} — {unit.name}",
             f"Tuần {week_start:%d/%m} – {week_end:%d/%m/%Y}"]
    if own:
        lines.append(f"Trong tuần: {_n(own.new_submitted)} sáng kiến gửi mới, {_n(own.new_valid)} được công nhận "
                     f"hợp lệ.")
        lines.append(f"Xếp hạng: {own.rank}/{len(siblings)}"
                     + (f" ({own.rank_change:+d} bậc)" if own.rank_change else ""))
    if tally:
        lines.append(f"Tổng: {_n(tally.submitted)} đã gửi, {_n(valid)} hợp lệ, {_n(tally.pending)} chờ thẩm định, "
                     f"{_n(tally.returned)} đang trả lại để bổ sung, {_n(tally.invalid)} không hợp lệ.")
    reached = ranking.progress(valid, goal)
    if goal and reached is not None:
        gap = max(0, goal - valid)
        lines.append(f"Chỉ tiêu {_n(goal)}: đạt {100 * reached:.0f}%, còn thiếu {_n(gap)} sáng kiến hợp lệ.")
    behind = [item for item in children if item.below_pace][:5]
    if behind:
        lines.append("Đơn vị chậm tiến độ: " + "; ".join(
            f"{item.row.name} ({item.valid}/{item.row.target})" for item in behind) + ".")
    if tally and tally.returned:
        lines.append("Nhắc tác giả có sáng kiến bị trả lại bổ sung và gửi lại sớm.")
    return "\n".join(lines) + "\n"
