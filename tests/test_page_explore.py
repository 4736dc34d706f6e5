"""The Explore page through Streamlit's AppTest: filters by key, the sentence, the table, the
page address, and downloads that are byte for byte the command line's files."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from kpi.cli import main
from tests.support.apptest import ROOT, open_app

PAGE = "pages/explore.py"


def _explore(lang: str = "vi") -> AppTest:
    return open_app(lang, PAGE)


def _sentence(at: AppTest) -> str:
    return str(at.subheader[0].value)


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], Any]]:
    """The page's download buttons make their files when clicked: keep each file's maker."""
    makers: dict[str, Callable[[], Any]] = {}
    original = MediaFileManager.add_deferred

    def add_deferred(
        self: MediaFileManager,
        data_callable: Callable[[], Any],
        mimetype: Any,
        coordinates: str,
        file_name: str | None = None,
        **kwargs: Any,
    ) -> str:
        makers[str(file_name)] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return makers


def test_opens_on_the_dossiers_of_the_districts(demo_url: str) -> None:
    at = _explore()
    assert at.multiselect(key="explore_indicators").value == ["dossiers_received"]
    assert at.radio(key="explore_level").value == "districts"
    assert at.select_slider(key="explore_range").value == ("2017-Q2", "2019-Q1")
    assert _sentence(at) == "Hồ sơ tiếp nhận, 9 huyện, Quý II/2017 - Quý I/2019, theo quý"
    table = at.dataframe[0].value
    assert len(table) == 9 * 8
    assert table.columns[5] == "Giá trị"
    assert at.query_params["unit"][:2] == ["842", "844"]
    assert [b.proto.label for b in at.get("download_button")] == [
        "CSV (Excel)",
        "XLSX",
        "Parquet",
        "JSON",
    ]
    assert any("minh hoạ" in i.value for i in at.info)


def test_filters_by_key_change_the_sentence_and_the_table(demo_url: str) -> None:
    at = _explore()
    at.multiselect(key="explore_indicators").set_value(
        ["dossiers_received", "dossier_resolution_rate"]
    ).run()
    at.radio(key="explore_level").set_value("communes").run()
    at.selectbox(key="explore_district").set_value("849").run()
    at.select_slider(key="explore_range").set_value(("2018-Q1", "2019-Q1")).run()
    at.radio(key="explore_freq").set_value("year").run()
    assert not at.exception
    assert _sentence(at) == (
        "Hồ sơ tiếp nhận; Tỷ số hồ sơ giải quyết trên hồ sơ tiếp nhận, "
        "các xã, phường, thị trấn của Huyện Trà Cú, Quý I/2018 - Quý I/2019, theo năm"
    )
    assert set(at.dataframe[0].value["Kỳ"]) == {"2018", "2019"}
    at.radio(key="explore_layout").set_value("wide_periods").run()
    assert list(at.dataframe[0].value.columns)[-3:] == [
        "Năm 2018",
        "Năm 2019",
        "Năm 2019 - ghi chú",
    ]
    assert at.checkbox(key="explore_history").disabled
    assert at.query_params["layout"] == "wide"
    assert at.query_params["children"] == "1"


def test_a_group_selects_its_indicators(demo_url: str) -> None:
    at = _explore()
    at.selectbox(key="explore_group").set_value("inspection").run()
    assert at.multiselect(key="explore_indicators").value == [
        "inspections",
        "inspected_entities",
        "entities_with_violations",
        "complaints_received",
    ]
    assert _sentence(at).startswith("Thanh tra, kiểm tra và giải quyết đơn thư, 9 huyện")


def test_a_link_reproduces_the_table(demo_url: str) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.session_state["lang"] = "en"
    at.run()
    at.query_params.update(
        {
            "indicator": ["dossiers_received"],
            "unit": ["849"],
            "children": "1",
            "from": "2019-Q1",
            "to": "2019-Q1",
            "layout": "wide",
            "across": "units",
            "header": "codes",
        }
    )
    at.switch_page(str(ROOT / PAGE)).run()
    assert not at.exception
    assert _sentence(at) == "Dossiers received, communes of Huyện Trà Cú, Q1 2019, quarterly"
    assert at.radio(key="explore_level").value == "communes"
    assert at.selectbox(key="explore_district").value == "849"
    assert at.radio(key="explore_layout").value == "wide_units"
    table = at.dataframe[0].value
    assert list(table.columns[:4]) == ["indicator", "indicator_name", "measure", "period"]
    assert table["29461"].tolist() == ["259"]


def test_numbers_on_screen_follow_the_language(demo_url: str) -> None:
    at = _explore("en")
    at.radio(key="explore_level").set_value("province").run()
    table = at.dataframe[0].value
    assert _sentence(at) == "Dossiers received, Trà Vinh, Q2 2017 - Q1 2019, quarterly"
    assert table.set_index("Period").loc["2019-Q1", "Value"] == "38,751"


def test_the_page_and_the_command_line_give_the_same_csv_bytes(
    writable_demo_url: str, tmp_path: Path, downloads: dict[str, Callable[[], Any]]
) -> None:
    at = _explore()
    at.radio(key="explore_level").set_value("communes").run()
    at.selectbox(key="explore_district").set_value("849").run()
    at.select_slider(key="explore_range").set_value(("2018-Q1", "2019-Q1")).run()
    at.checkbox(key="explore_sources").check().run()
    assert not at.exception
    page_csv = downloads["kpi-2018-Q1-2019-Q1.csv"]()
    out = tmp_path / "cli.csv"
    argv = [
        "export",
        "--indicator",
        "dossiers_received",
        "--unit",
        "849",
        "--children",
        "--from",
        "2018-Q1",
        "--to",
        "2019-Q1",
        "--sources",
        "--format",
        "csv",
        "-o",
        str(out),
    ]
    assert main(argv) == 0
    assert page_csv == out.read_bytes()
    rows = list(csv.DictReader(io.StringIO(page_csv.decode("utf-8-sig"))))
    assert len(rows) == 17 * 5
    assert rows[0]["Nguồn"].startswith("demo-2018-Q1")
    xlsx = downloads["kpi-2018-Q1-2019-Q1.xlsx"]()
    assert xlsx[:2] == b"PK"


def test_a_broken_link_opens_on_what_it_could_read(demo_url: str) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.session_state["lang"] = "vi"
    at.run()
    at.query_params.update({"indicator": ["no_such", "dossiers_resolved"], "unit": ["999", "849"]})
    at.switch_page(str(ROOT / PAGE)).run()
    assert not at.exception
    assert at.multiselect(key="explore_indicators").value == ["dossiers_resolved"]
    assert at.multiselect(key="explore_units").value == ["849"]
    assert _sentence(at).startswith("Hồ sơ giải quyết, Huyện Trà Cú, ")
    bad_period = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    bad_period.run()
    bad_period.query_params.update({"from": "2019-Q9"})
    bad_period.switch_page(str(ROOT / PAGE)).run()
    assert not bad_period.exception
    assert _sentence(bad_period) == "Hồ sơ tiếp nhận, 9 huyện, Quý II/2017 - Quý I/2019, theo quý"
