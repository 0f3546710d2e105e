"""``flask seed-demo`` and the other commands, run through the real CLI."""
from __future__ import annotations

import os
import re
from datetime import date, datetime

from sqlalchemy import DateTime, func, select

from app import clock
from app.demo import seed
from app.demo.programme import APPLIED_FROM
from app.domain import campaigns, periods, ranking, tallies, uploads, weeks
from app.domain.catalog import INVALID_REASONS
from app.extensions import db
from app.models import (
    AppSetting,
    Attachment,
    Award,
    Campaign,
    DailyTally,
    EligibilityRule,
    Feature,
    Initiative,
    InitiativeAuthor,
    Notification,
    Obstacle,
    ObstacleStatus,
    Period,
    Status,
    StatusEvent,
    Target,
    Unit,
    UnitKind,
    User,
)

from .conftest import login


def _counts():
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Unit, User, Initiative, Target)}


def test_seed_demo_tells_the_letter_running_and_is_idempotent(app):
    """One seed (it takes a while), every property of the demo: the letter true at the launch, the campaign
    running on the demo clock, the counters the workflow's own, the programme's rules, realistic data."""
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert seed.DEMO_PASSWORD in result.output and "0900000001" in result.output
    assert "12/05/2022" in result.output  # the demo clock is announced
    with app.app_context():
        first = _counts()
        campaign = db.session.scalar(select(Campaign))
        assert (campaign.start_date.isoformat(), campaign.end_date.isoformat(), campaign.goal) == \
            ("2022-04-22", "2022-05-31", 1200)
        _launch_figures_from_the_audit_log()
        _running_on_the_demo_clock(campaign)
        _counters_are_the_workflows_own(campaign)
        _nothing_after_now()
        _programme_rules_hold(campaign)
        _peak_periods(campaign)
        _realistic_units_and_people(campaign)
        png, pdf = _collectives_attachments_and_stories()
        assert db.session.scalar(select(func.count()).where(Initiative.status == Status.DRAFT)) > 0
        _people_around_the_record()
    # Through the app (outside this test's app context: each request gets its own): the banner, the countdown,
    # and the generated files downloading and thumbnailing like uploads.
    page = app.test_client().get("/campaign").get_data(as_text=True)
    assert "12/05/2022" in page and "demo-clock" in page
    assert re.search(r"<strong>19</strong>\s*ngày còn lại", page)
    client = app.test_client()
    login(client, "0900000001", seed.DEMO_PASSWORD)
    assert client.get(f"/initiatives/attachments/{pdf}").get_data()[:5] == b"%PDF-"
    assert client.get(f"/initiatives/attachments/{png}/thumb").get_data()[:3] == b"\xff\xd8\xff"
    member = app.test_client()
    login(member, "0900000008", seed.DEMO_PASSWORD)
    inbox = member.get("/notifications/").get_data(as_text=True)
    assert re.search(r'class="count"[^>]*>\d+</span>', inbox)      # the header's unread count
    assert "được trả lại để bổ sung" in inbox                        # the return still waiting for its author
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0 and "already loaded" in again.output
    with app.app_context():
        assert _counts() == first


def _status_at(moment: datetime) -> dict[int, str]:
    """Each initiative's status at ``moment``, from the audit log alone (its last row before then)."""
    status: dict[int, str] = {}
    for initiative_id, to_status in db.session.execute(
            select(StatusEvent.initiative_id, StatusEvent.to_status).where(StatusEvent.created_at < moment)
            .order_by(StatusEvent.created_at, StatusEvent.id)):
        status[initiative_id] = to_status
    return status


