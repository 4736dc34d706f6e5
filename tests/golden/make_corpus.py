"""Build the golden corpus of workbooks FROM THE REAL TEMPLATE (``loaders.template``).

Run from the repository root::

    .venv/bin/python -m tests.golden.make_corpus

It writes ``tests/golden/files/*`` (committed, so the tests never need LibreOffice), and from the
table :data:`CASES` below ``tests/golden/expected.json`` and ``tests/golden/README.md``. Each case
says, by hand, what the importer must answer: the status, the error and warning codes, for some
the exact (code, sheet, cell) of each problem, and for good files the figures (computed here from
the data written into the file, not by the importer).

Needs LibreOffice (``soffice``, Debian's ``libreoffice-calc-nogui``) for the .xls/.ods copies and
for saved formula results, and ``msoffcrypto-tool`` for ``encrypted.xlsx`` (not a project
dependency: ``pip install --target /tmp/msoff msoffcrypto-tool`` and ``PYTHONPATH=/tmp/msoff``;
without it the committed file is kept). The 10 MB junk file is not committed: the test makes it
at run time with :func:`make_junk` (cases with ``generated``).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import random
import shutil
import subprocess
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from kpi.catalogue import load_catalogue
from kpi.i18n import t
from kpi.periods import Period
from kpi.units import UnitDirectory, UnitInfo
from loaders.template import build_template, units_from_files

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
ROOT = HERE.parent.parent
PERIOD = Period(2019, 1)
FIXED_TIME = dt.datetime(2019, 4, 5, 8, 0, 0)
CATALOGUE = load_catalogue()
UNITS: list[UnitInfo] = units_from_files()
DIRECTORY = UnitDirectory(UNITS, PERIOD.start, PERIOD.end)

SHEET = {
    lv: t(f"import.template.sheet.{lv}", "vi")
    for lv in ("province", "agencies", "district", "commune")
}
META_SHEET = t("import.template.sheet.metadata", "vi")

# --------------------------------------------------------------------------------------------
# The figures written into the good files
# --------------------------------------------------------------------------------------------


def _report() -> dict[str, tuple[int, str]]:
    """The seed report's figures, read by the report reader and its committed review."""
    from kpi.demo import report_figures

    return {f.code: (int(f.value), f.qualifier) for f in report_figures()}


REPORT = _report()
#: the one-stop figures of the province that the report does not give (consistent with it)
PROVINCE_EXTRA = {
    "dossiers_received_online": 618,
    "dossiers_received_direct": 38133,
    "dossiers_resolved_on_time": 37427,
    "dossiers_resolved_late": 1157,
    "dossiers_pending": 812,
}
TOP_WEIGHTS = {
    "84-CQ": 34,
    "842": 12,
    "844": 7,
    "845": 6,
    "846": 6,
    "847": 7,
    "848": 8,
    "849": 9,
    "850": 5,
    "851": 6,
}
SPLIT_CODES = (
    "doc_system_users",
    "email_accounts_total",
    "dossiers_received",
    "dossiers_resolved",
    "dossiers_received_online",
    "dossiers_resolved_late",
    "dossiers_pending",
)
COMMUNE_SPLIT = (
    "dossiers_received",
    "dossiers_resolved",
    "dossiers_received_online",
    "dossiers_resolved_late",
    "dossiers_pending",
)


def split(total: int, weights: Sequence[float]) -> list[int]:
    """Whole parts of ``total`` in proportion to ``weights``, adding up exactly."""
    raw = [total * w / sum(weights) for w in weights]
    parts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (raw[i] - parts[i], -i), reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def province_values() -> dict[str, tuple[int, str]]:
    return {**REPORT, **{c: (v, "exact") for c, v in PROVINCE_EXTRA.items()}}


def breakdown() -> dict[tuple[str, str], int]:
    """(unit code, indicator) -> value for the agencies, the districts and the communes:
    agencies + districts = province, communes = their district, online + in person = received,
    on time + late = resolved, in every unit."""
    prov = {c: v for c, (v, _) in province_values().items()}
    tops = list(TOP_WEIGHTS)
    out: dict[tuple[str, str], int] = {}
    for code in SPLIT_CODES:
        for unit, value in zip(tops, split(prov[code], list(TOP_WEIGHTS.values())), strict=True):
            out[(unit, code)] = value
    for unit in tops:
        _complete(out, unit)
    for district in tops[1:]:
        communes = sorted(DIRECTORY.children(DIRECTORY.by_code[district].id), key=lambda u: u.code)
        weights = [1 + int(c.code) % 7 / 3 for c in communes]
        for code in COMMUNE_SPLIT:
            for c, value in zip(communes, split(out[(district, code)], weights), strict=True):
                out[(c.code, code)] = value
        for c in communes:
            _complete(out, c.code)
    return out


def _complete(out: dict[tuple[str, str], int], unit: str) -> None:
    out[(unit, "dossiers_received_direct")] = (
        out[(unit, "dossiers_received")] - out[(unit, "dossiers_received_online")]
    )
    out[(unit, "dossiers_resolved_on_time")] = (
        out[(unit, "dossiers_resolved")] - out[(unit, "dossiers_resolved_late")]
    )
    assert (
        out[(unit, "dossiers_received_direct")] >= 0
        and out[(unit, "dossiers_resolved_on_time")] >= 0
    )


BREAKDOWN = breakdown()


def figure_rows(
    province: Mapping[str, tuple[int, str]], units: Mapping[tuple[str, str], int]
) -> list[list[str]]:
    rows = [[code, "84", str(v), q] for code, (v, q) in province.items()]
    rows += [[code, unit, str(v), "exact"] for (unit, code), v in units.items()]
    return sorted(rows)


# --------------------------------------------------------------------------------------------
# The template and how to fill it
# --------------------------------------------------------------------------------------------

_BASES: dict[tuple[str, tuple[str, ...]], bytes] = {}
ALL = ("province", "agencies", "district", "commune")


def base(period: str = PERIOD.code, levels: Sequence[str] = ALL) -> Workbook:
    key = (period, tuple(levels))
    if key not in _BASES:
        buffer = io.BytesIO()
        build_template(period, CATALOGUE, UNITS, levels=levels, generated_at=FIXED_TIME).save(
            buffer
        )
        _BASES[key] = buffer.getvalue()
    return load_workbook(io.BytesIO(_BASES[key]))


def province_row(ws: Worksheet, code: str) -> int:
    for (value,) in ws.iter_rows(min_col=1, max_col=1, values_only=False):
        if value.value == code:
            return int(value.row)
    raise KeyError(code)


PROVINCE_VALUE_COL = "E"
PROVINCE_QUALIFIER_COL = "F"


def grid_columns(ws: Worksheet, code_row: int = 5) -> dict[str, int]:
    return {str(c.value): int(c.column) for c in ws[code_row] if c.value}


def grid_rows(ws: Worksheet, code_row: int = 5) -> dict[str, int]:
    col = grid_columns(ws, code_row)["unit_code"]
    return {
        str(ws.cell(row=r, column=col).value): r
        for r in range(code_row + 1, ws.max_row + 1)
        if ws.cell(row=r, column=col).value is not None
    }


def grid_cell(ws: Worksheet, unit: str, code: str) -> str:
    cols = grid_columns(ws)
    rows = grid_rows(ws)
    return f"{_letter(cols[code])}{rows[unit]}"


def _letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)


def fill_province(
    wb: Workbook, values: Mapping[str, object], qualifiers: Mapping[str, str] | None = None
) -> None:
    ws = wb[SHEET["province"]]
    for code, value in values.items():
        row = province_row(ws, code)
        ws[f"{PROVINCE_VALUE_COL}{row}"] = value
    for code, label in (qualifiers or {}).items():
        ws[f"{PROVINCE_QUALIFIER_COL}{province_row(ws, code)}"] = label


