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
from kpi.filters import Filters, unit_sort_key
from kpi.i18n import t
from kpi.periods import Period
from kpi.ui import data
from kpi.ui.frame import page_context
from kpi.units import PROVINCE_CODE, UnitInfo, all_units

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
    if not any(key != "lang" for key in params):
        return None
    try:
        return Filters.from_params(params).replace(lang=lang)
    except ValueError:
        return None


def keep_in_url(filters: Filters) -> None:
    """Write the filters into the page address (only when they changed)."""
    wanted = filters.to_params()
    current = {key: st.query_params.get_all(key) for key in st.query_params}
    if current != {k: v if isinstance(v, list) else [v] for k, v in wanted.items()}:
        st.query_params.from_dict(wanted)


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
    state[K + "initial_range"] = (min(first, last), max(first, last))
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


def _select_group(catalogue: Catalogue) -> None:
    """Choosing a group selects its indicators (the list stays searchable and editable)."""
    group = st.session_state.get(K + "group")
    if group:
        st.session_state[K + "indicators"] = [
            i.code for i in catalogue.ordered() if i.group == group and i.active
        ]


# -- the widgets -------------------------------------------------------------------------------


def filter_widgets(lang: str) -> Filters:
    """Draw the filters and return them; on the first run of a visit they come from the page
    address, or else from the defaults."""
    cat = data.catalogue()
    units = data.units()
    periods = data.periods_with_data()
    state = st.session_state
    if K + "indicators" not in state:
        _seed(url_filters(lang) or _default_filters(lang, units), cat, units, periods)
    names = {code: unit.name for code, unit in _by_code(units).items()}

    with st.container(border=True):
        left, right = st.columns([1, 2])
        groups = sorted(cat.groups.values(), key=lambda g: g.order)
        left.selectbox(
            t("explore.group", lang),
            [g.code for g in groups],
            format_func=lambda code: cat.groups[code].name(lang),
            index=None,
            placeholder=t("explore.group_none", lang),
            key=K + "group",
            on_change=_select_group,
            args=(cat,),
        )
        indicators = right.multiselect(
            t("export.filter.indicators", lang),
            [i.code for i in cat.ordered() if i.active],
            format_func=lambda code: cat[code].name(lang),
            placeholder=t("explore.indicators_placeholder", lang),
            key=K + "indicators",
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
            value=state[K + "initial_range"],
            format_func=lambda p: Period.parse(p).label(lang),
            key=K + "range",
        )
        first, last = (chosen, chosen) if isinstance(chosen, str) else chosen
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
        chosen = box.multiselect(
            t("explore.districts", lang),
            districts,
            format_func=label,
            placeholder=t("explore.all_districts", lang),
            key=K + "districts",
        )
        return list(chosen) or districts, False
    if level == "communes":
        district = box.selectbox(
            t("explore.district", lang),
            _codes_at(units, "district"),
            format_func=label,
            key=K + "district",
        )
        communes = box.multiselect(
            t("explore.communes", lang),
            _codes_at(units, "commune", parent=str(district)),
            format_func=label,
            placeholder=t("explore.all_communes", lang),
            key=K + "communes",
        )
        return (list(communes), False) if communes else ([str(district)], True)
    every = list(_by_code(units))
    chosen = box.multiselect(
        t("explore.units", lang),
        every,
        format_func=lambda c: f"{label(c)} ({c})",
        placeholder=t("explore.all_units", lang),
        key=K + "units",
    )
    children = box.checkbox(t("export.filter.children", lang), key=K + "children")
    return list(chosen), bool(children) and bool(chosen)


# -- the table and its files -------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=32)
def _table(url: str, version: int, query: str) -> export.Table:
    params = parse_qs(query, keep_blank_values=True)
    with db.session_scope(data.engine_for(url)) as session:
        return export.build(
            session, data.catalogue(), all_units(session), Filters.from_params(params)
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
        st.caption(t("explore.rows_shown", lang, shown=DISPLAY_ROWS, rows=len(tab)))
    st.dataframe(export.display_frame(tab, DISPLAY_ROWS), hide_index=True, key=K + "table")
