"""A national database for benchmarks: every province of a country, ten years, synthetic.

``python -m benchmarks generate --scale national --db URL`` fills an empty database (created or
upgraded by ``init`` first) with:

- Trà Vinh's real units (province, agencies, 9 districts, 106 communes, as in ``data/units.csv``)
  and 62 synthetic provinces of 11 districts and 169 communes each: 63 provinces, 691 districts,
  10,584 communes; synthetic units are coded ``N01``, ``N01-05``, ``N01-05-07`` and named
  "Tỉnh mẫu 01", "Huyện mẫu 01-05", "Xã mẫu 01-05-07";
- 60 indicators: the catalogue's 43 stored ones and 17 synthetic flows ``synthetic_flow_01`` …
  (``indicator`` rows named "Chỉ tiêu mẫu …", outside ``data/indicators.toml``);
- 40 quarters (2015-Q3 to 2025-Q2), every unit reporting every indicator: flows and stocks of a
  district are the sum of its communes, of a province the sum of its districts (and, in Trà Vinh,
  its agencies), qualifiers combined the same way; levels are each unit's own;
- about 1 % of the commune flows and stocks revised by a later batch (the earlier value kept in history).

About 27.6 million current rows and 0.25 million revised ones. Every batch is marked demo
(``is_demo``) with the note "synthetic national benchmark data", and everything comes from one
fixed seed. Rows are bulk-loaded with the observation indexes dropped and made again afterwards:
PostgreSQL by ``COPY`` (CSV written by pyarrow, a thread one quarter ahead of ``COPY_STREAMS``
connections that commit together), SQLite by ``executemany`` in one transaction; then ``VACUUM ANALYZE`` (PostgreSQL) or ``ANALYZE`` (SQLite), so that the planner knows the
table and PostgreSQL's visibility map allows index-only scans. Nothing goes through the ORM row
by row. Free disk space is checked first.
"""

from __future__ import annotations

import datetime as dt
import io
import queue
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.schema import CreateIndex

from kpi import db
from kpi.access import Actor
from kpi.bootstrap import init_database
from kpi.catalogue import load_catalogue
from kpi.models import OPEN_START, ImportBatch, Indicator, Observation, Unit
from kpi.periods import Period, period_range
from kpi.units import PROVINCE_CODE, UnitInfo, all_units, fold

SEED = 2026
REVISED_SHARE = 0.01


@dataclass(frozen=True)
class Size:
    """How big: synthetic provinces besides Trà Vinh, their districts and communes, the
    indicators (the catalogue's stored ones first) and the quarters."""

    provinces: int = 62
    districts: int = 11
    communes: int = 169
    indicators: int = 60
    first: str = "2015-Q3"
    last: str = "2025-Q2"

    @property
    def periods(self) -> list[Period]:
        return period_range(self.first, self.last)


NATIONAL = Size()
#: Trà Vinh alone, with the same indicators and quarters: the province-scale database
PROVINCE = Size(provinces=0)
ADMIN = Actor("bench", "admin")
NOTE = "synthetic national benchmark data"
#: bytes of disk per current row, data and indexes, measured on the first runs with margin
BYTES_PER_ROW = {"postgresql": 420, "sqlite": 300}
COLUMNS = (
    "id",
    "indicator_code",
    "unit_id",
    "period",
    "value",
    "qualifier",
    "batch_id",
    "is_current",
    "superseded_by_batch_id",
)
QUALIFIERS = np.array(["exact", "approx", "at_least"], dtype=object)
APPROX = 1  # QUALIFIERS[APPROX]


class NotEmpty(RuntimeError):
    """The target database already holds figures."""


class NoSpace(RuntimeError):
    """Not enough free disk space for the database."""


@dataclass
class Layout:
    """Who reports: the units in reporting order, their province and their district."""

    units: list[UnitInfo]
    province_of: np.ndarray  # index into provinces, per unit
    provinces: list[UnitInfo]
    codes: list[str]
    levels: np.ndarray  # per indicator: True when it adds neither way (level)
    percent: np.ndarray  # per indicator: a 0..100 percentage


