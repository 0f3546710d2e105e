"""Scheduled jobs (domain/reminders.py) on the controllable clock: deadline reminders, the weekly digest, the
reviewers' ageing alert and the behind-pace alert fire on the right days, to the right people only, once."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from huey import crontab
from sqlalchemy import delete, func, select

from app import clock, policy
from app.domain import reminders, workflow
from app.extensions import db
from app.models import Delivery, Initiative, InitiativeAuthor, Notification, Status, Target, Unit, User

from . import factories
from .queries import counted

# The world's campaign runs from 22/04/2022 to 31/05/2022.
END = date(2022, 5, 31)


def sent(kind: str) -> dict[int, dict]:
    """user id → params of each notification of ``kind``."""
    found: dict[int, dict] = {}
    for note in db.session.scalars(select(Notification).where(Notification.kind == kind).order_by(Notification.id)):
        assert note.user_id not in found, f"{kind} told user {note.user_id} twice"
        found[note.user_id] = dict(note.params, _link=note.link)
    return found


def sent_to(user_id: int, kind: str) -> int:
    return len(db.session.scalars(select(Notification.id).where(Notification.user_id == user_id,
                                                                Notification.kind == kind)).all())


def made(world, author_key: str, *statuses: str, when: datetime | None = None, unit_id: int | None = None,
         campaign_id: int | None = None):
    author = db.session.get(User, getattr(world, author_key))
    item = factories.initiative(campaign_id or world.campaign, author, unit_id=unit_id)
    admin = db.session.get(User, world.admin)
    for status in statuses:
        actor = author if status in (Status.SUBMITTED, Status.WITHDRAWN) else admin
        workflow.transition(item, status, actor, now=when,
                            reason_code="other" if status in (Status.RETURNED, Status.INVALID) else None)
    db.session.commit()
    return item


def run(job, day: date) -> int:
    clock.set_demo_date(day)
    return job(clock.utcnow())


# --- deadline reminders ------------------------------------------------------------------------------------------

@pytest.fixture
def outstanding(app, world):
    """Union A1: a draft (member_a1) and a returned one (member_a1b); A2: only a valid one (member_a2); B1: only a
    withdrawn one (member_b1)."""
    with app.app_context():
        made(world, "member_a1")
        made(world, "member_a1b", Status.SUBMITTED, Status.RETURNED, when=datetime(2022, 4, 25, 3))
        made(world, "member_a2", Status.SUBMITTED, Status.VALID, when=datetime(2022, 4, 25, 3))
        made(world, "member_b1", Status.SUBMITTED, Status.WITHDRAWN, when=datetime(2022, 4, 25, 3))
    return world


def test_deadline_reminders_seven_three_and_one_day_before_the_end(app, outstanding):
    world = outstanding
    with app.app_context():
        assert run(reminders.deadline_reminders, date(2022, 5, 23)) == 0  # 8 days left: nothing yet
        assert run(reminders.deadline_reminders, date(2022, 5, 24)) == 3  # 7 days left
        authors = sent("deadline")
        assert set(authors) == {world.member_a1, world.member_a1b}  # not the valid-only nor the withdrawn author
        assert authors[world.member_a1]["drafts"] == 1 and authors[world.member_a1]["returned"] == 0
        assert authors[world.member_a1b]["drafts"] == 0 and authors[world.member_a1b]["returned"] == 1
        first = authors[world.member_a1]
        assert first["days"] == 7 and first["name"] == "Chiến dịch thử" and first["end"] == "31/05/2022"
        assert first["_link"] == "/initiatives/mine"
        team = sent("deadline_team")
        assert set(team) == {world.helper_a1}  # union A1's support team only, not B1's
        assert team[world.helper_a1]["members"] == 2
        assert team[world.helper_a1]["_link"] == f"/support/units/{world.union_a1}/gap"

        assert run(reminders.deadline_reminders, date(2022, 5, 24)) == 0  # run twice: nobody told twice
        for day in (25, 26, 27):
            assert run(reminders.deadline_reminders, date(2022, 5, day)) == 0
        assert run(reminders.deadline_reminders, date(2022, 5, 28)) == 3  # 3 days left
        assert run(reminders.deadline_reminders, date(2022, 5, 29)) == 0
        assert run(reminders.deadline_reminders, date(2022, 5, 30)) == 3  # 1 day left
        assert run(reminders.deadline_reminders, date(2022, 5, 31)) == 0  # the last day
        days = sorted(n.params["days"] for n in db.session.scalars(
            select(Notification).where(Notification.user_id == world.member_a1)))
        assert days == [1, 3, 7]


def test_jobs_use_the_now_they_are_given(app, outstanding):
    """The platform's clock is real time (2026) here: the job goes by the ``now`` the worker hands it."""
    world = outstanding
    with app.app_context():
        now = datetime(2022, 5, 24, 1, 0)  # 08:00 in Việt Nam, 7 days before the end
        assert reminders.deadline_reminders(now) == 3
        note = db.session.scalar(select(Notification).where(Notification.user_id == world.member_a1))
        assert note.created_at == now and note.params["days"] == 7


