"""The Lai Châu demo: the 40-day campaign of letter 900/LĐLĐ, *running*.

The demo clock (app/clock.py) stands on 12/5/2022, day 21 of the 40 (22/4–31/5/2022); the seed stores that day
(``AppSetting("demo_date")``) so that the running app starts its clock there, with a banner on every page. The
letter's figures stay true at the launch: by the end of 22/4/2022 (local time) 1,032 initiatives had been submitted,
715 of them invalid or still under review. From 23/4 to 11/5 the campaign moves on day by day: new submissions
(more of them in the peak weeks and months some districts and sector unions run), the reviewers working through the
queue (first in, first out; less on weekends and on the 30/4–3/5 holiday), returned initiatives edited and sent
again. Nothing is dated after the demo clock's "now": the last event is on 11/5.

Everything is drawn from a fixed random seed, so two fresh databases hold the same demo. It is built through the
domain, as real use would build it: units by ``units.create_unit``, accounts by ``accounts``, every status change by
``workflow.transition`` (which writes the audit rows and moves the tallies and the cohort series), near-duplicate
bands by ``duplicates.index``, attachments by ``uploads.store``. The history is replayed in date order, so the
tallies need no recount afterwards.
"""
from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, insert, select, update
from werkzeug.datastructures import FileStorage

from .. import clock
from ..domain import accounts, campaigns, duplicates, obstacles, reminders, scoring, uploads, workflow
from ..domain.text import fold
from ..domain.units import create_unit
from ..extensions import db
from ..models import (
    AppSetting,
    Award,
    AwardLevel,
    Campaign,
    Delivery,
    EligibilityRule,
    Feature,
    Initiative,
    InitiativeAuthor,
    InitiativeRevision,
    Notification,
    Period,
    ReviewTemplate,
    Role,
    Score,
    Status,
    Target,
    Unit,
    UnitKind,
    User,
)
from . import files, geography, texts
from .programme import APPLIED_FROM, add_national_programme

DEMO_PASSWORD = "SangKien@2022"
ROOT_CODE = "LC"
CAMPAIGN_START, CAMPAIGN_END, GOAL = date(2022, 4, 22), date(2022, 5, 31), 1200
DEMO_DATE = date(2022, 5, 12)  # day 21 of the 40: 19 days left
HISTORY_START = date(2021, 11, 15)  # the online system opened for the programme's phase 1
# Reunification Day and Labour Day, with the two days off that replaced the weekend (2022).
HOLIDAYS = frozenset({date(2022, 4, 30), date(2022, 5, 1), date(2022, 5, 2), date(2022, 5, 3)})


def local(day: date, hour: int = 0, minute: int = 0) -> datetime:
    """A Vietnamese wall-clock time as stored (naive UTC)."""
    return (datetime.combine(day, time(hour, minute), tzinfo=clock.LOCAL_ZONE)
            .astimezone(UTC).replace(tzinfo=None))


LAUNCH_END = local(CAMPAIGN_START + timedelta(days=1))  # the end of 22/4/2022, local time
ACTIVITY_END = local(DEMO_DATE)  # nothing happens after 11/5: whatever the time of day, "now" is later
SETUP = local(date(2021, 10, 4), 8)  # when the units and accounts were entered

# The letter's figures at the launch: 1,032 submitted, 715 of them invalid, pending or returned.
AT_LAUNCH = {Status.VALID: 317, Status.INVALID: 280, Status.SUBMITTED: 370, Status.RETURNED: 65}
DRAFTS_BEFORE, DRAFTS_AFTER = 40, 25
# The pace after the launch: new submissions and decisions per day, for the whole province.
ARRIVALS = {"work": 20.0, "weekend": 8.0, "holiday": 5.0}
DECISIONS = {"work": 46, "weekend": 5, "holiday": 3}
INVALID_REASONS = (("incomplete", 4), ("not_initiative", 3), ("copied", 1))


@dataclass(frozen=True)
class PeakPeriod:
    unit_code: str
    name: str
    kind: str
    start: date
    end: date
    measure: str
    boost: float  # how much more its units submit while it runs
    creator: str  # phone of a demo account or code of a staff account below
    description: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


PERIODS = (
    PeakPeriod("LC-GD", "Tuần cao điểm sáng kiến ngành Giáo dục", "week", date(2022, 4, 25), date(2022, 5, 1),
               "submitted", 2.2, "LC-GD", "Mỗi nhà trường đăng ký ít nhất một sáng kiến về đổi mới phương pháp dạy "
               "học, quản lý học sinh bán trú."),
    PeakPeriod("LC-YT", "Tuần cao điểm sáng kiến ngành Y tế", "week", date(2022, 5, 4), date(2022, 5, 10),
               "submitted", 2.0, "LC-YT", "Sáng kiến cải tiến quy trình khám chữa bệnh, phòng chống dịch ở tuyến "
               "cơ sở."),
    PeakPeriod("LC-TP", "Tháng cao điểm sáng kiến tháng 5", "month", date(2022, 5, 1), date(2022, 5, 31),
               "valid", 1.5, "LC-TP", "Hưởng ứng Tháng Công nhân 2022: mỗi công đoàn cơ sở có sáng kiến hợp lệ."),
    PeakPeriod("LC-TD", "Tuần cao điểm sáng kiến huyện Tam Đường", "week", date(2022, 5, 9), date(2022, 5, 15),
               "submitted", 2.5, "0900000003", "Tổ hỗ trợ sáng kiến của từng công đoàn cơ sở giúp đoàn viên hoàn "
               "thiện và gửi sáng kiến trong tuần."),
    PeakPeriod(ROOT_CODE, "Tuần cao điểm toàn tỉnh", "week", date(2022, 5, 16), date(2022, 5, 22), "valid", 1.0,
               "0900000002", "Giao ban ngày 09/5 thống nhất: các đơn vị chậm tiến độ tập trung hoàn thiện sáng kiến "
               "bị trả lại và hỗ trợ đoàn viên gửi mới, về đích trước 31/5."),
)


@dataclass
class DemoAccount:
    role: str
    name: str
    phone: str
    email: str
    unit_name: str
    scope_code: str | None
    position: str | None = None


