"""Importing a whole quarter: the province, the agencies, 9 districts and 106 communes in one
filled template (DESIGN.md section 7: "well under a second").

The steps a user waits for, on fresh databases: reading the workbook (python-calamine, one pass
per sheet), read + validate + plan (the preview), the commit (one transaction) and the total. The
baseline, measured in the same run, is the obvious way: ``pandas.read_excel(...,
engine="openpyxl")`` of every sheet, then one ORM insert (``session.add`` + ``flush``) per figure
and a commit; it validates nothing, so the comparison flatters it.

On SQLite (always) and on PostgreSQL when ``KPI_BENCH_POSTGRES_URL`` names a server (the database
for many users, where each of the baseline's flushes is a round trip to the server): every run
writes into a fresh database made from the same migrated one (a file copy; ``CREATE DATABASE
... TEMPLATE``).
"""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from sqlalchemy import Engine

from benchmarks.core import Case, Context, timed
from kpi.access import Actor
from kpi.bootstrap import init_database
from kpi.catalogue import load_catalogue
from kpi.db import make_engine, session_scope
from kpi.demo import report_figures
from kpi.models import ImportBatch, Observation
from kpi.store import Figure
from kpi.units import all_units
from loaders.importer import check_upload, commit_upload
from loaders.template import make_template
from loaders.workbook import read_workbook

PERIOD = "2019-Q1"
NEXT = "2019-Q2"
ACTOR = Actor("bench", "admin")