def test_a_missed_day_sends_the_nearest_threshold_only_once(app, outstanding):
    world = outstanding
    with app.app_context():
        # The worker was down from 8 days left to 2 days left: the 3-day reminder (saying 2), never the 7-day one.
        assert run(reminders.deadline_reminders, date(2022, 5, 29)) == 3
        notes = db.session.scalars(select(Notification).where(Notification.user_id == world.member_a1)).all()
        assert [n.params["days"] for n in notes] == [2]
        assert ":t3:" in notes[0].dedupe_key
        assert run(reminders.deadline_reminders, date(2022, 5, 29)) == 0
        assert run(reminders.deadline_reminders, date(2022, 5, 30)) == 3  # the 1-day one still comes
        # Down on the 7-day mark only: the next day sends it, saying 6 days, and then nothing until 3.
        db.session.execute(delete(Delivery))
        db.session.execute(delete(Notification))
        db.session.commit()
        assert run(reminders.deadline_reminders, date(2022, 5, 25)) == 3
        assert [n.params["days"] for n in db.session.scalars(
            select(Notification).where(Notification.user_id == world.member_a1))] == [6]
        assert run(reminders.deadline_reminders, date(2022, 5, 26)) == 0


def test_threshold_due():
    assert [reminders.threshold_due(d, (7, 3, 1)) for d in range(10, -2, -1)] == [
        None, None, None, 7, 7, 7, 7, 3, 3, 1, None, None]


def test_period_deadlines_remind_only_inside_its_subtree_and_window(app, world):
    with app.app_context():
        factories.period(world.campaign, world.district_a, date(2022, 5, 2), date(2022, 5, 15),
                         name="Tuần cao điểm huyện Ả")
        made(world, "member_a1")  # a draft in the period's subtree
        made(world, "member_b1")  # a draft in district B: not the period's
        # Returned: first submitted before the window (counts for the campaign, not the period) and inside it.
        made(world, "member_a1b", Status.SUBMITTED, Status.RETURNED, when=datetime(2022, 4, 28, 3))
        made(world, "member_a2", Status.SUBMITTED, Status.RETURNED, when=datetime(2022, 5, 3, 3))
        # 3 days before the period's end; the campaign has 19 days left: no campaign reminder.
        assert run(reminders.deadline_reminders, date(2022, 5, 12)) == 3
        authors = sent("deadline")
        assert set(authors) == {world.member_a1, world.member_a2}
        assert authors[world.member_a2] | {"_link": None} == {
            "days": 3, "name": "Tuần cao điểm huyện Ả", "end": "15/05/2022", "drafts": 0, "returned": 1,
            "_link": None}
        assert set(sent("deadline_team")) == {world.helper_a1}  # A2 has no support team; B1's is not told
        assert run(reminders.deadline_reminders, date(2022, 5, 12)) == 0


def test_inactive_authors_and_helpers_are_told_nothing(app, outstanding):
    world = outstanding
    with app.app_context():
        for key in ("member_a1", "helper_a1"):
            db.session.get(User, getattr(world, key)).active = False
        db.session.commit()
        assert run(reminders.deadline_reminders, date(2022, 5, 24)) == 1
        assert set(sent("deadline")) == {world.member_a1b} and sent("deadline_team") == {}


# --- the weekly digest ---------------------------------------------------------------------------------------------

