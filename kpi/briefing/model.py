"""The model of a draft quarterly report: a unit's figures of a quarter read through the core
(the same cards as the Overview), its letterhead, and its districts or communes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
from sqlalchemy.orm import Session

from kpi import dashboard, queries
from kpi.briefing.templates import Letterhead, ReportTemplate, Span, load_letterhead, load_report
from kpi.catalogue import Catalogue, IndicatorDef, load_catalogue
from kpi.i18n import t
from kpi.periods import Period, period_range
from kpi.units import AGENCIES_CODE, UnitInfo, all_units

LEVELS = ("province", "district")  #: the units a draft is written for
MISSING = "…"  #: a figure the quarter lacks, in every sentence and table (never 0)
#: the trend charts of the appendix, each a set of indicators on one axis (those of the level)
TREND_SETS: tuple[tuple[str, ...], ...] = (
    ("dossiers_received", "dossiers_resolved"),
    ("doc_system_users", "email_accounts_total"),
)
RANKED = "dossiers_received"  #: the figure the districts (or communes) are ranked on
#: the one-stop figures of the units below in the appendix (those reported at their level)
BREAKDOWN = (
    "dossiers_received",
    "dossiers_resolved",
    "dossier_resolution_rate",
    "dossier_on_time_rate",
    "dossier_online_share",
    "dossiers_pending",
)


class BriefingError(ValueError):
    """A draft that cannot be made (an unknown unit, a quarter without a province)."""


@dataclass(frozen=True)
class Breakdown:
    """The one-stop figures of the units below: districts (and the provincial agencies) for
    the province, communes for a district."""

    codes: tuple[str, ...]
    units: tuple[UnitInfo, ...]
    texts: Mapping[tuple[str, int], str]  # (indicator, unit id) -> figure as shown, "…" if none
    total: Mapping[str, str]  # indicator -> the unit's own figure as shown
    ranking: dashboard.Ranking | None


@dataclass(frozen=True)
class Draft:
    """Everything a draft report or a summary writes, in one language."""

    period: Period
    lang: str
    unit: UnitInfo
    level: str
    catalogue: Catalogue
    template: ReportTemplate
    province: Span
    department: Span
    national: Mapping[str, str]
    cards: Mapping[str, dashboard.Card]  # every indicator of the level, as the Overview has it
    previous: Mapping[str, str]  # indicator -> last quarter's figure as shown ("…" if none)
    year_ago: Mapping[str, str]
    trend: pd.DataFrame  # dashboard.trend_long of the key figures over eight quarters
    breakdown: Breakdown
    is_demo: bool

    @property
    def is_province(self) -> bool:
        return self.level == "province"

    @property
    def indicators(self) -> list[IndicatorDef]:
        return [self.catalogue[c] for c in self.cards]

    def period_words(self) -> str:
        """ "quý I/2019" (inside a sentence), "Q1 2019"."""
        label = self.period.label(self.lang)
        return label[0].lower() + label[1:] if self.lang == "vi" else label

    def area_words(self) -> str:
        """Where the draft is about: "tỉnh", "huyện Càng Long", "các cơ quan cấp tỉnh"."""
        if self.is_province:
            return t("briefing.area.province", self.lang)
        name = self.unit.name
        return name[0].lower() + name[1:] if self.lang == "vi" else name

    def department_words(self) -> str:
        return self.department.text("short", self.lang)


def find_unit(
    units: list[UnitInfo], code: str | None, period: Period, lang: str = "vi"
) -> UnitInfo:
    """The unit a draft is for: the province of the quarter by default, or the unit with
    ``code`` (the province or a district) that existed in the quarter."""
    if code is None or code.strip() == "":
        found = dashboard.province_unit(units, period)
        if found is None:
            raise BriefingError(t("briefing.error.no_province", lang, period=period.label(lang)))
        return found
    wanted = code.strip()
    matches = [u for u in units if u.code == wanted and dashboard.existed(u, period)]
    if not matches:
        raise BriefingError(
            t("briefing.error.unknown_unit", lang, code=wanted, period=period.label(lang))
        )
    unit = matches[0]
    if unit.level not in LEVELS:
        raise BriefingError(t("briefing.error.level", lang, code=wanted, name=unit.name))
    return unit


def report_day(period: Period) -> dt.date:
    """The day whose letterhead names a quarter's report takes: the quarter's last day."""
    return period.end


def build_draft(
    session: Session,
    period: Period | str,
    lang: str = "vi",
    unit_code: str | None = None,
    *,
    catalogue: Catalogue | None = None,
    letterhead: Letterhead | None = None,
    template: ReportTemplate | None = None,
) -> Draft:
    """Read a quarter for the draft: the figures of the unit's level with their changes and
    targets (:func:`kpi.dashboard.card`, as the Overview), the trend of the key figures, and
    the one-stop figures of the units below."""
    p = Period.parse(period)
    cat = catalogue or load_catalogue()
    heads = letterhead or load_letterhead()
    words = template or load_report(cat)
    units = all_units(session)
    unit = find_unit(units, unit_code, p, lang)
    level = unit.level
    inds = cat.at_level(level)
    codes = tuple(i.code for i in inds)
    first, last = dashboard.spark_window(p)
    frame = queries.figures(session, cat, units, queries.Query(codes, (unit.id,), first, last))
    goals = dashboard.index_targets(dashboard.targets(session, [unit.id], [p.year]))
    index = dashboard.index_frame(frame)
    cards = {i.code: dashboard.card(i, cat, index, {}, goals, unit.id, p, lang) for i in inds}
    previous = {
        i.code: dashboard.figure_text(
            i, index.get((i.code, unit.id, p.previous().code)), lang, MISSING
        )
        for i in inds
    }
    year_ago = {
        i.code: dashboard.figure_text(
            i, index.get((i.code, unit.id, p.year_ago().code)), lang, MISSING
        )
        for i in inds
    }
    key = [c for c in dict.fromkeys(c for s in TREND_SETS for c in s) if c in cards]
    trend = dashboard.trend_long(
        frame, cat, key, unit.id, [q.code for q in period_range(first, last)], lang
    )
    breakdown = _breakdown(session, cat, units, unit, p, lang)
    is_demo = bool(not frame.empty and frame["is_demo"].fillna(False).astype(bool).any())
    return Draft(
        period=p,
        lang=lang,
        unit=unit,
        level=level,
        catalogue=cat,
        template=words,
        province=heads.province(report_day(p)),
        department=heads.department(report_day(p)),
        national=heads.national,
        cards=cards,
        previous=previous,
        year_ago=year_ago,
        trend=trend,
        breakdown=breakdown,
        is_demo=is_demo,
    )


def _breakdown(
    session: Session,
    cat: Catalogue,
    units: list[UnitInfo],
    unit: UnitInfo,
    p: Period,
    lang: str,
) -> Breakdown:
    if unit.level == "province":
        below_level = "district"
        districts = [
            u for u in dashboard.districts_of(units, unit.id, [p]) if dashboard.existed(u, p)
        ]
        agencies = [
            u
            for u in units
            if u.code == AGENCIES_CODE and u.parent_id == unit.id and dashboard.existed(u, p)
        ]
        shown = agencies + districts
        ranked = districts
    elif unit.level == "district":
        below_level = "commune"
        shown = dashboard.communes_of(units, unit.id, p)
        ranked = shown
    else:
        return Breakdown((), (), {}, {}, None)
    codes = tuple(c for c in BREAKDOWN if c in cat and below_level in cat[c].levels)
    if not codes or not shown:
        return Breakdown(codes, tuple(shown), {}, {}, None)
    ids = tuple(u.id for u in shown)
    frame = queries.figures(
        session, cat, units, queries.Query(codes, (unit.id, *ids), p.code, p.code)
    )
    index = dashboard.index_frame(frame)
    texts = {
        (c, u.id): dashboard.figure_text(cat[c], index.get((c, u.id, p.code)), lang, MISSING)
        for c in codes
        for u in shown
    }
    total = {
        c: dashboard.figure_text(cat[c], index.get((c, unit.id, p.code)), lang, MISSING)
        for c in codes
    }
    counts = (
        dashboard.commune_counts(units, [u.id for u in ranked], [p])
        if unit.level == "province"
        else None
    )
    ranking = (
        dashboard.ranking(
            frame, cat, RANKED, ranked, p.code, lang, province_id=unit.id, counts=counts
        )
        if RANKED in codes
        else None
    )
    return Breakdown(codes, tuple(shown), texts, total, ranking)
