"""A person's review of a reading (accept, correct, reject, add; a TOML file or the page's
table) and the confirmation that stores the reviewed figures as one import batch."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from kpi.access import Actor
from kpi.catalogue import Catalogue
from kpi.models import QUALIFIERS
from kpi.numbers import storable
from kpi.periods import Period, PeriodError
from kpi.store import (
    BatchInfo,
    CommitResult,
    Figure,
    commit_figures,
)
from kpi.units import UnitDirectory, all_units
from loaders.report.model import Evidence, Proposal
from loaders.report.reader import Reading

ACTIONS = ("accept", "correct", "reject", "add")


def figure_key(indicator: str, unit: str, province: str | None) -> str:
    """How a review names a figure: the indicator code for the province's figure,
    ``code@unit`` for a district's ("dossiers_received@844")."""
    return indicator if not unit or unit == province else f"{indicator}@{unit}"


class ReviewError(ValueError):
    """A review that cannot be applied; ``problems`` are (code, indicator, params) with messages
    in the locale files (``report.review.<code>``)."""

    def __init__(self, problems: list[tuple[str, str, dict[str, Any]]]) -> None:
        super().__init__("; ".join(f"{c} {i}" for c, i, _ in problems))
        self.problems = problems

    def messages(self, lang: str = "vi") -> list[str]:
        from kpi.i18n import t

        return [t(f"report.review.{c}", lang, indicator=i, **p) for c, i, p in self.problems]


@dataclass(frozen=True)
class Decision:
    indicator: str
    action: str
    value: Decimal | None = None
    qualifier: str | None = None
    unit: str | None = None
    line: int | None = None


@dataclass
class Review:
    """What a person decided. ``default`` applies to proposals the reader did not flag:
    ``accept`` them, or ``none`` (each must be decided). Flagged proposals are never accepted
    without a decision."""

    decisions: dict[str, Decision] = field(default_factory=dict)
    default: str = "accept"
    period: str | None = None
    report_number: str | None = None
    report_date: dt.date | None = None


@dataclass(frozen=True)
class Reviewed:
    indicator: str
    unit: str
    value: Decimal
    qualifier: str
    evidence: Evidence
    decided: str  # accepted | corrected | added | default


def _value(raw: object) -> Decimal | None:
    if raw is None or isinstance(raw, bool):
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None  # TOML has nan and inf


def parse_review(data: dict[str, Any]) -> Review:
    problems: list[tuple[str, str, dict[str, Any]]] = []
    review = Review(
        default=str(data.get("default", "accept")),
        period=str(data["period"]) if data.get("period") else None,
        report_number=str(data["report_number"]) if data.get("report_number") else None,
    )
    if review.default not in ("accept", "none"):
        problems.append(("bad_default", "", {"found": review.default}))
    raw_date = data.get("report_date")
    if isinstance(raw_date, dt.date):
        review.report_date = raw_date
    elif raw_date:
        problems.append(("bad_date", "", {"found": raw_date}))
    figures = data.get("figures", {})
    if not isinstance(figures, dict):
        raise ReviewError([("bad_file", "", {"found": type(figures).__name__})])
    for code, entry in figures.items():
        if not isinstance(entry, dict):
            problems.append(("bad_entry", code, {}))
            continue
        action = str(entry.get("action", ""))
        if not action:
            continue  # not decided yet: a flagged proposal stays undecided
        if action not in ACTIONS:
            problems.append(("bad_action", code, {"found": action}))
            continue
        value = _value(entry.get("value"))
        if action in ("correct", "add") and value is None:
            problems.append(("value_missing", code, {}))
            continue
        qualifier = entry.get("qualifier")
        if qualifier is not None and qualifier not in QUALIFIERS:
            problems.append(("bad_qualifier", code, {"found": qualifier}))
            continue
        line = entry.get("line")
        indicator, _at, unit = str(code).partition("@")
        review.decisions[code] = Decision(
            indicator,
            action,
            value,
            qualifier,
            unit or (str(entry["unit"]) if entry.get("unit") else None),
            int(line) if isinstance(line, int) else None,
        )
    if problems:
        raise ReviewError(problems)
    return review