DEMO_ACCOUNTS = [
    DemoAccount(Role.ADMIN, "Quản trị hệ thống", "0900000001", "admin@sangkien.local", "CĐCS Cơ quan LĐLĐ tỉnh", None),
    DemoAccount(Role.ORGANIZER, "Lò Thị Hương", "0900000002", "tochuc@sangkien.local", "CĐCS Cơ quan LĐLĐ tỉnh", "LC"),
    DemoAccount(Role.ORGANIZER, "Trần Văn Dũng", "0900000003", "tochuc.tamduong@sangkien.local",
                "CĐCS Cơ quan UBND huyện Tam Đường", "LC-TD"),
    DemoAccount(Role.REVIEWER, "Nguyễn Minh Đức", "0900000004", "thamdinh1@sangkien.local", "CĐCS Sở Nội vụ", "LC"),
    DemoAccount(Role.REVIEWER, "Hoàng Thị Lan", "0900000005", "thamdinh2@sangkien.local", "CĐCS Sở Tài chính", "LC"),
    DemoAccount(Role.REVIEWER, "Vàng A Sính", "0900000006", "thamdinh.phongtho@sangkien.local",
                "CĐCS Cơ quan UBND huyện Phong Thổ", "LC-PT"),
    DemoAccount(Role.HELPER, "Lường Thị Mai", "0900000007", "hotro@sangkien.local",
                "CĐCS Trường THCS thị trấn Tam Đường", None, "Tổ hỗ trợ sáng kiến"),
    DemoAccount(Role.MEMBER, "Giàng A Chư", "0900000008", "doanvien@sangkien.local",
                "CĐCS Trường THCS thị trấn Tam Đường", None, "Giáo viên"),
    DemoAccount(Role.MEMBER, "Tòng Văn Thắng", "0900000009", "doanvien2@sangkien.local",
                "CĐCS Bệnh viện Đa khoa tỉnh", None, "Điều dưỡng"),
]
# The organizers of the sector unions and of the city, who run their own peak periods (no login in the demo).
STAFF = (("LC-GD", "Phạm Thị Thu Hà", "CĐCS Cơ quan Sở Giáo dục và Đào tạo", "tochuc.giaoduc@sangkien.local"),
         ("LC-YT", "Lò Văn Tiến", "CĐCS Trung tâm Kiểm soát bệnh tật tỉnh", "tochuc.yte@sangkien.local"),
         ("LC-TP", "Nguyễn Thị Hằng", "CĐCS Cơ quan UBND thành phố Lai Châu", "tochuc.thanhpho@sangkien.local"))


def is_loaded() -> bool:
    return db.session.scalar(select(Unit.id).where(Unit.code == ROOT_CODE)) is not None


def database_is_empty() -> bool:
    return db.session.scalar(select(Unit.id).limit(1)) is None and db.session.scalar(select(User.id).limit(1)) is None


def _split(total: int, weights: list[int]) -> list[int]:
    """Largest-remainder split of ``total`` in proportion to ``weights``; the parts add up exactly."""
    weight_sum = sum(weights) or 1
    raw = [total * w / weight_sum for w in weights]
    parts = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _day_kind(day: date) -> str:
    return "holiday" if day in HOLIDAYS else "weekend" if day.weekday() >= 5 else "work"


# --- the tree and the people ---------------------------------------------------------------------------------

@dataclass
class Union:
    """A grassroots union with what the demo needs to write its initiatives."""

    unit: Unit
    top: Unit
    profile: geography.Profile
    district: geography.District  # where it stands
    people: tuple[int, int, int, int]
    pre: float
    post: float
    collectives: list[Unit] = field(default_factory=list)
    members: list[User] = field(default_factory=list)
    helper: User | None = None

    @property
    def place(self) -> str:
        return self.unit.name.removeprefix("CĐCS ")


def _units(rng: random.Random) -> tuple[Unit, list[Unit], list[Union]]:
    root = create_unit("LĐLĐ tỉnh Lai Châu", ROOT_CODE, UnitKind.PROVINCE)
    tops: list[Unit] = []
    unions: list[Union] = []

    def add(top: Unit, index: int, name: str, profile_key: str, district: geography.District, pre: float,
            post: float) -> None:
        profile = geography.PROFILES[profile_key]
        unit = create_unit(name, f"{top.code}-{index:02d}", UnitKind.GRASSROOTS, top,
                           member_count=rng.randint(*profile.members))
        union = Union(unit, top, profile, district, district.people, pre, post)
        for number, collective in enumerate(profile.collectives, start=1):
            label = collective.format(c=district.communes[0], c2=district.communes[1])
            union.collectives.append(create_unit(f"{label} – {union.place}", f"{unit.code}-T{number}",
                                                 UnitKind.COLLECTIVE, unit))
        unions.append(union)

    for district in geography.DISTRICTS:
        top = create_unit(district.name, district.code, UnitKind.DISTRICT, root)
        tops.append(top)
        for index, (name, profile_key) in enumerate(district.grassroots, start=1):
            add(top, index, name, profile_key, district, district.pre, district.post)
    for sector in geography.SECTORS:
        top = create_unit(sector.name, sector.code, sector.kind, root)
        tops.append(top)
        for index, (name, profile_key, place) in enumerate(sector.grassroots, start=1):
            add(top, index, name, profile_key, geography.BY_PLACE[place], sector.pre, sector.post)
    # Member counts summed up the tree.
    for top in tops:
        top.member_count = sum(u.unit.member_count or 0 for u in unions if u.top is top)
    root.member_count = sum(top.member_count or 0 for top in tops)
    return root, tops, unions


def _demo_account(account: DemoAccount, unit: Unit, password_hash: str | None) -> User:
    """A demo login, checked by the same rules as ``flask create-user`` and the organizers' form. The accounts share
    one published password: it is hashed once (scrypt takes a third of a second) and the hash is reused."""
    checked = accounts.check(accounts.AccountData(
        full_name=account.name, role=account.role, phone=account.phone, email=account.email, unit_code=unit.code,
        scope_code=account.scope_code, password=DEMO_PASSWORD), password_required=True)
    if checked.problems:
        raise ValueError(f"demo account {account.phone}: {checked.problems}")
    if password_hash:
        checked.data.password = None
    user = accounts.create(checked)
    if password_hash:
        user.password_hash = password_hash
    user.position = account.position
    return user


# --- the history ---------------------------------------------------------------------------------------------

@dataclass
class Step:
    """One status change of the demo's history, replayed later through the workflow in date order."""

    when: datetime
    order: int  # breaks ties between steps of the same second
    initiative: Initiative
    to_status: str
    actor: User
    reason: str | None = None
    message: str | None = None
    edit: Callable[[], None] | None = None  # what the author changed before sending it again


