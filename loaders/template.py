"""The quarterly reporting template (DESIGN.md section 6): a styled .xlsx written with openpyxl.

API (for the command line and the Upload page):

- :func:`make_template` ``(engine, period, levels=ALL_LEVELS) -> bytes``: the template of a quarter,
  with the units of that quarter and the previous quarter's province figures read from the
  database (the units come from ``data/units.csv`` when the database is not there yet);
- :func:`template_file_name` ``(period, levels) -> str``: ``mau-bao-cao-2019-Q2.xlsx``;
- :func:`build_template` ``(period, catalogue, units, levels=…, previous=…) -> Workbook`` and
  :func:`template_bytes`: the same without a database;
- :func:`previous_values` ``(session, catalogue, units, period) -> {code: (value, qualifier)}``.

The workbook has these sheets (names and texts in Vietnamese with English, from the locale files):

1. *Hướng dẫn* (instructions): Vietnamese in column A, English in column B.
2. *Thông tin* (metadata): a hidden key column (``template_version``, ``catalogue_version``,
   ``period``, ``province_code``, ``province_name``, ``levels``, ``generated_at``), a label and
   the value; locked.
3. *Tỉnh* (province, ``levels`` contains ``province``): a vertical list. Column A (hidden) holds
   the indicator codes; B the name, C the unit of measure, D the previous quarter's figure for
   reference, E the input, F the qualifier, G notes. Row 4 (hidden) is the code row: the
   province code (``84``) above the input column E and nowhere else, and the marker
   ``qualifier`` above F. Every stored province indicator has a row, grouped by catalogue group;
   the derived ``online_services_total`` has a check row (typed in, it is compared with level 3 +
   level 4 and never stored).
4. *Cơ quan cấp tỉnh*, *Cấp huyện*, *Cấp xã* (agencies ``84-CQ``, districts, communes): grids
   with units down and indicators across. Row 3 names the indicators, row 4 gives their units of
   measure, row 5 (hidden) is the code row: markers ``unit_code`` and ``unit_name`` (and, for
   communes, ``parent_code`` and ``parent_name`` for the district) above the unit columns and
   the indicator codes above the input columns. Units are those valid during the quarter, in
   code order (communes grouped by district). The province itself is never a row of a grid.

Qualifiers: on the province sheet the column *Mức độ* offers a list (chính xác, khoảng, trên,
dưới); anywhere, including the grids, a qualifier may also be typed with the number ("trên 90",
"khoảng 28.474", "~28474", ">90"). When both are given and disagree the cell is an error.

Input cells are unlocked and coloured; everything else is protected without a password (rows and
columns may still be inserted, deleted, formatted and sorted, as the reader allows). Numbers use
the ``#,##0`` and ``#,##0.00`` formats with the Vietnamese locale tag, so Excel and LibreOffice
show ``38.751`` and ``99,57`` on Vietnamese systems. Headers are frozen.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session

from kpi.catalogue import Catalogue, IndicatorDef, load_catalogue
from kpi.db import session_scope
from kpi.display import format_figure
from kpi.i18n import t
from kpi.models import OPEN_START
from kpi.periods import Period
from kpi.queries import Query, figures
from kpi.units import UnitDirectory, UnitInfo, all_units, load_unit_defs
from kpi.validation import QUALIFIER_LIST_VI, TEMPLATE_VERSION

ALL_LEVELS = ("province", "agencies", "district", "commune")
#: the derived figures offered as check cells on the province sheet
CHECK_CELLS = ("online_services_total",)

_THIN = Side(style="thin", color="9CA3AF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_GROUP_FILL = PatternFill("solid", fgColor="DDEBF7")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_CHECK_FILL = PatternFill("solid", fgColor="E2EFDA")
_CODE_FONT = Font(color="808080", size=8)
_PREVIOUS_FONT = Font(color="595959", italic=True)
_TITLE_FONT = Font(bold=True, size=14, color="1F4E79")
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER_WRAP = Alignment(wrap_text=True, horizontal="center", vertical="center")
_UNLOCKED = Protection(locked=False)
#: number formats with the Vietnamese locale tag (LCID 0x042A)
FORMAT_COUNT = "[$-42A]#,##0"
FORMAT_DECIMAL = "[$-42A]#,##0.00"


def _bi(key: str, **values: object) -> str:
    """A Vietnamese text with its English below it."""
    return f"{t(key, 'vi', **values)}\n({t(key, 'en', **values)})"


def _number_format(ind: IndicatorDef) -> str:
    return FORMAT_COUNT if ind.decimals == 0 else FORMAT_DECIMAL


def _protect(ws: Worksheet) -> None:
    """Protected without a password; the layout may still be changed."""
    p = ws.protection
    p.sheet = True
    p.formatCells = False
    p.formatColumns = False
    p.formatRows = False
    p.insertColumns = False
    p.insertRows = False
    p.deleteColumns = False
    p.deleteRows = False
    p.sort = False
    p.autoFilter = False


def _fit_page(ws: Worksheet) -> None:
    """Printed landscape, one page wide."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _lines(text: str, width: float) -> int:
    """How many lines a wrapped text takes in a column ``width`` characters wide."""
    return sum(
        max(1, math.ceil(len(part) * 1.05 / max(width - 1, 1))) for part in str(text).split("\n")
    )


