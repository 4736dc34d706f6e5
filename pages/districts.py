"""Districts: one indicator in one quarter, the districts side by side, and their communes."""

import streamlit as st

from kpi.i18n import t
from kpi.ui import dashboard as ui
from kpi.ui import data, frame

ctx = frame.page("read")
lang = ctx.lang
st.title(t("districts.title", lang))
periods = data.periods_with_data()
if not periods:
    st.warning(t("app.no_data", lang))
    st.stop()
cat = data.catalogue()
filters = ui.district_filters(lang, cat, periods)
ind = cat[filters.code]
model = ui.districts(filters, lang)
figs = ui.district_figures(filters, lang)
if model is None or figs is None or not model.districts:
    st.info(t("districts.no_districts", lang))
    st.stop()
ui.banner(model.is_demo, lang)
left, right = st.columns(2)
with left:
    st.subheader(t("districts.ranking", lang))
    ui.show_chart(figs.ranking, key="districts_ranking")
with right:
    st.subheader(t("districts.tiles", lang))
    ui.show_chart(figs.tiles, key="districts_tiles")
    st.caption(t("districts.tiles_note", lang))
ui.table(model.table, key="districts_table")
st.subheader(t("districts.heat", lang))
ui.show_chart(figs.heat, key="districts_heat")
if model.note:
    st.caption(model.note)
district_id = ui.district_picker(model, lang)
if district_id is not None:
    communes = ui.communes(filters.code, district_id, filters.period, lang)
    if "commune" not in ind.levels:
        st.info(t("districts.no_commune_data", lang))
    elif communes is None or not communes.has_data:
        st.info(t("districts.no_communes", lang, name=communes.district if communes else ""))
    else:
        st.subheader(t("districts.communes_title", lang, name=communes.district))
        ui.show_chart(
            ui.commune_figure(filters.code, district_id, filters.period, lang),
            key="districts_communes",
        )
        ui.table(communes.table, key="districts_communes_table")
        if communes.note:
            st.caption(communes.note)