@dataclass
class Item:
    """An initiative while the history is planned: its status so far and what comes next."""

    initiative: Initiative
    union: Union
    copy: bool = False
    status: str = Status.DRAFT
    submitted_at: datetime | None = None
    returned_on: date | None = None
    return_reason: str | None = None
    resubmit_on: date | None = None
    resubmitted: bool = False


class History:
    """Plans every initiative and status change; ``replay`` then runs them through the workflow in date order."""

    def __init__(self, rng: random.Random, campaign: Campaign, unions: list[Union], reviewers: list[User],
                 evidence_rule_id: int):
        self.rng, self.campaign, self.unions, self.reviewers = rng, campaign, unions, reviewers
        self.evidence = [evidence_rule_id]
        self.items: list[Item] = []
        self.steps: list[Step] = []
        self.originals: list[Item] = []  # submitted, not copies: what a copy can be copied from
        self.queue: list[Item] = []  # waiting for a reviewer, oldest first
        self.returned: list[Item] = []

    # -- building blocks --

    def new(self, union: Union, created: datetime, *, author: User | None = None, title: str | None = None,
            field_pool: tuple[str, str] | None = None, entered_by: User | None = None, draft: bool = False,
            applied: str = "window", copy_of: Item | None = None, collective: bool | None = None) -> Item:
        """A new initiative of ``union`` (a draft until a step submits it); ``applied``: "window" (first applied
        inside the programme's window), "before" (before it: out of scope) or "unset" (a draft not filled yet)."""
        rng = self.rng
        field_name, pool = field_pool or rng.choice(union.profile.fields)
        title = title or texts.title_for(rng, pool)
        author = author or rng.choice(union.members)
        assert union.helper is not None
        entered_by = entered_by or (union.helper if rng.random() < 0.35 else author)
        wider = {UnitKind.DISTRICT: "các đơn vị cùng ngành trong huyện", UnitKind.SECTOR: "các đơn vị trong ngành"}
        paragraphs = texts.paragraphs(rng, title, field_name, union.place,
                                      wider.get(union.top.kind, "các cơ quan, đơn vị của tỉnh"))
        applied_since = self._applied_since(created.date(), applied)
        initiative = Initiative(
            campaign=self.campaign, unit=union.unit, title=title, field=field_name, status=Status.DRAFT,
            author=author, entered_by=entered_by, created_at=created, updated_at=created,
            estimated_value=rng.choice([None, None, rng.randint(5, 300) * 1_000_000]), applied_since=applied_since,
            evidence_declared=None if draft else list(self.evidence), **paragraphs)
        if copy_of is not None:  # the same idea sent again from another union: what duplicate detection must catch
            original = copy_of.initiative
            initiative.title, initiative.field = original.title, original.field
            initiative.solution, initiative.current_situation = original.solution, original.current_situation
        initiative.title_folded = fold(initiative.title)[:300]
        initiative.text_folded = duplicates.text_of(initiative)
        self._authors(initiative, union, author, collective)
        item = Item(initiative, union, copy=copy_of is not None)
        self.items.append(item)
        return item

    def _applied_since(self, day: date, applied: str) -> date | None:
        rng = self.rng
        if applied == "unset":
            return None
        if applied == "before":  # applied in the programme's earlier years: out of this phase's scope
            return date(2019, 9, 1) + timedelta(days=rng.randint(0, (APPLIED_FROM - date(2019, 9, 1)).days - 10))
        earliest = max(APPLIED_FROM, day - timedelta(days=280))
        return earliest + timedelta(days=rng.randint(0, max(0, (day - earliest).days - 5)))

    def _authors(self, initiative: Initiative, union: Union, author: User, collective: bool | None) -> None:
        rng = self.rng
        others = [m for m in union.members if m is not author]
        people = [author] + rng.sample(others, min(rng.choice([0, 0, 0, 1, 2]), len(others)))
        for order, (person, share) in enumerate(zip(people, _split(100, [rng.randint(1, 4) for _ in people]))):
            initiative.authors.append(InitiativeAuthor(user=person, full_name=person.full_name, position_order=order,
                                                       job_title=person.position or "", share_percent=share))
        if collective if collective is not None else rng.random() < 0.2:
            team = rng.choice(union.collectives)
            initiative.authors.append(InitiativeAuthor(collective_unit=team, full_name=team.name, share_percent=0,
                                                       position_order=len(people)))

    def step(self, item: Item, when: datetime, to_status: str, actor: User, reason: str | None = None,
             message: str | None = None) -> None:
        assert when < ACTIVITY_END, (item.initiative.title, when)
        self.steps.append(Step(when, len(self.steps), item.initiative, to_status, actor, reason, message))
        item.status = to_status

    def submit(self, item: Item, when: datetime, actor: User | None = None) -> None:
        self.step(item, when, Status.SUBMITTED, actor or item.initiative.entered_by)
        item.submitted_at = when
        self.queue.append(item)
        if not item.copy and item not in self.originals:
            self.originals.append(item)

    def original_before(self, moment: datetime) -> Item | None:
        """An earlier submission to copy (the same idea sent again later from elsewhere)."""
        earlier = [i for i in self.originals[-300:] if i.submitted_at and i.submitted_at < moment]
        return self.rng.choice(earlier) if earlier else None

    def reviewer_for(self, union: Union) -> User:
        """Someone whose scope holds the union and who does not belong to it (no conflict of interest); a
        district's own reviewer takes most of its district."""
        eligible = [r for r in self.reviewers if r.unit_id != union.unit.id
                    and r.scope_unit is not None and r.scope_unit.contains(union.unit)]
        local_ones = [r for r in eligible if r.scope_unit is not None and r.scope_unit.code != ROOT_CODE]
        if local_ones and self.rng.random() < 0.6:
            return self.rng.choice(local_ones)
        return self.rng.choice([r for r in eligible if r not in local_ones] or eligible)

    def decide(self, item: Item, when: datetime, to_status: str, reason: str | None = None,
               reviewer: User | None = None) -> None:
        message = texts.RETURN_MESSAGES[reason] if to_status == Status.RETURNED and reason else None
        self.step(item, when, to_status, reviewer or self.reviewer_for(item.union), reason, message)
        if item in self.queue:
            self.queue.remove(item)
        if to_status == Status.RETURNED:
            item.returned_on, item.return_reason = clock.local_day(when), reason
            self.returned.append(item)

    def resubmit(self, item: Item, when: datetime) -> None:
        """The author completes what the reviewer asked for, then sends it again."""
        field_name, addition = texts.REVISIONS[item.return_reason or "missing_effect"]
        initiative = item.initiative
        since = initiative.applied_since
        addition = addition.format(n=self.rng.randint(15, 40), p=self.rng.randint(30, 600), a=self.rng.randint(2, 4),
                                   since=f"{since:%d/%m/%Y}" if since else "đầu năm 2022")

        def edit() -> None:
            setattr(initiative, field_name, getattr(initiative, field_name) + addition)
            initiative.text_folded = fold(" ".join([initiative.title, initiative.current_situation,
                                                    initiative.solution]))

        self.returned.remove(item)
        item.resubmitted = True
        self.steps.append(Step(when, len(self.steps), initiative, Status.SUBMITTED, initiative.entered_by,
                               edit=edit))
        item.status, item.submitted_at = Status.SUBMITTED, when
        self.queue.append(item)

    def invalid_reason(self, item: Item) -> str:
        if item.copy:
            return "duplicate"
        if item.initiative.applied_since and item.initiative.applied_since < APPLIED_FROM:
            return "out_of_scope"  # the programme's window: first applied before 01/07/2021
        return self.rng.choices([r for r, _ in INVALID_REASONS], [w for _, w in INVALID_REASONS])[0]

    def _union_weights(self, attribute: str) -> list[float]:
        return [(u.unit.member_count or 1) * getattr(u, attribute) for u in self.unions]

    def _hour(self, day: date, evening: bool = True) -> datetime:
        """A time of day people work at (submissions also late in the evening, after classes and shifts)."""
        rng = self.rng
        hour = rng.choice([7, 8, 9, 9, 10, 10, 11, 14, 14, 15, 15, 16, 16] + ([19, 20, 20, 21, 22] if evening else []))
        return local(day, hour, rng.randint(0, 59))

    # -- before the launch: exactly the letter's figures --

    def before_launch(self, scripted: dict[str, int]) -> None:
        rng = self.rng
        counts = {status: n - scripted.get(status, 0) for status, n in AT_LAUNCH.items()}
        total = sum(counts.values())
        span = (LAUNCH_END - local(HISTORY_START, 7)).total_seconds()
        # Submissions grew as the programme became known: later days are busier.
        moments = sorted(local(HISTORY_START, 7) + timedelta(seconds=span * rng.random() ** 0.6)
                         for _ in range(total))
        # The queue at the launch holds mostly the latest submissions (Efraimidis–Spirakis weighted sample).
        keys = sorted(range(total), key=lambda i: rng.random() ** (1 / (i + 40) ** 2), reverse=True)
        pending = set(keys[:counts[Status.SUBMITTED]])
        rest = [s for s in (Status.VALID, Status.INVALID, Status.RETURNED) for _ in range(counts[s])]
        rng.shuffle(rest)
        weights = self._union_weights("pre")
        cutoff = local(CAMPAIGN_START - timedelta(days=1), 17)  # decided ones were sent at least a day before
        for index, moment in enumerate(moments):
            status = Status.SUBMITTED if index in pending else rest.pop()
            union = rng.choices(self.unions, weights)[0]
            if status != Status.SUBMITTED and moment > cutoff:
                moment = cutoff - timedelta(hours=rng.randint(1, 72))
            reason = None
            if status == Status.INVALID:
                reason = rng.choices(["out_of_scope", "duplicate", "incomplete", "not_initiative", "copied"],
                                     [30, 22, 20, 18, 10])[0]
            elif status == Status.RETURNED:
                reason = rng.choice(list(texts.RETURN_MESSAGES))
            copy_of = None
            if reason == "duplicate" or (status == Status.SUBMITTED and rng.random() < 0.07):
                copy_of = self.original_before(moment)
            if reason == "duplicate" and copy_of is None:
                reason = "incomplete"
            applied = "before" if reason == "out_of_scope" or (status == Status.SUBMITTED and rng.random() < 0.12) \
                else "window"
            item = self.new(union, moment - timedelta(hours=rng.randint(1, 96)), copy_of=copy_of, applied=applied)
            self.submit(item, moment)
            if status != Status.SUBMITTED:
                decided = moment + timedelta(hours=rng.randint(4, 24 * 12))
                decided = min(decided, LAUNCH_END - timedelta(hours=rng.randint(1, 20)))
                if decided <= moment:
                    decided = moment + timedelta(minutes=rng.randint(20, 90))
                self.decide(item, decided, status, reason)
        for _ in range(DRAFTS_BEFORE):
            union = rng.choices(self.unions, weights)[0]
            created = local(HISTORY_START, 8) + timedelta(seconds=span * rng.random() ** 0.5)
            self.new(union, created, draft=True, applied=rng.choice(["window", "unset"]))

    # -- after the launch: day by day until the day before the demo clock's today --

    def campaign_days(self, periods: tuple[PeakPeriod, ...]) -> None:
        rng = self.rng
        weights = self._union_weights("post")
        total_weight = sum(weights)
        for item in self.returned:  # the letter pushed the returned ones back into the queue
            if item.resubmit_on is None and item.returned_on and item.returned_on <= CAMPAIGN_START \
                    and rng.random() < 0.72:
                item.resubmit_on = CAMPAIGN_START + timedelta(days=rng.randint(1, 14))
        day = CAMPAIGN_START + timedelta(days=1)
        while day < DEMO_DATE:
            kind = _day_kind(day)
            arrivals: list[tuple[datetime, Union]] = []
            for union, weight in zip(self.unions, weights):
                boost = 1.0
                for period in periods:
                    if period.start <= day <= period.end and (period.unit_code == union.top.code
                                                              or period.unit_code == ROOT_CODE):
                        boost *= period.boost
                expected = ARRIVALS[kind] * weight / total_weight * boost
                for _ in range(int(expected) + (rng.random() < expected - int(expected))):
                    arrivals.append((self._hour(day), union))
            for when, union in sorted(arrivals, key=lambda pair: pair[0]):
                copy_of = self.original_before(when) if rng.random() < 0.05 else None
                applied = "before" if rng.random() < 0.05 else "window"
                item = self.new(union, when - timedelta(hours=rng.randint(1, 80)), copy_of=copy_of, applied=applied)
                self.submit(item, when)
            for item in [i for i in self.returned if i.resubmit_on == day]:
                self.resubmit(item, self._hour(day))
            self._decisions(day, DECISIONS[kind])
            if day in (date(2022, 4, 26), date(2022, 5, 5), date(2022, 5, 10)):
                self._withdraw_one(day)
            day += timedelta(days=1)
        span = (ACTIVITY_END - LAUNCH_END).total_seconds()
        for _ in range(DRAFTS_AFTER):
            union = rng.choices(self.unions, weights)[0]
            self.new(union, LAUNCH_END + timedelta(seconds=span * rng.random()), draft=True,
                     applied=rng.choice(["window", "unset"]))

    def _decisions(self, day: date, capacity: int) -> None:
        rng = self.rng
        start, end = local(day, 7, 30), local(day, 17)
        moments = sorted(start + (end - start) * rng.random() for _ in range(capacity))
        for moment in moments:
            self.queue.sort(key=lambda i: i.submitted_at or moment)
            waiting = [i for i in self.queue if i.submitted_at and i.submitted_at <= moment - timedelta(hours=1)]
            if not waiting:
                continue
            # Mostly first in, first out; sector and district reviewers also take their own peak week's items.
            item = rng.choice(waiting[:25] if rng.random() < 0.65 else waiting)
            if item.copy or (item.initiative.applied_since and item.initiative.applied_since < APPLIED_FROM):
                self.decide(item, moment, Status.INVALID, self.invalid_reason(item))
                continue
            # Support teams and the guidance made the quality better than before the letter.
            p_valid = 0.9 if item.resubmitted else min(0.86, max(0.6, 0.72 + 0.12 * (item.union.post - 1)))
            p_returned = 0.05 if item.resubmitted else 0.1
            roll = rng.random()
            if roll < p_valid:
                self.decide(item, moment, Status.VALID)
            elif roll < p_valid + p_returned:
                self.decide(item, moment, Status.RETURNED, rng.choice(list(texts.RETURN_MESSAGES)))
                if rng.random() < 0.6 and day + timedelta(days=2) < DEMO_DATE:
                    self.returned[-1].resubmit_on = day + timedelta(days=rng.randint(2, 6))
            else:
                self.decide(item, moment, Status.INVALID, self.invalid_reason(item))

    def _withdraw_one(self, day: date) -> None:
        """An author gives up a returned initiative (it stops counting as submitted)."""
        waiting = [i for i in self.returned if i.resubmit_on is None]
        if waiting:
            item = self.rng.choice(waiting)
            self.returned.remove(item)
            self.step(item, self._hour(day, evening=True), Status.WITHDRAWN, item.initiative.author)

    # -- replay --

    def replay(self) -> list[Initiative]:
        """Every step in date order, so that the tallies' daily series, the cohort series and "last valid at" (the
        ranking's tie-break) come out as if the campaign had happened. Returns the submitted ones, in order."""
        submitted = []
        revision = dict.fromkeys((i.initiative for i in self.items), 0)
        revisions = []  # each version's content, written in one go at the end (one flush less per submission)
        for step in sorted(self.steps, key=lambda s: (s.when, s.order)):
            initiative = step.initiative
            if step.edit is not None:
                step.edit()
            initiative.updated_at = step.when  # what the column's onupdate would have stored at that moment
            workflow.transition(initiative, step.to_status, step.actor, reason_code=step.reason,
                                message=step.message, now=step.when)
            if step.to_status == Status.SUBMITTED:
                revision[initiative] += 1
                revisions.append({"initiative_id": initiative.id, "number": revision[initiative],
                                  "created_at": step.when, "content": _snapshot(initiative)})
                duplicates.index(initiative)
                if revision[initiative] == 1:
                    submitted.append(initiative)
        db.session.execute(insert(InitiativeRevision), revisions)
        return submitted


