"""Accounts: finding a user by phone or email, registering members, the session user loader."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..domain.accounts import PHONE_RE, login_taken, normalise_email, normalise_phone  # noqa: F401 (used by areas)
from ..extensions import db, login_manager
from ..models import Role, Unit, User

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Vui lòng đăng nhập để tiếp tục.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_token != token:
        return None
    return user


def find_by_login(identifier: str) -> User | None:
    identifier = identifier.strip()
    if "@" in identifier:
        return db.session.scalar(select(User).where(func.lower(User.email) == identifier.lower()))
    return db.session.scalar(select(User).where(User.phone == normalise_phone(identifier)))


def authenticate(identifier: str, password: str) -> User | None:
    user = find_by_login(identifier)
    if user is None or not user.active or not user.check_password(password):
        return None
    return user


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