def expected_rows(size: Size) -> int:
    units = 1 + 1 + 9 + 106 + size.provinces * (1 + size.districts + size.communes)
    return units * size.indicators * len(size.periods)


def needed_bytes(dialect: str, size: Size) -> int:
    return expected_rows(size) * BYTES_PER_ROW.get(dialect, 420)


def _free_bytes(engine: Engine) -> int | None:
    """Free space where the database lives, or None when that cannot be known from here."""
    if engine.dialect.name == "sqlite":
        path = Path(engine.url.database or ".").resolve()
        return shutil.disk_usage(path.parent).free
    host = engine.url.host or ""
    if host not in {"", "localhost", "127.0.0.1", "::1"}:
        return None
    try:
        with engine.connect() as conn:
            folder = conn.exec_driver_sql("SHOW data_directory").scalar()
        return shutil.disk_usage(str(folder)).free
    except Exception:  # not a superuser, or the folder is not readable by this user
        return None


def check_space(engine: Engine, size: Size) -> str:
    """Raise :class:`NoSpace` when the database will not fit; say what is needed."""
    need = needed_bytes(engine.dialect.name, size)
    free = _free_bytes(engine)
    if free is None:
        return f"needs about {need / 1e9:.1f} GB free where the database lives (not checked)"
    if free < need * 1.2:
        raise NoSpace(
            f"the national database needs about {need / 1e9:.1f} GB free (with 20 % margin "
            f"{need * 1.2 / 1e9:.1f} GB); {free / 1e9:.1f} GB free"
        )
    return f"needs about {need / 1e9:.1f} GB; {free / 1e9:.1f} GB free"


def _add_units(engine: Engine, size: Size) -> None:
    with db.session_scope(engine) as session:
        next_id = int(session.execute(select(func.max(Unit.id))).scalar() or 0) + 1
        rows: list[dict[str, Any]] = []

        def add(code: str, name: str, kind: str, level: str, parent: int | None) -> int:
            nonlocal next_id
            rows.append(
                {
                    "id": next_id,
                    "code": code,
                    "valid_from": OPEN_START,
                    "valid_to": None,
                    "name": name,
                    "name_key": fold(name),
                    "type": kind,
                    "level": level,
                    "parent_id": parent,
                }
            )
            next_id += 1
            return next_id - 1

        for p in range(1, size.provinces + 1):
            pid = add(f"N{p:02d}", f"Tỉnh mẫu {p:02d}", "tinh", "province", None)
            for d in range(1, size.districts + 1):
                did = add(
                    f"N{p:02d}-{d:02d}", f"Huyện mẫu {p:02d}-{d:02d}", "huyen", "district", pid
                )
                share = size.communes // size.districts + (d <= size.communes % size.districts)
                for c in range(1, share + 1):
                    code = f"N{p:02d}-{d:02d}-{c:02d}"
                    add(code, f"Xã mẫu {p:02d}-{d:02d}-{c:02d}", "xa", "commune", did)
        # Parents first, in one statement per level so that the foreign keys hold.
        for level in ("province", "district", "commune"):
            part = [r for r in rows if r["level"] == level]
            if part:
                session.execute(insert(Unit), part)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('unit', 'id'), (SELECT max(id) FROM unit))"
            )


def _add_indicators(engine: Engine, size: Size) -> list[str]:
    cat = load_catalogue()
    codes = [i.code for i in cat.stored()][: size.indicators]
    extra = [f"synthetic_flow_{n:02d}" for n in range(1, size.indicators - len(codes) + 1)]
    if not extra:
        return codes
    with db.session_scope(engine) as session:
        group = cat.stored()[0].group
        session.execute(
            insert(Indicator),
            [
                {
                    "code": code,
                    "group_code": group,
                    "order": 1000 + n,
                    "name_vi": f"Chỉ tiêu mẫu {n:02d} (dữ liệu tổng hợp)",
                    "name_en": f"Synthetic indicator {n:02d}",
                    "unit_vi": "lượt",
                    "unit_en": "count",
                    "kind": "flow",
                    "direction": "up",
                    "decimals": 0,
                    "percent": False,
                    "key": False,
                    "levels": ["province", "district", "commune"],
                    "formula": None,
                    "numerator": None,
                    "denominator": None,
                    "definition_vi": "Dữ liệu tổng hợp cho đo hiệu năng, không phải số liệu thật.",
                    "definition_en": "Synthetic data for benchmarks, not real figures.",
                    "definition_version": "synthetic",
                    "active": False,
                }
                for n, code in enumerate(extra, start=1)
            ],
        )
    return codes + extra