def fill_grid(wb: Workbook, level: str, values: Mapping[tuple[str, str], object]) -> None:
    ws = wb[SHEET[level]]
    cols = grid_columns(ws)
    rows = grid_rows(ws)
    for (unit, code), value in values.items():
        if unit in rows and code in cols:
            ws.cell(row=rows[unit], column=cols[code], value=value)


def level_of(unit_code: str) -> str:
    return DIRECTORY.by_code[unit_code].level


def good_province_cells() -> tuple[dict[str, object], dict[str, str]]:
    """The Q1/2019 report as a person types it: numbers, a qualifier chosen in the list, a
    qualifier typed with the number, and the 516 services as a check."""
    values: dict[str, object] = {}
    qualifiers: dict[str, str] = {}
    for code, (value, qualifier) in province_values().items():
        if code == "e_document_share_pct":
            values[code] = value
            qualifiers[code] = "trên"
        elif code == "directive_docs_issued":
            values[code] = "trên 50"
        elif code == "e_documents_exchanged":
            values[code] = "khoảng 28.474"
        else:
            assert qualifier == "exact", code
            values[code] = value
    values["online_services_total"] = 516
    return values, qualifiers


def fill_full(wb: Workbook, province: bool = True) -> None:
    if province:
        values, qualifiers = good_province_cells()
        fill_province(wb, values, qualifiers)
    for level in ("agencies", "district", "commune"):
        fill_grid(wb, level, {k: v for k, v in BREAKDOWN.items() if level_of(k[0]) == level})


def full() -> Workbook:
    wb = base()
    fill_full(wb)
    return wb


def province_only() -> Workbook:
    wb = base()
    values, qualifiers = good_province_cells()
    for code in PROVINCE_EXTRA:
        values.pop(code)
    fill_province(wb, values, qualifiers)
    return wb


def to_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# Byte-level helpers: LibreOffice, zip surgery
# --------------------------------------------------------------------------------------------


def soffice(src: Path, target: str, outdir: Path) -> Path:
    """Convert with LibreOffice (``target``: xls, ods, or xlsx to save formula results)."""
    profile = Path(tempfile.gettempdir()) / "kpi-corpus-lo-profile"
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    out = outdir / (src.stem + "." + target.split(":")[0])
    if not out.exists():
        raise RuntimeError(f"LibreOffice did not write {out}")
    return out


