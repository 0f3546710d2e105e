"""The unit tree: creating nodes with their materialised path, and subtree queries."""
from __future__ import annotations

from sqlalchemy import Select, select

from ..extensions import db
from ..models import Unit, UnitKind
from .text import fold, nfc


def create_unit(name: str, code: str, kind: str, parent: Unit | None = None,
                member_count: int | None = None) -> Unit:
    """Add a unit under ``parent``; the path needs the new id, hence the flush."""
    if kind not in UnitKind.ALL:
        raise ValueError(f"unknown unit kind {kind!r}")
    unit = Unit(name=nfc(name), name_folded=fold(name), code=code.strip(), kind=kind, parent=parent,
                member_count=member_count, depth=(parent.depth + 1) if parent else 0)
    db.session.add(unit)
    db.session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    return unit


def root() -> Unit | None:
    """The top of the tree (the federation running the platform)."""
    return db.session.scalar(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id).limit(1))


def subtree_filter(scope: Unit):
    """A WHERE clause matching ``scope`` and all its descendants, as an index range on ``path``.

    SQLite's LIKE ignores case and so cannot use the index; GLOB is case-sensitive and can (paths hold
    only digits and slashes, nothing GLOB would read as a pattern). PostgreSQL uses LIKE with the
    varchar_pattern_ops index.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        return Unit.path.op("GLOB")(scope.path + "*")
    return Unit.path.startswith(scope.path, autoescape=True)


def subtree_ids_select(scope: Unit) -> Select:
    return select(Unit.id).where(subtree_filter(scope))


def search_grassroots(query: str, limit: int = 20, within: Unit | None = None) -> list[Unit]:
    """Grassroots unions whose name contains every folded word of ``query``."""
    stmt = select(Unit).where(Unit.kind == UnitKind.GRASSROOTS)
    for word in fold(query).split():
        stmt = stmt.where(Unit.name_folded.contains(word, autoescape=True))
    if within is not None:
        stmt = stmt.where(subtree_filter(within))
    return list(db.session.scalars(stmt.order_by(Unit.name).limit(limit)))


def ancestors(unit: Unit) -> list[Unit]:
    """From the root down to the unit's parent."""
    ids = unit.ancestor_ids[:-1]
    if not ids:
        return []
    by_id = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(ids)))}
    return [by_id[i] for i in ids if i in by_id]
