"""Commendation: candidates by normalised score, shortlist, pairwise rounds, awards with quotas, exports."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from .. import pdf as documents
from ..domain import announce, pairwise, scoring, tallies, workflow
from ..domain.catalog import FIELDS
from ..domain.units import subtree_filter
from ..exports import csv_bytes, xlsx_bytes
from ..extensions import db
from ..models import (
    Award,
    AwardLevel,
    Campaign,
    Feature,
    Initiative,
    PairwiseRound,
    PairwiseVote,
    ShortlistNote,
    Status,
    Unit,
    User,
    utcnow,
)
from ..policy import in_scope, in_scope_clause, top_unit

# The campaign letter's focus sectors, as groups of fields.
SECTORS = {
    "production": ("production", "agriculture", "safety"),
    "education": ("education",),
    "health": ("health",),
}


class AwardProblem(Exception):
    """A rule of commendation the request breaks; the message is for the organizer."""


@dataclass
class Candidate:
    initiative: Initiative
    z_mean: float | None
    raw_mean: float | None
    spread: int
    reviews: int
    note: str


PAGE_SIZE = 25  # candidates per page: about 25 KB of HTML, a few screens on a phone


@dataclass
class CandidatePage:
    items: list[Candidate]
    page: int   # 1-based, within 1..pages
    pages: int  # at least 1
    total: int


def _ranked_select(user: User, campaign: Campaign, field: str | None = None, sector: str | None = None,
                   unit: Unit | None = None, statuses: Sequence[str] = tallies.VALID_STATUSES):
    """The candidates of the scope ranked in SQL over the whole campaign: z mean, then raw mean, best first,
    unscored last; the id settles ties. Rows: (initiative, z mean, raw mean, spread, reviews, note)."""
    scores = scoring.aggregates_subquery(campaign.id)
    stmt = (select(Initiative, scores.c.z_mean, scores.c.raw_mean, scores.c.spread, scores.c.reviews,
                   ShortlistNote.note)
            .outerjoin(scores, scores.c.initiative_id == Initiative.id)
            .outerjoin(ShortlistNote, ShortlistNote.initiative_id == Initiative.id)
            .where(Initiative.campaign_id == campaign.id, Initiative.status.in_(statuses),
                   in_scope_clause(user, unit))
            .order_by(case((scores.c.z_mean.is_(None), 1), else_=0), scores.c.z_mean.desc(),
                      scores.c.raw_mean.desc(), Initiative.id))
    if field:
        stmt = stmt.where(Initiative.field == field)
    elif sector in SECTORS:
        stmt = stmt.where(Initiative.field.in_(SECTORS[sector]))
    return stmt


def _as_candidate(row) -> Candidate:
    initiative, z_mean, raw_mean, spread, reviews, note = row
    return Candidate(initiative, z_mean, raw_mean, spread or 0, reviews or 0, note or "")


def _total(user: User, campaign: Campaign, field: str | None, sector: str | None, unit: Unit | None) -> int:
    """How many candidates the filters hold, read from the tallies (valid, shortlisted and awarded are the "valid"
    counter): the scope's own row, or its cohort rows by field."""
    top = unit or top_unit(user, campaign.unit)
    if top is None:
        return 0
    fields = (field,) if field else SECTORS.get(sector or "")
    if fields:
        by_field = tallies.field_counts(campaign.id, top.id)
        return sum(by_field[f].valid for f in fields if f in by_field)
    tally = tallies.for_unit(campaign.id, top.id)
    return tally.valid if tally else 0


def candidate_page(user: User, campaign: Campaign, field: str | None = None, sector: str | None = None,
                   unit: Unit | None = None, page: int = 1, per_page: int | None = None) -> CandidatePage:
    """One page of the ranking; a page beyond the last is the last one. The same few queries for any size."""
    per_page = per_page or PAGE_SIZE
    total = _total(user, campaign, field, sector, unit)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = db.session.execute(_ranked_select(user, campaign, field, sector, unit)
                              .options(joinedload(Initiative.unit))  # the row shows the unit's name
                              .limit(per_page).offset((page - 1) * per_page))
    return CandidatePage([_as_candidate(row) for row in rows], page, pages, total)


