"""The indexes of ``observation`` serve the dashboard's reads (migrations 0004 and 0005).

The plans are read from the database itself: SQLite's ``EXPLAIN QUERY PLAN`` names the partial
index over current rows; PostgreSQL, with sequential and bitmap scans turned off for the
statement (the tables here are tiny, so the planner would otherwise read them whole) and only the
two covering indexes left (dropped inside a rolled-back transaction), answers from one of them
alone (``Index Only Scan``), which fails if an index stops covering
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


def _plan(engine: Engine, stmt: object, *, only_covering: bool = False) -> str:
    compiled = stmt.compile(engine, compile_kwargs={"literal_binds": True})  # type: ignore[attr-defined]
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
            return "\n".join(str(r[-1]) for r in rows)
        conn.exec_driver_sql("SET enable_seqscan = off")
        conn.exec_driver_sql("SET enable_bitmapscan = off")
        # On empty tables every index costs the same: keep only the two that must cover the
        # query (inside this transaction, rolled back below).
        if only_covering:
            conn.exec_driver_sql("DROP INDEX ix_observation_current_period")
            conn.exec_driver_sql("DROP INDEX ix_observation_history")
        rows = conn.exec_driver_sql(f"EXPLAIN {compiled}").all()
        conn.rollback()
        return "\n".join(str(r[0]) for r in rows)


@pytest.mark.parametrize(("what", "where", "indexes"), CASES, ids=[c[0] for c in CASES])
def test_current_figures_are_read_from_their_index(
    engine: Engine, what: str, where: object, indexes: tuple[str, ...]
) -> None:
    stmt = select(
        Observation.indicator_code, Observation.unit_id, Observation.period, *CURRENT_COLUMNS
    ).where(CURRENT, *where())  # type: ignore[operator]
    plan = _plan(engine, stmt, only_covering=True)
    if engine.dialect.name == "sqlite":
        # Not covering on SQLite: any index searched by these keys is as good (without
        # statistics SQLite may pick the history index); never the whole table.
        assert "SEARCH observation USING INDEX" in plan and "SCAN observation" not in plan, plan
    else:
        assert any(f"Index Only Scan using {index} " in plan for index in indexes), plan


def test_former_values_of_a_figure_use_the_history_index(engine: Engine) -> None:
    from kpi.models import FORMER

    stmt = (
        select(Observation.value, ImportBatch.file_name)
        .join(ImportBatch, ImportBatch.id == Observation.batch_id)
        .where(
            FORMER,
            Observation.indicator_code == "dossiers_received",
            Observation.unit_id == 1,
            Observation.period == "2019-Q1",
        )
        .order_by(Observation.id.desc())
    )
    assert "ix_observation_history" in _plan(engine, stmt)


def test_the_import_finds_the_current_rows_by_their_index(engine: Engine) -> None:
    """What ``kpi.store`` asks before it writes a quarter (the figures it would revise):
    searched in a current-rows index by all three keys, never a walk of a whole index or
    table (a list of key tuples made both databases walk one)."""
    from kpi.store import current_rows_statements

    keys = [("dossiers_received", 1, "2019-Q1"), ("dossiers_resolved", 3, "2019-Q1")]
    (stmt,) = current_rows_statements(keys)
    plan = _plan(engine, stmt, only_covering=True)
    if engine.dialect.name == "sqlite":
        assert "(unit_id=? AND indicator_code=? AND period=?)" in plan, plan
    assert "uq_observation_current" in plan or "ix_observation_current_unit" in plan, plan
    assert "Seq Scan" not in plan and "SCAN observation" not in plan, plan


def test_a_rollback_finds_the_rows_it_restores_in_the_partial_index(engine: Engine) -> None:
    stmt = select(Observation.id).where(Observation.superseded_by_batch_id == 7)
    assert "ix_observation_superseded_by_batch_id" in _plan(engine, stmt)


def _index_definition(engine: Engine, name: str) -> str:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            sql = "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?"
        else:
            sql = "SELECT pg_get_indexdef(%s::regclass)"
        return " ".join(str(conn.exec_driver_sql(sql, (name,)).scalar()).split())


def test_the_history_and_rollback_indexes_hold_only_revised_rows(engine: Engine) -> None:
    """Read from the database itself: the predicates that keep the current rows (99 % of them
    at national scale) out of the history and rollback indexes."""
    history = _index_definition(engine, "ix_observation_history")
    later = _index_definition(engine, "ix_observation_superseded_by_batch_id")
    if engine.dialect.name == "sqlite":
        assert history.endswith("WHERE is_current = 0"), history
    else:
        assert history.endswith("WHERE (NOT is_current)"), history
    assert ("WHERE" in later and later.endswith("superseded_by_batch_id IS NOT NULL)")) or (
        later.endswith("WHERE superseded_by_batch_id IS NOT NULL")
    ), later
    assert "WHERE" not in _index_definition(engine, "ix_observation_batch_id")


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
        from alembic import command

        with engine.begin() as conn:
            command.downgrade(db._alembic_config(conn), "0004_observation_indexes")
        assert "WHERE" not in _index_definition(engine, "ix_observation_history")

        with engine.begin() as conn:
            command.downgrade(db._alembic_config(conn), "0002_accounts")
        names = {i["name"] for i in inspect(engine).get_indexes("observation")}
        assert {"uq_observation_current", "ix_observation_lookup"} <= names
        assert "ix_observation_current_unit" not in names
    finally:
        engine.dispose()


def _figures(engine: Engine, rows: list[tuple[str, str, bool]]) -> None:
    from decimal import Decimal

    from kpi.models import Unit
    from kpi.units import PROVINCE_CODE

    with db.session_scope(engine) as session:
        unit = session.scalars(select(Unit).where(Unit.code == PROVINCE_CODE)).first()
        assert unit is not None
        batch = ImportBatch(source_kind="csv", user="test")
        session.add(batch)
        session.flush()
        for code, period, current in rows:
            session.add(
                Observation(
                    indicator_code=code,
                    unit_id=unit.id,
                    period=period,
                    value=Decimal(1),
                    batch_id=batch.id,
                    is_current=current,
                )
            )


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([], []),
        ([("dossiers_received", "2019-Q1", True)], ["2019-Q1"]),
        (
            [
                ("dossiers_received", "2020-Q2", True),
                ("dossiers_resolved", "2019-Q1", True),
                ("dossiers_received", "2019-Q1", True),
                # only a revised (non-current) value: the quarter has no figure now
                ("dossiers_received", "2019-Q3", False),
                ("dossiers_pending", "2019-Q4", True),
            ],
            ["2019-Q1", "2019-Q4", "2020-Q2"],
        ),
    ],
    ids=["empty", "one", "gaps and a revised-only quarter"],
)
def test_periods_with_data_skip_through_the_current_figures(
    engine: Engine, rows: list[tuple[str, str, bool]], expected: list[str]
) -> None:
    from kpi.queries import periods_with_data

    _figures(engine, rows)
    with db.session_scope(engine) as session:
        assert periods_with_data(session) == expected


def test_periods_with_data_probes_the_period_index(engine: Engine) -> None:
    from kpi.queries import periods_with_data

    _figures(engine, [("dossiers_received", "2019-Q1", True)])
    statements: list[tuple[str, object]] = []
    from sqlalchemy import event

    def keep(_conn: object, _cursor: object, statement: str, params: object, *_: object) -> None:
        statements.append((statement, params))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        with db.session_scope(engine) as session:
            periods_with_data(session)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    sql, params = next(s for s in statements if "RECURSIVE" in s[0].upper())
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            plan = "\n".join(
                str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
            )
            reads = [line for line in plan.splitlines() if " observation" in line]
            # the first quarter: the index in order, stopping at its first entry (LIMIT 1)
            assert reads and all("INDEX ix_observation_current_period" in r for r in reads), plan
        else:
            conn.exec_driver_sql("SET enable_seqscan = off")
            plan = "\n".join(
                str(r[0]) for r in conn.exec_driver_sql(f"EXPLAIN {sql}", params).all()
            )
            assert "Index Only Scan using ix_observation_current_period" in plan, plan
