"""The whole reading of one report: its quarter, province, number and date, the proposed figures
with their evidence and confidence, and the checks, as one JSON document (``kpi extract``)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from kpi.catalogue import Catalogue, load_catalogue
from kpi.config import DATA_DIR, Settings, get_settings
from kpi.periods import Period
from loaders.report.checks import run_checks, value_from_parts
from loaders.report.extract import read_document
from loaders.report.match import (
    SURE_SCORE,
    Candidate,
    Phrase,
    label_score,
    load_phrases,
    match_stream,
    phrase_words,
    with_names,
)
from loaders.report.model import Check, Document, Evidence, Line, Proposal
from loaders.report.numbers import Token, fold, similarity, tokenize
from loaders.report.period import (
    PeriodFinding,
    find_period,
    find_province,
    plans_start,
    quarters_in,
    report_date,
    report_number,
)

#: below this OCR word confidence (0-100) a number is flagged
OCR_DOUBT = 70.0
_OTHER_COLUMNS = (
    "quy truoc",
    "cung ky",
    "ke hoach",
    "so sanh",
    "%",
    "ty le",
    "tang",
    "giam",
    "chi tieu",
    "don vi",
    "dvt",
    "ghi chu",
    "luy ke",
    "nam truoc",
    "ky truoc",
)
_THIS_COLUMN = ("thuc hien", "ket qua", "so lieu", "quy nay", "ky bao cao", "ky nay")


@dataclass
class Reading:
    file_name: str
    sha256: str
    document: Document
    finding: PeriodFinding
    period: Period | None
    province: str | None
    number: str | None
    date: dt.date | None
    proposals: list[Proposal] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    stated: dict[str, tuple[Decimal, int]] = field(default_factory=dict)

    @property
    def period_differs(self) -> bool:
        """The period chosen (``--period``) is not the one the text names."""
        found = self.finding.period
        return bool(found and self.period and found != self.period)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file_name,
            "sha256": self.sha256,
            "kind": self.document.kind,
            "encoding": self.document.legacy or self.document.encoding,
            "period": self.period.code if self.period else None,
            "period_found": self.finding.to_json(),
            "province": self.province,
            "report_number": self.number,
            "report_date": self.date.isoformat() if self.date else None,
            "figures": [p.to_json() for p in self.proposals],
            "checks": [c.to_json() for c in self.checks],
        }


@lru_cache(maxsize=1)
def _province_rows() -> tuple[tuple[str, str, str, str], ...]:
    with (DATA_DIR / "units.csv").open(encoding="utf-8", newline="") as fh:
        return tuple(
            (r["code"], r["name"], r["valid_from"], r["valid_to"])
            for r in csv.DictReader(fh)
            if r["level"] == "province"
        )


def provinces(period: Period | None = None) -> dict[str, str]:
    """Province codes and names from the units file (the reader needs no database), those that
    existed in the quarter when one is given."""
    out: dict[str, str] = {}
    for code, name, start, end in _province_rows():
        if period is not None and (
            (start and start > period.end.isoformat()) or (end and end < period.start.isoformat())
        ):
            continue
        out[code] = name
    return out


@lru_cache(maxsize=1)
def _district_rows() -> tuple[tuple[str, tuple[str, ...], str, str, str], ...]:
    with (DATA_DIR / "units.csv").open(encoding="utf-8", newline="") as fh:
        return tuple(
            (r["code"], tuple(fold(r["name"]).split()), r["valid_from"], r["valid_to"], r["level"])
            for r in csv.DictReader(fh)
            if r["level"] in ("district", "agencies")
        )


def districts(period: Period | None) -> dict[str, tuple[str, ...]]:
    """District codes and their folded names ("huyen cang long"), those of the quarter; the
    provincial agencies too ("cac co quan cap tinh": their own unit, 84-CQ)."""
    out: dict[str, tuple[str, ...]] = {}
    for code, words, start, end, _level in _district_rows():
        if period is not None and (
            (start and start > period.end.isoformat()) or (end and end < period.start.isoformat())
        ):
            continue
        out[code] = words
    return out


def district_named(
    stream: list[Token], index: int, names: dict[str, tuple[str, ...]]
) -> str | None:
    """The district a number's sentence names before it ("Huyện Càng Long tiếp nhận 4.120 hồ
    sơ"), by its full name with its kind (huyện, thị xã, thành phố), or None."""
    words: list[str] = []
    k = index - 1
    while k >= 0 and len(words) < 16:
        t = stream[k]
        if t.kind == "punct" and t.text in (".", ";"):
            break
        if t.kind != "punct":
            words.append(t.key)
        k -= 1
    words.reverse()
    for code, name in names.items():
        n = len(name)
        for i in range(len(words) - n + 1):
            if all(similarity(words[i + j], name[j]) >= 0.8 for j in range(n)):
                return code
    return None


