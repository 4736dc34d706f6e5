"""The analyst's table and its files, read back the way their users read them.

Expected CSV files are compared whole (Datasette style); workbooks cell by cell with openpyxl;
Parquet with pyarrow; JSON with json. The figures are the real Q1/2019 province figures of the
demo database (38.751 dossiers, "trên 90%", "khoảng 28.474") and its generated history.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import unicodedata
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from kpi import db, export, metrics
from kpi.catalogue import load_catalogue
from kpi.filters import Filters, resolve
from kpi.models import AuditEvent
from kpi.store import BatchInfo, Figure, commit_figures
from kpi.units import UnitInfo, all_units
from tests.conftest import ADMIN

BOM = "\ufeff"
WHEN = dt.datetime(2026, 3, 31, 8, 30, 0)
Build = Callable[[Filters], export.Table]


def _builder(url: str) -> Iterator[Build]:
    engine = db.make_engine(url)

    def build(filters: Filters) -> export.Table:
        with db.session_scope(engine) as session:
            return export.build(session, load_catalogue(), all_units(session), filters)

    yield build
    engine.dispose()


@pytest.fixture(scope="module")
def build(demo_db: Path) -> Iterator[Build]:
    yield from _builder(f"sqlite:///{demo_db}")


def _csv(table: export.Table) -> str:
    raw = export.to_bytes(table, "csv")
    assert raw.startswith(BOM.encode("utf-8"))
    return raw.decode("utf-8")


PROVINCE_Q1 = Filters(
    indicators=(
        "dossiers_received",
        "dossier_resolution_rate",
        "e_document_share_pct",
        "e_documents_exchanged",
    ),
    units=("84",),
    first="2018-Q4",
    last="2019-Q1",
)


# -- CSV, whole files --------------------------------------------------------------------------


def test_csv_of_the_province_figures(build: Build) -> None:
    assert _csv(build(PROVINCE_Q1)) == (
        BOM
        + "Mã chỉ tiêu,Chỉ tiêu,Mã đơn vị,Đơn vị,Kỳ,Giá trị,Độ chính xác,Đơn vị tính,Đủ số liệu,Dữ liệu minh hoạ\r\n"
        "e_document_share_pct,Tỷ lệ văn bản trao đổi dưới dạng điện tử,84,Trà Vinh,2018-Q4,86,,%,true,true\r\n"
        "e_document_share_pct,Tỷ lệ văn bản trao đổi dưới dạng điện tử,84,Trà Vinh,2019-Q1,90,trên,%,true,false\r\n"
        "e_documents_exchanged,Văn bản trao đổi trên môi trường mạng,84,Trà Vinh,2018-Q4,34616,,văn bản,true,true\r\n"
        "e_documents_exchanged,Văn bản trao đổi trên môi trường mạng,84,Trà Vinh,2019-Q1,28474,khoảng,văn bản,true,false\r\n"
        "dossiers_received,Hồ sơ tiếp nhận,84,Trà Vinh,2018-Q4,39688,,hồ sơ,true,true\r\n"
        "dossiers_received,Hồ sơ tiếp nhận,84,Trà Vinh,2019-Q1,38751,,hồ sơ,true,false\r\n"
        "dossier_resolution_rate,Tỷ số hồ sơ giải quyết trên hồ sơ tiếp nhận,84,Trà Vinh,2018-Q4,99.26930054424511,,%,true,true\r\n"
        "dossier_resolution_rate,Tỷ số hồ sơ giải quyết trên hồ sơ tiếp nhận,84,Trà Vinh,2019-Q1,99.5690433795257,,%,true,false\r\n"
    )


def test_csv_with_codes_for_programs_in_english(build: Build) -> None:
    table = build(
        Filters(
            indicators=("dossiers_received", "e_document_share_pct"),
            units=("84", "849"),
            first="2019-Q1",
            last="2019-Q1",
            header="codes",
            lang="en",
        )
    )
    assert _csv(table) == (
        BOM
        + "indicator,indicator_name,unit,unit_name,period,value,qualifier,measure,complete,demo\r\n"
        "e_document_share_pct,Share of documents exchanged electronically,84,Trà Vinh,2019-Q1,90,at_least,%,true,false\r\n"
        "dossiers_received,Dossiers received,84,Trà Vinh,2019-Q1,38751,exact,dossiers,true,false\r\n"
        "dossiers_received,Dossiers received,849,Huyện Trà Cú,2019-Q1,3708,exact,dossiers,true,true\r\n"
    )


def test_csv_pivot_with_periods_across_keeps_the_qualifier_beside_its_value(build: Build) -> None:
    table = build(
        Filters(
            indicators=("dossiers_received", "e_document_share_pct"),
            units=("84",),
            first="2018-Q3",
            last="2019-Q1",
            layout="wide",
        )
    )
    assert _csv(table) == (
        BOM
        + "Mã chỉ tiêu,Chỉ tiêu,Mã đơn vị,Đơn vị,Đơn vị tính,Quý III/2018,Quý IV/2018,Quý I/2019,"
        "Quý I/2019 - ghi chú\r\n"
        "e_document_share_pct,Tỷ lệ văn bản trao đổi dưới dạng điện tử,84,Trà Vinh,%,84,86,90,trên\r\n"
        "dossiers_received,Hồ sơ tiếp nhận,84,Trà Vinh,hồ sơ,35943,39688,38751,\r\n"
    )


def test_csv_pivot_with_units_across_by_year_marks_an_incomplete_year(build: Build) -> None:
    table = build(
        Filters(
            indicators=("dossiers_received",),
            units=("842", "849"),
            first="2018-Q1",
            last="2019-Q1",
            freq="year",
            layout="wide",
            across="units",
        )
    )
    assert _csv(table) == (
        BOM + "Mã chỉ tiêu,Chỉ tiêu,Đơn vị tính,Kỳ,Thành phố Trà Vinh,Thành phố Trà Vinh - ghi chú,"
        "Huyện Trà Cú,Huyện Trà Cú - ghi chú\r\n"
        "dossiers_received,Hồ sơ tiếp nhận,hồ sơ,2018,15451,,12453,\r\n"
        "dossiers_received,Hồ sơ tiếp nhận,hồ sơ,2019,4578,chưa đủ,3708,chưa đủ\r\n"
    )


def test_csv_with_sources_names_the_report_line_and_the_batch(build: Build) -> None:
    table = build(
        Filters(
            indicators=("dossiers_received",),
            units=("84",),
            first="2018-Q4",
            last="2019-Q1",
            sources=True,
        )
    )
    assert _csv(table) == (
        BOM
        + "Mã chỉ tiêu,Chỉ tiêu,Mã đơn vị,Đơn vị,Kỳ,Giá trị,Độ chính xác,Đơn vị tính,Đủ số liệu,"
        "Dữ liệu minh hoạ,Lô nhập,Nguồn\r\n"
        "dossiers_received,Hồ sơ tiếp nhận,84,Trà Vinh,2018-Q4,39688,,hồ sơ,true,true,13,"
        "demo-2018-Q4 (dữ liệu minh hoạ)\r\n"
        "dossiers_received,Hồ sơ tiếp nhận,84,Trà Vinh,2019-Q1,38751,,hồ sơ,true,false,1,"
        '"seed-report-q1-2019.txt, dòng 153: «thri tuc. Quf l/2019 he th6ng dd ti6p nh?n 38.751 h6 so '
        'vd giii quy6t 38.584 h6»"\r\n'
    )


def test_a_computed_figure_says_so_in_its_source_column(build: Build) -> None:
    table = build(
        Filters(
            indicators=("dossiers_received",),
            units=("84",),
            first="2018-Q1",
            last="2018-Q4",
            freq="year",
            sources=True,
        )
    )
    rows = list(csv.DictReader(io.StringIO(_csv(table).lstrip(BOM))))
    assert [(r["Kỳ"], r["Giá trị"], r["Lô nhập"], r["Nguồn"]) for r in rows] == [
        ("2018", "137323", "", "tính từ các số liệu khác")
    ]


def test_an_empty_selection_is_a_header_row(build: Build) -> None:
    table = build(
        Filters(
            indicators=("online_services_total",), units=("849",), first="2019-Q1", last="2019-Q1"
        )
    )
    assert len(table) == 0
    assert _csv(table).count("\r\n") == 1
    assert pq.read_table(io.BytesIO(export.to_bytes(table, "parquet"))).num_rows == 0
    assert json.loads(export.to_bytes(table, "json"))["rows"] == []


# -- XLSX, cell by cell ------------------------------------------------------------------------


def test_xlsx_has_real_numbers_with_display_formats_a_frozen_header_and_filters(
    build: Build,
) -> None:
    table = build(PROVINCE_Q1)
    wb = load_workbook(io.BytesIO(export.to_bytes(table, "xlsx", exported_at=WHEN)))
    assert wb.sheetnames == ["Bảng", "Về bảng này"]
    ws = wb["Bảng"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:J9"
    header = [c.value for c in ws[1]]
    assert header == [
        "Mã chỉ tiêu",
        "Chỉ tiêu",
        "Mã đơn vị",
        "Đơn vị",
        "Kỳ",
        "Giá trị",
        "Độ chính xác",
        "Đơn vị tính",
        "Đủ số liệu",
        "Dữ liệu minh hoạ",
    ]
    assert all(c.font.b for c in ws[1])
    assert ws.column_dimensions["B"].width > ws.column_dimensions["A"].width > 8
    cells = {(r[0].value, r[4].value): r for r in ws.iter_rows(min_row=2)}
    received = cells[("dossiers_received", "2019-Q1")]
    assert (received[5].value, received[5].data_type, received[5].number_format) == (
        38751,
        "n",
        "#,##0",
    )
    assert received[6].value is None  # exact: an empty qualifier
    assert (received[8].value, received[9].value) == (True, False)
    share = cells[("e_document_share_pct", "2019-Q1")]
    assert (share[5].value, share[5].number_format, share[6].value) == (90, '0.00"%"', "trên")
    rate = cells[("dossier_resolution_rate", "2019-Q1")]
    assert rate[5].value == pytest.approx(99.5690433795257)
    assert rate[5].number_format == '0.00"%"'
    assert cells[("e_documents_exchanged", "2019-Q1")][6].value == "khoảng"


def test_xlsx_about_sheet_says_what_the_table_is(build: Build) -> None:
    table = build(PROVINCE_Q1)
    wb = load_workbook(io.BytesIO(export.to_bytes(table, "xlsx", exported_at=WHEN)))
    rows = [
        tuple(c for c in r if c is not None) for r in wb["Về bảng này"].iter_rows(values_only=True)
    ]
    by_label = {r[0]: r[1] for r in rows if len(r) == 2}
    assert rows[0] == ("Về bảng này",)
    assert by_label["Nội dung"] == table.description
    assert by_label["Đơn vị"] == "Trà Vinh"
    assert by_label["Từ quý"] == "Quý IV/2018"
    assert by_label["Đến quý"] == "Quý I/2019"
    assert by_label["Tần suất"] == "theo quý"
    # 08:30 UTC is 15:30 in Trà Vinh (KPI_TIMEZONE, Asia/Ho_Chi_Minh)
    assert by_label["Thời điểm xuất (giờ Asia/Ho_Chi_Minh)"] == WHEN.replace(
        tzinfo=None
    ) + dt.timedelta(hours=7)
    assert by_label["Phiên bản dữ liệu"] == table.data_version > 0
    assert by_label["Số dòng"] == 8
    definitions = {r[0]: r for r in rows if r and r[0] in PROVINCE_Q1.indicators}
    received = definitions["dossiers_received"]
    assert received[1:3] == ("Hồ sơ tiếp nhận", "hồ sơ")
    assert received[4] == load_catalogue()["dossiers_received"].definition_vi
    assert any("thang 0-100" in r[0] for r in rows if r)


def test_xlsx_in_english_with_codes(build: Build) -> None:
    table = build(
        Filters(
            indicators=("dossiers_received",),
            units=("84",),
            first="2019-Q1",
            last="2019-Q1",
            lang="en",
            header="codes",
        )
    )
    wb = load_workbook(io.BytesIO(export.to_bytes(table, "xlsx")))
    assert wb.sheetnames == ["Table", "About"]
    assert [c.value for c in wb["Table"][1]][:3] == ["indicator", "indicator_name", "unit"]
    assert wb["Table"]["F2"].value == 38751


# -- Parquet and JSON --------------------------------------------------------------------------


def test_parquet_has_plain_numbers_and_the_about_part_in_its_metadata(build: Build) -> None:
    table = build(PROVINCE_Q1.replace(sources=True))
    read = pq.read_table(io.BytesIO(export.to_bytes(table, "parquet", exported_at=WHEN)))
    types = {f.name: str(f.type) for f in read.schema}
    assert types["Giá trị"] == "double"
    assert types["Lô nhập"] == "int64"
    assert types["Đủ số liệu"] == "bool"
    assert types["Chỉ tiêu"] == "string"
    frame = read.to_pandas()
    assert frame["Giá trị"].dtype == np.float64
    assert (
        frame.loc[
            frame["Kỳ"].eq("2019-Q1") & frame["Mã chỉ tiêu"].eq("dossiers_received"), "Giá trị"
        ].item()
        == 38751.0
    )
    about = json.loads(read.schema.metadata[b"kpi.about"])
    assert about["description"] == table.description
    assert about["exported_at"] == "2026-03-31T08:30:00Z"
    assert about["filters"]["unit"] == ["84"]
    assert {i["code"]: i["unit"] for i in about["indicators"]}["dossiers_received"] == "hồ sơ"
    assert read.schema.metadata[b"kpi.query"].decode() == table.filters.to_query()


def test_json_has_about_and_rows(build: Build) -> None:
    table = build(PROVINCE_Q1.replace(header="codes", lang="en"))
    doc = json.loads(export.to_bytes(table, "json", exported_at=WHEN))
    assert set(doc) == {"about", "rows"}
    assert doc["about"]["rows"] == len(doc["rows"]) == 8
    assert doc["about"]["description"] == table.description
    assert doc["about"]["data_version"] == table.data_version
    row = next(
        r
        for r in doc["rows"]
        if r["indicator"] == "e_document_share_pct" and r["period"] == "2019-Q1"
    )
    assert row == {
        "indicator": "e_document_share_pct",
        "indicator_name": "Share of documents exchanged electronically",
        "unit": "84",
        "unit_name": "Trà Vinh",
        "period": "2019-Q1",
        "value": 90.0,
        "qualifier": "at_least",
        "measure": "%",
        "complete": True,
        "demo": False,
    }


# -- text that must not turn into formulas, and Vietnamese that must not change ----------------

TRICKY = {
    "901": '=HYPERLINK("http://example.invalid","x")',
    "902": "-Phường lạ",
    "903": "@SUM(A1)",
    "904": "\tTab",
    "905": "\rCR",
    "906": "+84 Xã",
    "907": unicodedata.normalize("NFD", "Xã Đại An"),
    "908": "Thị trấn Định An",
}


def _tricky_table(lang: str = "vi") -> export.Table:
    day = dt.date(1900, 1, 1)
    units = [UnitInfo(1, "84", "Trà Vinh", "tinh", "province", None, day, None)] + [
        UnitInfo(n, code, name, "xa", "commune", 1, day, None)
        for n, (code, name) in enumerate(TRICKY.items(), start=2)
    ]
    figures = pd.DataFrame(
        {
            "indicator": "dossiers_received",
            "unit_id": [u.id for u in units],
            "period": "2019-Q1",
            "value": [-5.0, 12.0, -0.5, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
            "qualifier": "exact",
            "complete": True,
            "is_demo": False,
            "numerator": np.nan,
            "denominator": np.nan,
            "batch_id": None,
        }
    )[metrics.COLUMNS]
    sel = resolve(
        Filters(indicators=("dossiers_received",), first="2019-Q1", last="2019-Q1", lang=lang),
        load_catalogue(),
        units,
    )
    return export.build_table(figures, sel, data_version=1)


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+84 Xã", "'+84 Xã"),
        ("-Phường", "'-Phường"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("Trà Vinh", "Trà Vinh"),
        ("84-CQ", "84-CQ"),
        ("", ""),
    ],
)
def test_neutralise(text: str, written: str) -> None:
    assert export.neutralise(text) == written


def test_csv_neutralises_formula_text_and_keeps_negative_numbers() -> None:
    rows = list(csv.reader(io.StringIO(_csv(_tricky_table()).lstrip(BOM), newline="")))
    names = {r[2]: r[3] for r in rows[1:]}
    values = {r[2]: r[5] for r in rows[1:]}
    assert names["901"] == "'" + TRICKY["901"]
    assert names["902"] == "'-Phường lạ"
    assert names["903"] == "'@SUM(A1)"
    assert names["904"] == "'\tTab"
    assert names["905"] == "'\rCR"
    assert names["906"] == "'+84 Xã"
    assert names["908"] == "Thị trấn Định An"
    assert values["84"] == "-5"
    assert values["902"] == "-0.5"


def test_xlsx_neutralises_formula_text_and_keeps_negative_numbers() -> None:
    ws = load_workbook(io.BytesIO(export.to_bytes(_tricky_table(), "xlsx"))).worksheets[0]
    cells = {r[2].value: r for r in ws.iter_rows(min_row=2)}
    assert cells["901"][3].value == "'" + TRICKY["901"]
    assert cells["901"][3].data_type == "s"
    assert cells["903"][3].value == "'@SUM(A1)"
    assert cells["905"][3].value == "'\rCR"
    assert (cells["84"][5].value, cells["84"][5].data_type) == (-5, "n")
    assert (cells["902"][5].value, cells["902"][5].data_type) == (-0.5, "n")


def test_vietnamese_text_round_trips_through_csv_and_xlsx_in_nfc() -> None:
    table = _tricky_table()
    nfc_name = unicodedata.normalize("NFC", "Xã Đại An")
    rows = list(csv.DictReader(io.StringIO(_csv(table).lstrip(BOM), newline="")))
    from_csv = {r["Mã đơn vị"]: r["Đơn vị"] for r in rows}
    ws = load_workbook(io.BytesIO(export.to_bytes(table, "xlsx"))).worksheets[0]
    from_xlsx = {r[2]: r[3] for r in ws.iter_rows(min_row=2, values_only=True)}
    for found in (from_csv, from_xlsx):
        assert found["907"] == nfc_name
        assert found["908"] == "Thị trấn Định An"
        assert found["84"] == "Trà Vinh"
        assert all(unicodedata.is_normalized("NFC", v) for v in found.values())
    assert rows[0]["Chỉ tiêu"] == "Hồ sơ tiếp nhận"
    assert [c.value for c in ws[1]][4] == "Kỳ"


def _csv_cell_by_cell(table: export.Table) -> bytes:
    """The CSV rules written a cell at a time through ``csv.writer``: what the writer made
    before it wrote each distinct value once, kept here as the reference it must equal."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow([export.neutralise(c.header) for c in table.columns])
    for col_chunk in table.chunks(size=7):
        cells = []
        for col in table.columns:
            series = col_chunk[col.key]
            if col.kind == "number":
                cells.append(export._number_texts(series.to_numpy(dtype=float)))
            elif col.kind == "bool":
                cells.append(["true" if v else "false" for v in series.to_numpy(dtype=bool)])
            else:
                values = export._values(series, col.kind, True)
                cells.append(["" if v is None else str(v) for v in values])
        writer.writerows(zip(*cells, strict=True))
    return buffer.getvalue().encode("utf-8")


