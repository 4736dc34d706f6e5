"""The web frame: page config, language, navigation. Run with ``streamlit run app.py``."""

import streamlit as st

from kpi.config import get_settings
from kpi.i18n import t
from kpi.ui.frame import language_picker

st.set_page_config(page_title="KPI CQĐT Trà Vinh", page_icon="📊", layout="wide")
lang = language_picker()
if not get_settings().public_read:
    # KPI_PUBLIC_READ=false: every page needs a login. Accounts come with their own issue;
    # until then a private deployment shows nothing at all rather than everything.
    st.error(t("app.login_required", lang))
    st.stop()

PAGES = {
    "dashboard": [
        st.Page("pages/overview.py", title=t("nav.overview", lang), url_path="overview", default=True),
    ],
}

nav = st.navigation({t(f"nav.{section}", lang): pages for section, pages in PAGES.items()})
nav.run()