def test_weekly_digest_on_monday_to_leaders_advisers_and_organizers(app, world):
    with app.app_context():
        made(world, "member_a1", Status.SUBMITTED, Status.VALID, when=datetime(2022, 5, 3, 3))
        district_a = db.session.get(Unit, world.district_a)
        district_a.leader_id, district_a.adviser_id = world.reviewer_p, world.reviewer_a
        db.session.get(Unit, world.union_b1).leader_id = world.reviewer_p2
        db.session.commit()
        # Monday 09/05: the week of 02/05 – 08/05.
        assert run(reminders.weekly_digests, date(2022, 5, 9)) == 5
        notes = sent("digest")
        assert set(notes) == {world.reviewer_p, world.reviewer_a, world.organizer_a, world.organizer_p,
                              world.reviewer_p2}
        assert notes[world.reviewer_p]["unit"] == "LĐLĐ huyện Ả" and notes[world.reviewer_p]["week"] == (
            "02/05–08/05/2022")
        assert "Trong tuần: 1 sáng kiến gửi mới, 1 được công nhận hợp lệ." in notes[world.reviewer_p]["text"]
        assert notes[world.organizer_p]["unit"] == "LĐLĐ tỉnh Thử"
        assert notes[world.reviewer_p2]["unit"] == "CĐCS Bệnh viện Đa khoa huyện Bê"
        assert notes[world.reviewer_p]["_link"] == f"/campaigns/thu/units/{world.district_a}"
        assert run(reminders.weekly_digests, date(2022, 5, 9)) == 0  # run twice
        assert run(reminders.weekly_digests, date(2022, 5, 10)) == 0  # late, the same week: nobody twice
        assert run(reminders.weekly_digests, date(2022, 5, 16)) == 5  # the next week
        # Long after the campaign: no digest of a week outside it.
        assert run(reminders.weekly_digests, date(2022, 7, 4)) == 0


def test_one_digest_for_a_leader_who_is_also_the_adviser(app, world):
    with app.app_context():
        union = db.session.get(Unit, world.union_a1)
        union.leader_id = union.adviser_id = world.reviewer_a
        db.session.commit()
        run(reminders.weekly_digests, date(2022, 5, 9))
        keys = db.session.scalars(select(Notification.dedupe_key).where(
            Notification.user_id == world.reviewer_a)).all()
        assert keys == [f"digest:c{world.campaign}:n{world.union_a1}:w2022-05-02:u{world.reviewer_a}"]
    printed = app.test_cli_runner().invoke(args=["weekly-digest", "--week", "2022-05-04"])
    assert printed.output.count("== Lê Thẩm Định") == 1


def test_weekly_digest_command_prints_and_queues(app, world):
    with app.app_context():
        made(world, "member_a1", Status.SUBMITTED, Status.VALID, when=datetime(2022, 5, 3, 9))
        db.session.get(User, world.organizer_p).email = "tochuc@example.vn"
        db.session.get(Unit, world.union_a1).leader_id = world.reviewer_a
        db.session.commit()
    printed = app.test_cli_runner().invoke(args=["weekly-digest", "--week", "2022-05-04"])
    assert printed.exit_code == 0, printed.output
    assert "LĐLĐ tỉnh Thử" in printed.output and "LĐLĐ huyện Ả" in printed.output
    assert "CĐCS Trường Tiểu học Sìn Hồ" in printed.output  # the leader's unit
    with app.app_context():
        # printing tells nobody
        assert db.session.scalar(select(Notification.id).where(Notification.kind == "digest")) is None
    queued = app.test_cli_runner().invoke(args=["weekly-digest", "--week", "2022-05-04", "--send"])
    assert queued.exit_code == 0 and "Queued 3 digests" in queued.output
    again = app.test_cli_runner().invoke(args=["weekly-digest", "--week", "2022-05-04", "--send"])
    assert "Queued 0 digests" in again.output
    with app.app_context():
        note = db.session.scalar(select(Notification).where(Notification.user_id == world.organizer_p,
                                                            Notification.kind == "digest"))
        assert note.kind == "digest" and note.params["unit"] == "LĐLĐ tỉnh Thử"
        # The outbox row the worker delivers, for the organizer who has an address.
        assert [(d.channel, d.address) for d in db.session.scalars(
            select(Delivery).join(Notification).where(Notification.kind == "digest"))] == [
            ("email", "tochuc@example.vn")]
    bad = app.test_cli_runner().invoke(args=["weekly-digest", "--week", "not-a-day"])
    assert bad.exit_code != 0 and "not a date" in bad.output


# --- reviewers' ageing queue ---------------------------------------------------------------------------------------

