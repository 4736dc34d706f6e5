"""Files to lines of text: plain text, .docx (paragraphs, tables and the fonts of their runs),
PDF text layers, scans (through ``ocr``); hostile or mislabelled files refused before reading."""

from __future__ import annotations

import io
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import Any

from kpi.config import Settings
from kpi.limits import upload_limit
from loaders.report.decode import convert_legacy, decode_bytes, detect_legacy, font_encoding, nfc
from loaders.report.model import Cell, Document, Line, ReportError

TEXT_EXT = {".txt", ".text", ".md", ""}
IMAGE_EXT = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
SUPPORTED = TEXT_EXT | IMAGE_EXT | {".docx", ".pdf"}
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def sniff(content: bytes) -> str:
    """What the bytes are, whatever the name says."""
    if content.startswith(b"%PDF"):
        return "pdf"
    if content.startswith(b"PK\x03\x04"):
        return "zip"
    if content.startswith(b"\x89PNG"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if content.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"  # .doc, .xls of old
    return "text"


_EXPECTED = {".docx": "zip", ".pdf": "pdf", ".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg"}
_EXPECTED |= {".tif": "tiff", ".tiff": "tiff"}


def read_document(content: bytes, name: str, settings: Settings) -> Document:
    """The lines of a report file; ReportError for what cannot or must not be read."""
    if not content:
        raise ReportError("empty", file=name)
    limit = upload_limit("report", settings)
    if len(content) > limit.max_bytes:
        raise ReportError("too_large", file=name, limit=limit.max_mb)
    ext = Path(name).suffix.lower()
    kind = sniff(content)
    if ext not in SUPPORTED:
        raise ReportError("unsupported", file=name, ext=ext or "?")
    expected = _EXPECTED.get(ext, "text")
    if kind != expected:
        raise ReportError("mislabelled", file=name, ext=ext or "txt", found=kind)
    if kind == "text":
        return _text(content)
    if kind == "zip":
        return _docx(content, name, settings)
    if kind == "pdf":
        return _pdf(content, name, settings)
    return _image(content, name, settings)


def _text(content: bytes) -> Document:
    text, encoding = decode_bytes(content)
    legacy = detect_legacy(text)
    lines = [
        Line(n, raw, convert_legacy(raw, legacy) if legacy else raw)
        for n, raw in enumerate(text.splitlines(), start=1)
    ]
    return Document(lines, "txt", encoding=encoding, legacy=legacy)


# ----------------------------------------------------------------------------------------------
# Word
# ----------------------------------------------------------------------------------------------


def _check_zip(content: bytes, name: str, settings: Settings) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
    except zipfile.BadZipFile as exc:
        raise ReportError("unreadable", file=name, detail="zip") from exc
    if "word/document.xml" not in names:
        raise ReportError("mislabelled", file=name, ext=".docx", found="zip")
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if len(infos) > 5000 or total > settings.report_max_unzipped_bytes or total / packed > 200:
        raise ReportError(
            "zip_bomb", file=name, limit=settings.report_max_unzipped_bytes // (1024 * 1024)
        )
    if any(i.flag_bits & 0x1 for i in infos):
        raise ReportError("encrypted", file=name)


def _run_font(run: Any, default: str | None) -> str | None:
    rpr = run._element.rPr
    if rpr is not None and rpr.rFonts is not None:
        for attr in ("ascii", "hAnsi", "cs"):
            value = rpr.rFonts.get(f"{_W}{attr}")
            if value:
                return str(value)
    return default


def _paragraph(par: Any, default_font: str | None) -> tuple[str, str, str | None]:
    """(as it appears, as read, the legacy encoding met) of one paragraph."""
    raw_parts: list[str] = []
    read_parts: list[str] = []
    legacy: str | None = None
    style_font = None
    try:
        style_font = par.style.font.name if par.style is not None else None
    except (AttributeError, KeyError):
        style_font = None
    for run in par.runs:
        text = run.text
        raw_parts.append(text)
        enc, caps = font_encoding(_run_font(run, style_font or default_font))
        if enc:
            legacy = enc
        read_parts.append(convert_legacy(text, enc, capitals=caps) if enc else text)
    raw = "".join(raw_parts) if par.runs else par.text
    read = "".join(read_parts) if par.runs else par.text
    if legacy is None:
        detected = detect_legacy(read)
        if detected:
            legacy = detected
            read = convert_legacy(read, detected)
    return nfc(raw), nfc(read), legacy


def _docx(content: bytes, name: str, settings: Settings) -> Document:
    _check_zip(content, name, settings)
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(content))
    except Exception as exc:  # python-docx raises many kinds on a broken package
        raise ReportError("unreadable", file=name, detail=type(exc).__name__) from exc
    try:
        default_font = document.styles["Normal"].font.name
    except KeyError:
        default_font = None
    lines: list[Line] = []
    legacy: str | None = None
    n = 0
    t_index = 0
    for child in document.element.body.iterchildren():
        if child.tag == f"{_W}p":
            n += 1
            raw, read, enc = _paragraph(Paragraph(child, document), default_font)
            legacy = legacy or enc
            lines.append(Line(n, raw, read))
        elif child.tag == f"{_W}tbl":
            n += 1
            t_index += 1
            table = Table(child, document)
            rows: list[list[tuple[str, str]]] = []
            for row in table.rows:
                cells: list[tuple[str, str]] = []
                for cell in row.cells:
                    parts = [_paragraph(p, default_font) for p in cell.paragraphs]
                    for _r, _d, enc in parts:
                        legacy = legacy or enc
                    cells.append(
                        (
                            " ".join(p[0] for p in parts).strip(),
                            " ".join(p[1] for p in parts).strip(),
                        )
                    )
                rows.append(cells)
            lines.extend(table_lines(rows, t_index, n))
    return Document(lines, "docx", legacy=legacy)


