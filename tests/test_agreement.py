"""Every front end gives the same number for the same question (issue 9), on SQLite and
PostgreSQL.

A bounded, seeded draw of filter combinations (indicators of every kind; the province, its
agencies, districts and communes; ranges that cut years; quarters and years) is answered by the
page models (Trends, Districts, Overview: :mod:`kpi.page_models`, what the pages draw) and by the
export (:func:`kpi.export.build`, the table of the Explore page, its files and ``python -m kpi
export``), and the answers are compared cell by cell: value, qualifier, completeness, and
missing where the other has nothing. The demo data has holes punched in it (some stored figures
taken out of the current set), so that missing quarters, units added up from the units below,
and incomplete years all occur.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from kpi import dashboard, db, export, page_models
from kpi.catalogue import load_catalogue
from kpi.cli import main
from kpi.demo import load_demo
from kpi.filters import Filters
from kpi.i18n import t
from kpi.periods import Period, period_range
from kpi.units import UnitInfo, all_units
from tests.conftest import ADMIN

CAT = load_catalogue()
DRAWS = 120  #: combinations per database: 240 in all, about ten seconds each
SPAN = [p.code for p in period_range("2016-Q1", "2019-Q1")]
LEVELS = ("province", "agencies", "district", "commune")
KINDS = ("flow", "stock", "level", "ratio")


@dataclass(frozen=True)
class Case:
    codes: tuple[str, ...]
    unit: UnitInfo
    first: str
    last: str
    freq: str

    def __str__(self) -> str:
        return f"{self.codes} {self.unit.code} {self.first}..{self.last} {self.freq}"


@pytest.fixture
def holed(engine: Engine) -> Iterator[Engine]:
    """The demo data with about one stored figure in 23 taken out of the current set."""
    with db.session_scope(engine) as session:
        load_demo(session, CAT, ADMIN)
        session.execute(
            text("UPDATE observation SET is_current = false WHERE id - (id / 23) * 23 = 0")
        )
    yield engine


def _draw(units: list[UnitInfo], n: int, rng: random.Random) -> list[Case]:
    """``n`` combinations, each kind of indicator and each level of unit in turn."""
    by_level = {
        level: [
            u
            for u in units
            if u.level == level
            and u.valid_during(Period.parse(SPAN[0]).start, Period.parse(SPAN[-1]).end)
        ]
        for level in LEVELS
    }
    cases = []
    for i in range(n):
        level = LEVELS[i % len(LEVELS)]
        kind = KINDS[(i // len(LEVELS)) % len(KINDS)]
        offered = [ind for ind in CAT.ordered() if ind.active and level in ind.levels]
        of_kind = [ind.code for ind in offered if ind.kind == kind] or [offered[0].code]
        codes = [rng.choice(of_kind)]
        extra = rng.choice((0, 0, 1, 2))
        codes += rng.sample([ind.code for ind in offered], extra)
        a, b = sorted(rng.sample(range(len(SPAN)), 2))
        cases.append(
            Case(
                tuple(dict.fromkeys(codes)),
                rng.choice(by_level[level]),
                SPAN[a],
                SPAN[b],
                rng.choice(("quarter", "year")),
            )
        )
    return cases


def _exported(
    session: Session, units: list[UnitInfo], f: Filters
) -> dict[tuple[str, str, str], Any]:
    """The export's long table by (indicator, unit code, period): value, qualifier, complete."""
    table = export.build(session, CAT, units, f.replace(header="codes"))
    frame = table.frame
    return {
        (str(r["indicator"]), str(r["unit"]), str(r["period"])): (
            float(r["value"]),
            str(r["qualifier"]),
            bool(r["complete"]),
        )
        for r in frame.to_dict("records")
    }


def _same(got: tuple[float, str, bool], want: tuple[float, str, bool], where: str) -> None:
    assert got[0] == pytest.approx(want[0], rel=1e-12, abs=1e-9), where
    assert got[1:] == want[1:], where


def _check_trends(session: Session, units: list[UnitInfo], case: Case) -> int:
    """The Trends model against the export of the same filters: every cell."""
    model = page_models.trend_model(
        session, CAT, case.codes, case.unit.id, case.first, case.last, case.freq, "vi"
    )
    table = _exported(
        session,
        units,
        Filters(case.codes, (case.unit.code,), False, case.first, case.last, case.freq),
    )
    seen = 0
    for chart in model.charts:
        for row in chart.long.to_dict("records"):
            key = (row["indicator"], case.unit.code, row["period"])
            where = f"{case}: {key}"
            if math.isnan(row["value"]):
                assert key not in table, f"{where}: missing on Trends, present in the export"
                continue
            assert key in table, f"{where}: on Trends, not in the export"
            _same((row["plot"], row["qualifier"], row["complete"]), table.pop(key), where)
            seen += 1
    mine = {k: v for k, v in table.items() if k[1] == case.unit.code}
    assert not mine, f"{case}: in the export, not on Trends: {sorted(mine)[:3]}"
    return seen


