"""Every leader's page keeps its choices in its address and opens from it as it was (issue 9):
the names of ``kpi.ui.state`` (``period``, ``indicator``, ``unit``, ``from``, ``to``, ``freq``,
``lang``), through Streamlit's AppTest on the demo database."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from kpi.catalogue import load_catalogue
from tests.support.apptest import ROOT, chosen_indicators

CAT = load_catalogue()


def _open(page: str, params: dict[str, Any], lang: str = "vi") -> AppTest:
    """A fresh visit to ``page`` from a link with ``params``."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.session_state["lang"] = lang
    at.query_params.update(params)
    at.switch_page(str(ROOT / page)).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _shown(at: AppTest, key: str) -> str:
    """The option a select box shows."""
    box = at.selectbox(key=key)
    assert box.index is not None
    return str(box.options[box.index])


def _params(at: AppTest) -> dict[str, Any]:
    return {k: at.query_params[k] for k in at.query_params}


def test_the_overview_opens_on_the_quarter_of_its_link_and_keeps_the_choice(demo_url: str) -> None:
    at = _open("pages/overview.py", {"period": "2018-Q4"})
    assert at.selectbox(key="overview_period").value == "2018-Q4"
    assert at.title[0].value and any("Quý IV/2018" in c.value for c in at.caption)
    assert _params(at) == {"period": "2018-Q4"}
    at.selectbox(key="overview_period").set_value("2018-Q2").run()
    assert _params(at) == {"period": "2018-Q2"}


@pytest.mark.parametrize("period", ["2031-Q1", "rubbish", ""])
def test_an_overview_link_with_an_unknown_quarter_opens_on_the_latest(
    demo_url: str, period: str
) -> None:
    at = _open("pages/overview.py", {"period": period})
    assert at.selectbox(key="overview_period").value == "2019-Q1"
    assert _params(at) == {"period": "2019-Q1"}


def test_trends_open_as_the_link_says_with_the_cut_year_it_asks_for(demo_url: str) -> None:
    link = {
        "indicator": ["dossiers_received", "dossier_resolution_rate"],
        "unit": "84",
        "from": "2016-Q2",
        "to": "2019-Q1",
        "freq": "year",
    }
    at = _open("pages/trends.py", link)
    assert chosen_indicators(at, "trends_indicators") == list(link["indicator"])
    assert at.radio(key="trends_freq").value == "year"
    assert at.select_slider(key="trends_years_vi").value == (2016, 2019)
    flows = at.dataframe[0].value.set_index("Thời kỳ")
    name = CAT["dossiers_received"].name("vi")
    assert flows.loc["Năm 2016", name] == "95.577*"  # Quý II-IV only, marked incomplete
    assert _params(at) == link
    # moving the years picks whole years: no cut year any more
    at.select_slider(key="trends_years_vi").set_range(2017, 2018).run()
    assert _params(at)["from"] == "2017-Q1" and _params(at)["to"] == "2018-Q4"
    assert not any(v.endswith("*") for v in at.dataframe[0].value[name])


def test_trends_keep_a_district_and_a_range_of_quarters(demo_url: str) -> None:
    link = {"indicator": "dossiers_resolved", "unit": "849", "from": "2018-Q1", "to": "2018-Q4"}
    at = _open("pages/trends.py", link, lang="en")
    assert at.selectbox(key="trends_unit").value is not None
    assert "Trà Cú" in _shown(at, "trends_unit")
    assert at.select_slider(key="trends_range_en").value == ("2018-Q1", "2018-Q4")
    assert _params(at) == {**link, "freq": "quarter", "lang": "en"}
    at.radio(key="trends_freq").set_value("year").run()
    assert _params(at)["freq"] == "year"
    assert (_params(at)["from"], _params(at)["to"]) == ("2018-Q1", "2018-Q4")


def test_districts_open_on_the_indicator_quarter_and_district_of_their_link(
    demo_url: str,
) -> None:
    link = {"indicator": "dossiers_resolved", "period": "2018-Q3", "unit": "849"}
    at = _open("pages/districts.py", link)
    assert at.selectbox(key="districts_indicator").value == "dossiers_resolved"
    assert at.selectbox(key="districts_period").value == "2018-Q3"
    assert _shown(at, "districts_district") == "Huyện Trà Cú"
    assert _params(at) == link
    at.selectbox(key="districts_period").set_value("2019-Q1").run()
    assert _params(at)["period"] == "2019-Q1"


def test_the_language_is_in_the_address_when_it_is_not_the_default(demo_url: str) -> None:
    at = _open("pages/overview.py", {"period": "2018-Q4"})
    at.sidebar.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert _params(at) == {"period": "2018-Q4", "lang": "en"}
    assert at.selectbox(key="overview_period").value == "2018-Q4"


@pytest.mark.parametrize("page", ["pages/trends.py", "pages/districts.py"])
def test_pages_with_charts_hide_the_toolbar_and_heat_figures_on_a_phone(
    demo_url: str, page: str
) -> None:
    at = _open(page, {})
    styles = [e.proto.body for e in at.get("html")]
    assert any("max-width: 640px" in s and ".modebar" in s for s in styles), styles


@pytest.mark.parametrize(
    ("page", "params"),
    [
        ("pages/overview.py", {"period": "2018-Q4"}),
        ("pages/trends.py", {"freq": "year", "from": "2017-Q1", "to": "2018-Q4"}),
        ("pages/districts.py", {"period": "2018-Q3", "unit": "849"}),
        ("pages/explore.py", {"indicator": "dossiers_received", "unit": "849", "children": "1"}),
    ],
)
def test_a_language_switch_keeps_every_choice_and_warns_of_nothing(
    demo_url: str, page: str, params: dict[str, Any]
) -> None:
    at = _open(page, params)
    before = {k: v for k, v in _params(at).items() if k != "lang"}
    at.sidebar.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert not [w.value for w in at.warning], "a widget warned on the language switch"
    assert {k: v for k, v in _params(at).items() if k != "lang"} == before
    assert _params(at)["lang"] == "en"
