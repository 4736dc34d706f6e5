"""The dashboard's five questions, asked of the database, against loading the table into pandas.

1. the trend of one indicator for a province (every quarter);
2. one indicator in one quarter for every district of the country;
3. a district's communes over all quarters for five indicators;
4. a flow summed over a province's communes, per quarter;
5. yearly figures of one indicator for every province (flows summed, by the aggregation rules).

Each is asked through the app's query layer (:func:`kpi.queries.fetch_current`, the one fetch
:func:`kpi.queries.figures` uses, and ``figures`` itself for the yearly rules), on SQLite and
PostgreSQL, at province scale (Trà Vinh alone, ``national.PROVINCE``, made in this run) and at
national scale (the databases of ``python -m benchmarks generate``). The baseline is the
obvious way: load the current rows of ``observation`` into pandas once (timed once, with its
peak memory) and filter the frame in memory for each question. On PostgreSQL the plan of each
question (``EXPLAIN``) is kept in the report, to show index-only scans.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from benchmarks import national
from benchmarks.core import Case, Context, timed
from benchmarks.export_bench import _reset_peak, _status_mb
from kpi import db, metrics, queries
from kpi.catalogue import load_catalogue
from kpi.models import ImportBatch, Indicator, Observation
from kpi.units import PROVINCE_CODE, UnitInfo, all_units

ROOT = Path(__file__).resolve().parent.parent
FLOW = "dossiers_received"
FIVE = (
    "dossiers_received",
    "dossiers_resolved",
    "dossiers_resolved_on_time",
    "dossiers_resolved_late",
    "dossiers_pending",
)
QUESTIONS = (
    "q1 trend of one indicator, one province",
    "q2 one indicator, one quarter, every district",
    "q3 a district's communes, five indicators, all quarters",
    "q4 a flow summed over a province's communes per quarter",
    "q5 yearly figures of one indicator, every province",
)


class Scope:
    """The units and periods the questions are about, in one database."""

    def __init__(self, session: Session) -> None:
        self.units = all_units(session)
        self.catalogue = load_catalogue()
        periods = queries.periods_with_data(session)
        self.first, self.last = periods[0], periods[-1]
        self.middle = periods[len(periods) // 2]
        by_id = {u.id: u for u in self.units}
        self.province = next(u for u in self.units if u.code == PROVINCE_CODE)
        self.provinces = [u.id for u in self.units if u.level == "province" and u.code != "86"]
        self.districts = [u.id for u in self.units if u.level == "district"]
        self.district = next(
            u for u in self.units if u.parent_id == self.province.id and u.level == "district"
        )
        self.district_communes = [u.id for u in self.units if u.parent_id == self.district.id]

        def top(u: UnitInfo) -> int:
            while u.parent_id is not None:
                u = by_id[u.parent_id]
            return u.id

        self.province_communes = [
            u.id for u in self.units if u.level == "commune" and top(u) == self.province.id
        ]


def _fetch(
    session: Session, codes: tuple[str, ...], ids: list[int], first: str, last: str
) -> pd.DataFrame:
    return queries.fetch_current(session, codes, ids, first, last)


def app_questions(session: Session, s: Scope) -> list[Callable[[], object]]:
    """The five questions through the app's query layer."""

    def q4() -> pd.DataFrame:
        rows = _fetch(session, (FLOW,), s.province_communes, s.first, s.last)
        return rows.groupby("period").agg(
            value=("value", "sum"),
            qualifier=("qualifier", metrics.combine_qualifiers),
            n=("value", "count"),
        )

    return [
        lambda: _fetch(session, (FLOW,), [s.province.id], s.first, s.last),
        lambda: _fetch(session, (FLOW,), s.districts, s.middle, s.middle),
        lambda: _fetch(session, FIVE, s.district_communes, s.first, s.last),
        q4,
        lambda: queries.figures(
            session,
            s.catalogue,
            s.units,
            queries.Query((FLOW,), tuple(s.provinces), s.first, s.last, "year"),
        ),
    ]


