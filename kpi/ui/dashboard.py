"""The leaders' pages (Overview, Trends, Districts): cached models and the widgets they share.

Each page reads its filters (a frozen dataclass from a ``*_filters`` function), asks one cached
model function, and draws it with the widgets here. Models are cached data keyed by the
database URL and the data version kept in the database (as in :mod:`kpi.ui.data`), so an upload
made in any server process shows at the next rerun everywhere. One model is one database
session: the figures, the targets and the sources come in a handful of queries.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from kpi import charts, dashboard, db, queries
from kpi.catalogue import Catalogue, IndicatorDef, load_catalogue
from kpi.display import format_figure
from kpi.i18n import t
from kpi.periods import Period, period_range
from kpi.ui import data
from kpi.ui.frame import demo_banner, source_lines
from kpi.units import AGENCIES_CODE, UnitInfo, all_units

#: what the Trends page opens on
DEFAULT_TRENDS = ("dossiers_received", "dossiers_resolved", "dossier_resolution_rate")
DEFAULT_DISTRICT_INDICATOR = "dossiers_received"
TREND_QUARTERS = 12

#: a card's colours by whether the change is welcome: blue and orange stay apart for
#: colour-blind readers (green and red do not); the arrow carries the direction in print
ToneColour = Literal["blue", "orange", "gray"]
TONE_COLOURS: dict[str, ToneColour] = {"good": "blue", "bad": "orange", "neutral": "gray"}


def _version() -> tuple[str, int]:
    return data.database_url(), data.data_version()


def _escape(text: str) -> str:
    """Text shown through Markdown as it is (names, figures with "~", "*", ">")."""
    for char in "\\`*_[]<>~#|$":
        text = text.replace(char, "\\" + char)
    return text


# ---------------------------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------------------------


Records = list[dict[str, Any]]


def _former_state(row: dict[str, Any]) -> str:
    """What became of a value that is no longer current: its batch was undone (đã huỷ), or a
    later upload revised it."""
    if row.get("status") == "rolled_back":
        return "dashboard.source.rolled_back"
    return "dashboard.source.superseded"


def _history_lines(ind: IndicatorDef, history: Records, lang: str) -> list[str]:
    """Every stored value of a figure, newest first: the value, then where it came from (the
    ``line`` of :func:`_with_lines`)."""
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
    """The stored values of :func:`kpi.queries.figure_sources` by indicator, newest first,
    each with its source in words (:func:`kpi.ui.frame.source_lines`, written once for all)."""
    out: dict[str, Records] = {}
    if stored.empty:
        return out
    for row in stored.assign(line=source_lines(stored, lang)).to_dict("records"):
        out.setdefault(str(row["indicator"]), []).append(row)
    return out


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


@st.cache_data(show_spinner=False, max_entries=64)
def _overview(url: str, version: int, period: str, lang: str) -> OverviewModel | None:
    p = Period.parse(period)
    cat = load_catalogue()
    with db.session_scope(data.engine_for(url)) as session:
        units = all_units(session)
        province = dashboard.province_unit(units, p)
        if province is None:
            return None
        first, last = dashboard.spark_window(p)
        inds = cat.at_level("province")
        codes = tuple(i.code for i in inds)
        frame = queries.figures(
            session, cat, units, queries.Query(codes, (province.id,), first, last)
        )
        goals = dashboard.targets(session, [province.id], [p.year])
        stored = queries.figure_sources(
            session,
            queries.base_codes(cat, codes),
            [province.id],
            p.code,
            p.code,
            current_only=False,
        )
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
    is_demo = bool(frame["is_demo"].fillna(False).any()) or bool(
        not shown_targets.empty and shown_targets["is_demo"].any()
    )
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
    )


def overview(period: str, lang: str) -> OverviewModel | None:
    """The Overview of a quarter: the key figures' cards and the report's groups."""
    url, version = _version()
    return _overview(url, version, period, lang)


def period_picker(label: str, periods: Sequence[str], key: str, lang: str) -> str:
    """A quarter, latest first, shown as "Quý I/2019"."""
    chosen = st.selectbox(
        label, list(reversed(periods)), format_func=lambda p: Period.parse(p).label(lang), key=key
    )
    return str(chosen)


def banner(is_demo: bool, lang: str) -> None:
    demo_banner(pd.DataFrame({"is_demo": [is_demo]}), lang)


def _change_line(change: dashboard.Change, words: str, lang: str) -> str:
    colour = TONE_COLOURS[change.tone]
    return f":{colour}[{_escape(change.with_arrow(lang))}] :gray[{_escape(words)}]"


def card(c: dashboard.Card, lang: str, key: str) -> None:
    """A key figure: its name (wrapped, never cut), the value with its qualifier, the change on
    the previous quarter with the last eight quarters as a sparkline, the change on the same
    quarter last year, progress against the year's target, and the source on demand."""
    with st.container(border=True, height="stretch"):
        st.markdown(f"**{_escape(c.name)}**")
        diff = c.previous.diff
        arrow: Literal["off", "up", "down"] = "off" if not diff else ("up" if diff > 0 else "down")
        st.metric(
            c.name,
            c.text,
            delta=c.previous.text,
            delta_color=TONE_COLOURS[c.previous.tone],
            delta_arrow=arrow,
            delta_description=t("change.previous_quarter", lang),
            label_visibility="collapsed",
            chart_data=list(c.spark) if len(c.spark) > 1 else None,
        )
        if not c.missing:
            st.markdown(_change_line(c.year_ago, t("change.same_quarter_last_year", lang), lang))
        if c.target is not None:
            share = c.target.share or 0.0
            st.progress(min(max(share, 0.0), 1.0), text=_escape(c.target.text))
        with st.popover(
            t("dashboard.source.button", lang), icon=":material/info:", key=f"{key}_source"
        ):
            source_box(c.name, c.definition, c.unit, c.parts, c.source_lines, lang)


