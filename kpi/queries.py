"""Reading figures: functions that take a session and return tidy DataFrames.

:func:`figures` is the one fetch that feeds every page, chart and export: it reads the current
stored figures, adds what units and years imply (``kpi.metrics``) and computes derived figures.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Float, String, cast, select, true, type_coerce
from sqlalchemy.orm import Session, aliased

from kpi import metrics
from kpi.catalogue import Catalogue
from kpi.models import CURRENT, FORMER, ImportBatch, Observation
from kpi.periods import Period, period_range
from kpi.units import UnitInfo


@dataclass(frozen=True)
class Query:
    """What to read: indicators, units, a quarter range and a frequency."""

    indicators: tuple[str, ...]
    unit_ids: tuple[int, ...]
    first: str
    last: str
    freq: str = "quarter"  # quarter | year


def base_codes(catalogue: Catalogue, codes: Sequence[str]) -> list[str]:
    """The stored codes needed for ``codes``: derived figures need their inputs."""
    out: list[str] = []
    for code in codes:
        ind = catalogue[code]
        for c in ind.inputs if ind.is_derived else (code,):
            if c not in out:
                out.append(c)
    return out


#: unit ids per ``IN`` list: the database filters every unit set, however large, in parts
#: that stay under SQLite's oldest limit of bound parameters
IN_CHUNK = 900


def _chunks(ids: Sequence[int]) -> list[list[int]]:
    unique = list(dict.fromkeys(ids))
    return [unique[i : i + IN_CHUNK] for i in range(0, len(unique), IN_CHUNK)]


def _value_for_floats(session: Session) -> ColumnElement[Any]:
    """``value`` as the frames hold it (float), converted once and correctly rounded, as
    ``float(Decimal)`` would: on PostgreSQL by ``numeric::float8`` (strtod of its text), on
    SQLite from the stored decimal text by pandas; never through a ``Decimal`` per row."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(Observation.value, Float).label("value")
    return type_coerce(Observation.value, String()).label("value")


def fetch_current(
    session: Session, codes: Sequence[str], unit_ids: Sequence[int], first: str, last: str
) -> pd.DataFrame:
    """The current stored figures, one row per (indicator, unit, quarter)."""
    if not codes or not unit_ids:
        return metrics.empty_frame()
    stmt = (
        select(
            Observation.indicator_code,
            Observation.unit_id,
            Observation.period,
            _value_for_floats(session),
            Observation.qualifier,
            Observation.batch_id,
            ImportBatch.is_demo,
        )
        .join(ImportBatch, ImportBatch.id == Observation.batch_id)
        .where(
            CURRENT,
            Observation.indicator_code.in_(list(codes)),
            Observation.period >= first,
            Observation.period <= last,
        )
    )
    # Core rows, then the frame built column by column with its types given: pandas neither
    # infers a type per row nor copies the frame to convert and reorder it (q1 at national scale,
    # 40 rows: 2.3 -> 1.35 ms).
    conn = session.connection()
    rows: list[Any] = []
    for part in _chunks(unit_ids):
        rows += conn.execute(stmt.where(Observation.unit_id.in_(part))).all()
    if not rows:
        return metrics.empty_frame()
    indicator, unit_id, period, value, qualifier, batch_id, is_demo = zip(*rows, strict=True)
    missing = np.full(len(rows), np.nan)
    return pd.DataFrame(
        {
            "indicator": pd.array(indicator, dtype="str"),
            "unit_id": np.array(unit_id, dtype=np.int64),
            "period": pd.array(period, dtype="str"),
            "value": np.array(value, dtype=float),
            "qualifier": pd.array(qualifier, dtype="str"),
            "complete": np.ones(len(rows), dtype=bool),
            "is_demo": np.array(is_demo, dtype=bool),
            "numerator": missing,
            "denominator": missing.copy(),
            "batch_id": np.array(batch_id, dtype=np.int64),
        },
        columns=metrics.COLUMNS,
    )