def load_review(path: Path) -> Review:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ReviewError([("bad_file", "", {"found": str(exc)})]) from exc
    return parse_review(data)


def _check_value(cat: Catalogue, code: str, value: Decimal) -> str | None:
    ind = cat[code]
    if value < 0:
        return "negative"
    if ind.whole and value != value.to_integral_value():
        return "not_whole"
    if ind.percent and not ind.is_ratio and value > 100:
        return "percent_range"
    if not storable(value):
        return "too_long"
    return None


def apply_review(reading: Reading, review: Review, cat: Catalogue) -> list[Reviewed]:
    """The figures to store: proposals accepted or corrected, figures added; everything else
    left out. Refused (ReviewError, nothing stored) while a flagged proposal is undecided or a
    decision is invalid."""
    problems: list[tuple[str, str, dict[str, Any]]] = []
    province = reading.province
    proposals: dict[str, Proposal] = {
        figure_key(p.indicator, p.unit, province): p for p in reading.proposals
    }
    out: list[Reviewed] = []
    for code, dec in review.decisions.items():
        if dec.indicator not in cat:
            problems.append(("unknown_indicator", code, {}))
        elif cat[dec.indicator].is_derived:
            problems.append(("derived", code, {}))
        elif dec.action in ("accept", "correct", "reject") and code not in proposals:
            problems.append(("not_proposed", code, {"action": dec.action}))
        elif dec.action == "add" and code in proposals:
            problems.append(("already_proposed", code, {}))
    lines = {ln.number: ln for ln in reading.document.lines if ln.cell is None}
    for code, prop in proposals.items():
        decision = review.decisions.get(code)
        if decision is None:
            if prop.needs_review or review.default != "accept":
                problems.append(("undecided", code, {"value": prop.value}))
                continue
            decided = "default"
            value, qualifier = prop.value, prop.qualifier
        elif decision.action == "reject":
            continue
        elif decision.action == "accept":
            decided, value = "accepted", prop.value
            qualifier = decision.qualifier or prop.qualifier
        else:
            decided, value = "corrected", decision.value
            qualifier = decision.qualifier or prop.qualifier
        assert value is not None
        unit = decision.unit if decision is not None and decision.unit else prop.unit
        out.append(Reviewed(prop.indicator, unit, value, qualifier, prop.evidence, decided))
    for code, dec in review.decisions.items():
        if (
            dec.action != "add"
            or code in proposals
            or dec.indicator not in cat
            or cat[dec.indicator].is_derived
        ):
            continue
        assert dec.value is not None
        ln = lines.get(dec.line or 0)
        evidence = Evidence(ln.number, ln.text, ln.read) if ln else Evidence(0, "", "")
        out.append(
            Reviewed(
                dec.indicator,
                dec.unit or reading.province or "",
                dec.value,
                dec.qualifier or "exact",
                evidence,
                "added",
            )
        )
    for r in out:
        why = _check_value(cat, r.indicator, r.value)
        if why:
            problems.append((why, r.indicator, {"value": r.value}))
    if problems:
        raise ReviewError(problems)
    return out


def chosen_period(reading: Reading, review: Review) -> Period:
    raw = review.period or (reading.period.code if reading.period else None)
    if raw is None:
        raise ReviewError([("period_missing", "", {})])
    try:
        return Period.parse(raw)
    except PeriodError as exc:
        raise ReviewError([("bad_period", "", {"found": raw})]) from exc


