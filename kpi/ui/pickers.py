"""The indicator picker of the Trends and Explore pages, in the user's language throughout.

Streamlit's multiselect brings texts of its own that it does not translate ("Select all",
"Select 3 matches", "No results"), and Enter on a typed name adds every match. This picker is
made of plain widgets whose every word comes from the locale files: a group, a search box (tone-
and case-insensitive: "ho so" finds "Hồ sơ"), the matching indicators as check boxes, and the
chosen ones named below, so a choice hidden by the search stays in view.

The choice is kept in ``st.session_state[key]`` (a list of codes, in catalogue order), not in a
widget, so filtering the list never drops a choice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from kpi.catalogue import Catalogue
from kpi.i18n import t
from kpi.units import fold

ALL = "all"


def _matches(name: str, query: str) -> bool:
    words = fold(query).split()
    folded = fold(name)
    return all(w in folded for w in words)


def _toggle(key: str, code: str, box: str, order: Sequence[str]) -> None:
    chosen = set(st.session_state.get(key, []))
    if st.session_state.get(box):
        chosen.add(code)
    else:
        chosen.discard(code)
    st.session_state[key] = [c for c in order if c in chosen]


def _clear(key: str) -> None:
    st.session_state[key] = []


def checklist(
    label: str,
    options: Sequence[str],
    names: Callable[[str], str],
    key: str,
    lang: str,
    *,
    empty: str | None = None,
    filter_by: Callable[[str], bool] | None = None,
    placeholder: str | None = None,
) -> list[str]:
    """Pick several of ``options`` (codes) by ticking boxes, with a search box over their names
    (``names``); returns the chosen codes in the order of ``options``. ``filter_by`` narrows
    the boxes shown (a group) without dropping a choice; ``empty`` says what choosing none
    means; ``placeholder`` is the search box's hint (by default, for indicators)."""
    order = list(options)
    if not isinstance(st.session_state.get(key), list):
        st.session_state[key] = []
    st.session_state[key] = [c for c in order if c in set(st.session_state[key])]
    with st.container(border=True, key=f"{key}_picker"):
        head = st.columns([1, 1], vertical_alignment="bottom")
        head[0].markdown(f"**{label}**")
        query = head[1].text_input(
            t("picker.search", lang),
            key=f"{key}_search",
            placeholder=placeholder or t("picker.search_placeholder", lang),
        )
        shown = [
            c for c in order if (filter_by is None or filter_by(c)) and _matches(names(c), query)
        ]
        _boxes(shown, names, key, order)
        chosen = [names(c) for c in st.session_state[key]]
        line = st.columns([4, 1], vertical_alignment="center")
        line[0].caption(
            t("picker.chosen", lang, n=len(chosen), names="; ".join(chosen))
            if chosen
            else (empty or t("picker.none_chosen", lang))
        )
        line[1].button(
            t("picker.clear", lang),
            key=f"{key}_clear",
            on_click=_clear,
            args=(key,),
            disabled=not chosen,
        )
        if not shown:
            st.caption(t("picker.no_match", lang))
    return list(st.session_state[key])


def _boxes(shown: Sequence[str], names: Callable[[str], str], key: str, order: list[str]) -> None:
    chosen = set(st.session_state[key])
    with st.container(height=220 if len(shown) > 8 else "content", border=False):
        cols = st.columns(2)
        for n, code in enumerate(shown):
            box = f"{key}_box_{code}"
            st.session_state[box] = code in chosen
            cols[n % 2].checkbox(
                names(code), key=box, on_change=_toggle, args=(key, code, box, order)
            )


def indicator_picker(
    cat: Catalogue,
    lang: str,
    key: str,
    options: Sequence[str],
    *,
    on_group: Callable[[str], list[str]] | None = None,
    label: str | None = None,
    empty: str | None = None,
) -> list[str]:
    """Pick indicators among ``options`` (codes): a group, then a :func:`checklist` of the
    group's indicators; returns the chosen codes in catalogue order. ``on_group`` gives the
    indicators a newly chosen group selects (None: choosing a group only narrows the list)."""
    order = list(options)
    groups = [ALL, *sorted({cat[c].group for c in order}, key=lambda g: cat.groups[g].order)]

    def group_changed() -> None:
        group = str(st.session_state.get(f"{key}_group", ALL))
        if on_group is not None:
            st.session_state[key] = [c for c in order if c in set(on_group(group))]

    group = st.selectbox(
        t("picker.group", lang),
        groups,
        format_func=lambda g: (
            t("picker.all_groups", lang) if g == ALL else cat.groups[g].name(lang)
        ),
        key=f"{key}_group",
        on_change=group_changed,
        placeholder=t("picker.choose", lang),
    )
    return checklist(
        label or t("picker.indicators", lang),
        order,
        lambda c: cat[c].name(lang),
        key,
        lang,
        empty=empty,
        filter_by=None if group == ALL else (lambda c: cat[c].group == group),
    )
