"""Accounts: finding a user by phone or email, registering members, the session user loader."""
from __future__ import annotations

import hashlib
import re
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db, login_manager
from ..models import Role, Unit, User

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Vui lòng đăng nhập để tiếp tục.")
login_manager.login_message_category = "info"

_PHONE_JUNK = re.compile(r"[\s.\-()]")
PHONE_RE = re.compile(r"^0\d{9,10}$")


def normalise_phone(raw: str | None) -> str:
    """"+84 912 345 678" and "0912.345.678" are the same number: 0912345678."""
    phone = _PHONE_JUNK.sub("", raw or "")
    if phone.startswith("+84"):
        phone = "0" + phone[3:]
    elif phone.startswith("84") and len(phone) in (11, 12):
        phone = "0" + phone[2:]
    return phone


def normalise_email(raw: str | None) -> str | None:
    email = (raw or "").strip().lower()
    return email or None


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_token != token:
        return None
    return user


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


def login_taken(phone: str | None, email: str | None, exclude_user_id: int | None = None) -> tuple[bool, bool]:
    """(phone taken, email taken) by another account."""
    conditions = []
    if phone:
        conditions.append(User.phone == phone)
    if email:
        conditions.append(func.lower(User.email) == email)
    if not conditions:
        return False, False
    stmt = select(User.phone, User.email).where(or_(*conditions))
    if exclude_user_id:
        stmt = stmt.where(User.id != exclude_user_id)
    rows = db.session.execute(stmt).all()
    return (any(p == phone for p, _ in rows if phone),
            any((e or "").lower() == email for _, e in rows if email))


def create_user(*, full_name: str, role: str, unit: Unit | None, password: str | None = None,
                phone: str | None = None, email: str | None = None, scope_unit: Unit | None = None,
                position: str | None = None, created_by: User | None = None) -> User:
    if role not in Role.ALL:
        raise ValueError(f"unknown role {role!r}")
    user = User(full_name=full_name.strip(), role=role, unit=unit, scope_unit=scope_unit,
                phone=normalise_phone(phone) or None, email=normalise_email(email), position=position,
                created_by_id=created_by.id if created_by else None)
    if password:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def claimable(phone: str, unit: Unit | None) -> User | None:
    """An account the support team created for this phone in this union, never logged into."""
    if unit is None:
        return None
    user = db.session.scalar(select(User).where(User.phone == phone))
    if user is None or user.password_hash or user.unit_id != unit.id or user.role != Role.MEMBER:
        return None
    return user


def claim(user: User, *, full_name: str, password: str, email: str | None, position: str | None) -> User:
    user.full_name = full_name.strip()
    user.set_password(password)
    user.email = normalise_email(email) or user.email
    user.position = position or user.position
    user.rotate_session_token()
    return user
