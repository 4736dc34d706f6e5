"""Aggregation semantics (DESIGN.md section 4) on hand-made figures, on SQLite and PostgreSQL.

Expected values are written out by hand: a flow year is the sum of its quarters, a stock year is
its last quarter, a ratio is recomputed from summed parts, a missing quarter stays missing and
marks the year incomplete, qualifiers carry through, districts add up to the province.
"""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine

from kpi import metrics
from kpi.catalogue import load_catalogue
from kpi.db import session_scope
from kpi.periods import Period
from kpi.queries import Query, figures
from kpi.store import BatchInfo, Figure, commit_figures
from kpi.units import UnitDirectory, UnitInfo, all_units
from tests.conftest import EDITOR


def _units(engine: Engine) -> tuple[list[UnitInfo], UnitDirectory]:
    with session_scope(engine) as s:
        units = all_units(s)
    p = Period(2018, 1)
    return units, UnitDirectory(units, p.start, p.end)


def _store(engine: Engine, rows: list[tuple[str, str, str, object, str]]) -> None:
    _, d = _units(engine)
    figs = [
        Figure(code, d.by_code[unit].id, period, Decimal(str(v)), q)
        for code, unit, period, v, q in rows
    ]
    with session_scope(engine) as s:
        commit_figures(s, EDITOR, BatchInfo("csv", "hand-made.csv"), figs)


def _read(
    engine: Engine,
    codes: tuple[str, ...],
    unit_codes: tuple[str, ...],
    first: str,
    last: str,
    freq: str,
) -> pd.DataFrame:
    units, d = _units(engine)
    ids = tuple(d.by_code[c].id for c in unit_codes)
    with session_scope(engine) as s:
        frame = figures(s, load_catalogue(), units, Query(codes, ids, first, last, freq))
    code_of = {u.id: u.code for u in units}
    return frame.assign(unit=frame["unit_id"].map(code_of))


def _one(frame: pd.DataFrame, indicator: str, unit: str, period: str) -> dict:
    hit = frame[
        (frame["indicator"] == indicator) & (frame["unit"] == unit) & (frame["period"] == period)
    ]
    assert len(hit) == 1, f"{indicator} {unit} {period}: {len(hit)} rows"
    return dict(hit.iloc[0])


RECEIVED = [100, 200, 300, 400]
RESOLVED = [90, 200, 270, 400]
USERS = [10, 20, 30, 40]


@pytest.fixture
def year_2018(engine: Engine) -> Engine:
    rows = []
    for q in range(4):
        period = f"2018-Q{q + 1}"
        rows += [
            ("dossiers_received", "84", period, RECEIVED[q], "exact"),
            ("dossiers_resolved", "84", period, RESOLVED[q], "exact"),
            ("doc_system_users", "84", period, USERS[q], "exact"),
            ("e_documents_exchanged", "84", period, 1000, "approx" if q == 1 else "exact"),
            ("directive_docs_issued", "84", period, 50, "at_least" if q == 0 else "exact"),
            ("e_document_share_pct", "84", period, 80 + q, "exact"),
        ]
    rows += [
        ("dossiers_received", "84", "2019-Q1", 500, "exact"),
        ("dossiers_received", "84", "2019-Q2", 600, "exact"),
        ("online_services_l3", "84", "2018-Q4", 306, "exact"),
        ("online_services_l4", "84", "2018-Q4", 210, "exact"),
        ("online_services_l3", "84", "2019-Q1", 310, "exact"),
    ]
    _store(engine, rows)
    return engine


def test_a_flow_year_is_the_sum_of_its_quarters(year_2018: Engine) -> None:
    f = _read(year_2018, ("dossiers_received",), ("84",), "2018-Q1", "2018-Q4", "year")
    row = _one(f, "dossiers_received", "84", "2018")
    assert row["value"] == 1000
    assert row["complete"]


def test_a_stock_year_is_its_last_quarter_never_a_sum(year_2018: Engine) -> None:
    f = _read(year_2018, ("doc_system_users",), ("84",), "2018-Q1", "2018-Q4", "year")
    assert _one(f, "doc_system_users", "84", "2018")["value"] == 40


