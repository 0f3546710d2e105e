"""Carrying the outbox (``Delivery`` rows) over e-mail and SMS: claim, send, mark — each delivery at most once.

A delivery moves pending → sending (claimed, with a lease) → sent, or back to pending with a later
``next_attempt_at`` (exponential backoff) when the channel fails for now, or to failed when it refuses for good or
the last retry failed. Every step is its own committed transaction, so:

- a worker that dies before sending leaves a claim that runs out (``DELIVERY_LEASE_SECONDS``); the next sweep
  takes the delivery again, and nothing is lost;
- a delivery marked sent is never taken again, and two workers never hold the same claim (the claim is one
  conditional UPDATE), so nothing is sent twice. The one window left is a crash after the SMTP server accepted the
  message and before "sent" is committed (milliseconds): the message then goes again with the same Message-ID
  (and the SMS gateway gets the same request id), which is what receivers deduplicate on;
- the development outbox writes its copy in the same transaction as "sent": exactly once.
"""
from __future__ import annotations

import json
import smtplib
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from email.header import Header
from email.message import EmailMessage
from email.utils import formatdate
from typing import cast

from flask import current_app
from sqlalchemy import CursorResult, or_, select, update

from ..extensions import db
from ..models import Delivery, DeliveryStatus, OutboxMessage, utcnow
from . import notices

# Seconds to wait after the n-th failed attempt; after the last one the delivery is given up (failed).
BACKOFF_SECONDS = (60, 5 * 60, 15 * 60, 60 * 60, 3 * 3600, 6 * 3600, 12 * 3600)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
SWEEP_BATCH = 200


class TemporaryFailure(Exception):
    """The channel cannot take it now (server down, 4xx, timeout): try again later."""


class PermanentFailure(Exception):
    """The channel refuses it for good (unknown mailbox, rejected number): retrying would not help."""


def idempotency_key(delivery: Delivery) -> str:
    """Stable per notification and channel: the e-mail Message-ID and the SMS request id."""
    return f"sangkien-{delivery.notification_id}-{delivery.channel}"


def backoff(attempts: int) -> timedelta | None:
    """How long to wait after ``attempts`` failed tries, or None when it is time to give up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return timedelta(seconds=BACKOFF_SECONDS[max(0, attempts - 1)])


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config["DELIVERY_LEASE_SECONDS"])


def claim(delivery_id: int, now: datetime) -> int | None:
    """Take the delivery for one attempt (one conditional UPDATE, committed); the attempt number, or None when it
    is not due, already sent or held by a live claim."""
    claimed = cast(CursorResult, db.session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, or_(
            (Delivery.status == DeliveryStatus.PENDING) & (Delivery.next_attempt_at <= now),
            (Delivery.status == DeliveryStatus.SENDING) & (Delivery.claimed_until < now)))
        .values(status=DeliveryStatus.SENDING, claimed_until=now + _lease(), attempts=Delivery.attempts + 1)
        .execution_options(synchronize_session=False)))
    db.session.commit()
    if claimed.rowcount != 1:
        return None
    return db.session.scalar(select(Delivery.attempts).where(Delivery.id == delivery_id))


def deliver(delivery_id: int, now: datetime | None = None) -> str | None:
    """One attempt at one delivery; the status it ends in, or None when there was nothing to do."""
    now = now or utcnow()
    attempt = claim(delivery_id, now)
    if attempt is None:
        return None
    delivery = db.session.get(Delivery, delivery_id)
    if delivery is None:  # pragma: no cover - deleted between the claim and here
        return None
    try:
        CHANNELS[delivery.channel](delivery)
    except PermanentFailure as error:
        return _finish(delivery, attempt, DeliveryStatus.FAILED, str(error), now)
    except (TemporaryFailure, OSError, smtplib.SMTPException) as error:
        wait = backoff(attempt)
        if wait is None:
            return _finish(delivery, attempt, DeliveryStatus.FAILED, str(error), now)
        return _finish(delivery, attempt, DeliveryStatus.PENDING, str(error), now, retry_at=now + wait)
    return _finish(delivery, attempt, DeliveryStatus.SENT, "", now)


def _finish(delivery: Delivery, attempt: int, status: str, error: str, now: datetime,
            retry_at: datetime | None = None) -> str | None:
    """Record the attempt's outcome, only while this attempt still holds the claim."""
    values: dict = {"status": status, "claimed_until": None, "last_error": error[:2000]}
    if status == DeliveryStatus.SENT:
        values["sent_at"] = now
    if retry_at is not None:
        values["next_attempt_at"] = retry_at
    done = cast(CursorResult, db.session.execute(
        update(Delivery).where(Delivery.id == delivery.id, Delivery.status == DeliveryStatus.SENDING,
                               Delivery.attempts == attempt)
        .values(**values).execution_options(synchronize_session=False)))
    if done.rowcount != 1:  # the claim ran out and another worker took it: its outcome stands, not ours
        db.session.rollback()
        return None
    db.session.commit()
    return status