def _snapshot(initiative: Initiative) -> dict:
    """The version's content, as the submissions area keeps it."""
    content = {name: getattr(initiative, name) for name in ("title", "field", "current_situation", "solution",
                                                            "application_scope", "effectiveness")}
    content["applied_since"] = initiative.applied_since.isoformat() if initiative.applied_since else None
    content["estimated_value"] = initiative.estimated_value
    content["authors"] = [[a.full_name, a.share_percent] for a in initiative.authors]
    return content


def _scripted(history: History, by_name: dict[str, Union], demo: dict[str, User]) -> dict[str, int]:
    """The demo members' own initiatives, so that each login shows every kind of status: returned with the
    reviewer's message (to edit and send again), waiting, valid and featured, a draft. Returns how many of each
    status they add to the launch figures."""
    school, hospital = by_name["CĐCS Trường THCS thị trấn Tam Đường"], by_name["CĐCS Bệnh viện Đa khoa tỉnh"]
    chu, thang, helper = demo["0900000008"], demo["0900000009"], demo["0900000007"]
    reviewer, reviewer2 = demo["0900000004"], demo["0900000005"]
    featured = history.new(school, local(date(2022, 2, 21), 20), author=chu, entered_by=helper, collective=True,
                           title="Ứng dụng trò chơi dân gian của người Mông trong dạy học môn Toán lớp 6",
                           field_pool=("education", "thcs"))
    history.submit(featured, local(date(2022, 2, 22), 9, 10))
    history.decide(featured, local(date(2022, 3, 2), 10, 5), Status.VALID, reviewer=reviewer)
    returned = history.new(school, local(date(2022, 4, 26), 21), author=chu, entered_by=chu,
                           title="Xây dựng tủ sách song ngữ Việt – Mông cho học sinh bán trú",
                           field_pool=("education", "thcs"))
    history.submit(returned, local(date(2022, 4, 27), 20, 15))
    history.decide(returned, local(date(2022, 5, 4), 10), Status.RETURNED, "missing_effect", reviewer=reviewer2)
    returned.resubmit_on = DEMO_DATE  # not yet: he can do it in the demo
    waiting = history.new(school, local(date(2022, 5, 10), 20), author=chu, entered_by=helper,
                          title="Tổ chức câu lạc bộ Toán tuổi thơ cho học sinh bán trú",
                          field_pool=("education", "thcs"))
    history.submit(waiting, local(date(2022, 5, 10), 21, 5))
    history.queue.remove(waiting)  # still waiting on the demo's today
    history.new(school, local(date(2022, 5, 11), 22), author=chu, entered_by=chu, draft=True, applied="unset",
                title="Dạy học Khoa học tự nhiên 6 qua thí nghiệm bằng vật liệu địa phương",
                field_pool=("education", "thcs"))
    valid = history.new(hospital, local(date(2022, 3, 14), 21), author=thang, entered_by=thang,
                        title="Hướng dẫn người bệnh bằng tiếng Thái tại khu khám bệnh",
                        field_pool=("health", "health_hospital"))
    history.submit(valid, local(date(2022, 3, 15), 7, 45))
    history.decide(valid, local(date(2022, 3, 25), 14, 30), Status.VALID, reviewer=reviewer2)
    invalid = history.new(hospital, local(date(2022, 1, 17), 20), author=thang, entered_by=thang, applied="before",
                          title="Phân loại người bệnh tại khu khám bệnh theo mức độ ưu tiên",
                          field_pool=("health", "health_hospital"))
    history.submit(invalid, local(date(2022, 1, 18), 8, 20))
    history.decide(invalid, local(date(2022, 1, 27), 9), Status.INVALID, "out_of_scope", reviewer=reviewer)
    pending = history.new(hospital, local(date(2022, 5, 6), 19), author=thang, entered_by=thang,
                          title="Giảm thời gian chờ lấy kết quả xét nghiệm bằng tin nhắn",
                          field_pool=("health", "health_digital"))
    history.submit(pending, local(date(2022, 5, 6), 21, 40))
    history.queue.remove(pending)
    return {Status.VALID: 2, Status.INVALID: 1}


