"""Explore and export: an analyst's own table, the sentence that says what it is, its files."""

import streamlit as st

from kpi.filters import FilterError
from kpi.i18n import t
from kpi.ui import data, explore, frame

ctx = frame.page("read")
lang = ctx.lang
st.title(t("explore.title", lang))
if not data.periods_with_data():
    st.warning(t("app.no_data", lang))
    st.stop()
filters = explore.filter_widgets(lang)
explore.keep_in_url(filters)
try:
    table = explore.table(filters)
except FilterError as exc:
    st.error(exc.message(lang))
    st.stop()
explore.summary(table, lang)
explore.download_buttons(table, lang)
explore.show_table(table, lang)
