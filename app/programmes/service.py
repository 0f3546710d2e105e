"""Programmes and eligibility rules: the national programme's (admins) and a campaign's own (its organizers).

The rules themselves (what they mean for an initiative) are ``domain.eligibility``; this is their upkeep.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..domain import eligibility
from ..extensions import db
from ..models import Campaign, EligibilityRule, Programme


class SlugTaken(Exception):
    pass


@dataclass
class ProgrammeData:
    name: str
    slug: str
    description: str
    start_date: date
    end_date: date


@dataclass
class RuleData:
    kind: str
    label: str
    explanation: str = ""
    date_from: date | None = None
    date_to: date | None = None
    position: int | None = None  # None: after the owner's last rule


def programmes() -> list[Programme]:
    return list(db.session.scalars(select(Programme).order_by(Programme.start_date.desc(), Programme.id)))


def campaigns_in(programme: Programme) -> list[Campaign]:
    return list(db.session.scalars(select(Campaign).where(Campaign.programme_id == programme.id)
                                   .order_by(Campaign.start_date.desc(), Campaign.id)))


def _owned(programme_id: int | None = None, campaign_id: int | None = None):
    if programme_id is not None:
        return EligibilityRule.programme_id == programme_id
    return EligibilityRule.campaign_id == campaign_id


def rules_of(programme_id: int | None = None, campaign_id: int | None = None) -> list[EligibilityRule]:
    """The rules one programme or one campaign sets itself, by position."""
    return list(db.session.scalars(select(EligibilityRule).where(_owned(programme_id, campaign_id))
                                   .order_by(EligibilityRule.position, EligibilityRule.id)))


def save_programme(programme: Programme | None, data: ProgrammeData) -> Programme:
    clash = db.session.scalar(select(Programme).where(Programme.slug == data.slug))
    if clash is not None and clash is not programme:
        raise SlugTaken(_("Địa chỉ ngắn này đã được dùng."))
    if programme is None:
        programme = Programme()
        db.session.add(programme)
    for name, value in vars(data).items():
        setattr(programme, name, value)
    db.session.flush()
    return programme


def _write(rule: EligibilityRule, data: RuleData) -> None:
    rule.kind = data.kind
    rule.label = data.label
    rule.explanation = data.explanation
    # Only a window has dates: an evidence rule keeps none, whatever the form sent.
    windowed = data.kind == eligibility.APPLIED_WINDOW
    rule.date_from = data.date_from if windowed else None
    rule.date_to = data.date_to if windowed else None
    if data.position is not None:
        rule.position = data.position


def add_rule(data: RuleData, *, programme_id: int | None = None, campaign_id: int | None = None) -> EligibilityRule:
    """A new rule of one programme or one campaign (exactly one of them); placed last unless a position is given."""
    assert (programme_id is None) != (campaign_id is None)
    last = db.session.scalar(select(func.max(EligibilityRule.position)).where(_owned(programme_id, campaign_id)))
    rule = EligibilityRule(programme_id=programme_id, campaign_id=campaign_id,
                           position=(last + 1) if last is not None else 0)
    _write(rule, data)
    db.session.add(rule)
    db.session.flush()
    return rule


def update_rule(rule: EligibilityRule, data: RuleData) -> None:
    _write(rule, data)
    db.session.flush()


def delete_rule(rule: EligibilityRule) -> None:
    """Initiatives that declared it keep the id in ``evidence_declared`` (nothing else is stored); only the rules
    that exist count (``domain.eligibility.declared_ids``, ``checklist``)."""
    db.session.delete(rule)
    db.session.flush()
