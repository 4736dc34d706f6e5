"""The indexes of ``observation`` serve the dashboard's reads (migration 0004).

The plans are read from the database itself: SQLite's ``EXPLAIN QUERY PLAN`` names the partial
index over current rows; PostgreSQL, with sequential and bitmap scans turned off for the
statement (the tables here are tiny, so the planner would otherwise read them whole), answers
from the covering index alone (``Index Only Scan``), which fails if an index stops covering
what the query reads or its predicate stops matching the query's.
"""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.engine import Engine

from kpi import db
from kpi.models import ImportBatch, Observation
from kpi.queries import CURRENT

CURRENT_COLUMNS = (Observation.value, Observation.qualifier, Observation.batch_id)

BOTH = ("uq_observation_current", "ix_observation_current_unit")
#: (what the dashboard asks, its WHERE clause, the indexes that may serve it: with equality on
#: both indicator and unit either index is as good)
CASES = [
    (
        "trend of one indicator for one unit",
        lambda: (
            Observation.indicator_code == "dossiers_received",
            Observation.unit_id == 1,
            Observation.period.between("2016-Q1", "2025-Q4"),
        ),
        BOTH,
    ),
    (
        "one indicator in one quarter for many units",
        lambda: (
            Observation.indicator_code == "dossiers_received",
            Observation.unit_id.in_([3, 4, 5, 6]),
            Observation.period == "2019-Q1",
        ),
        BOTH,
    ),
    (
        "one indicator, every quarter, for every unit (a country's provinces by year)",
        lambda: (
            Observation.indicator_code == "dossiers_received",
            Observation.period.between("2016-Q1", "2025-Q4"),
        ),
        BOTH,
    ),
    (
        "a district's communes, five indicators, every quarter",
        lambda: (
            Observation.unit_id.in_([20, 21, 22]),
            Observation.indicator_code.in_(["a", "b", "c", "d", "e"]),
        ),
        BOTH,
    ),
    (
        "every figure of a few units (a province's communes)",
        lambda: (Observation.unit_id.in_([20, 21, 22]),),
        BOTH,
    ),
]


def _plan(engine: Engine, stmt: object) -> str:
    compiled = stmt.compile(engine, compile_kwargs={"literal_binds": True})  # type: ignore[attr-defined]
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
            return "\n".join(str(r[-1]) for r in rows)
        conn.exec_driver_sql("SET enable_seqscan = off")
        conn.exec_driver_sql("SET enable_bitmapscan = off")
        rows = conn.exec_driver_sql(f"EXPLAIN {compiled}").all()
        return "\n".join(str(r[0]) for r in rows)


@pytest.mark.parametrize(("what", "where", "indexes"), CASES, ids=[c[0] for c in CASES])
def test_current_figures_are_read_from_their_index(
    engine: Engine, what: str, where: object, indexes: tuple[str, ...]
) -> None:
    stmt = select(
        Observation.indicator_code, Observation.unit_id, Observation.period, *CURRENT_COLUMNS
    ).where(CURRENT, *where())  # type: ignore[operator]
    plan = _plan(engine, stmt)
    if engine.dialect.name == "sqlite":
        # Not covering on SQLite: any index searched by these keys is as good (without
        # statistics SQLite may pick the history index); never the whole table.
        assert "SEARCH observation USING INDEX" in plan and "SCAN observation" not in plan, plan
    else:
        assert any(f"Index Only Scan using {index} " in plan for index in indexes), plan


def test_history_of_a_figure_uses_the_history_index(engine: Engine) -> None:
    stmt = (
        select(Observation.value, ImportBatch.file_name)
        .join(ImportBatch, ImportBatch.id == Observation.batch_id)
        .where(
            Observation.indicator_code == "dossiers_received",
            Observation.unit_id == 1,
            Observation.period == "2019-Q1",
        )
        .order_by(Observation.id.desc())
    )
    assert "ix_observation_history" in _plan(engine, stmt)


def test_migration_replaces_the_old_indexes_and_downgrades(db_url: str) -> None:
    engine = db.make_engine(db_url)
    try:
        db.upgrade(engine)
        names = {i["name"] for i in inspect(engine).get_indexes("observation")}
        assert {
            "uq_observation_current",
            "ix_observation_current_unit",
            "ix_observation_history",
        } <= names
        assert "ix_observation_lookup" not in names
        db.upgrade(engine, "0004_observation_indexes")
        from alembic import command

        with engine.begin() as conn:
            command.downgrade(db._alembic_config(conn), "0001")
        names = {i["name"] for i in inspect(engine).get_indexes("observation")}
        assert {"uq_observation_current", "ix_observation_lookup"} <= names
        assert "ix_observation_current_unit" not in names
    finally:
        engine.dispose()
