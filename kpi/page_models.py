"""The models of the leaders' pages (Overview, Trends, Districts), built from one session.

Each function here reads through :func:`kpi.queries.figures` (the one fetch of every page,
chart and export, with the rules of :mod:`kpi.metrics`) and returns a frozen value the page
draws. ``kpi.ui.dashboard`` caches them by database URL and data version; the agreement test
(``tests/test_agreement.py``) compares them cell by cell with the export of the same filters.

The period rule is the export's: a figure of a range uses only the quarters inside it, so a
year cut by the range adds the quarters it has and is marked incomplete.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from kpi import dashboard, queries
from kpi.catalogue import Catalogue, IndicatorDef
from kpi.config import get_settings
from kpi.display import format_figure, local_time
from kpi.i18n import t
from kpi.periods import Period, period_range
from kpi.units import UnitInfo, all_units, lineage

Records = list[dict[str, Any]]


# ---------------------------------------------------------------------------------------------
# Sources in words
# ---------------------------------------------------------------------------------------------


def source_lines(history: pd.DataFrame, lang: str) -> list[str]:
    """Where each stored figure of a :func:`kpi.queries.figure_sources` frame came from (the
    batch's time in the province's time zone, ``KPI_TIMEZONE``)."""
    tz = get_settings().timezone
    lines = []
    for row in history.itertuples():
        when = local_time(pd.Timestamp(row.created_at).to_pydatetime(), tz)
        kind = t(f"source.kind.{row.source_kind}", lang)
        line = t("source.batch", lang, batch=row.batch_id, kind=kind, user=row.user, when=when)
        if row.source_kind == "report_text" and row.source_cell:
            line += " — " + t(
                "source.report_line",
                lang,
                file=row.file_name,
                line=row.source_cell,
                text=row.source_text,
            )
            line += _report_source(row, lang)
        elif row.source_sheet:
            line += " — " + t(
                "source.excel_cell",
                lang,
                file=row.file_name,
                sheet=row.source_sheet,
                cell=row.source_cell,
            )
        if row.is_demo:
            line += f" ({t('source.demo', lang)})"
        lines.append(line)
    return lines


def _report_source(row: Any, lang: str) -> str:
    """The report's own number and date, and the line as the reader read it when that differs
    from the line as it appears (a legacy font, OCR damage)."""
    out = ""
    number = getattr(row, "report_number", None)
    date = getattr(row, "report_date", None)
    if isinstance(number, str) and number:
        out += " — " + t("report.source.number", lang, number=number)
    if date is not None and not pd.isna(date):
        out += " " + t("report.source.date", lang, date=pd.Timestamp(date).strftime("%d/%m/%Y"))
    read = getattr(row, "source_read", None)
    if isinstance(read, str) and read and read != row.source_text:
        out += " — " + t("report.source.read", lang, read=read)
    return out


def _former_state(row: dict[str, Any]) -> str:
    """What became of a value that is no longer current: its batch was undone (đã huỷ), or a
    later upload revised it."""
    if row.get("status") == "rolled_back":
        return "dashboard.source.rolled_back"
    return "dashboard.source.superseded"


def _history_lines(ind: IndicatorDef, history: Records, lang: str) -> list[str]:
    """Every stored value of a figure, newest first: the value, then where it came from."""
    lines = []
    for row in history:
        value = format_figure(ind, row["value"], lang, str(row["qualifier"]))
        mark = "" if row["is_current"] else f" ({t(_former_state(row), lang)})"
        lines.append(f"{value}{mark}: {row['line']}")
    return lines


def figure_source_lines(
    ind: IndicatorDef,
    catalogue: Catalogue,
    histories: dict[str, Records],
    has_value: bool,
    lang: str,
) -> tuple[str, ...]:
    """What the source popover of one figure says: its stored history, or how it is computed
    and where its inputs came from, or that it is added up from the units below."""
    if not has_value:
        return (t("dashboard.source.none", lang),)
    if ind.is_derived:
        out = [dashboard.derived_note(ind, catalogue, lang)]
        for code in ind.inputs:
            current = [r for r in histories.get(code, []) if r["is_current"]]
            if current:
                for line in _history_lines(catalogue[code], current, lang):
                    out.append(f"{catalogue[code].name(lang)} = {line}")
        return tuple(out)
    history = histories.get(ind.code)
    if not history:
        return (t("dashboard.source.rollup", lang),)
    return tuple(_history_lines(ind, history, lang))


def _with_lines(stored: pd.DataFrame, lang: str) -> dict[str, Records]:
    """The stored values by indicator, newest first, each with its source in words."""
    out: dict[str, Records] = {}
    if stored.empty:
        return out
    for row in stored.assign(line=source_lines(stored, lang)).to_dict("records"):
        out.setdefault(str(row["indicator"]), []).append(row)
    return out


def _demo(frame: pd.DataFrame) -> bool:
    return bool(frame["is_demo"].fillna(False).any()) if not frame.empty else False


# ---------------------------------------------------------------------------------------------
# Overview
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverviewModel:
    period: str
    label: str
    unit_id: int
    unit_name: str
    cards: tuple[dashboard.Card, ...]
    sections: tuple[dashboard.Section, ...]
    sources: dict[str, tuple[str, ...]]  # indicator -> source lines of the quarter's figure
    present: int
    total: int
    missing: tuple[str, ...]
    is_demo: bool
    note: str | None = None  # what became of the province, when a later quarter is viewed


def _units(session: Session, units: Sequence[UnitInfo] | None) -> list[UnitInfo]:
    return list(units) if units is not None else all_units(session)


def overview_model(
    session: Session,
    cat: Catalogue,
    period: str,
    lang: str,
    units: Sequence[UnitInfo] | None = None,
) -> OverviewModel | None:
    """The Overview of a quarter: the key figures' cards and the report's groups. ``units``:
    every unit (:func:`kpi.units.all_units`), when the caller holds them already (the pages'
    cache, so that a quarter's model does not read a country's units again)."""
    p = Period.parse(period)
    units = _units(session, units)
    province = dashboard.province_unit(units, p)
    if province is None:
        return None
    first, last = dashboard.spark_window(p)
    inds = cat.at_level("province")
    codes = tuple(i.code for i in inds)
    frame = queries.figures(session, cat, units, queries.Query(codes, (province.id,), first, last))
    goals = dashboard.targets(session, [province.id], [p.year])
    stored = queries.figure_sources(
        session, queries.base_codes(cat, codes), [province.id], p.code, p.code, current_only=False
    )
    links = lineage(session)
    index = dashboard.index_frame(frame)
    current = dashboard.index_sources(stored)
    histories = _with_lines(stored, lang)
    targets = dashboard.index_targets(goals)
    sources = {
        i.code: figure_source_lines(i, cat, histories, (i.code, province.id, p.code) in index, lang)
        for i in inds
    }
    cards = tuple(
        dataclasses.replace(
            dashboard.card(i, cat, index, current, targets, province.id, p, lang),
            source_lines=sources[i.code],
        )
        for i in cat.key_indicators()
    )
    sections = tuple(dashboard.sections(cat, index, current, targets, province.id, p, lang))
    missing = tuple(name for s in sections for name in s.missing)
    shown_targets = goals[goals["indicator"].isin(codes)] if not goals.empty else goals
    is_demo = _demo(frame) or bool(not shown_targets.empty and shown_targets["is_demo"].any())
    return OverviewModel(
        p.code,
        p.label(lang),
        province.id,
        province.name,
        cards,
        sections,
        sources,
        len(codes) - len(missing),
        len(codes),
        missing,
        is_demo,
        dashboard.successor_note([province], units, links, p, lang),
    )


# ---------------------------------------------------------------------------------------------
# Trends
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendChart:
    codes: tuple[str, ...]
    title: str
    long: pd.DataFrame
    table: pd.DataFrame
    targets: dict[str, dict[str, float]]
    flow_targets_hidden: bool


@dataclass(frozen=True)
class TrendModel:
    charts: tuple[TrendChart, ...]
    freq: str
    has_data: bool
    is_demo: bool
    note: str | None  # what became of the chosen unit, when it ceased within the range


def trend_model(
    session: Session,
    cat: Catalogue,
    codes: Sequence[str],
    unit_id: int,
    first: str,
    last: str,
    freq: str,
    lang: str,
    units: Sequence[UnitInfo] | None = None,
) -> TrendModel:
    """Chosen indicators of one unit over a range of quarters, or over the years of that
    range (a year cut by the range adds only its quarters inside it and is marked
    incomplete: the rule of the export)."""
    codes = tuple(codes)
    periods = dashboard.trend_periods(first, last, freq)
    units = _units(session, units)
    frame = queries.figures(
        session, cat, units, queries.Query(codes, (unit_id,), first, last, freq)
    )
    goals = dashboard.targets(session, [unit_id], sorted({int(p[:4]) for p in periods}))
    stored = queries.figure_sources(session, queries.base_codes(cat, codes), [unit_id], first, last)
    links = lineage(session)
    sources = dashboard.index_sources(stored) if freq == "quarter" else {}
    out = []
    for group in dashboard.chart_sets(cat, codes):
        long = dashboard.trend_long(frame, cat, group, unit_id, periods, lang, sources)
        lines = dashboard.target_lines(dashboard.index_targets(goals), group, unit_id, periods)
        hidden = freq == "quarter" and any(cat[c].kind == "flow" for c in lines)
        out.append(
            TrendChart(
                group,
                " · ".join(cat[c].name(lang) for c in group),
                long,
                dashboard.trend_table(long, lang),
                lines,
                hidden,
            )
        )
    unit = [u for u in units if u.id == unit_id]
    return TrendModel(
        tuple(out),
        freq,
        not frame.dropna(subset=["value"]).empty,
        _demo(frame),
        dashboard.successor_note(unit, units, links, Period.parse(last), lang),
    )


# ---------------------------------------------------------------------------------------------
# Districts
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DistrictsModel:
    code: str
    period: str
    label: str
    ranking: dashboard.Ranking
    table: pd.DataFrame
    matrix: dashboard.HeatMatrix
    tiles: tuple[dashboard.Tile, ...]
    districts: tuple[UnitInfo, ...]  # those that existed in the quarter, by code
    note: str | None
    is_demo: bool
    total_note: str | None = None  # what the province total holds beyond the districts


def districts_model(
    session: Session,
    cat: Catalogue,
    code: str,
    period: str,
    per_commune: bool,
    lang: str,
    units: Sequence[UnitInfo] | None = None,
) -> DistrictsModel | None:
    """One indicator in one quarter: the districts ranked, as tiles, and over eight quarters."""
    p = Period.parse(period)
    heat = [q.code for q in period_range(p.shift(-(dashboard.HEAT_QUARTERS - 1)), p)]
    units = _units(session, units)
    province = dashboard.province_unit(units, p)
    if province is None:
        return None
    districts = dashboard.districts_of(units, province.id, heat)
    agencies = dashboard.agencies_of(units, province.id, p)
    ids = tuple(u.id for u in districts)
    extra = tuple(u.id for u in agencies)
    frame = queries.figures(
        session, cat, units, queries.Query((code,), (province.id, *ids, *extra), heat[0], p.code)
    )
    stored = queries.figure_sources(session, queries.base_codes(cat, (code,)), ids, p.code, p.code)
    links = lineage(session)
    counts = dashboard.commune_counts(units, ids, heat)
    r = dashboard.ranking(
        frame,
        cat,
        code,
        districts,
        p.code,
        lang,
        province_id=province.id,
        counts=counts,
        per_commune=per_commune,
        sources=dashboard.index_sources(stored),
    )
    matrix = dashboard.heat_matrix(
        frame, cat, code, districts, heat, lang, counts=counts, per_commune=per_commune
    )
    existing = tuple(u for u in districts if dashboard.existed(u, p))
    return DistrictsModel(
        code,
        p.code,
        p.label(lang),
        r,
        dashboard.ranking_table(r, cat, lang),
        matrix,
        tuple(dashboard.tiles(r)),
        existing,
        dashboard.successor_note(districts, units, links, p, lang),
        _demo(frame),
        dashboard.province_total_note(frame, cat, code, r, agencies, p.code, lang),
    )


@dataclass(frozen=True)
class CommunesModel:
    district: str
    ranking: dashboard.Ranking
    table: pd.DataFrame
    note: str | None
    has_data: bool
    is_demo: bool


def communes_model(
    session: Session,
    cat: Catalogue,
    code: str,
    district_id: int,
    period: str,
    lang: str,
    units: Sequence[UnitInfo] | None = None,
) -> CommunesModel | None:
    """The communes a district had in a quarter, ranked on one indicator."""
    units = _units(session, units)
    district = next((u for u in units if u.id == district_id), None)
    if district is None:
        return None
    p = Period.parse(period)
    communes = dashboard.communes_of(units, district_id, p)
    ids = tuple(u.id for u in communes)
    frame = queries.figures(
        session, cat, units, queries.Query((code,), (district_id, *ids), p.code, p.code)
    )
    stored = queries.figure_sources(session, queries.base_codes(cat, (code,)), ids, p.code, p.code)
    links = lineage(session)
    r = dashboard.ranking(
        frame,
        cat,
        code,
        communes,
        p.code,
        lang,
        province_id=district_id,
        sources=dashboard.index_sources(stored),
    )
    return CommunesModel(
        district.name,
        r,
        dashboard.ranking_table(r, cat, lang),
        dashboard.successor_note(communes, units, links, p, lang),
        bool(r.table["shown"].notna().any()),
        _demo(frame),
    )