def test_queue_ageing_alerts_reviewers_whose_scope_has_items_waiting_too_long(app, world):
    with app.app_context():
        # Today 20/05 (REVIEW_AGEING_DAYS = 5): submitted 13/05 is aged, 18/05 is not.
        made(world, "member_a1", Status.SUBMITTED, when=datetime(2022, 5, 13, 3))
        made(world, "member_a1b", Status.SUBMITTED, when=datetime(2022, 5, 13, 4))
        made(world, "member_a2", Status.SUBMITTED, when=datetime(2022, 5, 13, 3))
        made(world, "member_b1", Status.SUBMITTED, when=datetime(2022, 5, 18, 3))
        made(world, "member_b1", Status.SUBMITTED, Status.VALID, when=datetime(2022, 5, 1, 3))  # decided
        made(world, "member_b1", Status.SUBMITTED, Status.WITHDRAWN, when=datetime(2022, 5, 1, 3))
        assert run(reminders.queue_ageing, date(2022, 5, 20)) == 3
        notes = sent("queue_ageing")
        # reviewer_a (district A, union A2) never reviews union A2: 2; the province reviewers: all 3, except
        # reviewer_p2, who belongs to union A2: 2. Nobody is told about B1's recent item.
        assert {user_id: params["count"] for user_id, params in notes.items()} == {
            world.reviewer_a: 2, world.reviewer_p: 3, world.reviewer_p2: 2}
        assert notes[world.reviewer_a]["days"] == 5 and notes[world.reviewer_a]["_link"] == "/review/"
        assert run(reminders.queue_ageing, date(2022, 5, 20)) == 0  # once a day
        assert run(reminders.queue_ageing, date(2022, 5, 21)) == 3  # the next day, again


def test_queue_ageing_leaves_out_what_reviewers_wrote_entered_or_co_authored(app, world):
    with app.app_context():
        when = datetime(2022, 5, 13, 3)
        admin = db.session.get(User, world.admin)
        # In union A1 (nobody's own union): one by reviewer_a as author, one entered by reviewer_p2 for a member,
        # one co-authored by reviewer_p, and one plain item.
        reviewer_a = db.session.get(User, world.reviewer_a)
        written = factories.initiative(world.campaign, reviewer_a, unit_id=world.union_a1)
        entered = factories.initiative(world.campaign, db.session.get(User, world.member_a1),
                                       entered_by=db.session.get(User, world.reviewer_p2))
        shared = factories.initiative(world.campaign, db.session.get(User, world.member_a1b))
        shared.authors.append(InitiativeAuthor(user_id=world.reviewer_p, full_name="Nguyễn Thẩm Định",
                                               share_percent=50))
        plain = factories.initiative(world.campaign, db.session.get(User, world.member_a1))
        for item in (written, entered, shared, plain):
            workflow.transition(item, Status.SUBMITTED, admin, now=when)
        db.session.commit()
        counts = reminders.ageing_counts(datetime(2022, 5, 15))
        assert counts == {world.reviewer_a: 3, world.reviewer_p: 3, world.reviewer_p2: 3}
        # The same as each reviewer's queue (policy.reviewable_clause), item by item.
        for reviewer_id, count in counts.items():
            reviewer = db.session.get(User, reviewer_id)
            assert count == db.session.scalar(select(func.count()).select_from(Initiative).where(
                Initiative.status == Status.SUBMITTED, policy.reviewable_clause(reviewer)))


def test_queue_ageing_counts_only_the_reviewers_queue(app, world):
    with app.app_context():
        made(world, "member_a2", Status.SUBMITTED, when=datetime(2022, 5, 13, 3))  # only A2: reviewer_a's own
        db.session.get(User, world.reviewer_p).active = False
        db.session.commit()
        assert run(reminders.queue_ageing, date(2022, 5, 20)) == 0  # reviewer_p2 belongs to A2 too
        assert run(reminders.queue_ageing, date(2022, 5, 16)) == 0  # 3 days: not aged yet


def test_queue_ageing_days_come_from_the_config(app_factory, world):
    app = app_factory(REVIEW_AGEING_DAYS=2)
    with app.app_context():
        made(world, "member_a1", Status.SUBMITTED, when=datetime(2022, 5, 17, 3))
        assert run(reminders.queue_ageing, date(2022, 5, 20)) == 3  # aged after 2 days: every reviewer of A1
        assert sent("queue_ageing")[world.reviewer_a] | {"_link": ""} == {"count": 1, "days": 2, "_link": ""}


def test_the_reads_are_set_based_whatever_the_number_of_items(app, world):
    """The jobs' reads do not grow with the initiatives: grouped queries, no per-item (or per-author) loop."""
    def reads(job, day: date) -> int:
        clock.set_demo_date(day)
        now = clock.utcnow()
        with counted(app) as statements:
            job(now)
        return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])

    with app.app_context():
        for _ in range(2):
            made(world, "member_a1", Status.SUBMITTED, when=datetime(2022, 5, 2, 3))
            made(world, "member_a1b")
        few = (reads(reminders.queue_ageing, date(2022, 5, 24)), reads(reminders.deadline_reminders, date(2022, 5, 24)))
        for _ in range(20):
            made(world, "member_a1", Status.SUBMITTED, when=datetime(2022, 5, 2, 3))
            made(world, "member_a1b")
        # The next day's ageing alert and the next threshold's reminders, over 10 times the items.
        assert (reads(reminders.queue_ageing, date(2022, 5, 25)),
                reads(reminders.deadline_reminders, date(2022, 5, 28))) == few


