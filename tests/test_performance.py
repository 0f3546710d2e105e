"""Issue 13, the read path: constant-time queue steps, ranked and paginated lists, bounded query counts, cheap
unchanged polls, cacheable public pages and static files compressed once."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import event, insert, select, text

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
