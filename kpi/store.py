"""Writing figures: batches, revisions that keep history, and rollback (DESIGN.md section 7).

Every change of figures goes through :func:`commit_figures` or :func:`rollback_batch`; both check
the actor's permission first (``kpi.access``) and take the writers' lock, so that two uploads of
the same quarter at the same moment are applied one after the other and neither is lost.
The functions take a session and never commit on their own: the caller's transaction makes the
whole file land, or nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, insert, select, update
from sqlalchemy.orm import Session

from kpi import audit
from kpi.access import Actor, PermissionDenied, require, require_units
from kpi.db import bump_data_version
from kpi.models import CURRENT, DataState, ImportBatch, Observation, utcnow
from kpi.numbers import storable
from kpi.units import district_codes


@dataclass(frozen=True)
class Figure:
    """One figure to be stored, with where it came from."""

    indicator_code: str
    unit_id: int
    period: str
    value: Decimal
    qualifier: str = "exact"
    source_sheet: str | None = None
    source_cell: str | None = None
    source_text: str | None = None
    source_read: str | None = None

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.indicator_code, self.unit_id, self.period)


@dataclass(frozen=True)
class Change:
    figure: Figure
    status: str  # new | revised | unchanged
    old_value: Decimal | None = None
    old_qualifier: str | None = None
    old_batch_id: int | None = None


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for c in self.changes if c.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "inserted": self.count("new"),
            "revised": self.count("revised"),
            "unchanged": self.count("unchanged"),
        }


@dataclass(frozen=True)
class BatchInfo:
    source_kind: str  # excel | report_text | csv | demo
    file_name: str | None = None
    sha256: str | None = None
    template_version: str | None = None
    period: str | None = None
    is_demo: bool = False
    note: str | None = None
    report_number: str | None = None
    report_date: dt.date | None = None
    #: the same file again changes nothing (False: only when its figures are the same too, as a
    #: report confirmed again with other figures makes a revision batch)
    same_file_unchanged: bool = True


@dataclass(frozen=True)
class CommitResult:
    status: str  # imported | unchanged
    batch_id: int
    counts: dict[str, int]


class RollbackRefused(RuntimeError):
    def __init__(self, code: str, batch_id: int, details: Sequence[dict[str, Any]] = ()) -> None:
        super().__init__(f"{code}: batch {batch_id}")
        self.code = code  # unknown_batch | already_rolled_back | changed_later
        self.batch_id = batch_id
        self.details = list(details)


#: units per look-up of current rows (with an upload's indicators and quarters as the other lists)
_UNITS_PER_QUERY = 500


def _current_rows(
    session: Session, keys: Iterable[tuple[str, int, str]]
) -> dict[tuple[str, int, str], Observation]:
    """The current row of each key that has one."""
    wanted = set(keys)
    found: dict[tuple[str, int, str], Observation] = {}
    for stmt in current_rows_statements(wanted):
        for row in session.scalars(stmt):
            key = (row.indicator_code, row.unit_id, row.period)
            if key in wanted:
                found[key] = row
    return found


def current_rows_statements(keys: Iterable[tuple[str, int, str]]) -> list[Select[Any]]:
    """The reads of :func:`_current_rows`: by indicator, unit and quarter lists (the grid of an
    upload, searched in ``uq_observation_current`` by both databases), whose rows the caller
    keeps to the keys asked. A list of (indicator, unit, quarter) tuples made both planners walk
    a whole index of current rows instead."""
    keys = set(keys)
    codes = sorted({k[0] for k in keys})
    periods = sorted({k[2] for k in keys})
    unit_ids = sorted({k[1] for k in keys})
    return [
        select(Observation).where(
            CURRENT,
            Observation.indicator_code.in_(codes),
            Observation.unit_id.in_(unit_ids[i : i + _UNITS_PER_QUERY]),
            Observation.period.in_(periods),
        )
        for i in range(0, len(unit_ids), _UNITS_PER_QUERY)
    ]


def plan_changes(session: Session, figures: Sequence[Figure]) -> Plan:
    """What storing ``figures`` would change: new, revised (old -> new), unchanged."""
    current = _current_rows(session, [f.key for f in figures])
    plan = Plan()
    for fig in figures:
        row = current.get(fig.key)
        if row is None:
            plan.changes.append(Change(fig, "new"))
        elif Decimal(row.value) == fig.value and row.qualifier == fig.qualifier:
            plan.changes.append(Change(fig, "unchanged", row.value, row.qualifier, row.batch_id))
        else:
            plan.changes.append(Change(fig, "revised", row.value, row.qualifier, row.batch_id))
    return plan


def lock_writes(session: Session) -> None:
    """Wait for, then hold, the writers' lock until the transaction ends."""
    if session.get_bind().dialect.name == "sqlite":
        # A write as the first statement takes SQLite's write lock (others wait: busy_timeout).
        session.execute(
            update(DataState).where(DataState.id == 1).values(version=DataState.version)
        )
    else:
        session.execute(select(DataState.id).where(DataState.id == 1).with_for_update())


