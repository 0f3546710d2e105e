"""The outbox carried by the job queue: a real SMTP server (aiosmtpd), a real HTTP SMS gateway, retries with
backoff, and no loss nor duplicate when the SMTP server fails or the worker dies (a real Huey consumer killed
with SIGKILL)."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select

from app.domain import delivery, notices
from app.extensions import db
from app.models import Delivery, DeliveryStatus, OutboxMessage, Role, User, utcnow

from .mail import free_port, smtp_server  # noqa: F401 (smtp_server: the fixture ``smtp``)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def mail_app(app_factory, smtp):
    return app_factory(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_USE_TLS=False,
                       MAIL_TIMEOUT=5)


def member(email_address: str | None = "lan@example.vn", phone: str = "0912000001", **prefs) -> User:
    person = User(full_name="Lò Thị Lan", phone=phone, email=email_address, role=Role.MEMBER, **prefs)
    db.session.add(person)
    db.session.flush()
    return person


def returned_notice(person: User) -> int:
    made = notices.notify(person, "returned", params={"title": "Máy tuốt lúa cải tiến", "reason": "missing_effect",
                                                      "message": "Bổ sung số liệu tiết kiệm"},
                          link="/initiatives/7/edit")
    db.session.commit()
    assert made is not None
    return made.id


def deliveries() -> list[Delivery]:
    db.session.expire_all()
    return list(db.session.scalars(select(Delivery).order_by(Delivery.id)))


def test_a_committed_notification_reaches_the_smtp_server_once(mail_app, smtp, empty_job_queue):
    with mail_app.app_context():
        person = member()
        notification_id = returned_notice(person)
        assert empty_job_queue.run_pending() == 1          # enqueued after the commit, run by the worker
        assert empty_job_queue.run_pending() == 0
        assert delivery.sweep() == {}                       # nothing left for the sweep: sent means done
        [message] = smtp.messages
        assert message["To"] == "lan@example.vn"
        assert message["Subject"] == "Sáng kiến “Máy tuốt lúa cải tiến” được trả lại để bổ sung: " \
                                     "Chưa nêu hiệu quả, lợi ích"
        assert message["Message-ID"] == f"<sangkien-{notification_id}-email@localhost>"
        body = message.get_content()
        assert "Bổ sung số liệu tiết kiệm" in body
        assert "http://127.0.0.1:5000/initiatives/7/edit" in body
        assert body.rstrip().endswith("http://127.0.0.1:5000/notifications/settings")   # where to change channels
        [row] = deliveries()
        assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.SENT, 1, "")


def test_a_long_vietnamese_subject_arrives_with_every_space(mail_app, smtp, empty_job_queue):
    """Folded into several encoded words, the subject keeps the space at each cut: RFC 2047 readers ignore the
    whitespace between encoded words, so a space left there glues two words ("tiếtkiệm")."""
    titles = ["Bếp ăn bán trú tiết kiệm củi", "Sổ tay điện tử cho giáo viên bản xa ở các điểm trường lẻ vùng cao"]
    with mail_app.app_context():
        person = member()
        for title in titles:
            notices.notify(person, "valid", params={"title": title}, link="/initiatives/1")
        db.session.commit()
        empty_job_queue.run_pending()
        assert [message["Subject"] for message in smtp.messages] == [
            f"Sáng kiến “{title}” được công nhận hợp lệ" for title in titles]
        for message in smtp.messages:
            raw = message.as_bytes().split(b"\n\n")[0].decode()
            assert max(len(line) for line in raw.splitlines()) <= 78  # folded all the same (RFC 5322)
            assert raw.count("=?utf-8?") > 1


def test_a_rolled_back_event_tells_nobody(mail_app, smtp, empty_job_queue):
    with mail_app.app_context():
        person = member()
        db.session.commit()
        notices.notify(person, "valid", params={"title": "Sổ tay điện tử"})
        db.session.rollback()
        assert empty_job_queue.run_pending() == 0
        assert delivery.sweep() == {}
        assert smtp.messages == [] and deliveries() == []


def test_people_without_email_or_who_turned_it_off_get_no_email(mail_app, smtp, empty_job_queue):
    with mail_app.app_context():
        returned_notice(member(email_address=None))
        returned_notice(member(email_address="off@example.vn", phone="0912000002", notify_email=False))
        assert empty_job_queue.run_pending() == 0
        assert deliveries() == [] and smtp.messages == []


def test_a_dead_smtp_server_loses_nothing_and_retries_with_backoff(app_factory, smtp, empty_job_queue):
    dead_port = free_port()  # nothing listens there
    app = app_factory(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=dead_port, MAIL_USE_TLS=False,
                      MAIL_TIMEOUT=2)
    with app.app_context():
        returned_notice(member())
        start = utcnow()
        empty_job_queue.run_pending()
        [row] = deliveries()
        assert row.status == DeliveryStatus.PENDING and row.attempts == 1 and row.last_error
        assert timedelta(seconds=59) <= row.next_attempt_at - start <= timedelta(seconds=75)
        assert delivery.sweep(start + timedelta(seconds=30)) == {}       # not due yet: no hammering
        assert delivery.sweep(start + timedelta(seconds=61)) == {DeliveryStatus.PENDING: 1}
        [row] = deliveries()
        assert row.attempts == 2
        assert timedelta(minutes=5) <= row.next_attempt_at - (start + timedelta(seconds=61)) <= timedelta(minutes=6)

        app.config["MAIL_PORT"] = smtp.port                               # the server is back
        later = start + timedelta(minutes=7)
        assert delivery.sweep(later) == {DeliveryStatus.SENT: 1}
        assert delivery.sweep(later + timedelta(days=1)) == {}
        assert len(smtp.messages) == 1
        [row] = deliveries()
        assert (row.status, row.attempts) == (DeliveryStatus.SENT, 3)


def test_temporary_refusals_are_retried_and_sent_once(mail_app, smtp, empty_job_queue):
    smtp.data_replies = ["451 4.3.0 try again later", "421 4.7.0 too busy"]
    with mail_app.app_context():
        returned_notice(member())
        empty_job_queue.run_pending()
        now = utcnow()
        for step in range(1, 4):
            delivery.sweep(now + timedelta(hours=step))
        assert len(smtp.messages) == 1
        [row] = deliveries()
        assert (row.status, row.attempts) == (DeliveryStatus.SENT, 3)


def test_a_permanent_refusal_fails_at_once_and_is_never_retried(mail_app, smtp, empty_job_queue):
    smtp.refuse_recipients = True
    with mail_app.app_context():
        returned_notice(member())
        empty_job_queue.run_pending()
        [row] = deliveries()
        assert row.status == DeliveryStatus.FAILED and "550" in row.last_error
        assert delivery.sweep(utcnow() + timedelta(days=30)) == {}
        assert smtp.messages == []


def test_after_the_last_retry_the_delivery_is_given_up(app_factory, empty_job_queue):
    app = app_factory(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_USE_TLS=False,
                      MAIL_TIMEOUT=1)
    with app.app_context():
        returned_notice(member())
        empty_job_queue.run_pending()
        now = utcnow()
        for step in range(1, delivery.MAX_ATTEMPTS + 3):
            delivery.sweep(now + timedelta(days=step))
        [row] = deliveries()
        assert (row.status, row.attempts) == (DeliveryStatus.FAILED, delivery.MAX_ATTEMPTS)


def test_two_workers_never_hold_the_same_claim(app, empty_job_queue):
    with app.app_context():
        returned_notice(member())
        [row] = deliveries()
        now = utcnow()
        assert delivery.claim(row.id, now) == 1
        assert delivery.claim(row.id, now) is None                      # held
        lease = timedelta(seconds=app.config["DELIVERY_LEASE_SECONDS"])
        assert delivery.claim(row.id, now + lease + timedelta(seconds=1)) == 2   # the holder died: taken again


def test_the_development_outbox_keeps_each_message_exactly_once(app, empty_job_queue):
    with app.app_context():
        person = member()
        returned_notice(person)
        [row] = deliveries()
        assert empty_job_queue.run_pending() == 1
        assert delivery.deliver(row.id) is None and delivery.sweep(utcnow() + timedelta(days=1)) == {}
        [kept] = db.session.scalars(select(OutboxMessage)).all()
        assert (kept.channel, kept.address) == ("email", "lan@example.vn")
        assert "Chưa nêu hiệu quả, lợi ích" in kept.subject and "/initiatives/7/edit" in kept.body


class Gateway(BaseHTTPRequestHandler):
    """A stand-in for the SMS gateway's HTTP API (docs/NOTIFICATIONS.md): records requests, answers as told."""

    received: list[dict] = []
    replies: list[int] = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        body["_headers"] = {"key": self.headers["Idempotency-Key"], "auth": self.headers["Authorization"]}
        status = Gateway.replies.pop(0) if Gateway.replies else 200
        if status == 200:
            Gateway.received.append(body)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway():
    Gateway.received, Gateway.replies = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def test_sms_goes_through_the_http_gateway_short_and_without_diacritics(app_factory, gateway, empty_job_queue):
    app = app_factory(SMS_BACKEND="http", SMS_GATEWAY_URL=f"http://127.0.0.1:{gateway.server_port}/send",
                      SMS_GATEWAY_TOKEN="t0ken")
    with app.app_context():
        person = member(email_address=None, notify_sms=True)
        notification_id = returned_notice(person)
        Gateway.replies = [503]
        empty_job_queue.run_pending()
        assert Gateway.received == []
        [row] = deliveries()
        assert (row.channel, row.status, row.attempts) == ("sms", DeliveryStatus.PENDING, 1)
        delivery.sweep(utcnow() + timedelta(minutes=2))
        [sent] = Gateway.received
        assert sent["to"] == "0912000001" and sent["request_id"] == f"sangkien-{notification_id}-sms"
        assert sent["_headers"] == {"key": f"sangkien-{notification_id}-sms", "auth": "Bearer t0ken"}
        assert sent["text"].startswith('Sang kien "May tuot lua cai tien" duoc tra lai de bo sung')
        assert len(sent["text"]) <= notices.SMS_LENGTH and sent["text"].isascii()
        assert deliveries()[0].status == DeliveryStatus.SENT


