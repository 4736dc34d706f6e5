"""Reading a filled template: .xlsx, .xls or .ods, every value cell located by its content.

Entry point: :func:`read_workbook` (bytes in, :class:`WorkbookContent` out) or :func:`read_path`.
Unusable files raise :class:`WorkbookError` with a stable ``code``:

================== ==========================================================================
``empty_file``     zero bytes
``file_too_large`` larger than ``KPI_MAX_UPLOAD_MB``
``not_a_spreadsheet`` neither a zip nor an OLE file (text, PDF, an image, random bytes, CSV)
``not_a_workbook`` a zip (or an OLE file) that is not a spreadsheet (.docx, a plain .zip)
``unsupported_format`` an .xlsb workbook (save it as .xlsx)
``encrypted``      protected by a password (an OLE container with ``EncryptedPackage``)
``corrupt``        the reader cannot open it (a truncated zip, broken XML)
``macro_enabled``  carries macros (``vbaProject.bin``, ``.xlsm`` content type, ODS Basic)
``external_links`` refers to other workbooks or data sources (``xl/externalLinks``,
                   ``connections.xml``, ODS table sources)
``xml_bomb``       a DOCTYPE/ENTITY declaration, or parts that unpack to too much
``sheet_too_large`` a sheet whose used area exceeds :data:`MAX_CELLS` cells
================== ==========================================================================

The format is told by content, never by the file name. Nothing in the file is executed: values
are the cached results that the spreadsheet program saved (python-calamine reads them); for .xlsx
and .ods the sheet XML is also scanned, once, for formulas saved without a result and for
formulas that evaluated to an error (calamine shows both as empty cells).

How a sheet is understood (``analyse_sheet``): one pass over its cells counts the known indicator
codes in every row and every column. The line with the most is the *code line*: a row of codes
(a grid: units down, indicators across) or a column of codes (the province's vertical list). Lines
across it that hold no indicator code are candidates for the *unit line*; the one with the most
unit codes (texts or numbers: Excel turns "842" into 842) wins, unless the code line labels it with
the marker ``unit_code``. The markers ``unit_name``, ``parent_code`` and ``parent_name`` in the code
line label the columns with the unit's name and its district (an empty district cell takes the one
above it, as merged cells read). In the unit line, the marker ``qualifier`` labels the line of
qualifiers for the unit line before it. A value cell is where a unit's line crosses an indicator's
line, after the code line. So rows and columns may be inserted, deleted, hidden or reordered, notes
and title rows added and sheets renamed: codes and markers are what count. Snake-case codes along
the code line that the catalogue does not know come through as entries (validation reports
``unknown_indicator``) when their cells hold values. Rows with values but no unit, and rows named
"Tổng cộng"/"Total", and rows of words under an unknown name (notes) become warnings
(``row_without_unit``, ``total_row_ignored``, ``note_row_ignored``).

Number formats are read, not guessed: for .xlsx the style of each value cell (``xl/styles.xml``,
which calamine does not give), for .ods the cell's value type and data style, for .xls the BIFF
formats (xlrd). A value cell whose format changes the number shown (a percent, a date, a scaling
format such as ``#,##0,``) carries it as ``RawEntry.shown_as`` (``kpi.numformats``); validation
takes 0,92 shown as 92% as 92 in a 0-100 percentage and refuses dates and scaled numbers.

Sheets without indicator codes are searched for the metadata keys (``template_version``,
``period``, ``province_code`` …): the value of a key is the last filled cell to its right.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree as ET

import python_calamine as pc

from kpi.numformats import BUILTIN_FORMATS, ShownAs, classify
from kpi.units import UnitInfo, fold, loose_key, normalise_code
from kpi.validation import Issue, Metadata, MetaValue, RawEntry

#: the largest used area (rows x columns) of one sheet that is read
MAX_CELLS = 2_000_000
#: the most a workbook's parts may unpack to in total
MAX_UNPACKED = 256 * 1024 * 1024
#: a part that unpacks to more than BOMB_MIN_SIZE at more than BOMB_RATIO : 1 is a zip bomb
BOMB_RATIO = 200
BOMB_MIN_SIZE = 20 * 1024 * 1024

MARKERS = frozenset({"unit_code", "unit_name", "parent_code", "parent_name"})
QUALIFIER_MARKER = "qualifier"
METADATA_KEYS = (
    "template_version",
    "catalogue_version",
    "period",
    "province_code",
    "province_name",
    "levels",
    "generated_at",
)

_CODEISH = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\sr=\"([A-Z]{1,3})(\d{1,7})\"")
_REF = re.compile(r"^([A-Z]{1,3})(\d{1,7})$")
_R_ATTR = re.compile(rb'\sr="([A-Z]{1,3})(\d{1,7})"')


class WorkbookError(Exception):
    """A file that cannot be read as a workbook; ``code`` says why (see the module doc)."""

    def __init__(self, code: str, found: str | None = None) -> None:
        super().__init__(code if found is None else f"{code}: {found}")
        self.code = code
        self.found = found


@dataclass(frozen=True)
class SheetLayout:
    """How one data sheet was understood (``ImportReport.layouts``; the tests read it)."""

    sheet: str
    kind: str  # grid: indicator codes along a row | list: indicator codes down a column
    code_line: str  # "5" (a row) or "A" (a column)
    unit_line: str | None
    indicators: tuple[str, ...]
    units: int  # unit lines holding at least one value


@dataclass
class WorkbookContent:
    format: str  # xlsx | xls | ods
    sheet_names: list[str]
    layouts: list[SheetLayout] = field(default_factory=list)
    entries: list[RawEntry] = field(default_factory=list)
    metadata: Metadata = field(default_factory=Metadata)
    issues: list[Issue] = field(default_factory=list)

    @property
    def has_metadata(self) -> bool:
        return bool(self.metadata.values)


@dataclass
class _SheetScan:
    """What the XML says that calamine does not: formulas without a saved result, error
    results, and the real extent of the cells that hold values."""

    no_value: set[tuple[int, int]] = field(default_factory=set)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    #: cells whose number format changes the number shown (percent, date, scaled)
    formats: dict[tuple[int, int], ShownAs] = field(default_factory=dict)
    max_row: int = -1
    max_col: int = -1

    @property
    def cells(self) -> int:
        return (self.max_row + 1) * (self.max_col + 1)


# --------------------------------------------------------------------------------------------
# A1 references
# --------------------------------------------------------------------------------------------


def col_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def a1(row: int, col: int) -> str:
    return f"{col_letter(col)}{row + 1}"


# --------------------------------------------------------------------------------------------
# Telling the format, and refusing what must not be read
# --------------------------------------------------------------------------------------------


def sniff(data: bytes) -> str:
    """``xlsx``, ``xls`` or ``ods`` from the content; raises WorkbookError otherwise."""
    if not data:
        raise WorkbookError("empty_file")
    if data.startswith(_OLE_MAGIC):
        return _check_ole(data)
    if data.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                return _check_zip(zf)
        except zipfile.BadZipFile as exc:
            raise WorkbookError("corrupt", str(exc)) from exc
    raise WorkbookError("not_a_spreadsheet")


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def _check_ole(data: bytes) -> str:
    if _utf16("EncryptedPackage") in data or _utf16("EncryptionInfo") in data:
        raise WorkbookError("encrypted")
    if _utf16("_VBA_PROJECT") in data:
        raise WorkbookError("macro_enabled")
    if _utf16("Workbook") not in data and _utf16("Book") not in data:
        raise WorkbookError("not_a_workbook")
    return "xls"


def _check_zip(zf: zipfile.ZipFile) -> str:
    infos = zf.infolist()
    names = {i.filename for i in infos}
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED:
        raise WorkbookError("xml_bomb", f"{total // (1024 * 1024)} MB")
    for i in infos:
        if i.file_size > BOMB_MIN_SIZE and i.file_size > BOMB_RATIO * max(i.compress_size, 1):
            raise WorkbookError("xml_bomb", i.filename)
    if "xl/workbook.xml" in names:
        lowered = {n.lower() for n in names}
        if any(n.endswith("vbaproject.bin") for n in lowered):
            raise WorkbookError("macro_enabled", "vbaProject.bin")
        types = _read_member(zf, "[Content_Types].xml") if "[Content_Types].xml" in names else b""
        if b"macroEnabled" in types:
            raise WorkbookError("macro_enabled", "[Content_Types].xml")
        if (
            any(n.startswith("xl/externallinks/") for n in lowered)
            or "xl/connections.xml" in lowered
        ):
            raise WorkbookError("external_links")
        _refuse_doctype(zf, [n for n in names if n.endswith((".xml", ".rels", ".vml"))])
        return "xlsx"
    if "xl/workbook.bin" in names:
        raise WorkbookError("unsupported_format", "xlsb")
    if "mimetype" in names and _read_member(zf, "mimetype", 200).strip() == _ODS_MIME:
        if any(n.startswith(("Basic/", "Scripts/")) for n in names):
            raise WorkbookError("macro_enabled", "Basic")
        _refuse_doctype(zf, [n for n in names if n.endswith(".xml")])
        return "ods"
    raise WorkbookError("not_a_workbook")


def _read_member(zf: zipfile.ZipFile, name: str, limit: int = -1) -> bytes:
    with zf.open(name) as fh:
        return fh.read(limit)


def _chunks(fh: IO[bytes], size: int = 1 << 20) -> Iterator[bytes]:
    while True:
        block = fh.read(size)
        if not block:
            return
        yield block


def _refuse_doctype(zf: zipfile.ZipFile, names: Sequence[str]) -> None:
    """No part of a workbook needs a DOCTYPE: its entities are how XML bombs explode."""
    needles = (b"<!DOCTYPE", b"<!ENTITY")
    for name in names:
        with zf.open(name) as fh:
            tail = b""
            for block in _chunks(fh):
                window = tail + block
                if any(n in window for n in needles):
                    raise WorkbookError("xml_bomb", name)
                tail = window[-16:]


# --------------------------------------------------------------------------------------------
# What calamine cannot tell: formulas without results, error results, the real extent
# --------------------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _xlsx_sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """sheet name -> zip member of its XML."""
    rels_ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    targets: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in zf.namelist():
        for el in ET.fromstring(_read_member(zf, "xl/_rels/workbook.xml.rels")):
            target = el.get("Target") or ""
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            targets[el.get("Id") or ""] = target
    parts: dict[str, str] = {}
    root = ET.fromstring(_read_member(zf, "xl/workbook.xml"))
    for el in root.iter():
        if _local(el.tag) == "sheet":
            rid = el.get(f"{{{rels_ns}}}id") or el.get(
                f"{{{'http://purl.oclc.org/ooxml/officeDocument/relationships'}}}id"
            )
            name = el.get("name")
            if name and rid in targets:
                parts[name] = targets[rid]
    return parts


def _xlsx_styles(zf: zipfile.ZipFile) -> dict[int, ShownAs]:
    """Style index (a cell's ``s``) -> what its number format does to the number shown, for the
    styles whose format is a percent, a date or a scaling one."""
    if "xl/styles.xml" not in zf.namelist():
        return {}
    root = ET.fromstring(_read_member(zf, "xl/styles.xml"))
    custom: dict[int, str] = {}
    shown: dict[int, ShownAs] = {}
    for el in root:
        tag = _local(el.tag)
        if tag == "numFmts":
            for fmt in el:
                key = fmt.get("numFmtId")
                if key and key.isdigit():
                    custom[int(key)] = fmt.get("formatCode") or ""
        elif tag == "cellXfs":
            for index, xf in enumerate(x for x in el if _local(x.tag) == "xf"):
                raw = xf.get("numFmtId") or "0"
                number = int(raw) if raw.isdigit() else 0
                kind = classify(custom.get(number, BUILTIN_FORMATS.get(number)), number)
                if kind is not None:
                    shown[index] = kind
    return shown


def _scan_xlsx(zf: zipfile.ZipFile) -> dict[str, _SheetScan]:
    scans: dict[str, _SheetScan] = {}
    names = set(zf.namelist())
    styles = _xlsx_styles(zf)
    styled = (
        re.compile(
            rb'<(?:\w+:)?c\b[^>]*?\ss="('
            + b"|".join(str(i).encode() for i in styles)
            + rb')"[^>]*>'
        )
        if styles
        else None
    )
    for sheet, part in _xlsx_sheet_parts(zf).items():
        if part not in names:
            continue
        data = _read_member(zf, part)
        scan = _SheetScan()
        max_r = max_c = -1
        for m in _CELL_REF.finditer(data):
            max_r = max(max_r, int(m.group(2)) - 1)
            max_c = max(max_c, col_index(m.group(1).decode()))
        rough = (max_r + 1) * (max_c + 1)
        needs_detail = b"<f" in data or b't="e"' in data or rough > MAX_CELLS
        formats: dict[tuple[int, int], ShownAs] = {}
        if styled is not None:
            for m in styled.finditer(data):
                ref = _R_ATTR.search(m.group(0))
                if ref is None:  # a writer that leaves out cell references: parse in detail
                    needs_detail = True
                    break
                pos = (int(ref.group(2)) - 1, col_index(ref.group(1).decode()))
                formats[pos] = styles[int(m.group(1))]
        if needs_detail:
            scan = _scan_xlsx_cells(data, styles)
        else:
            scan.max_row, scan.max_col = max_r, max_c
            scan.formats = formats
        scans[sheet] = scan
    return scans


def _scan_xlsx_cells(data: bytes, styles: dict[int, ShownAs]) -> _SheetScan:
    scan = _SheetScan()
    row = -1
    col = -1
    for event, el in ET.iterparse(io.BytesIO(data), events=("start", "end")):
        tag = _local(el.tag)
        if event == "start":
            if tag == "row":
                r = el.get("r")
                row = int(r) - 1 if r and r.isdigit() else row + 1
                col = -1
            continue
        if tag == "c":
            ref = el.get("r")
            m = _REF.match(ref or "")
            if m:
                col = col_index(m.group(1))
                row = int(m.group(2)) - 1
            else:
                col += 1
            has_f = False
            value: str | None = None
            has_v = False
            for child in el:
                ctag = _local(child.tag)
                if ctag == "f":
                    has_f = True
                elif ctag in ("v", "is"):
                    has_v = True
                    value = child.text if ctag == "v" else "".join(child.itertext())
            if has_v and (value or "") != "":
                scan.max_row = max(scan.max_row, row)
                scan.max_col = max(scan.max_col, col)
            kind = el.get("t") or "n"
            style = el.get("s")
            if style and style.isdigit() and int(style) in styles:
                scan.formats[(row, col)] = styles[int(style)]
            if kind == "e":
                scan.errors[(row, col)] = value or "#ERROR"
            elif has_f and (
                not has_v or ((value or "") == "" and kind not in ("str", "s", "inlineStr"))
            ):
                # openpyxl and other writers leave <v></v>: no result was ever computed. A text
                # formula whose result is "" is a blank, not a missing result.
                scan.no_value.add((row, col))
            el.clear()
        elif tag == "row":
            el.clear()
    return scan


_ODS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "calcext": "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "number": "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0",
}
_ODS_SHOWN = {
    "percentage": ShownAs("percent"),
    "date": ShownAs("date"),
    "time": ShownAs("date"),
}


def _scan_ods(zf: zipfile.ZipFile) -> dict[str, _SheetScan]:
    t = "{" + _ODS["table"] + "}"
    office = "{" + _ODS["office"] + "}"
    calcext = "{" + _ODS["calcext"] + "}"
    scans: dict[str, _SheetScan] = {}
    with zf.open("content.xml") as fh:
        head = fh.read()
    if b"table:table-source" in head or b"cell-range-source" in head or b"dde-source" in head:
        raise WorkbookError("external_links")
    style_ns = "{" + _ODS["style"] + "}"
    # data style -> its scaling (number:display-factor), in styles.xml or content.xml
    scaled_data: dict[str, ShownAs] = {}
    for part in ("styles.xml", "content.xml"):
        xml = (
            head
            if part == "content.xml"
            else (_read_member(zf, part) if part in zf.namelist() else b"")
        )
        if b"display-factor" in xml:
            scaled_data.update(_ods_scaled_styles(xml))
    scaled_cells: dict[str, ShownAs] = {}  # cell style -> the scaling of its data style
    cell_data_style: dict[str, str] = {}
    column_styles: list[str | None] = []
    scan: _SheetScan | None = None
    row = 0
    col = 0
    rows_repeat = 1
    depth = 0  # nested tables are not data sheets
    for event, el in ET.iterparse(io.BytesIO(head), events=("start", "end")):
        tag = el.tag
        if tag == f"{t}table":
            if event == "start":
                depth += 1
                if depth == 1:
                    scan = _SheetScan()
                    scans[el.get(f"{t}name") or f"#{len(scans) + 1}"] = scan
                    row = 0
                    column_styles = []
                    scaled_cells = {
                        name: scaled_data[data]
                        for name, data in cell_data_style.items()
                        if data in scaled_data
                    }
            else:
                depth -= 1
                el.clear()
            continue
        if scan is None:
            if event == "end" and tag == f"{style_ns}style":
                data_style = el.get(f"{style_ns}data-style-name")
                if data_style:
                    cell_data_style[el.get(f"{style_ns}name") or ""] = data_style
            continue
        if depth != 1:
            continue
        if tag == f"{t}table-column" and event == "end":
            repeat = min(int(el.get(f"{t}number-columns-repeated") or "1"), 16384)
            column_styles.extend([el.get(f"{t}default-cell-style-name")] * repeat)
            continue
        if tag == f"{t}table-row":
            if event == "start":
                col = 0
                rows_repeat = int(el.get(f"{t}number-rows-repeated") or "1")
            else:
                row += int(el.get(f"{t}number-rows-repeated") or "1")
                el.clear()
        elif tag in (f"{t}table-cell", f"{t}covered-table-cell") and event == "end":
            repeat = int(el.get(f"{t}number-columns-repeated") or "1")
            has_value = el.get(f"{office}value-type") is not None or any(True for _ in el)
            if has_value:
                scan.max_row = max(scan.max_row, row + rows_repeat - 1)
                scan.max_col = max(scan.max_col, col + repeat - 1)
                value_type = el.get(f"{office}value-type")
                shown = _ODS_SHOWN.get(value_type or "")
                if shown is None and value_type in ("float", "currency") and scaled_cells:
                    style = el.get(f"{t}style-name") or (
                        column_styles[col] if col < len(column_styles) else None
                    )
                    shown = scaled_cells.get(style or "")
                if shown is not None:
                    for k in range(min(repeat, 64)):
                        for r in range(min(rows_repeat, 64)):
                            scan.formats[(row + r, col + k)] = shown
                if el.get(f"{calcext}value-type") == "error":
                    scan.errors[(row, col)] = "".join(el.itertext()).strip() or "#ERROR"
                elif el.get(f"{t}formula") and el.get(f"{office}value-type") is None:
                    scan.no_value.add((row, col))
            col += repeat
    return scans


def _ods_scaled_styles(xml: bytes) -> dict[str, ShownAs]:
    """The .ods data styles that divide what is shown (``number:display-factor="1000"``)."""
    number_ns = "{" + _ODS["number"] + "}"
    style_ns = "{" + _ODS["style"] + "}"
    found: dict[str, ShownAs] = {}
    for _, el in ET.iterparse(io.BytesIO(xml), events=("end",)):
        if el.tag != f"{number_ns}number-style":
            continue
        for child in el:
            factor = child.get(f"{number_ns}display-factor")
            if factor and factor.isdigit() and int(factor) >= 1000:
                decimals = int(child.get(f"{number_ns}decimal-places") or "0")
                found[el.get(f"{style_ns}name") or ""] = ShownAs(
                    "scaled",
                    "÷" + f"{int(factor):,}".replace(",", "."),
                    scale=(len(factor) - 1) // 3,
                    decimals=decimals,
                )
        el.clear()
    return found


def _scan_xls(data: bytes) -> dict[str, _SheetScan]:
    """The number formats of an .xls workbook's value cells (xlrd reads the BIFF formats that
    calamine does not give). A file xlrd cannot read gives no formats; then a percentage below
    1 is questioned as a likely typo (``percent_as_fraction``) instead of being converted."""
    import xlrd  # only for .xls

    scans: dict[str, _SheetScan] = {}
    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except Exception:  # xlrd's errors for files calamine may still read
        return scans
    try:
        shown_by_xf: dict[int, ShownAs | None] = {}
        for index, xf in enumerate(book.xf_list):
            fmt = book.format_map.get(xf.format_key)
            code = fmt.format_str if fmt is not None else None
            shown_by_xf[index] = classify(code or BUILTIN_FORMATS.get(xf.format_key), None)
        numeric = (xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_DATE)
        for sheet_index in range(book.nsheets):
            sheet = book.get_sheet(sheet_index)
            scan = _SheetScan()
            for r in range(sheet.nrows):
                types = sheet.row_types(r)
                for c, ctype in enumerate(types):
                    if ctype in numeric:
                        shown = shown_by_xf.get(sheet.cell_xf_index(r, c))
                        if shown is not None:
                            scan.formats[(r, c)] = shown
            scans[sheet.name] = scan
            book.unload_sheet(sheet_index)
    except Exception:
        return {}
    finally:
        book.release_resources()
    return scans


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def read_path(
    path: str | Path,
    known_indicators: Collection[str],
    units: Sequence[UnitInfo],
    *,
    max_bytes: int | None = None,
) -> WorkbookContent:
    """:func:`read_workbook` for a file; the size limit is checked before the file is read."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise WorkbookError("file_not_found", str(p)) from exc
    if max_bytes is not None and size > max_bytes:
        raise WorkbookError("file_too_large", f"{size / 1048576:.1f} MB")
    return read_workbook(p.read_bytes(), known_indicators, units, max_bytes=max_bytes)


