"""Event hooks (issue 14): each event writes its notifications in the event's own transaction, for the right people
(the author and co-authors with an account, each once, never the one who acted), with an e-mail outbox row for
whoever has an address; nothing on a rollback, a refused action, or undoing a withdrawal."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from app.awards import service as awards
from app.domain import workflow
from app.extensions import db
from app.models import AwardLevel, Delivery, Initiative, InitiativeAuthor, Notification, Status, User
from app.submissions import service as submissions

from . import factories
from .conftest import login
from .test_submissions import complete, new_key


def told(app) -> list[tuple[int, str, dict, str]]:
    """Every notification as (addressee, kind, params, link), in the order written."""
    with app.app_context():
        return [(n.user_id, n.kind, n.params, n.link)
                for n in db.session.scalars(select(Notification).order_by(Notification.id))]


def mailed(app) -> list[tuple[int, str, str]]:
    """Every outbox row as (addressee, channel, address)."""
    with app.app_context():
        return [(d.notification.user_id, d.channel, d.address)
                for d in db.session.scalars(select(Delivery).order_by(Delivery.id))]


def set_email(app, user_id: int, email: str | None) -> None:
    with app.app_context():
        db.session.get(User, user_id).email = email
        db.session.commit()


def submitted(app, world, author_key="member_a1", co_author_key: str | None = "member_a1b",
              title="Sổ tay điện tử cho giáo viên bản xa") -> int:
    """An initiative submitted by its author, with a co-author who has an account (as the demo's)."""
    with app.app_context():
        author = db.session.get(User, getattr(world, author_key))
        item = factories.initiative(world.campaign, author, title=title)
        if co_author_key:
            other = db.session.get(User, getattr(world, co_author_key))
            item.authors[0].share_percent = 60
            item.authors.append(InitiativeAuthor(user_id=other.id, full_name=other.full_name, share_percent=40,
                                                 position_order=1))
        submissions.submit(item, author)
        db.session.commit()
        return item.id


def version_of(app, item_id: int) -> str:
    with app.app_context():
        return str(db.session.get(Initiative, item_id).version)


def decide(app, client, item_id: int, **data):
    return client.form(f"/review/{item_id}/decide", {"version": version_of(app, item_id), **data})


# --- decisions ------------------------------------------------------------------------------------------------

def test_returned_tells_author_and_co_author_with_the_reason_and_a_link_to_edit(app, client, world):
    set_email(app, world.member_a1, "mot@example.vn")
    item = submitted(app, world)
    assert told(app) == []  # a submission is no news to its own author
    login(client, world.reviewer_p_phone)
    decide(app, client, item, decision="return", return_reason="missing_effect", message="Bổ sung số liệu.")
    params = {"title": "Sổ tay điện tử cho giáo viên bản xa", "reason": "missing_effect", "message": "Bổ sung số liệu."}
    assert told(app) == [(world.member_a1, "returned", params, f"/initiatives/{item}/edit"),
                         (world.member_a1b, "returned", params, f"/initiatives/{item}")]
    # E-mail for the one with an address (the co-author has none: the inbox only, and their support team).
    assert mailed(app) == [(world.member_a1, "email", "mot@example.vn")]


def test_valid_and_invalid_tell_the_author_only_once_each(app, client, world):
    valid = submitted(app, world, co_author_key=None, title="Bếp ăn bán trú tiết kiệm củi")
    invalid = submitted(app, world, co_author_key=None, title="Vườn rau sạch của trường")
    login(client, world.reviewer_p_phone)
    decide(app, client, valid, decision="valid")
    decide(app, client, invalid, decision="invalid", invalid_reason="not_initiative", message="Chỉ là kế hoạch.")
    assert told(app) == [
        (world.member_a1, "valid", {"title": "Bếp ăn bán trú tiết kiệm củi"}, f"/initiatives/{valid}"),
        (world.member_a1, "invalid", {"title": "Vườn rau sạch của trường", "reason": "not_initiative",
                                      "message": "Chỉ là kế hoạch."}, f"/initiatives/{invalid}")]
    assert mailed(app) == []  # no address, no e-mail


def test_email_switched_off_writes_no_email_row(app, client, world):
    set_email(app, world.member_a1, "mot@example.vn")
    with app.app_context():
        db.session.get(User, world.member_a1).notify_email = False
        db.session.commit()
    item = submitted(app, world, co_author_key=None)
    login(client, world.reviewer_p_phone)
    decide(app, client, item, decision="valid")
    assert [kind for _, kind, _, _ in told(app)] == ["valid"] and mailed(app) == []


def test_a_refused_decision_tells_nobody(app, client, world):
    item = submitted(app, world)
    login(client, world.reviewer_p_phone)
    decide(app, client, item, decision="return", return_reason="missing_effect", message="")  # no message
    decide(app, client, item, decision="valid", version="999")  # a stale version: someone decided first
    assert told(app) == [] and mailed(app) == []
    member = app.test_client()
    login(member, world.member_b1_phone)  # not a reviewer at all
    assert member.form(f"/review/{item}/decide", {"decision": "valid", "version": version_of(app, item)}
                       ).status_code == 403
    assert told(app) == []


def test_a_rolled_back_event_tells_nobody(app, world):
    item = submitted(app, world)
    with app.app_context():
        reviewer = db.session.get(User, world.reviewer_p)
        workflow.transition(db.session.get(Initiative, item), Status.VALID, reviewer)
        assert db.session.scalars(select(Notification)).all()  # written in the event's transaction…
        db.session.rollback()
    assert told(app) == [] and mailed(app) == []  # …and gone with it


def test_a_lost_race_tells_nobody(app, world):
    item = submitted(app, world)
    with app.app_context():
        reviewer = db.session.get(User, world.reviewer_p)
        with pytest.raises(workflow.AlreadyDecided):
            workflow.transition(db.session.get(Initiative, item), Status.VALID, reviewer, expected_version=0)
        db.session.commit()
    assert told(app) == []


def test_duplicates_marked_in_a_cluster_tell_each_author(app, client, world):
    solution = "Phát số thứ tự qua Zalo cho bệnh nhân, chia hai luồng khám theo tuyến, bố trí một nhân viên hướng dẫn"
    with app.app_context():
        ids = []
        for key in ("member_b1", "member_a1", "member_a2"):
            author = db.session.get(User, getattr(world, key))
            item = factories.initiative(world.campaign, author, title="Cải tiến quy trình tiếp đón bệnh nhân",
                                        solution=f"{solution} ({key})")
            submissions.submit(item, author)
            ids.append(item.id)
        db.session.commit()
    lead, copy_a, copy_a2 = ids
    login(client, world.reviewer_p_phone)
    preview = client.form(f"/review/{lead}/cluster", {"step": "preview", "ids": [str(copy_a), str(copy_a2)]})
    versions = dict(re.findall(r'name="v(\d+)" value="(\d+)"', preview.get_data(as_text=True)))
    assert client.form(f"/review/{lead}/cluster", {"step": "commit", "ids": [str(copy_a), str(copy_a2)],
                                                   **{f"v{k}": v for k, v in versions.items()}}).status_code == 302
    assert [(who, kind, params["reason"]) for who, kind, params, _ in told(app)] == [
        (world.member_a1, "invalid", "duplicate"), (world.member_a2, "invalid", "duplicate")]


def test_withdrawing_and_undoing_a_withdrawal_tell_nobody(app, client, world):
    item = submitted(app, world, co_author_key=None)
    login(client, world.reviewer_p_phone)
    decide(app, client, item, decision="return", return_reason="missing_effect", message="Bổ sung.")
    before = told(app)
    assert [kind for _, kind, _, _ in before] == ["returned"]
    author = app.test_client()
    login(author, world.member_a1_phone)
    assert author.form(f"/initiatives/{item}/withdraw", {"version": version_of(app, item)}).status_code == 302
    with app.app_context():
        assert db.session.get(Initiative, item).status == Status.WITHDRAWN
    author.form(f"/initiatives/{item}/undo-withdraw", {"version": version_of(app, item)})
    with app.app_context():
        assert db.session.get(Initiative, item).status == Status.RETURNED
    assert told(app) == before


def test_the_one_who_acts_is_not_told(app, world):
    """An organizer who shortlists an initiative they co-wrote is not told what they did."""
    item = submitted(app, world)
    with app.app_context():
        admin = db.session.get(User, world.admin)
        initiative = db.session.get(Initiative, item)
        workflow.transition(initiative, Status.VALID, admin)
        member = db.session.get(User, world.member_a1b)
        workflow.transition(initiative, Status.SHORTLISTED, member)  # as if the co-author were staff
        db.session.commit()
    assert [(who, kind) for who, kind, _, _ in told(app)] == [
        (world.member_a1, "valid"), (world.member_a1b, "valid"), (world.member_a1, "shortlisted")]


# --- shortlist and awards -------------------------------------------------------------------------------------

def valid_item(app, world) -> int:
    item = submitted(app, world)
    with app.app_context():
        workflow.transition(db.session.get(Initiative, item), Status.VALID, db.session.get(User, world.admin))
        db.session.commit()
    return item


def test_shortlisted_is_told_once_even_when_toggled(app, client, world):
    item = valid_item(app, world)
    start = len(told(app))
    login(client, world.organizer_p_phone)
    for _ in range(3):  # in, out, in again
        client.form(f"/awards/{item}/shortlist", {"note": ""})
    with app.app_context():
        assert db.session.get(Initiative, item).status == Status.SHORTLISTED
    assert [(who, kind, params) for who, kind, params, _ in told(app)[start:]] == [
        (world.member_a1, "shortlisted", {"title": "Sổ tay điện tử cho giáo viên bản xa"}),
        (world.member_a1b, "shortlisted", {"title": "Sổ tay điện tử cho giáo viên bản xa"})]


def test_awarded_names_the_level_once_per_level_even_without_a_status_change(app, client, world):
    item = valid_item(app, world)
    login(client, world.organizer_p_phone)
    client.form(f"/awards/{item}/shortlist", {"note": ""})
    start = len(told(app))
    page = client.get(f"/awards/{item}/award").get_data(as_text=True)
    levels = re.findall(r'name="level_id" value="(\d+)"', page)
    keys = re.findall(r'name="recipients" value="(\w+)"', page)
    assert len(levels) >= 2 and len(keys) == 2
    with app.app_context():
        names = {str(level.id): level.name for level in db.session.scalars(select(AwardLevel))}

    def grant(level: str, recipients: list[str], number: str):
        response = client.form(f"/awards/{item}/award", {"level_id": level, "recipients": recipients,
                                                         "decision_number": number, "decision_date": "2022-06-10"})
        assert response.status_code == 302

    grant(levels[0], keys[:1], "1/QĐ")
    awarded = [(who, params["award"]) for who, kind, params, _ in told(app)[start:] if kind == "awarded"]
    assert awarded == [(world.member_a1, names[levels[0]]), (world.member_a1b, names[levels[0]])]
    grant(levels[0], keys[1:], "2/QĐ")  # the co-author at the same level, the initiative already awarded
    assert len(told(app)) == start + 2
    grant(levels[1], keys[:1], "3/QĐ")  # another level: news again, with its name
    assert [(who, params["award"]) for who, _, params, _ in told(app)[start + 2:]] == [
        (world.member_a1, names[levels[1]]), (world.member_a1b, names[levels[1]])]


def test_a_refused_award_tells_nobody(app, world):
    item = valid_item(app, world)  # valid, not shortlisted: no award
    start = len(told(app))
    with app.app_context():
        initiative = db.session.get(Initiative, item)
        level = awards.levels(initiative.campaign)[0]
        with pytest.raises(awards.AwardProblem):
            awards.grant(db.session.get(User, world.organizer_p), initiative, level.id, ["a1"], "1/QĐ",
                         date(2022, 6, 10))
        db.session.rollback()
    assert len(told(app)) == start


# --- co-authors and the support team ---------------------------------------------------------------------------

def coauthored(**overrides) -> dict:
    return complete(author_share="60", **{"authors-0-full_name": "Vàng Thị Hai", "authors-0-share_percent": "40",
                                          **overrides})


def test_a_co_author_with_an_account_is_told_once(app, client, world):
    set_email(app, world.member_a1b, "hai@example.vn")
    login(client, world.member_a1_phone)
    key = new_key(client)
    assert client.form("/initiatives/new", coauthored(submit_key=key, action="draft")).status_code == 302
    with app.app_context():
        item = db.session.scalar(select(Initiative))
        assert [a.user_id for a in item.authors] == [world.member_a1, world.member_a1b]
    assert told(app) == [(world.member_a1b, "coauthor_added",
                          {"title": "Cải tiến quy trình tiếp đón bệnh nhân tại khoa Khám bệnh", "by": "Lò Văn Một"},
                          f"/initiatives/{item.id}")]
    assert mailed(app) == [(world.member_a1b, "email", "hai@example.vn")]
    # Saving again, then submitting, keeps the link and tells nothing new.
    client.form(f"/initiatives/{item.id}/edit", coauthored(action="draft"))
    client.form(f"/initiatives/{item.id}/edit", coauthored())
    with app.app_context():
        item = db.session.get(Initiative, item.id)
        assert item.status == Status.SUBMITTED
        assert [a.user_id for a in item.authors] == [world.member_a1, world.member_a1b]
    assert len(told(app)) == 1


def test_a_co_author_without_an_account_or_with_a_shared_name_is_linked_to_no_one(app, client, world):
    with app.app_context():  # a second member of union A1 with the same name as member_a1b
        factories.user("Vàng Thị Hai", "0911000099", "member", db.session.get(User, world.member_a1b).unit)
        db.session.commit()
    login(client, world.member_a1_phone)
    client.form("/initiatives/new", coauthored(submit_key=new_key(client)))
    client.form("/initiatives/new", complete(submit_key=new_key(client), author_share="50", **{
        "authors-0-full_name": "Người Ngoài Công Đoàn", "authors-0-share_percent": "50"}))
    with app.app_context():
        assert [a.user_id for a in db.session.scalars(select(InitiativeAuthor).order_by(InitiativeAuthor.id))] == [
            world.member_a1, None, world.member_a1, None]
    assert told(app) == []


def test_a_co_author_of_another_union_is_not_linked(app, client, world):
    login(client, world.member_a1_phone)
    client.form("/initiatives/new", complete(submit_key=new_key(client), author_share="50", **{
        "authors-0-full_name": "Giàng A Năm", "authors-0-share_percent": "50"}))  # member_b1's name, union B1
    assert told(app) == []


def test_entered_on_behalf_tells_the_member_once_at_the_first_submission(app, client, world):
    login(client, world.helper_a1_phone)
    client.form("/initiatives/new", complete(submit_key=new_key(client), author_id=str(world.member_a1)))
    with app.app_context():
        item = db.session.scalar(select(Initiative))
        assert (item.author_id, item.entered_by_id, item.status) == (world.member_a1, world.helper_a1,
                                                                     Status.SUBMITTED)
    title = "Cải tiến quy trình tiếp đón bệnh nhân tại khoa Khám bệnh"
    assert told(app) == [(world.member_a1, "entered_on_behalf", {"title": title, "by": "Tòng Văn Ba"},
                          f"/initiatives/{item.id}")]
    # Returned, then sent again by the helper: the member hears of the return, not of a second entry.
    reviewer = app.test_client()
    login(reviewer, world.reviewer_p_phone)
    decide(app, reviewer, item.id, decision="return", return_reason="missing_effect", message="Bổ sung.")
    client.form(f"/initiatives/{item.id}/edit", complete(author_id=str(world.member_a1)))
    with app.app_context():
        assert db.session.get(Initiative, item.id).status == Status.SUBMITTED
    assert [kind for _, kind, _, _ in told(app)] == ["entered_on_behalf", "returned"]


def test_a_member_submitting_their_own_is_not_entered_on_behalf(app, client, world):
    login(client, world.member_a1_phone)
    client.form("/initiatives/new", complete(submit_key=new_key(client)))
    with app.app_context():
        assert db.session.scalar(select(Initiative)).status == Status.SUBMITTED
    assert told(app) == []


def test_a_helpers_draft_tells_nobody_until_it_is_submitted(app, client, world):
    login(client, world.helper_a1_phone)
    client.form("/initiatives/new", complete(submit_key=new_key(client), author_id=str(world.member_a1),
                                             action="draft"))
    assert told(app) == []