def scripted_featured(history: History) -> Initiative:
    """The demo member's valid initiative, which the gallery features."""
    return next(i.initiative for i in history.items if i.initiative.author.phone == "0900000008"
                and i.status == Status.VALID)


# --- after the history: scores, commendation, periods, attachments --------------------------------------------

def _score(rng: random.Random, submitted: list[Initiative], reviewers: list[User]) -> None:
    """Two rubric scores for most valid initiatives decided before the last two days (one lenient, one strict
    reviewer; never on their own union's), and the return templates. Plain rows: writing them is the review
    area's work, which the demo does not import."""
    severity = {reviewers[0].id: 6, reviewers[1].id: -6}
    for initiative in submitted:
        if initiative.status != Status.VALID or initiative.decided_at is None or rng.random() > 0.6 \
                or initiative.decided_at > ACTIVITY_END - timedelta(days=2):
            continue
        quality = rng.uniform(0.45, 0.9)
        for reviewer in reviewers:
            if reviewer.unit_id == initiative.unit_id:
                continue
            noise = rng.uniform(-0.12, 0.12)
            points = {code: max(0, min(top, round(top * (quality + noise) + severity[reviewer.id] * top / 100)))
                      for code, _label, top in scoring.DEFAULT_RUBRIC}
            db.session.add(Score(initiative_id=initiative.id, reviewer_id=reviewer.id, points=points,
                                 total=sum(points.values()),
                                 created_at=initiative.decided_at + timedelta(hours=rng.randint(2, 40))))
    for reason, body in texts.RETURN_TEMPLATES:
        db.session.add(ReviewTemplate(reason_code=reason, body=body))