def table_lines(rows: list[list[tuple[str, str]]], table: int, line: int) -> list[Line]:
    """One line per cell below the header row, with the row's label and the column's header;
    the reader decides which columns hold the report's quarter."""
    if len(rows) < 2:
        return []
    # The header is every row above the first that holds a figure (a title row, then "Quý
    # II/2021" over "Thực hiện | Kế hoạch"): each column's header joins its cells' texts.
    first = next(
        (i for i, row in enumerate(rows) if any(is_value_cell(read) for _r, read in row[1:])),
        1,
    )
    first = max(first, 1)
    width = max(len(row) for row in rows)
    # A text in every column of a header row is the table's title (a merged cell), not a
    # column's: "KẾT QUẢ THỰC HIỆN KẾ HOẠCH NĂM 2021" says nothing of each column.
    titles = {row[0][1] for row in rows[:first] if len(row) > 1 and len({r for _x, r in row}) == 1}
    header = []
    for c in range(width):
        parts: list[str] = []
        for row in rows[:first]:
            text = row[c][1] if c < len(row) else ""
            if text and text not in parts and text not in titles:
                parts.append(text)
        header.append(" ".join(parts))
    out: list[Line] = []
    for r, row in enumerate(rows[first:], start=first + 1):
        label_parts: list[str] = []
        for c, (raw, read) in enumerate(row, start=1):
            head = header[c - 1] if c - 1 < len(header) else ""
            if _is_serial(head):
                continue
            if not is_value_cell(read):
                label_parts.append(read)
                continue
            label = " ".join(p for p in label_parts if p)
            out.append(Line(line, raw, read, cell=Cell(table, r, c, head), label=label))
    return out


def is_value_cell(text: str) -> bool:
    """A cell that holds one number (with a qualifier or a % sign), not a label that has digits
    in it ("Dịch vụ công trực tuyến mức độ 3")."""
    from loaders.report.numbers import tokenize

    toks = [t for t in tokenize(text, 0) if t.kind != "punct"]
    numbers = [t for t in toks if t.kind == "number"]
    return len(numbers) == 1 and len(toks) <= 2 and not text.strip().endswith(":")


def _is_serial(header: str) -> bool:
    from loaders.report.numbers import fold

    return fold(header).strip(" .") in {"stt", "tt", "so tt", "so thu tu"}


# ----------------------------------------------------------------------------------------------
# PDF and images
# ----------------------------------------------------------------------------------------------


def _pdf(content: bytes, name: str, settings: Settings) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            raise ReportError("encrypted", file=name)
        pages = len(reader.pages)
    except ReportError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ReportError("unreadable", file=name, detail=type(exc).__name__) from exc
    if pages > settings.report_max_pages:
        raise ReportError("too_many_pages", file=name, pages=pages, limit=settings.report_max_pages)
    texts: list[str] = []
    for page in reader.pages:
        try:
            texts.append(page.extract_text() or "")
        except (PdfReadError, ValueError, KeyError, TypeError) as exc:
            raise ReportError("unreadable", file=name, detail=type(exc).__name__) from exc
    if sum(len(t.strip()) for t in texts) >= 40 * pages:
        raw_lines = [ln for t in texts for ln in t.splitlines()]
        text = nfc("\n".join(raw_lines))
        legacy = detect_legacy(text)
        lines = [
            Line(n, raw, convert_legacy(raw, legacy) if legacy else raw)
            for n, raw in enumerate(text.splitlines(), start=1)
        ]
        return Document(lines, "pdf", legacy=legacy, pages=pages)
    for page in reader.pages:
        box = page.mediabox
        pixels = float(box.width) / 72 * 200 * float(box.height) / 72 * 200
        if pixels > settings.report_max_pixels:
            raise ReportError(
                "too_many_pixels", file=name, limit=settings.report_max_pixels // 1_000_000
            )
    from loaders.report.ocr import ocr_pdf

    return Document(ocr_pdf(content, pages, settings), "ocr", pages=pages)


def _image(content: bytes, name: str, settings: Settings) -> Document:
    from PIL import Image

    limit = settings.report_max_pixels // 1_000_000
    try:
        with warnings.catch_warnings():
            # Pillow warns of a decompression bomb before it refuses one: both are refusals.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as img:
                w, h = img.size
                frames = getattr(img, "n_frames", 1)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise ReportError("too_many_pixels", file=name, limit=limit) from exc
    except (OSError, ValueError) as exc:
        raise ReportError("unreadable", file=name, detail=type(exc).__name__) from exc
    if w * h > settings.report_max_pixels:
        raise ReportError(
            "too_many_pixels", file=name, limit=settings.report_max_pixels // 1_000_000
        )
    if frames > settings.report_max_pages:
        raise ReportError(
            "too_many_pages", file=name, pages=frames, limit=settings.report_max_pages
        )
    from loaders.report.ocr import ocr_image

    with tempfile.TemporaryDirectory(prefix="kpi-ocr-") as tmp:
        path = Path(tmp) / f"scan{Path(name).suffix.lower()}"
        path.write_bytes(content)
        return Document(ocr_image(path, settings), "ocr", pages=frames)