def via_libreoffice(data: bytes, target: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in" / "book.xlsx"
        src.parent.mkdir()
        src.write_bytes(data)
        return soffice(src, target, Path(tmp) / "out").read_bytes()


def rezip(data: bytes, change: Callable[[dict[str, bytes]], None]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    change(parts)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in parts.items():
            zf.writestr(name, content)
    return out.getvalue()


def sheet_part(data: bytes, sheet_name: str) -> str:
    """The zip member holding a sheet of an openpyxl workbook."""
    wb = load_workbook(io.BytesIO(data), read_only=True)
    index = wb.sheetnames.index(sheet_name) + 1
    wb.close()
    return f"xl/worksheets/sheet{index}.xml"


def make_junk(path: Path, size: int = 10 * 1024 * 1024 + 1024) -> Path:
    """Random bytes, a little over 10 MB (the default KPI_MAX_UPLOAD_MB): made at test time."""
    rng = random.Random(10)
    path.write_bytes(rng.randbytes(size))
    return path


# --------------------------------------------------------------------------------------------
# The cases
# --------------------------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    what: str
    status: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    period: str | None = PERIOD.code
    figures: Any = None  # list of [indicator, unit, value, qualifier] | "same_as:NAME" | None
    problems: list[list[str | None]] | None = None  # [code, sheet, cell]
    #: what a problem names as found, in Vietnamese: [code, cell, found] (what Excel shows)
    found: list[list[str]] | None = None
    generated: bool = False

    def expected(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "what": self.what,
            "period": self.period,
            "status": self.status,
            "errors": sorted(set(self.errors)),
            "warnings": sorted(set(self.warnings)),
        }
        if self.problems is not None:
            doc["problems"] = sorted(self.problems, key=lambda p: [str(x) for x in p])
        if self.figures is not None:
            doc["figures"] = self.figures
        if self.found is not None:
            doc["found"] = self.found
        if self.generated:
            doc["generated"] = True
        return doc


CASES: list[Case] = []
BUILDERS: dict[str, Callable[[], bytes | None]] = {}


def case(
    name: str, what: str, status: str, **kw: Any
) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    def register(fn: Callable[[], Any]) -> Callable[[], Any]:
        CASES.append(Case(name, what, status, **kw))
        BUILDERS[name] = fn
        return fn

    return register


GOOD_FULL = "good_full_q1_2019.xlsx"
SAME = f"same_as:{GOOD_FULL}"
FULL_FIGURES = figure_rows(province_values(), BREAKDOWN)
PROVINCE_FIGURES = figure_rows(REPORT, {})
P, A, D, C = SHEET["province"], SHEET["agencies"], SHEET["district"], SHEET["commune"]

# ---- good files --------------------------------------------------------------------------


@case(
    "good_province_q1_2019.xlsx",
    "the 38 province figures of the Q1/2019 report: numbers, 'trên' chosen "
    "in the qualifier list, 'trên 50' and 'khoảng 28.474' typed, the 516 services as a check cell",
    "valid",
    figures=PROVINCE_FIGURES,
)
def _good_province() -> bytes:
    return to_bytes(province_only())


@case(
    GOOD_FULL,
    "province, agencies, 9 districts and 106 communes of Q1/2019, all consistent",
    "valid",
    figures=FULL_FIGURES,
)
def _good_full() -> bytes:
    return to_bytes(full())


@case(
    "good_district_template_only.xlsx",
    "a template made for the district level only",
    "valid",
    figures=sorted(
        [c, u, str(v), "exact"] for (u, c), v in BREAKDOWN.items() if level_of(u) == "district"
    ),
)
def _good_district_only() -> bytes:
    wb = base(levels=("district",))
    fill_grid(wb, "district", {k: v for k, v in BREAKDOWN.items() if level_of(k[0]) == "district"})
    return to_bytes(wb)


# ---- layout edits a user makes (same figures as the good full file) ------------------------------


@case(
    "layout_inserted_rows_columns.xlsx",
    "rows inserted above and inside every sheet, columns inserted "
    "between the names and the figures",
    "valid",
    figures=SAME,
)
def _inserted() -> bytes:
    wb = full()
    ws = wb[P]
    ws.insert_cols(5)  # between the previous quarter and the input
    ws.insert_rows(10, 2)
    for level in ("agencies", "district", "commune"):
        g = wb[SHEET[level]]
        g.insert_rows(1, 2)
        g.insert_cols(3 if level != "commune" else 5)
        g.insert_rows(12, 1)
    return to_bytes(wb)


@case(
    "layout_deleted_rows_columns.xlsx",
    "the previous-quarter and notes columns, the group rows, the "
    "units-of-measure row and the title rows deleted",
    "valid",
    figures=SAME,
)
def _deleted() -> bytes:
    wb = full()
    ws = wb[P]
    ws.delete_cols(7)  # notes
    ws.delete_cols(4)  # previous quarter
    for r in range(ws.max_row, 4, -1):
        if ws.cell(row=r, column=1).value is None:
            ws.delete_rows(r)
    ws.delete_rows(1, 2)
    for level in ("agencies", "district", "commune"):
        g = wb[SHEET[level]]
        g.delete_rows(4)  # units of measure
        g.delete_rows(1, 2)  # titles
    return to_bytes(wb)


@case(
    "layout_reordered_units.xlsx",
    "districts and communes sorted in reverse order (rows moved with their codes)",
    "valid",
    figures=SAME,
)
def _reordered() -> bytes:
    wb = full()
    for level in ("district", "commune"):
        ws = wb[SHEET[level]]
        rows = [[c.value for c in row] for row in ws.iter_rows(min_row=6, max_row=ws.max_row)]
        for i, values in enumerate(reversed(rows), start=6):
            for j, value in enumerate(values, start=1):
                ws.cell(row=i, column=j).value = value
    return to_bytes(wb)


@case(
    "layout_hidden_columns.xlsx",
    "input and name columns and some unit rows hidden",
    "valid",
    figures=SAME,
)
def _hidden() -> bytes:
    wb = full()
    wb[P].column_dimensions["B"].hidden = True
    wb[P].column_dimensions["E"].hidden = True
    for level in ("district", "commune"):
        ws = wb[SHEET[level]]
        for letter in ("B", "D", "F"):
            ws.column_dimensions[letter].hidden = True
        ws.row_dimensions[8].hidden = True
    return to_bytes(wb)


@case(
    "layout_notes_column.xlsx",
    "a notes column with text and numbers (842, 12,5) in the grids, notes "
    "typed in the province notes column and below the grids",
    "valid",
    figures=SAME,
)
def _notes() -> bytes:
    wb = full()
    ws = wb[P]
    ws["G10"] = "số liệu tạm tính"
    ws["G11"] = 842
    for level in ("district", "commune"):
        g = wb[SHEET[level]]
        col = 3 if level == "district" else 5
        g.insert_cols(col)
        g.cell(row=3, column=col, value="Ghi chú")
        g.cell(row=6, column=col, value="đã rà soát")
        g.cell(row=7, column=col, value=842)
        g.cell(row=8, column=col, value=12.5)
        g.cell(row=g.max_row + 2, column=2, value="Ghi chú: số liệu đến ngày 31/3/2019")
    return to_bytes(wb)


@case(
    "layout_title_rows.xlsx", "three title rows added above every data sheet", "valid", figures=SAME
)
def _titles() -> bytes:
    wb = full()
    for level in ALL:
        ws = wb[SHEET[level]]
        ws.insert_rows(1, 3)
        ws["A1"] = "UBND TỈNH TRÀ VINH"
        ws["B2"] = "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"
        ws["C3"] = "Báo cáo Quý I năm 2019"
    return to_bytes(wb)


@case(
    "layout_renamed_sheets.xlsx",
    "every sheet renamed and the sheets reordered",
    "valid",
    figures=SAME,
)
def _renamed() -> bytes:
    wb = full()
    for i, ws in enumerate(wb.worksheets, start=1):
        ws.title = f"Sheet{i}"
    wb.move_sheet("Sheet2", offset=4)
    wb.move_sheet("Sheet6", offset=-3)
    return to_bytes(wb)


@case("copy_full.xls", "the good full file saved as .xls by LibreOffice", "valid", figures=SAME)
def _copy_xls() -> bytes:
    return via_libreoffice((FILES / GOOD_FULL).read_bytes(), "xls")


@case("copy_full.ods", "the good full file saved as .ods by LibreOffice", "valid", figures=SAME)
def _copy_ods() -> bytes:
    return via_libreoffice((FILES / GOOD_FULL).read_bytes(), "ods")


@case(
    "names_instead_of_codes.xlsx",
    "units typed by name without codes: 'TP Trà Vinh', 'huyện càng "
    "long', 'CẦU KÈ', 'Tieu Can', 'H. Châu Thành', 'thị xã Duyên Hải'; communes of 842 by name within "
    "their district",
    "valid",
    figures=SAME,
)
def _names() -> bytes:
    wb = full()
    variants = {
        "84-CQ": "các cơ quan cấp tỉnh",
        "842": "TP Trà Vinh",
        "844": "huyện càng long",
        "845": "CẦU KÈ",
        "846": "Tieu Can",
        "847": "H. Châu Thành",
        "848": "Cầu Ngang",
        "849": "Trà Cú",
        "850": "Huyện Duyên Hải",
        "851": "thị xã Duyên Hải",
    }
    for level in ("agencies", "district"):
        ws = wb[SHEET[level]]
        for code, row in grid_rows(ws).items():
            ws.cell(row=row, column=1).value = None
            ws.cell(row=row, column=2, value=variants[code])
    ws = wb[C]
    for code, row in grid_rows(ws).items():
        if DIRECTORY.by_code[code].parent_id == DIRECTORY.by_code["842"].id:
            ws.cell(row=row, column=3).value = None
    return to_bytes(wb)


@case(
    "names_nfd.xlsx",
    "commune and district names in decomposed Unicode (NFD), without any code",
    "valid",
    figures=SAME,
)
def _nfd() -> bytes:
    wb = full()
    ws = wb[C]
    for row in range(6, ws.max_row + 1):
        ws.cell(row=row, column=1).value = None
        ws.cell(row=row, column=3).value = None
        for col in (2, 4):
            ws.cell(
                row=row,
                column=col,
                value=unicodedata.normalize("NFD", str(ws.cell(row=row, column=col).value)),
            )
    return to_bytes(wb)


@case(
    "text_numbers.xlsx",
    "figures typed as text: '38.751', '7.848', '1.931', 'trên 90', '~28474', "
    "'99,57' for a percentage",
    "valid",
    figures=sorted(
        [
            *(r for r in PROVINCE_FIGURES if r[0] != "e_document_share_pct"),
            ["e_document_share_pct", "84", "99.57", "exact"],
        ]
    ),
)
def _text_numbers() -> bytes:
    wb = base()
    values: dict[str, object] = {}
    for code, (value, _) in REPORT.items():
        values[code] = f"{value:,}".replace(",", ".")
    values["e_document_share_pct"] = "99,57"
    values["directive_docs_issued"] = "trên 50"
    values["e_documents_exchanged"] = "~28474"
    fill_province(wb, values)
    return to_bytes(wb)


@case(
    "unit_codes_as_numbers.xlsx",
    "unit codes stored as numbers (Excel turns '842' into 842)",
    "valid",
    figures=SAME,
)
def _codes_as_numbers() -> bytes:
    wb = full()
    for level in ("district", "commune"):
        ws = wb[SHEET[level]]
        for col in (1, 3) if level == "commune" else (1,):
            for row in range(6, ws.max_row + 1):
                value = ws.cell(row=row, column=col).value
                if isinstance(value, str) and value.isdigit():
                    ws.cell(row=row, column=col, value=int(value))
    return to_bytes(wb)


@case(
    "formula_with_cached_value.xlsx",
    "received = online + in person as formulas, saved with their results by LibreOffice",
    "valid",
    figures=SAME,
)
def _formula_cached() -> bytes:
    wb = full()
    ws = wb[D]
    cols = grid_columns(ws)
    for row in grid_rows(ws).values():
        online = _letter(cols["dossiers_received_online"])
        direct = _letter(cols["dossiers_received_direct"])
        ws.cell(row=row, column=cols["dossiers_received"], value=f"={online}{row}+{direct}{row}")
    return via_libreoffice(to_bytes(wb), "xlsx")


@case(
    "merged_district_cells.xlsx",
    "communes by name only, the district named once per group in merged "
    "cells (Phường 1 and Phường 2 exist in two districts)",
    "valid",
    figures=SAME,
)
def _merged() -> bytes:
    wb = full()
    ws = wb[C]
    start = 6
    groups: dict[str, list[int]] = {}
    for row in range(start, ws.max_row + 1):
        groups.setdefault(str(ws.cell(row=row, column=2).value), []).append(row)
    for rows in groups.values():
        for row in rows:
            ws.cell(row=row, column=1).value = None
            ws.cell(row=row, column=3).value = None
            if row != rows[0]:
                ws.cell(row=row, column=2).value = None
        ws.merge_cells(start_row=rows[0], end_row=rows[-1], start_column=2, end_column=2)
    return to_bytes(wb)


@case(
    "total_row.xlsx",
    "a 'Tổng cộng' row with SUM formulas added under the districts",
    "valid",
    warnings=["total_row_ignored"],
    figures=SAME,
    problems=[["total_row_ignored", D, "B15"]],
)
def _total_row() -> bytes:
    wb = full()
    ws = wb[D]
    ws["B15"] = "Tổng cộng"
    for col in range(3, 12):
        letter = _letter(col)
        ws.cell(row=15, column=col, value=f"=SUM({letter}6:{letter}14)")
    return via_libreoffice(to_bytes(wb), "xlsx")


# ---- warnings --------------------------------------------------------------------------------


@case(
    "warn_rows_without_unit.xlsx",
    "under the districts: a figure typed in a row without a unit, and a note with words in the "
    "value columns",
    "valid",
    warnings=["row_without_unit", "note_row_ignored"],
    figures=SAME,
    problems=[["row_without_unit", D, "E16"], ["note_row_ignored", D, "B17"]],
)
def _warn_rows() -> bytes:
    wb = full()
    ws = wb[D]
    ws["E16"] = 120
    ws["B17"] = "Nguồn: phần mềm một cửa điện tử"
    ws["E17"] = "xem báo cáo kèm theo"
    return to_bytes(wb)


@case(
    "warn_province_sum_mismatch.xlsx",
    "the agencies' dossiers received 10 higher than agencies + "
    "districts allow (in person too, so the agency itself is consistent)",
    "valid",
    warnings=["province_sum_mismatch"],
    problems=[
        ["province_sum_mismatch", P, "E__dossiers_received"],
        ["province_sum_mismatch", P, "E__dossiers_received_direct"],
    ],
)
def _warn_sum() -> bytes:
    wb = full()
    fill_grid(
        wb,
        "agencies",
        {
            ("84-CQ", "dossiers_received"): BREAKDOWN[("84-CQ", "dossiers_received")] + 10,
            ("84-CQ", "dossiers_received_direct"): BREAKDOWN[("84-CQ", "dossiers_received_direct")]
            + 10,
        },
    )
    return to_bytes(wb)


@case(
    "warn_metadata_missing.xlsx",
    "the metadata sheet deleted; the quarter chosen at upload is used",
    "valid",
    warnings=["metadata_missing"],
    figures=PROVINCE_FIGURES,
)
def _warn_meta() -> bytes:
    wb = province_only()
    del wb[META_SHEET]
    return to_bytes(wb)


@case(
    "warn_percent_as_fraction.xlsx",
    "0,9 typed for the share of electronic documents (90 %): a likely typo, to acknowledge",
    "unconfirmed",
    warnings=["percent_as_fraction"],
)
def _warn_fraction() -> bytes:
    wb = base()
    fill_province(wb, {"e_document_share_pct": 0.9, "doc_system_users": 7848})
    return to_bytes(wb)


@case(
    "warn_derived_not_checked.xlsx",
    "the 516 services typed without levels 3 and 4",
    "valid",
    warnings=["derived_not_checked"],
)
def _warn_derived() -> bytes:
    wb = base()
    fill_province(wb, {"online_services_total": 516, "doc_system_users": 7848})
    return to_bytes(wb)


# ---- rejected: every rule --------------------------------------------------------------------


def _cell(wb: Workbook, level: str, unit: str, code: str) -> str:
    if level == "province":
        return f"{PROVINCE_VALUE_COL}{province_row(wb[P], code)}"
    return grid_cell(wb[SHEET[level]], unit, code)


@case(
    "bad_unknown_indicator.xlsx",
    "a mistyped indicator code 'dossiers_recieved' above filled cells",
    "rejected",
    errors=["unknown_indicator"],
    problems=[["unknown_indicator", D, "E5"]],
)
def _bad_indicator() -> bytes:
    wb = full()
    wb[D]["E5"] = "dossiers_recieved"
    return to_bytes(wb)


@case(
    "bad_unknown_unit_code.xlsx",
    "a district row with the code 999",
    "rejected",
    errors=["unknown_unit"],
    problems=[["unknown_unit", D, "A8"]],
)
def _bad_unit() -> bytes:
    wb = full()
    wb[D]["A8"] = "999"
    wb[D]["B8"] = None
    return to_bytes(wb)


@case(
    "bad_unit_not_in_period.xlsx",
    "Q1/2025: a row for Phường 2 (29245), merged away on 1/1/2025",
    "rejected",
    period="2025-Q1",
    errors=["unit_not_in_period"],
    problems=[["unit_not_in_period", C, "C__new"]],
)
def _bad_not_in_period() -> bytes:
    wb = base("2025-Q1")
    ws = wb[C]
    row = ws.max_row + 1
    for col, value in enumerate(
        ["842", "Thành phố Trà Vinh", "29245", "Phường 2", 120, 118], start=1
    ):
        ws.cell(row=row, column=col, value=value)
    fill_grid(wb, "commune", {("29236", "dossiers_received"): 100})
    return to_bytes(wb)


@case(
    "bad_period_mismatch.xlsx",
    "the good province file uploaded as Q2/2019",
    "rejected",
    period="2019-Q2",
    errors=["period_mismatch"],
    problems=[["period_mismatch", META_SHEET, "C4"]],
)
def _bad_period() -> bytes:
    return to_bytes(province_only())


@case(
    "bad_period_invalid.xlsx",
    "the metadata quarter edited to 'Quý 5/2019'",
    "rejected",
    errors=["period_invalid"],
    problems=[["period_invalid", META_SHEET, "C4"]],
)
def _bad_period_invalid() -> bytes:
    wb = province_only()
    wb[META_SHEET]["C4"] = "Quý 5/2019"
    return to_bytes(wb)


@case(
    "bad_period_missing.xlsx",
    "no metadata sheet and no quarter chosen",
    "rejected",
    period=None,
    errors=["period_missing"],
)
def _bad_period_missing() -> bytes:
    wb = province_only()
    del wb[META_SHEET]
    return to_bytes(wb)


@case(
    "bad_province_mismatch.xlsx",
    "the metadata province code edited to 86",
    "rejected",
    errors=["province_mismatch"],
    problems=[["province_mismatch", META_SHEET, "C5"]],
)
def _bad_province() -> bytes:
    wb = province_only()
    wb[META_SHEET]["C5"] = "86"
    return to_bytes(wb)


@case(
    "bad_negative_count.xlsx",
    "-5 dossiers received in a district",
    "rejected",
    errors=["negative_count"],
    problems=[["negative_count", D, "E8"]],
)
def _bad_negative() -> bytes:
    wb = full()
    assert grid_cell(wb[D], "845", "dossiers_received") == "E8"
    fill_grid(wb, "district", {("845", "dossiers_received"): -5})
    return to_bytes(wb)


@case(
    "bad_number_too_long.xlsx",
    "figures no database keeps exactly: 1E+18 pending dossiers in a commune (an Excel number) "
    "and '1.234.567.890,123456' languages typed on the province sheet (16 digits with a fraction)",
    "rejected",
    errors=["number_too_long", "number_too_long"],
    problems=[["number_too_long", C, "K__29371"], ["number_too_long", P, "E__portal_languages"]],
)
def _bad_number_too_long() -> bytes:
    wb = full()
    assert grid_cell(wb[C], "29371", "dossiers_pending") == "K51"
    fill_grid(wb, "commune", {("29371", "dossiers_pending"): 1e18})
    fill_province(wb, {"portal_languages": "1.234.567.890,123456"})
    return to_bytes(wb)


@case(
    "copy_bad_negative_count.xls",
    "the negative count saved as .xls: same code, same cell",
    "rejected",
    errors=["negative_count"],
    problems=[["negative_count", D, "E8"]],
)
def _bad_negative_xls() -> bytes:
    return via_libreoffice((FILES / "bad_negative_count.xlsx").read_bytes(), "xls")


@case(
    "copy_bad_negative_count.ods",
    "the negative count saved as .ods: same code, same cell",
    "rejected",
    errors=["negative_count"],
    problems=[["negative_count", D, "E8"]],
)
def _bad_negative_ods() -> bytes:
    return via_libreoffice((FILES / "bad_negative_count.xlsx").read_bytes(), "ods")


@case(
    "bad_percent_out_of_range.xlsx",
    "120 % of documents exchanged electronically",
    "rejected",
    errors=["percent_out_of_range"],
    problems=[["percent_out_of_range", P, "E__e_document_share_pct"]],
)
def _bad_percent() -> bytes:
    wb = province_only()
    fill_province(wb, {"e_document_share_pct": 120}, {"e_document_share_pct": ""})
    return to_bytes(wb)


@case(
    "bad_duplicate_figure.xlsx",
    "the row of Thành phố Trà Vinh copied under the districts",
    "rejected",
    errors=["duplicate_figure"],
    problems=[["duplicate_figure", D, f"{_letter(c)}15"] for c in range(3, 12)],
)
def _bad_duplicate() -> bytes:
    wb = full()
    ws = wb[D]
    for col in range(1, 12):
        ws.cell(row=15, column=col, value=ws.cell(row=6, column=col).value)
    return to_bytes(wb)


@case(
    "bad_part_exceeds_total_certificates.xlsx",
    "500 certificates of organisations, more than the 479 certificates in total",
    "rejected",
    errors=["part_exceeds_total"],
    problems=[["part_exceeds_total", P, "E__digital_certificates_org"]],
)
def _bad_certificates() -> bytes:
    wb = province_only()
    fill_province(wb, {"digital_certificates_org": 500})
    return to_bytes(wb)


@case(
    "bad_level4_dossiers_exceed_received.xlsx",
    "40.000 level-4 dossiers online, more than the 38.751 dossiers received (and 81 times the "
    "quarter before: a likely typo too)",
    "rejected",
    errors=["part_exceeds_total"],
    warnings=["jump_from_previous"],
    problems=[
        ["part_exceeds_total", P, "E__l4_dossiers_online"],
        ["jump_from_previous", P, "E__l4_dossiers_online"],
    ],
)
def _bad_level4() -> bytes:
    wb = province_only()
    fill_province(wb, {"l4_dossiers_online": 40000})
    return to_bytes(wb)


@case(
    "bad_parts_sum_mismatch.xlsx",
    "a district whose online + in-person dossiers differ from those received",
    "rejected",
    errors=["parts_sum_mismatch"],
    warnings=["province_sum_mismatch", "district_sum_mismatch"],
    problems=[
        ["parts_sum_mismatch", D, "E__846"],
        ["province_sum_mismatch", P, "E__dossiers_received_online"],
        ["district_sum_mismatch", D, "I__846"],
    ],
)
def _bad_parts_sum() -> bytes:
    wb = full()
    fill_grid(
        wb,
        "district",
        {("846", "dossiers_received_online"): BREAKDOWN[("846", "dossiers_received_online")] + 7},
    )
    return to_bytes(wb)


@case(
    "bad_parts_exceed_total.xlsx",
    "certificates of organisations 453 and of individuals 40: each within the 479 in total, "
    "together above it",
    "rejected",
    errors=["parts_exceed_total"],
    problems=[["parts_exceed_total", P, "E__digital_certificates_org"]],
)
def _bad_parts_exceed() -> bytes:
    wb = province_only()
    fill_province(wb, {"digital_certificates_person": 40})
    return to_bytes(wb)


@case(
    "bad_negative_percentage.xlsx",
    "-5 for the share of electronic documents",
    "rejected",
    errors=["negative_value"],
    problems=[["negative_value", P, "E__e_document_share_pct"]],
)
def _bad_negative_pct() -> bytes:
    wb = province_only()
    fill_province(wb, {"e_document_share_pct": -5}, {"e_document_share_pct": ""})
    return to_bytes(wb)


@case(
    "warn_template_version_unknown.xlsx",
    "the metadata's template version edited to 0.9",
    "valid",
    warnings=["template_version_unknown"],
    figures=PROVINCE_FIGURES,
    problems=[["template_version_unknown", META_SHEET, "C2"]],
)
def _warn_version() -> bytes:
    wb = province_only()
    wb[META_SHEET]["C2"] = "0.9"
    return to_bytes(wb)


@case(
    "bad_derived_mismatch_516.xlsx",
    "517 typed in the check cell of the 306 + 210 online services",
    "rejected",
    errors=["derived_mismatch"],
    problems=[["derived_mismatch", P, "E__online_services_total"]],
)
def _bad_derived() -> bytes:
    wb = province_only()
    fill_province(wb, {"online_services_total": 517})
    return to_bytes(wb)


@case(
    "bad_not_a_number.xlsx",
    "'abc' and '12.34.5' typed as figures",
    "rejected",
    errors=["not_a_number"],
    problems=[["not_a_number", D, "E6"], ["not_a_number", D, "F7"]],
)
def _bad_nan() -> bytes:
    wb = base()
    fill_grid(
        wb,
        "district",
        {("842", "dossiers_received"): "abc", ("844", "dossiers_resolved"): "12.34.5"},
    )
    return to_bytes(wb)


@case(
    "bad_ambiguous_number.xlsx",
    "'1.5' typed as a count (1.5 or 15?)",
    "rejected",
    errors=["ambiguous_number"],
    problems=[["ambiguous_number", D, "E6"]],
)
def _bad_ambiguous_number() -> bytes:
    wb = base()
    fill_grid(wb, "district", {("842", "dossiers_received"): "1.5"})
    return to_bytes(wb)


@case(
    "bad_not_whole_number.xlsx",
    "'1,5' and 3.5 typed as counts",
    "rejected",
    errors=["not_whole_number"],
    problems=[["not_whole_number", D, "E6"], ["not_whole_number", D, "E7"]],
)
def _bad_not_whole() -> bytes:
    wb = base()
    fill_grid(
        wb, "district", {("842", "dossiers_received"): "1,5", ("844", "dossiers_received"): 3.5}
    )
    return to_bytes(wb)


@case(
    "bad_formula_without_cached_value.xlsx",
    "a formula saved without its result (written by a program, never opened)",
    "rejected",
    errors=["formula_without_value"],
    problems=[["formula_without_value", D, "E6"]],
)
def _bad_formula_no_value() -> bytes:
    wb = full()
    wb[D]["E6"] = "=I6+J6"
    return to_bytes(wb)


@case(
    "bad_formula_error.xlsx",
    "a formula whose saved result is #DIV/0!",
    "rejected",
    errors=["formula_error"],
    problems=[["formula_error", D, "E6"]],
)
def _bad_formula_error() -> bytes:
    wb = full()
    wb[D]["E6"] = "=1/0"
    return via_libreoffice(to_bytes(wb), "xlsx")


@case(
    "bad_ambiguous_unit_name.xlsx",
    "'Duyên Hải' for a district and 'Định An' for a commune of Trà Cú, "
    "without codes: each fits two units",
    "rejected",
    errors=["ambiguous_unit"],
    problems=[["ambiguous_unit", D, "B__850"], ["ambiguous_unit", C, "D__29494"]],
)
def _bad_ambiguous_unit() -> bytes:
    wb = full()
    ws = wb[D]
    row = grid_rows(ws)["850"]
    ws.cell(row=row, column=1).value = None
    ws.cell(row=row, column=2, value="Duyên Hải")
    ws = wb[C]
    row = grid_rows(ws)["29494"]
    ws.cell(row=row, column=3).value = None
    ws.cell(row=row, column=4, value="Định An")
    return to_bytes(wb)


@case(
    "bad_wrong_level.xlsx",
    "a province-only indicator (documents exchanged) added as a district column",
    "rejected",
    errors=["wrong_level"],
    problems=[["wrong_level", D, "L6"]],
)
def _bad_wrong_level() -> bytes:
    wb = full()
    ws = wb[D]
    ws["L3"] = "Văn bản trao đổi"
    ws["L5"] = "e_documents_exchanged"
    ws["L6"] = 1200
    return to_bytes(wb)


@case(
    "bad_unit_name_mismatch.xlsx",
    "the district names sorted without their codes",
    "rejected",
    errors=["unit_name_mismatch"],
    problems=[["unit_name_mismatch", D, f"A{r}"] for r in (6, 7, 8, 9, 11, 12, 13, 14)],
)
def _bad_name_mismatch() -> bytes:
    wb = full()
    ws = wb[D]
    names = [ws.cell(row=r, column=2).value for r in range(6, 15)]
    for r, name in zip(range(6, 15), reversed(names), strict=True):
        ws.cell(row=r, column=2, value=name)
    return to_bytes(wb)


@case(
    "bad_unknown_qualifier.xlsx",
    "'chắc chắn' typed in the qualifier column",
    "rejected",
    errors=["unknown_qualifier"],
    problems=[["unknown_qualifier", P, "F__e_document_share_pct"]],
)
def _bad_qualifier() -> bytes:
    wb = province_only()
    fill_province(wb, {}, {"e_document_share_pct": "chắc chắn"})
    return to_bytes(wb)


@case(
    "bad_qualifier_conflict.xlsx",
    "'trên 90' typed while the qualifier column says 'khoảng'",
    "rejected",
    errors=["qualifier_conflict"],
    problems=[["qualifier_conflict", P, "E__e_document_share_pct"]],
)
def _bad_qualifier_conflict() -> bytes:
    wb = province_only()
    fill_province(wb, {"e_document_share_pct": "trên 90"}, {"e_document_share_pct": "khoảng"})
    return to_bytes(wb)


@case(
    "bad_date_value.xlsx",
    "a date where a count belongs (Excel turned '1.5' into 1 May)",
    "rejected",
    errors=["date_value"],
    problems=[["date_value", D, "E6"]],
)
def _bad_date() -> bytes:
    wb = base()
    fill_grid(wb, "district", {("842", "dossiers_received"): dt.datetime(2019, 5, 1)})
    return to_bytes(wb)


# ---- likely typos against the previous quarter (the demo database has Q1/2019) -------------

Q2 = "2019-Q2"


def _q2_province(values: Mapping[str, object]) -> bytes:
    wb = base(Q2)
    fill_province(wb, values)
    return to_bytes(wb)


@case(
    "typo_separator_slip_q2_2019.xlsx",
    "Q2/2019: 3.875 dossiers received after 38.751, 799 users after 7.848 (the separator slip)",
    "unconfirmed",
    period=Q2,
    warnings=["jump_from_previous"],
    problems=[
        ["jump_from_previous", P, "E__doc_system_users"],
        ["jump_from_previous", P, "E__dossiers_received"],
    ],
    found=[
        ["jump_from_previous", "E__doc_system_users", "799"],
        ["jump_from_previous", "E__dossiers_received", "3.875"],
    ],
    figures=sorted(
        [["dossiers_received", "84", "3875", "exact"], ["doc_system_users", "84", "799", "exact"]]
    ),
)
def _typo_slip() -> bytes:
    return _q2_province({"dossiers_received": "3.875", "doc_system_users": 799})


@case(
    "typo_stock_halving_q2_2019.xlsx",
    "Q2/2019: active certificates 479 -> 200 and those of organisations 453 -> 180 (stocks "
    "falling by more than half); those of individuals 26 -> 20 pass",
    "unconfirmed",
    period=Q2,
    warnings=["stock_drop"],
    problems=[
        ["stock_drop", P, "E__digital_certificates_active"],
        ["stock_drop", P, "E__digital_certificates_org"],
    ],
)
def _typo_halving() -> bytes:
    return _q2_province(
        {
            "digital_certificates_active": 200,
            "digital_certificates_org": 180,
            "digital_certificates_person": 20,
        }
    )


@case(
    "typo_flow_zero_q2_2019.xlsx",
    "Q2/2019: 0 legal documents published after 88 (a flow at zero after a non-zero quarter); "
    "0 complaints after 1 passes (quarters without any are usual for it)",
    "unconfirmed",
    period=Q2,
    warnings=["flow_to_zero"],
    problems=[["flow_to_zero", P, "E__legal_docs_published"]],
)
def _typo_zero() -> bytes:
    return _q2_province({"legal_docs_published": 0, "complaints_received": 0})


@case(
    "bad_units_exceed_existing.xlsx",
    "19 provincial agencies and 10 districts on the e-one-stop system: the province has 18 "
    "agencies (agency_count in the catalogue) and 9 districts",
    "rejected",
    errors=["units_exceed_existing"],
    problems=[
        ["units_exceed_existing", P, "E__one_stop_units_province"],
        ["units_exceed_existing", P, "E__one_stop_units_district"],
    ],
)
def _bad_units_bound() -> bytes:
    wb = province_only()
    fill_province(wb, {"one_stop_units_province": 19, "one_stop_units_district": 10})
    return to_bytes(wb)


# ---- number formats: what the person saw is what counts --------------------------------


def _share_as_percent(wb: Workbook, value: float = 0.92, fmt: str = "0%") -> None:
    ws = wb[P]
    row = province_row(ws, "e_document_share_pct")
    ws[f"{PROVINCE_VALUE_COL}{row}"] = value
    ws[f"{PROVINCE_VALUE_COL}{row}"].number_format = fmt
    ws[f"{PROVINCE_QUALIFIER_COL}{row}"] = None


PERCENT_FIGURES = sorted(
    [
        *(f for f in PROVINCE_FIGURES if f[0] != "e_document_share_pct"),
        ["e_document_share_pct", "84", "92", "exact"],
    ]
)


@case(
    "format_percent_cell.xlsx",
    "'92%' typed for the share of electronic documents: Excel stores 0,92 with the format 0%; "
    "stored as 92",
    "valid",
    figures=PERCENT_FIGURES,
)
def _format_percent() -> bytes:
    wb = province_only()
    _share_as_percent(wb)
    return to_bytes(wb)


@case(
    "format_percent_cell.ods",
    "the percent-formatted file saved as .ods by LibreOffice (office:value-type percentage)",
    "valid",
    figures=PERCENT_FIGURES,
)
def _format_percent_ods() -> bytes:
    return via_libreoffice((FILES / "format_percent_cell.xlsx").read_bytes(), "ods")


@case(
    "format_percent_cell.xls",
    "the percent-formatted file saved as .xls by LibreOffice (BIFF format records, read by xlrd)",
    "valid",
    figures=PERCENT_FIGURES,
)
def _format_percent_xls() -> bytes:
    return via_libreoffice((FILES / "format_percent_cell.xlsx").read_bytes(), "xls")


@case(
    "bad_percent_format_on_count.xlsx",
    "'4650%' typed as a count of dossiers: Excel stores 46,5 with a percent format",
    "rejected",
    errors=["unexpected_percent"],
    problems=[["unexpected_percent", D, "E6"]],
    found=[["unexpected_percent", "E6", "4.650%"]],
)
def _bad_percent_format_count() -> bytes:
    wb = base()
    fill_grid(wb, "district", {("842", "dossiers_received"): 46.5})
    wb[D]["E6"].number_format = "0%"
    return to_bytes(wb)


@case(
    "bad_date_in_count_excel.xlsx",
    "'1.5' typed as a count in Excel, which made it 1 May and shows '1-May' (format d-mmm)",
    "rejected",
    errors=["date_value"],
    problems=[["date_value", D, "E6"]],
    found=[["date_value", "E6", "1-thg 5"]],
)
def _bad_date_excel() -> bytes:
    wb = base()
    fill_grid(wb, "district", {("842", "dossiers_received"): dt.datetime(2019, 5, 1)})
    wb[D]["E6"].number_format = "d-mmm"
    return to_bytes(wb)


@case(
    "bad_thousands_format.xlsx",
    "38.751 dossiers in a cell formatted #,##0, (thousands): the person saw 39",
    "rejected",
    errors=["scaled_format"],
    problems=[["scaled_format", P, "E__dossiers_received"]],
    found=[["scaled_format", "E__dossiers_received", "39"]],
)
def _bad_thousands() -> bytes:
    wb = province_only()
    ws = wb[P]
    ws[f"{PROVINCE_VALUE_COL}{province_row(ws, 'dossiers_received')}"].number_format = "#,##0,"
    return to_bytes(wb)


@case(
    "copy_bad_thousands_format.ods",
    "the thousands format saved as .ods by LibreOffice (number:display-factor)",
    "rejected",
    errors=["scaled_format"],
    problems=[["scaled_format", P, "E__dossiers_received"]],
    found=[["scaled_format", "E__dossiers_received", "39"]],
)
def _bad_thousands_ods() -> bytes:
    return via_libreoffice((FILES / "bad_thousands_format.xlsx").read_bytes(), "ods")


@case(
    "bad_unexpected_percent.xlsx",
    "'4650%' typed as a count of dossiers",
    "rejected",
    errors=["unexpected_percent"],
    problems=[["unexpected_percent", D, "E6"]],
)
def _bad_percent_sign() -> bytes:
    wb = base()
    fill_grid(wb, "district", {("842", "dossiers_received"): "4650%"})
    return to_bytes(wb)


@case(
    "bad_one_cell_among_many.xlsx",
    "the good full file (875 figures) with one negative value",
    "rejected",
    errors=["negative_count"],
    problems=[["negative_count", C, "E__29371"]],
)
def _bad_one() -> bytes:
    wb = full()
    fill_grid(wb, "commune", {("29371", "dossiers_received"): -1})
    return to_bytes(wb)


@case(
    "empty_template.xlsx",
    "the template as downloaded, nothing filled",
    "rejected",
    errors=["no_figures"],
)
def _empty_template() -> bytes:
    return to_bytes(base())


@case(
    "no_data_sheet.xlsx",
    "the template with its code row and code column deleted",
    "rejected",
    errors=["no_data_sheet"],
)
def _no_data_sheet() -> bytes:
    wb = full()
    wb[P].delete_cols(1)
    wb[P].delete_rows(4)
    for level in ("agencies", "district", "commune"):
        wb[SHEET[level]].delete_rows(5)
    return to_bytes(wb)


@case(
    "no_unit_column.xlsx",
    "the unit code and name columns of the districts deleted",
    "rejected",
    errors=["no_unit_column"],
)
def _no_unit_column() -> bytes:
    wb = base()
    fill_grid(wb, "district", {k: v for k, v in BREAKDOWN.items() if level_of(k[0]) == "district"})
    wb[D].delete_cols(1, 2)
    return to_bytes(wb)


# ---- files that cannot be read at all (exit code 2) --------------------------------------------


@case(
    "encrypted.xlsx",
    "the good province file protected by a password",
    "rejected",
    errors=["encrypted"],
)
def _encrypted() -> bytes | None:
    try:
        from msoffcrypto.format.ooxml import OOXMLFile  # type: ignore[import-not-found]
    except ImportError:
        return None  # keep the committed file
    out = io.BytesIO()
    OOXMLFile(io.BytesIO((FILES / "good_province_q1_2019.xlsx").read_bytes())).encrypt(
        "mật-khẩu", out
    )
    return out.getvalue()


@case(
    "corrupt_truncated.xlsx", "the good province file cut in half", "rejected", errors=["corrupt"]
)
def _corrupt() -> bytes:
    data = (FILES / "good_province_q1_2019.xlsx").read_bytes()
    return data[: len(data) // 2]


@case("empty_file.xlsx", "zero bytes", "rejected", errors=["empty_file"])
def _empty_file() -> bytes:
    return b""


@case("not_a_spreadsheet.xlsx", "a PDF renamed to .xlsx", "rejected", errors=["not_a_spreadsheet"])
def _pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@case("csv_renamed.xlsx", "a CSV export renamed to .xlsx", "rejected", errors=["not_a_spreadsheet"])
def _csv() -> bytes:
    return "code,unit,value\ndossiers_received,842,4650\n".encode("utf-8-sig")


@case("junk_small.bin", "64 KB of random bytes", "rejected", errors=["not_a_spreadsheet"])
def _junk_small() -> bytes:
    return random.Random(64).randbytes(64 * 1024)


@case(
    "junk_10mb.bin",
    "10 MB of random bytes, generated at test time by make_junk (not committed)",
    "rejected",
    errors=["file_too_large"],
    generated=True,
)
def _junk_big() -> None:
    return None


@case(
    "zip_not_workbook.xlsx",
    "a zip of two text files renamed to .xlsx",
    "rejected",
    errors=["not_a_workbook"],
)
def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("ghi-chu.txt", "Số liệu quý I/2019")
        zf.writestr("data/figures.csv", "code,value\ndossiers_received,38751\n")
    return out.getvalue()


@case(
    "docx_not_workbook.xlsx",
    "a Word document renamed to .xlsx",
    "rejected",
    errors=["not_a_workbook"],
)
def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        )
        zf.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>',
        )
    return out.getvalue()


@case(
    "xlsb_workbook.xlsb",
    "a binary workbook (xl/workbook.bin), which calamine could read but the contract does not take",
    "rejected",
    errors=["unsupported_format"],
)
def _xlsb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"/>',
        )
        zf.writestr("xl/workbook.bin", b"\x83\x01\x00")
    return out.getvalue()


