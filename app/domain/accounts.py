"""What makes an account acceptable, in one place: the organizer's form, ``flask create-user`` and
registration all check the same rules (phone and e-mail formats, a free login, where the person belongs,
what the role needs, the password: app/domain/passwords.py)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from ..extensions import db
from ..models import Role, Unit, UnitKind, User
from . import passwords

_PHONE_JUNK = re.compile(r"[\s.\-()]")
PHONE_RE = re.compile(r"^0\d{9,10}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
NAME_LENGTH = (2, 120)
# Staff work on a subtree; members and support teams on their grassroots union.
NEEDS_UNIT = (Role.MEMBER, Role.HELPER)
NEEDS_UNIT_OR_SCOPE = (Role.REVIEWER, Role.ORGANIZER)


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


def phone_problem(phone: str) -> str | None:
    if phone and not PHONE_RE.match(phone):
        return _("Số điện thoại gồm 10 hoặc 11 chữ số, bắt đầu bằng 0.")
    return None


def email_problem(email: str | None) -> str | None:
    if email and (len(email) > 254 or not EMAIL_RE.match(email)):
        return _("Email không đúng định dạng.")
    return None




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


@dataclass
class AccountData:
    """An account as typed (by an organizer, on the command line): codes, not units."""

    full_name: str
    role: str
    phone: str | None = None
    email: str | None = None
    unit_code: str | None = None
    scope_code: str | None = None
    password: str | None = None

    def __post_init__(self) -> None:
        self.full_name = (self.full_name or "").strip()
        self.phone = normalise_phone(self.phone) or None
        self.email = normalise_email(self.email)
        self.unit_code = (self.unit_code or "").strip() or None
        self.scope_code = (self.scope_code or "").strip() or None
        self.password = self.password or None


@dataclass
class CheckedAccount:
    data: AccountData
    unit: Unit | None
    scope: Unit | None
    problems: dict[str, str]


def _unit(code: str | None) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.code == code)) if code else None


def check(data: AccountData, *, within=None, may_assign=None, existing: User | None = None,
          password_required: bool = False) -> CheckedAccount:
    """Every rule an account must meet; ``problems`` maps a field name to its message (empty: acceptable).

    ``within(unit) -> bool`` and ``may_assign(role) -> bool`` are the manager's reach and rights (from
    app/policy.py); without them (the command line) every unit and role is allowed.
    """
    problems: dict[str, str] = {}
    unit, scope = _unit(data.unit_code), _unit(data.scope_code)
    low, high = NAME_LENGTH
    if not low <= len(data.full_name) <= high:
        problems["full_name"] = _("Họ và tên dài từ 2 đến 120 ký tự.")
    if data.role not in Role.ALL or (may_assign is not None and not may_assign(data.role)):
        problems["role"] = _("Vui lòng chọn một mục trong danh sách.")
    phone_error = phone_problem(data.phone or "")
    email_error = email_problem(data.email)
    if phone_error:
        problems["phone"] = phone_error
    elif email_error:
        problems["email"] = email_error
    elif not data.phone and not data.email:
        problems["phone"] = _("Cần số điện thoại hoặc email để đăng nhập.")
    elif any(login_taken(data.phone, data.email, existing.id if existing else None)):
        problems["phone"] = _("Số điện thoại hoặc email đã có tài khoản.")
    if data.unit_code and (unit is None or (within is not None and not within(unit))):
        problems["unit_code"] = _("Không có đơn vị mã này trong phạm vi của bạn.")
    elif unit is not None and unit.kind != UnitKind.GRASSROOTS:
        problems["unit_code"] = _("Đơn vị của người dùng phải là một công đoàn cơ sở.")
    elif data.role in NEEDS_UNIT and unit is None:
        problems["unit_code"] = _("Đoàn viên và tổ hỗ trợ cần mã công đoàn cơ sở.")
    if data.scope_code and (scope is None or (within is not None and not within(scope))):
        problems["scope_code"] = _("Không có đơn vị mã này trong phạm vi của bạn.")
    elif scope is not None and data.role not in (*NEEDS_UNIT_OR_SCOPE, Role.ADMIN):
        problems["scope_code"] = _("Chỉ người thẩm định và cán bộ tổ chức có đơn vị phụ trách.")
    elif data.role in NEEDS_UNIT_OR_SCOPE and unit is None and scope is None:
        problems.setdefault("unit_code", _("Người thẩm định và cán bộ tổ chức cần đơn vị phụ trách hoặc mã "
                                           "công đoàn cơ sở."))
    if data.password or password_required:
        password_error = passwords.problem(data.password or "", avoid=[data.phone, data.email])
        if password_error:
            problems["password"] = password_error
    return CheckedAccount(data, unit, scope, problems)


def create(checked: CheckedAccount, created_by: User | None = None) -> User:
    """Store an account that passed ``check``."""
    assert not checked.problems, checked.problems
    data = checked.data
    user = User(full_name=data.full_name, role=data.role, unit=checked.unit, scope_unit=checked.scope,
                phone=data.phone, email=data.email, created_by_id=created_by.id if created_by else None)
    if data.password:
        user.set_password(data.password)
    db.session.add(user)
    db.session.flush()
    return user


def update(person: User, checked: CheckedAccount) -> User:
    """Apply a checked change; a new password logs the person out everywhere."""
    assert not checked.problems, checked.problems
    data = checked.data
    person.full_name, person.role, person.unit, person.scope_unit = (data.full_name, data.role, checked.unit,
                                                                     checked.scope)
    person.phone, person.email = data.phone, data.email
    if data.password:
        person.set_password(data.password)
        person.rotate_session_token()
    return person


def create_user(*, full_name: str, role: str, unit: Unit | None, password: str | None = None,
                phone: str | None = None, email: str | None = None, scope_unit: Unit | None = None,
                position: str | None = None, created_by: User | None = None) -> User:
    """Store an account whose data its caller has checked (the registration form, a support team's new member)."""
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


def find_by_login(identifier: str | None) -> User | None:
    """The account a login (a phone in any usual form, or an e-mail in any case) names, else None."""
    identifier = (identifier or "").strip()
    if "@" in identifier:
        email = normalise_email(identifier)
        return db.session.scalar(select(User).where(func.lower(User.email) == email)) if email else None
    phone = normalise_phone(identifier)
    return db.session.scalar(select(User).where(User.phone == phone)) if phone else None