def shortlist_ids(user: User, campaign: Campaign) -> list[int]:
    """The scope's shortlisted initiatives, best first (the same SQL ranking as the candidates' pages)."""
    return [row[0].id for row in db.session.execute(_ranked_select(user, campaign, statuses=(Status.SHORTLISTED,)))]


def as_candidates(campaign: Campaign, items: Sequence[Initiative]) -> list[Candidate]:
    """Initiatives with their score aggregates and shortlist notes."""
    scores = scoring.aggregates(campaign.id, [i.id for i in items])
    notes: dict[int, str] = {row.initiative_id: row.note for row in db.session.execute(
        select(ShortlistNote.initiative_id, ShortlistNote.note)
        .where(ShortlistNote.initiative_id.in_([i.id for i in items])))}
    return [Candidate(i, scores[i.id].z_mean, scores[i.id].raw_mean, scores[i.id].spread, scores[i.id].count,
                      notes.get(i.id, "")) for i in items]


def candidate(initiative: Initiative) -> Candidate:
    return as_candidates(initiative.campaign, [initiative])[0]


def scope_unit(user: User, unit_id: int | None) -> Unit | None:
    """The unit a candidates filter names, if it is in the user's scope (else no filter)."""
    unit = db.session.get(Unit, unit_id) if unit_id else None
    return unit if unit is not None and in_scope(user, unit) else None


def any_unit(unit_id: int | None) -> Unit | None:
    return db.session.get(Unit, unit_id) if unit_id else None


def child_units(parent: Unit) -> list[Unit]:
    """The units a filter offers under ``parent``, by name."""
    return list(db.session.scalars(select(Unit).where(Unit.parent_id == parent.id).order_by(Unit.name)))


def toggle_shortlist(user: User, initiative: Initiative, note: str | None) -> None:
    if initiative.status == Status.VALID:
        workflow.transition(initiative, Status.SHORTLISTED, user)
    elif initiative.status == Status.SHORTLISTED:
        if active_awards(initiative):
            raise AwardProblem(_("Sáng kiến đã có quyết định khen thưởng."))
        workflow.transition(initiative, Status.VALID, user)
    else:
        raise AwardProblem(_("Chỉ sáng kiến hợp lệ mới được đưa vào danh sách đề cử."))
    save_note(user, initiative, note)


def save_note(user: User, initiative: Initiative, note: str | None) -> None:
    """Write the organizers' note (None: leave it as it is)."""
    if note is None:
        return
    row = db.session.get(ShortlistNote, initiative.id)
    if row is None:
        db.session.add(ShortlistNote(initiative_id=initiative.id, note=note, updated_by_id=user.id))
    else:
        row.note, row.updated_by_id = note, user.id


def levels(campaign: Campaign) -> list[AwardLevel]:
    """The campaign's award levels (a new campaign starts with the defaults: domain.campaigns.add_defaults)."""
    return list(db.session.scalars(select(AwardLevel).where(AwardLevel.campaign_id == campaign.id)
                                   .order_by(AwardLevel.position)))


def levels_in_use(campaign: Campaign) -> list[tuple[AwardLevel, int]]:
    """Each level with the number of awards standing at it."""
    return [(level, used(level)) for level in levels(campaign)]


def save_level(campaign: Campaign, level_id: int | None, name: str, issuer: str, quota: int | None) -> AwardLevel:
    """Add a level (no ``level_id``), or change one; ``quota`` None means no limit, and a quota may not drop
    below the awards already made at that level."""
    if level_id:
        level = db.session.get(AwardLevel, level_id)
        if level is None or level.campaign_id != campaign.id:
            raise AwardProblem(_("Hình thức khen thưởng không thuộc chiến dịch này."))
    else:
        level = AwardLevel(campaign_id=campaign.id, position=len(levels(campaign)))
        db.session.add(level)
    if quota is not None and level.id and used(level) > quota:
        raise AwardProblem(_("Đã có %(n)s khen thưởng ở mức này: số lượng không thể nhỏ hơn.", n=used(level)))
    level.name, level.issuer, level.quota = name, issuer, quota
    return level