# --- behind pace ---------------------------------------------------------------------------------------------------

def test_behind_pace_tells_the_leader_and_adviser_of_units_below_the_pace_line(app, world):
    with app.app_context():
        made(world, "member_a2", Status.SUBMITTED, Status.VALID, when=datetime(2022, 4, 22, 3))
        union_a1, union_a2 = db.session.get(Unit, world.union_a1), db.session.get(Unit, world.union_a2)
        union_a1.leader_id, union_a1.adviser_id = world.reviewer_a, world.organizer_a
        union_a2.leader_id = world.reviewer_p
        db.session.commit()
        # 23/04, day 1 of 39: A1 (target 40) should have 1.03, has 0; A2 (target 20) should have 0.51, has 1.
        assert run(reminders.behind_pace, date(2022, 4, 23)) == 2
        notes = sent("behind_pace")
        assert set(notes) == {world.reviewer_a, world.organizer_a}
        assert notes[world.reviewer_a] | {"_link": ""} == {
            "unit": "CĐCS Trường Tiểu học Sìn Hồ", "valid": 0, "target": 40, "expected": 2,
            "name": "Chiến dịch thử", "_link": ""}
        assert run(reminders.behind_pace, date(2022, 4, 23)) == 0  # run twice
        # Sunday 24/04, the same week: A1's people are not told again; A2 has fallen behind (1 < 1.03).
        assert run(reminders.behind_pace, date(2022, 4, 24)) == 1
        assert set(sent("behind_pace")) == {world.reviewer_a, world.organizer_a, world.reviewer_p}
        # The next week: A1 still behind (0 < 3.08), A2 too (1 < 1.54).
        db.session.execute(delete(Notification))
        db.session.commit()
        assert run(reminders.behind_pace, date(2022, 4, 25)) == 3
        # A unit without a target is never behind; after the campaign nobody is told.
        db.session.execute(delete(Target).where(Target.unit_id == world.union_a1))
        db.session.commit()
        assert run(reminders.behind_pace, date(2022, 5, 2)) == 1
        assert sent_to(world.reviewer_p, "behind_pace") == 2 and sent_to(world.reviewer_a, "behind_pace") == 1
        assert run(reminders.behind_pace, date(2022, 6, 6)) == 0


# --- the schedule ----------------------------------------------------------------------------------------------------

def test_crontab_entries_are_valid_and_fire_when_said():
    entries = {entry.name: entry for entry in reminders.SCHEDULE}
    assert set(entries) == {"deadline_reminders", "weekly_digests", "queue_ageing", "behind_pace"}
    assert all(callable(entry.run) for entry in entries.values())
    tests = {name: crontab(strict=True, **entry.crontab) for name, entry in entries.items()}
    monday_7am_vn = datetime(2022, 5, 9, 0, 0)  # Monday 00:00 UTC
    assert tests["weekly_digests"](monday_7am_vn)
    assert not tests["weekly_digests"](datetime(2022, 5, 10, 0, 0))  # Tuesday
    assert not tests["weekly_digests"](datetime(2022, 5, 9, 1, 0))
    for name in ("deadline_reminders", "queue_ageing", "behind_pace"):  # daily, once
        fired = [hour * 60 + minute for hour in range(24) for minute in range(60)
                 if tests[name](datetime(2022, 5, 10, hour, minute))]
        assert len(fired) == 1, name
        assert 0 <= fired[0] < 10 * 60  # in the Vietnamese morning (07:00–17:00)


def test_run_job_runs_a_scheduled_job_now_and_commits_what_it_wrote(app, world, real_clock):
    """``flask run-job NAME``: the job at the platform's clock, as the worker runs it (its notifications kept)."""
    real_clock.set_demo_date(date(2022, 5, 20))
    with app.app_context():
        made(world, "member_a1", Status.SUBMITTED, when=datetime(2022, 5, 2, 9))   # pending for 18 days
    result = app.test_cli_runner().invoke(args=["run-job", "queue_ageing"])
    assert result.exit_code == 0, result.output
    told = int(result.output.strip().rsplit(" ", 1)[1])
    assert told >= 1
    with app.app_context():
        db.session.remove()
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.kind == "queue_ageing")) == told
    again = app.test_cli_runner().invoke(args=["run-job", "queue_ageing"])
    assert again.output.strip() == "queue_ageing: 0"                              # once a day