def _best(valid: list[Initiative], scores: dict, count: int) -> list[Initiative]:
    return sorted(valid, key=lambda i: (-(scores[i.id].z_mean or -9) if i.id in scores else 9, i.id))[:count]


def _commend(campaign: Campaign, organizer: User, staff: dict[str, User], featured_first: Initiative) -> list:
    """The campaign while it runs: a Giấy khen of the education union for the best initiatives of its ended peak
    week, the province's running shortlist after the 09/5 giao ban, and model initiatives in the gallery with their
    stories. Features, levels and awards are plain rows (the awards area's work); statuses move through the
    workflow. Returns the featured initiatives."""
    campaigns.add_defaults(campaign)
    for level in db.session.scalars(select(AwardLevel).where(AwardLevel.campaign_id == campaign.id)):
        level.issuer = level.issuer.replace("LĐLĐ tỉnh", "LĐLĐ tỉnh Lai Châu")
    valid = list(db.session.scalars(select(Initiative).where(Initiative.campaign_id == campaign.id,
                                                             Initiative.status == Status.VALID)
                                    .order_by(Initiative.id)))
    scores = {k: v for k, v in scoring.aggregates(campaign.id, [i.id for i in valid]).items() if v.count}

    education_union = db.session.scalars(select(Unit).where(Unit.code == "LC-GD")).one()
    week = next(p for p in PERIODS if p.unit_code == "LC-GD")
    in_week = [i for i in valid if education_union.contains(i.unit) and i.first_submitted_at
               and week.start <= clock.local_day(i.first_submitted_at) <= week.end
               and i.decided_at and i.decided_at < local(date(2022, 5, 6), 8)]
    gd = staff["LC-GD"]
    level = AwardLevel(campaign_id=campaign.id, name="Giấy khen",
                       issuer="Ban Thường vụ Công đoàn ngành Giáo dục tỉnh Lai Châu", quota=5, position=2)
    db.session.add(level)
    db.session.flush()
    when = local(date(2022, 5, 6), 15)  # the week's sơ kết
    awarded = _best(in_week, scores, 2)
    for initiative in awarded:
        workflow.transition(initiative, Status.SHORTLISTED, gd, now=when - timedelta(hours=2), tell=False)
        author = initiative.authors[0]
        db.session.add(Award(level_id=level.id, initiative_id=initiative.id, recipient_kind="individual",
                             recipient_name=author.full_name, recipient_title=author.job_title,
                             recipient_user_id=author.user_id, unit_name=initiative.unit.name,
                             decision_number="15/QĐ-CĐGD", decision_date=date(2022, 5, 6), created_by_id=gd.id,
                             created_at=when))
        workflow.transition(initiative, Status.AWARDED, gd, message="15/QĐ-CĐGD", now=when, tell=False)
        initiative.updated_at = when

    shortlist_at = local(date(2022, 5, 9), 15, 30)
    rest = [i for i in valid if i not in awarded and i.decided_at and i.decided_at < shortlist_at]
    for initiative in _best(rest, scores, 10):
        workflow.transition(initiative, Status.SHORTLISTED, organizer, now=shortlist_at, tell=False)
        initiative.updated_at = shortlist_at

    # The gallery: one model initiative per field the letter puts first, and the demo member's.
    featured = [featured_first, *awarded]
    for field_name in ("production", "health", "education", "agriculture", "administration", "digital", "safety"):
        candidates = [i for i in _best(valid, scores, len(valid)) if i.field == field_name and i not in featured
                      and i.decided_at and i.decided_at < ACTIVITY_END - timedelta(days=1)]
        featured += candidates[:1]
    for number, initiative in enumerate(featured):
        assert initiative.decided_at is not None
        # Published a couple of days after the decision, one a day from 27/4, never after the last event.
        published = max(initiative.decided_at + timedelta(days=2), local(date(2022, 4, 27), 9) + timedelta(days=number))
        created = min(published, ACTIVITY_END - timedelta(hours=3))
        authors = [a.full_name for a in initiative.authors if not a.is_collective]
        db.session.add(Feature(initiative_id=initiative.id, created_by_id=organizer.id, created_at=created,
                               story=texts.story(initiative.title, initiative.field, initiative.unit.name, authors,
                                                 initiative.effectiveness)))
    return featured