def _awkward_table() -> export.Table:
    """Every kind of column with what quoting and missing values can make of it: commas,
    quotes, line breaks, formula starts, missing text, numbers and ints, categoricals."""
    table = _tricky_table()
    frame = table.frame.copy()
    n = len(frame)
    texts = ["a, b", 'say "hi"', "two\nlines", "=1+2", None, "", "Trà Vinh", "x\r\ny", "plain"]
    numbers = [1.0, np.nan, -0.0, 0.1 + 0.2, 1e16, -5.0, 38751.0, 99.56904337952569, np.nan]
    columns = list(table.columns)
    for key, kind, values in (
        ("awkward_text", "text", texts),
        ("awkward_category", "text", pd.Categorical(texts)),
        ("awkward_number", "number", numbers),
        ("awkward_int", "int", pd.array([1, None, 3, 4, 5, 6, 7, 8, None], dtype="Int64")),
        ("awkward_bool", "bool", [True, False] * 4 + [True]),
    ):
        frame[key] = pd.Series(values[:n])
        columns.append(export.Column(key, key.replace("_", ", "), kind))
    import dataclasses

    return dataclasses.replace(table, columns=tuple(columns), frame=frame.reset_index(drop=True))


@pytest.mark.parametrize("make", ["awkward", "province", "pivot", "sources"])
def test_csv_writes_what_the_cell_by_cell_rules_write(make: str, build: Build) -> None:
    tables = {
        "awkward": _awkward_table,
        "province": lambda: build(PROVINCE_Q1),
        "pivot": lambda: build(
            Filters(indicators=PROVINCE_Q1.indicators, first="2016-Q1", layout="wide")
        ),
        "sources": lambda: build(
            Filters(indicators=("dossiers_received",), first="2018-Q1", sources=True, history=True)
        ),
    }
    table = tables[make]()
    assert len(table) > 0
    written = io.BytesIO()
    export.write_csv(table, written)
    assert written.getvalue() == _csv_cell_by_cell(table)


