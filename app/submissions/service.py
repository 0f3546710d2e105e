"""Submitting initiatives: drafts keyed by a one-time key, authors, the similar-initiatives hint, lists."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import policy
from ..domain import accounts as account_rules
from ..domain import campaigns, duplicates, workflow
from ..domain.text import fold
from ..extensions import db
from ..fields import has_nul
from ..models import Initiative, InitiativeAuthor, InitiativeRevision, Role, Status, Unit, UnitKind, User
from .forms import InitiativeForm
from .rules import missing_items, shares_problem

TEXT_FIELDS = ("title", "field", "current_situation", "solution", "application_scope", "effectiveness")


class SubmissionError(Exception):
    """A problem the user must fix; the message is shown on the form."""


class AlreadySaved(Exception):
    """A parallel request with the same one-time key (double click, retry) created the initiative first."""

    def __init__(self, initiative: Initiative):
        super().__init__(initiative.id)
        self.initiative = initiative


def union_members(unit_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(User.unit_id == unit_id, User.active.is_(True))
                                   .order_by(User.full_name)))


def collectives(unit_id: int) -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.parent_id == unit_id, Unit.kind == UnitKind.COLLECTIVE)
                                   .order_by(Unit.name)))


def by_key(key: str | None) -> Initiative | None:
    if not key or len(key) > 64 or has_nul(key):  # no stored key is like that (the form says why)
        return None
    return db.session.scalar(select(Initiative).where(Initiative.submit_key == key))


def prepare_form(form: InitiativeForm, user: User, initiative: Initiative | None) -> None:
    """Choices that depend on who is typing: a helper picks the author among their union's members."""
    unit_id = initiative.unit_id if initiative else user.unit_id
    if user.role == Role.HELPER:
        form.author_id.choices = [("", _("— Chọn đoàn viên —"))] + [
            (str(m.id), f"{m.full_name}{' — ' + m.position if m.position else ''}") for m in union_members(unit_id)]
    form.collective_unit_id.choices = [("", _("— Không —"))] + [(str(u.id), u.name) for u in collectives(unit_id)]


def load_form(form: InitiativeForm, initiative: Initiative) -> None:
    """Fill a GET form from a saved initiative."""
    for name in TEXT_FIELDS:
        getattr(form, name).data = getattr(initiative, name)
    form.applied_since.data = initiative.applied_since
    form.estimated_value.data = initiative.estimated_value
    form.submit_key.data = initiative.submit_key
    form.author_id.data = str(initiative.author_id)
    people = [a for a in initiative.authors if not a.is_collective]
    main = next((a for a in people if a.user_id == initiative.author_id), None)
    form.author_share.data = main.share_percent if main else 100
    co_authors = [a for a in people if a is not main]
    while len(form.authors) < len(co_authors) + 1:
        form.authors.append_entry()
    for row, author in zip(form.authors, co_authors):
        row.form.full_name.data = author.full_name
        row.form.job_title.data = author.job_title
        row.form.share_percent.data = author.share_percent
    collective = next((a for a in initiative.authors if a.is_collective), None)
    form.collective_unit_id.data = str(collective.collective_unit_id) if collective else ""


def _author_for(form: InitiativeForm, user: User, initiative: Initiative | None, complete: bool,
                may_create: bool) -> User:
    """The member credited as author. Members are their own author; helpers choose or add one."""
    if user.role != Role.HELPER:
        return initiative.author if initiative else user
    chosen = form.author_id.data
    if chosen:
        member = db.session.get(User, int(chosen)) if chosen.isdigit() else None
        if member is None or member.unit_id != user.unit_id:
            raise SubmissionError(_("Chỉ được chọn đoàn viên thuộc công đoàn cơ sở của bạn."))
        return member
    if form.new_member_name.data and may_create:
        phone = account_rules.normalise_phone(form.new_member_phone.data) or None
        if phone and account_rules.phone_problem(phone):
            raise SubmissionError(_("Số điện thoại của đoàn viên mới không đúng (10 hoặc 11 chữ số)."))
        if phone and account_rules.login_taken(phone, None)[0]:
            raise SubmissionError(_("Số điện thoại này đã có tài khoản: hãy chọn đoàn viên trong danh sách."))
        member = account_rules.create_user(full_name=form.new_member_name.data, role=Role.MEMBER, unit=user.unit,
                                      phone=phone, position=form.new_member_position.data, created_by=user)
        form.author_id.data = str(member.id)
        form.new_member_name.data = form.new_member_phone.data = form.new_member_position.data = ""
        return member
    if complete:
        raise SubmissionError(_("Vui lòng chọn đoàn viên là tác giả hoặc thêm đoàn viên mới."))
    return initiative.author if initiative else user


