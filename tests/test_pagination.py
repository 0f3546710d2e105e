"""Every list is paginated (issue 13): the accounts an organizer reaches, the archive's ended campaigns."""
from __future__ import annotations

import re
from datetime import date

from app.extensions import db
from app.models import Campaign, Role, Unit

from . import factories
from .conftest import login

ROW_NAME = re.compile(r'<td class="name">([^<]+)</td>')


def test_the_accounts_come_in_pages_without_overlap_or_gap(app, client, world):
    with app.app_context():
        union = db.session.get(Unit, world.union_a1)
        for n in range(70):
            factories.user(f"Đoàn viên thứ {n:03d}", f"09880{n:05d}", Role.MEMBER, union)
        db.session.commit()
    login(client, world.organizer_p_phone)
    first = client.get("/admin/users").get_data(as_text=True)
    second = client.get("/admin/users?page=2").get_data(as_text=True)
    names_1, names_2 = ROW_NAME.findall(first), ROW_NAME.findall(second)
    assert len(names_1) == 50 and 'href="/admin/users?page=2"' in first and 'rel="prev"' not in first
    assert names_2 and not set(names_1) & set(names_2) and 'href="/admin/users?page=1"' in second
    assert names_1 == sorted(names_1) and len(set(names_1 + names_2)) == len(names_1) + len(names_2)
    searched = client.get("/admin/users?q=th%E1%BB%A9&page=2").get_data(as_text=True)  # the query stays in the links
    assert 'q=th%E1%BB%A9&amp;page=1' in searched or "q=th%E1%BB%A9&page=1" in searched
    for hostile in ("0", "-1", "abc", "99999999999999999999", "1%00"):
        assert client.get(f"/admin/users?page={hostile}").status_code == 200, hostile


def test_the_archive_shows_ended_campaigns_a_few_per_page(app, client, world, real_clock):
    with app.app_context():
        for n in range(4):
            db.session.add(Campaign(slug=f"da-xong-{n}", name=f"Chiến dịch đã xong {n}", unit_id=world.province,
                                    start_date=date(2021, 1, 1 + n), end_date=date(2021, 2, 1 + n), goal=10))
        db.session.commit()
    real_clock.set_demo_date(date(2022, 5, 12))
    first = client.get("/archive").get_data(as_text=True)
    second = client.get("/archive?page=2").get_data(as_text=True)
    shown_1 = re.findall(r"Chiến dịch đã xong (\d)", first)
    shown_2 = re.findall(r"Chiến dịch đã xong (\d)", second)
    assert shown_1 == ["3", "2", "1"] and shown_2 == ["0"]         # newest end first, each once
    assert 'href="/archive?page=2"' in first
