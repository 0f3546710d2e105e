"""Typed SQLAlchemy 2.0 models. Business rules live in ``app/domain``; these are the tables."""
from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from . import clock
from .extensions import db

if TYPE_CHECKING:
    from .extensions import Base as Model  # what db.Model is built on, spelled so the type checker can follow
else:
    Model = db.Model


def utcnow() -> datetime:
    """Now, as stored (naive UTC), from the platform's clock (app/clock.py: real time or the demo clock)."""
    return clock.utcnow()


class UnitKind:
    PROVINCE = "province"
    DISTRICT = "district"
    SECTOR = "sector"
    CIVIL_SERVANTS = "civil_servants"
    GRASSROOTS = "grassroots"
    COLLECTIVE = "collective"
    ALL = (PROVINCE, DISTRICT, SECTOR, CIVIL_SERVANTS, GRASSROOTS, COLLECTIVE)


def path_ids(path: str) -> list[int]:
    """Unit ids along a materialised path, root first: "/1/4/17/" → [1, 4, 17]."""
    return [int(part) for part in path.strip("/").split("/") if part]


class Unit(Model):
    """A node of the union tree. ``path`` ("/1/4/17/") makes a subtree one indexed prefix query."""

    __tablename__ = "units"
    __table_args__ = (
        Index("ix_units_path_prefix", "path", postgresql_ops={"path": "varchar_pattern_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_folded: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    path: Mapped[str] = mapped_column(String(255), default="")
    depth: Mapped[int] = mapped_column(Integer, default=0)
    member_count: Mapped[int | None] = mapped_column(Integer)
    # The leader in charge (lãnh đạo phụ trách) and the staff adviser (cán bộ tham mưu): they receive the unit's
    # digest and alerts, and the giao ban report names them beside a unit behind pace.
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", use_alter=True, name="fk_units_leader_id"))
    adviser_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", use_alter=True, name="fk_units_adviser_id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    leader: Mapped[User | None] = relationship(foreign_keys=[leader_id])
    adviser: Mapped[User | None] = relationship(foreign_keys=[adviser_id])
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.name")

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to and including this unit."""
        return path_ids(self.path)

    def contains(self, other: Unit | None) -> bool:
        return other is not None and other.path.startswith(self.path)

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"<Unit {self.code} {self.name}>"


class Role:
    MEMBER = "member"
    HELPER = "helper"
    REVIEWER = "reviewer"
    ORGANIZER = "organizer"
    ADMIN = "admin"
    ALL = (MEMBER, HELPER, REVIEWER, ORGANIZER, ADMIN)


class User(UserMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.MEMBER)
    # The grassroots union the person belongs to (conflict of interest is judged on it).
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    # The subtree a reviewer or organizer works on; members and helpers work on their own union.
    scope_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    position: Mapped[str | None] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of the session id: rotating it on logout ends every session of this account for real.
    session_token: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # One-time code the support team hands to a member whose account it created, to prove the member is who
    # registers for it: only a hash is kept, with an expiry and a count of wrong tries.
    claim_code_hash: Mapped[str | None] = mapped_column(String(255))
    claim_code_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    claim_code_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The channels the person chose for notifications besides the in-app inbox, which everyone has.
    notify_email: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    notify_sms: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

    unit: Mapped[Unit | None] = relationship(foreign_keys=[unit_id])
    scope_unit: Mapped[Unit | None] = relationship(foreign_keys=[scope_unit_id])

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return self.password_hash is not None and check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def rotate_session_token(self) -> None:
        self.session_token = secrets.token_hex(16)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def scope(self) -> Unit | None:
        """The top of the subtree this user works on: None for an admin (everything, whatever their home unit).

        What a user may reach is decided in app/policy.py (``reach``), which also covers staff with no unit.
        """
        if self.role == Role.ADMIN:
            return None
        if self.role in (Role.REVIEWER, Role.ORGANIZER):
            return self.scope_unit or self.unit
        return self.unit

    @property
    def login_name(self) -> str:
        return self.phone or self.email or ""


class Programme(Model):
    """A national programme ("01 triệu sáng kiến", phase 1): the campaigns of every province run inside it, and its
    eligibility rules apply to all of them."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class EligibilityRule(Model):
    """One condition an initiative must meet to count: set by a programme (for all its campaigns) or by one campaign.

    ``kind`` "applied_window": first applied between ``date_from`` and ``date_to`` (either may be open);
    ``kind`` "evidence": a document or confirmation the author declares (e.g. the head of unit's confirmation),
    which reviewers check.
    """

    __tablename__ = "eligibility_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    label: Mapped[str] = mapped_column(String(300))
    explanation: Mapped[str] = mapped_column(Text, default="")
    date_from: Mapped[date | None] = mapped_column(Date)
    date_to: Mapped[date | None] = mapped_column(Date)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Campaign(Model):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The programme the campaign runs inside (its eligibility rules apply); None for a stand-alone campaign.
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    goal: Mapped[int] = mapped_column(Integer)
    # The federation running the campaign; its subtree takes part.
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    ranking_frozen_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The ranking as it stood when frozen: shown publicly until the freeze is lifted.
    ranking_snapshot: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()
    programme: Mapped[Programme | None] = relationship()


class Period(Model):
    """A peak week or month (Tuần/Tháng cao điểm) a unit runs inside a campaign: a *window* over the campaign's
    initiatives (the unit's subtree × a date range × its own goal), never a second home for them. The counting rule
    is ``domain.periods.COUNTING_RULE``; the figures come from ``CohortTally``."""

    __tablename__ = "periods"
    __table_args__ = (Index("ix_periods_campaign_dates", "campaign_id", "start_date", "end_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="week")  # week | month | other
    description: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    goal: Mapped[int] = mapped_column(Integer)
    # What the goal counts: "valid" initiatives (quality, the default) or "submitted" ones.
    measure: Mapped[str] = mapped_column(String(20), default="valid")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The final ranking, kept when the organizer closes the period after its end: the archive shows it.
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    final_snapshot: Mapped[dict | None] = mapped_column(JSON)

    campaign: Mapped[Campaign] = relationship()
    unit: Mapped[Unit] = relationship()


class AppSetting(Model):
    """A platform-wide setting kept with the data (e.g. ``demo_date``: the demo clock of a seeded database)."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(500))


class Target(Model):
    """The number of valid initiatives (chỉ tiêu) a unit is asked for in a campaign."""

    __tablename__ = "targets"
    __table_args__ = (UniqueConstraint("campaign_id", "unit_id", name="uq_targets_campaign_unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    count: Mapped[int] = mapped_column(Integer)

    campaign: Mapped[Campaign] = relationship()
    unit: Mapped[Unit] = relationship()


class Status:
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    VALID = "valid"
    INVALID = "invalid"
    WITHDRAWN = "withdrawn"
    SHORTLISTED = "shortlisted"
    AWARDED = "awarded"
    ALL = (DRAFT, SUBMITTED, RETURNED, VALID, INVALID, WITHDRAWN, SHORTLISTED, AWARDED)


class Initiative(Model):
    __tablename__ = "initiatives"
    __table_args__ = (
        # The review queue's order, ending in the id: finding the item after (submitted_at, id) is one index step.
        Index("ix_initiatives_queue", "campaign_id", "status", "submitted_at", "id"),
        # What support teams entered on members' behalf (review statistics: ``entered_by_id != author_id``), a
        # small share of the campaign. SQLite's planner takes the partial index; PostgreSQL's the index on the
        # expression, whose statistics tell it how rare that is (with the partial one alone it scans the table).
        # Both exist on both databases, so that the migrations equal the models everywhere.
        Index("ix_initiatives_entered_for_others", "campaign_id", "entered_by_id",
              sqlite_where=text("entered_by_id <> author_id"), postgresql_where=text("entered_by_id <> author_id")),
        Index("ix_initiatives_entered_for_others_expr", text("(entered_by_id <> author_id)"), "campaign_id",
              "entered_by_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    # The grassroots union the initiative is counted for.
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    field: Mapped[str] = mapped_column(String(30), default="")
    current_situation: Mapped[str] = mapped_column(Text, default="")
    solution: Mapped[str] = mapped_column(Text, default="")
    application_scope: Mapped[str] = mapped_column(Text, default="")
    applied_since: Mapped[date | None] = mapped_column(Date)
    effectiveness: Mapped[str] = mapped_column(Text, default="")
    estimated_value: Mapped[int | None] = mapped_column(BigInteger)
    # Lower case, no diacritics, đ→d: what search and duplicate detection compare.
    title_folded: Mapped[str] = mapped_column(String(300), default="")
    text_folded: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=Status.DRAFT)
    # Invalid reason or return reason code (catalog.INVALID_REASONS / RETURN_REASONS).
    decision_reason: Mapped[str | None] = mapped_column(String(30))
    decision_message: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # One-time key from the form: a retried or double-clicked submit finds the row it already made.
    submit_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    first_submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Ids of the eligibility rules of kind "evidence" the author declares met (domain.eligibility).
    evidence_declared: Mapped[list | None] = mapped_column(JSON)

    campaign: Mapped[Campaign] = relationship()
    unit: Mapped[Unit] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    entered_by: Mapped[User] = relationship(foreign_keys=[entered_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    authors: Mapped[list[InitiativeAuthor]] = relationship(
        back_populates="initiative", cascade="all, delete-orphan", order_by="InitiativeAuthor.position_order")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="initiative", cascade="all, delete-orphan", order_by="Attachment.id")
    events: Mapped[list[StatusEvent]] = relationship(
        back_populates="initiative", cascade="all, delete-orphan", order_by="StatusEvent.id")
    # Every submitted version, oldest first (written once by the submission, never through this list).
    revisions: Mapped[list[InitiativeRevision]] = relationship(viewonly=True, order_by="InitiativeRevision.number")

    # Optimistic locking: every UPDATE checks and bumps the version.
    __mapper_args__ = {"version_id_col": version}


class InitiativeAuthor(Model):
    """A co-author: a person (with position and share %) or a collective (tổ, đội, phòng)."""

    __tablename__ = "initiative_authors"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), index=True)
    position_order: Mapped[int] = mapped_column(Integer, default=0)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    collective_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    full_name: Mapped[str] = mapped_column(String(200))
    job_title: Mapped[str] = mapped_column(String(120), default="")
    share_percent: Mapped[int] = mapped_column(Integer, default=0)

    initiative: Mapped[Initiative] = relationship(back_populates="authors")
    user: Mapped[User | None] = relationship()
    collective_unit: Mapped[Unit | None] = relationship()

    @property
    def is_collective(self) -> bool:
        return self.collective_unit_id is not None


class Attachment(Model):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    has_thumbnail: Mapped[bool] = mapped_column(Boolean, default=False)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    initiative: Mapped[Initiative] = relationship(back_populates="attachments")


class StatusEvent(Model):
    """Audit log: one row per workflow transition."""

    __tablename__ = "status_events"
    # A reviewer's decisions since a time (review statistics): one index range.
    __table_args__ = (Index("ix_status_events_actor_created", "actor_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason_code: Mapped[str | None] = mapped_column(String(30))
    message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    initiative: Mapped[Initiative] = relationship(back_populates="events")
    actor: Mapped[User] = relationship()


class Tally(Model):
    """Per (campaign, unit) counters over the unit's whole subtree, kept by the workflow module; a unit's
    counters are the sum of its rows (one per slot: see ``domain.tallies.slot_of``)."""

    __tablename__ = "tallies"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True, index=True)
    # The top units' counters are spread over several rows (domain.tallies.slot_of): no row every write locks.
    slot: Mapped[int] = mapped_column(Integer, primary_key=True, default=0, server_default="0")
    pending: Mapped[int] = mapped_column(Integer, default=0)
    returned: Mapped[int] = mapped_column(Integer, default=0)
    valid: Mapped[int] = mapped_column(Integer, default=0)
    invalid: Mapped[int] = mapped_column(Integer, default=0)
    # When the valid count last rose: "who reached it first" breaks ranking ties.
    last_valid_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship()

    # The counters, one per bucket of app/domain/tallies.py (BUCKETS); drafts and withdrawn initiatives have none.
    COUNTERS = ("pending", "returned", "valid", "invalid")

    @staticmethod
    def submitted_of(counts: Any) -> int:
        """"Submitted" (DESIGN §6): ever left draft and not withdrawn, i.e. the sum of every counter. ``counts`` is
        anything carrying the counters: a ``Tally``, a rank row, or the ``Tally`` class itself (an SQL expression).
        Used through ``domain.tallies.submitted``."""
        return sum(getattr(counts, name) for name in Tally.COUNTERS)

    @hybrid_property
    def submitted(self) -> int:
        return Tally.submitted_of(self)


class InitiativeRevision(Model):
    """The content as it was each time it was submitted: the revision loop keeps every version."""

    __tablename__ = "initiative_revisions"
    __table_args__ = (UniqueConstraint("initiative_id", "number", name="uq_initiative_revisions_initiative_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"))
    number: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class InitiativeBand(Model):
    """MinHash LSH band hashes of an initiative's text: equal bands find near-duplicates by index look-up."""

    __tablename__ = "initiative_bands"

    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), primary_key=True)
    band: Mapped[int] = mapped_column(Integer, primary_key=True)
    band_hash: Mapped[int] = mapped_column(BigInteger, index=True)


class DuplicateCandidate(Model):
    """A likely duplicate found at submit time (``candidate`` was there first), with its Jaccard similarity."""

    __tablename__ = "duplicate_candidates"

    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), primary_key=True, index=True)
    similarity: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    candidate: Mapped[Initiative] = relationship(foreign_keys=[candidate_id])
    initiative: Mapped[Initiative] = relationship(foreign_keys=[initiative_id])


class RubricCriterion(Model):
    """One line of a campaign's scoring rubric (default: novelty 30, effectiveness 40, applicability 30)."""

    __tablename__ = "rubric_criteria"
    __table_args__ = (UniqueConstraint("campaign_id", "code", name="uq_rubric_criteria_campaign_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    code: Mapped[str] = mapped_column(String(30))
    label: Mapped[str] = mapped_column(String(200))
    max_points: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Score(Model):
    """One reviewer's rubric score of a valid initiative."""

    __tablename__ = "scores"
    __table_args__ = (UniqueConstraint("initiative_id", "reviewer_id", name="uq_scores_initiative_reviewer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    points: Mapped[dict] = mapped_column(JSON)
    total: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    reviewer: Mapped[User] = relationship()


class ReviewTemplate(Model):
    """Editable message templates reviewers pick when returning an initiative for revision."""

    __tablename__ = "review_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    reason_code: Mapped[str] = mapped_column(String(30))
    body: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    created_by: Mapped[User | None] = relationship()


class DailyTally(Model):
    """Net change of the counters per (campaign, unit, local day): the progress chart and weekly report."""

    __tablename__ = "daily_tallies"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True, default=0, server_default="0")
    submitted: Mapped[int] = mapped_column(Integer, default=0)
    valid: Mapped[int] = mapped_column(Integer, default=0)


class CohortTally(Model):
    """Counters of the initiatives *first submitted* on one local day, per (campaign, unit, day, field), rolled up
    to every ancestor like ``Tally``, and kept in the same transaction as each transition.

    A period's figures are the sum of its window's days for its unit (``domain.periods``); the breakdown by field
    (khối) is the sum over all days. Summed over days and fields they equal the unit's ``Tally``.
    """

    __tablename__ = "cohort_tallies"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    field: Mapped[str] = mapped_column(String(30), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True, default=0, server_default="0")
    pending: Mapped[int] = mapped_column(Integer, default=0)
    returned: Mapped[int] = mapped_column(Integer, default=0)
    valid: Mapped[int] = mapped_column(Integer, default=0)
    invalid: Mapped[int] = mapped_column(Integer, default=0)
    last_valid_at: Mapped[datetime | None] = mapped_column(DateTime)

    @hybrid_property
    def submitted(self) -> int:
        return Tally.submitted_of(self)


class ShortlistNote(Model):
    """The organizers' note on a shortlisted initiative."""

    __tablename__ = "shortlist_notes"

    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), primary_key=True)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class PairwiseRound(Model):
    """A judging round: judges pick the better of two shortlisted initiatives; Bradley–Terry ranks them."""

    __tablename__ = "pairwise_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    name: Mapped[str] = mapped_column(String(200))
    initiative_ids: Mapped[list] = mapped_column(JSON)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()


class PairwiseVote(Model):
    __tablename__ = "pairwise_votes"
    __table_args__ = (UniqueConstraint("round_id", "judge_id", "first_id", "second_id",
                                       name="uq_pairwise_votes_round_judge_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("pairwise_rounds.id"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The pair in id order (first_id < second_id), so a judge sees each pair once.
    first_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"))
    second_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"))
    winner_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AwardLevel(Model):
    """A form of commendation (Bằng khen, Giấy khen…) with its issuer and quota in a campaign."""

    __tablename__ = "award_levels"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    name: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(200))
    quota: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Award(Model):
    """One recipient of one commendation: an author (individual) or a collective. Revoked, never deleted."""

    __tablename__ = "awards"

    id: Mapped[int] = mapped_column(primary_key=True)
    level_id: Mapped[int] = mapped_column(ForeignKey("award_levels.id"), index=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), index=True)
    recipient_kind: Mapped[str] = mapped_column(String(20))  # individual | collective
    recipient_name: Mapped[str] = mapped_column(String(200))
    recipient_title: Mapped[str] = mapped_column(String(200), default="")
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    collective_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    unit_name: Mapped[str] = mapped_column(String(200))
    decision_number: Mapped[str] = mapped_column(String(60))
    decision_date: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    level: Mapped[AwardLevel] = relationship()
    initiative: Mapped[Initiative] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])