def figures(
    session: Session, catalogue: Catalogue, units: Sequence[UnitInfo], query: Query
) -> pd.DataFrame:
    """The figures of ``query`` with the aggregation rules applied (see ``kpi.metrics``)."""
    codes = base_codes(catalogue, query.indicators)
    by_id = {u.id: u for u in units}
    children: dict[int, list[UnitInfo]] = defaultdict(list)
    for u in units:
        if u.parent_id is not None:
            children[u.parent_id].append(u)
    wanted = [uid for uid in query.unit_ids if uid in by_id]
    periods = period_range(query.first, query.last)
    obs = fetch_current(session, codes, wanted, query.first, query.last)
    # A wanted unit without a stored figure of a flow or a stock may be the sum of its units:
    # only then are its descendants read (the province usually reports its own figures).
    additive = [c for c in codes if catalogue[c].kind in ("flow", "stock")]
    parents = [uid for uid in wanted if children.get(uid)]
    stored = obs.groupby(["indicator", "unit_id"]).size().to_dict() if not obs.empty else {}
    gaps = sorted(
        {c for c in additive for uid in parents if stored.get((c, uid), 0) < len(periods)}
    )
    needed: list[int] = list(wanted)
    if gaps:
        seen = set(wanted)
        stack = [c.id for uid in parents for c in children[uid]]
        descendants: list[int] = []
        while stack:
            uid = stack.pop()
            if uid in seen:
                continue
            seen.add(uid)
            descendants.append(uid)
            stack.extend(c.id for c in children.get(uid, []))
        if descendants:
            below = fetch_current(session, gaps, descendants, query.first, query.last)
            if not below.empty:
                obs = below if obs.empty else pd.concat([obs, below], ignore_index=True)
            needed += descendants
    parent_ids = {uid for uid in needed if children.get(uid)}
    bounds = [(p.code, p.start, p.end) for p in periods]  # dates computed once, not per unit
    children_count = _children_count(children, parent_ids, bounds)
    parent_of = {uid: by_id[uid].parent_id for uid in needed}
    frame = metrics.rollup_units(obs, catalogue, parent_of, children_count, wanted)
    if query.freq == "year":
        frame = metrics.to_years(frame, catalogue)
    frame = metrics.add_derived(frame, catalogue, query.indicators)
    frame = frame[frame["indicator"].isin(query.indicators)]
    frame = frame.sort_values(["indicator", "unit_id", "period"]).reset_index(drop=True)
    return frame


def _children_count(
    children: dict[int, list[UnitInfo]],
    parent_ids: set[int],
    bounds: list[tuple[str, dt.date, dt.date]],
) -> dict[tuple[int, str], int]:
    """(parent, quarter) -> how many of its units existed during the quarter. The units that
    existed all through the range are counted once, not once a quarter (a country's 700
    parents over 40 quarters: 17 ms -> a few)."""
    if not bounds:
        return {}
    first, last = bounds[0][1], bounds[-1][2]
    out: dict[tuple[int, str], int] = {}
    for pid in parent_ids:
        kids = children[pid]
        changing = [c for c in kids if not (c.valid_from <= first and c.valid_until_at_least(last))]
        steady = len(kids) - len(changing)
        for code, start, end in bounds:
            out[(pid, code)] = steady + sum(1 for c in changing if c.valid_during(start, end))
    return out


def periods_with_data(session: Session) -> list[str]:
    """The quarters that have current figures, in order.

    A skip scan: each step asks the period index for the first quarter after the last one
    found, so a national table of tens of millions of rows costs one index probe per quarter
    (a ``DISTINCT`` would read every row)."""
    inner = aliased(Observation)
    first = select(Observation.period).where(CURRENT).order_by(Observation.period).limit(1)
    found = select(first.scalar_subquery().label("period")).cte("found", recursive=True)
    later = (
        select(inner.period)
        .where(inner.is_current == true(), inner.period > found.c.period)
        .order_by(inner.period)
        .limit(1)
        .scalar_subquery()
    )
    found = found.union_all(select(later).where(found.c.period.is_not(None)))
    rows = session.execute(
        select(found.c.period).where(found.c.period.is_not(None)).order_by(found.c.period)
    ).scalars()
    return [str(r) for r in rows]


SOURCE_COLUMNS = [
    "indicator",
    "unit_id",
    "period",
    "value",
    "qualifier",
    "is_current",
    "batch_id",
    "source_kind",
    "file_name",
    "user",
    "created_at",
    "status",
    "is_demo",
    "source_sheet",
    "source_cell",
    "source_text",
    "source_read",
    "report_number",
    "report_date",
]


