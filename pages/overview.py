"""Overview: a quarter at a glance (key figures as cards, then the report's groups)."""

import streamlit as st

from kpi.i18n import t
from kpi.ui import dashboard as ui
from kpi.ui import data, frame
from kpi.ui.briefing import draft_download

ctx = frame.page("read")
lang = ctx.lang
st.title(t("overview.title", lang))
periods = data.periods_with_data()
if not periods:
    st.warning(t("app.no_data", lang))
    st.stop()
period = ui.period_picker(t("overview.period", lang), periods, "overview_period", lang)
model = ui.overview(period, lang)
if model is None:
    st.warning(t("dashboard.no_province", lang))
    st.stop()
ui.banner(model.is_demo, lang)
draft_download(period, lang)
st.subheader(t("overview.key_figures", lang))
ui.cards(model, lang)
st.subheader(t("dashboard.overview.groups", lang))
summary = "dashboard.overview.summary_missing" if model.missing else "dashboard.overview.summary"
st.caption(
    t(
        summary,
        lang,
        label=model.label,
        present=model.present,
        total=model.total,
        missing=len(model.missing),
    )
)
for section in model.sections:
    ui.section(model, section, lang)
