"""What the leaders' pages show (Overview, Trends, Districts), as pure logic.

Everything here works on the tidy frames of :func:`kpi.queries.figures` (the aggregation rules
are already applied there: flows add, stocks do not, ratios are recomputed, missing is not zero)
and returns plain values the pages draw: card models for a quarter, trend tables, district
rankings, heat-map matrices, commune counts. Two queries are new and live here: the targets
(:func:`targets`); the sources of many figures at once come from :func:`kpi.queries.figure_sources`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from kpi.catalogue import Catalogue, IndicatorDef
from kpi.display import format_change, format_figure
from kpi.i18n import t
from kpi.metrics import changes, combine_qualifiers, so_far
from kpi.models import Target
from kpi.numbers import format_number
from kpi.periods import Period, period_range, year_label
from kpi.units import PROVINCE_CODE, Lineage, UnitInfo

SPARK_QUARTERS = 8  #: quarters in a card's sparkline (the chosen one and seven before)
HEAT_QUARTERS = 8  #: quarters in the district x quarter heat map
CEASED_MARK = "†"  #: after the name of a unit that no longer exists
INCOMPLETE_MARK = "*"  #: after a figure that lacks a quarter or a unit

Key = tuple[str, int, str]  # (indicator, unit id, period)
Row = Mapping[str, Any]


# ---------------------------------------------------------------------------------------------
# Queries that kpi.queries does not have
# ---------------------------------------------------------------------------------------------

TARGET_COLUMNS = ["indicator", "unit_id", "year", "quarter", "value", "is_demo"]


def targets(session: Session, unit_ids: Sequence[int], years: Sequence[int]) -> pd.DataFrame:
    """The targets set for ``unit_ids`` in ``years`` (``quarter`` 0 is the whole year)."""
    if not unit_ids or not years:
        return pd.DataFrame(columns=TARGET_COLUMNS)
    stmt = select(
        Target.indicator_code,
        Target.unit_id,
        Target.year,
        Target.quarter,
        Target.value,
        Target.is_demo,
    ).where(Target.unit_id.in_(list(unit_ids)), Target.year.in_(list(years)))
    frame = pd.DataFrame(session.execute(stmt).all(), columns=TARGET_COLUMNS)
    frame["value"] = frame["value"].astype(float)
    frame["is_demo"] = frame["is_demo"].astype(bool)
    return frame


# ---------------------------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------------------------


def existed(unit: UnitInfo, period: Period | str) -> bool:
    p = Period.parse(period)
    return unit.valid_during(p.start, p.end)


def province_unit(units: Iterable[UnitInfo], period: Period | str) -> UnitInfo | None:
    """The province of a quarter (Trà Vinh, 84, until 30/06/2025; its successor after)."""
    found = [u for u in units if u.level == "province" and existed(u, period)]
    found.sort(key=lambda u: (u.code != PROVINCE_CODE, u.code))
    return found[0] if found else None


def districts_of(
    units: Iterable[UnitInfo], province_id: int, periods: Sequence[Period | str]
) -> list[UnitInfo]:
    """The district-level units of a province that existed in any of ``periods``, by code."""
    return sorted(
        (
            u
            for u in units
            if u.level == "district"
            and u.parent_id == province_id
            and any(existed(u, p) for p in periods)
        ),
        key=lambda u: (u.code, u.valid_from),
    )


def communes_of(
    units: Iterable[UnitInfo], district_id: int, period: Period | str
) -> list[UnitInfo]:
    """The communes a district had in a quarter, by code."""
    return sorted(
        (
            u
            for u in units
            if u.level == "commune" and u.parent_id == district_id and existed(u, period)
        ),
        key=lambda u: u.code,
    )


def commune_counts(
    units: Iterable[UnitInfo], district_ids: Iterable[int], periods: Sequence[Period | str]
) -> dict[tuple[int, str], int]:
    """How many communes each district had in each quarter: ``{(district id, period): n}``."""
    wanted = set(district_ids)
    communes = [u for u in units if u.level == "commune" and u.parent_id in wanted]
    out: dict[tuple[int, str], int] = {}
    for raw in periods:
        p = Period.parse(raw)
        for uid in wanted:
            out[(uid, p.code)] = 0
        for c in communes:
            if c.valid_during(p.start, p.end):
                out[(int(c.parent_id or 0), p.code)] += 1
    return out


def agencies_of(
    units: Iterable[UnitInfo], province_id: int, period: Period | str
) -> list[UnitInfo]:
    """The provincial agencies' unit(s) of a province in a quarter (``84-CQ``)."""
    return [
        u
        for u in units
        if u.level == "agencies" and u.parent_id == province_id and existed(u, period)
    ]


def ceased_on(unit: UnitInfo) -> dt.date | None:
    """The first day a unit no longer existed (None while it still exists)."""
    return unit.valid_to + dt.timedelta(days=1) if unit.valid_to is not None else None