def source_box(
    name: str, definition: str, unit: str, parts: str | None, lines: Sequence[str], lang: str
) -> None:
    st.markdown(f"**{_escape(name)}** ({_escape(unit)})")
    st.caption(_escape(definition))
    if parts:
        st.markdown(_escape(parts))
    st.markdown(f"**{t('dashboard.source.history', lang)}**")
    st.markdown("\n".join(f"- {_escape(line)}" for line in lines))


def cards(model: OverviewModel, lang: str, per_row: int = 3) -> None:
    """The key figures, three to a row so that long Vietnamese names stay whole."""
    for start in range(0, len(model.cards), per_row):
        cols = st.columns(per_row)
        for col, c in zip(cols, model.cards[start : start + per_row], strict=False):
            with col:
                card(c, lang, key=f"overview_card_{c.code}")


def section(model: OverviewModel, s: dashboard.Section, lang: str) -> None:
    """One group of the report: its table (click a row for the figure's source) and which of
    its figures are missing."""
    total = len(s.codes)
    label = (
        t(
            "dashboard.overview.group_missing",
            lang,
            name=s.name,
            missing=len(s.missing),
            total=total,
        )
        if s.missing
        else t("dashboard.overview.group_complete", lang, name=s.name, total=total)
    )
    with st.expander(label, expanded=bool(s.missing), key=f"overview_group_{s.code}"):
        if s.missing:
            st.warning(t("dashboard.overview.missing_list", lang, names="; ".join(s.missing)))
        headers = dashboard.section_columns(lang)
        event = st.dataframe(
            s.table,
            hide_index=True,
            key=f"overview_table_{s.code}",
            on_select="rerun",
            selection_mode="single-row",
            column_config={headers["name"]: st.column_config.TextColumn(pinned=True)},
        )
        st.caption(t("dashboard.overview.select_hint", lang))
        rows = list(getattr(getattr(event, "selection", None), "rows", []) or [])
        if rows:
            code = s.codes[int(rows[0])]
            cat = load_catalogue()
            ind = cat[code]
            with st.container(border=True):
                title = t(
                    "dashboard.overview.source_of", lang, name=ind.name(lang), period=model.label
                )
                st.markdown(f"**{_escape(title)}**")
                source_box(
                    ind.name(lang),
                    ind.definition(lang),
                    ind.unit(lang),
                    None,
                    model.sources[code],
                    lang,
                )


# ---------------------------------------------------------------------------------------------
# Trends
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendFilters:
    codes: tuple[str, ...]
    unit_id: int
    first: str
    last: str
    freq: str


