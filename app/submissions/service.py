"""Submitting initiatives: drafts keyed by a one-time key, authors, attachments, the submit check, lists.

The save path is one call: ``save(data, user, initiative)`` writes the draft (or the draft a racing request with
the same key made first), its authors and files, checks what a submission needs and submits when asked and
complete. It takes plain data (``InitiativeData``) and returns what happened (``Saved``); the route translates
the form into data and the result back into the form.
"""
from __future__ import annotations

import dataclasses
import functools
import operator
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import FileStorage

from .. import policy
from ..domain import accounts as account_rules
from ..domain import announce, campaigns, duplicates, eligibility, tallies, uploads, workflow
from ..domain.text import fold, nfc
from ..extensions import db
from ..fields import has_nul
from ..models import (
    Attachment,
    EligibilityRule,
    Initiative,
    InitiativeAuthor,
    InitiativeRevision,
    Role,
    Status,
    Unit,
    UnitKind,
    User,
)
from .rules import REQUIRED_FIELDS, eligibility_problems, missing_items, shares_problem

TEXT_FIELDS = ("title", "field", "current_situation", "solution", "application_scope", "effectiveness")


class SubmissionError(Exception):
    """A problem the user must fix; the message is shown on the form."""


class AlreadySaved(Exception):
    """A parallel request with the same one-time key (double click, retry) created the initiative first, and it
    can no longer be edited (it was submitted meanwhile)."""

    def __init__(self, initiative: Initiative):
        super().__init__(initiative.id)
        self.initiative = initiative


@dataclass
class CoAuthor:
    full_name: str
    job_title: str
    share_percent: int | None


@dataclass
class NewMember:
    """A member the support team adds while entering their initiative (an account without a password)."""

    full_name: str
    phone: str = ""
    position: str = ""


@dataclass
class InitiativeData:
    """An initiative as typed: the texts, the authors (the helper's choice or new member), the files."""

    submit_key: str | None = None
    title: str = ""
    field: str = ""
    current_situation: str = ""
    solution: str = ""
    application_scope: str = ""
    effectiveness: str = ""
    applied_since: date | None = None
    estimated_value: int | None = None
    author_share: int | None = None
    co_authors: list[CoAuthor] = dataclasses.field(default_factory=list)  # filled rows only, in their order
    collective_unit_id: int | None = None
    author_id: int | None = None  # a helper's pick among their union's members
    new_member: NewMember | None = None  # or the member a helper adds
    confirm_original: bool = False
    new_files: list[FileStorage] = dataclasses.field(default_factory=list)
    remove_attachment_ids: list[int] = dataclasses.field(default_factory=list)
    # The evidence rules ticked ("Tôi xác nhận: …"); None when the page sent none of them (left as stored).
    evidence_declared: list[int] | None = None


@dataclass
class SubmitCheck:
    """What stops a submission, by field; empty when it may be submitted."""

    problems: dict[str, str] = dataclasses.field(default_factory=dict)  # field name → message
    unnamed_co_authors: list[int] = dataclasses.field(default_factory=list)  # positions in ``co_authors``
    shares: str | None = None
    author_share: int | None = None  # the author's share as counted (100 when alone and left blank)
    missing_evidence: list[int] = dataclasses.field(default_factory=list)  # evidence rules not declared yet

    @property
    def ok(self) -> bool:
        return not (self.problems or self.unnamed_co_authors or self.shares)


@dataclass
class Saved:
    initiative: Initiative
    author: User
    created_member: bool = False  # the helper's new member was created by this save
    upload_errors: list[str] = dataclasses.field(default_factory=list)
    check: SubmitCheck | None = None  # when asked to submit
    submitted: bool = False


def union_members(unit_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(User.unit_id == unit_id, User.active.is_(True))
                                   .order_by(User.full_name)))


def collectives(unit_id: int) -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.parent_id == unit_id, Unit.kind == UnitKind.COLLECTIVE)
                                   .order_by(Unit.name)))


def author_choices(user: User, initiative: Initiative | None) -> tuple[list[User] | None, list[Unit]]:
    """Who the form offers as author (a helper picks among their union's members; None: the user is the author)
    and as collective author, for an initiative of ``initiative``'s union (the user's own for a new one)."""
    unit_id = initiative.unit_id if initiative else user.unit_id
    if unit_id is None:
        return None, []
    return (union_members(unit_id) if user.role == Role.HELPER else None), collectives(unit_id)


def by_key(key: str | None) -> Initiative | None:
    if not key or len(key) > 64 or has_nul(key):  # no stored key is like that (the form says why)
        return None
    return db.session.scalar(select(Initiative).where(Initiative.submit_key == key))