def _width(texts: Iterable[str], minimum: float = 10, maximum: float = 60) -> float:
    longest = max((len(line) for text in texts for line in str(text).split("\n")), default=0)
    return max(minimum, min(maximum, longest * 1.1 + 2))


def _header(ws: Worksheet, row: int, values: Sequence[str], height: float = 48) -> None:
    for j, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=j, value=value)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _CENTER_WRAP
        cell.border = _BORDER
    ws.row_dimensions[row].height = height


def _code_row(ws: Worksheet, row: int, values: Sequence[str | None]) -> None:
    for j, value in enumerate(values, start=1):
        if value is not None:
            ws.cell(row=row, column=j, value=value).font = _CODE_FONT
    ws.row_dimensions[row].hidden = True


def _title(ws: Worksheet, title: str, subtitle: str) -> None:
    ws.cell(row=1, column=1, value=title).font = _TITLE_FONT
    ws.cell(row=2, column=1, value=subtitle).font = Font(italic=True, color="595959")


# --------------------------------------------------------------------------------------------
# The sheets
# --------------------------------------------------------------------------------------------


def _instructions(wb: Workbook, period: Period, province: UnitInfo) -> None:
    ws = wb.active
    assert ws is not None
    ws.title = t("import.template.sheet.instructions", "vi")
    values = {"province": province.name, "code": period.code}
    ws.cell(row=1, column=1, value=t("import.template.instructions.title", "vi")).font = _TITLE_FONT
    ws.cell(row=1, column=2, value=t("import.template.instructions.title", "en")).font = _TITLE_FONT
    for i in range(1, 13):
        key = f"import.template.instructions.l{i:02d}"
        # the page where staff upload the file, by the name the menu shows
        vi = t(key, "vi", period=period.label("vi"), page=t("nav.upload", "vi"), **values)
        en = t(key, "en", period=period.label("en"), page=t("nav.upload", "en"), **values)
        a = ws.cell(row=i + 2, column=1, value=vi)
        b = ws.cell(row=i + 2, column=2, value=en)
        a.alignment = b.alignment = _WRAP
        b.font = Font(color="595959")
        ws.row_dimensions[i + 2].height = 15 * max(
            _lines(str(a.value), 90), _lines(str(b.value), 90)
        )
    ws.column_dimensions["A"].width = 90
    ws.column_dimensions["B"].width = 90
    _fit_page(ws)
    _protect(ws)