def ceased_by(unit: UnitInfo, period: Period | str) -> bool:
    """Whether a unit had ceased to exist by the end of the quarter viewed."""
    return unit.valid_to is not None and unit.valid_to < Period.parse(period).end


def unit_label(unit: UnitInfo, period: Period | str | None = None) -> str:
    """A unit's name, marked when it had ceased by the quarter viewed (a unit that ceased
    later is not marked: Quý I/2019 shows the units as they were)."""
    if period is not None and ceased_by(unit, period):
        return f"{unit.name} {CEASED_MARK}"
    return unit.name


def _named(unit: UnitInfo) -> str:
    return f"{unit.name} ({unit.code})"


def successor_note(
    shown: Iterable[UnitInfo],
    units: Sequence[UnitInfo],
    links: Mapping[int, Sequence[Lineage]],
    period: Period | str,
    lang: str,
) -> str | None:
    """One sentence on what became of the units shown, from the lineage table: for each unit
    that had ceased by the quarter viewed, its successor (or that it was abolished); for a
    unit of the quarter viewed that took over a unit of its level (Vĩnh Long after Trà Vinh),
    what it took over. Units are told apart by id, that is by (code, valid_from), so a code
    reused after a merger is never its own successor. None when nothing changed."""
    p = Period.parse(period)
    by_id = {u.id: u for u in units}
    shown = list(dict.fromkeys(shown))
    shown_ids = {u.id for u in shown}
    merged: dict[dt.date, list[str]] = defaultdict(list)
    abolished: dict[tuple[dt.date, str], list[str]] = defaultdict(list)
    seen: set[tuple[int, int | None]] = set()

    def add(link: Lineage) -> None:
        if (link.predecessor_id, link.successor_id) in seen:
            return
        seen.add((link.predecessor_id, link.successor_id))
        before = by_id.get(link.predecessor_id)
        after = by_id.get(link.successor_id) if link.successor_id is not None else None
        if before is None:
            return
        if after is None:
            abolished[(link.date, before.level)].append(before.name)
        else:
            merged[link.date].append(
                t("dashboard.lineage.merged", lang, unit=_named(before), successor=_named(after))
            )

    for u in shown:
        if ceased_by(u, p):
            for link in links.get(u.id, ()):
                add(link)
            day = ceased_on(u)
            if not links.get(u.id) and day is not None:
                abolished[(day, u.level)].append(u.name)
    for ps in links.values():
        for link in ps:
            before = by_id.get(link.predecessor_id)
            if (
                link.successor_id in shown_ids
                and before is not None
                and before.id not in shown_ids
                and before.level == by_id[link.successor_id].level
                and link.date <= p.end
            ):
                add(link)
    days = sorted(set(merged) | {day for day, _ in abolished})
    if not days:
        return None
    parts = []
    for day in days:
        items = list(merged.get(day, []))
        for (when, level), names in sorted(abolished.items()):
            if when == day:
                key = "abolished_district" if level == "district" else "abolished"
                items.append(t(f"dashboard.lineage.{key}", lang, units=", ".join(names)))
        parts.append(
            t("dashboard.lineage.on", lang, date=day.strftime("%d/%m/%Y"), changes="; ".join(items))
        )
    return t("dashboard.lineage.note", lang, mark=CEASED_MARK, details="; ".join(parts))


# ---------------------------------------------------------------------------------------------
# Figures and changes
# ---------------------------------------------------------------------------------------------


def index_frame(frame: pd.DataFrame) -> dict[Key, Row]:
    """The rows of a figures frame with a value, by (indicator, unit id, period)."""
    if frame.empty:
        return {}
    rows = frame.dropna(subset=["value"]).to_dict("records")
    return {(str(r["indicator"]), int(r["unit_id"]), str(r["period"])): r for r in rows}


def period_label(code: str, lang: str) -> str:
    """``2019-Q1`` -> "Quý I/2019"; ``2019`` -> "Năm 2019"."""
    if len(code) == 4 and code.isdigit():
        return year_label(int(code), lang)
    return Period.parse(code).label(lang)


def is_exact(row: Row | None) -> bool:
    return row is None or str(row.get("qualifier") or "exact") == "exact"


def figure_text(ind: IndicatorDef, row: Row | None, lang: str, missing: str = "–") -> str:
    """A figure as it is read, with its qualifier and, when a part is missing, the mark."""
    if row is None or _nan(row.get("value")):
        return missing
    text = format_figure(ind, float(row["value"]), lang, str(row.get("qualifier") or "exact"))
    if not bool(row.get("complete", True)):
        text += INCOMPLETE_MARK
    return text