def _layout(engine: Engine, codes: list[str], size: Size) -> Layout:
    cat = load_catalogue()
    with db.session_scope(engine) as session:
        units = all_units(session)
    by_id = {u.id: u for u in units}

    def province(u: UnitInfo) -> UnitInfo:
        while u.parent_id is not None:
            u = by_id[u.parent_id]
        return u

    span = (size.periods[0].start, size.periods[-1].end)
    real = [u for u in units if province(u).code == PROVINCE_CODE and u.valid_during(*span)]
    synthetic = [u for u in units if province(u).code.startswith("N")]
    order = {"commune": 0, "agencies": 1, "district": 2, "province": 3}
    chosen = sorted(real + synthetic, key=lambda u: (order[u.level], u.id))
    provinces = [u for u in chosen if u.level == "province"]
    pindex = {p.id: n for n, p in enumerate(provinces)}
    kinds = [cat[c].kind if c in cat else "flow" for c in codes]
    return Layout(
        units=chosen,
        province_of=np.array([pindex[province(u).id] for u in chosen]),
        provinces=provinces,
        codes=codes,
        levels=np.array([k == "level" for k in kinds]),
        percent=np.array([c in cat and cat[c].percent for c in codes]),
    )


def _quarters(
    layout: Layout, size: Size, first_batch: int, first_id: int
) -> Iterator[dict[str, Any]]:
    """Per quarter: the batches and the rows (as numpy columns), current and revised."""
    rng = np.random.default_rng(SEED)
    units = layout.units
    n_units, n_ind = len(units), len(layout.codes)
    index = {u.id: n for n, u in enumerate(units)}
    parent = np.array([index.get(u.parent_id, -1) if u.parent_id else -1 for u in units])
    level = np.array([u.level for u in units], dtype=object)
    base = rng.lognormal(4.0, 0.8, size=(n_units, n_ind))
    base[level == "agencies"] *= 50
    code_arr = np.array(layout.codes, dtype=object)
    next_batch, next_id = first_batch, first_id
    for q, period in enumerate(size.periods):
        alive = np.array([u.valid_during(period.start, period.end) for u in units])
        growth = 1 + q / 40
        values = np.rint(base * growth * rng.uniform(0.8, 1.2, size=base.shape))
        draw = rng.random(size=base.shape)
        qual = np.where(draw < 0.02, 1, np.where(draw < 0.03, 2, 0))
        values[~alive] = 0
        qual[~alive] = 0
        # Levels are each unit's own: percentages with two decimals, small counts otherwise.
        pct = np.round(rng.uniform(50, 100, size=(n_units, int(layout.percent.sum()))), 2)
        values[:, layout.percent] = pct
        small = layout.levels & ~layout.percent
        values[:, small] = rng.integers(1, 4, size=(n_units, int(small.sum())))
        qual[:, layout.levels] = 0
        # Communes into districts, then districts and agencies into provinces.
        for child_level in ("commune", "district"):
            rows = np.flatnonzero(
                (level == child_level) | ((level == "agencies") & (child_level == "district"))
            )
            rows = rows[alive[rows] & (parent[rows] >= 0)]
            targets = np.unique(parent[rows])
            add = ~layout.levels
            values[np.ix_(targets, add)] = 0
            np.add.at(
                values,
                (parent[rows][:, None], np.flatnonzero(add)[None, :]),
                values[np.ix_(rows, add)],
            )
            worst = np.zeros((n_units, n_ind), dtype=int)
            approx = np.zeros((n_units, n_ind), dtype=bool)
            least = np.zeros((n_units, n_ind), dtype=bool)
            np.logical_or.at(approx, parent[rows], qual[rows] == 1)
            np.logical_or.at(least, parent[rows], qual[rows] == 2)
            worst = np.where(approx, 1, np.where(least, 2, 0))
            qual[np.ix_(targets, add)] = worst[np.ix_(targets, add)]
        batches = [next_batch + p for p in range(len(layout.provinces))]
        revision_batch = next_batch + len(layout.provinces)
        next_batch = revision_batch + 1
        live = np.flatnonzero(alive)
        u_idx = np.repeat(live, n_ind)
        i_idx = np.tile(np.arange(n_ind), len(live))
        n = len(u_idx)
        batch = np.array(batches)[layout.province_of[u_idx]]
        revised = (
            (level[u_idx] == "commune") & ~layout.levels[i_idx] & (rng.random(n) < REVISED_SHARE)
        )
        batch = np.where(revised, revision_batch, batch)
        ids = np.arange(next_id, next_id + n)
        next_id += n
        old_n = int(revised.sum())
        old_ids = np.arange(next_id, next_id + old_n)
        next_id += old_n
        uid = np.array([u.id for u in units])
        current_values = values[u_idx, i_idx]
        yield {
            "period": period,
            "codes": layout.codes,
            "batches": batches,
            "revision_batch": revision_batch,
            "current": {
                "id": ids,
                "indicator_index": i_idx,
                "qualifier_index": qual[u_idx, i_idx],
                "indicator_code": code_arr[i_idx],
                "unit_id": uid[u_idx],
                "value": current_values,
                "qualifier": QUALIFIERS[qual[u_idx, i_idx]],
                "batch_id": batch,
                "is_current": np.ones(n, dtype=bool),
                "superseded_by_batch_id": np.full(n, None, dtype=object),
            },
            "revised": {
                "id": old_ids,
                "indicator_index": i_idx[revised],
                "qualifier_index": np.full(old_n, APPROX),
                "indicator_code": code_arr[i_idx[revised]],
                "unit_id": uid[u_idx[revised]],
                "value": np.rint(current_values[revised] * 0.9),
                "qualifier": np.full(old_n, "approx", dtype=object),
                "batch_id": np.array(batches)[layout.province_of[u_idx[revised]]],
                "is_current": np.zeros(old_n, dtype=bool),
                "superseded_by_batch_id": np.full(old_n, revision_batch, dtype=object),
            },
        }