def _metadata_sheet(
    wb: Workbook,
    period: Period,
    province: UnitInfo,
    catalogue: Catalogue,
    levels: Sequence[str],
    generated_at: dt.datetime,
) -> None:
    ws = wb.create_sheet(t("import.template.sheet.metadata", "vi"))
    _header(ws, 1, ["key", _bi("import.template.meta.item"), _bi("import.template.meta.value")], 36)
    rows = [
        ("template_version", TEMPLATE_VERSION),
        ("catalogue_version", catalogue.version),
        ("period", period.code),
        ("province_code", province.code),
        ("province_name", province.name),
        ("levels", ",".join(levels)),
        ("generated_at", generated_at.replace(microsecond=0).isoformat(sep=" ")),
    ]
    for i, (key, value) in enumerate(rows, start=2):
        ws.cell(row=i, column=1, value=key).font = _CODE_FONT
        ws.cell(row=i, column=2, value=_bi(f"import.template.meta.{key}")).alignment = _WRAP
        cell = ws.cell(row=i, column=3, value=value)
        cell.alignment = Alignment(horizontal="left", vertical="top")
        cell.number_format = "@"
        ws.row_dimensions[i].height = 30
    note = ws.cell(row=len(rows) + 3, column=2, value=_bi("import.template.meta.note"))
    note.alignment = _WRAP
    ws.row_dimensions[len(rows) + 3].height = 15 * _lines(str(note.value), 46)
    ws.column_dimensions["A"].hidden = True
    ws.column_dimensions["B"].width = 46
    ws.column_dimensions["C"].width = 30
    _fit_page(ws)
    _protect(ws)


def _province_sheet(
    wb: Workbook,
    period: Period,
    province: UnitInfo,
    catalogue: Catalogue,
    previous: Mapping[str, tuple[Decimal, str]],
) -> None:
    ws = wb.create_sheet(t("import.template.sheet.province", "vi"))
    prev = period.previous()
    _title(
        ws,
        t("import.template.province_title", "vi", province=province.name.upper()),
        f"{period.label('vi')} ({period.label('en')}) — {t('import.template.fill_hint', 'vi')}",
    )
    _header(
        ws,
        3,
        [
            _bi("import.template.col.indicator_code"),
            _bi("import.template.col.indicator"),
            _bi("import.template.col.unit_of_measure"),
            f"{prev.label('vi')}\n({t('import.template.col.previous', 'vi')} / {t('import.template.col.previous', 'en')})",
            f"{period.label('vi')}\n({t('import.template.col.value', 'vi')} / {t('import.template.col.value', 'en')})",
            _bi("import.template.col.qualifier"),
            _bi("import.template.col.notes"),
        ],
        62,
    )
    _code_row(ws, 4, [None, None, None, None, province.code, "qualifier", None])
    qualifiers = DataValidation(
        type="list",
        formula1='"' + ",".join(QUALIFIER_LIST_VI) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=t("import.template.qualifier_error_title", "vi"),
        error=t("import.template.qualifier_error", "vi"),
        promptTitle=t("import.template.qualifier_prompt_title", "vi"),
        prompt=t("import.template.qualifier_prompt", "vi"),
    )
    ws.add_data_validation(qualifiers)
    row = 5
    shown = [
        i
        for i in catalogue.ordered()
        if i.active and "province" in i.levels and (not i.is_derived or i.code in CHECK_CELLS)
    ]
    group = None
    check_note = " — " + t("import.template.check_cell", "vi")
    names = [i.name_vi + (check_note if i.is_derived else "") for i in shown]
    name_width = _width(names, 30, 70)
    for ind, name in zip(shown, names, strict=True):
        if ind.group != group:
            group = ind.group
            g = catalogue.groups[group]
            cell = ws.cell(row=row, column=2, value=f"{g.name_vi} ({g.name_en})")
            cell.font = Font(bold=True, color="1F4E79")
            for j in range(2, 8):
                ws.cell(row=row, column=j).fill = _GROUP_FILL
            row += 1
        check = ind.is_derived
        ws.cell(row=row, column=1, value=ind.code).font = _CODE_FONT
        ws.cell(row=row, column=2, value=name).alignment = _WRAP
        ws.cell(row=row, column=3, value=ind.unit_vi).alignment = Alignment(
            horizontal="center", vertical="top"
        )
        old = previous.get(ind.code)
        pcell = ws.cell(row=row, column=4)
        if old is not None:
            value, qualifier = old
            if qualifier == "exact":
                pcell.value = int(value) if value == value.to_integral_value() else float(value)
                pcell.number_format = _number_format(ind)
            else:
                pcell.value = format_figure(ind, value, "vi", qualifier)
                pcell.alignment = Alignment(horizontal="right")
        pcell.font = _PREVIOUS_FONT
        value_cell = ws.cell(row=row, column=5)
        value_cell.fill = _CHECK_FILL if check else _INPUT_FILL
        value_cell.protection = _UNLOCKED
        value_cell.number_format = _number_format(ind)
        qcell = ws.cell(row=row, column=6)
        qcell.fill = _INPUT_FILL
        qcell.protection = _UNLOCKED
        qualifiers.add(qcell)
        ws.cell(row=row, column=7).protection = _UNLOCKED
        for j in range(2, 8):
            ws.cell(row=row, column=j).border = _BORDER
        if _lines(name, name_width) > 1:
            ws.row_dimensions[row].height = 15 * _lines(name, name_width)
        row += 1
    ws.column_dimensions["A"].hidden = True
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = name_width
    ws.column_dimensions["C"].width = 16
    ws.column_dimensions["D"].width = 18
    ws.column_dimensions["E"].width = 18
    ws.column_dimensions["F"].width = 14
    ws.column_dimensions["G"].width = 30
    ws.freeze_panes = "C5"
    _fit_page(ws)
    _protect(ws)


