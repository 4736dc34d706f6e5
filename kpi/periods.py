"""Quarters: ``2019-Q1`` in code and files, "Quý I/2019" on screen (DESIGN.md section 3)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import total_ordering

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_FROM_ROMAN = {v: k for k, v in ROMAN.items()}

_PATTERNS = [
    re.compile(r"^(?P<y>\d{4})\s*-?\s*Q(?P<q>[1-4])$", re.I),  # 2019-Q1, 2019Q1
    re.compile(r"^Q(?P<q>[1-4])\s*[/ -]\s*(?P<y>\d{4})$", re.I),  # Q1 2019, Q1/2019
    re.compile(
        r"^(?:QUY|Q)\s*(?P<r>IV|I{1,3}|[1-4])\s*[/ -]\s*(?P<y>\d{4})$", re.I
    ),  # Quý I/2019, QI/2019
]


class PeriodError(ValueError):
    """A text that is not a quarter."""


@total_ordering
@dataclass(frozen=True)
class Period:
    year: int
    quarter: int

    def __post_init__(self) -> None:
        if not 1 <= self.quarter <= 4 or not 1900 <= self.year <= 2200:
            raise PeriodError(f"not a quarter: {self.year}-Q{self.quarter}")

    @classmethod
    def parse(cls, text: str | Period) -> Period:
        if isinstance(text, Period):
            return text
        raw = unicodedata.normalize("NFC", str(text)).strip()
        folded = _fold(raw)
        for pattern in _PATTERNS:
            m = pattern.match(folded)
            if m:
                q = m.groupdict().get("q") or m.group("r")
                quarter = int(q) if q.isdigit() else _FROM_ROMAN[q.upper()]
                return cls(int(m.group("y")), quarter)
        raise PeriodError(f"not a quarter: {raw!r} (expected e.g. 2019-Q1 or Quý I/2019)")

    @property
    def code(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    def __str__(self) -> str:
        return self.code

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return (self.year, self.quarter) < (other.year, other.quarter)

    def label(self, lang: str = "vi") -> str:
        if lang == "vi":
            return f"Quý {ROMAN[self.quarter]}/{self.year}"
        return f"Q{self.quarter} {self.year}"

    @property
    def index(self) -> int:
        return self.year * 4 + self.quarter - 1

    @classmethod
    def from_index(cls, index: int) -> Period:
        return cls(index // 4, index % 4 + 1)

    def shift(self, quarters: int) -> Period:
        return Period.from_index(self.index + quarters)

    def previous(self) -> Period:
        return self.shift(-1)

    def year_ago(self) -> Period:
        return self.shift(-4)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> dt.date:
        nxt = self.shift(1).start
        return nxt - dt.timedelta(days=1)


def period_range(first: Period | str, last: Period | str) -> list[Period]:
    a, b = Period.parse(first), Period.parse(last)
    return [Period.from_index(i) for i in range(a.index, b.index + 1)]


def year_label(year: int, lang: str = "vi") -> str:
    return f"Năm {year}" if lang == "vi" else str(year)


def _fold(text: str) -> str:
    """'Quý' -> 'QUY', for matching period texts typed any way."""
    nfd = unicodedata.normalize("NFD", text)
    return "".join(c for c in nfd if unicodedata.category(c) != "Mn").upper().replace("Đ", "D")
