"""Rules that a one-line slip would break with the rest of the suite green (issue 9, "mutation-proof rules").

Each test states the rule from the design, independently of the code's own tables, and checks it through the
app where it can: the workflow's allowed transitions, the ranking's tie-breaks, a fresh session at login,
logging out a locked account everywhere, anonymous visitors sent to the login page, and subtree checks where
one unit's path is a string prefix of another's ("/1/2/" and "/1/23/").
"""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from itertools import product
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import create_engine, select, text

from app.domain import workflow
from app.domain.units import create_unit, subtree_ids_select
from app.extensions import db
from app.models import Initiative, Status, StatusEvent, Target, Unit, UnitKind, User

from . import factories
from .conftest import login

# --- 1. the workflow (DESIGN §5) -----------------------------------------------------------------------------

# Written out from the design, not read from app.domain.workflow: deleting a line there must fail here.
DESIGN_TRANSITIONS = {
    ("draft", "submitted"),
    ("submitted", "valid"),
    ("submitted", "invalid"),
    ("submitted", "returned"),
    ("submitted", "withdrawn"),     # withdrawn by the author
    ("returned", "submitted"),      # edited and sent again
    ("returned", "withdrawn"),
    ("invalid", "submitted"),       # reopened by the second check of invalid decisions
    ("valid", "shortlisted"),
    ("shortlisted", "valid"),       # taken off the shortlist
    ("shortlisted", "awarded"),
}
STATUSES = ("draft", "submitted", "returned", "valid", "invalid", "withdrawn", "shortlisted", "awarded")


def test_the_design_lists_every_status():
    assert set(STATUSES) == set(Status.ALL)


@pytest.mark.parametrize("from_status,to_status", list(product(STATUSES, STATUSES)),
                         ids=[f"{a}->{b}" for a, b in product(STATUSES, STATUSES)])
def test_workflow_allows_exactly_the_designed_transitions(app, world, from_status, to_status):
    with app.app_context():
        admin = db.session.get(User, world.admin)
        item = factories.initiative(world.campaign, db.session.get(User, world.member_a1), status=from_status)
        db.session.commit()
        if (from_status, to_status) in DESIGN_TRANSITIONS:
            workflow.transition(item, to_status, admin, reason_code="other", message="Ghi chú")
            db.session.commit()
        else:
            with pytest.raises(workflow.TransitionNotAllowed):
                workflow.transition(item, to_status, admin, reason_code="other", message="Ghi chú")
            db.session.rollback()
        stored = db.session.get(Initiative, item.id)
        events = db.session.scalars(select(StatusEvent).where(StatusEvent.initiative_id == item.id)).all()
        if (from_status, to_status) in DESIGN_TRANSITIONS:
            assert stored.status == to_status
            assert [(e.from_status, e.to_status) for e in events] == [(from_status, to_status)]
        else:
            assert stored.status == from_status and events == []


@pytest.mark.parametrize("left", ["submitted", "returned"])
def test_a_withdrawal_is_undone_only_back_to_the_status_it_left(app, world, left):
    """Issue 11: withdrawn → the status the withdrawal left (and no other), while the withdrawal is the last event;
    the undo keeps the queue place (submitted_at) and a reviewer's decision as they were."""
    with app.app_context():
        author, reviewer = db.session.get(User, world.member_a1), db.session.get(User, world.reviewer_p)
        item = factories.initiative(world.campaign, author)
        workflow.transition(item, Status.SUBMITTED, author)
        if left == "returned":
            workflow.transition(item, Status.RETURNED, reviewer, reason_code="incomplete", message="Thêm ảnh")
        before = (item.submitted_at, item.decided_by_id, item.decided_at, item.decision_reason, item.decision_message)
        workflow.transition(item, Status.WITHDRAWN, author)
        db.session.commit()
        assert workflow.withdrawn_from(item) == left
        for other in set(STATUSES) - {left}:
            with pytest.raises(workflow.TransitionNotAllowed):
                workflow.transition(item, other, author, reason_code="other", message="x")
        workflow.transition(item, left, author)
        db.session.commit()
        stored = db.session.get(Initiative, item.id)
        assert stored.status == left
        assert (stored.submitted_at, stored.decided_by_id, stored.decided_at, stored.decision_reason,
                stored.decision_message) == before
        assert workflow.withdrawn_from(stored) is None  # not withdrawn any more: nothing to undo
        if left == "submitted":  # once a reviewer decided after the undo, withdrawn → submitted is no undo
            workflow.transition(stored, Status.RETURNED, reviewer, reason_code="other", message="x")
            workflow.transition(stored, Status.WITHDRAWN, author)
            with pytest.raises(workflow.TransitionNotAllowed):
                workflow.transition(stored, Status.SUBMITTED, author)
            assert workflow.withdrawn_from(stored) == Status.RETURNED