def _grid_sheet(
    wb: Workbook,
    level: str,
    period: Period,
    province: UnitInfo,
    catalogue: Catalogue,
    rows: Sequence[tuple[UnitInfo | None, UnitInfo]],
) -> None:
    """A grid of ``rows`` (parent, unit) by the stored indicators of ``level``."""
    indicators = [i for i in catalogue.stored() if level in i.levels]
    if not indicators or not rows:
        return
    ws = wb.create_sheet(t(f"import.template.sheet.{level}", "vi"))
    with_parent = level == "commune"
    lead_headers = [_bi("import.template.col.unit_code"), _bi("import.template.col.unit")]
    lead_codes: list[str | None] = ["unit_code", "unit_name"]
    if with_parent:
        lead_headers = [
            _bi("import.template.col.parent_code"),
            _bi("import.template.col.parent"),
            *lead_headers,
        ]
        lead_codes = ["parent_code", "parent_name", *lead_codes]
    first = len(lead_headers) + 1
    _title(
        ws,
        t(f"import.template.grid_title.{level}", "vi", province=province.name.upper()),
        f"{period.label('vi')} ({period.label('en')}) — {t('import.template.fill_hint', 'vi')}",
    )
    _header(ws, 3, [*lead_headers, *(i.name_vi for i in indicators)], 78)
    for j, ind in enumerate(indicators, start=first):
        cell = ws.cell(row=4, column=j, value=ind.unit_vi)
        cell.alignment = Alignment(horizontal="center")
        cell.font = Font(italic=True, color="595959")
        cell.border = _BORDER
    _code_row(ws, 5, [*lead_codes, *(i.code for i in indicators)])
    prompt = DataValidation(
        showInputMessage=True,
        promptTitle=t("import.template.value_prompt_title", "vi"),
        prompt=t("import.template.value_prompt", "vi"),
    )
    ws.add_data_validation(prompt)
    r = 6
    for parent, unit in rows:
        lead: list[str] = [unit.code, unit.name]
        if with_parent:
            lead = [parent.code if parent else "", parent.name if parent else "", *lead]
        code_cols = (1, 3) if with_parent else (1,)
        for j, value in enumerate(lead, start=1):
            cell = ws.cell(row=r, column=j, value=value)
            cell.border = _BORDER
            if j in code_cols:
                cell.number_format = "@"
        for j, ind in enumerate(indicators, start=first):
            cell = ws.cell(row=r, column=j)
            cell.fill = _INPUT_FILL
            cell.protection = _UNLOCKED
            cell.number_format = _number_format(ind)
            cell.border = _BORDER
        r += 1
    last = first + len(indicators) - 1
    prompt.add(f"{get_column_letter(first)}6:{get_column_letter(last)}{r - 1}")
    name_cols = [2, 4] if with_parent else [2]
    for j in range(1, first):
        letter = get_column_letter(j)
        if j in name_cols:
            texts = [(p.name if p else "") if (with_parent and j == 2) else u.name for p, u in rows]
            ws.column_dimensions[letter].width = _width(texts, 18, 40)
        else:
            ws.column_dimensions[letter].width = 11
    for j in range(first, last + 1):
        ws.column_dimensions[get_column_letter(j)].width = 16
    ws.freeze_panes = ws.cell(row=6, column=first)
    ws.print_title_rows = "3:4"
    _fit_page(ws)
    _protect(ws)