def save(data: InitiativeData, user: User, initiative: Initiative | None, *, submitting: bool = False,
         autosave: bool = False) -> Saved:
    """Save ``data`` as a draft (creating it on first save), then submit it when ``submitting`` and complete.

    A request that loses the race for a new draft's key (an autosave still in flight, a double click) writes into
    the draft that won, so the latest typing is kept; AlreadySaved only when that draft is no longer editable.
    Autosave keeps to the typing: it never creates the helper's new member (a half-typed name must not become an
    account) and leaves the files alone. Raises SubmissionError (nothing written) for a problem the user must
    fix, workflow.AlreadyDecided when someone submitted meanwhile. Flushes; the caller commits.
    """
    try:
        saved = _write(data, user, initiative, complete=submitting, may_create=not autosave)
    except AlreadySaved as race:
        if not policy.can_edit_initiative(user, race.initiative):
            raise
        saved = _write(data, user, race.initiative, complete=submitting, may_create=not autosave)
    if not autosave:
        saved.upload_errors = _store_files(data, saved.initiative, user)
    if submitting:
        saved.check = submit_check(data, saved.initiative)
        if saved.check.ok and not saved.upload_errors:
            submit(saved.initiative, user)
            saved.submitted = True
    return saved


def _write(data: InitiativeData, user: User, initiative: Initiative | None, *, complete: bool,
           may_create: bool) -> Saved:
    author, created = _author_for(data, user, initiative, complete, may_create)
    if initiative is None:
        initiative = _new_draft(data, user, author)
    initiative.author_id = author.id
    counted_field = initiative.field
    for name in TEXT_FIELDS:
        setattr(initiative, name, getattr(data, name) or "")
    tallies.change_field(initiative, counted_field)  # a returned initiative edited into another field
    initiative.applied_since = data.applied_since
    initiative.estimated_value = data.estimated_value
    if data.evidence_declared is not None:
        declared = eligibility.declared_ids(eligibility.rules_for(initiative.campaign), data.evidence_declared)
        if declared != (initiative.evidence_declared or []):
            initiative.evidence_declared = declared
    initiative.title_folded = fold(initiative.title)[:300]
    initiative.text_folded = fold(" ".join([initiative.title, initiative.current_situation, initiative.solution]))
    added = _write_authors(data, initiative, author)
    db.session.flush()
    announce.coauthors_added(initiative, added, user)
    return Saved(initiative, author, created_member=created)


def _new_draft(data: InitiativeData, user: User, author: User) -> Initiative:
    campaign = campaigns.current(user.unit) if user.unit else None
    if campaign is None:
        raise SubmissionError(_("Hiện chưa có chiến dịch nào cho đơn vị của bạn."))
    initiative = Initiative(campaign_id=campaign.id, unit_id=user.unit_id, entered_by_id=user.id,
                            submit_key=data.submit_key or None, status=Status.DRAFT, author_id=author.id)
    db.session.add(initiative)
    try:
        db.session.flush()  # the unique key decides, here, which of two racing requests owns the draft
    except IntegrityError:
        db.session.rollback()
        existing = by_key(data.submit_key)
        if existing is None:
            raise
        raise AlreadySaved(existing) from None
    return initiative


def _author_for(data: InitiativeData, user: User, initiative: Initiative | None, complete: bool,
                may_create: bool) -> tuple[User, bool]:
    """The member credited as author, and whether this save created them. Members are their own author;
    helpers choose or add one."""
    current = initiative.author if initiative else user
    if user.role != Role.HELPER:
        return current, False
    if data.author_id is not None:
        member = db.session.get(User, data.author_id)
        if member is None or member.unit_id != user.unit_id:
            raise SubmissionError(_("Chỉ được chọn đoàn viên thuộc công đoàn cơ sở của bạn."))
        return member, False
    if data.new_member is not None and may_create:
        return _new_member(data.new_member, user), True
    if complete:
        raise SubmissionError(_("Vui lòng chọn đoàn viên là tác giả hoặc thêm đoàn viên mới."))
    return current, False


def _new_member(typed: NewMember, helper: User) -> User:
    """An account for a member of the helper's union, under the rules of every account; the phone is optional
    (the member claims the account later with a one-time code)."""
    checked = account_rules.check(account_rules.AccountData(
        full_name=typed.full_name, role=Role.MEMBER, phone=typed.phone,
        unit_code=helper.unit.code if helper.unit else None))
    problems = dict(checked.problems)
    phone = checked.data.phone
    if not phone:
        problems.pop("phone", None)  # "a phone or an e-mail to sign in" does not apply here
    elif "phone" in problems:
        raise SubmissionError(_("Số điện thoại của đoàn viên mới không đúng (10 hoặc 11 chữ số).")
                              if account_rules.phone_problem(phone)
                              else _("Số điện thoại này đã có tài khoản: hãy chọn đoàn viên trong danh sách."))
    if problems:
        raise SubmissionError(next(iter(problems.values())))
    return account_rules.create_user(full_name=checked.data.full_name, role=Role.MEMBER, unit=checked.unit,
                                     phone=phone, position=typed.position, created_by=helper)


