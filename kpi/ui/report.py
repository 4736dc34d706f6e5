"""The "Read a report" page's logic: the reading of an uploaded or pasted report, the text with
each proposal highlighted, the table a person edits, and the review it makes."""

from __future__ import annotations

import hashlib
import html
from typing import Any

import pandas as pd
import streamlit as st

from kpi.catalogue import Catalogue
from kpi.i18n import t
from kpi.numbers import format_number
from kpi.periods import Period
from kpi.ui import data
from loaders.report.model import ReportError
from loaders.report.reader import Reading, read_report
from loaders.report.review import Decision, Review, figure_key

DECISIONS = ("accept", "reject")
COLUMNS = (
    "indicator",
    "name",
    "unit",
    "value",
    "qualifier",
    "decision",
    "flagged",
    "confidence",
    "line",
)


def reading(content: bytes, name: str, period: str | None) -> Reading | ReportError:
    """The reading of a file, kept in the session per file and chosen quarter (a rerun on a
    click does not read it again); a refused file comes back as its error."""
    key = f"read_report_{hashlib.sha256(content).hexdigest()}_{period or ''}"
    if key not in st.session_state:
        try:
            st.session_state[key] = read_report(
                content,
                name,
                period=Period.parse(period) if period else None,
                cat=data.catalogue(),
            )
        except ReportError as exc:
            st.session_state[key] = exc
    found = st.session_state[key]
    assert isinstance(found, Reading | ReportError)
    return found


def period_choices(found: Period | None) -> list[str]:
    """The quarter found first, then the quarters around it (or around today's data)."""
    centre = found or (
        Period.parse(data.periods_with_data()[-1]).shift(1) if data.periods_with_data() else None
    )
    if centre is None:
        return []
    around = [centre.shift(k).code for k in (-4, -3, -2, -1, 1, 2)]
    return [centre.code, *around]


def highlighted_text(r: Reading) -> str:
    """The report's lines as HTML, each proposal's number marked (flagged ones in orange), with
    its line number; table cells are listed after the text with their table, row and column."""
    marks: dict[int, list[tuple[int, int, bool, str]]] = {}
    for p in r.proposals:
        if p.evidence.cell is None and p.span is not None:
            marks.setdefault(p.evidence.line, []).append(
                (p.span[0], p.span[1], p.needs_review, p.indicator)
            )
    out: list[str] = []
    for ln in r.document.lines:
        if ln.cell is not None:
            continue
        text = ln.read
        spans = sorted(marks.get(ln.number, []))
        pieces: list[str] = []
        at = 0
        for start, end, flagged, code in spans:
            if start < at:
                continue
            pieces.append(html.escape(text[at:start]))
            colour = "#ffd8a8" if flagged else "#c5f6fa"
            pieces.append(
                f'<mark style="background:{colour}" title="{html.escape(code)}">'
                f"{html.escape(text[start:end])}</mark>"
            )
            at = end
        pieces.append(html.escape(text[at:]))
        out.append(f'<span style="color:#868e96">{ln.number}</span> {"".join(pieces) or "&nbsp;"}')
    cells = [p for p in r.proposals if p.evidence.cell is not None]
    for p in cells:
        assert p.evidence.cell is not None
        c = p.evidence.cell
        out.append(html.escape(f"[{c.table}:{c.row}:{c.column} {c.header}] {p.evidence.read}"))
    body = "<br>".join(out)
    return f'<div style="font-size:0.9em;white-space:pre-wrap">{body}</div>'


def proposal_table(r: Reading, cat: Catalogue, lang: str) -> pd.DataFrame:
    """One row per proposal: what the person edits (value, qualifier, decision) beside what the
    reader found. Flagged rows start undecided."""
    rows: list[dict[str, Any]] = []
    for p in r.proposals:
        ind = cat[p.indicator]
        rows.append(
            {
                "indicator": p.indicator,
                "name": ind.name(lang),
                "unit": p.unit,
                "value": float(p.value) if p.value is not None else None,
                "qualifier": p.qualifier,
                "decision": None if p.needs_review else "accept",
                "flagged": p.needs_review,
                "confidence": round(p.confidence, 2),
                "line": p.evidence.where,
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def column_config(cat: Catalogue, lang: str) -> dict[str, Any]:
    codes = [i.code for i in cat.stored() if "province" in i.levels]
    return {
        "indicator": st.column_config.SelectboxColumn(
            t("report.page.col.indicator", lang), options=codes, required=True
        ),
        "name": st.column_config.TextColumn(t("report.page.col.name", lang), disabled=True),
        "unit": st.column_config.TextColumn(t("report.page.col.unit", lang), disabled=True),
        "value": st.column_config.NumberColumn(t("report.page.col.value", lang), min_value=0),
        "qualifier": st.column_config.SelectboxColumn(
            t("report.page.col.qualifier", lang),
            options=["exact", "approx", "at_least", "at_most"],
            required=True,
            default="exact",
        ),
        "decision": st.column_config.SelectboxColumn(
            t("report.page.col.decision", lang), options=list(DECISIONS)
        ),
        "flagged": st.column_config.CheckboxColumn(
            t("report.page.col.flagged", lang), disabled=True
        ),
        "confidence": st.column_config.NumberColumn(
            t("report.page.col.confidence", lang), disabled=True, format="%.2f"
        ),
        "line": st.column_config.TextColumn(t("report.page.col.line", lang), disabled=True),
    }


def review_from_table(r: Reading, edited: pd.DataFrame, period: str | None) -> Review:
    """The review the edited table says: an unchanged accepted row is accepted, a changed value
    or qualifier is a correction, a rejected row is left out, a new row is a figure added.
    Every row must be decided (``default = "none"``): an undecided flagged row refuses."""
    proposals = {figure_key(p.indicator, p.unit, r.province): p for p in r.proposals}
    review = Review(default="none", period=period)
    for row in edited.to_dict("records"):
        indicator = row.get("indicator")
        decision = row.get("decision")
        if not isinstance(indicator, str) or not indicator or decision not in DECISIONS:
            continue
        unit = row.get("unit")
        code = figure_key(indicator, unit if isinstance(unit, str) else "", r.province)
        raw = row.get("value")
        value = None if raw is None or pd.isna(raw) else _decimal(raw)
        qualifier = row.get("qualifier") or None
        prop = proposals.get(code)
        if decision == "reject":
            action = "reject" if prop else ""
        elif prop is None:
            action = "add"
        elif value == prop.value and qualifier in (None, prop.qualifier):
            action = "accept"
        else:
            action = "correct"
        if action:
            review.decisions[code] = Decision(
                indicator, action, value, qualifier, unit if isinstance(unit, str) else None
            )
    return review


def _decimal(raw: Any) -> Any:
    from decimal import Decimal

    number = Decimal(str(raw))
    return number.to_integral_value() if number == number.to_integral_value() else number


def format_value(cat: Catalogue, code: str, value: Any, qualifier: str, lang: str) -> str:
    ind = cat[code]
    return format_number(value, lang, decimals=ind.decimals, qualifier=qualifier)
