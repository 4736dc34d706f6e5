"""What the staff pages (Upload, History) share: the acting user, the template, batch tables."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from kpi import db, queries
from kpi.access import Actor
from kpi.display import format_figure
from kpi.i18n import t
from kpi.periods import Period, period_range
from kpi.ui import data
from kpi.ui.frame import page_context, source_lines, time_text
from loaders import template


def web_actor() -> Actor:
    """The user acting on a staff page: the logged-in user of this run (or the anonymous
    visitor, who may change nothing); kpi.store checks role and scope on every write."""
    return page_context().user


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
    """The figures of one batch, named and formatted, with what became of each."""
    frame = _batch_figures(data.database_url(), data.data_version(), batch_id)
    cat = data.catalogue()
    names = {u.id: u.name for u in data.units()}
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
                t("history.state.current" if c else "history.state.earlier", lang)
                for c in history["is_current"]
            ],
            t("history.col.source", lang): source_lines(history, lang),
        }
    )
