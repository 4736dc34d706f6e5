"""The audit log: who did what, when, from which address (DESIGN.md sections 3 and 12).

One rule: every change (commit, rollback, users, targets, catalogue), every security event
(login success and failure, lockout, logout, a refused action) and every export is recorded; a
dry run or a rejected file records nothing. :func:`record` writes in the caller's transaction, so
the entry lands with the change or not at all; :func:`record_refusal` writes in a transaction of
its own, so a refusal survives the failed write it refused. The table is append-only: nothing
here updates or deletes, and database triggers refuse UPDATE and DELETE (migration 0002).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from kpi.models import AuditEvent, utcnow

if TYPE_CHECKING:
    from kpi.access import Actor


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def record(
    session: Session, actor: Actor, action: str, *, outcome: str = "ok", **detail: Any
) -> None:
    """Add an entry in the caller's transaction."""
    session.add(
        AuditEvent(
            at=utcnow(),
            actor=actor.name[:100],
            action=action[:40],
            detail=_jsonable(detail),
            address=(actor.address or None),
            outcome=outcome,
        )
    )


def record_refusal(engine: Engine, actor: Actor, action: str, **detail: Any) -> None:
    """Record a refused action in a transaction of its own (the refused one is rolled back)."""
    with Session(engine) as session, session.begin():
        record(session, actor, action, outcome="refused", **detail)


def engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


@dataclass(frozen=True)
class AuditFilter:
    """What the Administration page asks of the log."""

    actor: str = ""
    action: str = ""
    outcome: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    limit: int = 1000


def events(session: Session, flt: AuditFilter = AuditFilter()) -> pd.DataFrame:
    """Entries, newest first, as a tidy frame (times in UTC, naive)."""
    stmt = select(
        AuditEvent.id,
        AuditEvent.at,
        AuditEvent.actor,
        AuditEvent.action,
        AuditEvent.outcome,
        AuditEvent.address,
        AuditEvent.detail,
    ).order_by(AuditEvent.id.desc())
    if flt.actor:
        stmt = stmt.where(AuditEvent.actor == flt.actor)
    if flt.action:
        stmt = stmt.where(AuditEvent.action == flt.action)
    if flt.outcome:
        stmt = stmt.where(AuditEvent.outcome == flt.outcome)
    if flt.since:
        stmt = stmt.where(AuditEvent.at >= dt.datetime.combine(flt.since, dt.time()))
    if flt.until:
        stmt = stmt.where(
            AuditEvent.at < dt.datetime.combine(flt.until + dt.timedelta(days=1), dt.time())
        )
    rows = session.execute(stmt.limit(flt.limit)).all()
    return pd.DataFrame(
        [r._asdict() for r in rows],
        columns=["id", "at", "actor", "action", "outcome", "address", "detail"],
    )


def actions(session: Session) -> list[str]:
    return sorted(set(session.scalars(select(AuditEvent.action).distinct())))
