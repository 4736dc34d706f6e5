"""The web frame: page config, language, navigation. Run with ``streamlit run app.py``."""

import streamlit as st

from kpi.i18n import t
from kpi.ui.frame import language_picker

st.set_page_config(page_title="KPI CQĐT Trà Vinh", page_icon="📊", layout="wide")
lang = language_picker()

PAGES = {
    "dashboard": [
        st.Page("pages/overview.py", title=t("nav.overview", lang), url_path="overview", default=True),
    ],
}

nav = st.navigation({t(f"nav.{section}", lang): pages for section, pages in PAGES.items()})
nav.run()