def _batch_rows(
    layout: Layout, part: dict[str, Any], counts: dict[int, int]
) -> list[dict[str, Any]]:
    period: Period = part["period"]
    created = dt.datetime(period.end.year, period.end.month, period.end.day) + dt.timedelta(days=15)
    rows = []
    for province, batch_id in zip(layout.provinces, part["batches"], strict=True):
        rows.append((batch_id, f"synthetic-{province.code}-{period.code}.csv", created))
    rows.append(
        (
            part["revision_batch"],
            f"synthetic-revisions-{period.code}.csv",
            created + dt.timedelta(days=30),
        )
    )
    return [
        {
            "id": batch_id,
            "source_kind": "csv",
            "file_name": name,
            "period": period.code,
            "user": ADMIN.name,
            "created_at": at,
            "status": "committed",
            "is_demo": True,
            "inserted": counts.get(batch_id, 0),
            "revised": counts.get(-batch_id, 0),
            "unchanged": 0,
            "note": f"{NOTE} (seed {SEED})",
        }
        for batch_id, name, at in rows
    ]


def _counts(part: dict[str, Any]) -> dict[int, int]:
    counts: dict[int, int] = {}
    ids, n = np.unique(part["current"]["batch_id"], return_counts=True)
    counts.update({int(i): int(c) for i, c in zip(ids, n, strict=True)})
    counts[-part["revision_batch"]] = len(part["revised"]["id"])
    return counts


def _index_ddl(engine: Engine, *, if_not_exists: bool = False) -> list[tuple[str, str]]:
    return [
        (
            str(ix.name),
            str(CreateIndex(ix, if_not_exists=if_not_exists).compile(dialect=engine.dialect)),
        )
        for ix in sorted(Observation.__table__.indexes, key=lambda i: str(i.name))
    ]


