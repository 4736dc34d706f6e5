"""The figure builders (kpi.charts) on hand-made figures: the series, their values and labels.

A flow year (bars), a stock year (a line), a ratio (a line in percent, its parts on hover), a
missing quarter (a gap, never a zero), estimates and incomplete years marked, targets drawn,
the language's separators, a colour-blind-safe palette; the district ranking with its
references, the heat map and the tile map.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import plotly.graph_objects as go
import pytest

from kpi import charts
from kpi import dashboard as d
from kpi.catalogue import load_catalogue
from kpi.periods import Period
from tests.test_dashboard import PROV, frame, unit

CAT = load_catalogue()
QUARTERS = ["2018-Q1", "2018-Q2", "2018-Q3", "2018-Q4"]


def _spec(fig: go.Figure) -> dict:
    """The figure as the browser receives it."""
    return json.loads(fig.to_json())


def _trend(
    rows: list[tuple], codes: list[str], periods: list[str], lang: str = "vi", **kw: object
) -> dict:
    long = d.trend_long(frame(rows), CAT, codes, PROV, periods, lang)
    return _spec(charts.trend_chart(long, CAT, lang, **kw))  # type: ignore[arg-type]


FLOW_YEAR = [
    ("dossiers_received", PROV, "2018-Q1", 28188),
    ("dossiers_received", PROV, "2018-Q2", 33504),
    ("dossiers_received", PROV, "2018-Q3", 35943, "approx"),
    ("dossiers_received", PROV, "2018-Q4", 39688),
]


def test_a_flow_is_drawn_as_bars_with_the_quarters_as_labels() -> None:
    spec = _trend(FLOW_YEAR, ["dossiers_received"], QUARTERS)
    (bar,) = spec["data"]
    assert bar["type"] == "bar"
    assert bar["name"] == "Hồ sơ tiếp nhận"
    assert bar["x"] == ["Quý I/2018", "Quý II/2018", "Quý III/2018", "Quý IV/2018"]
    assert bar["y"] == [28188, 33504, 35943, 39688]
    # the estimate is hatched, the exact figures are plain
    assert bar["marker"]["pattern"]["shape"] == ["", "", "/", ""]
    assert "~35.943" in bar["customdata"][2] and "Số ước tính (khoảng)" in bar["customdata"][2]
    assert spec["layout"]["yaxis"]["title"]["text"] == "hồ sơ"
    assert spec["layout"]["yaxis"]["rangemode"] == "tozero"
    assert "số ước tính" in spec["layout"]["title"]["text"]


@pytest.mark.parametrize(
    ("lang", "separators", "label"), [("vi", ",.", "Quý I/2018"), ("en", ".,", "Q1 2018")]
)
def test_charts_use_the_language_separators_and_labels(
    lang: str, separators: str, label: str
) -> None:
    spec = _trend(FLOW_YEAR, ["dossiers_received"], QUARTERS, lang)
    assert spec["layout"]["separators"] == separators
    assert spec["data"][0]["x"][0] == label
    assert spec["layout"]["yaxis"]["tickformat"] == ",~f"  # 40.000, never 40k


def test_a_missing_quarter_is_a_gap_not_a_zero() -> None:
    rows = [r for r in FLOW_YEAR if r[2] != "2018-Q2"] + [
        ("doc_system_users", PROV, p, v)
        for p, v in zip(QUARTERS, [7027, 7058, 7384, 7442], strict=True)
        if p != "2018-Q2"
    ]
    spec = _trend(rows, ["dossiers_received", "doc_system_users"], QUARTERS)
    bars, line = spec["data"]
    assert bars["y"][1] is None
    assert line["y"] == [7027, None, 7384, 7442]
    assert line["connectgaps"] is False
    assert "–" in line["customdata"][1]


def test_a_stock_is_a_line_with_hollow_marks_for_estimates() -> None:
    rows = [
        ("doc_system_users", PROV, "2018-Q1", 7027),
        ("doc_system_users", PROV, "2018-Q2", 7058),
        ("doc_system_users", PROV, "2018-Q3", 7384, "at_least"),
        ("doc_system_users", PROV, "2018-Q4", 7442),
    ]
    spec = _trend(rows, ["doc_system_users"], QUARTERS)
    (line,) = spec["data"]
    assert line["type"] == "scatter" and line["mode"] == "lines+markers"
    assert line["y"] == [7027, 7058, 7384, 7442]
    assert line["marker"]["symbol"] == ["circle", "circle", "circle-open", "circle"]
    assert spec["layout"]["yaxis"]["rangemode"] == "normal"


def test_a_ratio_is_a_line_in_percent_with_its_parts_on_hover() -> None:
    rows = [
        ("dossier_resolution_rate", PROV, "2018-Q4", 39398 / 39688, "exact", True, 39398, 39688),
        ("dossier_resolution_rate", PROV, "2019-Q1", 38584 / 38751, "exact", True, 38584, 38751),
    ]
    spec = _trend(rows, ["dossier_resolution_rate"], ["2018-Q4", "2019-Q1"])
    (line,) = spec["data"]
    assert line["y"] == pytest.approx([99.2693, 99.5690], abs=1e-3)
    hover = line["customdata"][1]
    assert "99,57%" in hover
    assert "Tử số: 38.584 (Hồ sơ giải quyết)" in hover
    assert "Mẫu số: 38.751 (Hồ sơ tiếp nhận)" in hover
    assert spec["layout"]["yaxis"]["ticksuffix"] == "%"


def test_a_year_missing_a_quarter_is_starred_and_dotted() -> None:
    rows = [
        ("dossiers_received", PROV, "2018", 137323, "exact", True),
        ("dossiers_received", PROV, "2019", 38751, "exact", False),
    ]
    spec = _trend(rows, ["dossiers_received"], ["2018", "2019"], freq="year")
    (bar,) = spec["data"]
    assert bar["x"] == ["Năm 2018", "Năm 2019*"]
    assert bar["y"] == [137323, 38751]
    assert bar["marker"]["pattern"]["shape"] == ["", "."]
    assert spec["layout"]["xaxis"]["categoryarray"] == ["Năm 2018", "Năm 2019*"]
    assert "* chưa đủ số liệu" in spec["layout"]["title"]["text"]


def test_targets_are_dashed_lines_over_their_year() -> None:
    rate = [
        ("dossier_resolution_rate", PROV, "2018-Q4", 0.99, "exact", True, 99, 100),
        ("dossier_resolution_rate", PROV, "2019-Q1", 0.995, "exact", True, 199, 200),
    ]
    targets = {"dossier_resolution_rate": {"2019-Q1": 0.99}}
    spec = _trend(rate, ["dossier_resolution_rate"], ["2018-Q4", "2019-Q1"], targets=targets)
    line, target = spec["data"]
    assert target["name"].startswith("Chỉ tiêu năm: Tỷ số hồ sơ giải quyết")
    assert target["y"] == [None, pytest.approx(99.0)]
    assert target["line"]["dash"] == "dash" and target["line"]["color"] == line["line"]["color"]


def test_a_years_target_is_not_drawn_over_the_quarters_of_a_flow() -> None:
    targets = {"dossiers_received": {p: 160000.0 for p in QUARTERS}}
    quarterly = _trend(FLOW_YEAR, ["dossiers_received"], QUARTERS, targets=targets)
    assert len(quarterly["data"]) == 1
    yearly_rows = [("dossiers_received", PROV, "2018", 137323)]
    yearly = _trend(
        yearly_rows,
        ["dossiers_received"],
        ["2018"],
        freq="year",
        targets={"dossiers_received": {"2018": 160000.0}},
    )
    assert [t["type"] for t in yearly["data"]] == ["bar", "scatter"]
    assert yearly["data"][1]["y"] == [160000]


def test_each_indicator_has_its_own_colour_from_the_colour_blind_safe_palette() -> None:
    rows = [
        (c, PROV, "2018-Q1", 10)
        for c in ("dossiers_received", "dossiers_resolved", "dossiers_resolved_late")
    ]
    spec = _trend(
        rows, ["dossiers_received", "dossiers_resolved", "dossiers_resolved_late"], ["2018-Q1"]
    )
    colours = [t["marker"]["color"] for t in spec["data"]]
    assert colours == list(charts.OKABE_ITO[:3])
    assert [t["name"] for t in spec["data"]] == [
        "Hồ sơ tiếp nhận",
        "Hồ sơ giải quyết",
        "Hồ sơ giải quyết quá hạn",
    ]


def test_long_names_are_wrapped_in_the_legend() -> None:
    name = CAT["egame_point_certificates"].name("vi")
    assert len(name) > 42
    spec = _trend(
        [("egame_point_certificates", PROV, "2018-Q1", 3)],
        ["egame_point_certificates"],
        ["2018-Q1"],
    )
    assert "<br>" in spec["data"][0]["name"]
    assert spec["data"][0]["name"].replace("<br>", " ") == name


# ---------------------------------------------------------------------------------------------
# Districts
# ---------------------------------------------------------------------------------------------

CITY = unit(11, "842", "Thành phố Trà Vinh", "district", PROV, dt.date(2025, 6, 30))
RURAL = unit(12, "850", "Huyện Duyên Hải", "district", PROV, dt.date(2025, 6, 30))
TOWN = unit(13, "851", "Thị xã Duyên Hải", "district", PROV, dt.date(2025, 6, 30))
UNITS = [CITY, RURAL, TOWN]
DISTRICT_ROWS = frame(
    [
        ("dossiers_received", PROV, "2019-Q1", 38751),
        ("dossiers_received", 11, "2019-Q1", 4578),
        ("dossiers_received", 12, "2019-Q1", 2054),
        ("dossiers_received", 13, "2019-Q1", 2217, "approx"),
    ]
)


def _ranking(**kw: object) -> d.Ranking:
    return d.ranking(
        DISTRICT_ROWS, CAT, "dossiers_received", UNITS, "2019-Q1", "vi", province_id=PROV, **kw
    )  # type: ignore[arg-type]


def _bar_labels(spec: dict[str, Any]) -> dict[str, str]:
    """The figure written beside each bar: annotations in the right margin, by bar."""
    return {
        a["y"]: a["text"]
        for a in spec["layout"]["annotations"]
        if a.get("yref") == "y" and a.get("xref") == "paper"
    }


def test_the_ranking_puts_the_best_district_on_top_with_the_average_as_reference() -> None:
    spec = _spec(charts.ranking_chart(_ranking(), CAT["dossiers_received"], "vi"))
    (bar,) = spec["data"]
    assert bar["orientation"] == "h"
    # plotly draws the first category at the bottom: the best is last
    assert bar["y"] == ["Huyện Duyên Hải", "Thị xã Duyên Hải", "Thành phố Trà Vinh"]
    assert bar["x"] == [2054, 2217, 4578]
    assert _bar_labels(spec) == {
        "Huyện Duyên Hải": "2.054",
        "Thị xã Duyên Hải": "~2.217",
        "Thành phố Trà Vinh": "4.578",
    }
    assert bar["marker"]["pattern"]["shape"] == ["", "/", ""]
    (average,) = spec["layout"]["shapes"]
    assert average["x0"] == pytest.approx((4578 + 2054 + 2217) / 3)
    texts = [a["text"] for a in spec["layout"]["annotations"]]
    assert "Trung bình: 2.950" in texts
    assert "Toàn tỉnh: 38.751" in texts  # a note, not a line: a sum is off the districts' scale


def test_per_commune_the_province_is_a_second_reference_line() -> None:
    counts = {(11, "2019-Q1"): 10, (12, "2019-Q1"): 7, (13, "2019-Q1"): 7}
    spec = _spec(
        charts.ranking_chart(
            _ranking(counts=counts, per_commune=True), CAT["dossiers_received"], "vi"
        )
    )
    assert list(_bar_labels(spec).values()) == ["293,4", "~316,7", "457,8"]
    assert len(spec["layout"]["shapes"]) == 2
    assert spec["layout"]["shapes"][1]["x0"] == pytest.approx((4578 + 2054 + 2217) / 24)
    assert "Tổng: %{customdata[1]} / %{customdata[2]} xã" in spec["data"][0]["hovertemplate"]


def test_the_heat_map_has_units_by_quarters_with_the_figures_in_the_cells() -> None:
    rows = frame(
        [
            ("dossiers_received", 11, "2018-Q4", 4337),
            ("dossiers_received", 11, "2019-Q1", 4578),
            ("dossiers_received", 12, "2019-Q1", 2054),
        ]
    )
    m = d.heat_matrix(rows, CAT, "dossiers_received", [CITY, RURAL], ["2018-Q4", "2019-Q1"], "en")
    (heat,) = _spec(charts.heat_map(m, CAT["dossiers_received"], "en"))["data"]
    assert heat["type"] == "heatmap"
    assert heat["y"] == ["Thành phố Trà Vinh", "Huyện Duyên Hải"]
    assert heat["x"] == ["Q4 2018", "Q1 2019"]
    assert heat["z"] == [[4337, 4578], [None, 2054]]
    assert heat["text"] == [["4,337", "4,578"], ["–", "2,054"]]
    assert heat["colorscale"][0][1] != heat["colorscale"][-1][1]


def test_the_tile_map_draws_the_districts_where_they_lie_without_a_map_service() -> None:
    r = _ranking()
    spec = _spec(charts.tile_map(d.tiles(r), CAT["dossiers_received"], "vi"))
    assert {t["type"] for t in spec["data"]} == {"scatter"}  # no geo, no mapbox, no tiles fetched
    rects = spec["layout"]["shapes"]
    assert len(rects) == 3
    centres = {
        (round((s["x0"] + s["x1"]) / 2, 2), round((s["y0"] + s["y1"]) / 2, 2)) for s in rects
    }
    assert centres == {(2.0, -1.0), (1.0, -3.0), (2.0, -3.0)}  # TP Trà Vinh; the two Duyên Hải
    texts = [
        a["text"].replace("<br>", " ").replace("\u00a0", " ") for a in spec["layout"]["annotations"]
    ]
    assert "TP Trà Vinh <b>4.578</b>" in texts  # Quý I/2019: no unit had ceased yet
    assert "H. Duyên Hải <b>2.054</b>" in texts
    assert not any(
        a["text"].split("<br>")[1].startswith("†") for a in spec["layout"]["annotations"]
    )
    # the highest figure is the darkest tile
    fills = {round((s["x0"] + s["x1"]) / 2): s["fillcolor"] for s in rects if s["y0"] > -2}
    assert fills[2] == charts._BLUES[-1]
    hover = spec["data"][0]["customdata"]
    assert ["Thành phố Trà Vinh", "4.578"] in hover


def test_a_district_without_a_figure_is_a_grey_tile_with_a_dash() -> None:
    rows = frame([("dossiers_received", 11, "2019-Q1", 4578)])
    r = d.ranking(rows, CAT, "dossiers_received", UNITS, "2019-Q1", "vi")
    spec = _spec(charts.tile_map(d.tiles(r), CAT["dossiers_received"], "vi"))
    grey = [s for s in spec["layout"]["shapes"] if s["fillcolor"] == charts.MISSING_FILL]
    assert len(grey) == 2
    assert any(a["text"].endswith("<b>–</b>") for a in spec["layout"]["annotations"])
    assert not math.isnan(spec["data"][0]["marker"]["cmax"])


# ---------------------------------------------------------------------------------------------
# Read on paper and on a phone (issue 9)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("per_commune", [False, True])
def test_no_bar_figure_is_ever_under_a_reference_line(per_commune: bool) -> None:
    """Each bar's figure stands in the right margin (outside the plot, where the lines do not
    run), and the lines' own labels sit above the plot."""
    counts = {(11, "2019-Q1"): 10, (12, "2019-Q1"): 7, (13, "2019-Q1"): 7}
    r = _ranking(counts=counts, per_commune=per_commune)
    spec = _spec(charts.ranking_chart(r, CAT["dossiers_received"], "vi"))
    (bar,) = spec["data"]
    assert bar.get("textposition") == "none" and not bar.get("text")
    labels = [a for a in spec["layout"]["annotations"] if a.get("yref") == "y"]
    assert len(labels) == 3
    assert all(a["xref"] == "paper" and a["x"] >= 1 and a["xanchor"] == "left" for a in labels)
    assert spec["layout"]["margin"]["r"] >= 8 * max(len(a["text"]) for a in labels)
    lines = spec["layout"]["shapes"]
    assert lines and all(s["yref"] == "paper" and (s["y0"], s["y1"]) == (0, 1) for s in lines)
    for a in spec["layout"]["annotations"]:
        if a.get("yref") == "paper":
            assert a["y"] >= 1 and a["yanchor"] == "bottom"  # above the plot area