def test_a_level_year_is_its_last_quarter(year_2018: Engine) -> None:
    f = _read(year_2018, ("e_document_share_pct",), ("84",), "2018-Q1", "2018-Q4", "year")
    assert _one(f, "e_document_share_pct", "84", "2018")["value"] == 83


def test_a_ratio_year_is_recomputed_from_its_parts_not_averaged(year_2018: Engine) -> None:
    f = _read(year_2018, ("dossier_resolution_rate",), ("84",), "2018-Q1", "2018-Q4", "year")
    row = _one(f, "dossier_resolution_rate", "84", "2018")
    assert row["numerator"] == 960
    assert row["denominator"] == 1000
    assert row["value"] == pytest.approx(0.96)  # the average of the quarters' rates is 0.95


def test_a_missing_quarter_is_not_zero_and_marks_the_year_incomplete(year_2018: Engine) -> None:
    quarters = _read(year_2018, ("dossiers_received",), ("84",), "2019-Q1", "2019-Q4", "quarter")
    assert list(quarters["period"]) == ["2019-Q1", "2019-Q2"]  # Q3 and Q4 are absent, not 0
    row = _one(
        _read(year_2018, ("dossiers_received",), ("84",), "2019-Q1", "2019-Q4", "year"),
        "dossiers_received",
        "84",
        "2019",
    )
    assert row["value"] == 1100
    assert not row["complete"]


@pytest.mark.parametrize(
    ("code", "qualifier"),
    [
        ("e_documents_exchanged", "approx"),
        ("directive_docs_issued", "at_least"),
        ("dossiers_received", "exact"),
    ],
)
def test_a_qualifier_survives_the_year_sum(year_2018: Engine, code: str, qualifier: str) -> None:
    f = _read(year_2018, (code,), ("84",), "2018-Q1", "2018-Q4", "year")
    assert _one(f, code, "84", "2018")["qualifier"] == qualifier


def test_a_derived_total_needs_all_its_parts(year_2018: Engine) -> None:
    f = _read(year_2018, ("online_services_total",), ("84",), "2018-Q4", "2019-Q1", "quarter")
    assert _one(f, "online_services_total", "84", "2018-Q4")["value"] == 516
    assert f[f["period"] == "2019-Q1"].empty  # l4 is missing in 2019-Q1: no total


DISTRICTS = ["842", "844", "845", "846", "847", "848", "849", "850", "851"]


def test_districts_and_agencies_add_up_to_the_province(engine: Engine) -> None:
    rows = [("dossiers_received", "84-CQ", "2019-Q1", 1000, "exact")]
    rows += [
        ("dossiers_received", code, "2019-Q1", 100 * (n + 1), "exact")
        for n, code in enumerate(DISTRICTS)
    ]
    rows += [("dossiers_received", code, "2019-Q2", 10, "exact") for code in DISTRICTS[:5]]
    rows += [("e_document_share_pct", code, "2019-Q1", 90, "exact") for code in DISTRICTS]
    _store(engine, rows)
    f = _read(
        engine,
        ("dossiers_received", "e_document_share_pct"),
        ("84",),
        "2019-Q1",
        "2019-Q2",
        "quarter",
    )
    total = _one(f, "dossiers_received", "84", "2019-Q1")
    assert total["value"] == 1000 + 100 * 45
    assert total["complete"]
    partial = _one(f, "dossiers_received", "84", "2019-Q2")
    assert partial["value"] == 50
    assert not partial["complete"]  # the agencies and four districts did not report
    # A percentage reported without its parts is never added up across units.
    assert f[f["indicator"] == "e_document_share_pct"].empty


def test_a_stored_province_figure_wins_over_the_sum_of_districts(engine: Engine) -> None:
    rows = [("dossiers_received", "84", "2019-Q1", 38751, "exact")]
    rows += [("dossiers_received", code, "2019-Q1", 1, "exact") for code in DISTRICTS]
    _store(engine, rows)
    f = _read(engine, ("dossiers_received",), ("84",), "2019-Q1", "2019-Q1", "quarter")
    assert _one(f, "dossiers_received", "84", "2019-Q1")["value"] == 38751