def due(now: datetime, limit: int = SWEEP_BATCH) -> list[int]:
    """Deliveries to try now: pending and due, or claimed by a worker whose lease ran out (ix_deliveries_due)."""
    return list(db.session.scalars(
        select(Delivery.id).where(or_(
            (Delivery.status == DeliveryStatus.PENDING) & (Delivery.next_attempt_at <= now),
            (Delivery.status == DeliveryStatus.SENDING) & (Delivery.claimed_until < now)))
        .order_by(Delivery.next_attempt_at, Delivery.id).limit(limit)))


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Try every due delivery (the worker runs this every minute and when it starts); counts by outcome."""
    now = now or utcnow()
    outcomes: dict[str, int] = {}
    for delivery_id in due(now):
        status = deliver(delivery_id, now)
        if status is not None:
            outcomes[status] = outcomes.get(status, 0) + 1
    return outcomes


# --- channels ---------------------------------------------------------------------------------------------------

def _send_email(delivery: Delivery) -> None:
    config = current_app.config
    rendered = notices.render_for_delivery(delivery.notification)
    if config["MAIL_BACKEND"] != "smtp":
        _to_outbox(delivery, rendered.subject, rendered.body)
        return
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = delivery.address
    # Not ``message["Subject"] = …``: Python's folding drops the space where it cuts a long non-ASCII subject into
    # encoded words, and mail readers (RFC 2047) then glue the two words ("tiếtkiệm"); the legacy encoder keeps it.
    message.set_raw("Subject", Header(rendered.subject, "utf-8", header_name="Subject").encode())
    message["Date"] = formatdate()
    domain = config["MAIL_FROM"].rpartition("@")[2] or "localhost"
    message["Message-ID"] = f"<{idempotency_key(delivery)}@{domain}>"
    message.set_content(rendered.body)
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        if all(code >= 500 for code in codes):
            raise PermanentFailure(f"recipient refused: {codes}") from error
        raise TemporaryFailure(f"recipient deferred: {codes}") from error
    except smtplib.SMTPResponseException as error:
        if error.smtp_code >= 500:
            raise PermanentFailure(f"{error.smtp_code} {error.smtp_error!r}") from error
        raise TemporaryFailure(f"{error.smtp_code} {error.smtp_error!r}") from error


def _send_sms(delivery: Delivery) -> None:
    """The HTTP SMS gateway (docs/NOTIFICATIONS.md): POST JSON, the request id doubles as idempotency key."""
    config = current_app.config
    text = notices.sms_text(delivery.notification)
    if config["SMS_BACKEND"] != "http":
        _to_outbox(delivery, "", text)
        return
    key = idempotency_key(delivery)
    payload = json.dumps({"to": delivery.address, "text": text, "sender": config["SMS_SENDER"],
                          "request_id": key}).encode()
    request = urllib.request.Request(config["SMS_GATEWAY_URL"], data=payload, method="POST", headers={
        "Content-Type": "application/json", "Idempotency-Key": key,
        "Authorization": f"Bearer {config['SMS_GATEWAY_TOKEN']}"})
    try:
        with urllib.request.urlopen(request, timeout=config["MAIL_TIMEOUT"]) as response:  # noqa: S310 - configured URL
            response.read()
    except urllib.error.HTTPError as error:
        if 400 <= error.code < 500 and error.code not in (408, 409, 425, 429):
            raise PermanentFailure(f"gateway refused: HTTP {error.code}") from error
        raise TemporaryFailure(f"gateway: HTTP {error.code}") from error
    except (TimeoutError, urllib.error.URLError) as error:
        raise TemporaryFailure(f"gateway unreachable: {error}") from error


def _to_outbox(delivery: Delivery, subject: str, body: str) -> None:
    """The development channel: the message is kept here, committed with "sent" (exactly once)."""
    db.session.add(OutboxMessage(delivery_id=delivery.id, channel=delivery.channel, address=delivery.address,
                                 subject=subject[:300], body=body, created_at=utcnow()))
    db.session.flush()


CHANNELS = {"email": _send_email, "sms": _send_sms}