def _periods(campaign: Campaign, units: dict[str, Unit], creators: dict[str, User]) -> list[Period]:
    """The peak weeks and months run inside the campaign; goals fit each unit's size (its share of the target)."""
    targets = {t.unit_id: t.count for t in db.session.scalars(select(Target).where(Target.campaign_id == campaign.id))}
    made = []
    for period in PERIODS:
        unit = units[period.unit_code]
        target = GOAL if period.unit_code == ROOT_CODE else targets[unit.id]
        per_day = target / ((CAMPAIGN_END - CAMPAIGN_START).days + 1)
        # New submissions run ahead of the valid ones: about two in three become valid, and only once decided.
        goal = max(5, round(per_day * period.days * (1.6 if period.measure == "submitted" else 0.45) / 5) * 5)
        row = Period(campaign_id=campaign.id, unit_id=unit.id, name=period.name, kind=period.kind,
                     description=period.description, start_date=period.start, end_date=period.end, goal=goal,
                     measure=period.measure, created_by_id=creators[period.creator].id,
                     created_at=local(period.start - timedelta(days=4), 16))
        db.session.add(row)
        made.append(row)
    return made


def _attach(rng: random.Random, featured: list[Initiative], submitted: list[Initiative],
            unions: dict[int, Union]) -> int:
    """Photos and the head of unit's confirmation on some initiatives (every featured one), stored as uploads."""
    chosen = list(dict.fromkeys(featured + rng.sample(submitted, 40)))
    made = 0
    for initiative in chosen:
        uploader = initiative.entered_by
        attached_at = (initiative.first_submitted_at or initiative.created_at) - timedelta(minutes=rng.randint(3, 50))
        place = initiative.unit.name.removeprefix("CĐCS ")
        kinds = ["png", "pdf"] if initiative in featured else [rng.choice(["png", "png", "pdf"])]
        for kind in kinds:
            if kind == "png":
                data, name = files.illustration_png(rng, initiative.title, place), "ket-qua-ap-dung.png"
            else:
                assert initiative.applied_since is not None
                signed = initiative.applied_since + timedelta(days=rng.randint(20, 60))
                signed = min(signed, attached_at.date())
                data = files.confirmation_pdf(
                    organisation=("UBND " + place) if place.startswith(("xã", "phường")) else place,
                    town=unions[initiative.unit_id].district.place.removeprefix("Thành phố "), title=initiative.title,
                    authors=[a.full_name for a in initiative.authors if not a.is_collective],
                    applied_since=initiative.applied_since, signed_on=max(signed, initiative.applied_since),
                    head=geography.person_name(rng, unions[initiative.unit_id].people))
                name = "xac-nhan-ap-dung.pdf"
            attachment = uploads.store(FileStorage(stream=io.BytesIO(data), filename=name), initiative, uploader)
            attachment.created_at = attached_at
            made += 1
    return made


def load() -> dict:
    """Create the whole demo and set the demo clock; the caller commits. Returns what was made, for the command."""
    rng = random.Random(900)
    clock.set_demo_date(DEMO_DATE)
    db.session.merge(AppSetting(key="demo_date", value=DEMO_DATE.isoformat()))

    root, tops, unions = _units(rng)
    units = {u.code: u for u in (root, *tops)}
    by_name = {u.unit.name: u for u in unions}
    for unit in db.session.scalars(select(Unit)):
        unit.created_at = SETUP

    campaign = Campaign(slug="cao-diem-40-ngay-2022", name="Chiến dịch cao điểm 40 ngày", unit=root,
                        description=("Cao điểm 40 ngày đăng ký sáng kiến trên hệ thống trực tuyến, hưởng ứng Chương "
                                     "trình \"01 triệu sáng kiến – nỗ lực vượt khó, sáng tạo, quyết tâm chiến thắng "
                                     "đại dịch Covid-19\" (Công văn 900/LĐLĐ ngày 22/4/2022)."),
                        start_date=CAMPAIGN_START, end_date=CAMPAIGN_END, goal=GOAL,
                        created_at=local(date(2022, 4, 21), 16))
    db.session.add(campaign)
    db.session.flush()
    programme = add_national_programme(campaign)
    programme.created_at = SETUP
    evidence_rule = db.session.scalar(select(EligibilityRule.id).where(
        EligibilityRule.programme_id == programme.id, EligibilityRule.kind == "evidence"))
    assert evidence_rule is not None

    # Targets: the goal split over the top-level units by members, then over their grassroots unions.
    db.session.add(Target(campaign=campaign, unit=root, count=campaign.goal))
    for unit, count in zip(tops, _split(campaign.goal, [u.member_count or 1 for u in tops])):
        db.session.add(Target(campaign=campaign, unit=unit, count=count))
        children = [u.unit for u in unions if u.top is unit]
        for child, child_count in zip(children, _split(count, [c.member_count or 1 for c in children])):
            db.session.add(Target(campaign=campaign, unit=child, count=child_count))

    demo: dict[str, User] = {}
    for account in DEMO_ACCOUNTS:
        first = next(iter(demo.values()), None)
        demo[account.phone] = _demo_account(account, by_name[account.unit_name].unit,
                                            first.password_hash if first else None)
    staff = {code: accounts.create_user(full_name=name, role=Role.ORGANIZER, unit=by_name[unit_name].unit,
                                        scope_unit=units[code], email=email, position="Cán bộ công đoàn")
             for code, name, unit_name, email in STAFF}
    # Ordinary members (authors) and one support-team helper per union, as a support team enters them: no login
    # yet (they claim their account later).
    for union in unions:
        union.members = [accounts.create_user(full_name=geography.person_name(rng, union.people), role=Role.MEMBER,
                                              unit=union.unit, position=rng.choice(union.profile.positions))
                         for _ in range(rng.randint(6, 12))]
        union.helper = accounts.create_user(full_name=geography.person_name(rng, union.people), role=Role.HELPER,
                                            unit=union.unit, position="Tổ hỗ trợ sáng kiến")
    for phone in ("0900000007", "0900000008", "0900000009"):
        person = demo[phone]
        union = next(u for u in unions if u.unit.id == person.unit_id)
        if person.role == Role.HELPER:
            union.helper = person
        else:
            union.members.append(person)
    for person in db.session.scalars(select(User)):
        person.created_at = SETUP

    reviewers = [demo["0900000004"], demo["0900000005"], demo["0900000006"]]
    history = History(rng, campaign, unions, reviewers, evidence_rule)
    scripted = _scripted(history, by_name, demo)
    history.before_launch(scripted)
    history.campaign_days(PERIODS)
    history.items.sort(key=lambda item: item.initiative.created_at)
    db.session.add_all(item.initiative for item in history.items)
    db.session.flush()  # every initiative starts as a draft, in creation order
    submitted = history.replay()

    _score(rng, submitted, reviewers[:2])
    featured = _commend(campaign, demo["0900000002"], staff, scripted_featured(history))
    _periods(campaign, units, {**staff, **demo})
    attachments = _attach(rng, featured, [i for i in submitted if i.applied_since is not None],
                          {u.unit.id: u for u in unions})
    db.session.flush()
    _in_charge(units, demo, staff)
    _obstacles(campaign, {u.unit.name: u for u in unions}, demo, staff)
    _settle_notifications()
    db.session.flush()
    return {"units": db.session.query(Unit).count(), "initiatives": len(history.items), "campaign": campaign,
            "accounts": list(demo.values()), "attachments": attachments, "demo_date": DEMO_DATE}


