"""The policy module: scopes, conflicts of interest, who may edit what."""
from __future__ import annotations

import pytest

from app import policy
from app.extensions import db
from app.models import Status, Unit, User

from . import factories


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def _u(user_id):
    return db.session.get(User, user_id)


def test_member_cannot_see_another_unions_initiative(ctx, world):
    mine = factories.initiative(world.campaign, _u(world.member_a1))
    theirs = factories.initiative(world.campaign, _u(world.member_b1))
    member = _u(world.member_a1)
    assert policy.can_view_initiative(member, mine)
    assert not policy.can_view_initiative(member, theirs)
    # Not even a colleague's draft in the same union.
    assert not policy.can_view_initiative(_u(world.member_a1b), mine)


def test_helper_sees_and_edits_own_union_only(ctx, world):
    item = factories.initiative(world.campaign, _u(world.member_a1))
    other = factories.initiative(world.campaign, _u(world.member_b1))
    helper = _u(world.helper_a1)
    assert policy.can_view_initiative(helper, item) and policy.can_edit_initiative(helper, item)
    assert not policy.can_view_initiative(helper, other)


def test_staff_see_submitted_initiatives_in_their_subtree_only(ctx, world):
    item = factories.initiative(world.campaign, _u(world.member_b1))
    reviewer_a, reviewer_p = _u(world.reviewer_a), _u(world.reviewer_p2)
    assert not policy.can_view_initiative(reviewer_p, item)  # drafts stay private
    item.status = Status.SUBMITTED
    assert policy.can_view_initiative(reviewer_p, item)
    assert not policy.can_view_initiative(reviewer_a, item)  # district A reviewer, item in district B


def test_reviewer_conflict_of_interest(ctx, world):
    reviewer = _u(world.reviewer_p)  # belongs to union B1
    own_union = factories.initiative(world.campaign, _u(world.member_b1))
    own_union.status = Status.SUBMITTED
    elsewhere = factories.initiative(world.campaign, _u(world.member_a1))
    elsewhere.status = Status.SUBMITTED
    authored = factories.initiative(world.campaign, reviewer, unit_id=world.union_a1)
    authored.status = Status.SUBMITTED
    assert not policy.can_review(reviewer, own_union)
    assert not policy.can_review(reviewer, authored)
    assert policy.can_review(reviewer, elsewhere)
    assert not policy.can_review(_u(world.member_a1b), elsewhere)


def test_edit_only_while_draft_or_returned(ctx, world):
    item = factories.initiative(world.campaign, _u(world.member_a1))
    author = _u(world.member_a1)
    for status, editable in ((Status.DRAFT, True), (Status.RETURNED, True), (Status.SUBMITTED, False),
                             (Status.VALID, False)):
        item.status = status
        assert policy.can_edit_initiative(author, item) is editable


def test_organizer_scope(ctx, world):
    organizer_a = _u(world.organizer_a)
    assert policy.can_manage_unit(organizer_a, db.session.get(Unit, world.union_a1))
    assert not policy.can_manage_unit(organizer_a, db.session.get(Unit, world.union_b1))
    assert not policy.can_manage_unit(organizer_a, db.session.get(Unit, world.province))
    assert policy.can_manage_unit(_u(world.admin), db.session.get(Unit, world.union_b1))
    assert not policy.can_manage_unit(_u(world.reviewer_p), db.session.get(Unit, world.union_b1))