def _group_defaults(cat: Catalogue, group: str) -> list[str]:
    if group == "all":
        return [c for c in DEFAULT_TRENDS if c in cat]
    inds = [i for i in cat.ordered() if i.group == group and i.active]
    keys = [i.code for i in inds if i.key]
    return (keys or [i.code for i in inds])[:3]


def _reset_indicators(cat: Catalogue) -> None:
    st.session_state["trends_indicators"] = _group_defaults(
        cat, str(st.session_state["trends_group"])
    )


def trend_units(period: str) -> list[UnitInfo]:
    """The units a trend can be drawn for: the province, its agencies and its districts."""
    directory = data.directory(period)
    province = dashboard.province_unit(directory.units, period)
    if province is None:
        return []
    below = [
        u
        for u in directory.units
        if u.parent_id == province.id and u.level in ("agencies", "district")
    ]
    below.sort(key=lambda u: (u.code != AGENCIES_CODE, u.code))
    return [province, *below]


def trend_filters(lang: str, cat: Catalogue, periods: Sequence[str]) -> TrendFilters | None:
    """The Trends page's filters: group, indicators (searchable by name), unit, frequency and
    range of quarters. None when no indicator is chosen."""
    groups = ["all", *sorted(cat.groups, key=lambda g: cat.groups[g].order)]
    top = st.columns([1, 2])
    group = top[0].selectbox(
        t("trends.group", lang),
        groups,
        format_func=lambda g: (
            t("trends.all_groups", lang) if g == "all" else cat.groups[g].name(lang)
        ),
        key="trends_group",
        on_change=_reset_indicators,
        args=(cat,),
    )
    options = [i.code for i in cat.ordered() if i.active and (group == "all" or i.group == group)]
    if "trends_indicators" not in st.session_state:
        st.session_state["trends_indicators"] = _group_defaults(cat, str(group))
    codes = top[1].multiselect(
        t("trends.indicators", lang),
        options,
        format_func=lambda c: cat[c].name(lang),
        key="trends_indicators",
        help=t("trends.indicators_help", lang),
    )
    row = st.columns([1, 1, 2])
    units = trend_units(periods[-1])
    names = {u.id: dashboard.unit_label(u) for u in units}
    unit_id = row[0].selectbox(
        t("trends.unit", lang), list(names), format_func=names.__getitem__, key="trends_unit"
    )
    freq = row[1].radio(
        t("trends.freq", lang),
        ["quarter", "year"],
        format_func=lambda f: t(f"trends.freq_{f}", lang),
        horizontal=True,
        key="trends_freq",
    )
    span = [p.code for p in period_range(periods[0], periods[-1])]
    first, last = row[2].select_slider(
        t("trends.range", lang),
        span,
        value=(span[max(0, len(span) - TREND_QUARTERS)], span[-1]),
        format_func=lambda p: Period.parse(p).label(lang),
        key="trends_range",
    )
    if not codes or unit_id is None:
        return None
    return TrendFilters(tuple(codes), int(unit_id), str(first), str(last), str(freq))


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
    note: str | None  # the chosen unit ceased to exist


@st.cache_data(show_spinner=False, max_entries=128)
def _trends(
    url: str,
    version: int,
    codes: tuple[str, ...],
    unit_id: int,
    first: str,
    last: str,
    freq: str,
    lang: str,
) -> TrendModel:
    cat = load_catalogue()
    qfirst, qlast = dashboard.query_range(first, last, freq)
    periods = dashboard.trend_periods(first, last, freq)
    with db.session_scope(data.engine_for(url)) as session:
        units = all_units(session)
        frame = queries.figures(
            session, cat, units, queries.Query(codes, (unit_id,), qfirst, qlast, freq)
        )
        goals = dashboard.targets(session, [unit_id], sorted({int(p[:4]) for p in periods}))
        stored = queries.figure_sources(
            session, queries.base_codes(cat, codes), [unit_id], qfirst, qlast
        )
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
    is_demo = bool(frame["is_demo"].fillna(False).any()) if not frame.empty else False
    unit = [u for u in units if u.id == unit_id]
    return TrendModel(
        tuple(out),
        freq,
        not frame.dropna(subset=["value"]).empty,
        is_demo,
        dashboard.ceased_note(unit, lang),
    )


