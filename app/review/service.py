"""The reviewer's work: a scoped queue without conflicts of interest, decisions, clusters, scores, stats."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import DateTime, Integer, Select, and_, case, exists, func, literal, or_, select, tuple_
from sqlalchemy.orm import joinedload, selectinload

from .. import policy
from ..domain import campaigns, duplicates, scoring, tallies, workflow
from ..domain.catalog import FIELDS, INVALID_REASONS, RETURN_REASONS, STATUSES
from ..extensions import db
from ..models import (
    Campaign,
    Initiative,
    ReviewTemplate,
    RubricCriterion,
    Score,
    SecondCheck,
    Status,
    StatusEvent,
    Tally,
    Unit,
    User,
)

# The word on each decision button, and the status it leads to.
STATUS_OF_DECISION = {"valid": Status.VALID, "invalid": Status.INVALID, "return": Status.RETURNED}


class DecisionError(Exception):
    """The decision is incomplete (e.g. no reason); the message goes next to the form."""


@dataclass(frozen=True)
class Decision:
    """A reviewer's triage decision on one initiative, as typed on the page."""

    word: str                       # a key of STATUS_OF_DECISION
    version: int                    # the initiative's version the reviewer saw
    reason: str | None = None       # a code of INVALID_REASONS or RETURN_REASONS
    message: str = ""
    template_id: int | None = None  # a return template: fills the reason and message left empty


@dataclass
class QueueFilter:
    campaign: Campaign
    status: str = Status.SUBMITTED
    unit: Unit | None = None
    field: str | None = None


def queue_filter(user: User, campaign: Campaign, status: str | None = None, unit_id: int | None = None,
                 field: str | None = None) -> QueueFilter:
    """The filters asked for; one that does not apply (unknown, or a unit outside the reach) is left out."""
    unit = db.session.get(Unit, unit_id) if unit_id else None
    if unit is not None and not policy.in_scope(user, unit):
        unit = None
    return QueueFilter(campaign=campaign, status=status if status in STATUSES else Status.SUBMITTED, unit=unit,
                       field=field if field in FIELDS else None)


def child_units(unit: Unit | None) -> list[Unit]:
    """The units right below ``unit`` (the queue's unit filter), by name."""
    if unit is None:
        return []
    return list(db.session.scalars(select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.name)))


def queue_select(user: User, filters: QueueFilter) -> Select:
    stmt = select(Initiative).where(Initiative.campaign_id == filters.campaign.id,
                                    Initiative.status == filters.status,
                                    policy.reviewable_clause(user, filters.unit))
    if filters.field:
        stmt = stmt.where(Initiative.field == filters.field)
    return stmt


def _order(stmt: Select) -> Select:
    return stmt.order_by(Initiative.submitted_at, Initiative.id)


def queue(user: User, filters: QueueFilter, limit: int = 50, offset: int = 0) -> list[Initiative]:
    stmt = _order(queue_select(user, filters)).options(selectinload(Initiative.unit)).limit(limit).offset(offset)
    return list(db.session.scalars(stmt))


def counts(filters: QueueFilter, user: User) -> tallies.UnitCounts | None:
    """Counters of the filtered unit (or the reviewer's scope), read from the tallies, never counted."""
    unit = filters.unit or user.scope or filters.campaign.unit
    return tallies.for_unit(filters.campaign.id, unit.id)


def neighbour(user: User, filters: QueueFilter, current: Initiative, forward: bool = True) -> Initiative | None:
    """The next (or previous) item in queue order after ``current``; the first one when past the end.

    A row-value comparison ``(submitted_at, id) > (t, current)`` on ``ix_initiatives_queue`` (campaign, status,
    submitted_at, id): the database starts right after the current item instead of reading the queue from its
    start, so a decision costs the same at the first and at the last item."""
    stmt = queue_select(user, filters)
    key = tuple_(Initiative.submitted_at, Initiative.id)
    here = tuple_(literal(current.submitted_at or datetime.min, DateTime()), literal(current.id, Integer()))
    if forward:
        found = db.session.scalar(_order(stmt.where(key > here)).limit(1))
        return found or db.session.scalar(_order(stmt.where(Initiative.id != current.id)).limit(1))
    return db.session.scalar(stmt.where(key < here).order_by(Initiative.submitted_at.desc(), Initiative.id.desc())
                             .limit(1))