def _launch_figures_from_the_audit_log():
    """Letter 900/LĐLĐ, 22/4/2022: 1,032 submitted (ever left draft, not withdrawn), 715 invalid or under review."""
    end_of_launch_day = datetime(2022, 4, 22, 17, 0)  # midnight of 22→23/4 in Hà Nội, stored as UTC
    assert end_of_launch_day == seed.LAUNCH_END
    at_launch = [s for s in _status_at(end_of_launch_day).values() if s in tallies.COUNTED_STATUSES]
    assert len(at_launch) == 1032
    assert sum(s not in tallies.VALID_STATUSES for s in at_launch) == 715
    assert at_launch.count(Status.VALID) == 317  # nothing was shortlisted before the launch
    # …and the campaign moved on since: more submitted, pending ones decided, returned ones sent again.
    now = [s for s in _status_at(seed.ACTIVITY_END).values() if s in tallies.COUNTED_STATUSES]
    assert 1200 < len(now) < 1600
    resubmitted = db.session.scalar(select(func.count()).select_from(StatusEvent).where(
        StatusEvent.from_status == Status.RETURNED, StatusEvent.to_status == Status.SUBMITTED,
        StatusEvent.created_at >= end_of_launch_day))
    assert resubmitted >= 20


def _running_on_the_demo_clock(campaign):
    assert db.session.get(AppSetting, "demo_date").value == "2022-05-12"
    assert clock.today() == date(2022, 5, 12) and clock.demo_date() == date(2022, 5, 12)
    assert campaigns.days_left(campaign) == 19
    root = tallies.for_unit(campaign.id, campaign.unit_id)
    assert 0.4 < root.valid / campaign.goal < 0.75  # well below 1,200, on the way
    assert root.pending >= 100  # the reviewers have a queue
    # Pace markers that mean something: measured today, some units ahead of the straight line, some behind.
    report = ranking.weekly_report(campaign, db.session.get(Unit, campaign.unit_id), weeks.week_start(clock.today()))
    assert any(r.below_pace for r in report) and any(not r.below_pace for r in report)
    assert sum(r.below_pace for r in report) < len(report)
    # The last days are busy: submissions and decisions on every working day of the week so far.
    daily = dict(db.session.execute(select(DailyTally.day, func.sum(DailyTally.submitted)).where(
        DailyTally.campaign_id == campaign.id, DailyTally.unit_id == campaign.unit_id)
        .group_by(DailyTally.day)).all())  # summed over the root's slots
    assert all(daily.get(date(2022, 5, d), 0) > 10 for d in (9, 10, 11))
    assert date(2022, 5, 12) not in daily


def _counters_are_the_workflows_own(campaign):
    """Every status came through the workflow: the counters of every unit, the last valid decision (the ranking's
    tie-break), the daily series and the cohort series are the transitions' own, equal to a recount, and each
    initiative's status is the one its last audit row reached."""
    stored = {uid: {**{name: getattr(row, name) for name in tallies.COUNTERS}, "last_valid_at": row.last_valid_at}
              for uid, row in tallies.stored(campaign.id).items()}  # summed over each unit's slots
    assert stored == tallies.recount(campaign.id)
    # (A withdrawal on the day of its submission nets to zero: both sides leave such days out.)
    assert tallies.stored_daily(campaign.id) == \
        {key: value for key, value in tallies.recount_daily(campaign.id).items() if any(value)}
    assert tallies.stored_cohorts(campaign.id) == {
        key: [value[n] for n in tallies.COUNTERS] for key, value in tallies.recount_cohorts(campaign.id).items()
        if any(value[n] for n in tallies.COUNTERS)}
    assert tallies.mismatches(campaign.id) == 0
    last_event = (select(StatusEvent.to_status).where(StatusEvent.initiative_id == Initiative.id)
                  .order_by(StatusEvent.id.desc()).limit(1).scalar_subquery())
    assert db.session.scalar(select(func.count()).select_from(Initiative).where(
        Initiative.status != Status.DRAFT, Initiative.status != last_event)) == 0
    # Top-level targets add up to the goal; each unit's children add up to it as well.
    top = select(Unit.id).where(Unit.parent_id == campaign.unit_id)
    assert db.session.scalar(select(func.sum(Target.count)).where(Target.unit_id.in_(top))) == 1200