def test_a_district_is_the_sum_of_its_communes(engine: Engine) -> None:
    _, d = _units(engine)
    communes = d.children(d.by_code["850"].id)
    assert len(communes) == 7
    rows = [
        ("dossiers_received", c.code, "2019-Q1", 10, "approx" if n == 0 else "exact")
        for n, c in enumerate(communes)
    ]
    _store(engine, rows)
    f = _read(engine, ("dossiers_received",), ("850",), "2019-Q1", "2019-Q1", "quarter")
    row = _one(f, "dossiers_received", "850", "2019-Q1")
    assert (row["value"], row["qualifier"], row["complete"]) == (70, "approx", True)


def test_a_ratio_with_an_approximate_part_is_approximate(engine: Engine) -> None:
    _store(
        engine,
        [
            ("dossiers_received", "84", "2019-Q1", 200, "approx"),
            ("dossiers_resolved", "84", "2019-Q1", 100, "exact"),
        ],
    )
    f = _read(engine, ("dossier_resolution_rate",), ("84",), "2019-Q1", "2019-Q1", "quarter")
    row = _one(f, "dossier_resolution_rate", "84", "2019-Q1")
    assert row["value"] == 0.5 and row["qualifier"] == "approx"


def test_a_ratio_over_zero_is_missing_not_infinite(engine: Engine) -> None:
    _store(
        engine,
        [
            ("dossiers_received", "84", "2019-Q1", 0, "exact"),
            ("dossiers_resolved", "84", "2019-Q1", 0, "exact"),
        ],
    )
    f = _read(engine, ("dossier_resolution_rate",), ("84",), "2019-Q1", "2019-Q1", "quarter")
    assert f.empty or all(math.isfinite(v) for v in f["value"])


def test_children_counted_per_quarter_as_each_quarter_would_count_them() -> None:
    """The count of a parent's units per quarter (what completeness compares with) skips the
    units that existed all through the range; it must equal counting every unit every quarter,
    for units that begin, end, or both, inside and outside the range."""
    import datetime as dt
    import random

    from kpi.periods import period_range
    from kpi.queries import _children_count
    from kpi.units import UnitInfo

    rng = random.Random(2019)
    days = [dt.date(2014, 1, 1) + dt.timedelta(days=rng.randrange(0, 4000)) for _ in range(400)]
    children: dict[int, list[UnitInfo]] = {}
    for pid in range(1, 21):
        kids = []
        for n in range(rng.randrange(0, 12)):
            start = rng.choice([dt.date(1900, 1, 1), *days])
            end = rng.choice([None, None, *[d for d in days if d >= start]])
            kids.append(
                UnitInfo(pid * 100 + n, f"{pid}-{n}", "x", "xa", "commune", pid, start, end)
            )
        children[pid] = kids
    bounds = [(p.code, p.start, p.end) for p in period_range("2016-Q1", "2025-Q4")]
    naive = {
        (pid, code): sum(1 for c in children[pid] if c.valid_during(start, end))
        for pid in children
        for code, start, end in bounds
    }
    assert _children_count(children, set(children), bounds) == naive
    assert _children_count(children, set(children), []) == {}