def decide(user: User, initiative: Initiative, decision: Decision) -> None:
    """Apply a triage decision; raises DecisionError, or workflow.AlreadyDecided if someone was faster."""
    if decision.word not in STATUS_OF_DECISION:
        raise DecisionError(_("Quyết định không hợp lệ."))
    reason, message = decision.reason, decision.message.strip()
    template = db.session.get(ReviewTemplate, decision.template_id) if decision.template_id else None
    if decision.word == "return" and template is not None:  # a chosen template fills what was left empty
        message = (message or template.body).strip()
        reason = reason or template.reason_code
    if decision.word == "invalid":
        if reason not in INVALID_REASONS:
            raise DecisionError(_("Vui lòng chọn lý do không hợp lệ."))
        if reason == "other" and not message:
            raise DecisionError(_("Lý do khác: vui lòng ghi rõ."))
    elif decision.word == "return":
        if reason not in RETURN_REASONS:
            raise DecisionError(_("Vui lòng chọn lý do trả lại."))
        if not message:
            raise DecisionError(_("Vui lòng ghi lời nhắn cho tác giả: cần bổ sung gì."))
    else:
        reason = None
    workflow.transition(initiative, STATUS_OF_DECISION[decision.word], user, reason_code=reason,
                        message=message or None, expected_version=decision.version)


def cluster_candidates(user: User, lead: Initiative) -> list[tuple[Initiative, float]]:
    """The likely duplicates of ``lead`` still waiting for a decision that this reviewer may take, with their
    similarity."""
    return [(other, similarity) for other, similarity in duplicates.likely_duplicates(lead)
            if other.status == Status.SUBMITTED and policy.can_review(user, other)]


def cluster_members(user: User, lead: Initiative, ids: list[int]) -> list[Initiative]:
    """The chosen duplicates of ``lead`` that this reviewer may still mark invalid."""
    if not ids:
        return []
    chosen = db.session.scalars(select(Initiative).where(Initiative.id.in_(ids), Initiative.id != lead.id,
                                                         Initiative.status == Status.SUBMITTED))
    return [item for item in chosen if policy.can_review(user, item)]


def mark_duplicates(user: User, lead: Initiative, items: list[tuple[Initiative, int]]) -> list[Initiative]:
    """Mark each (initiative, version seen in the preview) invalid as a duplicate of ``lead``, all or nothing."""
    message = _("Trùng với sáng kiến #%(id)s “%(title)s”.", id=lead.id, title=lead.title)
    for item, version in items:
        workflow.transition(item, Status.INVALID, user, reason_code="duplicate", message=message,
                            expected_version=version)
    return [item for item, _ in items]


def author_history(initiative: Initiative) -> list[Initiative]:
    return list(db.session.scalars(
        select(Initiative).where(Initiative.author_id == initiative.author_id, Initiative.id != initiative.id,
                                 Initiative.status != Status.DRAFT)
        .order_by(Initiative.id.desc()).limit(10)))


def templates() -> list[ReviewTemplate]:
    return list(db.session.scalars(select(ReviewTemplate).order_by(ReviewTemplate.reason_code, ReviewTemplate.id)))


def add_template(user: User, reason_code: str, body: str) -> ReviewTemplate:
    template = ReviewTemplate(reason_code=reason_code, body=body, created_by_id=user.id)
    db.session.add(template)
    db.session.flush()
    return template


def delete_template(template: ReviewTemplate) -> None:
    db.session.delete(template)
    db.session.flush()


# --- scoring -------------------------------------------------------------------------------------------------