def trends(f: TrendFilters, lang: str) -> TrendModel:
    url, version = _version()
    return _trends(url, version, f.codes, f.unit_id, f.first, f.last, f.freq, lang)


@st.cache_resource(show_spinner=False, max_entries=128)
def _trend_figures(
    url: str,
    version: int,
    codes: tuple[str, ...],
    unit_id: int,
    first: str,
    last: str,
    freq: str,
    lang: str,
) -> tuple[go.Figure, ...]:
    # Figures are built once per data version and shared (never changed after): building a
    # Plotly figure costs more than the rest of a page.
    model = _trends(url, version, codes, unit_id, first, last, freq, lang)
    cat = load_catalogue()
    return tuple(
        charts.trend_chart(c.long, cat, lang, freq=freq, targets=c.targets) for c in model.charts
    )


def trend_figures(f: TrendFilters, lang: str) -> tuple[go.Figure, ...]:
    """One chart per set of indicators of :func:`trends` (the same order)."""
    url, version = _version()
    return _trend_figures(url, version, f.codes, f.unit_id, f.first, f.last, f.freq, lang)


def show_chart(fig: go.Figure, key: str) -> None:
    st.plotly_chart(fig, key=key, config={"displaylogo": False, "responsive": True})


def table(
    frame: pd.DataFrame, key: str, *, figures: Sequence[str] = (), whole: bool = False
) -> None:
    """A table of figures as text, its first column kept in view when it scrolls sideways and
    the ``figures`` columns aligned right; ``whole`` shows every row without scrolling."""
    config = (
        {str(frame.columns[0]): st.column_config.TextColumn(pinned=True)}
        if len(frame.columns)
        else {}
    )
    for name in figures:
        config[name] = st.column_config.TextColumn(alignment="right")
    if whole:
        rows = 35 * (len(frame) + 1) + 3
        st.dataframe(
            frame, hide_index=True, key=key, column_config=config, height=rows, width="content"
        )
    else:
        st.dataframe(frame, hide_index=True, key=key, column_config=config)


# ---------------------------------------------------------------------------------------------
# Districts
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DistrictFilters:
    code: str
    period: str
    per_commune: bool


def district_filters(lang: str, cat: Catalogue, periods: Sequence[str]) -> DistrictFilters:
    """The Districts page's filters: one indicator, one quarter, per commune or not."""
    options = [i.code for i in cat.at_level("district")]
    cols = st.columns([2, 1, 1], vertical_alignment="bottom")
    if "districts_indicator" not in st.session_state and DEFAULT_DISTRICT_INDICATOR in options:
        st.session_state["districts_indicator"] = DEFAULT_DISTRICT_INDICATOR
    code = str(
        cols[0].selectbox(
            t("districts.indicator", lang),
            options,
            format_func=lambda c: cat[c].name(lang),
            key="districts_indicator",
        )
    )
    with cols[1]:
        period = period_picker(t("districts.period", lang), periods, "districts_period", lang)
    applies = dashboard.per_commune_applies(cat[code])
    per_commune = cols[2].toggle(
        t("districts.per_commune", lang),
        key="districts_per_commune",
        disabled=not applies,
        help=t("districts.per_commune_help", lang)
        if applies
        else t("districts.per_commune_na", lang),
    )
    return DistrictFilters(code, period, bool(per_commune) and applies)


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


@st.cache_data(show_spinner=False, max_entries=128)
def _districts(
    url: str, version: int, code: str, period: str, per_commune: bool, lang: str
) -> DistrictsModel | None:
    cat = load_catalogue()
    p = Period.parse(period)
    heat = [q.code for q in period_range(p.shift(-(dashboard.HEAT_QUARTERS - 1)), p)]
    with db.session_scope(data.engine_for(url)) as session:
        units = all_units(session)
        province = dashboard.province_unit(units, p)
        if province is None:
            return None
        districts = dashboard.districts_of(units, province.id, heat)
        ids = tuple(u.id for u in districts)
        frame = queries.figures(
            session, cat, units, queries.Query((code,), (province.id, *ids), heat[0], p.code)
        )
        stored = queries.figure_sources(
            session, queries.base_codes(cat, (code,)), ids, p.code, p.code
        )
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
    is_demo = bool(frame["is_demo"].fillna(False).any()) if not frame.empty else False
    return DistrictsModel(
        code,
        p.code,
        p.label(lang),
        r,
        dashboard.ranking_table(r, cat, lang),
        matrix,
        tuple(dashboard.tiles(r)),
        existing,
        dashboard.ceased_note(districts, lang),
        is_demo,
    )


