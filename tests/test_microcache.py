"""The micro-cache in front of the app (app/microcache.py): public pages answered from memory for their max-age,
never a page of a session, never a cookie's page, always the right encoding."""
from __future__ import annotations

import gzip

import pytest

from app.extensions import db
from app.microcache import MicroCache
from app.models import Campaign

from .conftest import login


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def cached(app_factory):
    app = app_factory(MICROCACHE_ENTRIES=8, PUBLIC_CACHE_SECONDS=15)
    assert isinstance(app.wsgi_app, MicroCache)
    app.wsgi_app.clock = Clock()
    return app


def rename_campaign(app, world, name: str) -> None:
    with app.app_context():
        db.session.get(Campaign, world.campaign).name = name
        db.session.commit()


def test_a_public_page_is_rendered_once_per_max_age(cached, world):
    cache = cached.wsgi_app
    visitor = cached.test_client()
    first = visitor.get("/campaign")
    assert first.status_code == 200 and "public" in first.headers["Cache-Control"]
    assert "Set-Cookie" not in first.headers
    rename_campaign(cached, world, "Chiến dịch đổi tên")
    again = cached.test_client().get("/campaign")                    # another visitor, 5 s later
    cache.clock.now += 5
    assert (cache.hits, cache.misses) == (1, 1)
    assert again.get_data() == first.get_data() and int(again.headers["Age"]) >= 0
    cache.clock.now += 11                                            # past max-age: rendered afresh
    fresh = cached.test_client().get("/campaign")
    assert "Chiến dịch đổi tên" in fresh.get_data(as_text=True) and cache.misses == 2


def test_a_visitor_with_a_cookie_or_a_session_never_gets_the_shared_copy(cached, world):
    cache = cached.wsgi_app
    cached.test_client().get("/campaign")
    rename_campaign(cached, world, "Tên mới cho người đã đăng nhập")
    member = cached.test_client()
    login(member, world.member_a1_phone)
    assert "Tên mới cho người đã đăng nhập" in member.get("/campaign").get_data(as_text=True)
    other = cached.test_client()
    other.set_cookie("anything", "1")                                # any cookie: the app answers itself
    assert "Tên mới cho người đã đăng nhập" in other.get("/campaign").get_data(as_text=True)
    assert cache.hits == 0


def test_signed_in_and_refused_answers_are_never_kept(cached, world):
    cache = cached.wsgi_app
    member = cached.test_client()
    login(member, world.member_a1_phone)
    member.get("/initiatives/mine")
    cached.test_client().get("/initiatives/mine")                    # anonymous: a redirect to the login
    cached.test_client().get("/no-such-page")
    kept = {key[0] for key in cache._store}
    assert "/initiatives/mine" not in kept and "/no-such-page" not in kept and "/login" not in kept
    assert kept <= {"/"}                                             # the anonymous home page the login started on


def test_each_encoding_and_the_htmx_fragment_is_its_own_entry(cached, world):
    cache = cached.wsgi_app
    plain = cached.test_client().get("/campaign", headers={"Accept-Encoding": "identity"})
    zipped = cached.test_client().get("/campaign", headers={"Accept-Encoding": "gzip"})
    zipped_again = cached.test_client().get("/campaign", headers={"Accept-Encoding": "gzip, deflate"})
    fragment = cached.test_client().get("/campaign", headers={"HX-Request": "true", "Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped_again.get_data()) == plain.get_data()
    assert fragment.status_code == 200
    assert cache.hits == 1 and len(cache._store) == 3                # the htmx request was answered on its own


def test_a_revalidation_gets_its_304_from_the_cache(cached, world):
    first = cached.test_client().get("/campaign")
    etag = first.headers["ETag"]
    again = cached.test_client().get("/campaign", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b"" and cached.wsgi_app.hits == 1


def test_the_cache_holds_a_bounded_number_of_pages(cached, world):
    for page in range(12):
        cached.test_client().get(f"/campaign?page={page}")
    assert len(cached.wsgi_app._store) <= 8


def test_an_unchanged_poll_is_answered_from_memory_and_a_change_shows_after_its_max_age(cached, world):
    import re

    from app.domain import workflow
    from app.models import Initiative, Status, User

    from . import factories
    cache = cached.wsgi_app
    page = cached.test_client().get("/campaigns/thu").get_data(as_text=True)
    version = re.search(r'name="v" value="([0-9a-f]+)"', page).group(1)
    poll = f"/campaigns/thu/counters?v={version}"
    headers = {"HX-Request": "true"}
    first = cached.test_client().get(poll, headers=headers)
    assert first.status_code == 204 and first.headers["Cache-Control"] == "public, max-age=5"
    with cached.app_context():                                       # a new valid initiative changes the counters
        author = db.session.get(User, world.member_a1)
        item = factories.initiative(world.campaign, author)
        workflow.transition(item, Status.SUBMITTED, author)
        workflow.transition(item, Status.VALID, db.session.get(User, world.reviewer_p))
        db.session.commit()
        assert db.session.get(Initiative, item.id).status == Status.VALID
    hits = cache.hits
    assert cached.test_client().get(poll, headers=headers).status_code == 204   # the shared answer, for 5 s
    assert cache.hits == hits + 1
    cache.clock.now += 6
    assert cached.test_client().get(poll, headers=headers).status_code == 200   # then the change
    with_cookie = cached.test_client()
    with_cookie.set_cookie("lang", "vi")                             # any cookie: an answer of its own, not kept
    page = with_cookie.get("/campaigns/thu").get_data(as_text=True)  # (the shared page is still the old one)
    fresh_version = re.search(r'name="v" value="([0-9a-f]+)"', page).group(1)
    current = f"/campaigns/thu/counters?v={fresh_version}"
    answer = with_cookie.get(current, headers=headers)
    assert answer.status_code == 204 and answer.headers["Cache-Control"] == "no-store"


def test_a_forged_host_never_reaches_the_copy_everyone_else_gets(cached, world):
    """The gallery prints its own address (og:url): a request naming another host gets an entry of its own."""
    forged = cached.test_client().get("/gallery", headers={"Host": "evil.example"})
    assert forged.status_code == 200 and "http://evil.example/gallery" in forged.get_data(as_text=True)
    honest = cached.test_client().get("/gallery")
    assert "evil.example" not in honest.get_data(as_text=True)
    forwarded = cached.test_client().get("/gallery", headers={"X-Forwarded-Host": "evil.example"})
    assert forwarded.status_code == 200
    assert "evil.example" not in cached.test_client().get("/gallery").get_data(as_text=True)
