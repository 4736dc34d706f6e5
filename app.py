"""The web frame: page config, language, navigation. Run with ``streamlit run app.py``."""

import streamlit as st

from kpi.config import get_settings
from kpi.i18n import t
from kpi.ui import data
from kpi.ui.frame import language_picker

st.set_page_config(page_title="KPI CQĐT Trà Vinh", page_icon="📊", layout="wide")
lang = language_picker()
if not get_settings().public_read:
    # KPI_PUBLIC_READ=false: every page needs a login. Accounts come with their own issue;
    # until then a private deployment shows nothing at all rather than everything.
    st.error(t("app.login_required", lang))
    st.stop()
try:
    data.data_version()
except Exception as exc:  # a database that is absent, unreachable or not initialised
    st.error(t("app.database_error", lang, error=type(exc).__name__))
    st.stop()

PAGES = {
    "dashboard": [
        st.Page(
            "views/overview.py", title=t("nav.overview", lang), url_path="overview", default=True
        ),
        st.Page("views/trends.py", title=t("nav.trends", lang), url_path="trends"),
        st.Page("views/districts.py", title=t("nav.districts", lang), url_path="districts"),
    ],
    "staff": [
        st.Page("views/upload.py", title=t("nav.upload", lang), url_path="upload"),
        st.Page("views/history.py", title=t("nav.history", lang), url_path="history"),
        st.Page("views/read_report.py", title=t("report.page.title", lang), url_path="read-report"),
    ],
    "analysis": [
        st.Page("views/explore.py", title=t("explore.title", lang), url_path="explore"),
    ],
}

nav = st.navigation({t(f"nav.{section}", lang): pages for section, pages in PAGES.items()})
nav.run()
