"""The page of an administrative document (Decree 30/2020/NĐ-CP) in python-docx: A4, margins,
Times New Roman, page numbers centred in the top margin from the second page, the letterhead,
tables and highlighted runs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from kpi.briefing.text import Run

FONT = "Times New Roman"  #: Liberation Serif (metric-compatible) stands in where Times is absent
BODY_PT = 14
SMALL_PT = 12
TABLE_PT = 11
PAGE_MM = (210, 297)
#: Decree 30/2020/NĐ-CP: top and bottom 20-25 mm, left 30-35 mm, right 15-20 mm
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
CONTENT_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]


def _fonts(rpr_owner: object) -> None:
    """Times New Roman for every script (Latin, complex, East Asian), so that Vietnamese
    letters with two marks never fall back to another face."""
    rpr = rpr_owner.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def new_document() -> DocxDocument:
    """An empty A4 document with the decree's margins, fonts and a header that numbers the
    pages from the second one (none on the first)."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    for name in ("Normal", "Heading 1", "Heading 2", "Heading 3", "Title", "Table Grid"):
        style = doc.styles[name]
        style.font.name = FONT  # type: ignore[union-attr]
        _fonts(style.element)
        if name.startswith("Heading") or name == "Title":
            style.font.color.rgb = None  # type: ignore[union-attr]
            style.font.size = Pt(BODY_PT)  # type: ignore[union-attr]
            style.font.bold = True  # type: ignore[union-attr]
            style.font.italic = False  # type: ignore[union-attr]
            fmt = style.paragraph_format  # type: ignore[union-attr]
            fmt.space_before = Pt(6)
            fmt.space_after = Pt(6)
            fmt.keep_with_next = True
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)  # type: ignore[union-attr]
    fmt = normal.paragraph_format  # type: ignore[union-attr]
    fmt.space_after = Pt(6)
    fmt.line_spacing = 1.15
    section.different_first_page_header_footer = True
    first = section.first_page_header
    first.is_linked_to_previous = False
    header = section.header
    header.is_linked_to_previous = False
    para = header.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(para)
    return doc


def _page_field(paragraph: Paragraph) -> None:
    """A PAGE field: the page number, updated by Word and LibreOffice when shown."""
    run = paragraph.add_run()
    run.font.size = Pt(BODY_PT)
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("end", None)):
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._r.append(el)
        if kind == "separate":
            shown = OxmlElement("w:t")
            shown.text = "2"
            run._r.append(shown)


def add_runs(
    paragraph: Paragraph,
    runs: Sequence[Run],
    *,
    size: int = BODY_PT,
    bold: bool = False,
    italic: bool = False,
) -> None:
    """Runs into a paragraph; missing parts highlighted in yellow."""
    for r in runs:
        run = paragraph.add_run(r.text)
        run.font.size = Pt(size)
        run.font.name = FONT
        run.bold = bold or None
        run.italic = italic or None
        if r.missing:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def line(
    container: Any,
    text: str,
    *,
    size: int = BODY_PT,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH | None = None,
    style: str | None = None,
    space_after: int | None = None,
) -> Paragraph:
    """One paragraph of one run."""
    para: Paragraph = container.add_paragraph(style=style) if style else container.add_paragraph()
    if align is not None:
        para.alignment = align
    if space_after is not None:
        para.paragraph_format.space_after = Pt(space_after)
    add_runs(para, [Run(text)], size=size, bold=bold, italic=italic)
    return para


def _cell_paragraph(cell: object) -> Paragraph:
    para: Paragraph = cell.paragraphs[0]  # type: ignore[attr-defined]
    para.paragraph_format.space_after = Pt(0)
    return para


def no_borders(table: Table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def set_widths(table: Table, widths_mm: Sequence[float]) -> None:
    """Fixed column widths that Word and LibreOffice both keep: the table's width, a fixed
    layout, the grid and every cell."""
    tbl_pr = table._tbl.tblPr
    total = OxmlElement("w:tblW")
    total.set(qn("w:w"), str(int(Mm(sum(widths_mm)).twips)))
    total.set(qn("w:type"), "dxa")
    for old in tbl_pr.findall(qn("w:tblW")):
        tbl_pr.remove(old)
    tbl_pr.append(total)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    for col, width in zip(table.columns, widths_mm, strict=True):
        col.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


def two_columns(doc: DocxDocument, left_mm: int) -> Table:
    """A borderless table of two columns for the letterhead and the signature block."""
    table: Table = doc.add_table(rows=1, cols=2)
    no_borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    set_widths(table, (left_mm, CONTENT_MM - left_mm))
    return table


def cell_lines(
    cell: object,
    lines: Sequence[tuple[str, int, bool, bool]],
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
) -> None:
    """Lines (text, size, bold, italic) into a table cell, one paragraph each."""
    first = True
    for text, size, bold, italic in lines:
        para = _cell_paragraph(cell) if first else cell.add_paragraph()  # type: ignore[attr-defined]
        first = False
        para.alignment = align
        para.paragraph_format.space_after = Pt(0)
        para.paragraph_format.line_spacing = 1.0
        add_runs(para, [Run(text)], size=size, bold=bold, italic=italic)


def grid(
    doc: DocxDocument,
    header: Sequence[str],
    rows: Sequence[Sequence[Run]],
    widths_mm: Sequence[float],
    *,
    size: int = TABLE_PT,
    text_columns: int = 1,
) -> Table:
    """A table with borders: a bold header row repeated on each page, then one row per item;
    the first ``text_columns`` left-aligned, numbers right-aligned, missing ones highlighted."""
    table: Table = doc.add_table(rows=1, cols=len(header))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    head = table.rows[0]
    tr_pr = head._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    for i, text in enumerate(header):
        para = _cell_paragraph(head.cells[i])
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        add_runs(para, [Run(text)], size=size, bold=True)
    for values in rows:
        cells = table.add_row().cells  # type: ignore[no-untyped-call]
        for i, run in enumerate(values):
            para = _cell_paragraph(cells[i])
            left = i < text_columns
            para.alignment = WD_ALIGN_PARAGRAPH.LEFT if left else WD_ALIGN_PARAGRAPH.RIGHT
            add_runs(para, [run], size=size)
    set_widths(table, widths_mm)
    return table