def read_report(
    content: bytes,
    name: str,
    *,
    period: Period | None = None,
    cat: Catalogue | None = None,
    settings: Settings | None = None,
    phrases: dict[str, list[Phrase]] | None = None,
) -> Reading:
    """Read a report file and propose its figures; nothing is stored."""
    settings = settings or get_settings()
    cat = cat or load_catalogue()
    phrases = phrases if phrases is not None else with_names(load_phrases(), cat)
    doc = read_document(content, name, settings)
    return read_document_figures(
        doc, name, hashlib.sha256(content).hexdigest(), period=period, cat=cat, phrases=phrases
    )


def read_document_figures(
    doc: Document,
    name: str,
    sha256: str,
    *,
    period: Period | None,
    cat: Catalogue,
    phrases: dict[str, list[Phrase]],
) -> Reading:
    text_lines = [ln for ln in doc.lines if ln.cell is None]
    plain = [ln.read for ln in text_lines]
    finding = find_period(plain)
    if finding.period is None:
        headers = sorted({ln.cell.header for ln in doc.lines if ln.cell is not None})
        from_tables = find_period(headers, title_lines=0)
        if from_tables.period is not None:
            finding = PeriodFinding(from_tables.period, "table", None, needs_review=True)
    chosen = period or finding.period
    names = provinces()
    of_quarter = provinces(chosen)
    province = find_province(plain[:40], names) or (
        next(iter(of_quarter)) if len(of_quarter) == 1 else None
    )
    date, _ = report_date(plain)
    reading = Reading(name, sha256, doc, finding, chosen, province, report_number(plain), date)
    unit = province or ""
    stream: list[Token] = []
    plans = plans_start(plain, chosen)
    for i, ln in enumerate(text_lines[:plans]):
        stream.extend(tokenize(ln.read, i))
    candidates, _skipped = match_stream(
        stream, phrases, cat, chosen.year if chosen is not None else None
    )
    district_names = districts(chosen)
    index = {id(t): i for i, t in enumerate(stream)}
    units = {id(c): district_named(stream, index[id(c.token)], district_names) for c in candidates}
    proposals = _choose(candidates, text_lines, cat, unit, reading, units)
    table = _tables(doc.lines, chosen, phrases, cat, unit)
    have = {p.indicator: p for p in proposals if p.unit == unit}
    for tp in table:
        other = have.get(tp.indicator)
        if other is None:
            proposals.append(tp)
            have[tp.indicator] = tp
        elif other.value != tp.value:
            for p in (other, tp):
                p.needs_review = True
                p.reasons.append("text_and_table_differ")
    # Totals whose digits did not survive: from their parts, flagged.
    for p in proposals:
        if p.value is None:
            p.value = value_from_parts(cat, p.indicator, proposals, unit)
            p.reasons.append("value_from_parts")
    proposals = [p for p in proposals if p.value is not None]
    order = {ind.code: k for k, ind in enumerate(cat.ordered())}
    proposals.sort(key=lambda p: (p.evidence.line, order.get(p.indicator, 0)))
    reading.proposals = proposals
    reading.checks = run_checks(cat, proposals, reading.stated, unit)
    return reading


def _ocr_conf(line: Line, tok: Token) -> float | None:
    if not line.word_conf:
        return None
    for word, conf in line.word_conf:
        if tok.text in word:
            return conf
    return None


def _choose(
    candidates: list[Candidate],
    lines: list[Line],
    cat: Catalogue,
    unit: str,
    reading: Reading,
    districts_of: dict[int, str | None],
) -> list[Proposal]:
    """One proposal per indicator and unit: the best reading, flagged when a rival reading of
    another value comes close. A number whose sentence names a district is that district's
    figure (flagged when the indicator is not reported by districts)."""
    by_ind: dict[tuple[str, str], list[Candidate]] = {}
    for cand in candidates:
        by_ind.setdefault((cand.indicator, districts_of.get(id(cand)) or unit), []).append(cand)
    out: list[Proposal] = []
    for (code, where), cands in by_ind.items():
        cands.sort(key=lambda c: (-c.weight, -c.score))
        best = cands[0]
        line = lines[best.token.line]
        if cat[code].is_derived:
            if best.token.value is not None and where == unit:
                reading.stated[code] = (best.token.value, line.number)
            continue
        reasons: list[str] = list(best.reasons)
        value = best.token.value
        if value is not None and cat[code].whole and value != value.to_integral_value():
            reasons.append("not_whole")  # "45.1O2" read short: a count has no decimals
        level = "agencies" if where.endswith("-CQ") else "district"
        if where != unit and level not in cat[code].levels:
            reasons.append("names_a_district")
        confidence = best.score
        if best.token.damaged:
            reasons.append("digits_from_letters")
            confidence *= 0.5
        if best.token.no_digit:
            reasons.append("no_digit")
            confidence *= 0.3
        if best.token.glued:
            reasons.append("glued_to_word")
            confidence *= 0.9
        conf = _ocr_conf(line, best.token)
        if conf is not None:
            confidence *= max(0.0, min(1.0, conf / 100))
            if conf < OCR_DOUBT:
                reasons.append("ocr_low_confidence")
        if best.score < SURE_SCORE:
            reasons.append("weak_phrase_match")
        rivals = [c for c in cands[1:] if c.token.value != best.token.value]
        if rivals and rivals[0].weight >= best.weight * 0.75:
            reasons.append("ambiguous")
            confidence *= 0.7
        flagged = [r for r in reasons if r != "glued_to_word"]
        out.append(
            Proposal(
                code,
                where,
                best.token.value,
                best.qualifier,
                round(confidence, 4),
                bool(flagged),
                Evidence(line.number, line.text, line.read),
                reasons,
                (best.token.start, best.token.end),
            )
        )
    return out