@case(
    "external_link.xlsx",
    "the good province file with a formula linking to another workbook (xl/externalLinks)",
    "rejected",
    errors=["external_links"],
)
def _external() -> bytes:
    wb = province_only()
    wb[P]["G12"] = "=[1]Sheet1!A1"
    data = to_bytes(wb)

    def change(parts: dict[str, bytes]) -> None:
        ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        rel_ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        parts["xl/externalLinks/externalLink1.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><externalLink xmlns="{ns}" xmlns:r="{rel_ns}">'
            '<externalBook r:id="rId1"><sheetNames><sheetName val="Sheet1"/></sheetNames>'
            "</externalBook></externalLink>"
        ).encode()
        parts["xl/externalLinks/_rels/externalLink1.xml.rels"] = (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships '
            'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
            f'Type="{rel_ns}/externalLinkPath" Target="file:///C:/bao-cao/so-lieu-goc.xlsx" '
            'TargetMode="External"/></Relationships>'
        ).encode()
        rels = parts["xl/_rels/workbook.xml.rels"].decode()
        parts["xl/_rels/workbook.xml.rels"] = rels.replace(
            "</Relationships>",
            f'<Relationship Id="rIdExt1" Type="{rel_ns}/externalLink" '
            'Target="externalLinks/externalLink1.xml"/></Relationships>',
        ).encode()
        book = parts["xl/workbook.xml"].decode()
        parts["xl/workbook.xml"] = book.replace(
            "</sheets>",
            '</sheets><externalReferences><externalReference r:id="rIdExt1"/></externalReferences>',
        ).encode()
        types = parts["[Content_Types].xml"].decode()
        parts["[Content_Types].xml"] = types.replace(
            "</Types>",
            '<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/></Types>',
        ).encode()

    return rezip(data, change)