# --- 2. ranking tie-breaks (DESIGN §6) ---------------------------------------------------------------------------
# District A ("LĐLĐ huyện Ả") sorts after district B ("LĐLĐ huyện Bê") by name, so a lost tie-break that
# falls through to the name puts B first.

def _set_district_targets(app, world, a: int, b: int) -> None:
    with app.app_context():
        for target in db.session.scalars(select(Target).where(Target.campaign_id == world.campaign,
                                                              Target.unit_id.in_([world.district_a,
                                                                                  world.district_b]))):
            target.count = a if target.unit_id == world.district_a else b
        db.session.commit()


def test_transition_never_ends_the_callers_transaction(app, world, database_url, monkeypatch):
    """It flushes; committing or rolling back is the caller's (one unit of work per request), even when it
    refuses or loses a race at write time."""
    with app.app_context():
        admin, author = db.session.get(User, world.admin), db.session.get(User, world.member_a1)
        raced, item = (factories.initiative(world.campaign, author, status=Status.SUBMITTED) for _ in range(2))
        db.session.commit()
        other = create_engine(database_url)  # another reviewer decides ``raced`` after we loaded it
        with other.begin() as conn:
            conn.execute(text("UPDATE initiatives SET version=version+1 WHERE id=:i"), {"i": raced.id})
        other.dispose()
        session = db.session()
        ended: list[str] = []

        def recorded(name: str):
            real = getattr(session, name)

            def call():
                ended.append(name)
                return real()
            return call

        for name in ("commit", "rollback"):
            monkeypatch.setattr(session, name, recorded(name))
        with pytest.raises(workflow.AlreadyDecided):
            workflow.transition(raced, Status.VALID, admin)  # refused by the row's version at flush
        assert ended == []
        db.session.rollback()  # the caller's part
        workflow.transition(item, Status.VALID, admin)
        with pytest.raises(workflow.AlreadyDecided):
            workflow.transition(item, Status.SHORTLISTED, admin, expected_version=item.version - 1)
        with pytest.raises(workflow.TransitionNotAllowed):
            workflow.transition(item, Status.DRAFT, admin)
        with pytest.raises(workflow.ReasonRequired):
            workflow.transition(raced, Status.INVALID, admin)
        assert ended == ["rollback"] and session.in_transaction()
        db.session.commit()
        assert db.session.get(Initiative, item.id).status == Status.VALID


def _valid(app, world, author_key: str, when: datetime, title: str) -> None:
    """One initiative submitted and found valid at ``when`` (UTC), through the workflow."""
    with app.app_context():
        author = db.session.get(User, getattr(world, author_key))
        item = factories.initiative(world.campaign, author, title=title)
        workflow.transition(item, Status.SUBMITTED, author, now=when)
        workflow.transition(item, Status.VALID, db.session.get(User, world.admin), now=when)
        db.session.commit()


def _public_order(client, path: str) -> list[str]:
    """District names in the order the public ranking table shows them."""
    body = client.get(path).get_data(as_text=True)
    table = body[body.index('id="ranking"'):]
    return [name for name in re.findall(r"LĐLĐ huyện (?:Ả|Bê)", table)]


