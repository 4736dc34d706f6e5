"""The quarterly template as a staff member opens it: sheets, codes, units of the quarter,
protection, lists, formats, and the previous quarter's figures from the database."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Engine

from kpi.catalogue import load_catalogue
from kpi.db import make_engine
from kpi.i18n import t
from kpi.periods import Period
from kpi.units import UnitDirectory
from kpi.validation import QUALIFIER_LIST_VI, TEMPLATE_VERSION
from loaders.template import (
    ALL_LEVELS,
    make_template,
    template_bytes,
    template_file_name,
    units_from_files,
)
from loaders.workbook import read_workbook

CAT = load_catalogue()
UNITS = units_from_files()
NAMES = {
    s: t(f"import.template.sheet.{s}", "vi") for s in ("instructions", "metadata", *ALL_LEVELS)
}


def _book(period: str = "2019-Q2", **kw: object) -> Workbook:
    return load_workbook(io.BytesIO(template_bytes(period, CAT, UNITS, **kw)))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def q2() -> Workbook:
    return _book()


def _cells(ws: Worksheet) -> dict[str, object]:
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


def _units_in(ws: Worksheet, column: int) -> list[str]:
    return [str(ws.cell(row=r, column=column).value) for r in range(6, ws.max_row + 1)]


def test_sheets_instructions_and_metadata(q2: Workbook) -> None:
    assert q2.sheetnames == [NAMES[s] for s in ("instructions", "metadata", *ALL_LEVELS)]
    ins = q2[NAMES["instructions"]]
    assert ins["A1"].value == "Hướng dẫn điền mẫu báo cáo"
    assert ins["B1"].value == "How to fill in the reporting template"
    assert "Quý II/2019" in str(ins["A3"].value) and "Q2 2019" in str(ins["B3"].value)
    meta = {
        r[0]: r[2] for r in q2[NAMES["metadata"]].iter_rows(min_row=2, max_row=8, values_only=True)
    }
    assert meta["template_version"] == TEMPLATE_VERSION
    assert (meta["period"], meta["province_code"], meta["province_name"]) == (
        "2019-Q2",
        "84",
        "Trà Vinh",
    )
    assert meta["levels"] == "province,agencies,district,commune"
    assert meta["catalogue_version"] == CAT.version


def test_province_sheet_is_a_vertical_list_with_84_above_the_input_only(q2: Workbook) -> None:
    ws = q2[NAMES["province"]]
    codes = [c for c in (ws.cell(row=r, column=1).value for r in range(5, ws.max_row + 1)) if c]
    stored = [i.code for i in CAT.ordered() if "province" in i.levels and not i.is_derived]
    assert [c for c in codes if c != "online_services_total"] == stored
    assert "online_services_total" in codes  # the check cell
    assert not any(CAT[c].is_ratio for c in codes)
    cells = _cells(ws)
    assert [ref for ref, v in cells.items() if str(v) == "84"] == ["E4"]
    assert cells["F4"] == "qualifier"
    assert "Quý II/2019" in str(cells["E3"]) and "Quý I/2019" in str(cells["D3"])
    assert ws.row_dimensions[4].hidden and ws.column_dimensions["A"].hidden
    assert ws.freeze_panes == "C5"


def test_grids_list_units_down_and_indicators_across(q2: Workbook) -> None:
    district = q2[NAMES["district"]]
    assert [c.value for c in district[5]] == [
        "unit_code",
        "unit_name",
        *(i.code for i in CAT.stored() if "district" in i.levels),
    ]
    assert _units_in(district, 1) == ["842", "844", "845", "846", "847", "848", "849", "850", "851"]
    assert _units_in(q2[NAMES["agencies"]], 1) == ["84-CQ"]
    communes = q2[NAMES["commune"]]
    assert [c.value for c in communes[5]][:4] == [
        "parent_code",
        "parent_name",
        "unit_code",
        "unit_name",
    ]
    rows = list(communes.iter_rows(min_row=6, values_only=True))
    assert len(rows) == 106
    directory = UnitDirectory(UNITS, Period(2019, 2).start, Period(2019, 2).end)
    assert all(directory.by_code[r[2]].parent_id == directory.by_code[r[0]].id for r in rows)
    assert {r[0] for r in rows} == set(_units_in(district, 1))
    for ws in (district, communes):
        assert "84" not in _units_in(ws, 1) + _units_in(ws, 3)  # the province is never a row
        assert ws.row_dimensions[5].hidden


@pytest.mark.parametrize(
    ("period", "sheets", "communes", "absent"),
    [
        ("2019-Q1", ("province", "agencies", "district", "commune"), 106, set()),
        ("2025-Q1", ("province", "agencies", "district", "commune"), 104, {"29245", "29251"}),
        ("2025-Q3", ("province", "commune"), 41, {"84-CQ", "842"}),
    ],
)
def test_units_are_those_valid_in_the_quarter(
    period: str, sheets: tuple[str, ...], communes: int, absent: set[str]
) -> None:
    wb = _book(period)
    assert wb.sheetnames[2:] == [NAMES[s] for s in sheets]
    rows = list(wb[NAMES["commune"]].iter_rows(min_row=6, values_only=True))
    assert len(rows) == communes
    listed = {str(v) for r in rows for v in (r[0], r[2])}
    assert not listed & absent
    if period == "2025-Q3":  # Vĩnh Long: communes stand directly under the province
        assert wb[NAMES["province"]]["E4"].value == "86"
        assert {r[0] for r in rows} == {"86"}


def test_inputs_are_unlocked_and_coloured_the_rest_protected_without_password(q2: Workbook) -> None:
    ws = q2[NAMES["district"]]
    value, label = ws["E6"], ws["B6"]
    assert value.protection.locked is False and value.fill.fgColor.rgb.endswith("FFF2CC")
    assert label.protection.locked is True
    for sheet in q2.worksheets:
        assert sheet.protection.sheet and not sheet.protection.password
        # The reader copes with inserted or deleted rows and columns: users may make them.
        assert sheet.protection.insertRows is False and sheet.protection.deleteColumns is False
    province = q2[NAMES["province"]]
    row = next(
        r
        for r in range(5, province.max_row + 1)
        if province.cell(row=r, column=1).value == "doc_system_users"
    )
    assert province.cell(row=row, column=5).protection.locked is False
    assert province.cell(row=row, column=6).protection.locked is False  # qualifier
    assert province.cell(row=row, column=4).protection.locked is True  # previous quarter


def test_qualifier_list_number_formats_and_widths(q2: Workbook) -> None:
    ws = q2[NAMES["province"]]
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1
    assert lists[0].formula1 == '"' + ",".join(QUALIFIER_LIST_VI) + '"'
    rows = {ws.cell(row=r, column=1).value: r for r in range(5, ws.max_row + 1)}
    assert f"F{rows['doc_system_users']}" in lists[0].sqref
    assert ws.cell(row=rows["doc_system_users"], column=5).number_format.endswith("#,##0")
    assert ws.cell(row=rows["e_document_share_pct"], column=5).number_format.endswith("#,##0.00")
    longest = max(len(i.name_vi) for i in CAT.stored() if "province" in i.levels)
    assert ws.column_dimensions["B"].width >= min(longest, 70)
    communes = q2[NAMES["commune"]]
    assert communes.freeze_panes == "E6"
    assert communes.column_dimensions["D"].width >= max(
        len(str(r[3])) for r in communes.iter_rows(min_row=6, values_only=True)
    )


def test_a_blank_template_reads_back_with_every_sheet_understood(q2: Workbook) -> None:
    buffer = io.BytesIO()
    q2.save(buffer)
    content = read_workbook(buffer.getvalue(), CAT.indicators.keys(), UNITS)
    assert content.entries == [] and content.issues == []
    assert [(lay.sheet, lay.kind, lay.code_line, lay.unit_line) for lay in content.layouts] == [
        (NAMES["province"], "list", "A", "4"),
        (NAMES["agencies"], "grid", "5", "A"),
        (NAMES["district"], "grid", "5", "A"),
        (NAMES["commune"], "grid", "5", "C"),
    ]
    assert content.metadata.text("period") == "2019-Q2"


def test_levels_and_file_name() -> None:
    wb = _book(levels=("district",))
    assert wb.sheetnames == [NAMES["instructions"], NAMES["metadata"], NAMES["district"]]
    assert template_file_name("Quý II/2019") == "mau-bao-cao-2019-Q2.xlsx"
    assert (
        template_file_name("2019-Q2", ("province", "district"))
        == "mau-bao-cao-2019-Q2-province-district.xlsx"
    )
    with pytest.raises(ValueError):
        template_bytes("2019-Q2", CAT, UNITS, levels=("village",))


@pytest.fixture(scope="module")
def demo_engine(demo_db: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{demo_db}")
    yield engine
    engine.dispose()


def test_previous_quarter_figures_come_from_the_database(demo_engine: Engine) -> None:
    ws = load_workbook(io.BytesIO(make_template(demo_engine, "2019-Q2")))[NAMES["province"]]
    previous = {
        ws.cell(row=r, column=1).value: ws.cell(row=r, column=4).value
        for r in range(5, ws.max_row + 1)
    }
    assert previous["doc_system_users"] == 7848
    assert previous["e_document_share_pct"] == ">90%"
    assert previous["e_documents_exchanged"] == "~28.474"
    assert previous["online_services_total"] == 516  # computed from levels 3 and 4
    assert ws.cell(row=3, column=4).value.startswith("Quý I/2019")


def test_without_a_database_the_template_still_comes_from_the_data_files(tmp_path: Path) -> None:
    missing = make_engine(f"sqlite:///{tmp_path / 'nothing-here.sqlite3'}")
    data = make_template(missing, "2019-Q2")
    missing.dispose()
    assert not (tmp_path / "nothing-here.sqlite3").exists()
    ws = load_workbook(io.BytesIO(data))[NAMES["province"]]
    assert all(ws.cell(row=r, column=4).value is None for r in range(5, ws.max_row + 1))
    assert load_workbook(io.BytesIO(make_template(None, "2019-Q2"))).sheetnames == list(
        NAMES.values()
    )