@case(
    "macro_enabled.xlsm",
    "the good province file with a VBA project (vbaProject.bin)",
    "rejected",
    errors=["macro_enabled"],
)
def _macro() -> bytes:
    data = to_bytes(province_only())

    def change(parts: dict[str, bytes]) -> None:
        parts["xl/vbaProject.bin"] = (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + b"Attribute VB_Name"
        )
        types = parts["[Content_Types].xml"].decode()
        types = types.replace(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )
        parts["[Content_Types].xml"] = types.replace(
            "</Types>",
            '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
        ).encode()
        rels = parts["xl/_rels/workbook.xml.rels"].decode()
        parts["xl/_rels/workbook.xml.rels"] = rels.replace(
            "</Relationships>",
            '<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
            'Target="vbaProject.bin"/></Relationships>',
        ).encode()

    return rezip(data, change)


@case(
    "xml_bomb_entities.xlsx",
    "a sheet whose XML declares nested entities (billion laughs)",
    "rejected",
    errors=["xml_bomb"],
)
def _bomb_entities() -> bytes:
    data = to_bytes(province_only())
    part = sheet_part(data, P)
    lol = "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))

    def change(parts: dict[str, bytes]) -> None:
        xml = parts[part].decode()
        head = '<!DOCTYPE worksheet [<!ENTITY lol0 "lol">' + lol + "]>"
        parts[part] = (
            xml.replace("<worksheet", head + "<worksheet", 1)
            .replace(
                "</sheetData>",
                '<row r="200"><c r="G200" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData>',
                1,
            )
            .encode()
        )

    return rezip(data, change)


