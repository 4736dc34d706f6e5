"""Trends: chosen indicators across quarters or years, a chart and its table per unit of measure."""

import streamlit as st

from kpi.i18n import t
from kpi.ui import dashboard as ui
from kpi.ui import data, frame

ctx = frame.page("read")
lang = ctx.lang
st.title(t("trends.title", lang))
periods = data.periods_with_data()
if not periods:
    st.warning(t("app.no_data", lang))
    st.stop()
filters = ui.trend_filters(lang, data.catalogue(), periods)
if filters is None:
    st.info(t("trends.choose", lang))
    st.stop()
model = ui.trends(filters, lang)
ui.banner(model.is_demo, lang)
if model.note:
    st.caption(model.note)
if not model.has_data:
    st.info(t("trends.no_data", lang))
for n, (chart, fig) in enumerate(zip(model.charts, ui.trend_figures(filters, lang), strict=True)):
    st.subheader(chart.title)
    ui.show_chart(fig, key=f"trends_chart_{n}")
    if chart.flow_targets_hidden:
        st.caption(t("trends.target_note", lang))
    ui.table(
        chart.table, key=f"trends_table_{n}", figures=list(chart.table.columns[1:]), whole=True
    )
