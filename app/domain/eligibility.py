"""Eligibility (DESIGN §6): the conditions that make an initiative count, set by the programme a campaign runs
inside (for all its campaigns) and by the campaign itself.

Two kinds of rule (``EligibilityRule.kind``):

- ``applied_window``: the initiative was first applied between ``date_from`` and ``date_to`` (either may be open),
  and never after the day it was registered (its first submission; today for a draft). Checked automatically.
- ``evidence``: a document or confirmation the author declares (e.g. the head of unit's confirmation). The author
  ticks it on the form (``Initiative.evidence_declared``); the reviewer checks it against the attachments.

Everything here is computed from the rules and the initiative; nothing is stored beyond ``evidence_declared``.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, or_, select

from .. import clock
from ..extensions import db
from ..i18n import day
from ..models import Campaign, EligibilityRule, Initiative

APPLIED_WINDOW = "applied_window"
EVIDENCE = "evidence"
KINDS = {
    APPLIED_WINDOW: _l("Thời gian áp dụng (kiểm tra tự động)"),
    EVIDENCE: _l("Minh chứng, xác nhận (tác giả cam kết, người thẩm định kiểm tra)"),
}

# The states of a reviewer's checklist line.
MET, NOT_MET, TO_CHECK = "met", "not_met", "to_check"
STATES = {MET: _l("Đạt"), NOT_MET: _l("Không đạt"), TO_CHECK: _l("Người thẩm định kiểm tra")}


def rules_for(campaign: Campaign | None) -> list[EligibilityRule]:
    """The rules that apply to the initiatives of ``campaign``: its programme's, then its own, each by position.
    One query; none for no campaign."""
    if campaign is None:
        return []
    owners = [EligibilityRule.campaign_id == campaign.id]
    if campaign.programme_id is not None:
        owners.append(EligibilityRule.programme_id == campaign.programme_id)
    programme_first = case((EligibilityRule.programme_id.is_not(None), 0), else_=1)
    return list(db.session.scalars(select(EligibilityRule).where(or_(*owners))
                                   .order_by(programme_first, EligibilityRule.position, EligibilityRule.id)))


def reference_day(initiative: Initiative | None) -> date:
    """The registration day an applied date may not pass: the first submission's (Vietnamese) day, else today."""
    if initiative is not None and initiative.first_submitted_at is not None:
        return clock.local_day(initiative.first_submitted_at)
    return clock.today()


def window_problem(rule: EligibilityRule, applied_since: date, registered: date) -> str | None:
    """Why ``applied_since`` breaks the window ``rule`` (a clear message naming the rule), or None."""
    if rule.date_from is not None and applied_since < rule.date_from:
        return _("Ngày áp dụng %(applied)s trước ngày %(start)s: sáng kiến không đáp ứng điều kiện “%(rule)s”.",
                 applied=day(applied_since), start=day(rule.date_from), rule=rule.label)
    if rule.date_to is not None and applied_since > rule.date_to:
        return _("Ngày áp dụng %(applied)s sau ngày %(end)s: sáng kiến không đáp ứng điều kiện “%(rule)s”.",
                 applied=day(applied_since), end=day(rule.date_to), rule=rule.label)
    if applied_since > registered:
        return _("Ngày áp dụng %(applied)s sau ngày đăng ký %(registered)s: sáng kiến không đáp ứng điều kiện "
                 "“%(rule)s”.", applied=day(applied_since), registered=day(registered), rule=rule.label)
    return None


def date_problems(rules: Iterable[EligibilityRule], applied_since: date | None,
                  registered: date) -> list[tuple[EligibilityRule, str]]:
    """(rule, message) for every window ``applied_since`` breaks; nothing to say without a date (the form asks
    for one with its own message)."""
    if applied_since is None:
        return []
    found = []
    for rule in rules:
        if rule.kind == APPLIED_WINDOW:
            problem = window_problem(rule, applied_since, registered)
            if problem:
                found.append((rule, problem))
    return found


def evidence_rules(rules: Iterable[EligibilityRule]) -> list[EligibilityRule]:
    return [rule for rule in rules if rule.kind == EVIDENCE]


def declared_ids(rules: Iterable[EligibilityRule], ticked: Iterable[int]) -> list[int]:
    """The ticked ids that are evidence rules of these ``rules``, in the rules' order: anything else (a forged
    id, another campaign's rule) is dropped."""
    chosen = set(ticked)
    return [rule.id for rule in evidence_rules(rules) if rule.id in chosen]


def missing_evidence(rules: Iterable[EligibilityRule], declared: Sequence[int] | None) -> list[EligibilityRule]:
    """The evidence rules the author has not declared."""
    done = set(declared or ())
    return [rule for rule in evidence_rules(rules) if rule.id not in done]


def missing_message(rule: EligibilityRule) -> str:
    return _("Chưa xác nhận điều kiện “%(rule)s”.", rule=rule.label)


@dataclass(frozen=True)
class ChecklistLine:
    """One line of the reviewer's checklist: a rule, its state (MET, NOT_MET, TO_CHECK) and why."""

    rule: EligibilityRule
    state: str
    note: str
    outside_window: bool = False  # a date that breaks the window (not a missing one: that is incomplete)


def checklist(initiative: Initiative, rules: Iterable[EligibilityRule]) -> list[ChecklistLine]:
    """The reviewer's checklist: dates checked automatically; evidence declared or not, and whether any file
    is attached to check it against."""
    registered = reference_day(initiative)
    declared = set(initiative.evidence_declared or ())
    files = len(initiative.attachments)
    lines = []
    for rule in rules:
        if rule.kind == APPLIED_WINDOW:
            if initiative.applied_since is None:
                lines.append(ChecklistLine(rule, NOT_MET, _("Chưa có ngày áp dụng.")))
                continue
            problem = window_problem(rule, initiative.applied_since, registered)
            note = problem or _("Áp dụng từ %(applied)s: trong thời gian quy định.",
                                applied=day(initiative.applied_since))
            lines.append(ChecklistLine(rule, NOT_MET if problem else MET, note, outside_window=bool(problem)))
        elif rule.kind == EVIDENCE:
            if rule.id not in declared:
                lines.append(ChecklistLine(rule, NOT_MET, _("Tác giả chưa xác nhận.")))
            elif files:
                lines.append(ChecklistLine(rule, TO_CHECK, _(
                    "Tác giả đã xác nhận; có %(n)s tệp đính kèm để đối chiếu.", n=files)))
            else:
                lines.append(ChecklistLine(rule, TO_CHECK, _(
                    "Tác giả đã xác nhận nhưng không có tệp đính kèm: cần kiểm tra kỹ.")))
    return lines


def fails_a_date_rule(lines: Iterable[ChecklistLine]) -> bool:
    """The initiative breaks an applied window: the reviewer may mark it invalid, out of the programme's scope."""
    return any(line.outside_window for line in lines)