def districts(f: DistrictFilters, lang: str) -> DistrictsModel | None:
    url, version = _version()
    return _districts(url, version, f.code, f.period, f.per_commune, lang)


@dataclass(frozen=True)
class CommunesModel:
    district: str
    ranking: dashboard.Ranking
    table: pd.DataFrame
    note: str | None
    has_data: bool
    is_demo: bool


@st.cache_data(show_spinner=False, max_entries=128)
def _communes(
    url: str, version: int, code: str, district_id: int, period: str, lang: str
) -> CommunesModel | None:
    cat = load_catalogue()
    with db.session_scope(data.engine_for(url)) as session:
        units = all_units(session)
        district = next((u for u in units if u.id == district_id), None)
        if district is None:
            return None
        communes = dashboard.communes_of(units, district_id, period)
        ids = tuple(u.id for u in communes)
        frame = queries.figures(
            session, cat, units, queries.Query((code,), (district_id, *ids), period, period)
        )
        stored = queries.figure_sources(
            session, queries.base_codes(cat, (code,)), ids, period, period
        )
    r = dashboard.ranking(
        frame,
        cat,
        code,
        communes,
        period,
        lang,
        province_id=district_id,
        sources=dashboard.index_sources(stored),
    )
    has_data = bool(r.table["shown"].notna().any())
    is_demo = bool(frame["is_demo"].fillna(False).any()) if not frame.empty else False
    return CommunesModel(
        district.name,
        r,
        dashboard.ranking_table(r, cat, lang),
        dashboard.ceased_note(communes, lang),
        has_data,
        is_demo,
    )


def communes(code: str, district_id: int, period: str, lang: str) -> CommunesModel | None:
    url, version = _version()
    return _communes(url, version, code, district_id, period, lang)


@dataclass(frozen=True)
class DistrictFigures:
    ranking: go.Figure
    tiles: go.Figure
    heat: go.Figure


@st.cache_resource(show_spinner=False, max_entries=128)
def _district_figures(
    url: str, version: int, code: str, period: str, per_commune: bool, lang: str
) -> DistrictFigures | None:
    model = _districts(url, version, code, period, per_commune, lang)
    if model is None:
        return None
    ind = load_catalogue()[code]
    return DistrictFigures(
        charts.ranking_chart(model.ranking, ind, lang),
        charts.tile_map(model.tiles, ind, lang),
        charts.heat_map(model.matrix, ind, lang),
    )


def district_figures(f: DistrictFilters, lang: str) -> DistrictFigures | None:
    """The ranking, the tile map and the heat map of :func:`districts`."""
    url, version = _version()
    return _district_figures(url, version, f.code, f.period, f.per_commune, lang)


@st.cache_resource(show_spinner=False, max_entries=128)
def _commune_figure(
    url: str, version: int, code: str, district_id: int, period: str, lang: str
) -> go.Figure | None:
    model = _communes(url, version, code, district_id, period, lang)
    if model is None:
        return None
    whole = t("districts.district_whole", lang)
    return charts.ranking_chart(model.ranking, load_catalogue()[code], lang, whole=whole)


def commune_figure(code: str, district_id: int, period: str, lang: str) -> go.Figure | None:
    """The communes of a district ranked (:func:`communes`)."""
    url, version = _version()
    return _commune_figure(url, version, code, district_id, period, lang)


def district_picker(model: DistrictsModel, lang: str) -> int | None:
    names = {u.id: dashboard.unit_label(u) for u in model.districts}
    if not names:
        return None
    chosen = st.selectbox(
        t("districts.district", lang),
        list(names),
        format_func=names.__getitem__,
        key="districts_district",
    )
    return None if chosen is None else int(chosen)
