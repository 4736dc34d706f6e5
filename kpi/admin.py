"""What administrators change besides users: targets and which indicators are active.

Targets are validated like an upload (a known indicator and unit, a year, a number read the
Vietnamese way, whole numbers for counts, percentages within 0-100 on the 0-100 scale that
figures use) and written in one transaction with an audit entry; a rejected table writes
nothing. An indicator is never deleted: it is set inactive (its figures and history stay), and
the database's flag wins over the catalogue file's from then on (:func:`apply_activation`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from kpi import audit
from kpi.access import Actor, require
from kpi.catalogue import Catalogue
from kpi.db import bump_data_version
from kpi.models import Indicator, Target, Unit
from kpi.numbers import NumberError, parse_number

TARGET_FIELDS = ("indicator", "unit", "year", "value")


@dataclass(frozen=True)
class TargetProblem:
    row: int  # 1-based, as on screen
    column: str
    code: str  # unknown_indicator | unknown_unit | bad_year | bad_number | not_whole | ...
    found: str


def apply_activation(cat: Catalogue, session: Session) -> Catalogue:
    """The catalogue with each indicator's active flag as the database holds it."""
    flags = dict(session.execute(select(Indicator.code, Indicator.active)).all())
    changed = {
        code: dataclasses.replace(ind, active=bool(flags[code]))
        for code, ind in cat.indicators.items()
        if code in flags and bool(flags[code]) != ind.active
    }
    if not changed:
        return cat
    return dataclasses.replace(cat, indicators={**cat.indicators, **changed})


def set_active(session: Session, actor: Actor, code: str, active: bool) -> bool:
    """Make an indicator active or inactive; True when something changed."""
    require(actor, "admin")
    row = session.get(Indicator, code)
    if row is None:
        raise KeyError(code)
    if row.active == active:
        return False
    bump_data_version(session)
    row.active = active
    audit.record(session, actor, "catalogue", indicator=code, active=active)
    session.flush()
    return True


def target_table(session: Session, cat: Catalogue) -> pd.DataFrame:
    """Every whole-year target: indicator, unit code, year, value (0-100 for percentages)."""
    rows = session.execute(
        select(Target.indicator_code, Unit.code, Target.year, Target.value)
        .join(Unit, Unit.id == Target.unit_id)
        .where(Target.quarter == 0)
        .order_by(Target.year, Target.indicator_code, Unit.code)
    ).all()
    return pd.DataFrame(
        [
            {"indicator": r[0], "unit": r[1], "year": int(r[2]), "value": float(r[3])}
            for r in rows
            if r[0] in cat
        ],
        columns=list(TARGET_FIELDS),
    )


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def check_targets(
    session: Session, cat: Catalogue, rows: Sequence[dict[str, Any]]
) -> tuple[list[tuple[str, int, int, Decimal]], list[TargetProblem]]:
    """The targets a table asks for, as (indicator, unit id, year, value), and its problems.
    Rows left wholly empty are ignored; a row with the value left empty is dropped later (a
    target removed)."""
    units: dict[str, list[tuple[int, dt.date, dt.date | None]]] = {}
    for uid, code, start, end in session.execute(
        select(Unit.id, Unit.code, Unit.valid_from, Unit.valid_to)
    ):
        units.setdefault(code, []).append((uid, start, end))
    problems: list[TargetProblem] = []
    out: list[tuple[str, int, int, Decimal]] = []
    seen: set[tuple[str, int, int]] = set()
    for i, row in enumerate(rows, start=1):
        texts = {f: _text(row.get(f)) for f in TARGET_FIELDS}
        if not any(texts.values()):
            continue
        ind = cat.indicators.get(texts["indicator"])
        if ind is None:
            problems.append(TargetProblem(i, "indicator", "unknown_indicator", texts["indicator"]))
            continue
        try:
            year = int(texts["year"])
            if not 2000 <= year <= 2100:
                raise ValueError
        except ValueError:
            problems.append(TargetProblem(i, "year", "bad_year", texts["year"]))
            continue
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        fits = [
            uid
            for uid, start, end in units.get(texts["unit"], [])
            if start <= last and (end is None or end >= first)
        ]
        if not fits:
            problems.append(TargetProblem(i, "unit", "unknown_unit", texts["unit"]))
            continue
        uid = fits[0]
        try:
            raw = row.get("value")
            whole = ind.decimals == 0 and not ind.percent
            value = parse_number(
                raw if isinstance(raw, int | float) else texts["value"], whole=whole
            ).value
        except NumberError:
            problems.append(TargetProblem(i, "value", "bad_number", texts["value"]))
            continue
        if value < 0:
            problems.append(TargetProblem(i, "value", "negative", texts["value"]))
            continue
        if ind.percent and value > 100:
            problems.append(TargetProblem(i, "value", "percent_out_of_range", texts["value"]))
            continue
        if ind.decimals == 0 and not ind.percent and value != value.to_integral_value():
            problems.append(TargetProblem(i, "value", "not_whole", texts["value"]))
            continue
        key = (ind.code, uid, year)
        if key in seen:
            problems.append(TargetProblem(i, "indicator", "duplicate", texts["indicator"]))
            continue
        seen.add(key)
        out.append((ind.code, uid, year, value))
    return out, problems


def save_targets(
    session: Session, actor: Actor, cat: Catalogue, rows: Sequence[dict[str, Any]]
) -> tuple[dict[str, int], list[TargetProblem]]:
    """Replace the whole-year targets by the table's. Nothing is written while a problem
    stands. Returns the counts (added, changed, removed) and the problems."""
    require(actor, "admin")
    wanted, problems = check_targets(session, cat, rows)
    if problems:
        return {"added": 0, "changed": 0, "removed": 0}, problems
    existing = {
        (t.indicator_code, t.unit_id, t.year): t
        for t in session.scalars(select(Target).where(Target.quarter == 0))
        if t.indicator_code in cat
    }
    counts = {"added": 0, "changed": 0, "removed": 0}
    keep = set()
    for code, uid, year, value in wanted:
        key = (code, uid, year)
        keep.add(key)
        row = existing.get(key)
        if row is None:
            session.add(Target(indicator_code=code, unit_id=uid, year=year, quarter=0, value=value))
            counts["added"] += 1
        elif Decimal(row.value) != value:
            row.value = value
            row.is_demo = False
            counts["changed"] += 1
    for key, row in existing.items():
        if key not in keep:
            session.delete(row)
            counts["removed"] += 1
    if any(counts.values()):
        bump_data_version(session)
        audit.record(session, actor, "targets", counts=counts)
    session.flush()
    return counts, problems