def find_committed_batch(session: Session, sha256: str) -> ImportBatch | None:
    return session.scalars(
        select(ImportBatch)
        .where(ImportBatch.sha256 == sha256, ImportBatch.status == "committed")
        .order_by(ImportBatch.id)
    ).first()


def check_write(
    session: Session, actor: Actor, action: str, unit_ids: Iterable[int], **detail: Any
) -> None:
    """The role and scope check of a write of figures, before anything is locked or written.
    A refusal is recorded in its own transaction (it survives the rollback of this one) and
    raised as PermissionDenied."""
    try:
        require(actor, action)
        ids = list(unit_ids)
        if ids and not actor.province_wide:
            require_units(actor, ids, district_codes(session))
    except PermissionDenied as exc:
        audit.record_refusal(audit.engine_of(session), actor, action, reason=str(exc), **detail)
        raise


def commit_figures(
    session: Session, actor: Actor, info: BatchInfo, figures: Sequence[Figure]
) -> CommitResult:
    """Store a whole file's figures as one batch (in the caller's transaction).

    The same file (same SHA-256) committed again changes nothing and answers with the earlier
    batch. Revised figures supersede the current ones, which stay in history.
    """
    check_write(
        session,
        actor,
        "import",
        {f.unit_id for f in figures},
        file=info.file_name,
        source=info.source_kind,
        period=info.period,
    )
    lock_writes(session)
    earlier = find_committed_batch(session, info.sha256) if info.sha256 else None
    if earlier is not None and info.same_file_unchanged:
        return CommitResult(
            "unchanged", earlier.id, {"inserted": 0, "revised": 0, "unchanged": len(figures)}
        )
    keys = [f.key for f in figures]
    if len(set(keys)) != len(keys):
        raise ValueError("the same figure is given twice in one batch")
    inexact = [f for f in figures if not storable(f.value)]
    if inexact:  # the readers refuse these with a message; nothing may store them changed
        raise ValueError(f"{len(inexact)} figures would not be kept exactly: {inexact[:3]}")
    plan = plan_changes(session, figures)  # after the lock: sees every earlier commit
    if earlier is not None and not plan.count("new") and not plan.count("revised"):
        return CommitResult("unchanged", earlier.id, plan.counts)  # the same file, same figures
    batch = ImportBatch(
        source_kind=info.source_kind,
        file_name=info.file_name,
        sha256=info.sha256,
        template_version=info.template_version,
        period=info.period,
        user=actor.name,
        is_demo=info.is_demo,
        note=info.note,
        report_number=info.report_number,
        report_date=info.report_date,
        status="committed",
        **plan.counts,
    )
    session.add(batch)
    session.flush()
    revised = [c for c in plan.changes if c.status == "revised"]
    current = _current_rows(session, [c.figure.key for c in revised])
    for change in revised:
        row = current[change.figure.key]
        row.is_current = False
        row.superseded_by_batch_id = batch.id
    session.flush()  # the old rows step aside before the new current rows arrive
    rows = [
        {
            "indicator_code": c.figure.indicator_code,
            "unit_id": c.figure.unit_id,
            "period": c.figure.period,
            "value": c.figure.value,
            "qualifier": c.figure.qualifier,
            "batch_id": batch.id,
            "is_current": True,
            "source_sheet": c.figure.source_sheet,
            "source_cell": c.figure.source_cell,
            "source_text": c.figure.source_text,
            "source_read": c.figure.source_read,
        }
        for c in plan.changes
        if c.status in ("new", "revised")
    ]
    if rows:
        _insert_observations(session, rows)
    if plan.count("new") or plan.count("revised"):
        bump_data_version(session)
    audit.record(
        session,
        actor,
        "import",
        batch=batch.id,
        file=info.file_name,
        source=info.source_kind,
        period=info.period,
        counts=plan.counts,
    )
    session.flush()
    return CommitResult("imported", batch.id, plan.counts)