def filled_quarter(template: bytes) -> bytes:
    """The template with every input cell filled: the Q1/2019 report on the province sheet and
    consistent one-stop figures for every agency, district and commune."""
    wb = load_workbook(io.BytesIO(template))
    province = wb.worksheets[2]
    rows = {province.cell(row=r, column=1).value: r for r in range(1, province.max_row + 1)}
    for fig in report_figures():
        province.cell(row=rows[fig.code], column=5, value=int(fig.value))
    for ws in wb.worksheets[3:]:
        codes = {str(c.value): c.column for c in ws[5] if c.value}
        unit_col = codes["unit_code"]
        for n, r in enumerate(range(6, ws.max_row + 1)):
            if not ws.cell(row=r, column=unit_col).value:
                continue
            received = 200 + (n * 37) % 500
            resolved = received - received // 50
            values = {
                "dossiers_received": received,
                "dossiers_received_online": received // 10,
                "dossiers_received_direct": received - received // 10,
                "dossiers_resolved": resolved,
                "dossiers_resolved_late": resolved // 25,
                "dossiers_resolved_on_time": resolved - resolved // 25,
                "dossiers_pending": received // 30,
                "doc_system_users": 300 + n * 7,
                "email_accounts_total": 250 + n * 5,
            }
            for code, value in values.items():
                if code in codes:
                    ws.cell(row=r, column=codes[code], value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def every_cell_styled(data: bytes) -> bytes:
    """The filled quarter with a scaling format (``#,##0,``) on every filled value cell: the
    worst case for reading number formats, since each such cell is matched and located."""
    wb = load_workbook(io.BytesIO(data))
    for ws in wb.worksheets[2:]:
        for row in ws.iter_rows(min_row=6):
            for cell in row:
                if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                    cell.number_format = "#,##0,"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def orm_insert(engine: object, figures: list[Figure]) -> None:
    """The baseline's write: one ORM object and one flush per figure, then a commit."""
    with session_scope(engine) as session:  # type: ignore[arg-type]
        batch = ImportBatch(source_kind="excel", file_name="quarter.xlsx", user=ACTOR.name)
        session.add(batch)
        session.flush()
        for f in figures:
            session.add(
                Observation(
                    indicator_code=f.indicator_code,
                    unit_id=f.unit_id,
                    period=f.period,
                    value=f.value,
                    qualifier=f.qualifier,
                    batch_id=batch.id,
                    is_current=True,
                    source_sheet=f.source_sheet,
                    source_cell=f.source_cell,
                )
            )
            session.flush()


@contextlib.contextmanager
def _sqlite_copies(tmp: Path) -> Iterator[tuple[str, Callable[[], Engine]]]:
    """A migrated SQLite database, and fresh copies of it."""
    base = tmp / "base.sqlite3"
    engine = make_engine(f"sqlite:///{base}")
    init_database(engine, ACTOR)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    made = 0

    def fresh() -> Engine:
        nonlocal made
        made += 1
        path = tmp / f"db{made}.sqlite3"
        shutil.copy(base, path)
        return make_engine(f"sqlite:///{path}")

    yield f"sqlite:///{base}", fresh


@contextlib.contextmanager
def _postgres_copies(admin_url: str) -> Iterator[tuple[str, Callable[[], Engine]]]:
    """A migrated PostgreSQL database, and fresh ones made from it as a template."""
    from sqlalchemy.engine import make_url

    from tests.support.postgres import create_database, drop_database

    base_name = f"kpi_bench_import_{uuid.uuid4().hex[:8]}"
    base_url = create_database(admin_url, base_name)
    engine = make_engine(base_url)
    init_database(engine, ACTOR)
    engine.dispose()
    names: list[str] = []
    admin = make_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")

    def fresh() -> Engine:
        name = f"{base_name}_{len(names)}"
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{base_name}"')
        names.append(name)
        url = make_url(base_url).set(database=name)
        return make_engine(url.render_as_string(hide_password=False))

    try:
        yield base_url, fresh
    finally:
        for name in [*names, base_name]:
            drop_database(admin_url, name)
        admin.dispose()


def _writes(
    label: str, base_url: str, fresh: Callable[[], Engine], data: bytes, repeat: int
) -> dict[str, list[float]]:
    """Check + commit into fresh databases, and the baseline's ORM inserts into others."""
    engine = make_engine(base_url)
    check = timed(lambda: check_upload(engine, data, "quarter.xlsx", period=PERIOD), repeat)
    report = check_upload(engine, data, "quarter.xlsx", period=PERIOD)
    assert report.status == "valid", [p.message for p in report.errors]
    figures = list(report.figures)
    engine.dispose()
    commits, orm = [], []
    for _ in range(repeat):
        target = fresh()
        checked = check_upload(target, data, "quarter.xlsx", period=PERIOD)
        started = time.perf_counter()
        done = commit_upload(target, checked, ACTOR)
        commits.append(time.perf_counter() - started)
        assert done.status == "imported" and done.counts["inserted"] == len(figures), label
        target.dispose()
        other = fresh()
        started = time.perf_counter()
        orm_insert(other, figures)
        orm.append(time.perf_counter() - started)
        other.dispose()
    return {"check": check, "commit": commits, "orm": orm, "figures": [float(len(figures))]}


def run(ctx: Context) -> list[Case]:
    cat = load_catalogue()
    repeat = ctx.repeat
    measured: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as tmp, _sqlite_copies(Path(tmp)) as (base_url, fresh):
        engine = make_engine(base_url)
        started = time.perf_counter()
        template = make_template(engine, PERIOD)
        template_s = time.perf_counter() - started
        data = filled_quarter(template)
        with session_scope(engine) as session:
            units = all_units(session)
        engine.dispose()
        read = timed(lambda: read_workbook(data, cat.indicators.keys(), units), repeat, warmup=1)
        measured["SQLite"] = _writes("SQLite", base_url, fresh, data, repeat)
        styled = every_cell_styled(data)
        styled_read = timed(lambda: read_workbook(styled, cat.indicators.keys(), units), repeat)
        # the next quarter once this one is stored: every figure has a previous value to be
        # compared with (the likely-typo checks)
        stored = fresh()
        commit_upload(stored, check_upload(stored, data, "q.xlsx", period=PERIOD), ACTOR)
        following = filled_quarter(make_template(stored, NEXT))
        history = timed(
            lambda: check_upload(stored, following, "next.xlsx", period=NEXT),
            repeat,
        )
        stored.dispose()
        pandas_read = timed(
            lambda: pd.read_excel(
                io.BytesIO(data), sheet_name=None, header=None, engine="openpyxl"
            ),
            repeat,
        )
        if ctx.postgres_admin:
            with _postgres_copies(ctx.postgres_admin) as (pg_url, pg_fresh):
                measured["PostgreSQL"] = _writes("PostgreSQL", pg_url, pg_fresh, data, repeat)
    sqlite = measured["SQLite"]
    note = f"{int(sqlite['figures'][0])} figures: province, agencies, 9 districts, 106 communes"
    b = "import baseline:"
    cases = [
        Case("import: template for a quarter (openpyxl)", [template_s], note="once"),
        Case(
            "import: read the filled workbook (calamine)",
            read,
            baseline=f"{b} pandas.read_excel (openpyxl)",
        ),
        Case("import: read, a number format to check on every value cell", styled_read),
        Case(
            "import: validate + plan (check minus read)",
            [c - r for c, r in zip(sqlite["check"], read, strict=True)],
        ),
        Case("import: read + validate + preview, the quarter before stored", history),
        Case(f"{b} pandas.read_excel (openpyxl)", pandas_read),
    ]
    for where, got in measured.items():
        total = [c + w for c, w in zip(got["check"], got["commit"], strict=True)]
        base_total = [r + w for r, w in zip(pandas_read, got["orm"], strict=True)]
        cases += [
            Case(f"import ({where}): read + validate + preview", got["check"]),
            Case(
                f"import ({where}): commit in one transaction",
                got["commit"],
                baseline=f"{b} one ORM insert per figure ({where})",
            ),
            Case(
                f"import ({where}): whole quarter, upload to stored",
                total,
                baseline=f"{b} read_excel + ORM inserts ({where})",
                note=note,
            ),
            Case(f"{b} one ORM insert per figure ({where})", got["orm"]),
            Case(f"{b} read_excel + ORM inserts ({where})", base_total, note="validates nothing"),
        ]
    return cases


if __name__ == "__main__":
    from benchmarks.__main__ import report

    report("import_bench", run(Context(repeat=3)))