def used(level: AwardLevel) -> int:
    return db.session.scalar(select(func.count()).select_from(Award).where(Award.level_id == level.id,
                                                                            Award.revoked_at.is_(None))) or 0


def active_awards(initiative: Initiative) -> list[Award]:
    return list(db.session.scalars(select(Award).where(Award.initiative_id == initiative.id,
                                                       Award.revoked_at.is_(None)).order_by(Award.id)))


def recipients(initiative: Initiative) -> list[tuple[str, str]]:
    """(key, label) choices: each person author and the collective, if any."""
    choices = []
    for author in initiative.authors:
        if author.is_collective:
            choices.append((f"c{author.collective_unit_id}", f"{author.full_name} ({_('tập thể')})"))
        else:
            choices.append((f"a{author.id}", author.full_name))
    return choices


def grant(user: User, initiative: Initiative, level_id: int, chosen: list[str], decision_number: str,
          decision_date: date) -> list[Award]:
    """Award the chosen authors/collective (keys from ``recipients``) at the level ``level_id`` of the
    initiative's campaign. Only a shortlisted (or already awarded) initiative qualifies."""
    if initiative.status not in (Status.SHORTLISTED, Status.AWARDED):
        raise AwardProblem(_("Chỉ khen thưởng sáng kiến đã vào danh sách đề cử (không phải sáng kiến đã rút, "
                             "không hợp lệ hay chưa thẩm định)."))
    level = db.session.get(AwardLevel, level_id)
    if level is None:
        raise AwardProblem(_("Vui lòng chọn hình thức khen thưởng."))
    if level.campaign_id != initiative.campaign_id:
        raise AwardProblem(_("Hình thức khen thưởng không thuộc chiến dịch này."))
    if not chosen:
        raise AwardProblem(_("Hãy chọn ít nhất một người hoặc tập thể được khen."))
    if level.quota is not None and used(level) + len(chosen) > level.quota:
        raise AwardProblem(_("Vượt số lượng %(level)s: còn %(left)s suất.", level=level.name,
                             left=max(0, level.quota - used(level))))
    authors = {f"a{a.id}": a for a in initiative.authors if not a.is_collective}
    collectives = {f"c{a.collective_unit_id}": a for a in initiative.authors if a.is_collective}
    made = []
    for key in chosen:
        if key in authors:
            author = authors[key]
            award = Award(recipient_kind="individual", recipient_name=author.full_name,
                          recipient_title=author.job_title, recipient_user_id=author.user_id)
        elif key in collectives:
            award = Award(recipient_kind="collective", recipient_name=collectives[key].full_name,
                          collective_unit_id=collectives[key].collective_unit_id)
        else:
            raise AwardProblem(_("Người được khen phải là tác giả hoặc tập thể tác giả của sáng kiến."))
        award.level_id, award.initiative_id, award.unit_name = level.id, initiative.id, initiative.unit.name
        award.decision_number, award.decision_date = decision_number, decision_date
        award.created_by_id = user.id
        db.session.add(award)
        made.append(award)
    if initiative.status == Status.SHORTLISTED:
        workflow.transition(initiative, Status.AWARDED, user, message=decision_number)
    announce.awarded(initiative, level.name, level.id, user)  # also a second grant, at another level
    return made


def revoke(user: User, award: Award) -> None:
    """Withdraw one award (kept, marked revoked); the initiative's status stays as it is."""
    award.revoked_at, award.revoked_by_id = utcnow(), user.id


def award_list(campaign: Campaign, user: User) -> list[Award]:
    return list(db.session.scalars(
        select(Award).join(AwardLevel).join(Initiative, Initiative.id == Award.initiative_id)
        .where(AwardLevel.campaign_id == campaign.id, Award.revoked_at.is_(None), in_scope_clause(user))
        .order_by(AwardLevel.position, Award.decision_number, Award.id)))


