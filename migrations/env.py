"""Alembic environment: the app passes its connection (``kpi.db.upgrade``); the ``alembic``
command line reads the same ``KPI_DATABASE_URL`` as the app."""

from __future__ import annotations

from alembic import context

from kpi.config import get_settings
from kpi.db import make_engine
from kpi.models import Base

target_metadata = Base.metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(get_settings().database_url)
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
