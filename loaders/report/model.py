"""The reader's data: lines of a document, proposals, checks, and the reader's errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


class ReportError(ValueError):
    """A file the reader refuses; ``code`` is stable and names a message in the locale files
    (``report.error.<code>``), ``params`` fill it."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(f"{code}: {params}" if params else code)
        self.code = code
        self.params = params

    def message(self, lang: str = "vi") -> str:
        from kpi.i18n import t

        defaults = {"file": "", "detail": "", "limit": "", "ext": "", "found": "", "pages": ""}
        return t(f"report.error.{self.code}", lang, **(defaults | self.params))


@dataclass(frozen=True)
class Cell:
    """Where a table cell sits: table, row and column, counted from 1, and its column's header."""

    table: int
    row: int
    column: int
    header: str = ""


@dataclass
class Line:
    """One line of the document: as it appears in the file and as it was read (decoded from a
    legacy encoding, NFC). OCR lines carry each word's confidence (0-100)."""

    number: int
    text: str
    read: str
    cell: Cell | None = None
    label: str = ""
    word_conf: list[tuple[str, float]] | None = None


@dataclass
class Document:
    """The text of a report, whatever file it came in."""

    lines: list[Line]
    kind: str  # txt | docx | pdf | ocr
    encoding: str = "utf-8"
    legacy: str | None = None  # tcvn3 | vni when the text was typed in a legacy font
    pages: int = 0

    @property
    def text(self) -> str:
        return "\n".join(line.read for line in self.lines if line.cell is None)


@dataclass(frozen=True)
class Evidence:
    line: int
    text: str
    read: str
    cell: Cell | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"line": self.line, "text": self.text, "read": self.read}
        if self.cell is not None:
            out["table"] = self.cell.table
            out["row"] = self.cell.row
            out["column"] = self.cell.column
            out["header"] = self.cell.header
        return out

    @property
    def where(self) -> str:
        """A short reference kept with a stored figure (``source_cell``)."""
        if self.cell is not None:
            return f"T{self.cell.table}R{self.cell.row}C{self.cell.column}"
        return str(self.line)


@dataclass
class Proposal:
    indicator: str
    unit: str
    value: Decimal | None
    qualifier: str
    confidence: float
    needs_review: bool
    evidence: Evidence
    reasons: list[str] = field(default_factory=list)
    span: tuple[int, int] | None = None  # where the number sits in the read line

    def to_json(self) -> dict[str, Any]:
        value: Any = None
        if self.value is not None:
            value = (
                int(self.value)
                if self.value == self.value.to_integral_value()
                else float(self.value)
            )
        return {
            "indicator": self.indicator,
            "unit": self.unit,
            "value": value,
            "qualifier": self.qualifier,
            "confidence": round(self.confidence, 2),
            "needs_review": self.needs_review,
            "reasons": list(self.reasons),
            "evidence": self.evidence.to_json(),
        }


@dataclass(frozen=True)
class Check:
    """A consistency check: a stated total against its parts, or parts against their total."""

    code: str
    status: str  # ok | failed | incomplete | total_from_parts
    total: str
    parts: tuple[str, ...]
    expected: Decimal | None
    found: Decimal | None
    line: int | None = None

    def to_json(self) -> dict[str, Any]:
        def num(v: Decimal | None) -> Any:
            return None if v is None else (int(v) if v == v.to_integral_value() else float(v))

        return {
            "check": self.code,
            "status": self.status,
            "total": self.total,
            "parts": list(self.parts),
            "sum_of_parts": num(self.expected),
            "stated": num(self.found),
            "line": self.line,
        }