ANNEX_HEADERS = ("STT", "Họ và tên / Tập thể", "Chức vụ", "Đơn vị", "Tên sáng kiến", "Lĩnh vực",
                 "Hình thức khen thưởng", "Cấp khen", "Số quyết định", "Ngày quyết định")


def annex_rows(awards: list[Award]) -> list[list]:
    return [[n, a.recipient_name, a.recipient_title, a.unit_name, a.initiative.title,
             str(FIELDS.get(a.initiative.field, "")), a.level.name, a.level.issuer, a.decision_number,
             a.decision_date] for n, a in enumerate(awards, start=1)]


def annex_xlsx(campaign: Campaign, awards: list[Award]) -> bytes:
    heading = [f"DANH SÁCH KHEN THƯỞNG — {campaign.name.upper()}", "(Kèm theo quyết định khen thưởng)"]
    widths: dict[str, float] = dict(zip("ABCDEFGHIJ", (5, 28, 18, 34, 44, 20, 14, 26, 14, 14)))
    return xlsx_bytes("Phụ lục", heading, ANNEX_HEADERS, annex_rows(awards), widths)


def annex_csv(awards: list[Award]) -> bytes:
    return csv_bytes(ANNEX_HEADERS, annex_rows(awards))


def certificate_lines(award: Award) -> dict:
    """What the certificate says, shared by the print page and the PDF."""
    return {
        "issuer": award.level.issuer.upper(),
        "title": award.level.name.upper(),
        "intro": "Tặng" if award.recipient_kind == "individual" else "Tặng tập thể",
        "name": award.recipient_name,
        "position": award.recipient_title,
        "unit": award.unit_name,
        "reason": f"Đã có sáng kiến “{award.initiative.title}” tiêu biểu trong {award.initiative.campaign.name}.",
        "decision": f"Quyết định số {award.decision_number}, ngày {award.decision_date:%d/%m/%Y}",
        "slogan": "Tự hào trí tuệ lao động Việt Nam",
    }


def certificate_pdf(award: Award) -> bytes:
    lines = certificate_lines(award)
    pdf = documents.document("L")
    pdf.set_auto_page_break(False)
    pdf.set_margins(25, 20, 25)
    pdf.add_page()
    pdf.set_draw_color(179, 38, 30)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, 277, 190)
    pdf.set_line_width(0.4)
    pdf.rect(14, 14, 269, 182)

    def line(text: str, size: int, style: str = "", gap: float = 4, color=(29, 39, 51)) -> None:
        pdf.set_font(documents.FONT, style, size)
        pdf.set_text_color(*color)
        pdf.multi_cell(0, size * 0.5, text, align="C")
        pdf.ln(gap)

    pdf.set_y(26)
    line(lines["issuer"], 14, "B", 2)
    line("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM — Độc lập - Tự do - Hạnh phúc", 10, "", 10)
    line(lines["title"], 34, "B", 8, (179, 38, 30))
    line(lines["intro"], 13, "", 2)
    line(lines["name"], 24, "B", 2)
    if lines["position"]:
        line(lines["position"], 12, "", 1)
    line(lines["unit"], 13, "", 6)
    line(lines["reason"], 13, "", 8)
    line(lines["decision"], 11, "", 6)
    line(lines["slogan"], 11, "", 0, (91, 102, 117))
    return documents.output(pdf)


# --- pairwise rounds -------------------------------------------------------------------------------------------

def rounds(user: User, campaign: Campaign) -> list[PairwiseRound]:
    """The campaign's judging rounds the user may open, newest first."""
    found = db.session.scalars(select(PairwiseRound).where(PairwiseRound.campaign_id == campaign.id)
                               .order_by(PairwiseRound.id.desc()))
    return [judging for judging in found if in_scope(user, judging.unit)]