def _report_rows(client, campaign_id: int, week: str) -> dict[str, tuple[int, int]]:
    """{unit name: (rank, rank change)} from the weekly report's CSV export."""
    response = client.get(f"/admin/campaigns/{campaign_id}/report?week={week}&format=csv")
    assert response.status_code == 200
    reader = csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")))
    return {row["Đơn vị"]: (int(row["Hạng"]), int(row["Thay đổi hạng"])) for row in reader}


def test_same_progress_ranks_the_unit_with_more_valid_initiatives_first(app, client, world):
    _set_district_targets(app, world, a=4, b=2)
    # Both at 50%: B reached its count first, but A has two valid initiatives to B's one.
    _valid(app, world, "member_b1", datetime(2022, 4, 25, 2), "Sáng kiến B thứ nhất")
    _valid(app, world, "member_a1", datetime(2022, 4, 26, 2), "Sáng kiến A thứ nhất")
    _valid(app, world, "member_a2", datetime(2022, 4, 27, 2), "Sáng kiến A thứ hai")
    expected = ["LĐLĐ huyện Ả", "LĐLĐ huyện Bê"]
    assert _public_order(client, "/campaigns/thu") == expected
    assert _public_order(client, "/campaigns/thu/ranking") == expected
    login(client, world.organizer_p_phone)
    assert _report_rows(client, world.campaign, "2022-05-02") == {"LĐLĐ huyện Ả": (1, 0), "LĐLĐ huyện Bê": (2, 0)}


def test_same_progress_and_count_ranks_who_reached_it_first(app, client, world):
    _set_district_targets(app, world, a=2, b=2)
    _valid(app, world, "member_a1", datetime(2022, 4, 25, 2), "Sáng kiến A thứ nhất")
    _valid(app, world, "member_b1", datetime(2022, 4, 26, 2), "Sáng kiến B thứ nhất")
    assert _public_order(client, "/campaigns/thu") == ["LĐLĐ huyện Ả", "LĐLĐ huyện Bê"]
    # The frozen ranking keeps the same order.
    login(client, world.organizer_p_phone)
    assert client.form(f"/admin/campaigns/{world.campaign}/freeze").status_code == 302
    assert _public_order(client, "/campaigns/thu") == ["LĐLĐ huyện Ả", "LĐLĐ huyện Bê"]


def test_last_weeks_rank_also_breaks_ties_by_valid_count(app, client, world):
    _set_district_targets(app, world, a=4, b=2)
    # End of the week before 2/5: A 2/4 and B 1/2, both 50%; A is ahead on the valid count.
    _valid(app, world, "member_a1", datetime(2022, 4, 26, 2), "Sáng kiến A thứ nhất")
    _valid(app, world, "member_a2", datetime(2022, 4, 27, 2), "Sáng kiến A thứ hai")
    _valid(app, world, "member_b1", datetime(2022, 4, 28, 2), "Sáng kiến B thứ nhất")
    # During the week B reaches 2/2 and overtakes A: B gained a place, A lost one.
    _valid(app, world, "member_b1", datetime(2022, 5, 3, 2), "Sáng kiến B thứ hai")
    login(client, world.organizer_p_phone)
    assert _report_rows(client, world.campaign, "2022-05-02") == {"LĐLĐ huyện Bê": (1, 1), "LĐLĐ huyện Ả": (2, -1)}


# --- 3. a fresh session at login (session fixation) ---------------------------------------------------------

def test_login_starts_a_fresh_session_that_keeps_only_the_language(client, world):
    assert client.form("/lang", {"lang": "en", "next": "/"}).status_code == 302
    with client.session_transaction() as session:
        session["planted"] = "set-before-login"
    login(client, world.member_a1_phone)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("lang") == "en"
    body = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in body and "Lò Văn Một" in body


