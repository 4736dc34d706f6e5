"""A page's choices in its address (``st.query_params``): read when a page opens, written on
every run, so a link reproduces the screen.

One set of names for every page, those of the Explore page and the command line:

| parameter | meaning | pages |
|---|---|---|
| ``period`` | one quarter, ``2018-Q4`` | Overview, Districts |
| ``indicator`` | an indicator code, repeated for several | Trends (several), Districts (one), Explore |
| ``unit`` | a unit code (``84``, ``84-CQ``, ``842``) | Trends (one), Districts (a district), Explore |
| ``from``, ``to`` | the first and last quarter of a range | Trends, Explore |
| ``freq`` | ``quarter`` or ``year`` | Trends, Explore |
| ``lang`` | ``vi`` or ``en`` (left out when it is the default, ``KPI_LANG``) | every page |

A page seeds its widgets from the address only when they are not in the session yet (the first
run of a visit, or after coming from another page), so the address never overrides what a user
does on the page; values the page does not know (an unknown code, a quarter without figures)
are left out and the page's default stands.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

from kpi.config import get_settings
from kpi.periods import Period, PeriodError

#: the parameter names, one per choice (the Explore page's and the command line's)
PERIOD = "period"
INDICATOR = "indicator"
UNIT = "unit"
FROM = "from"
TO = "to"
FREQ = "freq"
LANG = "lang"
FREQS = ("quarter", "year")

Params = Mapping[str, str | Sequence[str]]


def current() -> dict[str, list[str]]:
    """The address's parameters, each as a list (a parameter may repeat)."""
    return {key: list(st.query_params.get_all(key)) for key in st.query_params}


def first(name: str) -> str | None:
    """The last value of a parameter (a repeated one keeps the last), stripped; None if absent."""
    values = st.query_params.get_all(name)
    return values[-1].strip() if values else None


def codes(name: str) -> list[str]:
    """A repeatable parameter's codes; ``a,b`` counts as two."""
    return [c.strip() for v in st.query_params.get_all(name) for c in v.split(",") if c.strip()]


def quarter(name: str, allowed: Sequence[str]) -> str | None:
    """A quarter parameter (``2018-Q4``, also ``2018q4``) when it is one of ``allowed``."""
    raw = first(name)
    if not raw:
        return None
    try:
        code = Period.parse(raw).code
    except PeriodError:
        return None
    return code if code in allowed else None


def freq() -> str | None:
    raw = (first(FREQ) or "").lower()
    return raw if raw in FREQS else None


def seed(key: str, value: object) -> None:
    """Give a widget its value from the address, before it is drawn, on the first run only."""
    if key not in st.session_state and value is not None:
        st.session_state[key] = value


def keep(params: Params, lang: str) -> None:
    """Make the address say ``params`` (and the language, when not the default): only when it
    differs, so a page does not rerun for nothing."""
    wanted: dict[str, list[str]] = {}
    for name, value in params.items():
        values = [value] if isinstance(value, str) else [str(v) for v in value]
        if values:
            wanted[name] = values
    if lang != get_settings().lang:
        wanted[LANG] = [lang]
    else:
        wanted.pop(LANG, None)
    if current() != wanted:
        st.query_params.from_dict({k: v if len(v) > 1 else v[0] for k, v in wanted.items()})


def follow_language(lang: str, keys: Sequence[str], page: str) -> None:
    """After a language switch, give these widgets their values again, so that the browser
    draws them with the new language's labels (a select box otherwise keeps "Quý IV/2018"
    after switching to English: it holds the label it was given)."""
    mark = f"_labels_lang_{page}"
    previous = st.session_state.get(mark)
    st.session_state[mark] = lang
    if previous is None or previous == lang:
        return
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def slider_key(base: str, lang: str) -> str:
    """A range slider's key in one language. A slider holds the labels it was drawn with,
    and a range slider cannot be given a value through the session state, so each language
    has its own slider, which opens on the range the page remembers (:func:`remember`)."""
    return f"{base}_{lang}"


def remember(base: str, value: object) -> None:
    st.session_state[f"_{base}"] = value


def remembered(base: str, default: object = None) -> object:
    return st.session_state.get(f"_{base}", default)
