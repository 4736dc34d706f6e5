"""The leaders' pages (Overview, Trends, Districts): cached models and the widgets they share.

Each page reads its filters (a frozen dataclass from a ``*_filters`` function), asks one cached
model function, and draws it with the widgets here. Models are cached data keyed by the
database URL and the data version kept in the database (as in :mod:`kpi.ui.data`), so an upload
made in any server process shows at the next rerun everywhere. One model is one database
session: the figures, the targets and the sources come in a handful of queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from kpi import charts, dashboard, db, page_models
from kpi.catalogue import Catalogue, load_catalogue
from kpi.i18n import t
from kpi.page_models import (
    CommunesModel,
    DistrictsModel,
    OverviewModel,
    TrendChart,
    TrendModel,
)
from kpi.periods import Period, period_range, year_label
from kpi.ui import data, pickers, state
from kpi.ui.frame import demo_banner
from kpi.units import AGENCIES_CODE, UnitInfo

__all__ = ["CommunesModel", "DistrictsModel", "OverviewModel", "TrendChart", "TrendModel"]

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
# Overview
# ---------------------------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=64)
def _overview(url: str, version: int, period: str, lang: str) -> OverviewModel | None:
    with db.session_scope(data.engine_for(url)) as session:
        return page_models.overview_model(
            session, load_catalogue(), period, lang, data.units_of(url, version)
        )


def overview(period: str, lang: str) -> OverviewModel | None:
    """The Overview of a quarter: the key figures' cards and the report's groups."""
    url, version = _version()
    return _overview(url, version, period, lang)


def period_picker(label: str, periods: Sequence[str], key: str, lang: str) -> str:
    """A quarter, latest first, shown as "Quý I/2019"; on the first run it comes from the
    ``period`` of the page address."""
    state.seed(key, state.quarter(state.PERIOD, periods))
    chosen = st.selectbox(
        label,
        list(reversed(periods)),
        format_func=lambda p: Period.parse(p).label(lang),
        key=key,
        placeholder=t("picker.choose", lang),
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
    unit_code: str = ""

    def params(self) -> dict[str, str | list[str]]:
        """The filters in the page address (:mod:`kpi.ui.state`)."""
        return {
            state.INDICATOR: list(self.codes),
            state.UNIT: self.unit_code,
            state.FROM: self.first,
            state.TO: self.last,
            state.FREQ: self.freq,
        }


def _group_defaults(cat: Catalogue, group: str) -> list[str]:
    if group == "all":
        return [c for c in DEFAULT_TRENDS if c in cat]
    inds = [i for i in cat.ordered() if i.group == group and i.active]
    keys = [i.code for i in inds if i.key]
    return (keys or [i.code for i in inds])[:3]


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


def _years_from_range() -> None:
    """Switching to years: the years of the quarters chosen."""
    chosen = state.remembered("trends_range")
    if isinstance(chosen, tuple):
        a, b = chosen
        state.remember("trends_years", (Period.parse(a).year, Period.parse(b).year))
    st.session_state.pop("trends_cut", None)


def _range_from_years(span: Sequence[str]) -> None:
    """Switching to quarters: the quarters of the years chosen, within the quarters known."""
    chosen = state.remembered("trends_years")
    if isinstance(chosen, tuple):
        y1, y2 = chosen
        inside = [p for p in span if y1 <= Period.parse(p).year <= y2]
        if inside:
            state.remember("trends_range", (inside[0], inside[-1]))
    st.session_state.pop("trends_cut", None)


def _freq_changed(span: Sequence[str]) -> None:
    if st.session_state.get("trends_freq") == "year":
        _years_from_range()
    else:
        _range_from_years(span)


TREND_KEYS = ("trends_unit", "trends_freq", "trends_indicators_group")


def _seed_trends(cat: Catalogue, units: Sequence[UnitInfo], span: Sequence[str]) -> None:
    """The Trends page's widgets from its address (first run of a visit only)."""
    if "trends_freq" in st.session_state:
        return
    codes = [c for c in state.codes(state.INDICATOR) if c in cat and cat[c].active]
    if codes:
        st.session_state["trends_indicators"] = [i.code for i in cat.ordered(codes)]
    by_code = {u.code: u.id for u in units}
    unit = state.first(state.UNIT)
    if unit and unit.upper() in by_code:
        st.session_state["trends_unit"] = by_code[unit.upper()]
    freq = state.freq() or "quarter"
    st.session_state["trends_freq"] = freq
    first = state.quarter(state.FROM, span) or span[max(0, len(span) - TREND_QUARTERS)]
    last = state.quarter(state.TO, span) or span[-1]
    if Period.parse(first) > Period.parse(last):
        first, last = last, first
    state.remember("trends_range", (first, last))
    a, b = Period.parse(first), Period.parse(last)
    state.remember("trends_years", (a.year, b.year))
    st.session_state.pop("trends_cut", None)
    if freq == "year" and (a.quarter != 1 or b.quarter != 4):
        # a link that asks for a cut year gets it (the figures say the year is incomplete)
        st.session_state["trends_cut"] = (first, last)