def create_round(user: User, campaign: Campaign, name: str) -> PairwiseRound:
    """A round over the scope's shortlist (``name`` blank: the campaign's name)."""
    members = shortlist_ids(user, campaign)
    if len(members) < 2:
        raise AwardProblem(_("Cần ít nhất hai sáng kiến trong danh sách đề cử để so sánh từng cặp."))
    scope = user.scope or campaign.unit
    judging = PairwiseRound(campaign_id=campaign.id, unit_id=scope.id, name=name or campaign.name,
                            initiative_ids=members, created_by_id=user.id)
    db.session.add(judging)
    db.session.flush()
    return judging


def votes(judging: PairwiseRound) -> list[PairwiseVote]:
    return list(db.session.scalars(select(PairwiseVote).where(PairwiseVote.round_id == judging.id)))


def next_pair(judging: PairwiseRound, judge: User) -> list[Initiative]:
    """The two initiatives the judge compares next, or [] when they have compared every pair."""
    all_votes = votes(judging)
    mine = {(v.first_id, v.second_id) for v in all_votes if v.judge_id == judge.id}
    pair = pairwise.next_pair(judging.initiative_ids, [(v.first_id, v.second_id) for v in all_votes], mine)
    if pair is None:
        return []
    found = {i.id: i for i in db.session.scalars(select(Initiative).where(Initiative.id.in_(pair)))}
    return [found[i] for i in pair] if all(i in found for i in pair) else []


def vote(judging: PairwiseRound, judge: User, first_id: int, second_id: int, winner_id: int) -> None:
    pair = tuple(sorted((first_id, second_id)))
    if pair[0] == pair[1] or not set(pair) <= set(judging.initiative_ids) or winner_id not in pair:
        raise AwardProblem(_("Cặp so sánh không hợp lệ."))
    exists = db.session.scalar(select(PairwiseVote.id).where(
        PairwiseVote.round_id == judging.id, PairwiseVote.judge_id == judge.id, PairwiseVote.first_id == pair[0],
        PairwiseVote.second_id == pair[1]))
    if exists:
        return  # a double click: the first vote stands
    db.session.add(PairwiseVote(round_id=judging.id, judge_id=judge.id, first_id=pair[0], second_id=pair[1],
                                winner_id=winner_id))


def round_ranking(judging: PairwiseRound) -> list[tuple[Initiative, float, int]]:
    all_votes = votes(judging)
    wins = [(v.winner_id, v.second_id if v.winner_id == v.first_id else v.first_id) for v in all_votes]
    played: dict[int, int] = {}
    for v in all_votes:
        played[v.first_id] = played.get(v.first_id, 0) + 1
        played[v.second_id] = played.get(v.second_id, 0) + 1
    items = {i.id: i for i in db.session.scalars(select(Initiative).where(
        Initiative.id.in_(judging.initiative_ids)))}
    return [(items[i], strength, played.get(i, 0)) for i, strength in pairwise.ranking(judging.initiative_ids, wins)
            if i in items]


# --- gallery -------------------------------------------------------------------------------------------------

def gallery(field: str | None = None, unit: Unit | None = None) -> list[Feature]:
    stmt = (select(Feature).join(Initiative).where(Feature.published.is_(True))
            .order_by(Feature.created_at.desc(), Feature.id.desc()).limit(60))
    if field:
        stmt = stmt.where(Initiative.field == field)
    if unit is not None:
        stmt = stmt.where(Initiative.unit_id.in_(select(Unit.id).where(subtree_filter(unit))))
    return list(db.session.scalars(stmt))


def feature_of(initiative: Initiative) -> Feature | None:
    return db.session.scalar(select(Feature).where(Feature.initiative_id == initiative.id))


def feature(user: User, initiative: Initiative, story: str) -> Feature:
    """Publish (or republish) the initiative in the gallery with ``story``."""
    if initiative.status not in tallies.VALID_STATUSES:
        raise AwardProblem(_("Chỉ giới thiệu sáng kiến hợp lệ."))
    row = feature_of(initiative)
    if row is None:
        row = Feature(initiative_id=initiative.id, created_by_id=user.id, story=story)
        db.session.add(row)
    else:
        row.story, row.published = story, True
    db.session.flush()
    return row


def unpublish(row: Feature) -> None:
    row.published = False