def confirm(
    session: Session,
    actor: Actor,
    reading: Reading,
    review: Review,
    cat: Catalogue,
) -> CommitResult:
    """Store the reviewed figures as one batch of source kind ``report_text`` with the file's
    SHA-256, the report's number and date, and each figure's line. The same file confirmed
    again with the same figures changes nothing; with other figures it makes a revision."""
    figures = apply_review(reading, review, cat)
    if not figures:
        raise ReviewError([("nothing_to_store", "", {})])
    period = chosen_period(reading, review)
    directory = UnitDirectory(all_units(session), period.start, period.end)
    rows: list[Figure] = []
    problems: list[tuple[str, str, dict[str, Any]]] = []
    for r in figures:
        unit = directory.by_code.get(r.unit)
        if unit is None:
            problems.append(("unknown_unit", r.indicator, {"unit": r.unit}))
            continue
        rows.append(
            Figure(
                r.indicator,
                unit.id,
                period.code,
                r.value,
                r.qualifier,
                source_sheet=None,
                source_cell=r.evidence.where,
                source_text=r.evidence.text,
                source_read=r.evidence.read,
            )
        )
    if problems:
        raise ReviewError(problems)
    info = BatchInfo(
        "report_text",
        reading.file_name,
        reading.sha256,
        period=period.code,
        note=None,
        report_number=review.report_number or reading.number,
        report_date=review.report_date or reading.date,
        same_file_unchanged=False,
    )
    return commit_figures(session, actor, info, rows)


def review_toml(reading: Reading, lang: str = "vi") -> str:
    """A review file to fill in: every proposal with its decision to make (flagged ones
    first), as ``kpi extract FILE --format review`` prints it."""
    from kpi.i18n import t

    out = [
        f"# {t('report.review_file.head', lang, file=reading.file_name)}",
        f"# sha256 = {reading.sha256}",
        f"# {t('report.review_file.help', lang)}",
        'default = "accept"',
    ]
    if reading.period:
        out.append(f'period = "{reading.period.code}"')
    if reading.number:
        out.append(f'report_number = "{reading.number}"')
    if reading.date:
        out.append(f"report_date = {reading.date.isoformat()}")
    for p in sorted(reading.proposals, key=lambda p: (not p.needs_review, p.evidence.line)):
        out.append("")
        out.append(f"# {p.evidence.line}: {p.evidence.read.strip()[:90]}")
        if p.reasons:
            out.append(f"# {', '.join(p.reasons)}")
        out.append(f"[figures.{_table_key(figure_key(p.indicator, p.unit, reading.province))}]")
        if p.needs_review:
            # A flagged figure needs a person: the file is refused until this is decided.
            out.append(f'# action = "accept"  # {t("report.review_file.decide", lang)}')
            out.append(f"# value = {p.value}")
        else:
            out.append('action = "accept"')
            out.append(f"value = {p.value}")
        out.append(f'qualifier = "{p.qualifier}"')
    return "\n".join(out) + "\n"


def _toml_value(value: Decimal) -> str:
    return str(int(value)) if value == value.to_integral_value() else str(value)


def review_file(review: Review, reading: Reading) -> str:
    """A review as the TOML file ``kpi extract --review`` reads (the page writes the same)."""
    out = [
        f"# {reading.file_name}",
        f"# sha256 = {reading.sha256}",
        f'default = "{review.default}"',
    ]
    if review.period:
        out.append(f'period = "{review.period}"')
    number = review.report_number or reading.number
    if number:
        out.append(f"report_number = {_quoted(number)}")
    date = review.report_date or reading.date
    if date:
        out.append(f"report_date = {date.isoformat()}")
    for code, dec in review.decisions.items():
        out.append("")
        out.append(f"[figures.{_table_key(code)}]")
        out.append(f'action = "{dec.action}"')
        if dec.value is not None:
            out.append(f"value = {_toml_value(dec.value)}")
        if dec.qualifier:
            out.append(f'qualifier = "{dec.qualifier}"')
        if dec.unit and "@" not in code:
            out.append(f"unit = {_quoted(dec.unit)}")
        if dec.line is not None:
            out.append(f"line = {dec.line}")
    return "\n".join(out) + "\n"


def _quoted(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def _table_key(key: str) -> str:
    return key if key.replace("_", "").isalnum() else _quoted(key)