def _clip(pair: object, allowed: Sequence[Any], default: tuple[Any, Any]) -> tuple[Any, Any]:
    if not isinstance(pair, tuple) or len(pair) != 2:
        return default
    a, b = pair
    if a not in allowed or b not in allowed:
        return default
    return (a, b)


def trend_filters(lang: str, cat: Catalogue, periods: Sequence[str]) -> TrendFilters | None:
    """The Trends page's filters: indicators (by group or by typing part of a name), unit,
    frequency and range (quarters, or whole years). They come from the page address on the
    first run and are written back to it on every run. None when no indicator is chosen."""
    units = trend_units(periods[-1])
    span = [p.code for p in period_range(periods[0], periods[-1])]
    _seed_trends(cat, units, span)
    state.follow_language(lang, TREND_KEYS, "trends")
    if "trends_indicators" not in st.session_state:
        st.session_state["trends_indicators"] = _group_defaults(cat, "all")
    codes = pickers.indicator_picker(
        cat,
        lang,
        "trends_indicators",
        [i.code for i in cat.ordered() if i.active],
        on_group=lambda g: _group_defaults(cat, g),
    )
    row = st.columns([1, 1, 2])
    names = {u.id: dashboard.unit_label(u, periods[-1]) for u in units}
    unit_id = row[0].selectbox(
        t("trends.unit", lang),
        list(names),
        format_func=names.__getitem__,
        key="trends_unit",
        placeholder=t("picker.choose", lang),
    )
    freq = row[1].radio(
        t("trends.freq", lang),
        ["quarter", "year"],
        format_func=lambda f: t(f"trends.freq_{f}", lang),
        horizontal=True,
        key="trends_freq",
        on_change=_freq_changed,
        args=(span,),
    )
    if freq == "year":
        years = sorted({Period.parse(p).year for p in span})
        y1, y2 = _clip(state.remembered("trends_years"), years, (years[0], years[-1]))
        if len(years) > 1:
            y1, y2 = row[2].select_slider(
                t("trends.range_years", lang),
                years,
                value=(y1, y2),
                format_func=lambda y: year_label(int(y), lang),
                key=state.slider_key("trends_years", lang),
            )
        state.remember("trends_years", (y1, y2))
        cut = st.session_state.get("trends_cut")
        if cut and (Period.parse(cut[0]).year, Period.parse(cut[1]).year) == (y1, y2):
            first, last = cut
        else:
            st.session_state.pop("trends_cut", None)
            first, last = Period(int(y1), 1).code, Period(int(y2), 4).code
    else:
        default = (span[max(0, len(span) - TREND_QUARTERS)], span[-1])
        first, last = row[2].select_slider(
            t("trends.range", lang),
            span,
            value=_clip(state.remembered("trends_range"), span, default),
            format_func=lambda p: Period.parse(p).label(lang),
            key=state.slider_key("trends_range", lang),
        )
        state.remember("trends_range", (first, last))
    by_id = {u.id: u.code for u in units}
    if unit_id is None:
        return None
    filters = TrendFilters(
        tuple(codes), int(unit_id), str(first), str(last), str(freq), by_id.get(int(unit_id), "")
    )
    state.keep(filters.params(), lang)
    return filters if codes else None


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
    with db.session_scope(data.engine_for(url)) as session:
        return page_models.trend_model(
            session,
            load_catalogue(),
            codes,
            unit_id,
            first,
            last,
            freq,
            lang,
            data.units_of(url, version),
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


#: on a narrow screen (a phone) Plotly's toolbar covers titles and legends, and a heat map's
#: figures are too small to read: hide both there (the figures stay in the hover)
NARROW_CSS = (
    "<style>@media (max-width: 640px) {"
    " .js-plotly-plot .modebar-container, .js-plotly-plot .modebar { display: none !important; }"
    " .js-plotly-plot g.heatmap-label { display: none !important; }"
    " }</style>"
)


def chart_style() -> None:
    """The page style the charts need (once per run, before the first chart)."""
    st.html(NARROW_CSS)


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


DISTRICT_KEYS = ("districts_indicator", "districts_period", "districts_district")


def district_filters(lang: str, cat: Catalogue, periods: Sequence[str]) -> DistrictFilters:
    """The Districts page's filters: one indicator, one quarter, per commune or not; the
    indicator and the quarter come from the page address on the first run."""
    options = [i.code for i in cat.at_level("district")]
    if "districts_indicator" not in st.session_state:
        wanted = [c for c in state.codes(state.INDICATOR) if c in options]
        if wanted:
            st.session_state["districts_indicator"] = wanted[0]
        elif DEFAULT_DISTRICT_INDICATOR in options:
            st.session_state["districts_indicator"] = DEFAULT_DISTRICT_INDICATOR
    state.follow_language(lang, DISTRICT_KEYS, "districts")
    cols = st.columns([2, 1, 1], vertical_alignment="bottom")
    code = str(
        cols[0].selectbox(
            t("districts.indicator", lang),
            options,
            format_func=lambda c: cat[c].name(lang),
            key="districts_indicator",
            placeholder=t("picker.choose", lang),
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


@st.cache_data(show_spinner=False, max_entries=128)
def _districts(
    url: str, version: int, code: str, period: str, per_commune: bool, lang: str
) -> DistrictsModel | None:
    with db.session_scope(data.engine_for(url)) as session:
        return page_models.districts_model(
            session, load_catalogue(), code, period, per_commune, lang, data.units_of(url, version)
        )


def districts(f: DistrictFilters, lang: str) -> DistrictsModel | None:
    url, version = _version()
    return _districts(url, version, f.code, f.period, f.per_commune, lang)


@st.cache_data(show_spinner=False, max_entries=128)
def _communes(
    url: str, version: int, code: str, district_id: int, period: str, lang: str
) -> CommunesModel | None:
    with db.session_scope(data.engine_for(url)) as session:
        return page_models.communes_model(
            session, load_catalogue(), code, district_id, period, lang, data.units_of(url, version)
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
        charts.ranking_chart(model.ranking, ind, lang, parts=model.total_note),
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
    """The district whose communes are shown (``unit`` in the page address)."""
    names = {u.id: dashboard.unit_label(u, model.period) for u in model.districts}
    if not names:
        return None
    if "districts_district" not in st.session_state:
        wanted = state.first(state.UNIT)
        found = [u.id for u in model.districts if wanted and u.code == wanted.upper()]
        if found:
            st.session_state["districts_district"] = found[0]
    chosen = st.selectbox(
        t("districts.district", lang),
        list(names),
        format_func=names.__getitem__,
        key="districts_district",
        placeholder=t("picker.choose", lang),
    )
    return None if chosen is None else int(chosen)


def keep_districts(
    f: DistrictFilters, model: DistrictsModel | None, district_id: int | None, lang: str
) -> None:
    """The Districts page's choices in its address: indicator, quarter and the district."""
    params: dict[str, str | list[str]] = {state.INDICATOR: f.code, state.PERIOD: f.period}
    if model is not None and district_id is not None:
        code = next((u.code for u in model.districts if u.id == district_id), None)
        if code:
            params[state.UNIT] = code
    state.keep(params, lang)
