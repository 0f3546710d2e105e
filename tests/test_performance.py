"""Issue 13, the read path: constant-time queue steps, ranked and paginated lists, bounded query counts, cheap
unchanged polls, cacheable public pages and static files compressed once."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import event, func, insert, select, text

from app.extensions import db
from app.models import Campaign, Initiative, Status, User
from app.review import service as review

from .conftest import login
from .queries import counted


def _bulk_queue(world, count: int, first: int = 0) -> None:
    """``count`` submitted initiatives of unions A1 and B1, a minute apart (two by two: equal times are tied by id)."""
    start = datetime(2022, 5, 1)
    db.session.execute(insert(Initiative), [
        dict(campaign_id=world.campaign, unit_id=world.union_a1 if n % 2 else world.union_b1,
             author_id=world.member_a1, entered_by_id=world.member_a1, title=f"Hàng đợi {n}",
             status=Status.SUBMITTED, submitted_at=start + timedelta(minutes=n // 2), version=1)
        for n in range(first, first + count)])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def _plans(reviewer: User, campaign: Campaign, current: Initiative) -> list[str]:
    """The plans of the two queue steps (next, previous), as the database reports them, numbers left out."""
    captured: list[tuple[str, object]] = []

    def grab(conn, cursor, statement, parameters, context, executemany):
        if "FROM initiatives" in statement and "ORDER BY" in statement:
            captured.append((statement, parameters))

    filters = review.QueueFilter(campaign=campaign)
    event.listen(db.engine, "before_cursor_execute", grab)
    try:
        review.neighbour(reviewer, filters, current, forward=True)
        review.neighbour(reviewer, filters, current, forward=False)
    finally:
        event.remove(db.engine, "before_cursor_execute", grab)
    assert len(captured) == 2
    cursor = db.session.connection().connection.driver_connection.cursor()
    sqlite = db.engine.dialect.name == "sqlite"
    plans = []
    for statement, parameters in captured:
        cursor.execute(("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + statement, parameters)
        lines = [str(row[-1] if sqlite else row[0]) for row in cursor.fetchall()]
        plans.append(re.sub(r"[\d.]+", "#", "\n".join(lines)))
    return plans


def test_the_next_queue_item_is_one_index_step_whatever_the_position(app, world):
    """(submitted_at, id) > (t, current) is an index range on ix_initiatives_queue: no scan from the start of the
    queue and no sort, at the start, the middle or the end, and the same plan for a queue twice as long."""
    with app.app_context():
        _bulk_queue(world, 1500)
        reviewer = db.session.get(User, world.reviewer_p)
        campaign = db.session.get(Campaign, world.campaign)
        queue = list(db.session.scalars(review._order(review.queue_select(reviewer, review.QueueFilter(campaign)))
                                        .with_only_columns(Initiative.id)))
        middle = db.session.get(Initiative, queue[len(queue) // 2])
        plans = _plans(reviewer, campaign, middle)
        for plan in plans:
            assert "ix_initiatives_queue" in plan, plan
            assert "SORT" not in plan.upper() and "TEMP B-TREE" not in plan.upper(), plan
            if db.engine.dialect.name == "postgresql":
                assert re.search(r"Index Cond: .*ROW\(submitted_at, id\) [<>] ROW\(", plan), plan
            else:  # the search starts at the current item's time (ties on it are few), not at the queue's start
                assert re.search(r"USING INDEX ix_initiatives_queue \(.*submitted_at[<>]\?", plan), plan
        _bulk_queue(world, 1500, first=1500)
        assert _plans(reviewer, campaign, middle) == plans
        # And the steps are right: ties on submitted_at go by id, both ways, and past the end is the first item.
        for position in (0, 1, len(queue) // 2, len(queue) - 2):
            here = db.session.get(Initiative, queue[position])
            assert review.neighbour(reviewer, review.QueueFilter(campaign), here).id == queue[position + 1]
            after = db.session.get(Initiative, queue[position + 1])
            assert review.neighbour(reviewer, review.QueueFilter(campaign), after, forward=False).id == here.id
        full = review._order(review.queue_select(reviewer, review.QueueFilter(campaign))).with_only_columns(
            Initiative.id)
        queue = list(db.session.scalars(full))
        last = db.session.get(Initiative, queue[-1])
        assert review.neighbour(reviewer, review.QueueFilter(campaign), last).id == queue[0]
        assert review.neighbour(reviewer, review.QueueFilter(campaign),
                                db.session.get(Initiative, queue[0]), forward=False) is None


# --- award candidates: ranked in SQL over the whole campaign, a page at a time --------------------------------

def _valid_items(world, count: int, scored: bool = True) -> list[int]:
    """``count`` valid initiatives through the workflow, each of a grassroots union of its own (a list that loads
    units one by one shows in the query count); scored by three reviewers of different severity (so the z ranking
    differs from the raw one), some by two, some by one, some not at all."""
    from app.domain import workflow
    from app.domain.units import create_unit
    from app.models import Score, Unit, UnitKind

    from . import factories
    admin = db.session.get(User, world.admin)
    district = db.session.get(Unit, world.district_a)
    authors = [db.session.get(User, getattr(world, name)) for name in ("member_a1", "member_a2", "member_b1")]
    reviewers = (world.reviewer_p, world.reviewer_p2, world.reviewer_a)
    made = []
    for n in range(count):
        author = authors[n % 3]
        union = create_unit(f"CĐCS ứng viên {n}", f"UV-{world.campaign}-{len(made)}-{count}", UnitKind.GRASSROOTS,
                            district)
        item = factories.initiative(world.campaign, author, title=f"Ứng viên {n}", unit_id=union.id,
                                    field=("education", "health")[n % 2])
        workflow.transition(item, Status.SUBMITTED, author)
        workflow.transition(item, Status.VALID, admin)
        made.append(item.id)
        if scored:
            for k, reviewer in enumerate(reviewers[:n % 4]):  # 0, 1, 2 or 3 reviewers
                db.session.add(Score(initiative_id=item.id, reviewer_id=reviewer, points={},
                                     total=(37 * n + 11 * k) % 60 + 20 * k + 10))
    db.session.commit()
    return made


def _candidate_ids(body: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr id="cand-(\d+)"', body)]


def test_award_candidates_are_best_first_across_pages(app, client, world):
    from app.awards.service import PAGE_SIZE
    from app.domain import scoring
    with app.app_context():
        items = _valid_items(world, 2 * PAGE_SIZE + 7)
        scores = scoring.aggregates(world.campaign, items)  # the Python definition the SQL must agree with
    expected = sorted(items, key=lambda i: (scores[i].z_mean is None, -(scores[i].z_mean or 0),
                                            -(scores[i].raw_mean or 0), i))
    login(client, world.organizer_p_phone)
    seen = []
    for page in (1, 2, 3):
        body = client.get(f"/awards/?page={page}").get_data(as_text=True)
        assert f"Trang {page}/3 · {len(items)} sáng kiến" in body
        seen += _candidate_ids(body)
    assert seen == expected
    # A filter keeps the order; the count comes from the tallies by field.
    body = client.get("/awards/?field=health").get_data(as_text=True)
    health = [i for i in expected if i in set(items[1::2])]
    assert _candidate_ids(body) == health[:PAGE_SIZE]
    assert f"· {len(health)} sáng kiến" in body


def test_award_candidates_cost_the_same_queries_for_5_and_50(app, client, world):
    login(client, world.organizer_p_phone)
    counts = []
    for batch in (5, 45):
        with app.app_context():
            _valid_items(world, batch)
        with counted(app) as statements:
            response = client.get("/awards/")
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 20, counts


def test_a_pairwise_round_takes_the_whole_shortlist_best_first(app, client, world):
    from app.awards import service as awards
    from app.domain import scoring, workflow
    from app.models import PairwiseRound
    with app.app_context():
        items = _valid_items(world, 12)
        admin = db.session.get(User, world.admin)
        for item_id in items:
            workflow.transition(db.session.get(Initiative, item_id), Status.SHORTLISTED, admin)
        db.session.commit()
        scores = scoring.aggregates(world.campaign, items)
        organizer = db.session.get(User, world.organizer_p)
        judging = awards.create_round(organizer, db.session.get(Campaign, world.campaign), "")
        db.session.commit()
        expected = sorted(items, key=lambda i: (scores[i].z_mean is None, -(scores[i].z_mean or 0),
                                                -(scores[i].raw_mean or 0), i))
        assert db.session.get(PairwiseRound, judging.id).initiative_ids == expected


# --- the scoring queue and the review statistics --------------------------------------------------------------

def _scoring_ids(body: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/review/(\d+)/score"', body)]


def test_scoring_queue_is_one_ordered_page_at_a_time_with_constant_queries(app, client, world):
    """Started ones first (more scores first), then the oldest decided; done, disputed, mine: as the rule says."""
    from app.domain import scoring
    from app.review.service import SCORING_PAGE
    with app.app_context():
        items = _valid_items(world, 2 * SCORING_PAGE + 20)  # 0-3 scores by reviewer_p, _p2, _a in turn
        aggregates = scoring.aggregates(world.campaign, items)
        mine = {s for s in items if aggregates[s].count >= 1}  # reviewer_p scores first
        decided = dict(db.session.execute(select(Initiative.id, Initiative.decided_at)
                                          .where(Initiative.id.in_(items))).all())
    # reviewer_p2 (scope: the province; home union A2): theirs are the items with two or three scores.
    with app.app_context():
        p2_scored = {i for i in items if aggregates[i].count >= 2}
        p2_home = {i for i in items if db.session.get(Initiative, i).unit_id == world.union_a2}
    needed = [i for i in items if i not in p2_scored and i not in p2_home
              and (aggregates[i].count < 2 or aggregates[i].needs_third_review)]
    expected = sorted(needed, key=lambda i: (-aggregates[i].count, decided[i], i))
    assert mine and expected
    login(client, "0911000008")  # reviewer_p2
    with counted(app) as first_page:
        body = client.get("/review/scoring").get_data(as_text=True)
    seen = _scoring_ids(body)
    assert 'rel="next"' in body and 'rel="prev"' not in body
    second = client.get("/review/scoring?page=2").get_data(as_text=True)
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert seen + _scoring_ids(second) == expected
    with app.app_context():
        _valid_items(world, 40)
    with counted(app) as again:
        client.get("/review/scoring")
    assert len(first_page) == len(again) <= 20
    assert client.get("/review/scoring?page=999999999999999999").status_code == 200


def test_review_statistics_are_bounded(app, client, world):
    from app.review.service import invalid_rates
    login(client, world.reviewer_p_phone)
    with app.app_context():
        _valid_items(world, 3)
    with counted(app) as before:
        assert client.get("/review/stats").status_code == 200
    with app.app_context():
        _valid_items(world, 60)  # 60 more unions under district A, each with a tally row
        from app.models import Unit
        rates = invalid_rates(db.session.get(Campaign, world.campaign), db.session.get(Unit, world.district_a))
        assert len(rates) == 50
    with counted(app) as after:
        assert client.get("/review/stats").status_code == 200
    assert len(before) == len(after) <= 20


# --- a member's and a union's lists: pages, not a silent cap ----------------------------------------------------

def _detail_ids(body: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/initiatives/(\d+)"', body)]


def test_my_initiatives_and_the_union_list_come_in_pages(app, client, world):
    from app.submissions.service import LIST_PAGE

    from . import factories
    with app.app_context():
        author = db.session.get(User, world.member_a1)
        made = [factories.initiative(world.campaign, author, title=f"Nháp {n}").id for n in range(LIST_PAGE + 7)]
        db.session.commit()
    for phone, url in ((world.member_a1_phone, "/initiatives/mine"), (world.helper_a1_phone, "/initiatives/union")):
        client.post("/logout", data={"csrf_token": client.csrf_token()})
        login(client, phone)
        with counted(app) as first_queries:
            first = client.get(url).get_data(as_text=True)
        assert 'rel="next"' in first and 'rel="prev"' not in first, url
        second = client.get(f"{url}?page=2").get_data(as_text=True)
        assert 'rel="prev"' in second and 'rel="next"' not in second, url
        seen = _detail_ids(first) + _detail_ids(second)
        assert len(seen) == len(set(seen)) and set(seen) == set(made), url  # every one once, latest first
        with counted(app) as second_queries:
            client.get(f"{url}?page=2")
        assert len(first_queries) == len(second_queries) <= 20, url
        assert _detail_ids(client.get(f"{url}?page=abc").get_data(as_text=True)) == _detail_ids(first)
        assert client.get(f"{url}?page=99999999999999999999").status_code == 200


# --- polls: an unchanged one costs one indexed read --------------------------------------------------------

VERSION = re.compile(r'name="v" value="([0-9a-f]+)"')


def _versions(client, unit: int) -> tuple[str, str]:
    page = client.get(f"/campaigns/thu/units/{unit}").get_data(as_text=True)
    counters, ranking = VERSION.findall(page)[:2]
    return counters, ranking


def _polls(app, client, unit: int, versions: tuple[str, str]) -> tuple[int, int]:
    """The status of the counters and the ranking polls holding ``versions``; an unchanged one in one query."""
    statuses = []
    for name, version in zip(("counters", "ranking"), versions):
        with counted(app) as statements:
            response = client.htmx(f"/campaigns/thu/{name}?unit={unit}&v={version}")
        if response.status_code == 204:
            assert len(statements) <= 1, statements
            assert response.data == b""
        statuses.append(response.status_code)
    return statuses[0], statuses[1]


def test_an_unchanged_poll_is_one_read_and_every_change_is_seen(app, client, world):
    from app.domain import workflow

    from . import factories
    anonymous = app.test_client()
    for unit in (world.province, world.district_a):
        assert _polls(app, anonymous, unit, _versions(anonymous, unit)) == (204, 204)
    # A transition in union A1: the counters of the district and the province, and the ranking of both.
    province, district = _versions(anonymous, world.province), _versions(anonymous, world.district_a)
    with app.app_context():
        author = db.session.get(User, world.member_a1)
        item = factories.initiative(world.campaign, author)
        workflow.transition(item, Status.SUBMITTED, author)
        db.session.commit()
        item_id = item.id
    assert _polls(app, anonymous, world.province, province) == (200, 200)
    assert _polls(app, anonymous, world.district_a, district) == (200, 200)
    # A target changed by an organizer: the district's goal (its counters) and its place in the province's ranking.
    province, district = _versions(anonymous, world.province), _versions(anonymous, world.district_a)
    login(client, world.organizer_p_phone)
    saved = client.form(f"/admin/campaigns/{world.campaign}/targets?unit={world.province}",
                        {f"t{world.district_a}": "59", f"t{world.district_b}": "40"})
    assert saved.status_code == 302  # saved (59 + 40 stays within the province's 100)
    assert _polls(app, anonymous, world.province, province) == (204, 200)
    assert _polls(app, anonymous, world.district_a, district) == (200, 204)
    # The freeze: the province's ranking becomes the snapshot; its counters stay live.
    province = _versions(anonymous, world.province)
    assert client.form(f"/admin/campaigns/{world.campaign}/freeze").status_code in (200, 302)
    assert _polls(app, anonymous, world.province, province) == (204, 200)
    frozen = _versions(anonymous, world.province)
    with app.app_context():  # while frozen, a decision changes the counters, not the frozen ranking
        admin = db.session.get(User, world.admin)
        workflow.transition(db.session.get(Initiative, item_id), Status.VALID, admin)
        db.session.commit()
    assert _polls(app, anonymous, world.province, frozen) == (200, 204)


# --- public pages: no cookie, validators and a short shared max-age ------------------------------------------

PUBLIC_PAGES = ("/", "/campaign", "/campaigns/thu", "/campaigns/thu/counters", "/campaigns/thu/ranking", "/gallery")


def test_anonymous_public_pages_set_no_cookie_and_can_be_cached(app, world):
    for url in PUBLIC_PAGES:
        anonymous = app.test_client()
        response = anonymous.get(url)
        assert response.status_code == 200, url
        assert "Set-Cookie" not in response.headers, url
        assert response.cache_control.public and response.cache_control.max_age == 15, url
        assert not response.cache_control.private and not response.cache_control.no_store, url
        assert response.headers.get("ETag") and "Cookie" in response.vary, url
        assert 'name="csrf-token"' not in response.get_data(as_text=True)
        # Revalidation: the same copy is a 304 without a body, with or without compression.
        again = anonymous.get(url, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304 and again.data == b"", url
        for encoding in ("gzip", "br"):
            packed = anonymous.get(url, headers={"Accept-Encoding": encoding})
            if packed.headers.get("Content-Encoding") == encoding:
                assert packed.headers["ETag"] != response.headers["ETag"]
                assert anonymous.get(url, headers={"Accept-Encoding": encoding,
                                                   "If-None-Match": packed.headers["ETag"]}).status_code == 304
        assert anonymous.get_cookie("session") is None


def test_signed_in_pages_and_sessions_stay_private(app, client, world):
    login(client, world.member_a1_phone)
    for url in ("/", "/campaigns/thu", "/initiatives/mine"):
        response = client.get(url)
        assert response.cache_control.no_store and not response.cache_control.public, url
    # The login form starts a session (its CSRF token): private, and the login itself still works.
    anonymous = app.test_client()
    form = anonymous.get("/login")
    assert "Set-Cookie" in form.headers and form.cache_control.private and not form.cache_control.public
    # An anonymous visitor who chose a language holds a session: their pages are theirs, not the shared copy.
    chooser = app.test_client()
    assert chooser.post("/lang", data={"lang": "en", "next": "/campaigns/thu"}).status_code == 302
    page = chooser.get("/campaigns/thu")
    assert page.cache_control.private and not page.cache_control.public
    assert "Submitted" in page.get_data(as_text=True) or 'lang="en"' in page.get_data(as_text=True)


def test_the_language_switch_refuses_other_sites(app, client, world):
    host = "http://localhost"
    anonymous = app.test_client()
    for headers in ({"Origin": "https://evil.example"}, {"Referer": "https://evil.example/page"},
                    {"Sec-Fetch-Site": "cross-site", "Origin": host}, {"Origin": "null"}):
        refused = anonymous.post("/lang", data={"lang": "en", "next": "/"}, headers=headers)
        assert refused.status_code == 403, headers
        assert anonymous.get_cookie("session") is None
    for headers in ({"Origin": host}, {"Sec-Fetch-Site": "same-origin"}, {"Referer": f"{host}/campaigns/thu"}):
        switched = app.test_client()
        assert switched.post("/lang", data={"lang": "en", "next": "/"}, headers=headers).status_code == 302
        assert 'lang="en"' in switched.get("/").get_data(as_text=True), headers
    # Signed in, the session's CSRF token is required, as on every form.
    login(client, world.member_a1_phone)
    assert client.post("/lang", data={"lang": "en", "next": "/"}, headers={"Origin": host}).status_code == 400
    assert 'lang="vi"' in client.get("/").get_data(as_text=True)
    assert client.form("/lang", {"lang": "en", "next": "/"}).status_code == 302
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


# --- static files: compressed once, in both encodings --------------------------------------------------------

def test_static_files_are_compressed_once_in_the_encoding_the_client_takes(app, client, monkeypatch):
    import gzip

    import brotli

    from app import web
    with app.test_request_context():
        url = app.jinja_env.globals["asset"]("vendor/htmx-2.0.11.min.js")
    raw = (web.STATIC_DIR / "vendor/htmx-2.0.11.min.js").read_bytes()
    web._PACKED.clear()
    calls = []
    for module, name in ((web.brotli, "compress"), (web.gzip, "compress")):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _real=real, **k: calls.append(1) or _real(*a, **k))
    import flask_compress.flask_compress as compress_module
    monkeypatch.setattr(compress_module, "_compress_data", lambda *a, **k: calls.append("per request"))
    for _ in range(3):
        packed = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.vary
        assert gzip.decompress(packed.data) == raw and len(packed.data) < 20_000  # htmx: ~17 KB, not 52 KB
        best = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
        assert best.headers["Content-Encoding"] == "br" and brotli.decompress(best.data) == raw
        for refused in ({}, {"Accept-Encoding": "identity"}):
            plain = client.get(url, headers=refused)
            assert "Content-Encoding" not in plain.headers and plain.data == raw, refused
    assert calls == [1, 1]  # one brotli and one gzip compression, at the first request; none since
    assert packed.cache_control.immutable and packed.cache_control.max_age == 365 * 24 * 3600
    assert client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]}
                      ).status_code == 304
    image = client.get(url.replace("vendor/htmx-2.0.11.min.js", "icon-192.png"))
    assert image.status_code in (200, 404)  # images: as they are (another fingerprint: not this test's concern)


# --- the benchmark's data set: a real submission works on it ----------------------------------------------------

def test_a_real_submission_works_after_bench_seed(app, client):
    """bench-seed writes units and initiatives with explicit ids: PostgreSQL's sequences must follow, or the first
    initiative (or unit) the application writes collides with a seeded id (a 500)."""
    import pytest

    from app.domain import accounts
    from app.models import Unit, UnitKind
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite takes new ids from the table itself")
    result = app.test_cli_runner().invoke(args=["bench-seed", "--initiatives", "40", "--units", "800"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        union = db.session.scalar(select(Unit).where(Unit.kind == UnitKind.GRASSROOTS).order_by(Unit.id.desc()))
        accounts.create_user(full_name="Đoàn viên thật", role="member", unit=union, phone="0913000001",
                             password="mot-mat-khau-dai")
        db.session.commit()
        seeded = db.session.scalar(select(func.max(Initiative.id)))
    login(client, "0913000001", "mot-mat-khau-dai")
    page = client.get("/initiatives/new").get_data(as_text=True)
    key = re.search(r'name="submit_key"[^>]*value="([^"]+)"', page).group(1)
    data = {"title": "Cải tiến quy trình tiếp đón bệnh nhân tại khoa Khám bệnh", "field": "health",
            "current_situation": "Bệnh nhân phải xếp hàng từ 45 đến 60 phút mỗi buổi sáng.",
            "solution": "Phát số thứ tự qua Zalo, chia hai luồng khám, bố trí người hướng dẫn tại cửa khoa.",
            "application_scope": "Khoa Khám bệnh", "applied_since": "2022-03-01",
            "effectiveness": "Thời gian chờ giảm từ 50 xuống 20 phút mỗi lượt khám.", "author_share": "100",
            "confirm_original": "y", "action": "submit", "submit_key": key}
    response = client.form("/initiatives/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    with app.app_context():
        mine = db.session.scalar(select(Initiative).where(Initiative.submit_key == key))
        assert mine is not None and mine.id > seeded and mine.status == Status.SUBMITTED
