"""The Overview's download of the draft quarterly report: a cached builder keyed by the
database URL and the data version (as :mod:`kpi.ui.data`), and the button, whose file is made
only when it is clicked."""

from __future__ import annotations

import streamlit as st

from kpi import db
from kpi.briefing import images
from kpi.briefing.model import build_draft
from kpi.briefing.report import DOCX_MIME, write_draft
from kpi.i18n import t
from kpi.ui import data


@st.cache_data(show_spinner=False, max_entries=16)
def _draft(url: str, version: int, period: str, lang: str, browser: str | None) -> bytes:
    with db.session_scope(data.engine_for(url)) as session:
        draft = build_draft(session, period, lang)
    return write_draft(draft, browser=browser).data


def draft_bytes(period: str, lang: str) -> bytes:
    """The .docx of the province's draft for a quarter (charts when a renderer exists)."""
    return _draft(data.database_url(), data.data_version(), period, lang, images.browser_path())


def file_name(period: str, lang: str) -> str:
    prefix = "du-thao-bao-cao" if lang == "vi" else "draft-report"
    return f"{prefix}-{period}.docx"


def draft_download(period: str, lang: str, key: str = "overview_briefing") -> None:
    """The "Tải dự thảo báo cáo quý" button; the draft is written when it is clicked."""
    url, version, browser = data.database_url(), data.data_version(), images.browser_path()
    st.download_button(
        t("briefing.download", lang),
        data=lambda: _draft(url, version, period, lang, browser),
        file_name=file_name(period, lang),
        mime=DOCX_MIME,
        help=t("briefing.download_help", lang),
        icon=":material/description:",
        key=key,
        on_click="ignore",
    )