def _nan(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def tone(ind: IndicatorDef, diff: float | None) -> str:
    """``good``, ``bad`` or ``neutral``: whether a change is welcome for this indicator."""
    if diff is None or diff == 0 or ind.direction == "neutral":
        return "neutral"
    better = diff > 0 if ind.direction == "up" else diff < 0
    return "good" if better else "bad"


def arrow(diff: float | None) -> str:
    """↑ or ↓ for a change; nothing for no change (or an unknown one)."""
    if diff is None or diff == 0:
        return ""
    return "↑" if diff > 0 else "↓"


@dataclass(frozen=True)
class Change:
    """The change of a figure since an earlier quarter."""

    since: str
    diff: float | None
    share: float | None
    text: str | None  # "+406 (+5,5%)", "~-6.142 (-17,7%)", "+0,30 điểm %"; None when unknown
    tone: str  # good | bad | neutral

    @property
    def known(self) -> bool:
        return self.text is not None

    def with_arrow(self, lang: str) -> str:
        """The change with its arrow ("↑ +406 (+5,5%)"); no change has no arrow ("0")."""
        if not self.text:
            return t("dashboard.change.unknown", lang)
        mark = arrow(self.diff)
        return f"{mark} {self.text}" if mark else self.text


def change(
    ind: IndicatorDef, now: Row | None, before: Row | None, since: Period, lang: str
) -> Change:
    """The change from ``before`` to ``now``, approximate when either figure is."""
    diff, share = changes(
        None if now is None else float(now["value"]),
        None if before is None else float(before["value"]),
    )
    text = format_change(ind, diff, share, lang)
    if text is not None and not (is_exact(now) and is_exact(before)):
        text = "~" + text
    return Change(since.code, diff, share, text, tone(ind, diff))


# ---------------------------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """How far a figure is towards its year's target."""

    year: int
    target: float
    target_text: str
    achieved: float | None
    achieved_text: str
    share: float | None  # achieved / target
    met: bool
    complete: bool  # the year so far has every quarter
    cumulative: bool  # flows: the year so far adds up its quarters
    is_demo: bool
    text: str
    short: str  # for a table: "24,2% của 160.000"


Goals = Mapping[
    tuple[str, int, int], tuple[float, bool]
]  # (indicator, unit, year) -> (value, demo)


def index_targets(frame: pd.DataFrame) -> dict[tuple[str, int, int], tuple[float, bool]]:
    """The whole-year targets of a :func:`targets` frame, by (indicator, unit id, year)."""
    if frame.empty:
        return {}
    whole = frame[frame["quarter"] == 0]
    return {
        (str(r["indicator"]), int(r["unit_id"]), int(r["year"])): (
            float(r["value"]),
            bool(r["is_demo"]),
        )
        for r in whole.to_dict("records")
    }


def target_value(goals: Goals, code: str, unit_id: int, year: int) -> tuple[float, bool] | None:
    """The whole-year target of an indicator for a unit: (value, is demo) or None."""
    return goals.get((code, unit_id, year))


def year_to_date(
    ind: IndicatorDef, index: Mapping[Key, Row], unit_id: int, period: Period
) -> Row | None:
    """The year so far, up to ``period``: flows add their quarters, ratios are recomputed from
    the summed numerators and denominators; stocks and levels are the quarter itself."""
    if ind.kind not in ("flow", "ratio"):
        return index.get((ind.code, unit_id, period.code))
    quarters = [Period(period.year, q).code for q in range(1, period.quarter + 1)]
    return so_far(ind.kind, [index.get((ind.code, unit_id, q)) for q in quarters])


def progress(
    ind: IndicatorDef,
    index: Mapping[Key, Row],
    goals: Goals,
    unit_id: int,
    period: Period,
    lang: str,
) -> Progress | None:
    """Progress against the year's target, or None when no target is set."""
    found = target_value(goals, ind.code, unit_id, period.year)
    if found is None:
        return None
    target, demo = found
    row = year_to_date(ind, index, unit_id, period)
    achieved = None if row is None else float(row["value"])
    share = achieved / target if achieved is not None and target else None
    if achieved is None:
        met = False
    else:
        met = achieved <= target if ind.direction == "down" else achieved >= target
    cumulative = ind.kind in ("flow", "ratio") and period.quarter > 1
    target_text = format_figure(ind, target, lang)
    achieved_text = figure_text(ind, row, lang)
    qualifier = "exact" if row is None else str(row.get("qualifier") or "exact")
    share_text = (
        "–"
        if share is None
        else format_number(share * 100, lang, decimals=1, qualifier=qualifier) + "%"
    )
    key = "dashboard.target.cumulative" if cumulative else "dashboard.target.current"
    text = t(
        key, lang, share=share_text, target=target_text, year=period.year, achieved=achieved_text
    )
    complete = row is not None and bool(row.get("complete", True))
    short = t("dashboard.target.short", lang, share=share_text, target=target_text)
    return Progress(
        period.year,
        target,
        target_text,
        achieved,
        achieved_text,
        share,
        met,
        complete,
        cumulative,
        demo,
        text,
        short,
    )


# ---------------------------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------------------------


def source_short(row: Row, lang: str) -> str:
    """One line saying where a stored figure came from: the report sentence's line, the
    file's sheet and cell, or the batch."""
    batch = t("dashboard.source.batch", lang, batch=row["batch_id"])
    if row.get("source_kind") == "report_text" and row.get("source_cell"):
        where = t(
            "dashboard.source.report",
            lang,
            file=row.get("file_name") or "",
            line=row["source_cell"],
        )
    elif row.get("source_sheet"):
        where = t(
            "dashboard.source.cell",
            lang,
            file=row.get("file_name") or "",
            sheet=row["source_sheet"],
            cell=row.get("source_cell") or "",
        )
    else:
        where = str(row.get("file_name") or row.get("source_kind") or "")
    text = f"{batch} — {where}" if where else batch
    if bool(row.get("is_demo")):
        text += f" ({t('source.demo', lang)})"
    return text


def derived_note(ind: IndicatorDef, catalogue: Catalogue, lang: str) -> str:
    """How a computed figure is made: "Hồ sơ giải quyết / Hồ sơ tiếp nhận"."""
    if ind.formula:
        return t(
            "dashboard.source.formula",
            lang,
            parts=" + ".join(catalogue[c].name(lang) for c in ind.formula),
        )
    num = " + ".join(catalogue[c].name(lang) for c in ind.numerator)
    den = " + ".join(catalogue[c].name(lang) for c in ind.denominator)
    return t("dashboard.source.ratio", lang, numerator=num, denominator=den)


def source_of(
    ind: IndicatorDef,
    catalogue: Catalogue,
    row: Row | None,
    sources: Mapping[Key, Row],
    unit_id: int,
    period: str,
    lang: str,
) -> str:
    """The short source of one shown figure: stored, computed from other figures, or added up
    from the units below."""
    if row is None:
        return ""
    if ind.is_derived:
        return derived_note(ind, catalogue, lang)
    stored = sources.get((ind.code, unit_id, period))
    if stored is not None:
        return source_short(stored, lang)
    if len(period) == 4:
        return t(
            "dashboard.source.year_flow" if ind.kind == "flow" else "dashboard.source.year_last",
            lang,
        )
    return t("dashboard.source.rollup", lang)


def index_sources(frame: pd.DataFrame) -> dict[Key, Row]:
    """The current stored source of each figure, by (indicator, unit id, period)."""
    if frame.empty:
        return {}
    current = frame[frame["is_current"].astype(bool)]
    return {
        (str(r["indicator"]), int(r["unit_id"]), str(r["period"])): r
        for r in current.to_dict("records")
    }


# ---------------------------------------------------------------------------------------------
# Overview: cards and sections
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """One key figure of a quarter, as a card shows it."""

    code: str
    name: str
    unit: str
    definition: str
    kind: str
    direction: str
    period: str
    value: float | None
    qualifier: str
    text: str
    missing: bool
    complete: bool
    is_demo: bool
    batch_id: int | None
    previous: Change
    year_ago: Change
    target: Progress | None
    spark: tuple[float, ...]
    spark_periods: tuple[str, ...]
    parts: str | None  # a ratio's numerator and denominator, in words
    source: str
    source_lines: tuple[str, ...] = ()


def spark_window(period: Period | str, quarters: int = SPARK_QUARTERS) -> tuple[str, str]:
    """The first and last quarter a card's sparkline covers (also the year-ago quarter and
    the year so far)."""
    p = Period.parse(period)
    return p.shift(-(quarters - 1)).code, p.code


def ratio_parts(ind: IndicatorDef, catalogue: Catalogue, row: Row | None, lang: str) -> str | None:
    if not ind.is_ratio or row is None or _nan(row.get("numerator")):
        return None
    num_ind = catalogue[ind.numerator[0]]
    return t(
        "dashboard.ratio_parts",
        lang,
        numerator=format_number(float(row["numerator"]), lang, decimals=num_ind.decimals),
        denominator=format_number(float(row["denominator"]), lang, decimals=num_ind.decimals),
        numerator_name=" + ".join(catalogue[c].name(lang) for c in ind.numerator),
        denominator_name=" + ".join(catalogue[c].name(lang) for c in ind.denominator),
    )


def card(
    ind: IndicatorDef,
    catalogue: Catalogue,
    index: Mapping[Key, Row],
    sources: Mapping[Key, Row],
    goals: Goals,
    unit_id: int,
    period: Period,
    lang: str,
) -> Card:
    now = index.get((ind.code, unit_id, period.code))
    prev = index.get((ind.code, unit_id, period.previous().code))
    ago = index.get((ind.code, unit_id, period.year_ago().code))
    first, _ = spark_window(period)
    spark_rows = [
        (p.code, index.get((ind.code, unit_id, p.code))) for p in period_range(first, period)
    ]
    spark = [(code, _spark_value(ind, r)) for code, r in spark_rows if r is not None]
    return Card(
        code=ind.code,
        name=ind.name(lang),
        unit=ind.unit(lang),
        definition=ind.definition(lang),
        kind=ind.kind,
        direction=ind.direction,
        period=period.code,
        value=None if now is None else float(now["value"]),
        qualifier="exact" if now is None else str(now["qualifier"]),
        text=figure_text(ind, now, lang, missing=t("overview.missing", lang)),
        missing=now is None,
        complete=now is None or bool(now.get("complete", True)),
        is_demo=now is not None and bool(now.get("is_demo")),
        batch_id=None if now is None or _nan(now.get("batch_id")) else int(now["batch_id"]),
        previous=change(ind, now, prev, period.previous(), lang),
        year_ago=change(ind, now, ago, period.year_ago(), lang),
        target=progress(ind, index, goals, unit_id, period, lang),
        spark=tuple(v for _, v in spark),
        spark_periods=tuple(c for c, _ in spark),
        parts=ratio_parts(ind, catalogue, now, lang),
        source=source_of(ind, catalogue, now, sources, unit_id, period.code, lang),
    )


def _spark_value(ind: IndicatorDef, row: Row) -> float:
    value = float(row["value"])
    return value * 100 if ind.fraction else value


@dataclass(frozen=True)
class Section:
    """A group of the report for one quarter: every indicator, and which are missing."""

    code: str
    name: str
    codes: tuple[str, ...]
    table: pd.DataFrame
    missing: tuple[str, ...]


def section_columns(lang: str) -> dict[str, str]:
    """The columns of a section's table: internal name -> header in ``lang``."""
    return {
        "name": t("dashboard.column.indicator", lang),
        "value": t("dashboard.column.value", lang),
        "previous": t("dashboard.column.previous", lang),
        "year_ago": t("dashboard.column.year_ago", lang),
        "target": t("dashboard.column.target", lang),
        "source": t("dashboard.column.source", lang),
    }


def sections(
    catalogue: Catalogue,
    index: Mapping[Key, Row],
    sources: Mapping[Key, Row],
    goals: Goals,
    unit_id: int,
    period: Period,
    lang: str,
    level: str = "province",
) -> list[Section]:
    """The report's groups for a quarter, each a table of its indicators (value, changes,
    target, source), with the indicators that have no figure named."""
    by_group: dict[str, list[IndicatorDef]] = defaultdict(list)
    for ind in catalogue.at_level(level):
        by_group[ind.group].append(ind)
    headers = section_columns(lang)
    out = []
    for group in sorted(catalogue.groups.values(), key=lambda g: g.order):
        inds = by_group.get(group.code, [])
        if not inds:
            continue
        rows = []
        missing = []
        for ind in inds:
            c = card(ind, catalogue, index, sources, goals, unit_id, period, lang)
            if c.missing:
                missing.append(c.name)
            rows.append(
                {
                    "name": c.name,
                    "value": c.text,
                    "previous": c.previous.with_arrow(lang) if not c.missing else "",
                    "year_ago": c.year_ago.with_arrow(lang) if not c.missing else "",
                    "target": c.target.short if c.target else "",
                    "source": c.source,
                }
            )
        table = pd.DataFrame(rows, columns=list(headers)).rename(columns=headers)
        out.append(
            Section(
                group.code, group.name(lang), tuple(i.code for i in inds), table, tuple(missing)
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# Trends
# ---------------------------------------------------------------------------------------------


def trend_periods(first: str, last: str, freq: str) -> list[str]:
    """The columns of a trend: quarter codes, or years."""
    a, b = Period.parse(first), Period.parse(last)
    if freq == "year":
        return [str(y) for y in range(a.year, b.year + 1)]
    return [p.code for p in period_range(a, b)]


def chart_sets(catalogue: Catalogue, codes: Sequence[str]) -> list[tuple[str, ...]]:
    """Indicators that share a chart: the same drawing (bars for flows, lines otherwise) and
    the same unit of measure; in the order chosen."""
    groups: dict[tuple[bool, str], list[str]] = {}
    for code in codes:
        ind = catalogue[code]
        unit = "%" if ind.percent or ind.fraction else ind.unit_vi
        groups.setdefault((ind.kind == "flow", unit), []).append(code)
    return [tuple(v) for v in groups.values()]


TREND_COLUMNS = [
    "indicator",
    "name",
    "period",
    "label",
    "value",
    "plot",
    "text",
    "qualifier",
    "complete",
    "is_demo",
    "numerator",
    "denominator",
    "source",
]


def trend_long(
    frame: pd.DataFrame,
    catalogue: Catalogue,
    codes: Sequence[str],
    unit_id: int,
    periods: Sequence[str],
    lang: str,
    sources: Mapping[Key, Row] | None = None,
) -> pd.DataFrame:
    """One row per (indicator, period) in ``periods``, missing ones included (value NaN):
    the value, what a chart plots (ratios in percent), the text shown, and the source."""
    index = index_frame(frame)
    rows = []
    for code in codes:
        ind = catalogue[code]
        for period in periods:
            row = index.get((code, unit_id, period))
            value = math.nan if row is None else float(row["value"])
            rows.append(
                {
                    "indicator": code,
                    "name": ind.name(lang),
                    "period": period,
                    "label": period_label(period, lang),
                    "value": value,
                    "plot": value * 100 if ind.fraction else value,
                    "text": figure_text(ind, row, lang),
                    "qualifier": "exact" if row is None else str(row["qualifier"]),
                    "complete": True if row is None else bool(row.get("complete", True)),
                    "is_demo": False if row is None else bool(row.get("is_demo")),
                    "numerator": math.nan if row is None else row.get("numerator", math.nan),
                    "denominator": math.nan if row is None else row.get("denominator", math.nan),
                    "source": source_of(ind, catalogue, row, sources or {}, unit_id, period, lang),
                }
            )
    out = pd.DataFrame(rows, columns=TREND_COLUMNS)
    return out.astype({"value": float, "plot": float, "numerator": float, "denominator": float})


def trend_table(long: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The numbers of a chart as a table a leader reads: one row per quarter or year (in
    order), one column per indicator, each cell the figure as shown (with "~", ">", "*")."""
    header = t("dashboard.column.period", lang)
    if long.empty:
        return pd.DataFrame(columns=[header])
    labels = list(dict.fromkeys(long["label"]))
    names = list(dict.fromkeys(long["name"]))
    wide = long.pivot(index="label", columns="name", values="text")
    wide = wide.reindex(index=labels, columns=names).reset_index()
    wide.columns = [header, *names]
    return wide


def incomplete_labels(long: pd.DataFrame) -> set[str]:
    """The quarters or years in which some shown figure lacks a quarter or a unit."""
    hit = long[(~long["complete"].astype(bool)) & long["value"].notna()]
    return set(hit["label"])


def target_lines(
    goals: Goals, codes: Sequence[str], unit_id: int, periods: Sequence[str]
) -> dict[str, dict[str, float]]:
    """Targets to draw on a trend: indicator -> period -> the year's target, for every shown
    period of a year that has one."""
    out: dict[str, dict[str, float]] = {}
    for code in codes:
        for period in periods:
            found = target_value(goals, code, unit_id, int(period[:4]))
            if found is not None:
                out.setdefault(code, {})[period] = found[0]
    return out


# ---------------------------------------------------------------------------------------------
# Districts
# ---------------------------------------------------------------------------------------------


def per_commune_applies(ind: IndicatorDef) -> bool:
    """A figure divided by the number of communes makes sense for counts that add up."""
    return ind.kind in ("flow", "stock") and not ind.percent


RANKING_COLUMNS = [
    "unit_id",
    "code",
    "name",
    "label",
    "value",
    "text",
    "qualifier",
    "complete",
    "communes",
    "per_commune",
    "per_commune_text",
    "shown",
    "shown_text",
    "rank",
    "ceased",
    "numerator",
    "denominator",
    "source",
]


@dataclass(frozen=True)
class Ranking:
    """Units side by side for one indicator and quarter, best first."""

    indicator: str
    period: str
    per_commune: bool
    table: pd.DataFrame  # RANKING_COLUMNS; "shown" is the value or the value per commune
    province_value: float | None
    province_text: str
    average: float | None
    average_text: str
    comparable: bool  # the province figure is on the units' scale (ratios, levels, per commune)
    units: tuple[UnitInfo, ...] = field(default=())
    counted: bool = False  # communes were counted (districts), so per-commune figures exist


def _per_commune_text(
    ind: IndicatorDef, value: float | None, lang: str, qualifier: str = "exact"
) -> str:
    if value is None or math.isnan(value):
        return "–"
    return format_number(value, lang, decimals=1, qualifier=qualifier)


def ranking(
    frame: pd.DataFrame,
    catalogue: Catalogue,
    code: str,
    units: Sequence[UnitInfo],
    period: str,
    lang: str,
    *,
    province_id: int | None = None,
    counts: Mapping[tuple[int, str], int] | None = None,
    per_commune: bool = False,
    sources: Mapping[Key, Row] | None = None,
) -> Ranking:
    """Rank ``units`` (districts, or a district's communes) on one indicator in one quarter.

    Best first (lowest first when lower is better); units without a figure come last. With
    ``per_commune`` (counts that add up only) each unit's figure is divided by the number of
    communes it had in that quarter. The references are the province figure and the plain
    average of the units shown.
    """
    ind = catalogue[code]
    per_commune = per_commune and per_commune_applies(ind) and counts is not None
    index = index_frame(frame)
    scale = 100.0 if ind.fraction else 1.0
    rows = []
    for u in units:
        if not existed(u, period):
            continue
        row = index.get((code, u.id, period))
        value = None if row is None else float(row["value"])
        n = (counts or {}).get((u.id, period), 0)
        per = value / n if value is not None and n else None
        qualifier = "exact" if row is None else str(row["qualifier"])
        shown = per if per_commune else value
        rows.append(
            {
                "unit_id": u.id,
                "code": u.code,
                "name": u.name,
                "label": unit_label(u, period),
                "value": math.nan if value is None else value,
                "text": figure_text(ind, row, lang),
                "qualifier": qualifier,
                "complete": True if row is None else bool(row.get("complete", True)),
                "communes": n,
                "per_commune": math.nan if per is None else per,
                "per_commune_text": _per_commune_text(ind, per, lang, qualifier),
                "shown": math.nan if shown is None else shown * (1 if per_commune else scale),
                "shown_text": _per_commune_text(ind, per, lang, qualifier)
                if per_commune
                else figure_text(ind, row, lang),
                "rank": 0,
                "ceased": ceased_by(u, period),
                "numerator": math.nan if row is None else row.get("numerator", math.nan),
                "denominator": math.nan if row is None else row.get("denominator", math.nan),
                "source": source_of(ind, catalogue, row, sources or {}, u.id, period, lang),
            }
        )
    table = pd.DataFrame(rows, columns=RANKING_COLUMNS)
    table = table.astype(
        {
            "value": float,
            "per_commune": float,
            "shown": float,
            "numerator": float,
            "denominator": float,
        }
    )
    ascending = ind.direction == "down"
    table = table.sort_values(
        ["shown", "code"], ascending=[ascending, True], na_position="last", kind="stable"
    )
    table["rank"] = range(1, len(table) + 1)
    table.loc[table["shown"].isna(), "rank"] = 0
    table = table.reset_index(drop=True)

    prov_row = index.get((code, province_id, period)) if province_id is not None else None
    shown_values = table["shown"].dropna()
    average = float(shown_values.mean()) if not shown_values.empty else None
    if per_commune:
        total = table["value"].dropna().sum()
        communes = table.loc[table["value"].notna(), "communes"].sum()
        province_value = float(total / communes) if communes else None
        province_text = _per_commune_text(ind, province_value, lang)
        average_text = _per_commune_text(ind, average, lang)
    else:
        province_value = None if prov_row is None else float(prov_row["value"]) * scale
        province_text = figure_text(ind, prov_row, lang)
        average_text = "–" if average is None else format_figure(ind, average / scale, lang)
    comparable = per_commune or ind.kind in ("ratio", "level")
    return Ranking(
        code,
        period,
        per_commune,
        table,
        province_value,
        province_text,
        average,
        average_text,
        comparable,
        tuple(units),
        counts is not None,
    )


def ranking_table(r: Ranking, catalogue: Catalogue, lang: str) -> pd.DataFrame:
    """The ranking as a table: rank, unit, figure, communes, per commune (counts only)."""
    ind = catalogue[r.indicator]
    cols = {
        "rank": t("dashboard.column.rank", lang),
        "label": t("dashboard.column.unit", lang),
        "text": t("dashboard.column.value", lang),
    }
    if per_commune_applies(ind) and r.counted:
        cols["communes"] = t("dashboard.column.communes", lang)
        cols["per_commune_text"] = t("dashboard.column.per_commune", lang)
    cols["source"] = t("dashboard.column.source", lang)
    table = r.table[list(cols)].copy()
    table["rank"] = [str(x) if x else "–" for x in table["rank"]]
    return table.rename(columns=cols)


@dataclass(frozen=True)
class HeatMatrix:
    """Units x quarters: the numbers to colour, the text in each cell, and the hover text."""

    rows: tuple[str, ...]  # unit labels
    columns: tuple[str, ...]  # period labels
    z: tuple[tuple[float | None, ...], ...]
    text: tuple[tuple[str, ...], ...]
    hover: tuple[tuple[str, ...], ...]


def heat_matrix(
    frame: pd.DataFrame,
    catalogue: Catalogue,
    code: str,
    units: Sequence[UnitInfo],
    periods: Sequence[str],
    lang: str,
    *,
    counts: Mapping[tuple[int, str], int] | None = None,
    per_commune: bool = False,
) -> HeatMatrix:
    """The district x quarter matrix of one indicator. A cell for a quarter in which the unit
    did not exist is empty and says so; a missing figure is empty and says so."""
    ind = catalogue[code]
    per_commune = per_commune and per_commune_applies(ind) and counts is not None
    index = index_frame(frame)
    scale = 100.0 if ind.fraction else 1.0
    z: list[tuple[float | None, ...]] = []
    text: list[tuple[str, ...]] = []
    hover: list[tuple[str, ...]] = []
    not_there = t("dashboard.heat.not_existing", lang)
    missing = t("dashboard.heat.missing", lang)
    for u in units:
        zr: list[float | None] = []
        tr: list[str] = []
        hr: list[str] = []
        for period in periods:
            if not existed(u, period):
                zr.append(None)
                tr.append("")
                hr.append(not_there)
                continue
            row = index.get((code, u.id, period))
            if row is None:
                zr.append(None)
                tr.append("–")
                hr.append(missing)
                continue
            value = float(row["value"])
            if per_commune:
                n = (counts or {}).get((u.id, period), 0)
                per = value / n if n else None
                zr.append(per)
                tr.append(_per_commune_text(ind, per, lang, str(row["qualifier"])))
                hr.append(
                    t(
                        "dashboard.heat.per_commune",
                        lang,
                        value=figure_text(ind, row, lang),
                        communes=n,
                    )
                )
            else:
                zr.append(value * scale)
                tr.append(figure_text(ind, row, lang))
                hr.append(figure_text(ind, row, lang))
        z.append(tuple(zr))
        text.append(tuple(tr))
        hover.append(tuple(hr))
    return HeatMatrix(
        tuple(unit_label(u, periods[-1]) for u in units) if periods else (),
        tuple(period_label(p, lang) for p in periods),
        tuple(z),
        tuple(text),
        tuple(hover),
    )


#: the nine districts of Trà Vinh laid out roughly as they lie (column, row; north at the top),
#: from ../shared/domain/units-tra-vinh.md
TILE_LAYOUT: dict[str, tuple[float, float]] = {
    "844": (0.5, 0),  # Càng Long
    "845": (0, 1),  # Cầu Kè
    "847": (1, 1),  # Châu Thành
    "842": (2, 1),  # Thành phố Trà Vinh
    "846": (0, 2),  # Tiểu Cần
    "848": (1, 2),  # Cầu Ngang
    "849": (0, 3),  # Trà Cú
    "850": (1, 3),  # Huyện Duyên Hải
    "851": (2, 3),  # Thị xã Duyên Hải
}


@dataclass(frozen=True)
class Tile:
    code: str
    label: str  # short name on the tile
    name: str  # full name (hover)
    column: float
    row: float
    value: float | None
    text: str
    ceased: bool


def short_name(unit: UnitInfo) -> str:
    """A name short enough for a tile: "Càng Long", "TP Trà Vinh", "TX Duyên Hải"."""
    name = unit.name
    if name.startswith("Thành phố "):
        return "TP " + name.removeprefix("Thành phố ")
    if name.startswith("Thị xã "):
        return "TX " + name.removeprefix("Thị xã ")
    return name.removeprefix("Huyện ")


def tiles(r: Ranking) -> list[Tile]:
    """The tiles of the districts in a ranking that have a place in :data:`TILE_LAYOUT`.
    A district named like a town or city keeps a prefix ("H. Duyên Hải" beside "TX Duyên Hải")."""
    by_id = {u.id: u for u in r.units}
    short = {uid: short_name(u) for uid, u in by_id.items()}
    bare = {s.split(" ", 1)[1] for s in short.values() if s.startswith(("TP ", "TX "))}
    out = []
    for row in r.table.to_dict("records"):
        u = by_id[int(row["unit_id"])]
        if u.code not in TILE_LAYOUT:
            continue
        col, line = TILE_LAYOUT[u.code]
        label = short[u.id]
        if u.name.startswith("Huyện ") and label in bare:
            label = "H. " + label
        ceased = ceased_by(u, r.period)
        if ceased:
            label += f"\u00a0{CEASED_MARK}"  # never alone on a line
        shown = float(row["shown"])
        value = None if math.isnan(shown) else shown
        out.append(
            Tile(
                u.code,
                label,
                unit_label(u, r.period),
                col,
                line,
                value,
                str(row["shown_text"]),
                ceased,
            )
        )
    return out


def province_total_note(
    frame: pd.DataFrame,
    catalogue: Catalogue,
    code: str,
    r: Ranking,
    agencies: Sequence[UnitInfo],
    period: str,
    lang: str,
) -> str | None:
    """What the province figure above the district bars holds: "Toàn tỉnh 38.751 = 9 huyện
    26.511 + các cơ quan cấp tỉnh 12.240" (counts that add up across units; the provincial
    agencies report apart from the districts)."""
    ind = catalogue[code]
    if r.per_commune or ind.kind not in ("flow", "stock") or r.province_value is None:
        return None
    shown = r.table[r.table["value"].notna()]
    qualifier = combine_qualifiers(str(q) for q in shown["qualifier"])
    districts = (
        format_figure(ind, float(shown["value"].sum()), lang, qualifier) if len(shown) else "–"
    )
    index = index_frame(frame)
    rows = [index.get((code, a.id, period)) for a in agencies]
    found = [row for row in rows if row is not None]
    agencies_text = (
        format_figure(
            ind,
            sum(float(row["value"]) for row in found),
            lang,
            combine_qualifiers(str(row["qualifier"]) for row in found),
        )
        if found
        else t("dashboard.total.no_agencies", lang)
    )
    return t(
        "dashboard.total.parts",
        lang,
        total=r.province_text,
        n=len(shown),
        districts=districts,
        agencies=agencies_text,
    )
