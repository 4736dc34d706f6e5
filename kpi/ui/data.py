"""Cached access to the core for the pages.

The engine is a cached resource keyed by the database URL; query results are cached data keyed
by the URL and the data version kept in the database, so an upload made in any server process is
seen by every other at its next rerun, and a test never reads another test's database.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from kpi import db, queries
from kpi.admin import apply_activation
from kpi.catalogue import Catalogue, load_catalogue
from kpi.config import get_settings
from kpi.periods import Period
from kpi.units import UnitDirectory, UnitInfo, all_units


def database_url() -> str:
    return get_settings().database_url


@st.cache_resource(show_spinner=False)
def engine_for(url: str) -> Engine:
    return db.make_engine(url)


def engine() -> Engine:
    return engine_for(database_url())


@st.cache_resource(show_spinner=False, max_entries=8)
def _catalogue(url: str, version: int) -> Catalogue:
    with db.session_scope(engine_for(url)) as session:
        return apply_activation(load_catalogue(), session)


def catalogue() -> Catalogue:
    """The catalogue, with the indicators an administrator turned off marked inactive."""
    return _catalogue(database_url(), data_version())


def data_version() -> int:
    """Read on every rerun (one indexed row): the key of every cached result below."""
    with engine().connect() as conn:
        return db.data_version(conn)


@st.cache_resource(show_spinner=False, max_entries=16)
def units_of(url: str, version: int) -> tuple[UnitInfo, ...]:
    """Every unit of the database at ``url`` at data version ``version``, shared."""
    # A resource, not cached data: the units are frozen dataclasses shared as they are, where
    # cached data would unpickle a copy of every unit at every call (0.15 s for a country's
    # 11,000 units).
    with db.session_scope(engine_for(url)) as session:
        return tuple(all_units(session))


def units() -> list[UnitInfo]:
    return list(units_of(database_url(), data_version()))


@st.cache_resource(show_spinner=False, max_entries=64)
def _directory(url: str, version: int, period: str) -> UnitDirectory:
    # Built once per quarter and data version (0.19 s for a country's units), then shared: the
    # pages only read it.
    p = Period.parse(period)
    return UnitDirectory(units_of(url, version), p.start, p.end)


def directory(period: str) -> UnitDirectory:
    return _directory(database_url(), data_version(), period)


@st.cache_data(show_spinner=False, max_entries=64)
def _periods(url: str, version: int) -> list[str]:
    with db.session_scope(engine_for(url)) as session:
        return queries.periods_with_data(session)


def periods_with_data() -> list[str]:
    return _periods(database_url(), data_version())


@st.cache_data(show_spinner=False, max_entries=256)
def _figures(
    url: str,
    version: int,
    indicators: tuple[str, ...],
    unit_ids: tuple[int, ...],
    first: str,
    last: str,
    freq: str,
) -> pd.DataFrame:
    with db.session_scope(engine_for(url)) as session:
        return queries.figures(
            session,
            load_catalogue(),
            list(units_of(url, version)),
            queries.Query(indicators, unit_ids, first, last, freq),
        )


def figures(
    indicators: Sequence[str], unit_ids: Sequence[int], first: str, last: str, freq: str = "quarter"
) -> pd.DataFrame:
    return _figures(
        database_url(), data_version(), tuple(indicators), tuple(unit_ids), first, last, freq
    )


@st.cache_data(show_spinner=False, max_entries=256)
def _history(url: str, version: int, indicator: str, unit_id: int, period: str) -> pd.DataFrame:
    with db.session_scope(engine_for(url)) as session:
        return queries.figure_history(session, indicator, unit_id, period)


def figure_history(indicator: str, unit_id: int, period: str) -> pd.DataFrame:
    return _history(database_url(), data_version(), indicator, unit_id, period)
