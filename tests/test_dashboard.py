"""What the leaders' pages show (kpi.dashboard), on hand-made figures.

Expected values are written out by hand: a flow year, a stock year, a ratio, a missing quarter;
changes on the previous quarter and the same quarter last year, coloured by direction; progress
against targets; district rankings, heat maps and commune counts; units that ceased to exist.
The two new queries (targets, sources) run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine

from kpi import dashboard as d
from kpi import db, page_models, queries
from kpi.catalogue import load_catalogue
from kpi.metrics import COLUMNS
from kpi.models import Target
from kpi.periods import Period
from kpi.queries import Query, figures
from kpi.store import BatchInfo, Figure, commit_figures
from kpi.units import Lineage, UnitDirectory, UnitInfo, all_units, lineage
from tests.conftest import EDITOR

CAT = load_catalogue()
PROV = 1
Q1_2019 = Period(2019, 1)


def frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """A figures frame from rows of
    (indicator, unit, period, value[, qualifier[, complete[, numerator, denominator]]])."""
    out = []
    for row in rows:
        code, unit, period, value, *rest = row
        qualifier = rest[0] if len(rest) > 0 else "exact"
        complete = rest[1] if len(rest) > 1 else True
        num = rest[2] if len(rest) > 2 else math.nan
        den = rest[3] if len(rest) > 3 else math.nan
        out.append(
            {
                "indicator": code,
                "unit_id": unit,
                "period": period,
                "value": float(value),
                "qualifier": qualifier,
                "complete": complete,
                "is_demo": False,
                "numerator": num,
                "denominator": den,
                "batch_id": 7,
            }
        )
    return pd.DataFrame(out, columns=COLUMNS)


def unit(
    uid: int, code: str, name: str, level: str, parent: int | None, until: dt.date | None = None
) -> UnitInfo:
    return UnitInfo(uid, code, name, "x", level, parent, dt.date(1900, 1, 1), until)


# ---------------------------------------------------------------------------------------------
# Cards: changes, sparkline, missing quarter
# ---------------------------------------------------------------------------------------------

RECEIVED = frame(
    [
        ("dossiers_received", PROV, "2018-Q1", 28188),
        ("dossiers_received", PROV, "2018-Q2", 33504),
        # 2018-Q3 is missing
        ("dossiers_received", PROV, "2018-Q4", 39688),
        ("dossiers_received", PROV, "2019-Q1", 38751),
    ]
)


@pytest.mark.parametrize(
    ("lang", "value", "previous", "year_ago"),
    [
        ("vi", "38.751", "-937 (-2,4%)", "+10.563 (+37,5%)"),
        ("en", "38,751", "-937 (-2.4%)", "+10,563 (+37.5%)"),
    ],
)
def test_a_card_shows_the_value_and_both_changes_in_the_language(
    lang: str, value: str, previous: str, year_ago: str
) -> None:
    c = d.card(CAT["dossiers_received"], CAT, d.index_frame(RECEIVED), {}, {}, PROV, Q1_2019, lang)
    assert c.text == value
    assert (c.previous.text, c.previous.tone) == (previous, "bad")  # fewer dossiers received
    assert (c.year_ago.text, c.year_ago.tone) == (year_ago, "good")
    assert c.previous.since == "2018-Q4" and c.year_ago.since == "2018-Q1"


def test_the_sparkline_has_the_quarters_with_figures_and_skips_the_missing_one() -> None:
    c = d.card(CAT["dossiers_received"], CAT, d.index_frame(RECEIVED), {}, {}, PROV, Q1_2019, "vi")
    assert c.spark_periods == ("2018-Q1", "2018-Q2", "2018-Q4", "2019-Q1")
    assert c.spark == (28188.0, 33504.0, 39688.0, 38751.0)


def test_a_missing_quarter_is_missing_not_zero() -> None:
    c = d.card(
        CAT["dossiers_received"], CAT, d.index_frame(RECEIVED), {}, {}, PROV, Period(2018, 3), "vi"
    )
    assert c.missing and c.value is None
    assert c.text == "Chưa có số liệu"
    assert c.previous.text is None and c.previous.tone == "neutral"
    # ...and the quarter after it cannot be compared with it either
    after = d.card(
        CAT["dossiers_received"], CAT, d.index_frame(RECEIVED), {}, {}, PROV, Period(2018, 4), "vi"
    )
    assert after.previous.text is None
    assert after.previous.with_arrow("vi") == "không so sánh được"


def test_a_rise_is_bad_when_lower_is_better_and_neither_for_neutral_figures() -> None:
    rows = frame(
        [
            ("dossiers_resolved_late", PROV, "2018-Q4", 100),
            ("dossiers_resolved_late", PROV, "2019-Q1", 120),
            ("dossiers_received_direct", PROV, "2018-Q4", 100),
            ("dossiers_received_direct", PROV, "2019-Q1", 120),
        ]
    )
    index = d.index_frame(rows)
    late = d.card(CAT["dossiers_resolved_late"], CAT, index, {}, {}, PROV, Q1_2019, "vi")
    direct = d.card(CAT["dossiers_received_direct"], CAT, index, {}, {}, PROV, Q1_2019, "vi")
    assert (late.previous.text, late.previous.tone) == ("+20 (+20,0%)", "bad")
    assert direct.previous.tone == "neutral"


def test_a_change_involving_an_approximate_figure_is_approximate() -> None:
    rows = frame(
        [
            ("e_documents_exchanged", PROV, "2018-Q4", 34616),
            ("e_documents_exchanged", PROV, "2019-Q1", 28474, "approx"),
            ("e_document_share_pct", PROV, "2018-Q4", 86),
            ("e_document_share_pct", PROV, "2019-Q1", 90, "at_least"),
        ]
    )
    index = d.index_frame(rows)
    docs = d.card(CAT["e_documents_exchanged"], CAT, index, {}, {}, PROV, Q1_2019, "vi")
    share = d.card(CAT["e_document_share_pct"], CAT, index, {}, {}, PROV, Q1_2019, "vi")
    assert docs.text == "~28.474"
    assert docs.previous.text == "~-6.142 (-17,7%)"
    assert docs.previous.with_arrow("vi") == "↓ ~-6.142 (-17,7%)"
    assert share.text == ">90%"
    assert share.previous.text == "~+4,00 điểm %"


def test_a_ratio_card_names_its_numerator_and_denominator() -> None:
    rows = frame(
        [
            (
                "dossier_resolution_rate",
                PROV,
                "2018-Q4",
                39398 / 39688,
                "exact",
                True,
                39398,
                39688,
            ),
            (
                "dossier_resolution_rate",
                PROV,
                "2019-Q1",
                38584 / 38751,
                "exact",
                True,
                38584,
                38751,
            ),
        ]
    )
    c = d.card(
        CAT["dossier_resolution_rate"], CAT, d.index_frame(rows), {}, {}, PROV, Q1_2019, "vi"
    )
    assert c.text == "99,57%"
    assert c.previous.text == "+0,30 điểm %"
    assert c.parts == "38.584 Hồ sơ giải quyết / 38.751 Hồ sơ tiếp nhận"
    assert c.spark == pytest.approx((99.2693, 99.5690), abs=1e-3)  # in percent
    assert c.source == "Số tính toán: Hồ sơ giải quyết chia cho Hồ sơ tiếp nhận"


# ---------------------------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------------------------


def test_a_flow_is_measured_against_its_target_by_the_year_so_far() -> None:
    rows = frame(
        [
            ("dossiers_received", PROV, "2019-Q1", 38751),
            ("dossiers_received", PROV, "2019-Q2", 41249),
        ]
    )
    goals = {("dossiers_received", PROV, 2019): (160000.0, True)}
    p = d.progress(
        CAT["dossiers_received"], d.index_frame(rows), goals, PROV, Period(2019, 2), "vi"
    )
    assert p is not None
    assert p.achieved == 80000 and p.share == pytest.approx(0.5)
    assert p.cumulative and p.complete and not p.met and p.is_demo
    assert p.text == "Lũy kế năm 2019: 80.000, đạt 50,0% chỉ tiêu (160.000)"


def test_a_year_so_far_with_a_missing_quarter_is_incomplete() -> None:
    rows = frame([("dossiers_received", PROV, "2019-Q2", 41249)])
    goals = {("dossiers_received", PROV, 2019): (160000.0, False)}
    p = d.progress(
        CAT["dossiers_received"], d.index_frame(rows), goals, PROV, Period(2019, 2), "en"
    )
    assert p is not None and not p.complete
    assert p.achieved_text == "41,249*"


def test_a_stock_is_measured_against_its_target_by_the_quarter_itself() -> None:
    rows = frame([("doc_system_users", PROV, "2019-Q1", 7848)])
    goals = {("doc_system_users", PROV, 2019): (8500.0, True)}
    p = d.progress(CAT["doc_system_users"], d.index_frame(rows), goals, PROV, Q1_2019, "vi")
    assert p is not None and not p.cumulative
    assert p.text == "Đạt 92,3% chỉ tiêu năm 2019 (7.848 / 8.500)"


def test_a_ratio_target_compares_the_ratio_of_the_summed_parts_not_an_average() -> None:
    rows = frame(
        [
            ("online_dossier_rate", PROV, "2019-Q1", 0.10, "exact", True, 100, 1000),
            ("online_dossier_rate", PROV, "2019-Q2", 0.40, "exact", True, 1200, 3000),
        ]
    )
    goals = {("online_dossier_rate", PROV, 2019): (0.15, False)}
    p = d.progress(
        CAT["online_dossier_rate"], d.index_frame(rows), goals, PROV, Period(2019, 2), "vi"
    )
    assert p is not None
    assert p.achieved == pytest.approx(1300 / 4000)  # 32,5%, not the mean 25%
    assert p.achieved_text == "32,50%" and p.met


def test_progress_on_an_at_least_figure_is_at_least() -> None:
    rows = frame([("e_document_share_pct", PROV, "2019-Q1", 90, "at_least")])
    goals = {("e_document_share_pct", PROV, 2019): (95.0, True)}
    p = d.progress(CAT["e_document_share_pct"], d.index_frame(rows), goals, PROV, Q1_2019, "vi")
    assert p is not None
    assert p.text == "Đạt >94,7% chỉ tiêu năm 2019 (>90% / 95%)"
    assert p.short == ">94,7% của 95%"


def test_no_target_means_no_progress() -> None:
    rows = frame([("inspections", PROV, "2019-Q1", 12)])
    assert d.progress(CAT["inspections"], d.index_frame(rows), {}, PROV, Q1_2019, "vi") is None


# ---------------------------------------------------------------------------------------------
# Sections of the Overview
# ---------------------------------------------------------------------------------------------


def test_the_report_groups_name_the_figures_missing_for_the_quarter() -> None:
    rows = frame(
        [
            ("inspections", PROV, "2019-Q1", 12),
            ("inspected_entities", PROV, "2019-Q1", 30),
            ("complaints_received", PROV, "2019-Q1", 4),
        ]
    )
    sections = {
        s.code: s for s in d.sections(CAT, d.index_frame(rows), {}, {}, PROV, Q1_2019, "vi")
    }
    assert [s for s in sections] == ["documents", "email_portal", "one_stop", "inspection", "press"]
    inspection = sections["inspection"]
    assert inspection.missing == ("Tổ chức, cá nhân có thiếu sót, sai phạm",)
    table = inspection.table.set_index("Chỉ tiêu")
    assert table.loc["Cuộc kiểm tra", "Giá trị"] == "12"
    assert table.loc["Tổ chức, cá nhân có thiếu sót, sai phạm", "Giá trị"] == "Chưa có số liệu"
    assert list(inspection.table.columns) == [
        "Chỉ tiêu",
        "Giá trị",
        "So với quý trước",
        "So với cùng kỳ năm trước",
        "Chỉ tiêu năm",
        "Nguồn",
    ]
    assert len(sections["press"].missing) == 4


def test_a_stored_figure_names_its_batch_and_report_line_or_cell() -> None:
    report = {
        "batch_id": 1,
        "source_kind": "report_text",
        "file_name": "bao-cao.txt",
        "source_cell": "107",
        "source_sheet": None,
        "is_demo": False,
    }
    excel = report | {
        "batch_id": 3,
        "source_kind": "excel",
        "file_name": "q2.xlsx",
        "source_sheet": "Tinh",
        "source_cell": "C7",
    }
    assert d.source_short(report, "vi") == "Lô #1 — báo cáo bao-cao.txt, dòng 107"
    assert d.source_short(excel, "en") == "Batch #3 — file q2.xlsx, sheet Tinh, cell C7"


# ---------------------------------------------------------------------------------------------
# Trends
# ---------------------------------------------------------------------------------------------


def test_a_trend_has_every_period_with_missing_ones_shown_as_missing() -> None:
    periods = ["2018-Q1", "2018-Q2", "2018-Q3", "2018-Q4"]
    long = d.trend_long(RECEIVED, CAT, ["dossiers_received"], PROV, periods, "vi")
    assert list(long["label"]) == ["Quý I/2018", "Quý II/2018", "Quý III/2018", "Quý IV/2018"]
    assert list(long["text"]) == ["28.188", "33.504", "–", "39.688"]
    assert math.isnan(long.loc[2, "value"])
    table = d.trend_table(long, "vi")
    assert list(table.columns) == ["Thời kỳ", "Hồ sơ tiếp nhận"]
    assert table.values.tolist() == [
        ["Quý I/2018", "28.188"],
        ["Quý II/2018", "33.504"],
        ["Quý III/2018", "–"],
        ["Quý IV/2018", "39.688"],
    ]


def test_trend_tables_mark_estimates_and_incomplete_years_in_the_language() -> None:
    rows = frame(
        [
            ("e_documents_exchanged", PROV, "2018", 120000, "exact", True),
            ("e_documents_exchanged", PROV, "2019", 28474, "approx", False),
        ]
    )
    long = d.trend_long(rows, CAT, ["e_documents_exchanged"], PROV, ["2018", "2019"], "en")
    assert list(long["label"]) == ["2018", "2019"]
    table = d.trend_table(long, "en")
    assert list(table.columns) == ["Period", "Documents exchanged over the network"]
    assert table.values.tolist() == [["2018", "120,000"], ["2019", "~28,474*"]]
    assert d.incomplete_labels(long) == {"2019"}


def test_ratios_are_plotted_in_percent_and_keep_their_parts() -> None:
    rows = frame(
        [("dossier_resolution_rate", PROV, "2019-Q1", 38584 / 38751, "exact", True, 38584, 38751)]
    )
    long = d.trend_long(rows, CAT, ["dossier_resolution_rate"], PROV, ["2019-Q1"], "vi")
    assert long.loc[0, "plot"] == pytest.approx(99.569, abs=1e-3)
    assert (long.loc[0, "numerator"], long.loc[0, "denominator"]) == (38584, 38751)
    assert long.loc[0, "text"] == "99,57%"


def test_indicators_share_a_chart_when_they_are_drawn_alike_in_the_same_unit() -> None:
    sets = d.chart_sets(
        CAT,
        [
            "dossiers_received",
            "dossier_resolution_rate",
            "dossiers_resolved",
            "e_document_share_pct",
            "doc_system_users",
        ],
    )
    assert sets == [
        ("dossiers_received", "dossiers_resolved"),
        ("dossier_resolution_rate", "e_document_share_pct"),
        ("doc_system_users",),
    ]


def test_yearly_trends_have_a_column_per_year_of_the_range() -> None:
    assert d.trend_periods("2018-Q3", "2019-Q1", "year") == ["2018", "2019"]
    assert d.trend_periods("2018-Q3", "2019-Q1", "quarter") == ["2018-Q3", "2018-Q4", "2019-Q1"]
    assert d.period_label("2019", "vi") == "Năm 2019"


# ---------------------------------------------------------------------------------------------
# Districts
# ---------------------------------------------------------------------------------------------

A = unit(11, "842", "Thành phố Trà Vinh", "district", PROV, dt.date(2025, 6, 30))
B = unit(12, "850", "Huyện Duyên Hải", "district", PROV, dt.date(2025, 6, 30))
C = unit(13, "851", "Thị xã Duyên Hải", "district", PROV, dt.date(2025, 6, 30))
NEW = unit(14, "999", "Huyện Mới", "district", PROV)
COUNTS = {(11, "2019-Q1"): 10, (12, "2019-Q1"): 7, (13, "2019-Q1"): 7}


def test_districts_are_ranked_best_first_with_the_missing_last() -> None:
    rows = frame(
        [
            ("dossiers_received", PROV, "2019-Q1", 38751),
            ("dossiers_received", 11, "2019-Q1", 4578),
            ("dossiers_received", 12, "2019-Q1", 2054),
        ]
    )
    r = d.ranking(
        rows, CAT, "dossiers_received", [A, B, C], "2019-Q1", "vi", province_id=PROV, counts=COUNTS
    )
    assert list(r.table["name"]) == ["Thành phố Trà Vinh", "Huyện Duyên Hải", "Thị xã Duyên Hải"]
    assert list(r.table["rank"]) == [1, 2, 0]
    assert list(r.table["text"]) == ["4.578", "2.054", "–"]
    assert r.average == pytest.approx(3316) and r.average_text == "3.316"
    assert r.province_text == "38.751" and not r.comparable  # a sum is not on a district's scale
    # Quý I/2019 shows the units as they were: the city ceased only in 2025
    assert r.table["label"].iloc[0] == "Thành phố Trà Vinh"
    assert not r.table["ceased"].any()


def test_per_commune_divides_by_the_communes_of_that_quarter() -> None:
    rows = frame(
        [("dossiers_received", 11, "2019-Q1", 4578), ("dossiers_received", 12, "2019-Q1", 2054)]
    )
    r = d.ranking(
        rows, CAT, "dossiers_received", [A, B], "2019-Q1", "vi", counts=COUNTS, per_commune=True
    )
    assert list(r.table["shown_text"]) == ["457,8", "293,4"]
    assert r.province_value == pytest.approx((4578 + 2054) / 17)  # the province per commune
    assert r.comparable
    table = d.ranking_table(r, CAT, "vi")
    assert list(table.columns) == [
        "Hạng",
        "Đơn vị",
        "Giá trị",
        "Số xã",
        "Bình quân một xã",
        "Nguồn",
    ]


def test_rates_are_ranked_on_their_own_scale_with_the_province_as_reference() -> None:
    rows = frame(
        [
            ("dossier_resolution_rate", PROV, "2019-Q1", 0.99, "exact", True, 99, 100),
            ("dossier_resolution_rate", 11, "2019-Q1", 0.98, "exact", True, 98, 100),
            ("dossier_resolution_rate", 12, "2019-Q1", 1.0, "exact", True, 100, 100),
        ]
    )
    r = d.ranking(
        rows,
        CAT,
        "dossier_resolution_rate",
        [A, B],
        "2019-Q1",
        "vi",
        province_id=PROV,
        counts=COUNTS,
        per_commune=True,
    )
    assert not r.per_commune  # a rate is never divided by communes
    assert list(r.table["shown"]) == pytest.approx([100.0, 98.0])
    assert r.comparable and r.province_value == pytest.approx(99.0) and r.province_text == "99,00%"


def test_a_lower_is_better_figure_ranks_the_lowest_first() -> None:
    rows = frame(
        [
            ("dossiers_resolved_late", 11, "2019-Q1", 40),
            ("dossiers_resolved_late", 12, "2019-Q1", 10),
        ]
    )
    r = d.ranking(rows, CAT, "dossiers_resolved_late", [A, B], "2019-Q1", "vi")
    assert list(r.table["code"]) == ["850", "842"]


def test_the_heat_map_tells_a_missing_figure_from_a_unit_that_did_not_exist() -> None:
    later = unit(15, "29245", "Phường 2", "commune", 11, dt.date(2024, 12, 31))
    rows = frame([("dossiers_received", 15, "2024-Q4", 808)])
    m = d.heat_matrix(
        rows, CAT, "dossiers_received", [later], ["2024-Q3", "2024-Q4", "2025-Q1"], "vi"
    )
    assert m.rows == ("Phường 2 †",)
    assert m.columns == ("Quý III/2024", "Quý IV/2024", "Quý I/2025")
    assert m.z == ((None, 808.0, None),)
    assert m.text == (("–", "808", ""),)
    assert m.hover[0][0] == "Chưa có số liệu"
    assert m.hover[0][2] == "Đơn vị không tồn tại trong quý này"


@pytest.mark.parametrize(
    ("period", "label"),
    [
        ("2019-Q1", "Thành phố Trà Vinh"),
        ("2025-Q2", "Thành phố Trà Vinh"),  # its last quarter: it still existed
        ("2025-Q3", "Thành phố Trà Vinh †"),
    ],
)
def test_a_unit_is_marked_only_once_it_had_ceased_by_the_quarter_viewed(
    period: str, label: str
) -> None:
    assert d.unit_label(A, period) == label
    assert d.unit_label(NEW, period) == "Huyện Mới"


JULY = dt.date(2025, 7, 1)
VL = dataclasses.replace(unit(20, "86", "Vĩnh Long", "province", None), valid_from=JULY)
P3 = unit(30, "29242", "Phường 3", "commune", 11, dt.date(2025, 6, 30))
P_NEW = dataclasses.replace(unit(31, "29242", "Phường Trà Vinh", "commune", 20), valid_from=JULY)
PROV_UNIT = unit(PROV, "84", "Trà Vinh", "province", None, dt.date(2025, 6, 30))
LINKS = {
    PROV: [Lineage(PROV, 20, "merged_into", JULY, "202/2025/QH15")],
    11: [Lineage(11, None, "abolished", JULY, "72/2025/QH15")],
    12: [Lineage(12, None, "abolished", JULY, "72/2025/QH15")],
    30: [Lineage(30, 31, "merged_into", JULY, "1687/NQ-UBTVQH15")],
}
ALL = [PROV_UNIT, VL, A, B, C, NEW, P3, P_NEW]


@pytest.mark.parametrize(
    ("shown", "period", "expected"),
    [
        # the units as they were: nothing to say
        ([PROV_UNIT, A, B], "2019-Q1", None),
        ([NEW], "2025-Q3", None),
        # a later quarter: the province became part of Vĩnh Long, districts were abolished
        (
            [PROV_UNIT, A, B],
            "2025-Q3",
            "† Từ 01/07/2025, Trà Vinh (84) nhập vào Vĩnh Long (86); bãi bỏ cấp huyện "
            "(Thành phố Trà Vinh, Huyện Duyên Hải).",
        ),
        # the successor shown: what it took over
        ([VL], "2025-Q3", "† Từ 01/07/2025, Trà Vinh (84) nhập vào Vĩnh Long (86)."),
        # a code reused after the merger is another unit, never its own successor
        (
            [P3],
            "2025-Q4",
            "† Từ 01/07/2025, Phường 3 (29242) nhập vào Phường Trà Vinh (29242).",
        ),
    ],
)
def test_one_sentence_says_what_became_of_the_units_shown(
    shown: list[UnitInfo], period: str, expected: str | None
) -> None:
    assert d.successor_note(shown, ALL, LINKS, period, "vi") == expected


def test_a_lineage_row_naming_a_unit_as_its_own_successor_is_left_out(engine: Engine) -> None:
    with db.session_scope(engine) as s:
        units = all_units(s)
        links = lineage(s)
    by_key = {(u.code, u.valid_from): u for u in units}
    assert all(link.successor_id != pred for pred, ls in links.items() for link in ls)
    prov = next(u for u in units if u.code == "84")
    (to_vl,) = links[prov.id]
    assert by_key[("86", dt.date(2025, 7, 1))].id == to_vl.successor_id
    note = d.successor_note([prov], units, links, "2025-Q3", "en")
    assert note == "† From 01/07/2025, Trà Vinh (84) became part of Vĩnh Long (86)."
    old = next(u for u in units if u.code == "29242" and u.valid_to is not None)
    (link,) = links[old.id]
    new = next(u for u in units if u.id == link.successor_id)
    assert (new.code, new.valid_from) == ("29242", dt.date(2025, 7, 1)) and new.id != old.id


def test_the_tiles_follow_the_layout_and_tell_the_two_duyen_hai_apart() -> None:
    rows = frame(
        [("dossiers_received", 12, "2019-Q1", 2054), ("dossiers_received", 13, "2019-Q1", 2217)]
    )
    r = d.ranking(rows, CAT, "dossiers_received", [A, B, C], "2019-Q1", "vi")
    tiles = {t.code: t for t in d.tiles(r)}
    assert (tiles["842"].column, tiles["842"].row) == (2, 1)
    assert (tiles["850"].column, tiles["850"].row) == (1, 3)
    assert tiles["850"].label == "H. Duyên Hải"
    assert tiles["851"].label == "TX Duyên Hải"
    assert tiles["842"].label == "TP Trà Vinh" and tiles["842"].value is None
    assert set(d.TILE_LAYOUT) == {"842", "844", "845", "846", "847", "848", "849", "850", "851"}


# ---------------------------------------------------------------------------------------------
# On the real units and databases
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_units(demo_db: Path) -> list[UnitInfo]:
    engine = db.make_engine(f"sqlite:///{demo_db}")
    try:
        with db.session_scope(engine) as s:
            return all_units(s)
    finally:
        engine.dispose()


def test_trà_vinh_city_had_ten_communes_until_two_wards_merged_in_2025(
    real_units: list[UnitInfo],
) -> None:
    city = next(u for u in real_units if u.code == "842")
    counts = d.commune_counts(real_units, [city.id], ["2019-Q1", "2024-Q4", "2025-Q1"])
    assert counts == {(city.id, "2019-Q1"): 10, (city.id, "2024-Q4"): 10, (city.id, "2025-Q1"): 8}
    province = d.province_unit(real_units, "2019-Q1")
    assert province is not None and province.code == "84"
    districts = d.districts_of(real_units, province.id, ["2019-Q1"])
    assert [u.code for u in districts] == [
        "842",
        "844",
        "845",
        "846",
        "847",
        "848",
        "849",
        "850",
        "851",
    ]
    all_counts = d.commune_counts(real_units, [u.id for u in districts], ["2019-Q1"])
    assert sum(all_counts.values()) == 106  # the report's "xã: 106"


def test_after_the_2025_reform_the_province_is_the_new_one_and_has_no_districts(
    real_units: list[UnitInfo],
) -> None:
    province = d.province_unit(real_units, "2025-Q3")
    assert province is not None and province.code == "86"
    assert d.districts_of(real_units, province.id, ["2025-Q3"]) == []


def _ids(engine: Engine) -> UnitDirectory:
    with db.session_scope(engine) as s:
        units = all_units(s)
    return UnitDirectory(units, Q1_2019.start, Q1_2019.end)


def test_targets_and_sources_are_read_in_one_query_each(engine: Engine) -> None:
    units = _ids(engine)
    prov = units.by_code["84"].id
    figs = [
        Figure(
            "dossiers_received",
            prov,
            "2019-Q1",
            Decimal(38751),
            source_sheet="Tinh",
            source_cell="C5",
        ),
        Figure(
            "doc_system_users",
            prov,
            "2019-Q1",
            Decimal(7848),
            source_sheet="Tinh",
            source_cell="C6",
        ),
    ]
    with db.session_scope(engine) as s:
        commit_figures(s, EDITOR, BatchInfo("excel", "q1.xlsx", "a" * 64), figs)
        s.add(
            Target(
                indicator_code="dossiers_received",
                unit_id=prov,
                year=2019,
                quarter=0,
                value=Decimal(160000),
            )
        )
        s.add(
            Target(
                indicator_code="dossiers_received",
                unit_id=prov,
                year=2020,
                quarter=0,
                value=Decimal(1),
            )
        )
    revised = [
        Figure(
            "dossiers_received",
            prov,
            "2019-Q1",
            Decimal(38800),
            source_sheet="Tinh",
            source_cell="D5",
        )
    ]
    with db.session_scope(engine) as s:
        commit_figures(s, EDITOR, BatchInfo("excel", "q1-sua.xlsx", "b" * 64), revised)
    with db.session_scope(engine) as s:
        goals = d.index_targets(d.targets(s, [prov], [2019]))
        current = queries.figure_sources(
            s, ["dossiers_received", "doc_system_users"], [prov], "2019-Q1", "2019-Q1"
        )
        history = queries.figure_sources(
            s, ["dossiers_received"], [prov], "2019-Q1", "2019-Q1", current_only=False
        )
    assert goals == {("dossiers_received", prov, 2019): (160000.0, False)}
    by_code = d.index_sources(current)
    assert by_code[("dossiers_received", prov, "2019-Q1")]["file_name"] == "q1-sua.xlsx"
    assert d.source_short(by_code[("doc_system_users", prov, "2019-Q1")], "vi").endswith(
        "tệp q1.xlsx, trang Tinh, ô C6"
    )
    assert [float(v) for v in history["value"]] == [38800, 38751]  # newest first
    assert list(history["is_current"]) == [True, False]


def test_a_yearly_trend_uses_only_the_quarters_inside_its_range(engine: Engine) -> None:
    """The export's rule on the Trends page: a year cut by the range adds the quarters it has
    inside the range and is marked incomplete (2018 from Q2: 200 + 300 + 400)."""
    units = _ids(engine)
    prov = units.by_code["84"].id
    figs = []
    for q, (received, users) in enumerate([(100, 10), (200, 20), (300, 30), (400, 40)], start=1):
        figs.append(Figure("dossiers_received", prov, f"2018-Q{q}", Decimal(received)))
        figs.append(Figure("doc_system_users", prov, f"2018-Q{q}", Decimal(users)))
    figs.append(Figure("dossiers_received", prov, "2019-Q1", Decimal(150)))
    figs.append(Figure("doc_system_users", prov, "2019-Q1", Decimal(45)))
    with db.session_scope(engine) as s:
        commit_figures(s, EDITOR, BatchInfo("csv", "years.csv"), figs)
        all_ = all_units(s)
        codes = ("dossiers_received", "doc_system_users")
        got = figures(s, CAT, all_, Query(codes, (prov,), "2018-Q2", "2019-Q1", "year"))
    long = d.trend_long(got, CAT, codes, prov, d.trend_periods("2018-Q2", "2019-Q1", "year"), "vi")
    cells = {(r["indicator"], r["label"]): r["text"] for r in long.to_dict("records")}
    assert cells == {
        ("dossiers_received", "Năm 2018"): "900*",
        ("dossiers_received", "Năm 2019"): "150*",
        ("doc_system_users", "Năm 2018"): "40",
        ("doc_system_users", "Năm 2019"): "45*",
    }


def test_a_quarter_after_the_reform_says_what_became_of_the_province(engine: Engine) -> None:
    """The Overview of Quý III/2025 is Vĩnh Long's, and says in one sentence that Trà Vinh
    became part of it; the Overview of Quý I/2019 says nothing about 2025."""
    with db.session_scope(engine) as s:
        later = UnitDirectory(all_units(s), Period(2025, 3).start, Period(2025, 3).end)
        vl = later.by_code["86"].id
        early = _ids(engine).by_code["84"].id
        figs = [
            Figure("dossiers_received", vl, "2025-Q3", Decimal(51234)),
            Figure("dossiers_received", early, "2019-Q1", Decimal(38751)),
        ]
        commit_figures(s, EDITOR, BatchInfo("csv", "later.csv"), figs)
        after = page_models.overview_model(s, CAT, "2025-Q3", "vi")
        before = page_models.overview_model(s, CAT, "2019-Q1", "vi")
        districts = page_models.districts_model(s, CAT, "dossiers_received", "2025-Q3", False, "vi")
    assert after is not None and after.unit_name == "Vĩnh Long"
    assert after.note == "† Từ 01/07/2025, Trà Vinh (84) nhập vào Vĩnh Long (86)."
    assert before is not None and before.note is None
    assert districts is not None and districts.districts == ()  # districts were abolished