def _name_key(name: str) -> str:
    return " ".join(nfc(name or "").split())


def _accounts_named(initiative: Initiative, names: list[str], author: User) -> dict[str, int]:
    """Co-authors typed by name → the account they are: the one active member of the initiative's union with
    exactly that name (spacing aside), never the author; a name two members share links no one."""
    keys = {_name_key(name) for name in names} - {""}
    if not keys or initiative.unit_id is None:
        return {}
    found: dict[str, list[int]] = {}
    for user_id, full_name in db.session.execute(select(User.id, User.full_name).where(
            User.unit_id == initiative.unit_id, User.active.is_(True), User.id != author.id,
            User.full_name.in_(sorted(keys)))):
        found.setdefault(_name_key(full_name), []).append(user_id)
    return {key: ids[0] for key, ids in found.items() if len(ids) == 1}


def _write_authors(data: InitiativeData, initiative: Initiative, author: User) -> list[User]:
    """Rewrite the author rows; returns the people with an account who were not co-authors before this save.

    A co-author row keeps the account it had when its name is unchanged (the demo's co-authors, an account
    linked earlier), else it is linked by name to a member of the union (``_accounts_named``).
    """
    before = {_name_key(a.full_name): a.user_id for a in initiative.authors
              if a.user_id is not None and a.user_id != author.id and not a.is_collective}
    named = _accounts_named(initiative, [c.full_name for c in data.co_authors if _name_key(c.full_name) not in before],
                            author)
    rows = [InitiativeAuthor(user_id=author.id, full_name=author.full_name, job_title=author.position or "",
                             share_percent=data.author_share or 0, position_order=0)]
    linked: list[int] = []
    for order, co_author in enumerate(data.co_authors, start=1):
        key = _name_key(co_author.full_name)
        user_id = before.get(key) or named.get(key)
        if user_id in linked or user_id == author.id:  # one person, one row of credit
            user_id = None
        if user_id is not None:
            linked.append(user_id)
        rows.append(InitiativeAuthor(full_name=co_author.full_name, job_title=co_author.job_title, user_id=user_id,
                                     share_percent=co_author.share_percent or 0, position_order=order))
    if data.collective_unit_id is not None:
        collective = db.session.get(Unit, data.collective_unit_id)
        if collective and collective.parent_id == initiative.unit_id and collective.kind == UnitKind.COLLECTIVE:
            rows.append(InitiativeAuthor(collective_unit_id=collective.id, full_name=collective.name,
                                         share_percent=0, position_order=len(rows)))
    new = [user_id for user_id in linked if user_id not in before.values()]
    initiative.authors.clear()
    db.session.flush()  # old rows go before the new ones arrive
    initiative.authors.extend(rows)
    return list(db.session.scalars(select(User).where(User.id.in_(new)))) if new else []


def _store_files(data: InitiativeData, initiative: Initiative, user: User) -> list[str]:
    """Drop the attachments ticked for removal and store the new files; the messages of the refused ones."""
    for attachment_id in data.remove_attachment_ids:
        attachment = db.session.get(Attachment, attachment_id)
        if attachment is not None and attachment.initiative_id == initiative.id:
            uploads.remove(attachment)
    errors = []
    for upload in data.new_files:
        try:
            uploads.store(upload, initiative, user)
        except uploads.UploadRejected as rejected:
            errors.append(str(rejected))
    return errors


def form_rules(user: User, initiative: Initiative | None) -> list[EligibilityRule]:
    """The eligibility rules the form explains: those of the initiative's campaign, or of the campaign a new
    draft of ``user`` goes into."""
    campaign = initiative.campaign if initiative else campaigns.current(user.unit) if user.unit else None
    return eligibility.rules_for(campaign)