# --------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------


def build_template(
    period: Period | str,
    catalogue: Catalogue,
    units: Sequence[UnitInfo],
    *,
    levels: Sequence[str] = ALL_LEVELS,
    previous: Mapping[str, tuple[Decimal, str]] | None = None,
    generated_at: dt.datetime | None = None,
) -> Workbook:
    """The template workbook of ``period`` for the chosen ``levels`` (province, agencies,
    district, commune); ``previous`` are the previous quarter's province figures by code."""
    p = Period.parse(period)
    unknown = set(levels) - set(ALL_LEVELS)
    if unknown or not levels:
        raise ValueError(f"levels must be among {ALL_LEVELS}, not {sorted(unknown) or levels}")
    directory = UnitDirectory(units, p.start, p.end)
    provinces = [u for u in directory.units if u.level == "province"]
    if len(provinces) != 1:
        raise ValueError(f"{p.code}: expected one province, found {len(provinces)}")
    province = provinces[0]
    wb = Workbook()
    _instructions(wb, p, province)
    chosen = [lv for lv in ALL_LEVELS if lv in levels]
    _metadata_sheet(wb, p, province, catalogue, chosen, generated_at or dt.datetime.now())
    if "province" in chosen:
        _province_sheet(wb, p, province, catalogue, previous or {})
    by_code = sorted(directory.units, key=lambda u: (len(u.code), u.code))
    for level in ("agencies", "district"):
        if level in chosen:
            _grid_sheet(
                wb,
                level,
                p,
                province,
                catalogue,
                [(None, u) for u in by_code if u.level == level and u.parent_id == province.id],
            )
    if "commune" in chosen:
        # Communes grouped under their district, in district order; after 2025 communes stand
        # directly under the province, which is then their "district" column.
        parents = [province, *(u for u in by_code if u.parent_id == province.id)]
        rows: list[tuple[UnitInfo | None, UnitInfo]] = [
            (parent, c)
            for parent in parents
            for c in by_code
            if c.parent_id == parent.id and c.level == "commune"
        ]
        _grid_sheet(wb, "commune", p, province, catalogue, rows)
    wb.properties.creator = "kpi-dashboard"
    wb.properties.title = t("import.template.province_title", "vi", province=province.name)
    return wb