class Feature(Model):
    """A featured initiative in the public gallery, with the organizers' short story."""

    __tablename__ = "features"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), unique=True)
    story: Mapped[str] = mapped_column(Text)
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    initiative: Mapped[Initiative] = relationship()


class SecondCheck(Model):
    """A second reviewer's look at a sampled invalid decision: confirmed, or reopened for review."""

    __tablename__ = "second_checks"

    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), primary_key=True)
    checker_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str] = mapped_column(String(20))  # confirmed | reopened
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Notification(Model):
    """One thing a person is told (the in-app inbox), written in the same transaction as the event it reports.

    The text is not stored: ``kind`` and ``params`` are rendered in the reader's language (domain.notices).
    ``dedupe_key`` makes an event notify once: a scheduled job run twice, or a retried request, finds its row.
    """

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    # Where the reader acts on it (a path inside the platform), "" when there is nothing to open.
    link: Mapped[str] = mapped_column(String(300), default="")
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiatives.id"), index=True)
    obstacle_id: Mapped[int | None] = mapped_column(ForeignKey("obstacles.id"), index=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()
    initiative: Mapped[Initiative | None] = relationship()


class DeliveryStatus:
    PENDING = "pending"    # waiting for the worker (first try, or a retry after ``next_attempt_at``)
    SENDING = "sending"    # claimed by a worker until ``claimed_until``; a worker that died lets it go back
    SENT = "sent"
    FAILED = "failed"      # gave up after the last retry
    ALL = (PENDING, SENDING, SENT, FAILED)


class Delivery(Model):
    """The outbox: one notification to be carried over one channel (e-mail, SMS), at most once.

    Written with the notification, in the event's transaction; the job-queue worker claims, sends and marks it.
    (notification, channel) is unique: it is the idempotency key the channels pass on (e-mail Message-ID,
    the SMS gateway's request id).
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("notification_id", "channel", name="uq_deliveries_notification_channel"),
        Index("ix_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id"))
    channel: Mapped[str] = mapped_column(String(20))  # email | sms
    address: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(20), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    notification: Mapped[Notification] = relationship()


class OutboxMessage(Model):
    """A message the development channel "sent": with no SMTP server or SMS gateway configured, e-mail and SMS
    land here (the outbox page) instead of leaving the machine. One per delivery."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id"), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ObstacleStatus:
    OPEN = "open"          # raised, waiting for the unit above
    ANSWERED = "answered"  # the unit above answered; the raiser confirms or asks again
    RESOLVED = "resolved"
    ALL = (OPEN, ANSWERED, RESOLVED)


class Obstacle(Model):
    """A difficulty (vướng mắc) a grassroots union or its support team raises; the unit above answers it."""

    __tablename__ = "obstacles"
    __table_args__ = (Index("ix_obstacles_answer_unit_status", "answer_unit_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    # The unit that has the difficulty, and the unit above that must answer it.
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    answer_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Who in the unit above takes care of it (by default its leader in charge).
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=ObstacleStatus.OPEN)
    due_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)

    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    answer_unit: Mapped[Unit] = relationship(foreign_keys=[answer_unit_id])
    raised_by: Mapped[User] = relationship(foreign_keys=[raised_by_id])
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    replies: Mapped[list[ObstacleReply]] = relationship(
        back_populates="obstacle", cascade="all, delete-orphan", order_by="ObstacleReply.id")


class ObstacleReply(Model):
    """One message in an obstacle's thread: the answer from above, or the raiser's follow-up."""

    __tablename__ = "obstacle_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    obstacle_id: Mapped[int] = mapped_column(ForeignKey("obstacles.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    obstacle: Mapped[Obstacle] = relationship(back_populates="replies")
    author: Mapped[User] = relationship()