def _copy_csv(columns: dict[str, Any]) -> bytes:
    """COPY text of one part. The text columns are made from their codes' indexes (Arrow
    dictionary arrays, cast once), not from a Python string per row: 0.24 s -> 0.02 s for a
    quarter's 690,000 indicator codes."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    n = len(columns["id"])

    def coded(index: np.ndarray, names: Any) -> pa.Array:
        return pa.DictionaryArray.from_arrays(
            pa.array(index, type=pa.int32()), pa.array(list(names), type=pa.string())
        ).cast(pa.string())

    superseded = columns["superseded_by_batch_id"]
    later = pa.nulls(n, pa.int64()) if n == 0 or superseded[0] is None else None
    table = pa.table(
        {
            "id": pa.array(columns["id"], type=pa.int64()),
            "indicator_code": coded(columns["indicator_index"], columns["codes"]),
            "unit_id": pa.array(columns["unit_id"], type=pa.int64()),
            "period": pa.repeat(columns["period_code"], n).cast(pa.string()),
            "value": pa.array(columns["value"], type=pa.float64()),
            "qualifier": coded(columns["qualifier_index"], QUALIFIERS),
            "batch_id": pa.array(columns["batch_id"], type=pa.int64()),
            "is_current": pa.array(columns["is_current"], type=pa.bool_()),
            "superseded_by_batch_id": later
            if later is not None
            else pa.array(superseded.astype(np.int64), type=pa.int64()),
        }
    )
    out = io.BytesIO()
    pacsv.write_csv(table, out, pacsv.WriteOptions(include_header=False, quoting_style="none"))
    return out.getvalue()


class _made_in_a_thread:
    """The quarters and their COPY text, made by a thread one quarter ahead of the COPY that
    sends them (NumPy and Arrow let go of the GIL for most of it, and the server parses while
    the next quarter is made); ``seconds`` is the thread's own time."""

    def __init__(self, parts: Iterator[dict[str, Any]]) -> None:
        self.seconds = 0.0
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=2)
        self._thread = threading.Thread(target=self._make, args=(parts,), daemon=True)
        self._thread.start()

    def _make(self, parts: Iterator[dict[str, Any]]) -> None:
        try:
            while True:
                started = time.perf_counter()
                part = next(parts, None)
                if part is None:
                    break
                data = {
                    kind: _copy_csv(
                        {**part[kind], "period_code": part["period"].code, "codes": part["codes"]}
                    )
                    for kind in ("current", "revised")
                }
                self.seconds += time.perf_counter() - started
                self._queue.put((part, data))
            self._queue.put(None)
        except BaseException as exc:  # handed to the consumer, which raises it
            self._queue.put(exc)

    def __iter__(self) -> Iterator[tuple[dict[str, Any], dict[str, bytes]]]:
        while (item := self._queue.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
        self._thread.join()


def _sqlite_rows(columns: dict[str, Any], period_code: str) -> Iterator[tuple[Any, ...]]:
    values = columns["value"]
    whole = np.all(values == np.rint(values))
    text_values = (
        [str(int(v)) for v in values]
        if whole
        else [str(np.round(v, 6)).removesuffix(".0") for v in values]
    )
    superseded = columns["superseded_by_batch_id"]
    return zip(
        columns["id"].tolist(),
        columns["indicator_code"].tolist(),
        columns["unit_id"].tolist(),
        [period_code] * len(values),
        text_values,
        columns["qualifier"].tolist(),
        columns["batch_id"].tolist(),
        [int(c) for c in columns["is_current"]],
        [None if s is None else int(s) for s in superseded],
        strict=True,
    )


def build(url: str, size: Size = NATIONAL, *, say: Any = print) -> dict[str, float]:
    """Fill the (empty) database at ``url``; returns counts and seconds of each step."""
    started = time.perf_counter()
    engine = db.make_engine(url)
    timings: dict[str, float] = {}
    try:
        say(f"national: {check_space(engine, size)}")
        init_database(engine, ADMIN)
        with engine.connect() as conn:
            if conn.execute(select(func.count()).select_from(Observation)).scalar():
                raise NotEmpty(f"{make_url(url).render_as_string()} already holds figures")
        _add_units(engine, size)
        codes = _add_indicators(engine, size)
        layout = _layout(engine, codes, size)
        timings["schema, units and indicators"] = time.perf_counter() - started
        with engine.connect() as conn:
            first_batch = int(conn.execute(select(func.max(ImportBatch.id))).scalar() or 0) + 1
        step = time.perf_counter()
        if engine.dialect.name == "postgresql":
            rows = _load_postgres(engine, layout, size, first_batch, timings, say)
        else:
            rows = _load_sqlite(engine, layout, size, first_batch, timings, say)
        with db.session_scope(engine) as session:
            db.bump_data_version(session)
        timings["load, indexes and statistics"] = time.perf_counter() - step
    finally:
        engine.dispose()
    return {
        **{k: float(v) for k, v in rows.items()},
        **timings,
        "total seconds": time.perf_counter() - started,
    }


#: COPY streams at once: each is one server process parsing and writing rows, the bottleneck
#: of the load (one stream: 31.6 s for 27.5 million rows on two cores, two: see BENCHMARKS.md)
COPY_STREAMS = 2


def _load_postgres(
    engine: Engine,
    layout: Layout,
    size: Size,
    first_batch: int,
    timings: dict[str, float],
    say: Any,
) -> dict[str, int]:
    """COPY on ``COPY_STREAMS`` connections, committed together once all have written; then
    the indexes, built after the rows (one sort each instead of 27 million insertions)."""
    ddl = _index_ddl(engine)
    with engine.begin() as conn:  # committed now, or the streams would wait on its lock
        for name, _ in ddl:
            conn.exec_driver_sql(f'DROP INDEX IF EXISTS "{name}"')
    try:
        return _copy_and_index(engine, layout, size, first_batch, ddl, timings, say)
    except BaseException:
        # Leave the table as it was found: empty (build() refuses a table with figures, so
        # every row is ours, committed or not), with its indexes.
        with engine.begin() as conn:
            conn.exec_driver_sql("TRUNCATE observation")
            for _, statement in _index_ddl(engine, if_not_exists=True):
                conn.exec_driver_sql(statement)
        raise


def _session_settings(cur: Any) -> None:
    superuser = cur.execute("SELECT current_setting('is_superuser')").fetchone()[0] == "on"
    if superuser:  # consistent by construction: no foreign-key trigger per row
        cur.execute("SET session_replication_role = replica")
    cur.execute("SET maintenance_work_mem = '1GB'")


class _CopyStream(threading.Thread):
    """One connection that COPYs the texts it is handed, in one transaction left open for
    :func:`_copy_and_index` to commit or roll back with the others."""

    SQL = f"COPY observation ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT csv)"

    def __init__(self, engine: Engine, work: queue.Queue[bytes | None]) -> None:
        super().__init__(daemon=True)
        self.raw = engine.raw_connection()
        self.work = work
        self.error: BaseException | None = None
        _session_settings(self.raw.cursor())

    def run(self) -> None:
        cur = self.raw.cursor()
        while (data := self.work.get()) is not None:
            if self.error is None:
                try:
                    with cur.copy(self.SQL) as copy:
                        copy.write(data)
                except BaseException as exc:  # raised by the caller after join()
                    self.error = exc


def _copy_and_index(
    engine: Engine,
    layout: Layout,
    size: Size,
    first_batch: int,
    ddl: list[tuple[str, str]],
    timings: dict[str, float],
    say: Any,
) -> dict[str, int]:
    current = revised = 0
    batch_rows: list[dict[str, Any]] = []
    step = time.perf_counter()
    work: queue.Queue[bytes | None] = queue.Queue(maxsize=2 * COPY_STREAMS)
    streams = [_CopyStream(engine, work) for _ in range(COPY_STREAMS)]
    try:
        for stream in streams:
            stream.start()
        made = _made_in_a_thread(_quarters(layout, size, first_batch, 1))
        for part, data in made:
            batch_rows += _batch_rows(layout, part, _counts(part))
            for kind in ("current", "revised"):
                work.put(data[kind])
            current += len(part["current"]["id"])
            revised += len(part["revised"]["id"])
            if any(s.error for s in streams):
                break
        for _ in streams:
            work.put(None)
        for stream in streams:
            stream.join()
        errors = [s.error for s in streams if s.error is not None]
        if errors:
            raise errors[0]
        for stream in streams:
            stream.raw.commit()
    finally:
        for stream in streams:
            stream.raw.close()  # rolls back what was not committed
    timings["COPY (rows generated and written)"] = time.perf_counter() - step
    timings["generating rows in Python (a thread beside COPY)"] = made.seconds
    say(f"national: {current + revised:,} rows copied in {time.perf_counter() - step:.1f} s")
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        _session_settings(cur)
        cur.executemany(
            'INSERT INTO import_batch (id, source_kind, file_name, period, "user", created_at, '
            "status, is_demo, inserted, revised, unchanged, note) VALUES (%(id)s, "
            "%(source_kind)s, %(file_name)s, %(period)s, %(user)s, %(created_at)s, %(status)s, "
            "%(is_demo)s, %(inserted)s, %(revised)s, %(unchanged)s, %(note)s)",
            batch_rows,
        )
        step = time.perf_counter()
        for name, statement in ddl:
            one = time.perf_counter()
            cur.execute(statement)
            say(f"national: index {name} in {time.perf_counter() - one:.1f} s")
        timings["indexes"] = time.perf_counter() - step
        for table in ("observation", "import_batch", "unit"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        raw.commit()
    finally:
        raw.close()
    step = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    timings["VACUUM ANALYZE"] = time.perf_counter() - step
    return {"current rows": current, "revised rows": revised, "batches": len(batch_rows)}


def _load_sqlite(
    engine: Engine,
    layout: Layout,
    size: Size,
    first_batch: int,
    timings: dict[str, float],
    say: Any,
) -> dict[str, int]:
    current = revised = 0
    ddl = _index_ddl(engine)
    engine.dispose()
    conn = sqlite3.connect(str(engine.url.database), isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-1000000")
        conn.execute("PRAGMA temp_store=MEMORY")
        conn.execute("BEGIN")
        for name, _ in ddl:
            conn.execute(f'DROP INDEX IF EXISTS "{name}"')
        step = time.perf_counter()
        insert_sql = f"INSERT INTO observation ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
        batch_rows: list[dict[str, Any]] = []
        for part in _quarters(layout, size, first_batch, 1):
            batch_rows += _batch_rows(layout, part, _counts(part))
            for kind in ("current", "revised"):
                conn.executemany(insert_sql, _sqlite_rows(part[kind], part["period"].code))
            current += len(part["current"]["id"])
            revised += len(part["revised"]["id"])
        conn.executemany(
            'INSERT INTO import_batch (id, source_kind, file_name, period, "user", created_at, '
            "status, is_demo, inserted, revised, unchanged, note) VALUES (:id, :source_kind, "
            ":file_name, :period, :user, :created_at, :status, :is_demo, :inserted, :revised, "
            ":unchanged, :note)",
            [{**r, "created_at": r["created_at"].isoformat(sep=" ")} for r in batch_rows],
        )
        timings["executemany (rows generated and written)"] = time.perf_counter() - step
        say(
            f"national: {current + revised:,} rows inserted in {timings['executemany (rows generated and written)']:.1f} s"
        )
        step = time.perf_counter()
        for name, statement in ddl:
            one = time.perf_counter()
            conn.execute(statement)
            say(f"national: index {name} in {time.perf_counter() - one:.1f} s")
        timings["indexes"] = time.perf_counter() - step
        conn.execute("COMMIT")
        step = time.perf_counter()
        conn.execute("ANALYZE")
        conn.execute("PRAGMA journal_mode=WAL")
        timings["ANALYZE"] = time.perf_counter() - step
    finally:
        conn.close()
    return {"current rows": current, "revised rows": revised, "batches": len(batch_rows)}