# --- the people around the record (issue 14) ----------------------------------------------------------------------

# News older than this, at the demo's today, has been read: the inboxes hold what is still to act on.
FRESH_NEWS = timedelta(days=2)


def _settle_notifications() -> None:
    """The replayed history told each author about each decision as it happened. What the authors have acted on
    since, or what is older than ``FRESH_NEWS``, is read — except a return still waiting for its author — and
    its e-mail belongs to the past (the demo's history predates the e-mail channel)."""
    fresh_since = clock.utcnow() - FRESH_NEWS
    still_returned = select(Initiative.id).where(Initiative.status == Status.RETURNED)
    old = select(Notification.id).where(
        Notification.created_at < fresh_since,
        ~((Notification.kind == "returned") & Notification.initiative_id.in_(still_returned)))
    db.session.execute(delete(Delivery).where(Delivery.notification_id.in_(old)))
    db.session.execute(update(Notification).where(Notification.id.in_(old))
                       .values(read_at=fresh_since))


def _in_charge(units: dict[str, Unit], demo: dict[str, User], staff: dict[str, User]) -> None:
    """The leaders in charge and staff advisers of the federation, Tam Đường and the sector unions."""
    units["LC"].leader, units["LC"].adviser = demo["0900000002"], demo["0900000004"]
    units["LC-TD"].leader = demo["0900000003"]
    units["LC-PT"].adviser = demo["0900000006"]
    for code, person in staff.items():
        units[code].leader = person


OBSTACLES = (
    # (raising union, raised by (phone or None: the union's helper), days ago, title, body, answered by, answer,
    #  resolved)
    ("CĐCS Trường THCS thị trấn Tam Đường", "0900000007", 3,
     "Điểm trường Bản Hon không có sóng 3G để gửi sáng kiến",
     "Sáu giáo viên ở điểm trường Bản Hon soạn sáng kiến trên giấy; tổ hỗ trợ phải mang về trung tâm mới nhập được. "
     "Đề nghị LĐLĐ huyện hướng dẫn cách ghi tên tác giả khi tổ hỗ trợ nhập thay và cho lùi hạn tuần cao điểm.",
     None, None, False),
    ("CĐCS Trường THCS thị trấn Tam Đường", "0900000007", 9,
     "Chưa rõ cách tính giá trị làm lợi của sáng kiến trong giáo dục",
     "Nhiều sáng kiến về phương pháp dạy học bị trả lại vì \"chưa nêu hiệu quả\". Xin hướng dẫn cách nêu hiệu quả "
     "khi không tính được thành tiền.",
     "0900000003", "Nêu hiệu quả bằng số liệu trước và sau khi áp dụng: tỉ lệ học sinh đạt, số giờ tiết kiệm, số "
     "lớp áp dụng. Giá trị làm lợi bằng tiền không bắt buộc; xem mục Câu hỏi thường gặp.", True),
    ("CĐCS Trung tâm Y tế huyện Sìn Hồ", None, 10,
     "Mẫu xác nhận của thủ trưởng đơn vị cho sáng kiến đã áp dụng",
     "Trung tâm chưa có mẫu xác nhận đã áp dụng sáng kiến theo yêu cầu của chương trình. Đề nghị cấp trên gửi mẫu.",
     None, None, False),
)


def _obstacles(campaign: Campaign, unions: dict[str, Union], demo: dict[str, User], staff: dict[str, User]) -> None:
    """A few difficulties raised by grassroots unions: one new, one answered and resolved, one overdue."""
    for union_name, raiser, days_ago, title, body, answerer, answer, resolved in OBSTACLES:
        union = unions.get(union_name)
        if union is None:
            continue
        by = demo[raiser] if raiser else union.helper
        assert by is not None, union_name
        obstacle = obstacles.raise_obstacle(union.unit, by, title, body, campaign_id=campaign.id)
        if answerer:
            obstacles.answer(obstacle, demo[answerer], answer or "")
        if resolved:
            obstacles.resolve(obstacle, by, "Cảm ơn, tổ hỗ trợ đã hướng dẫn lại cho đoàn viên.")
        raised_at = clock.utcnow() - timedelta(days=days_ago)
        obstacle.created_at = raised_at
        obstacle.due_date = clock.local_day(raised_at) + timedelta(days=obstacles.DUE_DAYS)
        for index, reply in enumerate(obstacle.replies, start=1):
            reply.created_at = raised_at + timedelta(days=index)
        db.session.execute(update(Notification).where(Notification.obstacle_id == obstacle.id)
                           .values(created_at=raised_at))


def tell_today() -> dict[str, object]:
    """Run the scheduled jobs once at the demo's today (reminders, the Monday digest, ageing and pace alerts), as
    the worker would have: each commits what it wrote."""
    return {entry.name: entry.run(clock.utcnow()) for entry in reminders.SCHEDULE}