# -- Excel's row limit -------------------------------------------------------------------------


def test_xlsx_beyond_excels_rows_is_refused_before_anything_is_written() -> None:
    export.check_xlsx(export.XLSX_MAX_ROWS - 1)  # a full sheet: header + 1,048,575 rows
    with pytest.raises(export.ExportRefused) as caught:
        export.check_xlsx(export.XLSX_MAX_ROWS)
    message = caught.value.message("vi")
    assert "1.048.576" in message and "1.048.575" in message
    assert "CSV" in message and "Parquet" in message
    assert "CSV" in caught.value.message("en")
    small = _tricky_table()
    # A table too long for a sheet, without a million real rows: only its length is read.
    huge = export.Table(
        selection=small.selection,
        columns=small.columns[:1],
        frame=pd.DataFrame({"indicator": np.zeros(export.XLSX_MAX_ROWS, dtype=np.int8)}),
        data_version=1,
        description="",
        contains_demo=False,
    )
    buffer = io.BytesIO()
    with pytest.raises(export.ExportRefused):
        export.write_xlsx(huge, buffer)
    assert buffer.getvalue() == b""


# -- on screen ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "received", "rate", "share"),
    [("vi", "38.751", "99,57%", "90%"), ("en", "38,751", "99.57%", "90%")],
)
def test_the_screen_writes_numbers_the_way_the_language_does(
    build: Build, lang: str, received: str, rate: str, share: str
) -> None:
    table = build(PROVINCE_Q1.replace(lang=lang))
    shown = export.display_frame(table)
    value = table.columns[5].header
    # the screen names the indicator (the code is for the files) and the period by its label
    assert table.columns[0].header not in shown.columns
    name, period = table.columns[1].header, table.columns[4].header
    by_key = dict(zip(zip(shown[name], shown[period], strict=True), shown[value], strict=True))
    quarter = "Quý I/2019" if lang == "vi" else "Q1 2019"
    assert by_key[(load_catalogue()["dossiers_received"].name(lang), quarter)] == received
    assert by_key[(load_catalogue()["dossier_resolution_rate"].name(lang), quarter)] == rate
    assert by_key[(load_catalogue()["e_document_share_pct"].name(lang), quarter)] == share
    assert "2019-Q1" in set(table.frame["period"].astype(str))


