"""Scheduled work on the job queue (app/jobs.py registers each entry of ``SCHEDULE`` as a Huey periodic task).

Each job takes the platform's ``now`` (app/clock.py: real time, or the demo clock) and is idempotent: the
notifications it writes carry a dedupe key, so a job run twice, late or by two workers tells each person once.
Each job commits what it wrote and returns how many notifications it made.

- ``deadline_reminders`` (daily): 7, 3 and 1 day (``REMINDER_DAYS``) before the end of every running campaign and
  every running period, authors with drafts or returned initiatives in it, and the support team of their union.
- ``weekly_digests`` (Monday morning): the digest of the week just ended to each unit's leader in charge, staff
  adviser and organizers.
- ``queue_ageing`` (daily): reviewers whose queue holds items pending longer than ``REVIEW_AGEING_DAYS`` days.
- ``behind_pace`` (daily, once a week per unit): the leader in charge and adviser of a unit below its pace line.

Every read is set-based (grouped queries on the tallies or on the review queue's index), never a loop over the
initiatives.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TypeVar

from flask import current_app, has_request_context, url_for
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import selectinload

from .. import clock
from ..extensions import db
from ..models import (
    Campaign,
    DailyTally,
    Initiative,
    InitiativeAuthor,
    Notification,
    Period,
    Role,
    Status,
    Unit,
    User,
    path_ids,
)
from . import campaigns as campaign_rules
from . import digest, notices, ranking, tallies
from .reports import utc_start
from .units import subtree_filter, subtree_ids_select
from .weeks import week_start


@dataclass(frozen=True)
class Scheduled:
    name: str
    run: Callable[[datetime], object]
    # Huey crontab fields, in UTC (07:00 in Việt Nam is 00:00 UTC).
    crontab: dict[str, str] = field(default_factory=dict)


CHUNK = 1000  # values per IN (...) list
T = TypeVar("T")


def _chunks(items: Iterable[T]) -> Iterator[list[T]]:
    items = list(items)
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def _users(ids: Iterable[int]) -> dict[int, User]:
    """Active accounts by id, read in chunks."""
    found: dict[int, User] = {}
    for chunk in _chunks(ids):
        found.update((person.id, person) for person in db.session.scalars(
            select(User).where(User.id.in_(chunk), User.active.is_(True))))
    return found


def _already(keys: Iterable[str]) -> set[str]:
    """The dedupe keys among ``keys`` that some notification carries already (a job run again skips those people
    with one indexed read per thousand instead of one each)."""
    found: set[str] = set()
    for chunk in _chunks(keys):
        found.update(db.session.scalars(select(Notification.dedupe_key).where(Notification.dedupe_key.in_(chunk))))
    return found


def _path(endpoint: str, **values) -> str:
    """A link the notification keeps (relative: the delivery adds ``PUBLIC_URL``); jobs run outside requests."""
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context():
        return url_for(endpoint, **values)


def _running_campaigns(today: date) -> list[Campaign]:
    return list(db.session.scalars(select(Campaign).where(Campaign.start_date <= today, Campaign.end_date >= today)
                                   .order_by(Campaign.id)))


# --- deadline reminders -------------------------------------------------------------------------------------------

def threshold_due(days_left: int, thresholds: Iterable[int]) -> int | None:
    """Which reminder is due with ``days_left`` days to the end: the nearest threshold reached (the smallest one
    ≥ ``days_left``), else none. Sent once per threshold (the dedupe key names it), so a worker that was down on
    the 7-day mark and runs again with 5 days left sends the 7-day reminder (saying 5 days) once, and one that
    was down from 7 to 2 days left sends only the 3-day reminder: the thresholds passed before it are skipped,
    never sent late. Nothing on the last day itself (0 days left) nor before the first threshold."""
    if days_left < 1:
        return None
    reached = [t for t in thresholds if t >= days_left]
    return min(reached) if reached else None


@dataclass(frozen=True)
class Deadline:
    """A running campaign or period, as its reminders see it."""

    key: str  # "c12" or "p5", with the end day: moving the end makes new reminders
    name: str
    end: date
    campaign_id: int
    scope: Unit | None  # the period's unit (its subtree); None for the whole campaign
    window: tuple[date, date] | None  # the period's days: returned items count when first submitted in them


def _deadlines(today: date) -> list[Deadline]:
    found = [Deadline(f"c{c.id}", c.name, c.end_date, c.id, None, None) for c in _running_campaigns(today)]
    running = db.session.scalars(select(Period).where(Period.start_date <= today, Period.end_date >= today)
                                 .options(selectinload(Period.unit)).order_by(Period.id))
    found += [Deadline(f"p{p.id}", p.name, p.end_date, p.campaign_id, p.unit, (p.start_date, p.end_date))
              for p in running]
    return found


def outstanding(deadline: Deadline) -> list[tuple[int, int, int, int]]:
    """(union id, author id, drafts, returned) of everyone with something left to do before ``deadline``: one
    grouped read over the campaign's drafts and returned initiatives (the queue index: campaign, status). In a
    period: initiatives of its subtree, and returned ones only if first submitted in its window (the only ones
    it counts)."""
    returned = Initiative.status == Status.RETURNED
    if deadline.window is not None:
        first, last = deadline.window
        returned = and_(returned, Initiative.first_submitted_at >= utc_start(first),
                        Initiative.first_submitted_at < utc_start(last + timedelta(days=1)))
    stmt = (select(Initiative.unit_id, Initiative.author_id,
                   func.sum(case((Initiative.status == Status.DRAFT, 1), else_=0)),
                   func.sum(case((Initiative.status == Status.RETURNED, 1), else_=0)))
            .where(Initiative.campaign_id == deadline.campaign_id,
                   Initiative.status.in_([Status.DRAFT, Status.RETURNED]), or_(Initiative.status == Status.DRAFT,
                                                                               returned))
            .group_by(Initiative.unit_id, Initiative.author_id))
    if deadline.scope is not None:
        stmt = stmt.where(Initiative.unit_id.in_(subtree_ids_select(deadline.scope)))
    return [(unit_id, author_id, int(drafts or 0), int(back or 0))
            for unit_id, author_id, drafts, back in db.session.execute(stmt)]


def _helpers_of(union_ids: Iterable[int]) -> dict[int, list[User]]:
    found: dict[int, list[User]] = defaultdict(list)
    for chunk in _chunks(union_ids):
        for person in db.session.scalars(select(User).where(User.role == Role.HELPER, User.active.is_(True),
                                                            User.unit_id.in_(chunk)).order_by(User.id)):
            found[person.unit_id].append(person)  # type: ignore[index]
    return found


def deadline_reminders(now: datetime) -> int:
    """Kind "deadline" to each author with drafts or returned initiatives in a running campaign or period on the
    day a threshold of ``REMINDER_DAYS`` is due (``threshold_due``), and "deadline_team" to the support team of
    the union of those authors."""
    today = clock.local_day(now)
    thresholds = current_app.config["REMINDER_DAYS"]
    mine = _path("submissions.mine")
    made = 0
    for deadline in _deadlines(today):
        days_left = (deadline.end - today).days
        due = threshold_due(days_left, thresholds)
        if due is None:
            continue
        key = f"{deadline.key}:{deadline.end.isoformat()}:t{due}"
        end = deadline.end.strftime("%d/%m/%Y")
        rows = outstanding(deadline)
        per_author: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        per_union: dict[int, set[int]] = defaultdict(set)
        for union_id, author_id, drafts, back in rows:
            per_author[author_id][0] += drafts
            per_author[author_id][1] += back
            per_union[union_id].add(author_id)
        keys = {author_id: f"deadline:{key}:u{author_id}" for author_id in per_author}
        told = _already(keys.values())
        people = _users(author_id for author_id, dedupe_key in keys.items() if dedupe_key not in told)
        for author_id, (drafts, back) in per_author.items():
            person = people.get(author_id)
            if person is not None and notices.notify(
                    person, "deadline", link=mine, dedupe_key=keys[author_id], now=now,
                    params={"days": days_left, "name": deadline.name, "end": end, "drafts": drafts,
                            "returned": back}):
                made += 1
        teams = _helpers_of(per_union)
        told = _already(f"deadline_team:{key}:n{union_id}:u{person.id}"
                        for union_id, helpers in teams.items() for person in helpers)
        for union_id, helpers in teams.items():
            team_key = f"deadline_team:{key}:n{union_id}"  # notify_all adds :u<id>
            made += len(notices.notify_all(
                [person for person in helpers if f"{team_key}:u{person.id}" not in told], "deadline_team",
                link=f"/support/units/{union_id}/gap", dedupe_key=team_key, now=now,
                params={"days": days_left, "name": deadline.name, "end": end,
                        "members": len(per_union[union_id])}))
        db.session.commit()  # one deadline at a time: a crash keeps what was written, a rerun skips it
    return made


# --- the weekly digest ----------------------------------------------------------------------------------------------

def digest_recipients() -> dict[int, list[User]]:
    """Unit id → who gets its digest: its leader in charge, its staff adviser, the organizers working on it."""
    found: dict[int, list[User]] = defaultdict(list)
    led = db.session.scalars(select(Unit).where(or_(Unit.leader_id.is_not(None), Unit.adviser_id.is_not(None)))
                             .options(selectinload(Unit.leader), selectinload(Unit.adviser)).order_by(Unit.id))
    for unit in led:
        found[unit.id] += [person for person in (unit.leader, unit.adviser) if person is not None and person.active]
    organizers = db.session.scalars(select(User).where(User.role == Role.ORGANIZER, User.active.is_(True))
                                    .order_by(User.id))
    for person in organizers:
        if person.scope is not None:
            found[person.scope.id].append(person)
    return found


@dataclass
class Digest:
    campaign: Campaign
    unit: Unit
    week: date  # its Monday
    people: list[User]

    @property
    def label(self) -> str:
        return f"{self.week:%d/%m}–{self.week + timedelta(days=6):%d/%m/%Y}"

    @property
    def dedupe_key(self) -> str:
        return f"digest:c{self.campaign.id}:n{self.unit.id}:w{self.week.isoformat()}"


def digests(week: date, today: date | None = None, *, clamp: bool = False) -> list[Digest]:
    """The digests of the week starting on ``week`` (a Monday): one per (campaign, unit) with its readers. A unit
    reads the campaign it takes part in (``campaigns.current``); staff above a campaign's unit read the campaign's
    unit; a week outside the campaign's days has no digest (with ``clamp``, a week after its end is its last
    week: what the command prints once a campaign is over)."""
    today = today or clock.today()
    grouped: dict[tuple[int, int], Digest] = {}
    readers = digest_recipients()
    units = {unit.id: unit for chunk in _chunks(readers)
             for unit in db.session.scalars(select(Unit).where(Unit.id.in_(chunk)))}
    for unit_id, people in readers.items():
        unit = units.get(unit_id)
        campaign = campaign_rules.current(unit, today) if unit is not None else None
        if unit is None or campaign is None or not people:
            continue
        first = week_start(min(week, campaign.end_date)) if clamp else week
        if not (campaign.start_date <= first + timedelta(days=6) and first <= campaign.end_date):
            continue
        if not campaign.unit.contains(unit):
            unit = campaign.unit
        item = grouped.setdefault((campaign.id, unit.id), Digest(campaign, unit, first, []))
        for person in people:
            if person not in item.people:  # a leader who is also the adviser, or also an organizer: once
                item.people.append(person)
    return list(grouped.values())


def send_digests(week: date, today: date | None = None, *, clamp: bool = False, now: datetime | None = None) -> int:
    """Kind "digest" (params week, unit, text) to each reader of each digest of ``week``, once per unit × week ×
    person; the caller commits."""
    made = 0
    for item in digests(week, today, clamp=clamp):
        text = digest.compose(item.campaign, item.unit, item.week)
        link = _path("dashboard.campaign_page", slug=item.campaign.slug, unit_id=item.unit.id)
        made += len(notices.notify_all(item.people, "digest", link=link, dedupe_key=item.dedupe_key, now=now,
                                       params={"week": item.label, "unit": item.unit.name, "text": text}))
    return made


def weekly_digests(now: datetime) -> int:
    """The digest of the last full week (Monday to Sunday before ``now``'s week)."""
    today = clock.local_day(now)
    made = send_digests(week_start(today) - timedelta(days=7), today, now=now)
    db.session.commit()
    return made


# --- reviewers' ageing queue ------------------------------------------------------------------------------------------

def aged_per_unit(cutoff: datetime) -> tuple[dict[int, int], list[int]]:
    """Grassroots union id → how many of its initiatives wait for a decision since before ``cutoff``, and the
    campaigns they belong to: one grouped read per campaign on the queue index (campaign, status, submitted_at)."""
    found: dict[int, int] = defaultdict(int)
    campaign_ids: list[int] = []
    for campaign_id in db.session.scalars(select(Campaign.id).order_by(Campaign.id)):
        for unit_id, count in db.session.execute(
                select(Initiative.unit_id, func.count())
                .where(Initiative.campaign_id == campaign_id, Initiative.status == Status.SUBMITTED,
                       Initiative.submitted_at < cutoff).group_by(Initiative.unit_id)):
            found[unit_id] += count
            if campaign_ids[-1:] != [campaign_id]:
                campaign_ids.append(campaign_id)
    return found, campaign_ids


def _rolled_up(per_unit: dict[int, int]) -> tuple[dict[int, int], dict[int, str]]:
    """The counts of ``per_unit`` summed into every ancestor, and the paths of the units counted."""
    rolled: dict[int, int] = defaultdict(int)
    paths: dict[int, str] = {}
    for chunk in _chunks(per_unit):
        for unit_id, path in db.session.execute(select(Unit.id, Unit.path).where(Unit.id.in_(chunk))):
            paths[unit_id] = path
            for ancestor in path_ids(path):
                rolled[ancestor] += per_unit[unit_id]
    return rolled, paths


def _own_items(aged, campaign_ids: list[int]) -> dict[int, set[tuple[int, int]]]:
    """Reviewer id → (initiative id, union id) of the aged items they wrote, entered or co-authored: never theirs
    to decide (``policy.no_conflict_clause``). Two reads over the aged items, narrowed to reviewers' own."""
    reviewers = select(User.id).where(User.role == Role.REVIEWER).scalar_subquery()
    found: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for item_id, unit_id, author_id, entered_by_id in db.session.execute(
            select(Initiative.id, Initiative.unit_id, Initiative.author_id, Initiative.entered_by_id)
            .where(Initiative.campaign_id.in_(campaign_ids), aged,
                   or_(Initiative.author_id.in_(reviewers), Initiative.entered_by_id.in_(reviewers)))):
        for person in {author_id, entered_by_id}:
            found[person].add((item_id, unit_id))
    for item_id, unit_id, person in db.session.execute(
            select(Initiative.id, Initiative.unit_id, InitiativeAuthor.user_id)
            .join(InitiativeAuthor, InitiativeAuthor.initiative_id == Initiative.id)
            .where(Initiative.campaign_id.in_(campaign_ids), aged, InitiativeAuthor.user_id.in_(reviewers))):
        found[person].add((item_id, unit_id))
    return found


def ageing_counts(cutoff: datetime) -> dict[int, int]:
    """Active reviewer id → how many items of their queue (``policy.reviewable_clause``: their scope, without
    their own union's nor their own items) wait for a decision since before ``cutoff``; reviewers with none left
    out. Set-based: the aged items are counted per union once (``aged_per_unit``) and summed up the tree, then
    each reviewer's scope subtracts their own union and their own items, whatever the number of reviewers."""
    per_unit, campaign_ids = aged_per_unit(cutoff)
    if not per_unit:
        return {}
    rolled, paths = _rolled_up(per_unit)
    own = _own_items(and_(Initiative.status == Status.SUBMITTED, Initiative.submitted_at < cutoff), campaign_ids)
    found: dict[int, int] = {}
    reviewers = db.session.scalars(select(User).where(User.role == Role.REVIEWER, User.active.is_(True))
                                   .options(selectinload(User.unit), selectinload(User.scope_unit)).order_by(User.id))
    for reviewer in reviewers:
        scope = reviewer.scope
        if scope is None:
            continue

        count = rolled.get(scope.id, 0)
        own_union = reviewer.unit_id
        if own_union in per_unit and paths[own_union].startswith(scope.path):
            count -= per_unit[own_union]  # their own union's items are never theirs to decide
        count -= sum(1 for _item, unit_id in own.get(reviewer.id, ())
                     if unit_id != own_union and paths[unit_id].startswith(scope.path))
        if count > 0:
            found[reviewer.id] = count
    return found


def queue_ageing(now: datetime) -> int:
    """Kind "queue_ageing" (params count, days) to each active reviewer whose queue holds items pending longer
    than ``REVIEW_AGEING_DAYS`` days (``ageing_counts``); once per reviewer and day."""
    days = current_app.config["REVIEW_AGEING_DAYS"]
    today = clock.local_day(now)
    counts = ageing_counts(now - timedelta(days=days))
    link = _path("review.queue")
    made = 0
    keys = {reviewer_id: f"queue_ageing:{today.isoformat()}:u{reviewer_id}" for reviewer_id in counts}
    told = _already(keys.values())
    for reviewer_id, person in _users(r for r, dedupe_key in keys.items() if dedupe_key not in told).items():
        if notices.notify(person, "queue_ageing", link=link, params={"count": counts[reviewer_id], "days": days},
                          dedupe_key=keys[reviewer_id], now=now):
            made += 1
    db.session.commit()
    return made


# --- units behind pace ------------------------------------------------------------------------------------------------

@dataclass
class Behind:
    campaign: Campaign
    unit: Unit
    valid: int
    target: int
    expected: float


def behind_units(campaign: Campaign, today: date) -> list[Behind]:
    """The units of ``campaign`` with a leader in charge or an adviser and a target whose valid count is below the
    pace line on ``today`` (``ranking.expected_at``, the giao ban's ``below_pace``): four grouped reads."""
    units = list(db.session.scalars(
        select(Unit).where(or_(Unit.leader_id.is_not(None), Unit.adviser_id.is_not(None)), subtree_filter(
            campaign.unit)).options(selectinload(Unit.leader), selectinload(Unit.adviser)).order_by(Unit.id)))
    ids = [unit.id for unit in units]
    if not ids:
        return []
    goals = ranking.goals(campaign, ids)
    counts = tallies.counts_for(campaign.id, ids)
    at_start = {unit_id: valid for unit_id, valid in db.session.execute(
        select(DailyTally.unit_id, func.sum(DailyTally.valid))
        .where(DailyTally.campaign_id == campaign.id, DailyTally.unit_id.in_(ids),
               DailyTally.day < campaign.start_date).group_by(DailyTally.unit_id))}
    found = []
    for unit in units:
        target = goals.get(unit.id)
        expected = ranking.expected_at(campaign, int(at_start.get(unit.id) or 0), target, today)
        valid = counts[unit.id].valid if unit.id in counts else 0
        if target and expected is not None and valid < expected:
            found.append(Behind(campaign, unit, valid, target, expected))
    return found


def behind_pace(now: datetime) -> int:
    """Kind "behind_pace" (params unit, valid, target, expected, name) to the leader in charge and the adviser of
    each unit below its pace line in a running campaign, once a week per unit."""
    today = clock.local_day(now)
    made = 0
    for campaign in _running_campaigns(today):
        for item in behind_units(campaign, today):
            made += len(notices.notify_all(
                [item.unit.leader, item.unit.adviser], "behind_pace",
                link=_path("dashboard.campaign_page", slug=campaign.slug, unit_id=item.unit.id),
                dedupe_key=f"behind_pace:c{campaign.id}:n{item.unit.id}:w{week_start(today).isoformat()}", now=now,
                params={"unit": item.unit.name, "valid": item.valid, "target": item.target,
                        "expected": math.ceil(item.expected), "name": campaign.name}))
    db.session.commit()
    return made


# Times in UTC: Việt Nam is UTC+7, so hour "0" is 07:00 there. Day of week: 0 is Sunday, 1 Monday.
SCHEDULE: list[Scheduled] = [
    Scheduled("deadline_reminders", deadline_reminders, crontab={"minute": "0", "hour": "1"}),
    Scheduled("weekly_digests", weekly_digests, crontab={"minute": "0", "hour": "0", "day_of_week": "1"}),
    Scheduled("queue_ageing", queue_ageing, crontab={"minute": "30", "hour": "1"}),
    Scheduled("behind_pace", behind_pace, crontab={"minute": "15", "hour": "1"}),
]