@case(
    "zip_bomb_sheet.xlsx",
    "a sheet padded to 25 MB of spaces that packs into a few KB",
    "rejected",
    errors=["xml_bomb"],
)
def _bomb_zip() -> bytes:
    data = to_bytes(province_only())
    part = sheet_part(data, P)

    def change(parts: dict[str, bytes]) -> None:
        parts[part] = parts[part].replace(
            b"<sheetData>", b"<sheetData>" + b" " * (25 * 1024 * 1024), 1
        )

    return rezip(data, change)


@case(
    "sheet_too_large.xlsx",
    "a stray value in the last cell of a sheet (XFD1048576)",
    "rejected",
    errors=["sheet_too_large"],
)
def _too_large() -> bytes:
    wb = full()
    wb[D]["XFD1048576"] = 1
    return to_bytes(wb)


# --------------------------------------------------------------------------------------------
# Resolving the placeholders in problem cells: "E__code" (province row of an indicator),
# "X__unit" (grid row of a unit, X the column), "C__new" (the last row)
# --------------------------------------------------------------------------------------------


def _resolve_cells(c: Case, data: bytes) -> None:
    """Placeholders are resolved on the untouched full workbook (same layout as every builder's
    starting point), "new" on the file itself."""
    if not any("__" in str(p[2]) for p in c.problems or []) and not any(
        "__" in f[1] for f in c.found or []
    ):
        return
    reference = full()
    output = (
        load_workbook(io.BytesIO(data))
        if any(str(p[2]).endswith("__new") for p in c.problems or [])
        else None
    )
    for p in c.problems or []:
        cell = str(p[2])
        if "__" not in cell:
            continue
        col, key = cell.split("__", 1)
        if key == "new":
            assert output is not None
            p[2] = f"{col}{output[str(p[1])].max_row}"
        elif str(p[1]) == P:
            p[2] = f"{col}{province_row(reference[P], key)}"
        else:
            p[2] = f"{col}{grid_rows(reference[str(p[1])])[key]}"
    for f in c.found or []:
        if "__" in f[1]:
            col, key = f[1].split("__", 1)
            f[1] = f"{col}{province_row(reference[P], key)}"