# -- history, the audit log, both databases ----------------------------------------------------


def test_history_shows_each_revised_value_after_the_current_one(writable_demo_url: str) -> None:
    engine = db.make_engine(writable_demo_url)
    with db.session_scope(engine) as session:
        province = next(u for u in all_units(session) if u.code == "84")
        commit_figures(
            session,
            ADMIN,
            BatchInfo("excel", file_name="bao-cao-sua.xlsx", period="2019-Q1"),
            [
                Figure(
                    "dossiers_received",
                    province.id,
                    "2019-Q1",
                    Decimal(38760),
                    source_sheet="Tỉnh",
                    source_cell="D12",
                )
            ],
        )
    filters = Filters(
        indicators=("dossiers_received",),
        units=("84",),
        first="2019-Q1",
        last="2019-Q1",
        history=True,
        sources=True,
    )
    table = next(_builder(writable_demo_url))(filters)
    rows = list(csv.DictReader(io.StringIO(_csv(table).lstrip(BOM))))
    assert [(r["Giá trị"], r["Giá trị hiện hành"]) for r in rows] == [
        ("38760", "true"),
        ("38751", "false"),
    ]
    assert rows[0]["Nguồn"] == "bao-cao-sua.xlsx, trang Tỉnh, ô D12"
    assert rows[1]["Nguồn"].startswith("seed-report-q1-2019.txt, dòng 153")
    assert rows[0]["Lô nhập"] != rows[1]["Lô nhập"]
    assert all(r["Thời điểm nhập (UTC)"][:2] == "20" for r in rows)
    engine.dispose()


