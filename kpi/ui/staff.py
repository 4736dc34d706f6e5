"""What the staff pages (Upload, History) share: the acting user, the template, batch tables."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from kpi import db, queries, status
from kpi.access import Actor
from kpi.display import format_figure
from kpi.i18n import t
from kpi.page_models import source_lines
from kpi.periods import Period, period_range
from kpi.ui import data
from kpi.ui.frame import time_text
from loaders import template
from loaders.importer import ImportReport, check_upload


def template_periods() -> list[str]:
    """Quarters a template can be made for: the four before the latest with data and the two
    after it, newest first (the next quarter to report is the default)."""
    periods = data.periods_with_data()
    latest = Period.parse(periods[-1]) if periods else None
    if latest is None:
        return []
    return [p.code for p in reversed(period_range(latest.shift(-4), latest.shift(2)))]


@st.cache_data(show_spinner=False, max_entries=16)
def _template(url: str, version: int, period: str) -> bytes:
    return template.make_template(data.engine_for(url), Period.parse(period))


def template_file(period: str) -> tuple[str, bytes]:
    return template.template_file_name(period), _template(
        data.database_url(), data.data_version(), period
    )


@st.cache_data(show_spinner=False, max_entries=64)
def _batch_figures(url: str, version: int, batch_id: int) -> pd.DataFrame:
    with db.session_scope(data.engine_for(url)) as session:
        return queries.batch_figures(session, batch_id)


def batch_table(rows: list[dict[str, Any]], lang: str) -> pd.DataFrame:
    """The batches as a table with localised columns."""
    return pd.DataFrame(
        [
            {
                t("history.col.batch", lang): r["batch"],
                t("history.col.created_at", lang): time_text(r["created_at"]),
                t("history.col.source", lang): t(f"source.kind.{r['source']}", lang),
                t("history.col.file", lang): r["file"] or "",
                t("history.col.period", lang): Period.parse(r["period"]).label(lang)
                if r["period"]
                else "",
                t("history.col.user", lang): r["user"],
                t("history.col.status", lang): t(f"history.status.{r['status']}", lang),
                t("history.col.inserted", lang): r["inserted"],
                t("history.col.revised", lang): r["revised"],
                t("history.col.demo", lang): "✓" if r["demo"] else "",
            }
            for r in rows
        ]
    )


def batch_figures_table(batch_id: int, lang: str) -> pd.DataFrame:
    """The figures of one batch, named and formatted, with what became of each: in the
    report's order of indicators, then the province, its agencies, the districts and the
    communes by code, then the quarter."""
    frame = _batch_figures(data.database_url(), data.data_version(), batch_id)
    cat = data.catalogue()
    units = {u.id: u for u in data.units()}
    names = {uid: u.name for uid, u in units.items()}
    indicator_rank = {ind.code: i for i, ind in enumerate(cat.ordered())}
    level_rank = {"province": 0, "agencies": 1, "district": 2, "commune": 3}
    if not frame.empty:
        keys = [
            (
                indicator_rank.get(c, len(indicator_rank)),
                level_rank.get(units[u].level, 4) if u in units else 5,
                units[u].code if u in units else "",
                p,
            )
            for c, u, p in zip(frame["indicator"], frame["unit_id"], frame["period"], strict=True)
        ]
        order = sorted(range(len(keys)), key=keys.__getitem__)
        frame = frame.iloc[order].reset_index(drop=True)
    return pd.DataFrame(
        {
            t("history.col.indicator", lang): [cat[c].name(lang) for c in frame["indicator"]],
            t("history.col.unit", lang): [names.get(u, "") for u in frame["unit_id"]],
            t("history.col.period", lang): [Period.parse(p).label(lang) for p in frame["period"]],
            t("history.col.value", lang): [
                format_figure(cat[c], v, lang, q)
                for c, v, q in zip(
                    frame["indicator"], frame["value"], frame["qualifier"], strict=True
                )
            ],
            t("history.col.state", lang): [
                t(f"history.state.{s}", lang, batch="" if pd.isna(b) else int(b))
                for s, b in zip(frame["state"], frame["superseded_by"], strict=True)
            ],
            t("history.col.where", lang): [
                f"{sh or ''} {c or ''}".strip()
                for sh, c in zip(frame["sheet"], frame["cell"], strict=True)
            ],
        }
    )


def _value_state(is_current: bool, batch_status: str) -> str:
    """A stored value is current, earlier (revised by a later upload) or undone (its batch was
    rolled back: đã huỷ, never "replaced")."""
    if is_current:
        return "history.state.current"
    return "history.state.rolled_back" if batch_status == "rolled_back" else "history.state.earlier"


def figure_history_table(code: str, unit_id: int, period: str, lang: str) -> pd.DataFrame:
    """Every value a figure has had, newest first: the value, whether it is the current one,
    and where it came from (batch, file, sheet and cell, or report line)."""
    history = data.figure_history(code, unit_id, period)
    ind = data.catalogue()[code]
    return pd.DataFrame(
        {
            t("history.col.value", lang): [
                format_figure(ind, v, lang, q)
                for v, q in zip(history["value"], history["qualifier"], strict=True)
            ],
            t("history.col.state", lang): [
                t(_value_state(bool(c), str(s)), lang)
                for c, s in zip(history["is_current"], history["status"], strict=True)
            ],
            t("history.col.source", lang): source_lines(history, lang),
        }
    )


@st.cache_data(show_spinner=False, max_entries=16)
def _status(url: str, version: int, period: str) -> status.QuarterStatus:
    with db.session_scope(data.engine_for(url)) as session:
        return status.reporting_status(session, data.catalogue(), period)


def status_table(period: str, lang: str) -> pd.DataFrame:
    """Who has reported for ``period`` (and the quarter before), one row per unit."""
    found = _status(data.database_url(), data.data_version(), period)
    return pd.DataFrame(status.status_rows(found, data.catalogue(), lang))


def check_for_upload(
    content: bytes, file_name: str, chosen: str | None, lang: str, actor: Actor
) -> ImportReport:
    """Check an uploaded file for the Upload page: the quarter is the one its metadata sheet
    names; a workbook without one (not the template) is checked for the quarter chosen on the
    page, so that it is never told that no quarter was chosen. Figures outside the user's scope
    are errors at their cells."""
    engine = data.engine()
    report = check_upload(engine, content, file_name, lang=lang, actor=actor)
    if report.readable and report.file_period is None and chosen is not None:
        report = check_upload(engine, content, file_name, period=chosen, lang=lang, actor=actor)
    return report


def quarter_notice(report: ImportReport, file_name: str, chosen: str | None, lang: str) -> bool:
    """Say which quarter the file is for; when that is not the quarter chosen on the page, say
    so and return True (the page then asks before it stores anything)."""
    if report.file_period is None:
        if report.period is not None and report.readable:
            st.info(
                t(
                    "upload.file_without_quarter",
                    lang,
                    period=Period.parse(report.period).label(lang),
                )
            )
        return False
    found = Period.parse(report.file_period).label(lang)
    if chosen is None or report.file_period == chosen:
        st.info(t("upload.file_quarter", lang, file=file_name, period=found))
        return False
    st.warning(
        t(
            "upload.file_quarter_differs",
            lang,
            file=file_name,
            period=found,
            chosen=Period.parse(chosen).label(lang),
        )
    )
    return True
