"""Every kind of notification, end to end (issue: "every event reaches the in-app inbox and e-mail in tests (real
SMTP server in the test)"; "reminders and digests run on schedule (tested with a controllable clock)").

People act through the app (the test client, the real forms with their CSRF token): a member writes with a
co-author, a helper submits for a member, a reviewer returns, validates and invalidates, an organizer names a
union's leader in charge, shortlists and awards, the obstacle log goes round. The scheduled kinds come from Huey's
own scheduler: the platform clock is set to each day, ``huey.read_periodic`` says which tasks start at each minute
of four days, and those tasks run through the queue; each due minute is run a second time (a second worker) and
the days around it show who is told once and who again (the ageing alert is daily, the pace alert weekly).

Then the worker (the queue in this process) carries the outbox to a real SMTP server (aiosmtpd), and for every
notification: exactly one message, with its Subject and its direct link, and the subject in the person's inbox
page. The kinds covered must be all of ``notices.KINDS``: a new kind without an end-to-end path fails here.
"""
from __future__ import annotations

import html
import re
from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy import select

from app import jobs
from app.domain import delivery, notices
from app.domain.reminders import SCHEDULE
from app.extensions import db
from app.models import Delivery, Initiative, Notification, Status, User

from .conftest import Client, login
from .mail import smtp_server  # noqa: F401 (smtp_server: the fixture ``smtp``, a real SMTP server)
from .test_submissions import complete, new_key

EVENTS_DAY = date(2022, 5, 18)        # a Wednesday of the world's campaign (22/04 – 31/05/2022)
FIRST_DAY = datetime(2022, 5, 22)     # the scheduler runs Sunday 22/05 to Wednesday 25/05 (UTC)
SCHEDULED_DAYS = 4
SCHEDULED = {entry.name for entry in SCHEDULE}
PEOPLE = ("member_a1", "member_a1b", "member_a2", "helper_a1", "reviewer_p", "reviewer_p2", "reviewer_a",
          "organizer_a", "organizer_p")


class People:
    """One signed-in test client per person (a login costs a password hash: once each)."""

    def __init__(self, app, world) -> None:
        self.app, self.world, self.clients = app, world, {}

    def __call__(self, key: str) -> Client:
        if key not in self.clients:
            client = self.app.test_client()
            login(client, getattr(self.world, f"{key}_phone"))
            self.clients[key] = client
        return self.clients[key]


def created(response, pattern: str = r"/initiatives/(\d+)") -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    return int(re.search(pattern, response.location).group(1))


def version_of(app, item_id: int) -> str:
    with app.app_context():
        return str(db.session.get(Initiative, item_id).version)


def decide(app, client: Client, item_id: int, **data) -> None:
    response = client.form(f"/review/{item_id}/decide", {"version": version_of(app, item_id), **data})
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    with app.app_context():
        assert db.session.get(Initiative, item_id).status != Status.SUBMITTED


def submit_own(person: Client, title: str) -> int:
    return created(person.form("/initiatives/new", complete(submit_key=new_key(person), title=title)))


