"""The report's quarter (from its title and text, the date only as a flagged fallback), its own
number and date, and the province it is about."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import defaultdict
from dataclasses import dataclass, field

from kpi.periods import Period, PeriodError
from loaders.report.numbers import fold, similarity

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_YEAR_LOOKALIKES = str.maketrans({"l": "1", "o": "0", "}": "0", "{": "0", "g": "9", "z": "2"})
_QWORD = r"(?<![a-z0-9])q(?:u[a-z?]{0,2})?"
_QPART = r"(?P<q>iv|iii|ii1|ii|i|1v|lv|lll|ll|l|[1-4])"
_YEAR = r"(?P<y>[12][0-9lo}{gz]{3})(?![0-9])"
_CLEAN_SEP = re.compile(_QWORD + r"\s*" + _QPART + r"\s*(?:/|-|\s+n\S{1,2}m\s*)\s*" + _YEAR)
_GLUED_SEP = re.compile(_QWORD + r"\s*" + _QPART + r"[1l|]" + _YEAR)
_BARE = re.compile(_QWORD + r"\s*" + _QPART + r"\s*" + _YEAR)
_NO_YEAR = re.compile(_QWORD + r"\s+" + _QPART + r"(?![a-z0-9/])")
#: words shortly before a quarter that make it the quarter of the plans, not of the report
_PLANS = ("phuong huong", "chuong trinh cong tac", "ke hoach", "du kien", "trong tam", "quy toi")
_DATE_WORDS = re.compile(
    r"ng\S{1,2}y\s+(\d{1,2})\s+th\S{1,3}ng\s+(\d{1,2})\s+n\S{1,2}m\s+([12][0-9lo]{3})"
)
_DATE_SLASH = re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/((?:19|20)\d{2})(?!\d)")
_NUMBER = re.compile(r"(?<![a-z])s[o6]\s*[:,.]?\s*([0-9a-z]{1,6})\s*/\s*([a-z0-9-]{2,})")


@dataclass
class PeriodFinding:
    """What the text says about its quarter."""

    period: Period | None
    source: str  # title | text | date | none
    line: int | None = None
    needs_review: bool = False
    candidates: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "found": self.period.code if self.period else None,
            "source": self.source,
            "line": self.line,
            "needs_review": self.needs_review,
            "candidates": {k: round(v, 2) for k, v in self.candidates.items()},
        }


def _quarter(q: str) -> int | None:
    q = q.replace("l", "i").replace("1", "i") if not q.isdigit() or len(q) > 1 else q
    if q.isdigit():
        return int(q)
    return _ROMAN.get(q)


def _year(y: str) -> int | None:
    y = y.translate(_YEAR_LOOKALIKES)
    return int(y) if y.isdigit() and 1990 <= int(y) <= 2100 else None


def quarters_in(text: str) -> list[tuple[Period, int, int, bool]]:
    """(period, start, end, clean) of every quarter named in a line (folded text)."""
    key = fold(text)
    found: list[tuple[Period, int, int, bool]] = []
    taken: list[tuple[int, int]] = []
    for pattern, clean in ((_CLEAN_SEP, True), (_GLUED_SEP, False), (_BARE, False)):
        for m in pattern.finditer(key):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            q, y = _quarter(m.group("q")), _year(m.group("y"))
            if q is None or y is None or not 1 <= q <= 4:
                continue
            damaged = clean and not m.group("y").isdigit()
            try:
                found.append((Period(y, q), m.start(), m.end(), clean and not damaged))
            except PeriodError:
                continue
            taken.append((m.start(), m.end()))
    return found


def find_period(lines: list[str], title_lines: int = 12) -> PeriodFinding:
    """The report's quarter: a vote over every quarter the text names (the title counts most,
    quarters of the plans for the next quarter not at all); failing that, the quarter of the
    report's date, flagged, since reports are written before their quarter ends."""
    votes: dict[Period, float] = defaultdict(float)
    first_line: dict[Period, int] = {}
    for n, line in enumerate(lines, start=1):
        before_key = fold(" ".join(lines[max(0, n - 2) : n - 1]))
        key = fold(line)
        for period, start, _end, clean in quarters_in(line):
            context = (before_key + " " + key[:start])[-60:]
            if any(word in context for word in _PLANS) or _plan_words(context.split()[-6:]):
                continue
            weight = (3.0 if clean else 1.0) * (2.0 if n <= title_lines else 1.0)
            votes[period] += weight
            first_line.setdefault(period, n)
    if votes:
        ranked = sorted(votes.items(), key=lambda kv: -kv[1])
        best, weight = ranked[0]
        doubt = len(ranked) > 1 and ranked[1][1] >= weight * 0.5
        source = "title" if first_line[best] <= title_lines else "text"
        return PeriodFinding(
            best,
            source,
            first_line[best],
            needs_review=doubt,
            candidates={p.code: w for p, w in ranked},
        )
    date, line_no = report_date(lines)
    # "BÁO CÁO QUÝ I" without its year: the year of the report's date, or named in the title
    for n, line in enumerate(lines[:title_lines], start=1):
        m = _NO_YEAR.search(fold(line))
        if m is None:
            continue
        q = _quarter(m.group("q"))
        years = [
            int(y)
            for y in re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", " ".join(lines[:title_lines]))
        ]
        year = date.year if date is not None else (years[0] if years else None)
        if q and 1 <= q <= 4 and year:
            return PeriodFinding(Period(year, q), "title", n, needs_review=True)
    if date is not None:
        q = (date.month - 1) // 3 + 1
        return PeriodFinding(Period(date.year, q), "date", line_no, needs_review=True)
    return PeriodFinding(None, "none", needs_review=True)