def save(form: InitiativeForm, user: User, initiative: Initiative | None, complete: bool = False,
         autosave: bool = False) -> Initiative:
    """Write the form into a draft (creating it on first save). Flushes; the caller commits.

    Autosave never creates the helper's new member: a half-typed name must not become an account.
    """
    author = _author_for(form, user, initiative, complete, may_create=not autosave)
    if initiative is None:
        campaign = campaigns.current(user.unit)
        if campaign is None:
            raise SubmissionError(_("Hiện chưa có chiến dịch nào cho đơn vị của bạn."))
        initiative = Initiative(campaign_id=campaign.id, unit_id=user.unit_id, entered_by_id=user.id,
                                submit_key=form.submit_key.data or None, status=Status.DRAFT, author_id=author.id)
        db.session.add(initiative)
        try:
            db.session.flush()  # the unique key decides, here, which of two racing requests owns the draft
        except IntegrityError:
            db.session.rollback()
            existing = by_key(form.submit_key.data)
            if existing is None:
                raise
            raise AlreadySaved(existing) from None
    initiative.author_id = author.id
    for name in TEXT_FIELDS:
        setattr(initiative, name, getattr(form, name).data or "")
    initiative.applied_since = form.applied_since.data
    initiative.estimated_value = form.estimated_value.data if isinstance(form.estimated_value.data, int) else None
    initiative.title_folded = fold(initiative.title)[:300]
    initiative.text_folded = fold(" ".join([initiative.title, initiative.current_situation, initiative.solution]))
    _write_authors(form, initiative, author)
    db.session.flush()
    return initiative


def _write_authors(form: InitiativeForm, initiative: Initiative, author: User) -> None:
    rows = [InitiativeAuthor(user_id=author.id, full_name=author.full_name, job_title=author.position or "",
                             share_percent=form.author_share.data or 0, position_order=0)]
    for order, row in enumerate(form.filled_authors(), start=1):
        rows.append(InitiativeAuthor(full_name=row.full_name.data or "", job_title=row.job_title.data or "",
                                     share_percent=row.share_percent.data or 0, position_order=order))
    collective_id = form.collective_unit_id.data
    if collective_id and collective_id.isdigit():
        collective = db.session.get(Unit, int(collective_id))
        if collective and collective.parent_id == initiative.unit_id and collective.kind == UnitKind.COLLECTIVE:
            rows.append(InitiativeAuthor(collective_unit_id=collective.id, full_name=collective.name,
                                         share_percent=0, position_order=len(rows)))
    initiative.authors.clear()
    db.session.flush()  # old rows go before the new ones arrive
    initiative.authors.extend(rows)


def submit(initiative: Initiative, user: User) -> None:
    """Submit (or resubmit): keep this version's content and look for near-duplicates."""
    workflow.transition(initiative, Status.SUBMITTED, user)
    number = 1 + (db.session.scalar(select(func.max(InitiativeRevision.number))
                                    .where(InitiativeRevision.initiative_id == initiative.id)) or 0)
    db.session.add(InitiativeRevision(initiative_id=initiative.id, number=number, content=snapshot(initiative)))
    duplicates.index(initiative)


def snapshot(initiative: Initiative) -> dict:
    content = {name: getattr(initiative, name) for name in TEXT_FIELDS}
    content["applied_since"] = initiative.applied_since.isoformat() if initiative.applied_since else None
    content["estimated_value"] = initiative.estimated_value
    content["authors"] = [[a.full_name, a.share_percent] for a in initiative.authors]
    return content