def test_sms_refused_by_the_gateway_fails_without_retrying(app_factory, gateway, empty_job_queue):
    app = app_factory(SMS_BACKEND="http", SMS_GATEWAY_URL=f"http://127.0.0.1:{gateway.server_port}/send")
    with app.app_context():
        returned_notice(member(email_address=None, notify_sms=True))
        Gateway.replies = [400]
        empty_job_queue.run_pending()
        assert deliveries()[0].status == DeliveryStatus.FAILED
        assert delivery.sweep(utcnow() + timedelta(days=2)) == {} and Gateway.received == []


def test_sms_is_off_by_default(app, empty_job_queue):
    with app.app_context():
        returned_notice(member(email_address=None, notify_sms=True))
        assert deliveries() == []


# --- the real worker, killed -------------------------------------------------------------------------------------

def _start_worker(database_url: str, smtp_port: int, queue_file: Path) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=database_url, JOB_QUEUE_URL=f"sqlite:///{queue_file}",
               MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_port), MAIL_USE_TLS="0", MAIL_BACKEND="smtp",
               DELIVERY_LEASE_SECONDS="2", MAIL_TIMEOUT="5", PYTHONPATH=str(ROOT))
    env.pop("TEST_DATABASE_URL", None)
    consumer = Path(sys.executable).with_name("huey_consumer")
    return subprocess.Popen([str(consumer), "app.jobs.huey", "-k", "thread", "-w", "1", "-q"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _kill(worker: subprocess.Popen) -> None:
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def _wait_for(condition, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_a_worker_killed_mid_delivery_loses_and_duplicates_nothing(mail_app, smtp, database_url, tmp_path):
    with mail_app.app_context():
        notification_id = returned_notice(member())
        row_id = deliveries()[0].id

        smtp.hold.set()                                   # the first worker gets stuck talking to the server…
        worker = _start_worker(database_url, smtp.port, tmp_path / "jobs.db")
        try:
            assert _wait_for(smtp.holding.is_set), "the worker never reached the SMTP server"
            _kill(worker)                                 # … and dies there (SIGKILL: no clean-up at all)
            smtp.hold.clear()
            row = db.session.get(Delivery, row_id)
            db.session.refresh(row)
            assert (row.status, row.attempts) == (DeliveryStatus.SENDING, 1) and smtp.messages == []

            time.sleep(2.2)                               # its claim runs out
            worker = _start_worker(database_url, smtp.port, tmp_path / "jobs.db")
            assert _wait_for(lambda: len(smtp.messages) == 1), "the restarted worker did not deliver"

            def sent() -> bool:
                db.session.refresh(row)
                return row.status == DeliveryStatus.SENT
            assert _wait_for(sent)
            _kill(worker)                                 # killed again, after it marked the delivery sent
            worker = _start_worker(database_url, smtp.port, tmp_path / "jobs.db")
            time.sleep(3)                                 # a restarted worker sweeps at once: nothing is due
        finally:
            _kill(worker)
        assert smtp.ids() == [f"<sangkien-{notification_id}-email@localhost>"]
        db.session.refresh(row)
        assert (row.status, row.attempts) == (DeliveryStatus.SENT, 2)


# --- the queue's storage: Redis at scale, and a queue that is down ----------------------------------------------

def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def test_the_queue_works_on_redis(app, monkeypatch):
    if not _redis_reachable():
        pytest.skip("no Redis server at 127.0.0.1:6379")
    from app import jobs
    redis_huey = jobs.make_huey("redis://127.0.0.1:6379/15")
    redis_huey.flush()
    monkeypatch.setattr(jobs.huey, "storage", redis_huey.storage)   # the same tasks, stored in Redis
    with app.app_context():
        returned_notice(member())
        assert redis_huey.pending_count() == 1
        assert jobs.run_pending() == 1
        assert [row.status for row in deliveries()] == [DeliveryStatus.SENT]
    redis_huey.flush()


def test_a_queue_that_is_down_loses_nothing(app, monkeypatch):
    from app import jobs
    dead = jobs.make_huey(f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.setattr(jobs.huey, "storage", dead.storage)
    with app.app_context():
        returned_notice(member())                   # the commit stands although the queue cannot be told
        [row] = deliveries()
        assert row.status == DeliveryStatus.PENDING
        assert delivery.sweep() == {DeliveryStatus.SENT: 1}        # the minute sweep carries it
        assert len(db.session.scalars(select(OutboxMessage)).all()) == 1


def test_the_command_line_delivers_what_is_due(app):
    with app.app_context():
        returned_notice(member())
    result = app.test_cli_runner().invoke(args=["deliver-notifications"])
    assert result.exit_code == 0 and "sent: 1" in result.output
    assert app.test_cli_runner().invoke(args=["deliver-notifications"]).output.strip() == "nothing due"
    unknown = app.test_cli_runner().invoke(args=["run-job", "no-such-job"])
    assert unknown.exit_code != 0 and "no such job" in unknown.output


def test_an_attempt_whose_claim_ran_out_does_not_overwrite_the_next_attempts_outcome(app, empty_job_queue):
    with app.app_context():
        returned_notice(member())
        [row] = deliveries()
        now = utcnow()
        assert delivery.claim(row.id, now) == 1                         # a slow worker…
        lease = timedelta(seconds=app.config["DELIVERY_LEASE_SECONDS"])
        assert delivery.claim(row.id, now + lease + timedelta(seconds=1)) == 2   # …is overtaken
        slow = db.session.get(Delivery, row.id)
        assert delivery._finish(slow, 1, DeliveryStatus.FAILED, "late", now) is None
        [row] = deliveries()
        assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.SENDING, 2, "")
        assert delivery._finish(row, 2, DeliveryStatus.SENT, "", now) == DeliveryStatus.SENT