def test_registering_also_starts_a_fresh_session(client, world):
    with client.session_transaction() as session:
        session["planted"] = "set-before-registering"
    response = client.form("/register", {"full_name": "Lò Thị Mới", "phone": "0988 123 456", "email": "",
                                         "position": "Giáo viên", "password": "Tre-xanh-Nam-Nhun-2022",
                                         "confirm": "Tre-xanh-Nam-Nhun-2022", "unit_id": str(world.union_a2)})
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
    assert "Lò Thị Mới" in client.get("/").get_data(as_text=True)


# --- 4. locking an account ends its sessions --------------------------------------------------------------------

def _signed_in(client) -> bool:
    response = client.get("/initiatives/mine")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def test_locking_an_account_ends_its_sessions_even_after_unlocking(app, world):
    member = app.test_client()
    login(member, world.member_a1_phone)
    cookie_before_lock = member.get_cookie("session").value
    assert _signed_in(member)
    organizer = app.test_client()
    login(organizer, world.organizer_a_phone)
    assert organizer.form(f"/admin/users/{world.member_a1}/active").status_code == 302
    with app.app_context():
        assert db.session.get(User, world.member_a1).active is False
    assert not _signed_in(member)
    assert organizer.form(f"/admin/users/{world.member_a1}/active").status_code == 302
    with app.app_context():
        assert db.session.get(User, world.member_a1).active is True
    member.set_cookie("session", cookie_before_lock)
    assert not _signed_in(member)
    login(member, world.member_a1_phone)  # the unlocked account itself works again
    assert _signed_in(member)


# --- 5. anonymous visitors are sent to the login page --------------------------------------------------------

# Pages anyone may see (DESIGN §3 "anonymous": the public campaign and period pages, the archive and gallery, plus
# signing in).
PUBLIC_ENDPOINTS = {
    "asset", "static", "service_worker", "manifest", "main.home", "main.healthz",
    "auth.login", "auth.register", "auth.unit_search", "auth.set_language",
    "dashboard.campaign", "dashboard.campaign_page", "dashboard.counters", "dashboard.ranking_partial",
    "dashboard.period_page", "dashboard.archive",
    "awards.gallery", "awards.gallery_item", "awards.gallery_image", "support.faq",
}


def _sample_url(app, rule) -> str:
    values = {name: ("thu" if name == "slug" else 1) for name in rule.arguments}
    with app.test_request_context():
        return app.url_map.bind("localhost").build(rule.endpoint, values, method=sorted(rule.methods)[0])


def test_every_signed_in_page_sends_anonymous_visitors_to_login(app, client, world):
    checked = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = _sample_url(app, rule)
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.get(url) if method == "GET" else client.form(url, {})
            where = urlsplit(response.headers.get("Location", ""))
            assert (response.status_code, where.path) == (302, "/login"), f"{method} {url}"
            assert parse_qs(where.query).get("next") == [url], f"{method} {url}"
            checked.append((method, rule.endpoint))
    # The signed-in part of the site is most of it: the loop must not have silently skipped it.
    assert len(checked) >= 50


# --- 6. subtrees whose paths share a string prefix ("/1/2/" and "/1/23/") --------------------------------------

@pytest.fixture
def neighbour(app, world):
    """A district whose id is district A's id followed by a 3 (path "/1/23/" beside "/1/2/"), with one
    union, one member, one submitted and one valid initiative; and the same in district A for comparison."""
    with app.app_context():
        province, district_a, district_b = (db.session.get(Unit, i) for i in (world.province, world.district_a,
                                                                               world.district_b))
        wanted = int(f"{district_a.id}3")
        filler = None
        while filler is None or filler.id < wanted - 1:
            filler = create_unit(f"CĐCS đệm {wanted}", f"PAD{(filler.id if filler else 0) + 1}",
                                 UnitKind.GRASSROOTS, district_b)
        district = create_unit("LĐLĐ huyện Hai Ba", "HB", UnitKind.DISTRICT, province)
        assert district.id == wanted and district.path.startswith(district_a.path.rstrip("/"))
        assert not district.path.startswith(district_a.path)
        union = create_unit("CĐCS Trường Hai Ba", "HB1", UnitKind.GRASSROOTS, district, member_count=10)
        member = factories.user("Hà Văn Hàng Xóm", "0911000023", "member", union)
        db.session.add(Target(campaign_id=world.campaign, unit_id=district.id, count=10))
        reviewer = db.session.get(User, world.admin)
        items = {}
        for key, author, status in (("pending", member, Status.SUBMITTED), ("valid", member, Status.VALID),
                                    ("own_pending", db.session.get(User, world.member_a1), Status.SUBMITTED),
                                    ("own_valid", db.session.get(User, world.member_a1b), Status.VALID)):
            side = "Hàng xóm" if author is member else "Huyện Ả"
            item = factories.initiative(world.campaign, author, title=f"{side}: sáng kiến {key}")
            workflow.transition(item, Status.SUBMITTED, author)
            if status == Status.VALID:
                workflow.transition(item, Status.VALID, reviewer)
            items[key] = item.id
        db.session.commit()
        return dict(district=district.id, union=union.id, member=member.id, district_path=district.path, **items)