def test_an_export_is_recorded_in_the_audit_log(writable_demo_url: str) -> None:
    engine = db.make_engine(writable_demo_url)
    table = next(_builder(writable_demo_url))(PROVINCE_Q1)
    with db.session_scope(engine) as session:
        export.record_export(session, ADMIN, table, "xlsx")
    with db.session_scope(engine) as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert [(e.actor, e.detail["format"], e.detail["rows"]) for e in events] == [
        ("test-admin", "xlsx", 8)
    ]
    assert events[0].detail["query"] == PROVINCE_Q1.to_query()
    engine.dispose()


def test_the_same_export_on_sqlite_and_postgresql(engine: Engine) -> None:
    with db.session_scope(engine) as session:
        by_code = {u.code: u for u in all_units(session)}
        commit_figures(
            session,
            ADMIN,
            BatchInfo("excel", file_name="q1.xlsx", period="2019-Q1"),
            [
                Figure("dossiers_received", by_code["842"].id, "2019-Q1", Decimal(4578)),
                Figure(
                    "dossiers_received",
                    by_code["849"].id,
                    "2019-Q1",
                    Decimal(3708),
                    qualifier="approx",
                ),
                Figure("dossiers_resolved", by_code["842"].id, "2019-Q1", Decimal("4153")),
            ],
        )
    with db.session_scope(engine) as session:
        table = export.build(
            session,
            load_catalogue(),
            all_units(session),
            Filters(
                indicators=("dossiers_received", "dossier_resolution_rate"),
                units=("842", "849"),
                first="2019-Q1",
                last="2019-Q1",
                header="codes",
            ),
        )
    assert _csv(table) == (
        BOM
        + "indicator,indicator_name,unit,unit_name,period,value,qualifier,measure,complete,demo\r\n"
        "dossiers_received,Hồ sơ tiếp nhận,842,Thành phố Trà Vinh,2019-Q1,4578,exact,hồ sơ,true,false\r\n"
        "dossiers_received,Hồ sơ tiếp nhận,849,Huyện Trà Cú,2019-Q1,3708,approx,hồ sơ,true,false\r\n"
        "dossier_resolution_rate,Tỷ số hồ sơ giải quyết trên hồ sơ tiếp nhận,842,Thành phố Trà Vinh,2019-Q1,"
        "90.71647007426824,exact,%,true,false\r\n"
    )
