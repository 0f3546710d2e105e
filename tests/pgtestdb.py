"""Create the PostgreSQL test database if it is missing: ``python -m tests.pgtestdb URL``.

Exits 1 (with the reason on stderr) when the server cannot be reached, or when the name does not say it is a
test database (the suite empties the database it runs on).
"""
from __future__ import annotations

import sys

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from app.config import normalise_database_url


def ensure(url: str) -> None:
    target = make_url(normalise_database_url(url))
    name = target.database or ""
    if "test" not in name.lower():
        raise SystemExit(f"refusing {name!r}: a test database's name must contain 'test'")
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        server.dispose()


if __name__ == "__main__":
    try:
        ensure(sys.argv[1])
    except OperationalError as error:
        print(f"PostgreSQL unreachable: {error.orig}", file=sys.stderr)
        sys.exit(1)