def _nothing_after_now():
    """No row of any table is dated after the demo clock's now; the history itself ends on the day before."""
    now = clock.utcnow()
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, DateTime) and column.name != "claim_code_expires_at":
                latest = db.session.scalar(select(func.max(column)))
                assert latest is None or latest <= now, (table.name, column.name, latest)
    assert db.session.scalar(select(func.max(StatusEvent.created_at))) < seed.ACTIVITY_END


def _people_around_the_record():
    """Issue 14 in the demo: every author was told each decision as it happened; what is still to act on (a return
    waiting for its author, the last days' news) is unread, the rest read; leaders in charge named; obstacles
    raised, answered, resolved and overdue; the scheduled jobs ran at the demo's today."""
    unread_returned = db.session.scalars(select(Notification.initiative_id).where(
        Notification.kind == "returned", Notification.read_at.is_(None))).all()
    returned_now = db.session.scalars(select(Initiative.id).where(Initiative.status == Status.RETURNED)).all()
    assert returned_now and set(returned_now) <= set(unread_returned)
    decided = db.session.scalar(select(func.count()).select_from(StatusEvent).where(
        StatusEvent.to_status.in_((Status.VALID, Status.INVALID, Status.RETURNED)),
        StatusEvent.from_status == Status.SUBMITTED))
    told = db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind.in_(("valid", "invalid", "returned"))))
    assert told >= decided                                   # each decision told its author (and co-authors)
    old = clock.utcnow() - seed.FRESH_NEWS
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.created_at < old, Notification.read_at.is_(None), Notification.kind != "returned")) == 0
    assert {kind for kind in db.session.scalars(select(Notification.kind).where(
        Notification.created_at >= old))} >= {"deadline", "digest", "queue_ageing", "behind_pace"}
    in_charge = db.session.scalars(select(Unit).where(Unit.leader_id.is_not(None))).all()
    assert {unit.code for unit in in_charge} >= {"LC", "LC-TD"}
    statuses = [o.status for o in db.session.scalars(select(Obstacle).order_by(Obstacle.id))]
    assert statuses == [ObstacleStatus.OPEN, ObstacleStatus.RESOLVED, ObstacleStatus.OPEN]
    assert any(o.due_date < clock.today() and o.status == ObstacleStatus.OPEN
               for o in db.session.scalars(select(Obstacle)))


def _programme_rules_hold(campaign):
    """Phase 1 of the national programme: first applied from 01/07/2021 up to the submission; the head of unit's
    confirmation declared. Every valid initiative is eligible; some invalid ones are out of scope for that reason."""
    assert campaign.programme is not None
    rules = {rule.kind: rule for rule in db.session.scalars(select(EligibilityRule).where(
        EligibilityRule.programme_id == campaign.programme_id))}
    assert rules["applied_window"].date_from == APPLIED_FROM == date(2021, 7, 1)
    for item in db.session.scalars(select(Initiative).where(Initiative.status.in_(tallies.VALID_STATUSES))):
        assert APPLIED_FROM <= item.applied_since <= clock.local_day(item.first_submitted_at), item.id
    out_of_scope = db.session.scalars(select(Initiative).where(Initiative.status == Status.INVALID,
                                                               Initiative.decision_reason == "out_of_scope")).all()
    assert len(out_of_scope) >= 50 and "out_of_scope" in INVALID_REASONS
    assert all(item.applied_since < APPLIED_FROM for item in out_of_scope)
    sent = db.session.scalars(select(Initiative).where(Initiative.status != Status.DRAFT)).all()
    assert all(item.evidence_declared == [rules["evidence"].id] for item in sent)