def pandas_questions(frame: pd.DataFrame, s: Scope) -> list[Callable[[], object]]:
    """The same five questions on a frame of every current row, filtered in memory."""
    ind, unit, period = frame["indicator_code"], frame["unit_id"], frame["period"]
    span = (period >= s.first) & (period <= s.last)

    def q4() -> pd.DataFrame:
        rows = frame[(ind == FLOW) & unit.isin(s.province_communes) & span]
        return rows.groupby("period")["value"].sum()

    def q5() -> pd.DataFrame:
        rows = frame[(ind == FLOW) & unit.isin(s.provinces) & span]
        return rows.groupby([rows["unit_id"], rows["period"].str[:4]])["value"].sum()

    return [
        lambda: frame[(ind == FLOW) & (unit == s.province.id) & span],
        lambda: frame[(ind == FLOW) & unit.isin(s.districts) & (period == s.middle)],
        lambda: frame[ind.isin(FIVE) & unit.isin(s.district_communes) & span],
        q4,
        q5,
    ]


def load_table(session: Session) -> pd.DataFrame:
    """The obvious way, done with care: every current row into a DataFrame, streamed from the
    database in chunks of 500,000 (a server-side cursor), codes and quarters as categoricals,
    values as float64 (so no longer exact). Loading 27 million rows as plain Python objects
    (``pd.read_sql`` in one go) took over 20 GB here, more than the machine can spare."""
    stmt = select(
        Observation.indicator_code,
        Observation.unit_id,
        Observation.period,
        queries._value_for_floats(session),
        Observation.qualifier,
    ).where(queries.CURRENT)
    codes = sorted(session.scalars(select(Indicator.code)))
    periods = queries.periods_with_data(session)
    types = {
        "indicator_code": pd.CategoricalDtype(codes),
        "period": pd.CategoricalDtype(periods, ordered=True),
        "qualifier": pd.CategoricalDtype(["exact", "approx", "at_least", "at_most"]),
    }
    streamed = stmt.execution_options(stream_results=True, yield_per=500_000)
    if session.get_bind().dialect.name == "postgresql":
        # A cursor is planned for its first rows (an index scan); this one reads them all.
        session.connection().exec_driver_sql("SET LOCAL cursor_tuple_fraction = 1.0")
    parts = []
    for rows in session.connection().execute(streamed).partitions(500_000):
        part = pd.DataFrame(rows, columns=list(stmt.selected_columns.keys()))
        parts.append(part.astype({**types, "unit_id": "int32", "value": "float64"}, copy=False))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _available_mb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return float("inf")