def _check_districts(session: Session, units: list[UnitInfo], code: str, period: str) -> int:
    """The Districts model (ranking, province reference, heat map) against the export."""
    model = page_models.districts_model(session, CAT, code, period, False, "vi")
    assert model is not None
    heat = dashboard.HEAT_QUARTERS
    first = Period.parse(period).shift(-(heat - 1)).code
    codes = tuple(u.code for u in model.ranking.units)
    table = _exported(session, units, Filters((code,), ("84", *codes), False, first, period))
    scale = 100.0 if CAT[code].fraction else 1.0
    seen = 0
    for row in model.ranking.table.to_dict("records"):
        key = (code, row["code"], period)
        if math.isnan(row["value"]):
            assert key not in table, key
            continue
        _same((row["value"] * scale, row["qualifier"], row["complete"]), table[key], str(key))
        seen += 1
    prov = table.get((code, "84", period))
    if model.ranking.province_value is None:
        assert prov is None
    else:
        assert model.ranking.province_value == pytest.approx(prov[0])
    periods = [p.code for p in period_range(first, period)]
    for unit, zs in zip(model.ranking.units, model.matrix.z, strict=True):
        for p, z in zip(periods, zs, strict=True):
            want = table.get((code, unit.code, p))
            assert (z is None) == (want is None), (code, unit.code, p)
            if want is not None:
                assert z == pytest.approx(want[0]), (code, unit.code, p)
                seen += 1
    return seen


def _check_overview(session: Session, units: list[UnitInfo], period: str) -> int:
    """The Overview's cards and group tables against the export of the province."""
    model = page_models.overview_model(session, CAT, period, "vi")
    assert model is not None
    codes = tuple(i.code for i in CAT.at_level("province"))
    table = _exported(session, units, Filters(codes, ("84",), False, period, period))
    seen = 0
    for card in model.cards:
        want = table.get((card.code, "84", period))
        assert card.missing == (want is None), card.code
        if want is not None:
            scale = 100.0 if CAT[card.code].fraction else 1.0
            assert card.value is not None
            _same((card.value * scale, card.qualifier, card.complete), want, card.code)
            seen += 1
    for section in model.sections:
        values = section.table.iloc[:, 1].tolist()
        for code, shown in zip(section.codes, values, strict=True):
            want = table.get((code, "84", period))
            if want is None:
                assert shown == t("overview.missing", "vi"), code
            else:
                row = {"value": want[0] / (100.0 if CAT[code].fraction else 1.0)}
                row |= {"qualifier": want[1], "complete": want[2]}
                assert shown == dashboard.figure_text(CAT[code], row, "vi"), code
                seen += 1
    return seen


def test_every_front_end_gives_the_same_figures(holed: Engine, tmp_path: Path) -> None:
    rng = random.Random(9)
    cells = 0
    with db.session_scope(holed) as session:
        units = all_units(session)
        cases = _draw(units, DRAWS, rng)
        assert {CAT[c].kind for case in cases for c in case.codes} == set(KINDS)
        assert {case.unit.level for case in cases} == set(LEVELS)
        assert any(
            case.freq == "year" and (case.first[-1] != "1" or case.last[-1] != "4")
            for case in cases
        )
        districts_seen: set[tuple[str, str]] = set()
        overview_seen: set[str] = set()
        for case in cases:
            cells += _check_trends(session, units, case)
            if case.freq == "quarter" and case.unit.level == "district":
                code = next((c for c in case.codes if "district" in CAT[c].levels), None)
                if code and (code, case.last) not in districts_seen:
                    districts_seen.add((code, case.last))
                    cells += _check_districts(session, units, code, case.last)
            if (
                case.unit.level == "province"
                and case.last not in overview_seen
                and len(overview_seen) < 6
            ):
                overview_seen.add(case.last)
                cells += _check_overview(session, units, case.last)
        # the command line writes the very table of the export (a few cases: it is slower)
        for case in cases[:: DRAWS // 4]:
            f = Filters(case.codes, (case.unit.code,), False, case.first, case.last, case.freq)
            want = export.to_bytes(export.build(session, CAT, units, f), "csv")
            argv = ["export", "--from", case.first, "--to", case.last, "--freq", case.freq]
            for code in case.codes:
                argv += ["--indicator", code]
            out = tmp_path / "cli.csv"
            argv += ["--unit", case.unit.code, "--format", "csv", "-o", str(out)]
            assert _cli(holed, argv) == 0, case
            assert out.read_bytes() == want, str(case)
    assert districts_seen and overview_seen
    assert cells > 1000  # the draw compared enough figures to mean something


def _cli(engine: Engine, argv: list[str]) -> int:
    mp = pytest.MonkeyPatch()
    try:
        mp.setenv("KPI_DATABASE_URL", engine.url.render_as_string(hide_password=False))
        return main(argv)
    finally:
        mp.undo()


def test_a_year_cut_by_the_range_is_the_same_on_trends_and_in_the_export(holed: Engine) -> None:
    """The case of the issue: Quý II/2016 - Quý I/2019 by year; 2016 has three quarters."""
    with db.session_scope(holed) as session:
        units = all_units(session)
        province = next(u for u in units if u.code == "84")
        model = page_models.trend_model(
            session, CAT, ("dossiers_received",), province.id, "2016-Q2", "2019-Q1", "year", "vi"
        )
        quarters = export.build(
            session,
            CAT,
            units,
            Filters(("dossiers_received",), ("84",), False, "2016-Q2", "2016-Q4", header="codes"),
        ).frame
    long = model.charts[0].long.set_index("period")
    assert not bool(long.loc["2016", "complete"])
    assert long.loc["2016", "text"].endswith("*")
    assert long.loc["2016", "value"] == pytest.approx(float(pd.Series(quarters["value"]).sum()))