#: the columns an import writes (all but the id and the later batch that supersedes a row), in
#: the order of :func:`_insert_observations`' COPY
_WRITTEN = tuple(
    c.name for c in Observation.__table__.columns if c.name not in ("id", "superseded_by_batch_id")
)


def _insert_observations(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert new current rows in the caller's transaction: on PostgreSQL one ``COPY`` (a
    quarter's 870 rows: 37 → 26 ms for the whole commit, against the driver's pipelined
    ``executemany``; the foreign-key checks, one per row and key, are 8 ms of what remains), on
    SQLite one ``executemany``. Never an ORM object per figure. The unique index over current
    rows and the foreign keys hold for ``COPY`` as for ``INSERT``."""
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        session.execute(insert(Observation), rows)
        return
    driver = conn.connection.driver_connection
    sql = f"COPY observation ({', '.join(_WRITTEN)}) FROM STDIN"
    with driver.cursor() as cur, cur.copy(sql) as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row([row[c] for c in _WRITTEN])


def rollback_batch(session: Session, actor: Actor, batch_id: int) -> dict[str, int]:
    """Undo a batch: the figures current before it come back. Refused when a later batch
    changed some of the same figures again (roll that one back first). An editor may undo
    only their own batches, and only figures within their scope; an admin any batch."""
    batch = session.get(ImportBatch, batch_id)
    if batch is None:
        require(actor, "rollback")
        raise RollbackRefused("unknown_batch", batch_id)
    units = session.scalars(
        select(Observation.unit_id).where(Observation.batch_id == batch_id).distinct()
    )
    check_write(session, actor, "rollback", units, batch=batch_id)
    if batch.user != actor.name and not actor.can("rollback_any"):
        audit.record_refusal(
            audit.engine_of(session), actor, "rollback", batch=batch_id, reason="not_own_batch"
        )
        raise PermissionDenied(actor, "rollback_any", f"batch {batch_id} belongs to {batch.user}")
    lock_writes(session)
    session.refresh(batch)
    if batch.status != "committed":
        raise RollbackRefused("already_rolled_back", batch_id)
    later = session.execute(
        select(
            Observation.indicator_code,
            Observation.unit_id,
            Observation.period,
            Observation.superseded_by_batch_id,
        ).where(Observation.batch_id == batch_id, Observation.superseded_by_batch_id.is_not(None))
    ).all()
    if later:
        raise RollbackRefused(
            "changed_later",
            batch_id,
            [{"indicator": r[0], "unit_id": r[1], "period": r[2], "batch": r[3]} for r in later],
        )
    own = list(
        session.scalars(select(Observation).where(Observation.batch_id == batch_id, CURRENT))
    )
    for row in own:
        row.is_current = False
    session.flush()
    restored = list(
        session.scalars(select(Observation).where(Observation.superseded_by_batch_id == batch_id))
    )
    for row in restored:
        row.is_current = True
        row.superseded_by_batch_id = None
    batch.status = "rolled_back"
    batch.rolled_back_at = utcnow()
    batch.rolled_back_by = actor.name
    if own or restored:
        bump_data_version(session)
    counts = {"removed": len(own) - len(restored), "restored": len(restored)}
    audit.record(session, actor, "rollback", batch=batch_id, counts=counts)
    session.flush()
    return counts


def batch_rows(session: Session) -> list[dict[str, Any]]:
    """Every batch, newest first, as plain rows (History page, ``kpi batches``)."""
    rows = session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc()))
    return [
        {
            "batch": b.id,
            "source": b.source_kind,
            "file": b.file_name,
            "period": b.period,
            "user": b.user,
            "created_at": b.created_at.replace(microsecond=0).isoformat(sep=" "),
            "status": b.status,
            "inserted": b.inserted,
            "revised": b.revised,
            "unchanged": b.unchanged,
            "demo": b.is_demo,
            "sha256": b.sha256,
        }
        for b in rows
    ]