def figure_sources(
    session: Session,
    codes: Sequence[str],
    unit_ids: Sequence[int],
    first: str,
    last: str,
    *,
    current_only: bool = True,
) -> pd.DataFrame:
    """Where stored figures came from, in one query: value, qualifier, batch (kind, file, user,
    time, status, demo or not) and place (sheet and cell, or report line and sentence), newest
    value first within a figure. ``current_only=False`` adds the values that were revised."""
    if not codes or not unit_ids:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in SOURCE_COLUMNS})
    stmt = (
        select(
            Observation.indicator_code,
            Observation.unit_id,
            Observation.period,
            Observation.value,
            Observation.qualifier,
            Observation.is_current,
            Observation.batch_id,
            ImportBatch.source_kind,
            ImportBatch.file_name,
            ImportBatch.user,
            ImportBatch.created_at,
            ImportBatch.status,
            ImportBatch.is_demo,
            Observation.source_sheet,
            Observation.source_cell,
            Observation.source_text,
            Observation.source_read,
            ImportBatch.report_number,
            ImportBatch.report_date,
            Observation.id,
        )
        .join(ImportBatch, ImportBatch.id == Observation.batch_id)
        .where(
            Observation.indicator_code.in_(list(codes)),
            Observation.period >= first,
            Observation.period <= last,
        )
        .order_by(Observation.id.desc())
    )
    # The current rows from their index, the revised ones from the history index (each partial,
    # so the two are asked apart), then merged newest first.
    states = [CURRENT] if current_only else [CURRENT, FORMER]
    parts = [
        session.execute(stmt.where(state, Observation.unit_id.in_(part))).all()
        for state in states
        for part in _chunks(unit_ids)
    ]
    rows = (
        parts[0]
        if len(parts) == 1
        else sorted(chain(*parts), key=lambda r: int(r[-1]), reverse=True)
    )
    frame = pd.DataFrame(rows, columns=[*SOURCE_COLUMNS, "id"])
    return frame.drop(columns="id")


def figure_history(session: Session, indicator: str, unit_id: int, period: str) -> pd.DataFrame:
    """Every stored value of one figure, newest first, with its batch and source."""
    frame = figure_sources(session, [indicator], [unit_id], period, period, current_only=False)
    return frame.drop(columns=["indicator", "unit_id", "period"])


def batch_figures(session: Session, batch_id: int) -> pd.DataFrame:
    """The figures a batch stored, each with what became of it: ``current``, ``superseded``
    (by a later batch, named) or ``rolled_back``, and where in the file it came from."""
    stmt = (
        select(
            Observation.indicator_code,
            Observation.unit_id,
            Observation.period,
            Observation.value,
            Observation.qualifier,
            Observation.is_current,
            Observation.superseded_by_batch_id,
            ImportBatch.status,
            Observation.source_sheet,
            Observation.source_cell,
        )
        .join(ImportBatch, ImportBatch.id == Observation.batch_id)
        .where(Observation.batch_id == batch_id)
        .order_by(Observation.indicator_code, Observation.unit_id, Observation.period)
    )
    cols = [
        "indicator",
        "unit_id",
        "period",
        "value",
        "qualifier",
        "is_current",
        "superseded_by",
        "batch_status",
        "sheet",
        "cell",
    ]
    frame = pd.DataFrame(session.execute(stmt).all(), columns=cols)
    state = []
    for row in frame.itertuples():
        if row.is_current:
            state.append("current")
        elif row.superseded_by is not None and not pd.isna(row.superseded_by):
            state.append("superseded")
        else:
            state.append("rolled_back")
    frame["state"] = state
    return frame.drop(columns=["is_current", "batch_status"])


@dataclass(frozen=True)
class Previous:
    """The latest current figure of an (indicator, unit) before a quarter."""

    period: str
    value: Decimal
    qualifier: str


def previous_figures(
    session: Session,
    keys: Sequence[tuple[str, int]],
    period: str,
    lookback: int = 4,
) -> dict[tuple[str, int], Previous]:
    """For each (indicator, unit) of ``keys``, its current figure of the latest quarter among
    the ``lookback`` quarters before ``period`` (what an upload is compared with)."""
    if not keys:
        return {}
    last = Period.parse(period).shift(-1)
    first = last.shift(-(lookback - 1))
    codes = sorted({k[0] for k in keys})
    unit_ids = sorted({k[1] for k in keys})
    stmt = select(
        Observation.indicator_code,
        Observation.unit_id,
        Observation.period,
        Observation.value,
        Observation.qualifier,
    ).where(
        CURRENT,
        Observation.indicator_code.in_(codes),
        Observation.period >= first.code,
        Observation.period <= last.code,
    )
    if len(unit_ids) < 900:
        stmt = stmt.where(Observation.unit_id.in_(unit_ids))
    wanted = set(keys)
    out: dict[tuple[str, int], Previous] = {}
    for code, unit_id, p, value, qualifier in session.execute(stmt):
        key = (code, unit_id)
        if key in wanted and (key not in out or p > out[key].period):
            out[key] = Previous(p, Decimal(value), qualifier)
    return out