def work_through_the_app(app, world, who: People) -> None:
    """Every event kind, as people make it on the site (the demo clock on a day of the campaign)."""
    # The province organizer names union A1's leader in charge and adviser (the pace alert and digest readers).
    assert who("organizer_p").form(f"/admin/units/{world.union_a1}/edit", {
        "name": "CĐCS Trường Tiểu học Sìn Hồ", "member_count": "40", "leader_login": world.reviewer_a_phone,
        "adviser_login": world.organizer_a_phone}).status_code == 302

    returned = submit_own(who("member_a1"), "Sổ tay điện tử cho giáo viên bản xa")
    awarded = submit_own(who("member_a1b"), "Bếp ăn bán trú tiết kiệm củi")
    invalid = submit_own(who("member_a2"), "Vườn thuốc nam của trạm y tế")
    # The helper enters and sends one for member_a1, with member_a1b (who has an account) as co-author.
    helper = who("helper_a1")
    entered = created(helper.form("/initiatives/new", complete(
        submit_key=new_key(helper), title="Máy tuốt lúa cải tiến cho bà con", author_id=str(world.member_a1),
        author_share="60", **{"authors-0-full_name": "Vàng Thị Hai", "authors-0-share_percent": "40"})))

    reviewer = who("reviewer_p")
    decide(app, reviewer, returned, decision="return", return_reason="missing_effect",
           message="Bổ sung số liệu tiết kiệm thời gian.")
    decide(app, reviewer, awarded, decision="valid")
    decide(app, reviewer, invalid, decision="invalid", invalid_reason="not_initiative", message="Chỉ là kế hoạch.")

    organizer = who("organizer_p")
    assert organizer.form(f"/awards/{awarded}/shortlist", {"note": ""}).status_code == 302
    page = organizer.get(f"/awards/{awarded}/award").get_data(as_text=True)
    level = re.findall(r'name="level_id" value="(\d+)"', page)[0]
    recipients = re.findall(r'name="recipients" value="(\w+)"', page)
    assert organizer.form(f"/awards/{awarded}/award", {
        "level_id": level, "recipients": recipients, "decision_number": "15/QĐ-LĐLĐ",
        "decision_date": EVENTS_DAY.isoformat()}).status_code == 302

    # The obstacle log, both ways: union A1's support team and district A (its organizer, nobody owns it yet).
    obstacle = created(helper.form("/support/obstacles/new", {
        "title": "Đoàn viên chưa biết ghi hiệu quả sáng kiến", "campaign_id": "0",
        "body": "Khối văn phòng không biết ghi số liệu hiệu quả, cần huyện hướng dẫn mẫu."}),
        r"/support/obstacles/(\d+)$")
    district = who("organizer_a")
    steps = [(district, "answer", "Huyện gửi mẫu ghi hiệu quả kèm ví dụ."),
             (helper, "followup", "Mẫu cho khối hành chính có khác không?"),
             (helper, "resolve", "Đã rõ, cảm ơn.")]
    for client, step, body in steps:
        assert client.form(f"/support/obstacles/{obstacle}/{step}", {"body": body}).status_code == 302, step
    with app.app_context():
        assert db.session.get(Initiative, awarded).status == Status.AWARDED
        assert db.session.get(Initiative, entered).status == Status.SUBMITTED  # waits: the ageing alert's item


def told() -> Counter:
    """(kind, user id) → how many notifications, in this app context."""
    return Counter(db.session.execute(select(Notification.kind, Notification.user_id)).tuples())


def run_minute(app, moment: datetime) -> set[str]:
    """What the consumer's scheduler does at ``moment``: the periodic tasks due then, enqueued; then the worker
    runs the queue (those tasks, and the deliveries their commits enqueued). The names of the tasks run."""
    tasks = jobs.huey.read_periodic(moment)
    with app.app_context():
        for task in tasks:
            jobs.huey.enqueue(task)
        assert jobs.run_pending() >= len(tasks)
    return {task.name for task in tasks}


def run_the_schedule(app, real_clock) -> dict[date, Counter]:
    """Four days of Huey's scheduler, minute by minute, the platform clock on each day; what each day told."""
    per_day: dict[date, Counter] = {}
    with app.app_context():
        before = told()
    for offset in range(SCHEDULED_DAYS * 24 * 60):
        moment = FIRST_DAY + timedelta(minutes=offset)
        due = {task.name for task in jobs.huey.read_periodic(moment)} & SCHEDULED
        if not due:  # only the delivery sweep: the deliveries are already carried by the queue
            continue
        day = real_clock.local_day(moment)  # the platform's today at that minute (Việt Nam's calendar day)
        real_clock.set_demo_date(day)
        assert run_minute(app, moment) >= due
        with app.app_context():
            after = told()
        per_day[day] = per_day.get(day, Counter()) + (after - before)
        assert run_minute(app, moment) >= due  # a second worker, or a retry, at the same minute…
        with app.app_context():
            assert told() == after, f"{due} at {moment} told someone twice"  # …tells nobody again
        before = after
    return per_day


