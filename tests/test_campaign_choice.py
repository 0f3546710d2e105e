"""Which campaign is current: a district running its own campaign inside the province's never takes over.

Before: ``campaigns.current()`` picked the running campaign that ends first, so a district's week switched the
whole province's public pages to it, and the district's new initiatives left the province campaign (and its
queue and report). Now the campaign run highest up the tree wins while it runs (app/domain/campaigns.py).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.domain import campaigns
from app.extensions import db
from app.models import Campaign, Initiative, Unit

from .conftest import login
from .test_submissions import complete, new_key

DURING = date(2022, 5, 10)  # inside the world's province campaign (22/4–31/5/2022)


def _district_campaign(app, client, world, start="2022-05-09", end="2022-05-15") -> int:
    login(client, world.organizer_a_phone)
    created = client.form("/admin/campaigns/new", {
        "name": "Tuần cao điểm huyện Ả", "slug": "tuan-cao-diem-huyen-a", "start_date": start, "end_date": end,
        "goal": "10", "unit_id": str(world.district_a)})
    assert created.status_code == 302
    client.form("/logout")
    with app.app_context():
        return db.session.scalar(select(Campaign.id).where(Campaign.slug == "tuan-cao-diem-huyen-a"))


def test_a_district_campaign_leaves_the_public_page_and_the_submissions_with_the_province(
        app, client, world, real_clock):
    real_clock.set_demo_date(DURING)
    before = client.get("/campaign").get_data(as_text=True)
    assert "Chiến dịch thử" in before
    district_campaign = _district_campaign(app, client, world)
    with app.app_context():
        district = db.session.get(Unit, world.district_a)
        # It runs, ends before the province's, and is run by a unit below: the province's stays current.
        assert campaigns.current(district).id == world.campaign
        assert campaigns.current().id == world.campaign
    page = client.get("/campaign").get_data(as_text=True)
    assert "Chiến dịch thử" in page and "Tuần cao điểm huyện Ả" not in page
    # A district member's new initiative belongs to the province campaign: its queue shows it.
    login(client, world.member_a1_phone)
    assert client.form("/initiatives/new", complete(submit_key=new_key(client))).status_code == 302
    with app.app_context():
        item = db.session.scalar(select(Initiative))
        assert item.campaign_id == world.campaign != district_campaign
    client.form("/logout")
    login(client, world.reviewer_p_phone)
    assert f"/review/{item.id}" in client.get("/review/").get_data(as_text=True)


def test_a_district_campaign_is_current_for_the_district_once_the_province_one_has_ended(
        app, client, world, real_clock):
    """Outside the province's dates the district's own campaign is what its members submit to."""
    real_clock.set_demo_date(date(2022, 6, 10))
    own = _district_campaign(app, client, world, start="2022-06-01", end="2022-06-30")
    with app.app_context():
        assert campaigns.current(db.session.get(Unit, world.district_a)).id == own
        assert campaigns.current(db.session.get(Unit, world.district_b)).id == world.campaign  # ended last
