"""What a complete initiative needs: one list used by the form on submit and by the helpers' pre-check.

Beyond the fields, the eligibility rules of its programme and campaign (``domain.eligibility``): the applied date
inside every window, every required evidence declared.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flask_babel import lazy_gettext as _l

from ..domain import eligibility
from ..models import EligibilityRule

# field name → (minimum length or None for "just present", message when empty, message when too short)
TEXT_RULES = {
    "title": (10, _l("Vui lòng nhập tên sáng kiến."), _l("Tên sáng kiến cần ít nhất 10 ký tự.")),
    "current_situation": (30, _l("Vui lòng mô tả hiện trạng."),
                          _l("Hiện trạng cần ít nhất 30 ký tự để người thẩm định hiểu bối cảnh.")),
    "solution": (50, _l("Vui lòng nhập nội dung giải pháp."),
                 _l("Nội dung giải pháp cần ít nhất 50 ký tự: nêu các bước cụ thể.")),
    "application_scope": (5, _l("Vui lòng nêu phạm vi áp dụng."), _l("Phạm vi áp dụng quá ngắn.")),
    "effectiveness": (30, _l("Vui lòng nêu hiệu quả, lợi ích."), _l("Hiệu quả cần ít nhất 30 ký tự, nên có số liệu.")),
}
OTHER_RULES = {
    "field": _l("Vui lòng chọn lĩnh vực."),
    "applied_since": _l("Vui lòng nhập ngày bắt đầu áp dụng."),
}
REQUIRED_FIELDS = (*TEXT_RULES, *OTHER_RULES)


def missing_items(values: dict) -> list[tuple[str, str]]:
    """(field, problem) for every rule the values break; empty when the initiative may be submitted."""
    problems = []
    for name, (minimum, empty_message, short_message) in TEXT_RULES.items():
        text = (values.get(name) or "").strip()
        if not text:
            problems.append((name, empty_message))
        elif len(text) < minimum:
            problems.append((name, short_message))
    for name, message in OTHER_RULES.items():
        if not values.get(name):
            problems.append((name, message))
    return problems


def shares_problem(total: int) -> str | None:
    """Authors' shares (in %) must add up to exactly 100."""
    if total == 100:
        return None
    return str(_l("Tổng tỷ lệ đóng góp của các tác giả phải bằng 100%% (hiện là %(total)s%%).", total=total))


def eligibility_problems(rules: Sequence[EligibilityRule], applied_since: date | None, declared: Sequence[int] | None,
                         registered: date) -> list[tuple[str, str, int | None]]:
    """(field, message, evidence rule id or None) for every eligibility rule the initiative breaks: a window its
    applied date falls outside (on ``applied_since``), an evidence the author has not declared (on ``evidence``)."""
    problems: list[tuple[str, str, int | None]] = [
        ("applied_since", message, None) for _rule, message in eligibility.date_problems(rules, applied_since,
                                                                                            registered)]
    problems += [("evidence", eligibility.missing_message(rule), rule.id)
                 for rule in eligibility.missing_evidence(rules, declared)]
    return problems