def test_the_province_total_says_what_it_holds_beyond_the_district_bars() -> None:
    rows = frame(
        [
            ("dossiers_received", PROV, "2019-Q1", 38751),
            ("dossiers_received", 11, "2019-Q1", 4578),
            ("dossiers_received", 12, "2019-Q1", 2054),
            ("dossiers_received", 13, "2019-Q1", 2217),
            ("dossiers_received", 15, "2019-Q1", 29902),
        ]
    )
    agencies = [unit(15, "84-CQ", "Các cơ quan cấp tỉnh", "agencies", PROV)]
    r = d.ranking(rows, CAT, "dossiers_received", UNITS, "2019-Q1", "vi", province_id=PROV)
    note = d.province_total_note(rows, CAT, "dossiers_received", r, agencies, "2019-Q1", "vi")
    assert note == "Toàn tỉnh 38.751 = 3 huyện 8.849 + các cơ quan cấp tỉnh 29.902"
    spec = _spec(charts.ranking_chart(r, CAT["dossiers_received"], "vi", parts=note))
    shown = [a["text"] for a in spec["layout"]["annotations"] if a.get("yref") == "paper"]
    assert note in [text.replace("<br>", " ") for text in shown]
    assert all(len(line) <= 40 for text in shown for line in text.split("<br>"))  # a phone
    # a ratio is on the districts' scale: the province is a line, no sum to explain
    rate = d.ranking(rows, CAT, "dossier_resolution_rate", UNITS, "2019-Q1", "vi")
    assert (
        d.province_total_note(rows, CAT, "dossier_resolution_rate", rate, agencies, "2019-Q1", "vi")
        is None
    )
    r_en = d.ranking(rows, CAT, "dossiers_received", UNITS, "2019-Q1", "en", province_id=PROV)
    missing = d.province_total_note(rows, CAT, "dossiers_received", r_en, [], "2019-Q1", "en")
    assert missing == "Province 38,751 = 3 districts 8,849 + provincial agencies no figure yet"