def report_date(lines: list[str], head: int = 15) -> tuple[dt.date | None, int | None]:
    """The date the report was signed ("ngày 14 tháng 3 năm 2019", "14/03/2019") in its head."""
    # The signing line's "ngày 14 tháng 3 năm 2019" first; a date like 25/3/2022 only on a line
    # that cites no other document ("Kèm theo Công văn số 215/STTTT-VP ngày 25/3/2022").
    found = [(n, _DATE_WORDS.search(fold(line))) for n, line in enumerate(lines[:head], start=1)]
    found += [
        (n, _DATE_SLASH.search(fold(line)))
        for n, line in enumerate(lines[:head], start=1)
        if not any(w in fold(line).split() for w in _CITED | {"so", "theo"})
    ]
    for n, m in found:
        if m:
            year = _year(m.group(3))
            try:
                if year is not None:
                    return dt.date(year, int(m.group(2)), int(m.group(1))), n
            except ValueError:
                continue
    return None, None


def report_number(lines: list[str], head: int = 15) -> str | None:
    """The report's own number ("Số: 198/BC-STTTT"), as it appears."""
    for line in lines[:head]:
        key = fold(line)
        if len(key) != len(line):
            continue
        for m in _NUMBER.finditer(key):
            before = key[: m.start()].split()[-1:]
            if before and before[0] in _CITED:
                continue  # "Công văn số 215/STTTT": a document the report cites
            return f"{line[m.start(1) : m.end(1)]}/{line[m.start(2) : m.end(2)]}"
    return None


#: words before "số" that make it another document's number, not the report's own
_CITED = {"van", "dinh", "thi", "tu", "hoach", "quyet", "cao", "luat", "trinh"}


def find_province(lines: list[str], provinces: dict[str, str]) -> str | None:
    """The code of the province whose name the text names most often (names from the units)."""
    counts: dict[str, int] = defaultdict(int)
    for line in lines:
        words = fold(line).replace(",", " ").split()
        for code, name in provinces.items():
            parts = fold(name).split()
            k = len(parts)
            for i in range(len(words) - k + 1):
                if all(similarity(words[i + j], parts[j]) >= 0.6 for j in range(k)):
                    counts[code] += 1
    if not counts:
        return None
    return max(counts, key=lambda c: counts[c])


_HEADING = re.compile(r"^\s*(?:[ivxlr1]{1,4}|[a-d])\s*[.)]\s*(?!\d)")
_PLAN_WORDS = ("phuong huong", "trong tam", "quy toi", "tiep theo", "ke hoach")


def plans_start(lines: list[str], period: Period | None, after: int = 8) -> int | None:
    """The index of the heading where the plans for the next quarter begin ("II. PHƯƠNG HƯỚNG
    NHIỆM VỤ QUÝ IV/2020"): numbers from there on are plans, not figures of the report."""
    for i, line in enumerate(lines):
        if i < after:
            continue
        key = fold(line)
        if not _HEADING.match(key):
            continue
        words = key.split()
        pairs = list(itertools.pairwise(words))
        tasks = any(similarity(a, "nhiem") >= 0.7 and similarity(b, "vu") >= 0.5 for a, b in pairs)
        direction = any(
            similarity(a, "phuong") >= 0.6 and similarity(b, "huong") >= 0.6 for a, b in pairs
        )
        later = any(p > period for p, *_ in quarters_in(line)) if period else False
        if any(w in key for w in _PLAN_WORDS) or direction or later or (tasks and later):
            return i
    return None


_PLAN_PAIRS = (("phuong", "huong"), ("chuong", "trinh"), ("du", "kien"), ("trong", "tam"))


def _plan_words(words: list[str]) -> bool:
    """OCR-damaged words of the plans ("phuong hu6ng") before a quarter; "nhiệm vụ" right
    before it ("nhiệm vụ quý IV/2020")."""
    pairs = list(itertools.pairwise(words))
    if any(
        similarity(a, x) >= 0.7 and similarity(b, y) >= 0.7
        for a, b in pairs
        for x, y in _PLAN_PAIRS
    ):
        return True
    # "nhiệm vụ quý IV/2020" (the plans), not "thực hiện nhiệm vụ quý III/2020" (the report)
    if (
        len(words) >= 2
        and similarity(words[-2], "nhiem") >= 0.7
        and similarity(words[-1], "vu") >= 0.5
    ):
        return not (len(words) >= 3 and similarity(words[-3], "hien") >= 0.6)
    return False