def test_every_kind_reaches_the_inbox_and_the_smtp_server(app_factory, world, smtp, real_clock, empty_job_queue):
    app = app_factory(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_USE_TLS=False,
                      MAIL_TIMEOUT=5)
    with app.app_context():  # everyone has an address: every notification goes by e-mail too
        for key in PEOPLE:
            db.session.get(User, getattr(world, key)).email = f"{key.replace('_', '.')}@example.vn"
        db.session.commit()
    who = People(app, world)

    # --- events: people act on the site; each commit hands its deliveries to the queue -----------------------
    real_clock.set_demo_date(EVENTS_DAY)
    work_through_the_app(app, world, who)
    with app.app_context():
        assert jobs.run_pending() > 0  # the worker: every e-mail of the events goes out now
        w = world
        assert told() == Counter({
            ("coauthor_added", w.member_a1b): 1, ("entered_on_behalf", w.member_a1): 1,
            ("returned", w.member_a1): 1, ("valid", w.member_a1b): 1, ("invalid", w.member_a2): 1,
            ("shortlisted", w.member_a1b): 1, ("awarded", w.member_a1b): 1,
            ("obstacle_raised", w.organizer_a): 1, ("obstacle_answered", w.helper_a1): 1,
            ("obstacle_followup", w.organizer_a): 1, ("obstacle_resolved", w.organizer_a): 1})

    # --- the schedule: Huey's scheduler over four days, on the platform's clock -------------------------------
    per_day = run_the_schedule(app, real_clock)
    sunday, monday, tuesday, wednesday = (FIRST_DAY.date() + timedelta(days=n) for n in range(4))
    reviewers = {("queue_ageing", w.reviewer_p): 1, ("queue_ageing", w.reviewer_p2): 1,
                 ("queue_ageing", w.reviewer_a): 1}
    pace = {("behind_pace", w.reviewer_a): 1, ("behind_pace", w.organizer_a): 1}
    assert per_day == {
        # 9 days to the end: no deadline yet; the helper's item is 4 days old: not aged; A1 behind pace (week 16/05).
        sunday: Counter(pace),
        # Monday: last week's digest to union A1's leader and adviser, district A's and the province's organizers;
        # a new week, so A1's pace again; the item is 5 days old: each reviewer whose queue holds it.
        monday: Counter({("digest", w.reviewer_a): 1, ("digest", w.organizer_a): 2, ("digest", w.organizer_p): 1,
                         **pace, **reviewers}),
        # 7 days left: the returned initiative's author and union A1's support team; the pace told this week.
        tuesday: Counter({("deadline", w.member_a1): 1, ("deadline_team", w.helper_a1): 1, **reviewers}),
        # 6 days left: the 7-day reminder was sent, nothing until 3 days; the ageing alert is daily.
        wednesday: Counter(reviewers),
    }

    # --- every notification: one e-mail, its subject and direct link, and the inbox page shows it -------------
    real_clock.set_demo_date(wednesday)
    with app.app_context():
        assert delivery.sweep() == {}  # the queue carried everything: nothing left due, nothing failed
        assert {d.status for d in db.session.scalars(select(Delivery))} == {"sent"}
        public = app.config["PUBLIC_URL"].rstrip("/")
        domain = app.config["MAIL_FROM"].rpartition("@")[2] or "localhost"
        by_id = {message["Message-ID"]: message for message in smtp.messages}
        assert len(by_id) == len(smtp.messages)  # no message twice
        notes = list(db.session.scalars(select(Notification).order_by(Notification.id)))
        assert len(smtp.messages) == len(notes)
        expected: dict[str, list[tuple[str, str]]] = {}  # person → (kind, subject) their inbox must show
        covered = set()
        for note in notes:
            person = db.session.get(User, note.user_id)
            [row] = db.session.scalars(select(Delivery).where(Delivery.notification_id == note.id))
            message = by_id.pop(f"<{delivery.idempotency_key(row)}@{domain}>")
            subject = notices.render(note, "vi").subject
            assert (message["To"], message["Subject"]) == (person.email, subject), note.kind
            assert note.link and f"{public}{note.link}" in message.get_content(), note.kind
            same = [m for m in smtp.messages if m["To"] == person.email and m["Subject"] == subject]
            assert len(same) == sum(1 for other in notes if other.user_id == note.user_id
                                    and notices.render(other, "vi").subject == subject), note.kind
            key = next(k for k in PEOPLE if getattr(world, k) == note.user_id)
            expected.setdefault(key, []).append((note.kind, subject))
        assert by_id == {}  # no message without its notification

    for key, subjects in expected.items():
        pages = -(-len(subjects) // 20)  # the inbox lists 20 a page
        inbox = html.unescape("".join(who(key).get(f"/notifications/?page={page}").get_data(as_text=True)
                                      for page in range(1, pages + 1)))
        for kind, subject in subjects:
            assert subject in inbox, (key, kind, subject)
            covered.add(kind)
    assert covered == set(notices.KINDS)
