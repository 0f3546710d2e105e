"""Counting the SQL statements a request runs (deterministic, unlike timings): ``with counted(app) as n: ...``."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db


class Statements(list):
    """The statements run inside the ``with`` block; ``len()`` is the count."""


@contextmanager
def counted(app) -> Iterator[Statements]:
    seen = Statements()

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