def test_stored_figures_come_back_in_the_frame_the_rules_expect(engine: Engine) -> None:
    """``fetch_current`` builds its frame column by column with the types given: the same
    types and values on both databases, whatever the rows."""
    from kpi.queries import fetch_current

    _store(engine, [("dossiers_received", "84", "2019-Q1", "38751", "exact"),
                    ("e_document_share_pct", "84", "2019-Q1", "99.57", "at_least"),
                    ("dossiers_received", "845", "2019-Q2", "123456789.123456", "approx")])  # fmt: skip
    _, d = _units(engine)
    ids = [d.by_code["84"].id, d.by_code["845"].id, d.by_code["846"].id]
    with session_scope(engine) as s:
        codes = ("dossiers_received", "e_document_share_pct")
        frame = fetch_current(s, codes, ids, "2019-Q1", "2019-Q4")
        none = fetch_current(s, codes, [d.by_code["846"].id], "2019-Q1", "2019-Q4")
    assert list(frame.columns) == list(none.columns) == metrics.COLUMNS
    assert {c: str(t) for c, t in frame.dtypes.items()} == {
        "indicator": "str", "unit_id": "int64", "period": "str", "value": "float64",
        "qualifier": "str", "complete": "bool", "is_demo": "bool", "numerator": "float64",
        "denominator": "float64", "batch_id": "int64",
    }  # fmt: skip
    got = sorted(zip(frame["indicator"], frame["unit_id"], frame["period"], frame["value"],
                     frame["qualifier"], strict=True))  # fmt: skip
    assert got == [
        ("dossiers_received", d.by_code["84"].id, "2019-Q1", 38751.0, "exact"),
        ("dossiers_received", d.by_code["845"].id, "2019-Q2", 123456789.123456, "approx"),
        ("e_document_share_pct", d.by_code["84"].id, "2019-Q1", 99.57, "at_least"),
    ]
    assert frame["complete"].all() and not frame["is_demo"].any()
    assert frame["numerator"].isna().all() and frame["batch_id"].nunique() == 1
    assert none.empty


def _sum_groups_by_named_aggregations(
    frame: pd.DataFrame, keys: list[str], expected: pd.Series | None, keep_count: bool
) -> pd.DataFrame:
    """The first ``metrics._sum_groups``, one named aggregation per column, as the reference."""
    q = frame["qualifier"].astype(str)
    f = frame.assign(
        _al=(q == "at_least"), _am=(q == "at_most"), _ap=~q.isin(["exact", "at_least", "at_most"])
    )
    out = f.groupby(keys, sort=False, dropna=False).agg(
        value=("value", "sum"),
        n=("value", "count"),
        complete=("complete", "all"),
        is_demo=("is_demo", "any"),
        _al=("_al", "any"),
        _am=("_am", "any"),
        _ap=("_ap", "any"),
    )
    out.loc[out["n"] == 0, "value"] = np.nan
    if expected is not None:
        exp = expected.reindex(out.index)
        out["complete"] = out["complete"] & (out["n"] >= exp.fillna(0).to_numpy())
    out["qualifier"] = metrics._qualifier_from_flags(out["_al"], out["_am"], out["_ap"])
    out = out.drop(columns=["_al", "_am", "_ap"] + ([] if keep_count else ["n"])).reset_index()
    out["batch_id"] = None
    return out


@pytest.mark.parametrize("seed", range(12))
def test_grouped_sums_agree_with_one_aggregation_per_column(seed: int) -> None:
    """``_sum_groups`` sums every column in one grouped pass; on random frames (missing values,
    every qualifier, incomplete and demo parts, expected counts) it gives what the named
    aggregations gave."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    values = rng.integers(0, 10_000, n).astype(float)
    values[rng.random(n) < 0.2] = np.nan
    frame = pd.DataFrame(
        {
            "indicator": pd.array(rng.choice(["a", "b", "c"], n), dtype="str"),
            "unit_id": rng.integers(1, 6, n),
            "period": pd.array(rng.choice(["2019-Q1", "2019-Q2", "2019-Q3"], n), dtype="str"),
            "value": values,
            "qualifier": pd.array(
                rng.choice(["exact", "exact", "approx", "at_least", "at_most"], n), dtype="str"
            ),
            "complete": rng.random(n) < 0.9,
            "is_demo": rng.random(n) < 0.1,
        }
    )
    keys = [["indicator", "unit_id", "period"], ["indicator", "period"], ["unit_id"]][seed % 3]
    expected = None
    if seed % 2:
        groups = frame.groupby(keys, sort=False).size()
        expected = pd.Series(rng.integers(0, 4, len(groups)), index=groups.index)
    for keep in (False, True):
        got = metrics._sum_groups(frame, keys, expected, keep_count=keep)
        want = _sum_groups_by_named_aggregations(frame, keys, expected, keep)
        pd.testing.assert_frame_equal(got, want, check_exact=True)
