"""The Districts page through Streamlit's AppTest, in both languages, on the demo database.

The ranking table, the tile map and the commune view are checked against the query layer after
changing the quarter, the indicator, the per-commune view and the district by widget key.
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
from kpi.units import UnitInfo, all_units
from tests.support.apptest import open_app

CAT = load_catalogue()


def _districts(lang: str) -> AppTest:
    return open_app(lang, "pages/districts.py")


def _table(at: AppTest, n: int = 0) -> pd.DataFrame:
    return at.dataframe[n].value


def _by_unit(table: pd.DataFrame, column: str) -> dict[str, str]:
    return dict(zip(table.iloc[:, 1], table[column], strict=True))


def _spec(at: AppTest, key_part: str) -> dict:
    hits = [json.loads(c.proto.spec) for c in at.get("plotly_chart") if key_part in c.proto.id]
    assert len(hits) == 1, [c.proto.id for c in at.get("plotly_chart")]
    return hits[0]


def _truth(
    demo_db: Path, code: str, unit_codes: list[str], period: str
) -> tuple[list[UnitInfo], dict]:
    engine = db.make_engine(f"sqlite:///{demo_db}")
    try:
        with db.session_scope(engine) as s:
            units = all_units(s)
            wanted = [u for u in units if u.code in unit_codes and d.existed(u, period)]
            frame = figures(
                s, CAT, units, Query((code,), tuple(u.id for u in wanted), period, period)
            )
    finally:
        engine.dispose()
    index = d.index_frame(frame)
    return wanted, {
        u.name: d.figure_text(CAT[code], index.get((code, u.id, period)), "vi") for u in wanted
    }


DISTRICTS = ["842", "844", "845", "846", "847", "848", "849", "850", "851"]


@pytest.mark.parametrize(
    ("lang", "value_col", "unit_col"), [("vi", "Giá trị", "Đơn vị"), ("en", "Value", "Unit")]
)
def test_districts_open_ranked_on_dossiers_received_in_the_latest_quarter(
    demo_url: str, lang: str, value_col: str, unit_col: str
) -> None:
    at = _districts(lang)
    assert at.selectbox(key="districts_indicator").value == "dossiers_received"
    assert at.selectbox(key="districts_period").value == "2019-Q1"
    table = _table(at)
    assert len(table) == 9 and list(table.columns)[1:3] == [unit_col, value_col]
    values = [int(v.replace(".", "").replace(",", "")) for v in table[value_col]]
    assert values == sorted(values, reverse=True)  # best first
    assert all(name.endswith("†") for name in table[unit_col])  # the districts ended in 2025
    assert len(at.get("plotly_chart")) == 4  # ranking, tiles, heat map, communes
    assert any("01/07/2025" in c.value for c in at.caption)


def test_changing_the_quarter_shows_that_quarters_figures(demo_url: str, demo_db: Path) -> None:
    at = _districts("vi")
    at.selectbox(key="districts_period").set_value("2018-Q4").run()
    assert not at.exception
    _, truth = _truth(demo_db, "dossiers_received", DISTRICTS, "2018-Q4")
    shown = _by_unit(_table(at), "Giá trị")
    assert {k.removesuffix(" †"): v for k, v in shown.items()} == truth
    tiles = _spec(at, "districts_tiles")
    texts = [
        a["text"].replace("<br>", " ").replace("\u00a0", " ")
        for a in tiles["layout"]["annotations"]
    ]
    assert f"TP Trà Vinh † <b>{truth['Thành phố Trà Vinh']}</b>" in texts
    heat = _spec(at, "districts_heat")
    assert heat["data"][0]["x"][-1] == "Quý IV/2018"


def test_changing_the_indicator_to_a_rate_ranks_rates_against_the_province(
    demo_url: str, demo_db: Path
) -> None:
    at = _districts("en")
    at.selectbox(key="districts_indicator").set_value("dossier_resolution_rate").run()
    assert not at.exception
    _, truth = _truth(demo_db, "dossier_resolution_rate", DISTRICTS, "2019-Q1")
    shown = _by_unit(_table(at), "Value")
    assert {k.removesuffix(" †"): v.replace(".", ",") for k, v in shown.items()} == truth
    assert "Per commune" not in _table(at).columns
    assert at.toggle(key="districts_per_commune").disabled
    ranking = _spec(at, "districts_ranking")
    assert len(ranking["layout"]["shapes"]) == 2  # the average and the province 99.57%
    assert any(a["text"] == "Province: 99.57%" for a in ranking["layout"]["annotations"])


def test_per_commune_divides_each_district_by_its_communes(demo_url: str, demo_db: Path) -> None:
    at = _districts("vi")
    at.toggle(key="districts_per_commune").set_value(True).run()
    assert not at.exception
    table = _table(at).set_index("Đơn vị")
    city = table.loc["Thành phố Trà Vinh †"]
    assert city["Số xã"] == 10
    total = int(str(city["Giá trị"]).replace(".", ""))
    assert city["Bình quân một xã"] == f"{total / 10:.1f}".replace(".", ",")
    tiles = _spec(at, "districts_tiles")
    assert any(
        f"<b>{city['Bình quân một xã']}</b>" in a["text"] for a in tiles["layout"]["annotations"]
    )


def test_choosing_a_district_shows_its_communes(demo_url: str, demo_db: Path) -> None:
    at = _districts("vi")
    picker = at.selectbox(key="districts_district")
    picker.select(next(o for o in picker.options if o.startswith("Huyện Trà Cú"))).run()
    assert not at.exception
    assert any(s.value == "Các xã của Huyện Trà Cú" for s in at.subheader)
    communes = _table(at, 1)
    trà_cú = "849"
    engine = db.make_engine(f"sqlite:///{demo_db}")
    try:
        with db.session_scope(engine) as s:
            units = all_units(s)
    finally:
        engine.dispose()
    district = next(u for u in units if u.code == trà_cú)
    codes = [u.code for u in d.communes_of(units, district.id, "2019-Q1")]
    _, truth = _truth(demo_db, "dossiers_received", codes, "2019-Q1")
    assert len(communes) == 17
    assert {k.removesuffix(" †"): v for k, v in _by_unit(communes, "Giá trị").items()} == truth
    assert any(
        a["text"].startswith("Toàn huyện: ")
        for a in _spec(at, "districts_communes")["layout"]["annotations"]
    )


def test_an_indicator_without_commune_figures_says_so(demo_url: str) -> None:
    at = _districts("en")
    at.selectbox(key="districts_indicator").set_value("doc_system_users").run()
    assert not at.exception
    assert "This indicator is not reported by commune." in [i.value for i in at.info]
    assert len(at.get("plotly_chart")) == 3
