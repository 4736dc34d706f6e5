"""The frame around every page: language, the demo banner, the source of a figure."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from kpi.config import LANGUAGES, get_settings
from kpi.i18n import t

LANG_LABELS = {"vi": "Tiếng Việt", "en": "English"}


def language_picker() -> str:
    """The language switch in the sidebar (drawn once, by app.py); the choice is kept in the
    session, and a page address with ``?lang=en`` opens in that language."""
    if "lang" not in st.session_state:
        from_url = st.query_params.get("lang")
        st.session_state["lang"] = from_url if from_url in LANGUAGES else get_settings().lang
    lang = st.sidebar.radio(
        "Ngôn ngữ / Language",
        LANGUAGES,
        format_func=LANG_LABELS.__getitem__,
        key="lang",
        horizontal=True,
    )
    return str(lang)


def language() -> str:
    """The language the page is drawn in."""
    lang = st.session_state.get("lang") or get_settings().lang
    return str(lang)


def demo_banner(frame: pd.DataFrame, lang: str) -> None:
    """Say so when any figure shown is generated demo data."""
    if not frame.empty and bool(frame["is_demo"].fillna(False).any()):
        st.info(t("app.demo_banner", lang), icon="ℹ️")


def source_lines(history: pd.DataFrame, lang: str) -> list[str]:
    """Where a stored figure came from, newest value first (for a popover or a tooltip)."""
    lines = []
    for row in history.itertuples():
        when = pd.Timestamp(row.created_at).strftime("%d/%m/%Y %H:%M")
        kind = t(f"source.kind.{row.source_kind}", lang)
        line = t("source.batch", lang, batch=row.batch_id, kind=kind, user=row.user, when=when)
        if row.source_kind == "report_text" and row.source_cell:
            line += " — " + t(
                "source.report_line",
                lang,
                file=row.file_name,
                line=row.source_cell,
                text=row.source_text,
            )
            line += _report_source(row, lang)
        elif row.source_sheet:
            line += " — " + t(
                "source.excel_cell",
                lang,
                file=row.file_name,
                sheet=row.source_sheet,
                cell=row.source_cell,
            )
        if row.is_demo:
            line += f" ({t('source.demo', lang)})"
        lines.append(line)
    return lines


def _report_source(row: Any, lang: str) -> str:
    """The report's own number and date, and the line as the reader read it when that differs
    from the line as it appears (a legacy font, OCR damage)."""
    out = ""
    number = getattr(row, "report_number", None)
    date = getattr(row, "report_date", None)
    if isinstance(number, str) and number:
        out += " — " + t("report.source.number", lang, number=number)
    if date is not None and not pd.isna(date):
        out += " " + t("report.source.date", lang, date=pd.Timestamp(date).strftime("%d/%m/%Y"))
    read = getattr(row, "source_read", None)
    if isinstance(read, str) and read and read != row.source_text:
        out += " — " + t("report.source.read", lang, read=read)
    return out
