"""No page above 20 queries (issue 13): every GET route of the authorization matrix, for the most privileged actor
the matrix lets in, on a world with enough rows in many units that a list loading one row at a time would show.

New routes get their row in tests/test_authz_matrix.py, and with it a budget here."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.domain import workflow
from app.domain.units import create_unit
from app.extensions import db
from app.models import Score, Status, Unit, UnitKind, User

from . import factories
from .queries import counted
from .test_authz_matrix import ACTORS, MATRIX, OK, matrix, split  # noqa: F401 (matrix: the fixture)

BUDGET = 20
PRIVILEGE = ("admin", "province", "organizer", "reviewer", "helper", "member", "anon", "noscope")


def _more_rows(names: dict) -> None:
    """Twenty more unions in each district, each with a valid initiative scored twice and one waiting in the
    queue: every list of the app then holds rows of many units, authors and reviewers."""
    admin = db.session.scalar(select(User).where(User.phone == "0911000012"))
    reviewers = [db.session.scalar(select(User.id).where(User.phone == phone))
                 for phone in ("0911000007", "0911000008")]
    for district_id in (names["district_A"], names["district_B"]):
        district = db.session.get(Unit, district_id)
        for n in range(20):
            union = create_unit(f"CĐCS số {n} của {district.code}", f"Q-{district.code}-{n}", UnitKind.GRASSROOTS,
                                district, member_count=30 + n)
            member = factories.user(f"Đoàn viên {district.code}{n}", f"09120{district_id:02d}{n:03d}",
                                    "member", union)
            for status in (Status.VALID, Status.SUBMITTED):
                item = factories.initiative(names["campaign"], member, title=f"Sáng kiến {district.code}-{n} {status}",
                                            field=("education", "health", "production")[n % 3])
                workflow.transition(item, Status.SUBMITTED, member)
                if status == Status.VALID:
                    workflow.transition(item, Status.VALID, admin)
                    for k, reviewer in enumerate(reviewers):
                        db.session.add(Score(initiative_id=item.id, reviewer_id=reviewer, points={},
                                             total=40 + (n * 7 + k * 13) % 50))
    db.session.commit()


@pytest.fixture(scope="module")
def budget_world(matrix):  # noqa: F811 (the matrix's fixture, imported above)
    """The authorization matrix's world (its objects name the URLs), with many more rows."""
    with matrix.app.app_context():
        _more_rows(matrix.names)
    return matrix


def _pages():
    for row, outcomes in MATRIX.items():
        method, _url = split(row)
        if method != "GET":
            continue
        allowed = dict(zip(ACTORS, outcomes))
        actor = next((who for who in PRIVILEGE if allowed[who] == OK), None)
        if actor is not None:
            yield pytest.param(row, actor, id=f"{row}-{actor}")


@pytest.mark.parametrize("row, actor", list(_pages()))
def test_every_page_stays_within_the_query_budget(budget_world, row, actor):
    _method, url = split(row)
    client = budget_world.app.test_client()
    if actor != "anon":
        client.set_cookie("session", budget_world.sessions[actor])
    client.get(url.format(**budget_world.names))  # once before: what a first visit sets up is not the point
    with counted(budget_world.app) as statements:
        response = client.get(url.format(**budget_world.names))
    assert response.status_code < 400, (row, actor, response.status_code)
    assert len(statements) <= BUDGET, f"{row} as {actor}: {len(statements)} queries\n" + "\n".join(
        s[:160] for s in statements)


def test_the_budget_covers_every_page_with_an_allowed_actor():
    """Each GET row of the matrix someone may open is measured (a row nobody may open has nothing to measure)."""
    measured = {param.values[0] for param in _pages()}
    openable = {row for row, outcomes in MATRIX.items() if split(row)[0] == "GET" and OK in outcomes}
    assert measured == openable