def rubric(campaign: Campaign) -> list[RubricCriterion]:
    """The campaign's rubric; the default 30/40/30 lines (unsaved) while it has none of its own."""
    criteria = list(db.session.scalars(select(RubricCriterion).where(RubricCriterion.campaign_id == campaign.id)
                                       .order_by(RubricCriterion.position)))
    return criteria or campaigns.default_rubric(campaign)


SCORING_PAGE = 50


def scoring_queue(user: User, campaign: Campaign, page: int = 1,
                  per_page: int = SCORING_PAGE) -> tuple[list[Initiative], bool]:
    """Valid initiatives that still need this reviewer's score (fewer than two, or a third after disagreement),
    those already started first, then the oldest decided: one page, and whether another follows. One query: the
    scores counted per initiative in one grouped join (not once per row), the unit joined for the list."""
    # Every score, grouped (joined to the campaign's initiatives below): reading the scores, not the campaign.
    scored = (select(Score.initiative_id.label("initiative_id"), func.count().label("reviews"),
                     (func.max(Score.total) - func.min(Score.total)).label("spread"))
              .group_by(Score.initiative_id).subquery("scored"))
    reviews = func.coalesce(scored.c.reviews, 0)
    needed = or_(reviews < scoring.MIN_REVIEWERS,
                 and_(reviews == scoring.MIN_REVIEWERS, scored.c.spread > scoring.SPREAD_MARGIN))
    mine = exists().where(Score.initiative_id == Initiative.id, Score.reviewer_id == user.id)
    # The page is chosen on narrow rows (id, count, date), then its initiatives are read: sorting the scope's
    # whole rows, texts included, is what made this page slow.
    chosen = (select(Initiative.id.label("id"), reviews.label("reviews"), Initiative.decided_at.label("decided_at"))
              .outerjoin(scored, scored.c.initiative_id == Initiative.id)
              .where(Initiative.campaign_id == campaign.id, Initiative.status.in_(tallies.VALID_STATUSES),
                     policy.reviewable_clause(user), ~mine, needed)
              .order_by(reviews.desc(), Initiative.decided_at, Initiative.id)
              .limit(per_page + 1).offset((max(1, page) - 1) * per_page).subquery("chosen"))
    items = list(db.session.scalars(
        select(Initiative).join(chosen, chosen.c.id == Initiative.id).options(joinedload(Initiative.unit))
        .order_by(chosen.c.reviews.desc(), chosen.c.decided_at, chosen.c.id)))
    return items[:per_page], len(items) > per_page


def score_of(user: User, initiative: Initiative) -> Score | None:
    """This reviewer's score of the initiative, if they gave one."""
    return db.session.scalar(select(Score).where(Score.initiative_id == initiative.id,
                                                 Score.reviewer_id == user.id))


def save_score(user: User, initiative: Initiative, points: dict[str, int], comment: str) -> Score:
    campaigns.add_defaults(initiative.campaign)  # the rubric scored with is stored with the first score
    score = Score(initiative_id=initiative.id, reviewer_id=user.id, points=points, total=sum(points.values()),
                  comment=comment.strip())
    db.session.add(score)
    db.session.flush()
    return score


# --- second check of invalid decisions ------------------------------------------------------------------------

SECOND_CHECK_PERCENT = 10


def second_check_sample(user: User, campaign: Campaign, limit: int = 20) -> list[Initiative]:
    """A fixed random-like 10% of invalid decisions in scope, made by someone else and not yet checked.

    The sample is drawn by a hash of the id, so it is the same for every reviewer and cannot be steered by
    whoever made the decision.
    """
    checked = exists().where(SecondCheck.initiative_id == Initiative.id)
    return list(db.session.scalars(
        select(Initiative).where(Initiative.campaign_id == campaign.id, Initiative.status == Status.INVALID,
                                 Initiative.decided_by_id != user.id, policy.reviewable_clause(user), ~checked,
                                 (Initiative.id * 7919) % 100 < SECOND_CHECK_PERCENT)
        .options(selectinload(Initiative.unit), selectinload(Initiative.decided_by))
        .order_by(Initiative.decided_at.desc(), Initiative.id.desc()).limit(limit)))