@pytest.mark.parametrize(
    ("now", "before", "shown"),
    [(100, 100, "0 (0,0%)"), (110, 100, "↑ +10 (+10,0%)"), (90, 100, "↓ -10 (-10,0%)")],
)
def test_no_change_has_no_arrow_and_no_sign(now: int, before: int, shown: str) -> None:
    ind = CAT["dossiers_received"]
    c = d.change(ind, {"value": now}, {"value": before}, Period.parse("2018-Q4"), "vi")
    assert c.with_arrow("vi") == shown
    if now == before:
        assert c.tone == "neutral" and d.arrow(c.diff) == ""


def test_heat_map_figures_are_sized_to_their_cells_or_left_to_the_hover() -> None:
    rows = frame([("dossiers_received", 11, "2019-Q1", 4578)])
    m = d.heat_matrix(rows, CAT, "dossiers_received", [CITY], ["2019-Q1"], "vi")
    (heat,) = _spec(charts.heat_map(m, CAT["dossiers_received"], "vi"))["data"]
    # no fixed size: Plotly fits each figure to its cell, or leaves it out; the hover has it
    assert "size" not in (heat.get("textfont") or {})
    assert heat["customdata"] == [["4.578"]]


def test_on_a_phone_the_toolbar_and_the_heat_map_figures_are_hidden() -> None:
    from kpi.ui.dashboard import NARROW_CSS

    assert "@media (max-width: 640px)" in NARROW_CSS
    assert ".modebar" in NARROW_CSS and "g.heatmap-label" in NARROW_CSS