def sql_questions(session: Session, s: Scope) -> list[Callable[[], object]]:
    """The five questions as the database alone answers them (no frame built): the fetches,
    and for 4 and 5 the sums grouped in SQL (a flow: quarters and units add up)."""
    conn = session.connection()
    o = Observation

    def where(codes: tuple[str, ...], ids: list[int], first: str, last: str) -> list[Any]:
        return [
            queries.CURRENT,
            o.indicator_code.in_(list(codes)),
            o.unit_id.in_(ids),
            o.period >= first,
            o.period <= last,
        ]

    cols = (o.indicator_code, o.unit_id, o.period, o.value, o.qualifier, o.batch_id)
    year = func.substr(o.period, 1, 4)
    statements = [
        select(*cols).where(*where((FLOW,), [s.province.id], s.first, s.last)),
        select(*cols).where(*where((FLOW,), s.districts[: queries.IN_CHUNK], s.middle, s.middle)),
        select(*cols).where(*where(FIVE, s.district_communes, s.first, s.last)),
        select(o.period, func.sum(o.value), func.count(o.value))
        .where(*where((FLOW,), s.province_communes, s.first, s.last))
        .group_by(o.period),
        select(o.unit_id, year, func.sum(o.value), func.count(o.value))
        .where(*where((FLOW,), s.provinces, s.first, s.last))
        .group_by(o.unit_id, year),
    ]
    compiled = [
        str(st.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
        for st in statements
    ]
    return [lambda sql=sql: conn.exec_driver_sql(sql).fetchall() for sql in compiled]


def explain(session: Session, s: Scope) -> str:
    """PostgreSQL's plans of the four fetches (the fifth is the first for every province)."""
    cases = [
        ((FLOW,), [s.province.id], s.first, s.last),
        ((FLOW,), s.districts, s.middle, s.middle),
        (FIVE, s.district_communes, s.first, s.last),
        ((FLOW,), s.province_communes, s.first, s.last),
        ((FLOW,), s.provinces, s.first, s.last),
    ]
    out = []
    for name, (codes, ids, first, last) in zip(QUESTIONS, cases, strict=True):
        stmt = (
            select(Observation.indicator_code, Observation.unit_id, Observation.period,
                   Observation.value, Observation.qualifier, Observation.batch_id, ImportBatch.is_demo)
            .join(ImportBatch, ImportBatch.id == Observation.batch_id)
            .where(
                queries.CURRENT,
                Observation.indicator_code.in_(list(codes)),
                Observation.period >= first,
                Observation.period <= last,
                Observation.unit_id.in_(ids[: queries.IN_CHUNK]),
            )
        )  # fmt: skip
        sql = str(stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
        plan = session.connection().exec_driver_sql(
            f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY ON) {sql}"
        )
        out.append(f"-- {name}\n" + "\n".join(str(r[0]) for r in plan))
    return "\n".join(out)


def expected_rows(session: Session) -> int:
    count = select(func.count()).select_from(Observation).where(queries.CURRENT)
    return int(session.execute(count).scalar() or 0)


def measure(url: str, label: str, ctx: Context) -> list[Case]:
    engine = db.make_engine(url)
    cases: list[Case] = []
    try:
        with db.session_scope(engine) as session:
            scope = Scope(session)
            rows = expected_rows(session)
            need_mb = rows * 60 / 1e6 + 1000  # the frame (about 20 bytes a row) and chunks
            if _available_mb() < 2 * need_mb:
                ctx.notes[f"{label}: baseline skipped"] = (
                    f"{_available_mb():,.0f} MB available, the baseline needs about "
                    f"{need_mb:,.0f} MB for {rows:,} rows"
                )
                return cases
            before = _status_mb("VmRSS")
            _reset_peak()
            started = time.perf_counter()
            frame = load_table(session)
            seconds = time.perf_counter() - started
            peak = _status_mb("VmHWM") - before
            cases.append(
                Case(
                    f"{label}: baseline load of the table into pandas",
                    [seconds],
                    note=f"{len(frame):,} rows, {peak:,.0f} MB over the process before, once",
                )
            )
            baseline = pandas_questions(frame, scope)
            questions = zip(
                QUESTIONS,
                app_questions(session, scope),
                sql_questions(session, scope),
                baseline,
                strict=True,
            )
            for name, app, sql, base in questions:
                pandas_case = Case(
                    f"{label}: {name} (pandas filter)", timed(base, ctx.repeat, warmup=1)
                )
                cases.append(
                    Case(
                        f"{label}: {name}",
                        timed(app, ctx.repeat, warmup=1),
                        baseline=pandas_case.name,
                        note="query layer, frame built",
                    )
                )
                cases.append(
                    Case(
                        f"{label}: {name} (SQL alone)",
                        timed(sql, ctx.repeat, warmup=1),
                        baseline=pandas_case.name,
                    )
                )
                cases.append(pandas_case)
            del frame
            if engine.dialect.name == "postgresql":
                ctx.notes[f"EXPLAIN {label}"] = explain(session, scope)
    finally:
        engine.dispose()
    return cases


@contextlib.contextmanager
def _province_databases(ctx: Context) -> Iterator[dict[str, str]]:
    """Trà Vinh alone at full size (60 indicators, 40 quarters): SQLite, and PostgreSQL when a
    server was given."""
    from tests.support.postgres import create_database, drop_database

    with tempfile.TemporaryDirectory() as tmp:
        urls = {"sqlite": f"sqlite:///{Path(tmp) / 'province.sqlite3'}"}
        name = None
        if ctx.postgres_admin:
            name = f"kpi_bench_{uuid.uuid4().hex[:8]}"
            urls["postgresql"] = create_database(ctx.postgres_admin, name)
        try:
            for url in urls.values():
                national.build(url, national.PROVINCE, say=lambda _m: None)
            yield urls
        finally:
            if name is not None and ctx.postgres_admin:
                drop_database(ctx.postgres_admin, name)


def run(ctx: Context) -> list[Case]:
    cases: list[Case] = []
    if ctx.scale == "national":
        for dialect, url in sorted(ctx.national.items()):
            cases += measure(url, f"national {dialect}", ctx)
        return cases
    with _province_databases(ctx) as urls:
        for dialect, url in sorted(urls.items()):
            cases += measure(url, f"province {dialect}", ctx)
    return cases
