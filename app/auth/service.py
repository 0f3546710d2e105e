"""Accounts: finding a user by phone or email, registering members, the session user loader."""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta
from enum import Enum
from functools import cache
from typing import cast

from flask import current_app, g, has_request_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from ..domain.accounts import normalise_email, normalise_phone
from ..extensions import db, login_manager
from ..models import Notification, Role, Unit, User, utcnow

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Vui lòng đăng nhập để tiếp tục.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The session's account, read with its unread notifications in the same query: the header's badge
    (``g.unread_notifications``, app/inbox/routes.py) costs no query of its own on any page."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit():
        return None
    unread = (select(func.count()).select_from(Notification)
              .where(Notification.user_id == User.id, Notification.read_at.is_(None)).scalar_subquery())
    row = db.session.execute(select(User, unread).where(User.id == int(user_id))).first()
    if row is None or row[0].session_token != token:
        return None
    if has_request_context():
        g.unread_notifications = row[1]
    return row[0]


def normalise_login(identifier: str) -> str:
    """The account a login identifier names: an e-mail in lower case or a phone in the 0912345678 form."""
    identifier = identifier.strip()
    return identifier.lower() if "@" in identifier else normalise_phone(identifier)


def login_rate_key(identifier: str) -> str:
    """Rate-limit key of the account being tried, whatever spelling or address the attempts come from;
    hashed so that any input makes a short, safe storage key."""
    return "account:" + hashlib.sha256(normalise_login(identifier).encode("utf-8", "replace")).hexdigest()[:32]


def find_by_login(identifier: str) -> User | None:
    login = normalise_login(identifier)
    if "@" in login:
        return db.session.scalar(select(User).where(func.lower(User.email) == login))
    return db.session.scalar(select(User).where(User.phone == login))


@cache
def _dummy_hash() -> str:
    # Made with the current default method and cost, so checking it costs what checking a real password costs.
    return generate_password_hash("not-a-password-anyone-has")


def authenticate(identifier: str, password: str) -> User | None:
    """The account, or None. Every attempt checks one password hash, also for unknown, inactive or
    passwordless accounts: the response time must not tell which phone numbers have an account."""
    user = find_by_login(identifier)
    stored = user.password_hash if user is not None and user.password_hash else None
    matches = check_password_hash(stored or _dummy_hash(), password)
    if user is None or stored is None or not matches or not user.active:
        return None
    return user


def claimable(phone: str, unit: Unit | None) -> User | None:
    """An account the support team created for this phone in this union, never logged into."""
    if unit is None:
        return None
    user = db.session.scalar(select(User).where(User.phone == phone))
    if user is None or user.password_hash or user.unit_id != unit.id or user.role != Role.MEMBER:
        return None
    return user


def unclaimed_members(unit_id: int, limit: int = 500) -> list[User]:
    """Members of a union entered by the support team who have not taken over their account yet."""
    return list(db.session.scalars(
        select(User).where(User.unit_id == unit_id, User.role == Role.MEMBER, User.password_hash.is_(None),
                           User.active.is_(True))
        .order_by(User.full_name, User.id).limit(limit)))


CLAIM_CODE_DIGITS = 6
# Wrong tries before a code is spent: with 6 digits, a guesser's chance is 5 in a million per code.
CLAIM_CODE_MAX_FAILURES = 5


def issue_claim_code(user: User) -> str:
    """A fresh one-time code for ``user`` (the previous one stops working); only its hash is stored."""
    code = "".join(secrets.choice("0123456789") for _ in range(CLAIM_CODE_DIGITS))
    user.claim_code_hash = generate_password_hash(code)
    user.claim_code_expires_at = utcnow() + timedelta(hours=current_app.config["CLAIM_CODE_LIFETIME_HOURS"])
    user.claim_code_failures = 0
    return code


def send_claim_code_by_sms(user: User, code: str) -> bool:
    """Hook for an SMS gateway: an object with ``send(phone, text)`` registered as ``app.extensions["sms"]``.

    None is configured in this version, so this answers False and the support team hands the code over in
    person. Call it after the commit: an SMS cannot be taken back if the transaction fails.
    """
    gateway = current_app.extensions.get("sms")
    if gateway is None or not user.phone:
        return False
    gateway.send(user.phone, _("Mã nhận tài khoản Sáng kiến của bạn: %(code)s", code=code))
    return True


class ClaimRefusal(Enum):
    NO_CODE = "no_code"          # none issued, or already used
    EXPIRED = "expired"
    SPENT = "spent"              # too many wrong tries: ask for a new one
    WRONG = "wrong"


def check_claim_code(user: User, code: str) -> ClaimRefusal | None:
    """None when ``code`` is the account's current code. A wrong code counts as a failure in the database
    (atomically, so parallel guesses from several workers cannot get more than the allowed tries)."""
    if not user.claim_code_hash or user.claim_code_expires_at is None:
        return ClaimRefusal.NO_CODE
    if user.claim_code_expires_at < utcnow():
        return ClaimRefusal.EXPIRED
    code = re.sub(r"\s", "", code or "")
    if user.claim_code_failures >= CLAIM_CODE_MAX_FAILURES:
        return ClaimRefusal.SPENT
    if code and check_password_hash(user.claim_code_hash, code):
        return None
    counted = cast(CursorResult, db.session.execute(  # an UPDATE's result: it has a row count
        update(User).where(User.id == user.id, User.claim_code_failures < CLAIM_CODE_MAX_FAILURES)
        .values(claim_code_failures=User.claim_code_failures + 1)
        .execution_options(synchronize_session=False))).rowcount
    db.session.refresh(user, ["claim_code_failures"])
    if not counted or user.claim_code_failures >= CLAIM_CODE_MAX_FAILURES:
        return ClaimRefusal.SPENT
    return ClaimRefusal.WRONG


def claim(user: User, *, full_name: str, password: str, email: str | None, position: str | None) -> User:
    """The member takes over the account (the code was checked): the code is used up."""
    user.full_name = full_name.strip()
    user.set_password(password)
    user.email = normalise_email(email) or user.email
    user.position = position or user.position
    user.claim_code_hash = None
    user.claim_code_expires_at = None
    user.claim_code_failures = 0
    user.rotate_session_token()
    return user
