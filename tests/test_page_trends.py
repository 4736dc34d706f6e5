"""The Trends page through Streamlit's AppTest, in both languages, on the demo database.

The numbers a leader reads in the tables under the charts are checked against the query layer
(and, for the real quarter, against the report), after changing the indicators, the range and
the frequency by widget key. Chart contents are tested on the builders (tests/test_charts.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from kpi import dashboard as d
from kpi import db
from kpi.catalogue import load_catalogue
from kpi.queries import Query, figures
from kpi.units import all_units
from tests.support.apptest import open_app

CAT = load_catalogue()


def _trends(lang: str) -> AppTest:
    return open_app(lang, "pages/trends.py")


def _tables(at: AppTest) -> list[pd.DataFrame]:
    return [t.value for t in at.dataframe]


def _cell(table: pd.DataFrame, name: str, period: str) -> str:
    """The figure of one indicator in one quarter or year (a row per period, a column per
    indicator)."""
    return str(table.set_index(table.columns[0]).loc[period, name])


def _expected(demo_db: Path, code: str, period: str, lang: str, freq: str = "quarter") -> str:
    """The figure as the query layer gives it, formatted as the page should show it."""
    engine = db.make_engine(f"sqlite:///{demo_db}")
    try:
        with db.session_scope(engine) as s:
            units = all_units(s)
            province = d.province_unit(units, "2019-Q1")
            assert province is not None
            first, last = (f"{period}-Q1", f"{period}-Q4") if freq == "year" else (period, period)
            frame = figures(s, CAT, units, Query((code,), (province.id,), first, last, freq))
    finally:
        engine.dispose()
    return d.figure_text(CAT[code], d.index_frame(frame).get((code, province.id, period)), lang)


@pytest.mark.parametrize(
    ("lang", "quarter", "received", "rate"),
    [("vi", "Quý I/2019", "38.751", "99,57%"), ("en", "Q1 2019", "38,751", "99.57%")],
)
def test_trends_open_on_the_one_stop_figures_of_the_last_quarters(
    demo_url: str, lang: str, quarter: str, received: str, rate: str
) -> None:
    at = _trends(lang)
    assert at.multiselect(key="trends_indicators").value == list(
        ("dossiers_received", "dossiers_resolved", "dossier_resolution_rate")
    )
    flows, rates = _tables(at)
    assert _cell(flows, CAT["dossiers_received"].name(lang), quarter) == received
    assert _cell(rates, CAT["dossier_resolution_rate"].name(lang), quarter) == rate
    assert len(flows) == 12  # the last twelve quarters
    assert len(at.get("plotly_chart")) == 2  # dossiers (bars) and the rate (a line)
    assert any(("minh hoạ" if lang == "vi" else "demo") in i.value for i in at.info)


def test_choosing_other_indicators_and_a_range_shows_their_figures(
    demo_url: str, demo_db: Path
) -> None:
    at = _trends("vi")
    at.multiselect(key="trends_indicators").set_value(
        ["doc_system_users", "email_accounts_total"]
    ).run()
    at.select_slider(key="trends_range").set_range("2018-Q1", "2019-Q1").run()
    assert not at.exception
    tables = _tables(at)
    assert len(tables) == 2  # users and accounts are measured in different units: two charts
    users = next(t for t in tables if CAT["doc_system_users"].name("vi") in t.columns)
    assert _cell(users, CAT["doc_system_users"].name("vi"), "Quý I/2019") == "7.848"
    assert _cell(users, CAT["doc_system_users"].name("vi"), "Quý II/2018") == _expected(
        demo_db, "doc_system_users", "2018-Q2", "vi"
    )
    assert list(users.iloc[:, 0]) == [
        "Quý I/2018",
        "Quý II/2018",
        "Quý III/2018",
        "Quý IV/2018",
        "Quý I/2019",
    ]


def test_by_year_a_flow_adds_its_quarters_and_an_unfinished_year_is_starred(
    demo_url: str, demo_db: Path
) -> None:
    at = _trends("en")
    at.radio(key="trends_freq").set_value("year").run()
    assert not at.exception
    flows = _tables(at)[0]
    name = CAT["dossiers_received"].name("en")
    assert list(flows["Period"]) == ["2016", "2017", "2018", "2019"]
    assert _cell(flows, name, "2018") == _expected(
        demo_db, "dossiers_received", "2018", "en", "year"
    )
    assert _cell(flows, name, "2019") == "38,751*"  # one quarter of four so far
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["data"][0]["x"][-1] == "2019*"


def test_choosing_a_group_offers_its_indicators_and_chooses_its_key_figures(demo_url: str) -> None:
    at = _trends("vi")
    at.selectbox(key="trends_group").set_value("documents").run()
    assert not at.exception
    chosen = at.multiselect(key="trends_indicators")
    assert chosen.value == ["doc_system_users", "e_document_share_pct", "e_documents_exchanged"]
    assert set(chosen.options) == {
        CAT[c].name("vi") for c in CAT.indicators if CAT[c].group == "documents"
    }
    tables = _tables(at)
    shares = next(t for t in tables if CAT["e_document_share_pct"].name("vi") in t.columns)
    assert _cell(shares, CAT["e_document_share_pct"].name("vi"), "Quý I/2019") == ">90%"


def test_a_district_can_be_followed_too(demo_url: str, demo_db: Path) -> None:
    at = _trends("vi")
    unit = at.selectbox(key="trends_unit")
    city = next(o for o in unit.options if o.startswith("Thành phố Trà Vinh"))
    unit.select(city).run()
    assert not at.exception
    assert any("Từ 01/07/2025: Thành phố Trà Vinh" in c.value for c in at.caption)
    flows = _tables(at)[0]
    engine = db.make_engine(f"sqlite:///{demo_db}")
    try:
        with db.session_scope(engine) as s:
            units = all_units(s)
            city_id = next(u.id for u in units if u.code == "842")
            frame = figures(
                s, CAT, units, Query(("dossiers_received",), (city_id,), "2019-Q1", "2019-Q1")
            )
    finally:
        engine.dispose()
    expected = d.figure_text(
        CAT["dossiers_received"],
        d.index_frame(frame)[("dossiers_received", city_id, "2019-Q1")],
        "vi",
    )
    assert _cell(flows, CAT["dossiers_received"].name("vi"), "Quý I/2019") == expected


def test_no_indicator_chosen_asks_for_one(demo_url: str) -> None:
    at = _trends("en")
    at.multiselect(key="trends_indicators").set_value([]).run()
    assert not at.exception
    assert [i.value for i in at.info] == ["Choose at least one indicator."]
