"""Widgets and cached data of the Explore page (``pages/explore.py``).

The filters live in the widgets (keys ``explore_*``) and in the page address: on the first
run of a visit the widgets are seeded from ``st.query_params`` (a shared link reproduces the
table), and every run writes the filters back to it. The table is built by
:func:`kpi.export.build`, the code path of ``python -m kpi export``, and cached by database,
data version and filters; the downloads are generated when clicked, and each is recorded in
the audit log.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from urllib.parse import parse_qs

import streamlit as st

from kpi import db, export
from kpi.catalogue import Catalogue
from kpi.filters import FIELDS, Filters, unit_sort_key
from kpi.i18n import t
from kpi.numbers import format_number
from kpi.periods import Period
from kpi.ui import data, pickers
from kpi.ui import state as page_state
from kpi.ui.frame import page_context
from kpi.units import PROVINCE_CODE, UnitInfo

#: rows drawn on screen; the downloads hold every row
DISPLAY_ROWS = 2_000
#: the table the page opens on when its address carries no filters
DEFAULT_INDICATORS = ("dossiers_received",)
DEFAULT_QUARTERS = 8
LEVELS = ("province", "districts", "communes", "custom")
LAYOUTS = {
    "long": ("long", "periods"),
    "wide_periods": ("wide", "periods"),
    "wide_units": ("wide", "units"),
}
K = "explore_"


# -- the page address --------------------------------------------------------------------------


def url_filters(lang: str) -> Filters | None:
    """The filters in the page address, or None when it has none (or unreadable ones)."""
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    own = {f.param for f in FIELDS} - {"lang"}
    if not any(key in own for key in params):  # another page's choices (``period``) are not ours
        return None
    try:
        return Filters.from_params(params).replace(lang=lang)
    except ValueError:
        return None


def keep_in_url(filters: Filters) -> None:
    """Write the filters into the page address (only when they changed); the language is
    there when it is not the default (:func:`kpi.ui.state.keep`)."""
    wanted = filters.to_params()
    wanted.pop("lang", None)
    page_state.keep(wanted, filters.lang)


# -- units by level ----------------------------------------------------------------------------


def _by_code(units: Sequence[UnitInfo]) -> dict[str, UnitInfo]:
    out: dict[str, UnitInfo] = {}
    for unit in sorted(units, key=unit_sort_key):
        out.setdefault(unit.code, unit)
    return out


def _codes_at(units: Sequence[UnitInfo], level: str, parent: str | None = None) -> list[str]:
    parents = {u.id for u in units if u.code == parent}
    return list(
        _by_code(
            [u for u in units if u.level == level and (parent is None or u.parent_id in parents)]
        )
    )


def _seed_units(filters: Filters, units: Sequence[UnitInfo]) -> dict[str, object]:
    """Which unit widgets show ``filters.units``: a level, and the units at that level."""
    by_code = _by_code(units)
    chosen = [by_code[c] for c in filters.units if c in by_code]
    districts = _codes_at(units, "district")
    if len(chosen) != len(filters.units) or not chosen:
        # a link with codes no unit bears: keep the known ones (the widget offers only those)
        return {"level": "custom", "units": [u.code for u in chosen], "children": filters.children}
    if filters.children and len(chosen) == 1 and chosen[0].code in districts:
        return {"level": "communes", "district": chosen[0].code, "communes": []}
    if not filters.children and [u.code for u in chosen] == [PROVINCE_CODE]:
        return {"level": "province"}
    if not filters.children and all(u.code in districts for u in chosen):
        return {"level": "districts", "districts": [u.code for u in chosen]}
    parent_ids = {u.parent_id for u in chosen}
    parents = [u for u in units if u.id in parent_ids]
    if (
        not filters.children
        and all(u.level == "commune" for u in chosen)
        and len({p.code for p in parents}) == 1
    ):
        return {
            "level": "communes",
            "district": parents[0].code,
            "communes": [u.code for u in chosen],
        }
    return {"level": "custom", "units": [u.code for u in chosen], "children": filters.children}


def _seed(
    filters: Filters, catalogue: Catalogue, units: Sequence[UnitInfo], periods: Sequence[str]
) -> None:
    """Put ``filters`` into the widgets' state (before the widgets are drawn); codes that a
    link carries but the catalogue does not know are left out."""
    state = st.session_state
    state[K + "indicators"] = [
        c for c in filters.indicators if c in catalogue and catalogue[c].active
    ]
    seeded = _seed_units(filters, units)
    state[K + "level"] = seeded["level"]
    state[K + "districts"] = seeded.get("districts", _codes_at(units, "district"))
    district = seeded.get("district") or (_codes_at(units, "district") or [None])[0]
    state[K + "district"] = district
    state[K + "communes"] = seeded.get("communes", [])
    state[K + "units"] = seeded.get("units", [])
    state[K + "children"] = bool(seeded.get("children", False))
    first = (
        filters.first
        if filters.first in periods
        else periods[max(0, len(periods) - DEFAULT_QUARTERS)]
    )
    last = filters.last if filters.last in periods else periods[-1]
    # Not the slider's own state: a range slider is a range only when given a pair as its value.
    page_state.remember(K + "range", (min(first, last), max(first, last)))
    state[K + "freq"] = filters.freq
    state[K + "layout"] = next(
        k for k, v in LAYOUTS.items() if v == (filters.layout, filters.across)
    )
    state[K + "header"] = filters.header
    state[K + "history"] = filters.history
    state[K + "sources"] = filters.sources


def _default_filters(lang: str, units: Sequence[UnitInfo]) -> Filters:
    return Filters(
        indicators=DEFAULT_INDICATORS, units=tuple(_codes_at(units, "district")), lang=lang
    )


def _group_members(catalogue: Catalogue, group: str) -> list[str]:
    """Choosing a group selects its indicators (the list stays searchable and editable);
    "every group" keeps the choice as it is."""
    if group == pickers.ALL:
        return list(st.session_state.get(K + "indicators", []))
    return [i.code for i in catalogue.ordered() if i.group == group and i.active]


#: the widgets whose labels change with the language (given their values again on a switch)
LABELLED = (
    K + "indicators_group",
    K + "level",
    K + "district",
    K + "freq",
    K + "layout",
    K + "header",
)


# -- the widgets -------------------------------------------------------------------------------


def _known_range(pair: object, periods: Sequence[str]) -> tuple[str, str]:
    """The remembered range, within the quarters that have figures."""
    if isinstance(pair, tuple) and len(pair) == 2 and all(p in periods for p in pair):
        return (str(pair[0]), str(pair[1]))
    return (periods[max(0, len(periods) - DEFAULT_QUARTERS)], periods[-1])


def filter_widgets(lang: str) -> Filters:
    """Draw the filters and return them; on the first run of a visit they come from the page
    address, or else from the defaults."""
    cat = data.catalogue()
    units = data.units()
    periods = data.periods_with_data()
    state = st.session_state
    if K + "level" not in state:
        _seed(url_filters(lang) or _default_filters(lang, units), cat, units, periods)
    page_state.follow_language(lang, LABELLED, "explore")
    names = {code: unit.name for code, unit in _by_code(units).items()}

    with st.container(border=True):
        indicators = pickers.indicator_picker(
            cat,
            lang,
            K + "indicators",
            [i.code for i in cat.ordered() if i.active],
            on_group=lambda g: _group_members(cat, g),
            label=t("export.filter.indicators", lang),
            empty=t("explore.indicators_placeholder", lang),
        )
        left, right = st.columns([1, 2])
        level = left.radio(
            t("explore.level", lang),
            LEVELS,
            format_func=lambda v: t(f"explore.level_choice.{v}", lang),
            key=K + "level",
        )
        unit_codes, children = _unit_widgets(right, str(level), units, names, lang)
        chosen = st.select_slider(
            t("explore.range", lang),
            periods,
            value=_known_range(page_state.remembered(K + "range"), periods),
            format_func=lambda p: Period.parse(p).label(lang),
            key=page_state.slider_key(K + "range", lang),
        )
        first, last = (chosen, chosen) if isinstance(chosen, str) else chosen
        page_state.remember(K + "range", (first, last))
        c1, c2, c3, c4 = st.columns(4)
        freq = c1.radio(
            t("export.filter.freq", lang),
            ("quarter", "year"),
            format_func=lambda v: t(f"export.choice.freq.{v}", lang),
            key=K + "freq",
        )
        layout_key = c2.radio(
            t("explore.layout", lang),
            tuple(LAYOUTS),
            format_func=lambda v: t(f"explore.layout_choice.{v}", lang),
            key=K + "layout",
        )
        header = c3.radio(
            t("export.filter.header", lang),
            ("names", "codes"),
            format_func=lambda v: t(f"export.choice.header.{v}", lang),
            key=K + "header",
        )
        layout, across = LAYOUTS[str(layout_key)]
        history_ok = layout == "long" and freq == "quarter"
        history = c4.checkbox(
            t("export.filter.history", lang), key=K + "history", disabled=not history_ok
        )
        sources = c4.checkbox(
            t("export.filter.sources", lang), key=K + "sources", disabled=layout != "long"
        )
    return Filters(
        indicators=tuple(indicators),
        units=tuple(unit_codes),
        children=children,
        first=str(first),
        last=str(last),
        freq=str(freq),
        history=bool(history) and history_ok,
        sources=bool(sources) and layout == "long",
        layout=layout,
        across=across,
        lang=lang,
        header=str(header),
    )


def _unit_widgets(
    box: st.delta_generator.DeltaGenerator,
    level: str,
    units: Sequence[UnitInfo],
    names: dict[str, str],
    lang: str,
) -> tuple[list[str], bool]:
    """The unit pickers of one level; returns the unit codes and the children flag."""
    label: Callable[[str], str] = lambda code: names.get(code, code)  # noqa: E731
    if level == "province":
        return [PROVINCE_CODE], False
    if level == "districts":
        districts = _codes_at(units, "district")
        with box:
            chosen = pickers.checklist(
                t("explore.districts", lang),
                districts,
                label,
                K + "districts",
                lang,
                empty=t("explore.all_districts", lang),
                placeholder=t("picker.search_units", lang),
            )
        return list(chosen) or districts, False
    if level == "communes":
        district = box.selectbox(
            t("explore.district", lang),
            _codes_at(units, "district"),
            format_func=label,
            key=K + "district",
            placeholder=t("picker.choose", lang),
        )
        with box:
            communes = pickers.checklist(
                t("explore.communes", lang),
                _codes_at(units, "commune", parent=str(district)),
                label,
                K + "communes",
                lang,
                empty=t("explore.all_communes", lang),
                placeholder=t("picker.search_units", lang),
            )
        return (list(communes), False) if communes else ([str(district)], True)
    every = list(_by_code(units))
    with box:
        chosen = pickers.checklist(
            t("explore.units", lang),
            every,
            lambda c: f"{label(c)} ({c})",
            K + "units",
            lang,
            empty=t("explore.all_units", lang),
            placeholder=t("picker.search_units", lang),
        )
    children = box.checkbox(t("export.filter.children", lang), key=K + "children")
    return list(chosen), bool(children) and bool(chosen)


# -- the table and its files -------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=32)
def _table(url: str, version: int, query: str) -> export.Table:
    params = parse_qs(query, keep_blank_values=True)
    with db.session_scope(data.engine_for(url)) as session:
        return export.build(
            session,
            data.catalogue(),
            list(data.units_of(url, version)),
            Filters.from_params(params),
        )


def table(filters: Filters) -> export.Table:
    """The table of ``filters``, cached by database, data version and filters."""
    return _table(data.database_url(), data.data_version(), filters.to_query())


def summary(tab: export.Table, lang: str) -> None:
    """The sentence that says what the table is, and the demo-data notice."""
    st.subheader(tab.description)
    if tab.contains_demo:
        st.info(t("app.demo_banner", lang), icon="ℹ️")


def _generator(tab: export.Table, fmt: str) -> Callable[[], bytes]:
    """The file, made when the button is clicked; the download is recorded in the audit log."""
    engine = data.engine()
    actor = page_context().user

    def make() -> bytes:
        content = export.to_bytes(tab, fmt)
        with db.session_scope(engine) as session:
            export.record_export(session, actor, tab, fmt)
        return content

    return make


def download_buttons(tab: export.Table, lang: str) -> None:
    """CSV, XLSX, Parquet and JSON of the table; XLSX is refused beyond Excel's rows."""
    columns = st.columns(len(export.FORMATS))
    for box, fmt in zip(columns, export.FORMATS, strict=True):
        refused = None
        if fmt == "xlsx":
            try:
                export.check_xlsx(len(tab))
            except export.ExportRefused as exc:
                refused = exc.message(lang)
        box.download_button(
            t(f"explore.download_{fmt}", lang),
            data=_generator(tab, fmt),
            file_name=export.file_name(tab, fmt),
            mime=export.MIME[fmt],
            key=f"{K}download_{fmt}",
            on_click="ignore",
            disabled=refused is not None,
            help=refused,
            icon=":material/download:",
        )
        if refused:
            box.caption(refused)


def show_table(tab: export.Table, lang: str) -> None:
    """The table on screen, numbers written the way ``lang`` writes them."""
    if not len(tab):
        st.warning(t("explore.empty", lang))
        return
    if len(tab) > DISPLAY_ROWS:
        st.caption(
            t(
                "explore.rows_shown",
                lang,
                shown=format_number(DISPLAY_ROWS, lang),
                rows=format_number(len(tab), lang),
            )
        )
    st.dataframe(export.display_frame(tab, DISPLAY_ROWS), hide_index=True, key=K + "table")