def _peak_periods(campaign):
    rows = db.session.scalars(select(Period).where(Period.campaign_id == campaign.id)).all()
    kinds = {row.unit.kind for row in rows}
    assert {UnitKind.DISTRICT, UnitKind.SECTOR} <= kinds and len({row.unit_id for row in rows}) >= 4
    states = {periods.status(row) for row in rows}
    assert {"running", "ended"} <= states
    assert {row.kind for row in rows} >= {"week", "month"}
    targets = {t.unit_id: t.count for t in db.session.scalars(select(Target).where(Target.campaign_id == campaign.id))}
    for row in rows:
        assert campaign.start_date <= row.start_date <= row.end_date <= campaign.end_date
        assert 0 < row.goal <= (campaign.goal if row.unit_id == campaign.unit_id else targets[row.unit_id])
        assert row.created_by_id is not None and row.created_at < seed.local(row.start_date)
    # A running district week is under way: its counter has moved.
    running = [row for row in rows if periods.status(row) == "running" and row.unit.kind == UnitKind.DISTRICT]
    assert any(periods.measured(periods.figures(row), row.measure) > 0 for row in running)


def _realistic_units_and_people(campaign):
    units = db.session.scalars(select(Unit)).all()
    names = [u.name for u in units]
    assert len(names) == len(set(names))
    assert not [n for n in names if re.search(r"(xã|thị trấn|huyện) (Thành phố|LĐLĐ)|Thành phố Lai Châu Lai", n)]
    by_id = {u.id: u for u in units}
    grassroots = [u for u in units if u.kind == UnitKind.GRASSROOTS]
    assert len(grassroots) >= 60 and all(10 <= (u.member_count or 0) <= 600 for u in grassroots)
    for unit in units:
        if unit.kind in (UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.SECTOR, UnitKind.CIVIL_SERVANTS):
            children = [u for u in units if u.parent_id == unit.id and u.kind != UnitKind.COLLECTIVE]
            assert unit.member_count == sum(c.member_count or 0 for c in children), unit.name
    assert {"Trường THCS thị trấn Tam Đường", "Trung tâm Y tế huyện Mường Tè"} <= {
        n.removeprefix("CĐCS ") for n in names}
    assert all(by_id[u.parent_id].kind == UnitKind.GRASSROOTS for u in units if u.kind == UnitKind.COLLECTIVE)
    # The demo logins keep their roles and units.
    for account in seed.DEMO_ACCOUNTS:
        person = db.session.scalar(select(User).where(User.phone == account.phone))
        assert (person.role, person.unit.name) == (account.role, account.unit_name)
        assert (person.scope_unit.code if person.scope_unit else None) == account.scope_code


def _collectives_attachments_and_stories() -> tuple[int, int]:
    collectives = db.session.scalars(select(InitiativeAuthor).where(
        InitiativeAuthor.collective_unit_id.is_not(None))).all()
    assert len(collectives) >= 50
    assert all(a.collective_unit.parent_id == a.initiative.unit_id and a.share_percent == 0 for a in collectives)
    for item in db.session.scalars(select(Initiative).where(Initiative.status != Status.DRAFT).limit(200)):
        assert sum(a.share_percent for a in item.authors if not a.is_collective) == 100
    files = db.session.scalars(select(Attachment)).all()
    assert len(files) >= 30
    assert {f.content_type for f in files} == {"image/png", "application/pdf"}
    assert all(f.size < 30_000 and os.path.exists(uploads.path_of(f.stored_name)) for f in files)
    assert all(f.has_thumbnail == (f.content_type == "image/png") for f in files)
    features = db.session.scalars(select(Feature)).all()
    assert len(features) >= 6 and {f.initiative.field for f in features} >= {"education", "health", "production"}
    for feature in features:  # each story tells its own initiative: its title, union and an author
        item = feature.initiative
        assert item.title in feature.story and item.unit.name.removeprefix("CĐCS ") in feature.story
        assert item.authors[0].full_name in feature.story
        assert item.status in tallies.VALID_STATUSES and any(a.initiative_id == item.id for a in files)
    awarded = db.session.scalars(select(Award)).all()
    assert awarded and all(a.initiative.unit.code.startswith("LC-GD") for a in awarded)
    return (next(f.id for f in files if f.content_type == "image/png"),
            next(f.id for f in files if f.content_type == "application/pdf"))


