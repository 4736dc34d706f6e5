"""All stored rows, as typed SQLAlchemy 2.0 models (DESIGN.md section 3).

The schema itself is created by the Alembic migrations in ``migrations/``; a test checks that the
migrations and these models agree.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: valid_from of a unit whose start lies before our records ("open" in the data files)
OPEN_START = dt.date(1900, 1, 1)

QUALIFIERS = ("exact", "approx", "at_least", "at_most")
KINDS = ("flow", "stock", "level", "ratio")
LEVELS = ("province", "agencies", "district", "commune")
SOURCE_KINDS = ("excel", "report_text", "csv", "demo")
#: what the partial indexes over current figures carry besides their keys (PostgreSQL)
OBSERVATION_COVERED = ["value", "qualifier", "batch_id"]


class ExactDecimal(TypeDecorator[Decimal]):
    """An exact decimal: NUMERIC(24, 6) on PostgreSQL. On SQLite the value goes in as its text
    and comes back through ``str``; the column's NUMERIC affinity keeps a whole number as an exact
    64-bit integer and a fraction as a binary float of 15 significant digits, which reads back
    as the same decimal. Both are exact for every figure :func:`kpi.numbers.storable` admits, and
    the store refuses the others."""

    impl = Numeric(24, 6)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(40))
        return dialect.type_descriptor(Numeric(24, 6))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        return str(Decimal(value)) if dialect.name == "sqlite" else Decimal(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return value if isinstance(value, Decimal) else Decimal(str(value))


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class IndicatorGroup(Base):
    __tablename__ = "indicator_group"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    order: Mapped[int] = mapped_column(Integer)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))


class Indicator(Base):
    __tablename__ = "indicator"
    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    group_code: Mapped[str] = mapped_column(ForeignKey("indicator_group.code"))
    order: Mapped[int] = mapped_column(Integer)
    name_vi: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    unit_vi: Mapped[str] = mapped_column(String(60))
    unit_en: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(10))
    direction: Mapped[str] = mapped_column(String(10))
    decimals: Mapped[int] = mapped_column(Integer)
    percent: Mapped[bool] = mapped_column(Boolean, default=False)
    key: Mapped[bool] = mapped_column(Boolean, default=False)
    levels: Mapped[list[str]] = mapped_column(JSON)
    formula: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    numerator: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    denominator: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    definition_vi: Mapped[str] = mapped_column(Text)
    definition_en: Mapped[str] = mapped_column(Text)
    definition_version: Mapped[str] = mapped_column(String(60))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Unit(Base):
    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("code", "valid_from", name="uq_unit_code_valid_from"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(12), index=True)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    type: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(10))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), nullable=True)


class UnitLineage(Base):
    __tablename__ = "unit_lineage"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    predecessor_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), nullable=True)
    relation: Mapped[str] = mapped_column(String(20))
    date: Mapped[dt.date] = mapped_column(Date)
    legal_act: Mapped[str] = mapped_column(String(60))


class ImportBatch(Base):
    __tablename__ = "import_batch"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_kind: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str | None] = mapped_column(String(300), nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    template_version: Mapped[str | None] = mapped_column(String(20), nullable=True)
    period: Mapped[str | None] = mapped_column(String(7), nullable=True)
    user: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="committed")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    revised: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rolled_back_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    rolled_back_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: a narrative report's own number and date ("198/BC-STTTT", 2019-03-14)
    report_number: Mapped[str | None] = mapped_column(String(60), nullable=True)
    report_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class Observation(Base):
    """One figure. Exactly one row per (indicator, unit, period) is current; a revision
    supersedes the current row (which stays, with its batch) instead of overwriting it."""

    __tablename__ = "observation"
    __table_args__ = (
        # The dashboard's reads, from the index alone on PostgreSQL (partial over the current
        # rows, covering what is read); SQLite has no INCLUDE and gets the same keys. Queries
        # say ``is_current = 1`` (``CURRENT`` and ``FORMER`` below), the form SQLite matches.
        Index(
            "uq_observation_current",
            "indicator_code",
            "unit_id",
            "period",
            unique=True,
            sqlite_where=text("is_current = 1"),
            postgresql_where=text("is_current"),
            postgresql_include=OBSERVATION_COVERED,
        ),
        Index(
            "ix_observation_current_unit",
            "unit_id",
            "indicator_code",
            "period",
            sqlite_where=text("is_current = 1"),
            postgresql_where=text("is_current"),
            postgresql_include=OBSERVATION_COVERED,
        ),
        # The quarters with figures, read by skipping from one quarter to the next
        # (``kpi.queries.periods_with_data``), never by reading every figure.
        Index(
            "ix_observation_current_period",
            "period",
            sqlite_where=text("is_current = 1"),
            postgresql_where=text("is_current"),
        ),
        # The values a figure had before its current one, by figure and age: history and
        # ``--history`` read them beside the current row (``kpi.queries.figure_sources``). Only
        # the revised rows (1 % at national scale), so that a bulk load does not sort every row
        # a third time.
        Index(
            "ix_observation_history",
            "indicator_code",
            "unit_id",
            "period",
            "id",
            sqlite_where=text("is_current = 0"),
            postgresql_where=text("NOT is_current"),
        ),
        # The rows of a batch (a batch's figures, a rollback), and the rows a rollback brings
        # back: only revised rows name a later batch, so only they are in the second index.
        Index("ix_observation_batch_id", "batch_id"),
        Index(
            "ix_observation_superseded_by_batch_id",
            "superseded_by_batch_id",
            sqlite_where=text("superseded_by_batch_id IS NOT NULL"),
            postgresql_where=text("superseded_by_batch_id IS NOT NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicator.code"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    period: Mapped[str] = mapped_column(String(7))
    value: Mapped[Decimal] = mapped_column(ExactDecimal())
    qualifier: Mapped[str] = mapped_column(String(10), default="exact")
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"))
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    superseded_by_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batch.id"), nullable=True
    )
    source_sheet: Mapped[str | None] = mapped_column(String(100), nullable=True)
    source_cell: Mapped[str | None] = mapped_column(String(20), nullable=True)
    source_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: a report's line as the reader read it (legacy fonts converted, OCR as decoded)
    source_read: Mapped[str | None] = mapped_column(Text, nullable=True)


#: The current rows and the revised (former) ones, as every query says them: ``is_current = 1``
#: / ``= 0`` on SQLite and ``is_current`` / ``NOT is_current`` on PostgreSQL, the forms the partial
#: indexes are matched to (SQLAlchemy's ``is_(True)`` writes ``IS 1`` on SQLite, which is not).
CURRENT = Observation.is_current == true()
FORMER = Observation.is_current == false()


class Target(Base):
    __tablename__ = "target"
    __table_args__ = (
        UniqueConstraint("indicator_code", "unit_id", "year", "quarter", name="uq_target_key"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicator.code"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer, default=0)  # 0 = the whole year
    value: Mapped[Decimal] = mapped_column(ExactDecimal())
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditEvent(Base):
    """Who did what, when, from where. Append-only: no code path updates or deletes a row, and
    database triggers (migration 0002) refuse an UPDATE or DELETE on SQLite and PostgreSQL."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    address: Mapped[str | None] = mapped_column(String(64), nullable=True)
    outcome: Mapped[str] = mapped_column(String(10), default="ok")  # ok | refused | failed


class AppUser(Base):
    """An account. ``scope`` lists unit codes: the province (all units) or districts."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(10))
    scope: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    password_changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class UserSession(Base):
    """A login: the cookie carries only this row's signed id, so logout and revocation end it
    at the next click everywhere, and a copied cookie stops working once the row has ended."""

    __tablename__ = "user_session"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    address: Mapped[str | None] = mapped_column(String(64), nullable=True)


class LoginAttempt(Base):
    """Every password check, for the growing delay and the lock (keyed by user and address)."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_key", "user_name", "address", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    success: Mapped[bool] = mapped_column(Boolean)


class DataState(Base):
    """A single row whose version goes up with every change of figures. Cached query results
    are keyed by it, and every writer updates it first, which serialises writers."""

    __tablename__ = "data_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
