"""Engines, sessions, migrations and the data version.

SQLite (the default) runs with foreign keys on, WAL and a busy timeout, so that several
Streamlit sessions can read while one writes; PostgreSQL is reached through ``KPI_DATABASE_URL``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker

from kpi.config import ROOT
from kpi.models import DataState, utcnow

MIGRATIONS = ROOT / "migrations"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets its pragmas and explicit transaction control."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextlib.contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back when it raises."""
    with session_factory(engine)() as session, session.begin():
        yield session


def _alembic_config(connection: Connection) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema with the Alembic migrations."""
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def data_version(conn: Connection | Session) -> int:
    """The number that goes up with every change of figures (cache key)."""
    value = conn.execute(select(DataState.version).where(DataState.id == 1)).scalar()
    return int(value or 0)


def bump_data_version(session: Session) -> int:
    """Take the writers' lock and move the data version on.

    Every write transaction calls this first: on PostgreSQL the row lock serialises writers, and
    on SQLite the first statement being a write takes the database's write lock at once, so a
    second uploader waits for the first and then sees its figures.
    """
    session.execute(
        update(DataState)
        .where(DataState.id == 1)
        .values(version=DataState.version + 1, updated_at=utcnow())
    )
    return data_version(session)