def read_workbook(
    data: bytes,
    known_indicators: Collection[str],
    units: Sequence[UnitInfo],
    *,
    max_bytes: int | None = None,
) -> WorkbookContent:
    """Every filled value cell of a workbook, with the codes along its sheet's edges.

    ``known_indicators`` are the catalogue's codes, ``units`` every unit of every period (their
    codes and names tell the unit line). Raises WorkbookError for a file that cannot be read.
    """
    if max_bytes is not None and len(data) > max_bytes:
        raise WorkbookError("file_too_large", f"{len(data) / 1048576:.1f} MB")
    fmt = sniff(data)
    scans: dict[str, _SheetScan] = {}
    if fmt in ("xlsx", "ods"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                scans = _scan_xlsx(zf) if fmt == "xlsx" else _scan_ods(zf)
        except ET.ParseError as exc:
            raise WorkbookError("corrupt", str(exc)) from exc
        except (zipfile.BadZipFile, KeyError, ValueError, EOFError) as exc:
            raise WorkbookError("corrupt", str(exc)) from exc
        for name, scan in scans.items():
            if scan.cells > MAX_CELLS:
                raise WorkbookError("sheet_too_large", name)
    elif fmt == "xls":
        scans = _scan_xls(data)
    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except pc.PasswordError as exc:
        raise WorkbookError("encrypted") from exc
    except Exception as exc:  # calamine's errors (zip, XML, xls) and anything under them
        raise WorkbookError("corrupt", str(exc)) from exc
    with wb:
        return _read_sheets(wb, fmt, scans, known_indicators, units)


def _read_sheets(
    wb: pc.CalamineWorkbook,
    fmt: str,
    scans: dict[str, _SheetScan],
    known: Collection[str],
    units: Sequence[UnitInfo],
) -> WorkbookContent:
    ctx = _Context(frozenset(known), units)
    content = WorkbookContent(fmt, [])
    meta: dict[str, MetaValue] = {}
    for info in wb.sheets_metadata:
        if info.typ != pc.SheetTypeEnum.WorkSheet:
            continue
        name = info.name
        content.sheet_names.append(name)
        try:
            sheet = wb.get_sheet_by_name(name)
            end = sheet.end
            if end is not None and (end[0] + 1) * (end[1] + 1) > MAX_CELLS:
                raise WorkbookError("sheet_too_large", name)
            rows = sheet.to_python(skip_empty_area=False)
        except WorkbookError:
            raise
        except Exception as exc:
            raise WorkbookError("corrupt", f"{name}: {exc}") from exc
        result = analyse_sheet(name, rows, ctx, scans.get(name))
        if result.layout is None:
            for key, value in result.metadata.items():
                meta.setdefault(key, value)
            continue
        content.layouts.append(result.layout)
        content.entries.extend(result.entries)
        content.issues.extend(result.issues)
    if not content.layouts:
        content.issues.append(Issue("no_data_sheet"))
    content.metadata = Metadata(meta)
    return content


class _Context:
    """What the sheet analysis needs to know, computed once per workbook."""

    def __init__(self, known: frozenset[str], units: Sequence[UnitInfo]) -> None:
        self.known = known
        self.unit_levels: dict[str, set[str]] = {}
        self.name_keys: set[str] = set()
        for u in units:
            self.unit_levels.setdefault(u.code, set()).add(u.level)
            self.name_keys.add(fold(u.name))
            self.name_keys.add(loose_key(u.name))


@dataclass
class SheetResult:
    layout: SheetLayout | None
    entries: list[RawEntry] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    metadata: dict[str, MetaValue] = field(default_factory=dict)


def _filled(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    return True


def _unit_code(value: object) -> str | None:
    """A cell's text as a unit code, when it could be one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            return None
        return str(int(value))
    if isinstance(value, str):
        text = value.strip()
        if text and len(text) <= 12:
            return normalise_code(text)
    return None


def analyse_sheet(
    name: str, rows: list[list[Any]], ctx: _Context, scan: _SheetScan | None = None
) -> SheetResult:
    """Find the code line and the unit line of one sheet, and every value between them."""
    width = max((len(r) for r in rows), default=0)
    if width == 0:
        return SheetResult(None)
    rows = [r if len(r) == width else [*r, *([""] * (width - len(r)))] for r in rows]
    row_hits = [0] * len(rows)
    col_hits = [0] * width
    known = ctx.known
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value.__class__ is str and value and value.strip() in known:
                row_hits[i] += 1
                col_hits[j] += 1
    best_row = max(range(len(rows)), key=row_hits.__getitem__)
    best_col = max(range(width), key=col_hits.__getitem__)
    if row_hits[best_row] == 0:
        return SheetResult(None, metadata=_metadata(name, rows))
    grid = _Oriented(rows, transposed=False)
    if row_hits[best_row] > col_hits[best_col]:
        return _analyse(name, grid, best_row, ctx, scan)
    listing = _Oriented([list(c) for c in zip(*rows, strict=True)], transposed=True)
    if col_hits[best_col] > row_hits[best_row]:
        return _analyse(name, listing, best_col, ctx, scan)
    # One code each way: the orientation with a unit line wins.
    a = _analyse(name, grid, best_row, ctx, scan)
    b = _analyse(name, listing, best_col, ctx, scan)
    return a if len(a.entries) >= len(b.entries) else b


@dataclass
class _Oriented:
    """A sheet's cells with the code line as a row: ``m[i][j]``; for a list sheet the matrix is
    the transpose, and ``ref`` maps back to the sheet's A1 references."""

    m: list[list[Any]]
    transposed: bool

    def ref(self, i: int, j: int) -> str:
        return a1(j, i) if self.transposed else a1(i, j)

    def pos(self, i: int, j: int) -> tuple[int, int]:
        return (j, i) if self.transposed else (i, j)

    def line_name(self, i: int, along_code: bool) -> str:
        """The name of matrix row i (along_code) or matrix column i, as the sheet shows it."""
        is_sheet_row = along_code != self.transposed
        return str(i + 1) if is_sheet_row else col_letter(i)


def _analyse(
    name: str, o: _Oriented, h: int, ctx: _Context, scan: _SheetScan | None
) -> SheetResult:
    m = o.m
    result = SheetResult(None)
    header = m[h]
    ind_cols: dict[int, str] = {}
    markers: dict[str, int] = {}
    for j, value in enumerate(header):
        if isinstance(value, str):
            text = value.strip()
            if text in MARKERS:
                markers.setdefault(text, j)
            elif text in ctx.known or _CODEISH.match(text):
                ind_cols[j] = text
    others = [j for j in range(len(header)) if j not in ind_cols]
    below = range(h + 1, len(m))

    ucol = markers.get("unit_code")
    coded_levels: Counter[str] = Counter()
    if ucol is None:
        best = 0
        for j in others:
            n = sum(1 for i in below if _unit_code(m[i][j]) in ctx.unit_levels)
            if n > best:
                best, ucol = n, j
    if ucol is not None:
        for i in below:
            code = _unit_code(m[i][ucol])
            if code in ctx.unit_levels:
                coded_levels.update(ctx.unit_levels[code])
    ncol = markers.get("unit_name")
    if ncol is None and ucol is None:
        best = 0
        for j in others:
            n = sum(
                1
                for i in below
                if isinstance(m[i][j], str)
                and m[i][j].strip()
                and (fold(m[i][j]) in ctx.name_keys or loose_key(m[i][j]) in ctx.name_keys)
            )
            if n > best:
                best, ncol = n, j
    pcol = markers.get("parent_code")
    pncol = markers.get("parent_name")
    scan_hits = bool(scan and (scan.no_value or scan.errors))
    formats = scan.formats if scan is not None else {}

    def cell_state(i: int, j: int) -> tuple[object, str | None]:
        value = m[i][j]
        formula = None
        if scan_hits and scan is not None:
            pos = o.pos(i, j)
            if pos in scan.errors:
                formula = scan.errors[pos]
            elif pos in scan.no_value:
                formula = "no_value"
        return value, formula

    if ucol is None and ncol is None:
        has_values = any(_filled(m[i][j]) for i in below for j in ind_cols)
        if has_values:
            result.issues.append(Issue("no_unit_column", sheet=name))
        result.layout = SheetLayout(
            name, _kind(o), o.line_name(h, True), None, tuple(ind_cols.values()), 0
        )
        return result

    majority = coded_levels.most_common(1)[0][0] if coded_levels else None
    if o.transposed:
        levels: tuple[str, ...] = ("province",)
    elif pcol is not None or pncol is not None or majority == "commune":
        levels = ("commune",)
    else:
        levels = ("agencies", "district")

    # Which lines are units, which carry qualifiers.
    unit_rows: list[int] = []
    qualifier_of: dict[int, int] = {}
    for i in below:
        code_cell = m[i][ucol] if ucol is not None else None
        if isinstance(code_cell, str) and code_cell.strip() == QUALIFIER_MARKER:
            if unit_rows:
                qualifier_of[unit_rows[-1]] = i
            continue
        unit_rows.append(i)

    parent_code: object = None
    parent_name: object = None
    parent_code_cell = parent_name_cell = None
    reported = 0
    for i in unit_rows:
        row = m[i]
        # An empty district cell takes the one above it (merged cells read that way).
        if pcol is not None and _filled(row[pcol]):
            parent_code, parent_code_cell = row[pcol], o.ref(i, pcol)
        if pncol is not None and _filled(row[pncol]):
            parent_name, parent_name_cell = row[pncol], o.ref(i, pncol)
        code = row[ucol] if ucol is not None else None
        uname = row[ncol] if ncol is not None else None
        values = []
        for j, indicator in ind_cols.items():
            value, formula = cell_state(i, j)
            if _filled(value) or formula:
                values.append((j, indicator, value, formula))
        if not values:
            continue
        if not _filled(code) and not _filled(uname):
            if not o.transposed:
                result.issues.append(
                    Issue("row_without_unit", name, o.ref(i, values[0][0]), _text(values[0][2]))
                )
            continue
        if not _filled(code) and isinstance(uname, str) and _is_total(uname):
            result.issues.append(
                Issue("total_row_ignored", name, o.ref(i, ncol or 0), uname.strip())
            )
            continue
        if (
            not _filled(code)
            and isinstance(uname, str)
            and fold(uname) not in ctx.name_keys
            and loose_key(uname) not in ctx.name_keys
            and not any(_numeric_like(v) or f for _, _, v, f in values)
        ):
            # A note under the grid ("Nguồn: …" and words in the value columns), not a unit.
            result.issues.append(
                Issue("note_row_ignored", name, o.ref(i, ncol or 0), uname.strip())
            )
            continue
        reported += 1
        unit_j = ucol if _filled(code) and ucol is not None else ncol
        qi = qualifier_of.get(i)
        for j, indicator, value, formula in values:
            qualifier = m[qi][j] if qi is not None else None
            result.entries.append(
                RawEntry(
                    sheet=name,
                    cell=o.ref(i, j),
                    indicator=indicator,
                    indicator_cell=o.ref(h, j),
                    value=value,
                    unit_code=code if _filled(code) else None,
                    unit_name=uname.strip() if isinstance(uname, str) and uname.strip() else None,
                    unit_cell=o.ref(i, unit_j) if unit_j is not None else None,
                    parent_code=parent_code,
                    parent_name=parent_name.strip() if isinstance(parent_name, str) else None,
                    parent_cell=parent_code_cell if _filled(parent_code) else parent_name_cell,
                    qualifier=qualifier if _filled(qualifier) else None,
                    qualifier_cell=o.ref(qi, j) if qi is not None else None,
                    formula=formula,
                    levels=levels,
                    shown_as=formats.get(o.pos(i, j)) if formats else None,
                )
            )
    unit_line = ucol if ucol is not None else ncol
    result.layout = SheetLayout(
        name,
        _kind(o),
        o.line_name(h, True),
        o.line_name(unit_line, False) if unit_line is not None else None,
        tuple(ind_cols.values()),
        reported,
    )
    return result


def _numeric_like(value: object) -> bool:
    """A value that is, or might be meant as, a figure (a number, a date Excel made of one, or a
    text with a digit in it)."""
    if isinstance(value, str):
        return any(ch.isdigit() for ch in value)
    return not isinstance(value, bool)


def _kind(o: _Oriented) -> str:
    return "list" if o.transposed else "grid"


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _is_total(name: str) -> bool:
    key = fold(name).strip(" :.")
    return key in {
        "tong",
        "tong cong",
        "cong",
        "total",
        "tong so",
        "toan tinh",
        "sum",
        "grand total",
    }


def _metadata(name: str, rows: list[list[Any]]) -> dict[str, MetaValue]:
    found: dict[str, MetaValue] = {}
    keys = set(METADATA_KEYS)
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if isinstance(value, str) and value.strip() in keys and value.strip() not in found:
                k = len(row) - 1
                while k > j and not _filled(row[k]):
                    k -= 1
                if k > j:
                    found[value.strip()] = MetaValue(row[k], name, a1(i, k))
    return found