def template_bytes(
    period: Period | str,
    catalogue: Catalogue,
    units: Sequence[UnitInfo],
    *,
    levels: Sequence[str] = ALL_LEVELS,
    previous: Mapping[str, tuple[Decimal, str]] | None = None,
    generated_at: dt.datetime | None = None,
) -> bytes:
    buffer = io.BytesIO()
    build_template(
        period, catalogue, units, levels=levels, previous=previous, generated_at=generated_at
    ).save(buffer)
    return buffer.getvalue()


def template_file_name(period: Period | str, levels: Sequence[str] = ALL_LEVELS) -> str:
    """``mau-bao-cao-2019-Q2.xlsx``; with some levels only: ``mau-bao-cao-2019-Q2-district.xlsx``."""
    p = Period.parse(period)
    suffix = (
        ""
        if set(levels) >= set(ALL_LEVELS)
        else "-" + "-".join(lv for lv in ALL_LEVELS if lv in levels)
    )
    return f"mau-bao-cao-{p.code}{suffix}.xlsx"


def units_from_files() -> list[UnitInfo]:
    """The units of ``data/units.csv`` (ids numbered in file order), for a template written
    without a database."""
    defs = load_unit_defs()
    infos: list[UnitInfo] = []
    ids = {(d.code, d.valid_from): n for n, d in enumerate(defs, start=1)}
    for n, d in enumerate(defs, start=1):
        parent_id = None
        if d.parent_code:
            for (code, start), pid in ids.items():
                parent = defs[pid - 1]
                if (
                    code == d.parent_code
                    and start <= (d.valid_to or dt.date.max)
                    and (parent.valid_to is None or d.valid_from <= parent.valid_to)
                ):
                    parent_id = pid
                    break
        infos.append(
            UnitInfo(
                n,
                d.code,
                d.name,
                d.type,
                d.level,
                parent_id,
                d.valid_from or OPEN_START,
                d.valid_to,
            )
        )
    return infos


def previous_values(
    session: Session, catalogue: Catalogue, units: Sequence[UnitInfo], period: Period | str
) -> dict[str, tuple[Decimal, str]]:
    """The previous quarter's province figures (stored or rolled up from the units), by code."""
    prev = Period.parse(period).previous()
    directory = UnitDirectory(units, prev.start, prev.end)
    provinces = [u for u in directory.units if u.level == "province"]
    if len(provinces) != 1:
        return {}
    codes = tuple(
        i.code
        for i in catalogue.ordered()
        if i.active and "province" in i.levels and not i.is_ratio
    )
    frame = figures(
        session, catalogue, units, Query(codes, (provinces[0].id,), prev.code, prev.code)
    )
    out: dict[str, tuple[Decimal, str]] = {}
    for row in frame.dropna(subset=["value"]).itertuples():
        value = Decimal(repr(float(row.value)))
        if value == value.to_integral_value():
            value = Decimal(int(value))
        out[str(row.indicator)] = (value, str(row.qualifier))
    return out


def _database_ready(engine: Engine) -> bool:
    url = engine.url
    if url.get_backend_name() == "sqlite":
        path = url.database
        if not path or path == ":memory:" or not Path(path).exists():
            return False
    try:
        return inspect(engine).has_table("unit")
    except Exception:  # an unreachable database: the template is still useful without it
        return False


def make_template(
    engine: Engine | None,
    period: Period | str,
    *,
    levels: Sequence[str] = ALL_LEVELS,
    catalogue: Catalogue | None = None,
) -> bytes:
    """The template of ``period`` as .xlsx bytes: the download button and ``kpi template``.

    Units and the previous quarter's figures come from the database when it is there; otherwise
    the units come from ``data/units.csv`` and the reference column stays empty.
    """
    cat = catalogue or load_catalogue()
    previous: dict[str, tuple[Decimal, str]] = {}
    units: list[UnitInfo] = []
    if engine is not None and _database_ready(engine):
        with session_scope(engine) as session:
            units = all_units(session)
            if units:
                previous = previous_values(session, cat, units, period)
    if not units:
        units = units_from_files()
    return template_bytes(period, cat, units, levels=levels, previous=previous)