def build(names: Sequence[str] | None = None) -> Iterator[str]:
    FILES.mkdir(parents=True, exist_ok=True)
    for c in CASES:
        if names and c.name not in names:
            continue
        path = FILES / c.name
        try:
            data = BUILDERS[c.name]()
        except (FileNotFoundError, subprocess.CalledProcessError) as exc:
            if not path.exists():
                raise
            print(f"{c.name}: kept the committed file ({exc.__class__.__name__})")
            data = None
        if data is not None:
            path.write_bytes(data)
        yield c.name


def write_expected() -> None:
    for c in CASES:
        if (FILES / c.name).exists():
            _resolve_cells(c, (FILES / c.name).read_bytes())
    doc = {c.name: c.expected() for c in CASES}
    (HERE / "expected.json").write_text(
        json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


def write_readme() -> None:
    good = sum(c.name.startswith("good_") for c in CASES)
    awkward = sum(
        c.status == "valid" and not c.warnings and not c.name.startswith("good_") for c in CASES
    )
    warned = sum(c.status == "valid" and bool(c.warnings) for c in CASES)
    rejected = sum(c.status == "rejected" for c in CASES)
    unconfirmed = sum(c.status == "unconfirmed" for c in CASES)
    lines = [
        "# Golden workbooks for the staff import",
        "",
        "Every file here was made **from the real template** (`loaders.template`) by",
        "`make_corpus.py` (run `.venv/bin/python -m tests.golden.make_corpus` from the repository",
        "root; it needs LibreOffice for the .xls/.ods copies and saved formula results, and",
        "`msoffcrypto-tool` for `encrypted.xlsx`). The files are committed so that the tests never",
        "need LibreOffice. `expected.json` says for each file the quarter chosen at upload, the",
        "status of a dry run, the error and warning codes, for many the exact `[code, sheet, cell]`",
        "of each problem, and for good files the figures (`[indicator, unit, value, qualifier]`,",
        "or `same_as:` another file). `tests/test_import_golden.py` checks them all.",
        "",
        "`junk_10mb.bin` is not committed: the test makes it at run time (`make_junk`, 10 MB and",
        "1 KB of random bytes, over the default `KPI_MAX_UPLOAD_MB` of 10).",
        "",
        f"{len(CASES)} files: {good} good, {awkward} awkward but good (layout edits, copies,",
        f"names, text numbers, formulas), {warned} good with warnings, {unconfirmed} with likely",
        "typos to acknowledge (status `unconfirmed` without `--accept-warnings`; the demo",
        f"database's Q1/2019 is the quarter before), {rejected} rejected.",
        "",
        "| file | what it exercises | status | errors | warnings |",
        "|---|---|---|---|---|",
    ]
    for c in CASES:
        lines.append(
            f"| `{c.name}` | {c.what} | {c.status} | {', '.join(sorted(set(c.errors))) or '–'} | "
            f"{', '.join(sorted(set(c.warnings))) or '–'} |"
        )
    (HERE / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    names = list(argv or [])
    if not shutil.which("soffice"):
        print("warning: no soffice: the LibreOffice cases keep their committed files")
    for name in build(names or None):
        path = FILES / name
        print(f"{name:45} {path.stat().st_size if path.exists() else '-':>10}")
    write_expected()
    write_readme()


if __name__ == "__main__":
    import sys

    os.environ.setdefault("KPI_LANG", "vi")
    main(sys.argv[1:])