def second_check(user: User, initiative: Initiative, agree: bool, version: int | None) -> SecondCheck:
    """Confirm the invalid decision, or reopen the initiative so it re-enters the queue."""
    if initiative.status != Status.INVALID or initiative.decided_by_id == user.id:
        raise DecisionError(_("Sáng kiến này không cần kiểm tra lần hai."))
    if not agree:
        workflow.transition(initiative, Status.SUBMITTED, user, message=_("Mở lại sau kiểm tra lần hai."),
                            expected_version=version)
    check = SecondCheck(initiative_id=initiative.id, checker_id=user.id,
                        outcome="confirmed" if agree else "reopened")
    db.session.add(check)
    db.session.flush()
    return check


def second_check_totals(campaign: Campaign) -> tuple[int, int]:
    """(checked, reopened) in the campaign: how often invalid decisions do not hold."""
    rows: dict[str, int] = {outcome: count for outcome, count in db.session.execute(
        select(SecondCheck.outcome, func.count()).join(Initiative, Initiative.id == SecondCheck.initiative_id)
        .where(Initiative.campaign_id == campaign.id).group_by(SecondCheck.outcome))}
    return sum(rows.values()), rows.get("reopened", 0)


# --- statistics ----------------------------------------------------------------------------------------------

def decisions_since(user: User, since: datetime) -> int:
    """How many triage decisions the user has taken since ``since``."""
    return db.session.scalar(select(func.count()).select_from(StatusEvent).where(
        StatusEvent.actor_id == user.id, StatusEvent.created_at >= since,
        StatusEvent.to_status.in_(workflow.DECIDED_STATUSES))) or 0


@dataclass
class UnitRate:
    unit: Unit
    tally: tallies.UnitCounts
    invalid_rate: float | None


def invalid_rates(campaign: Campaign, scope: Unit, limit: int = 50) -> list[UnitRate]:
    """Per child unit of the scope: the share of decided initiatives found invalid, worst first (at most
    ``limit``, ranked in SQL: a district may hold hundreds of unions; each unit's counters are the sum of its
    tally rows, domain.tallies)."""
    valid, invalid = func.sum(Tally.valid), func.sum(Tally.invalid)
    rate = case((valid + invalid > 0, invalid * 1.0 / (valid + invalid)), else_=0)
    worst = db.session.execute(
        select(Unit).join(Tally, Tally.unit_id == Unit.id)
        .where(Unit.parent_id == scope.id, Tally.campaign_id == campaign.id)
        .group_by(Unit.id).order_by(rate.desc(), Unit.name, Unit.id).limit(limit)).scalars().all()
    counted = tallies.counts_for(campaign.id, [unit.id for unit in worst])
    rates = []
    for unit in worst:
        tally = counted[unit.id]
        decided = tally.valid + tally.invalid
        rates.append(UnitRate(unit, tally, tally.invalid / decided if decided else None))
    return rates


def helper_rates(campaign: Campaign, user: User, limit: int = 20) -> list[tuple[User, int, int]]:
    """(helper, entered and decided, of which invalid) for people who enter on members' behalf, worst first."""
    invalid = func.sum(case((Initiative.status == Status.INVALID, 1), else_=0))
    decided = func.count()
    rows = db.session.execute(
        select(Initiative.entered_by_id, decided, invalid)
        .where(Initiative.campaign_id == campaign.id, policy.in_scope_clause(user),
               Initiative.entered_by_id != Initiative.author_id,  # ix_initiatives_entered_for_others
               Initiative.status.in_([Status.INVALID, *tallies.VALID_STATUSES]))
        .group_by(Initiative.entered_by_id).order_by((invalid * 1.0 / decided).desc()).limit(limit)).all()
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_([r[0] for r in rows]))
                                                  .options(selectinload(User.unit)))}
    return [(people[helper_id], n, bad) for helper_id, n, bad in rows]