def column_kind(header: str, period: Period | None) -> str:
    """``this`` for the report's quarter, ``other`` for the previous quarter, the same quarter
    last year, a plan, a comparison, ``unknown`` when the header does not say."""
    key = fold(header)
    if any(w in key for w in _OTHER_COLUMNS):
        return "other"
    named = quarters_in(header)
    if named:
        if period is not None and all(p == period for p, _s, _e, _c in named):
            return "this"
        return "other"
    if any(w in key for w in _THIS_COLUMN):
        return "this"
    return "unknown"


def _tables(
    lines: list[Line],
    period: Period | None,
    phrases: dict[str, list[Phrase]],
    cat: Catalogue,
    unit: str,
) -> list[Proposal]:
    cells = [ln for ln in lines if ln.cell is not None]
    if not cells:
        return []
    # Per table: the columns that hold the report's quarter.
    columns: dict[int, set[int]] = {}
    unknown: dict[int, set[int]] = {}
    for ln in cells:
        assert ln.cell is not None
        kind = column_kind(ln.cell.header, period)
        if kind == "this":
            columns.setdefault(ln.cell.table, set()).add(ln.cell.column)
        elif kind == "unknown":
            unknown.setdefault(ln.cell.table, set()).add(ln.cell.column)
    for table, cols in unknown.items():
        if table not in columns and len(cols) == 1:
            columns[table] = cols  # the only column of figures
    names = {
        code: Phrase(code, phrase_words(cat[code].name_vi), (), (), cat[code].name_vi)
        for code in phrases
        if code in cat
    }
    best_for: dict[str, Proposal] = {}
    for ln in cells:
        assert ln.cell is not None
        if ln.cell.column not in columns.get(ln.cell.table, set()):
            continue
        toks = [t for t in tokenize(ln.read, 0) if t.kind != "punct"]
        numbers = [t for t in toks if t.kind == "number" and t.value is not None]
        if len(numbers) != 1:
            continue
        tok = numbers[0]
        qualifier = "exact"
        words = [t.key for t in toks if t.kind == "word"]
        for qwords, qual in (
            (("tren",), "at_least"),
            (("hon",), "at_least"),
            (("khoang",), "approx"),
            (("gan",), "approx"),
            (("duoi",), "at_most"),
        ):
            if tuple(words[:1]) == qwords:
                qualifier = qual
        if ln.read.strip().startswith((">", "≥")):
            qualifier = "at_least"
        elif ln.read.strip().startswith(("~", "≈")):
            qualifier = "approx"
        scored: list[tuple[float, str]] = []
        for code, plist in phrases.items():
            if code not in cat:
                continue
            ind = cat[code]
            if ind.is_derived:
                continue
            s = max(
                [label_score(ln.label, ph) for ph in plist] + [label_score(ln.label, names[code])]
            )
            scored.append((s, code))
        scored.sort(reverse=True)
        if not scored or scored[0][0] < 0.75:
            continue
        score, code = scored[0]
        reasons = []
        if score < 0.88:
            reasons.append("weak_phrase_match")
        if len(scored) > 1 and scored[1][0] >= score - 0.03:
            reasons.append("ambiguous")
        if tok.damaged:
            reasons.append("digits_from_letters")
        prop = Proposal(
            code,
            unit,
            tok.value,
            qualifier,
            round(score * (0.5 if tok.damaged else 1.0), 4),
            bool(reasons),
            Evidence(ln.number, f"{ln.label} | {ln.text}", f"{ln.label} | {ln.read}", ln.cell),
            reasons,
        )
        other = best_for.get(code)
        if other is not None and other.value != prop.value:
            # two cells of the quarter's columns for one indicator: a person chooses
            for p in (other, prop):
                p.needs_review = True
                if "ambiguous" not in p.reasons:
                    p.reasons.append("ambiguous")
        if other is None or other.confidence < prop.confidence:
            best_for[code] = prop
    return list(best_for.values())
