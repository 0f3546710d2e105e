"""One set of account rules: the organizers' form and ``flask create-user`` refuse the same accounts."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import User

from .conftest import login

GOOD = {"full_name": "Người Dùng Mới", "role": "reviewer", "phone": "0977000111", "email": "",
        "unit_code": "A1", "scope_code": "A", "password": "mot-mat-khau-dai"}

# (what is wrong, the change to a good account, the field whose message the form shows)
BAD = [
    ("phone with letters", {"phone": "12ab"}, "phone"),
    ("phone too short", {"phone": "09123"}, "phone"),
    ("no login at all", {"phone": "", "email": ""}, "phone"),
    ("malformed e-mail", {"phone": "", "email": "not-an-email"}, "email"),
    ("phone of another account", {"phone": "0911000001"}, "phone"),
    ("reviewer with neither unit nor scope", {"unit_code": "", "scope_code": ""}, "unit_code"),
    ("member without a union", {"role": "member", "unit_code": "", "scope_code": ""}, "unit_code"),
    ("member with a scope", {"role": "member", "scope_code": "A"}, "scope_code"),
    ("home unit that is not a grassroots union", {"unit_code": "A"}, "unit_code"),
    ("unknown unit code", {"unit_code": "KHONG-CO"}, "unit_code"),
    ("unknown scope code", {"scope_code": "KHONG-CO"}, "scope_code"),
    ("password too short", {"password": "ngan"}, "password"),
    ("one-letter name", {"full_name": "A"}, "full_name"),
]


def _cli_args(account: dict) -> list[str]:
    args = ["create-user", "--name", account["full_name"], "--role", account["role"]]
    for option, key in (("--phone", "phone"), ("--email", "email"), ("--unit", "unit_code"),
                        ("--scope", "scope_code"), ("--password", "password")):
        if account[key]:
            args += [option, account[key]]
    return args


def _accounts(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


@pytest.mark.parametrize("what, change, field", BAD, ids=[b[0] for b in BAD])
def test_form_and_command_line_refuse_the_same_accounts(app, client, world, what, change, field):
    account = {**GOOD, **change}
    before = _accounts(app)
    result = app.test_cli_runner().invoke(args=_cli_args(account), input="\n")
    assert result.exit_code != 0, f"{what}: the command line accepted it"
    assert field in result.output
    login(client, world.admin_phone)
    page = client.form("/admin/users", account)
    assert page.status_code == 200, f"{what}: the form accepted it"
    assert 'class="error"' in page.get_data(as_text=True)
    assert _accounts(app) == before


def test_the_good_account_passes_both(app, client, world):
    result = app.test_cli_runner().invoke(args=_cli_args(GOOD))
    assert result.exit_code == 0, result.output
    login(client, world.admin_phone)
    assert client.form("/admin/users", {**GOOD, "phone": "0977000112"}).status_code == 302
    with app.app_context():
        made = db.session.scalars(select(User).where(User.phone.in_(["0977000111", "0977000112"]))).all()
        assert [(u.role, u.unit.code, u.scope_unit.code) for u in made] == [("reviewer", "A1", "A")] * 2
        assert all(u.check_password(GOOD["password"]) for u in made)


def test_a_district_organizer_places_accounts_only_inside_their_district(app, client, world):
    login(client, world.organizer_a_phone)
    outside = client.form("/admin/users", {**GOOD, "unit_code": "B1", "scope_code": ""})
    above = client.form("/admin/users", {**GOOD, "scope_code": "P"})
    admin = client.form("/admin/users", {**GOOD, "role": "admin"})
    assert [r.status_code for r in (outside, above, admin)] == [200, 200, 200]
    assert client.form("/admin/users", GOOD).status_code == 302