def precheck(initiative: Initiative) -> list[str]:
    """What still stops a draft from being submitted, for the author and the support team."""
    values = {name: getattr(initiative, name) for name in (*TEXT_FIELDS, "applied_since")}
    problems = [str(message) for _, message in missing_items(values)]
    share = shares_problem(sum(a.share_percent for a in initiative.authors if not a.is_collective))
    return problems + [share] if share else problems


@dataclass
class SimilarInitiative:
    initiative: Initiative
    similarity: float  # share of the typed words found in its title
    shows_status: bool = False  # only to those who may open the initiative itself


HINT_WINDOW = 20_000


def similar(text: str, viewer: User, campaign_id: int | None = None, exclude_id: int | None = None,
            limit: int = 5, window: int = HINT_WINDOW) -> list[SimilarInitiative]:
    """Submitted initiatives ``viewer`` may see whose title contains the typed words, diacritics and case ignored.

    Members and helpers see what the public sees (valid, shortlisted, awarded: title and unit) plus the
    initiatives they may already open (their own; a helper's union); staff see what is submitted in their scope.
    Ranked by the share of the typed words found (and then by newest), so "cai tien tiep don" finds
    "Cải tiến quy trình tiếp đón bệnh nhân". Substring search cannot use an index, so the hint looks at
    the ``window`` most recent initiatives of the campaign: a bounded cost per keystroke at any scale.
    Older duplicates are still caught at submit time by the MinHash index (app/domain/duplicates.py).
    """
    words = [w for w in fold(text).split() if len(w) >= 2][:12]
    if not words:
        return []
    stmt = select(Initiative).where(Initiative.status.notin_([Status.DRAFT, Status.WITHDRAWN]),
                                    or_(Initiative.status.in_(policy.PUBLIC_STATUSES), policy.viewable_clause(viewer)))
    recent = select(Initiative.id)
    if campaign_id:
        stmt = stmt.where(Initiative.campaign_id == campaign_id)
        recent = recent.where(Initiative.campaign_id == campaign_id)
    oldest = db.session.scalar(recent.order_by(Initiative.id.desc()).offset(window).limit(1))
    if oldest is not None:
        stmt = stmt.where(Initiative.id > oldest)
    if exclude_id:
        stmt = stmt.where(Initiative.id != exclude_id)
    # Candidates share at least half of the typed words (all of them for a short query).
    needed = len(words) if len(words) <= 2 else (len(words) + 1) // 2
    matched = sum(case((Initiative.title_folded.contains(w, autoescape=True), 1), else_=0) for w in words)
    stmt = stmt.add_columns(matched.label("matched")).where(matched >= needed)
    rows = db.session.execute(stmt.order_by(matched.desc(), Initiative.id.desc()).limit(limit)
                              .options(selectinload(Initiative.unit))).all()
    typed = set(words)
    found = []
    for item, _matched in rows:
        may_open = policy.can_view_initiative(viewer, item)
        if may_open or policy.is_public(item):
            found.append(SimilarInitiative(item, len(typed & set(item.title_folded.split())) / len(typed),
                                           shows_status=may_open))
    return found


def mine(user: User) -> list[Initiative]:
    co_authored = select(InitiativeAuthor.initiative_id).where(InitiativeAuthor.user_id == user.id)
    stmt = (select(Initiative).where(or_(Initiative.author_id == user.id, Initiative.entered_by_id == user.id,
                                         Initiative.id.in_(co_authored)))
            .where(Initiative.status != Status.WITHDRAWN).options(selectinload(Initiative.entered_by))
            .order_by(Initiative.updated_at.desc()).limit(200))
    return list(db.session.scalars(stmt))


def of_union(unit_id: int, status: str | None = None) -> tuple[list[Initiative], dict[str, int]]:
    counts = dict(db.session.execute(select(Initiative.status, func.count()).where(Initiative.unit_id == unit_id)
                                     .group_by(Initiative.status)).all())
    stmt = select(Initiative).where(Initiative.unit_id == unit_id).options(
        selectinload(Initiative.author), selectinload(Initiative.entered_by), selectinload(Initiative.authors))
    if status:
        stmt = stmt.where(Initiative.status == status)
    return list(db.session.scalars(stmt.order_by(Initiative.updated_at.desc()).limit(300))), counts