def submit_check(data: InitiativeData, initiative: Initiative | None = None) -> SubmitCheck:
    """The stricter rules a submission must meet (a draft may be incomplete), with the eligibility rules of the
    saved ``initiative``'s campaign (its applied date, the evidence it declares as stored)."""
    values = {name: getattr(data, name) for name in REQUIRED_FIELDS}
    check = SubmitCheck(problems=dict(missing_items(values)))
    if initiative is not None:
        rules = eligibility.rules_for(initiative.campaign)
        for name, message, rule_id in eligibility_problems(rules, data.applied_since, initiative.evidence_declared,
                                                           eligibility.reference_day(initiative)):
            check.problems.setdefault(name, message)
            if rule_id is not None:
                check.missing_evidence.append(rule_id)
    check.unnamed_co_authors = [n for n, co_author in enumerate(data.co_authors) if not co_author.full_name]
    check.author_share = data.author_share
    if not data.co_authors and not check.author_share:
        check.author_share = 100  # alone and left blank: the whole initiative is theirs
    check.shares = shares_problem((check.author_share or 0) + sum(c.share_percent or 0 for c in data.co_authors))
    if not data.confirm_original:
        check.problems["confirm_original"] = _("Vui lòng xác nhận cam đoan trước khi gửi.")
    return check


def submit(initiative: Initiative, user: User) -> None:
    """Submit (or resubmit): keep this version's content and look for near-duplicates. A support team member's
    first submission for another member tells that member (``announce.entered_on_behalf``)."""
    first = initiative.first_submitted_at is None
    workflow.transition(initiative, Status.SUBMITTED, user)
    announce.entered_on_behalf(initiative, user, first=first)
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


def precheck(initiative: Initiative, rules: list[EligibilityRule] | None = None) -> list[str]:
    """What still stops a draft from being submitted, for the author and the support team: the fields, the
    shares, and the eligibility rules of its campaign (``rules``, when the caller has them already)."""
    values = {name: getattr(initiative, name) for name in (*TEXT_FIELDS, "applied_since")}
    problems = [str(message) for _, message in missing_items(values)]
    share = shares_problem(sum(a.share_percent for a in initiative.authors if not a.is_collective))
    if share:
        problems.append(share)
    if rules is None:
        rules = eligibility.rules_for(initiative.campaign)
    problems += [message for _name, message, _rule in eligibility_problems(
        rules, initiative.applied_since, initiative.evidence_declared, eligibility.reference_day(initiative))]
    return problems


def prechecks(initiatives: list[Initiative]) -> dict[int, list[str]]:
    """``precheck`` of each initiative, reading each campaign's rules once (a support team's list)."""
    rules: dict[int, list[EligibilityRule]] = {}
    found = {}
    for item in initiatives:
        if item.campaign_id not in rules:
            rules[item.campaign_id] = eligibility.rules_for(item.campaign)
        found[item.id] = precheck(item, rules[item.campaign_id])
    return found


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
    matched = functools.reduce(operator.add, [
        case((Initiative.title_folded.contains(w, autoescape=True), 1), else_=0) for w in words])
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


LIST_PAGE = 50  # rows of "my initiatives" and of the union's list per page


def _page(stmt, page: int, per_page: int) -> tuple[list[Initiative], bool]:
    """One page of ``stmt`` and whether another follows (one row more is read to know)."""
    rows = list(db.session.scalars(stmt.limit(per_page + 1).offset((max(1, page) - 1) * per_page)))
    return rows[:per_page], len(rows) > per_page


def mine(user: User, page: int = 1, per_page: int = LIST_PAGE) -> tuple[list[Initiative], bool]:
    """What the user wrote, co-wrote or entered, latest change first: one page, and whether more follow."""
    co_authored = select(InitiativeAuthor.initiative_id).where(InitiativeAuthor.user_id == user.id)
    stmt = (select(Initiative).where(or_(Initiative.author_id == user.id, Initiative.entered_by_id == user.id,
                                         Initiative.id.in_(co_authored)))
            .where(Initiative.status != Status.WITHDRAWN).options(selectinload(Initiative.entered_by))
            .order_by(Initiative.updated_at.desc(), Initiative.id.desc()))
    return _page(stmt, page, per_page)


def of_union(unit_id: int, status: str | None = None, page: int = 1,
             per_page: int = LIST_PAGE) -> tuple[list[Initiative], bool, dict[str, int]]:
    """The union's initiatives (optionally of one status), latest change first: one page, whether more follow,
    and the count per status (drafts and withdrawn ones included, which the tallies do not keep)."""
    counts: dict[str, int] = {status: number for status, number in db.session.execute(
        select(Initiative.status, func.count()).where(Initiative.unit_id == unit_id).group_by(Initiative.status))}
    stmt = select(Initiative).where(Initiative.unit_id == unit_id).options(
        selectinload(Initiative.author), selectinload(Initiative.entered_by), selectinload(Initiative.authors))
    if status:
        stmt = stmt.where(Initiative.status == status)
    items, more = _page(stmt.order_by(Initiative.updated_at.desc(), Initiative.id.desc()), page, per_page)
    return items, more, counts