def test_prefix_paths_are_different_subtrees_in_python_and_sql(app, world, neighbour):
    with app.app_context():
        district_a = db.session.get(Unit, world.district_a)
        other, other_union = db.session.get(Unit, neighbour["district"]), db.session.get(Unit, neighbour["union"])
        assert district_a.path == f"/{world.province}/{world.district_a}/"
        assert neighbour["district_path"] == f"/{world.province}/{world.district_a}3/"
        assert not district_a.contains(other) and not district_a.contains(other_union)
        assert district_a.contains(db.session.get(Unit, world.union_a1))
        inside = set(db.session.scalars(subtree_ids_select(district_a)))
        assert inside == {world.district_a, world.union_a1, world.union_a2, world.team_a1}


def test_reviewer_of_the_shorter_path_neither_lists_nor_opens_the_longer_ones(app, client, world, neighbour):
    login(client, world.reviewer_a_phone)  # scope: district A, path "/1/2/"
    queue = client.get("/review/").get_data(as_text=True)
    assert "Huyện Ả: sáng kiến own_pending" in queue
    assert "Hàng xóm" not in queue
    assert "Hàng xóm" not in client.get(f"/review/?unit={neighbour['union']}").get_data(as_text=True)
    assert client.get(f"/review/{neighbour['pending']}").status_code == 404
    assert client.get(f"/review/{neighbour['valid']}/score").status_code == 404
    assert client.get(f"/initiatives/{neighbour['pending']}").status_code == 404
    start = client.get("/review/start")
    assert start.headers["Location"].startswith(f"/review/{neighbour['own_pending']}")
    scoring = client.get("/review/scoring").get_data(as_text=True)
    assert "Huyện Ả: sáng kiến own_valid" in scoring and "Hàng xóm" not in scoring


def test_organizer_of_the_shorter_path_neither_lists_nor_manages_the_longer_ones(app, client, world, neighbour):
    login(client, world.organizer_a_phone)  # scope: district A, path "/1/2/"
    campaign = world.campaign
    for url in (f"/admin/units?parent={neighbour['district']}", f"/admin/units/{neighbour['union']}/edit",
                f"/admin/campaigns/{campaign}/report?unit={neighbour['district']}",
                f"/admin/campaigns/{campaign}/targets?unit={neighbour['district']}",
                f"/admin/campaigns/{campaign}/digest.txt?unit={neighbour['district']}",
                f"/admin/users/{neighbour['member']}/edit", f"/initiatives/{neighbour['valid']}"):
        assert client.get(url).status_code == 404, url
    people = client.get("/admin/users").get_data(as_text=True)
    assert "Lò Văn Một" in people and "Hà Văn Hàng Xóm" not in people
    candidates = client.get("/awards/").get_data(as_text=True)
    assert "Huyện Ả: sáng kiến own_valid" in candidates and "Hàng xóm" not in candidates
    report = client.get(f"/admin/campaigns/{campaign}/report?format=csv").data.decode("utf-8-sig")
    assert "Trường Tiểu học Sìn Hồ" in report and "Hai Ba" not in report