def test_demo_clock_command(app, world, real_clock):
    runner = app.test_cli_runner()
    assert "off" in runner.invoke(args=["demo-clock"]).output
    result = runner.invoke(args=["demo-clock", "--date", "2022-05-20"])
    assert result.exit_code == 0 and "20/05/2022" in result.output
    with app.app_context():
        assert db.session.get(AppSetting, "demo_date").value == "2022-05-20"
    assert real_clock.today() == date(2022, 5, 20)
    assert "20/05/2022" in runner.invoke(args=["demo-clock"]).output
    for bad in (["--date", "2022-13-40"], ["--date", "mai"], ["--date", "2022-05-20", "--off"]):
        refused = runner.invoke(args=["demo-clock", *bad])
        assert refused.exit_code == 2 and "Traceback" not in refused.output, refused.output
    with app.app_context():
        assert db.session.get(AppSetting, "demo_date").value == "2022-05-20"  # nothing changed
    result = runner.invoke(args=["demo-clock", "--off"])
    assert result.exit_code == 0 and "off" in result.output
    with app.app_context():
        assert db.session.get(AppSetting, "demo_date") is None
    assert real_clock.demo_date() is None
    assert runner.invoke(args=["demo-clock", "--off"]).exit_code == 0  # already off: fine


def test_the_app_starts_on_the_stored_demo_date(app_factory, real_clock):
    """A seeded database carries its day: an app that is not under test starts its clock there (and shows it)."""
    app = app_factory()
    with app.app_context():
        db.session.add(AppSetting(key="demo_date", value="2022-05-12"))
        db.session.commit()
    app_factory(TESTING=False)
    assert real_clock.demo_date() == date(2022, 5, 12) and real_clock.today() == date(2022, 5, 12)


def test_seed_if_empty_leaves_a_used_database_alone(app, world):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert "not loaded" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Initiative)) == 0


def test_every_demo_role_can_log_in(app):
    app.test_cli_runner().invoke(args=["seed-demo"])
    for account in seed.DEMO_ACCOUNTS:
        client = app.test_client()
        login(client, account.email, seed.DEMO_PASSWORD)
        assert account.name in client.get("/").get_data(as_text=True)


def test_create_user_command(app, world):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "--name", "Người Mới", "--role", "organizer", "--phone",
                                 "0977000111", "--unit", "A1", "--scope", "A", "--password", "mot-mat-khau"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        person = db.session.scalar(select(User).where(User.phone == "0977000111"))
        assert person.role == "organizer" and person.scope_unit.code == "A"
    duplicate = runner.invoke(args=["create-user", "--name", "X", "--phone", "0977000111", "--password", "12345678"])
    assert duplicate.exit_code != 0


def test_import_units_from_csv(app, world, tmp_path):
    csv_file = tmp_path / "units.csv"
    # A child listed before its parent, and an update of an existing unit.
    csv_file.write_text(
        "code,name,kind,parent_code,member_count\n"
        "C1,CĐCS Trường Mầm non Hoa Ban,grassroots,C,35\n"
        "C,LĐLĐ huyện Xê,district,P,\n"
        "A1,CĐCS Trường Tiểu học Sìn Hồ số 1,grassroots,A,45\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import-units", str(csv_file)])
    assert result.exit_code == 0, result.output
    assert "created: 2, updated: 1" in result.output
    with app.app_context():
        child = db.session.scalar(select(Unit).where(Unit.code == "C1"))
        parent = db.session.scalar(select(Unit).where(Unit.code == "C"))
        assert child.parent_id == parent.id and child.path.startswith(parent.path)
        assert child.name_folded == "cdcs truong mam non hoa ban"
        assert db.session.scalar(select(Unit).where(Unit.code == "A1")).member_count == 45


def test_import_units_rejects_unknown_kind(app, world, tmp_path):
    csv_file = tmp_path / "units.csv"
    csv_file.write_text("code,name,kind,parent_code\nZ,Z,planet,P\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import-units", str(csv_file)])
    assert result.exit_code != 0 and "unknown kind" in result.output
