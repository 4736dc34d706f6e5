"""Upload (staff): download the quarter's template, upload it filled, read every problem with its
sheet and cell, see what would change, confirm. Nothing is written before the confirmation."""

import hashlib

import pandas as pd
import streamlit as st

from kpi.config import get_settings
from kpi.i18n import t
from kpi.periods import Period
from kpi.ui import data, frame
from kpi.ui.staff import template_file, template_periods
from loaders.importer import check_upload, commit_upload

ctx = frame.page("import")
lang = ctx.lang
actor = ctx.user
st.title(t("upload.title", lang))

st.subheader(t("upload.template_heading", lang))
choices = template_periods()
if choices:
    latest = data.periods_with_data()[-1]
    default = Period.parse(latest).shift(1).code
    period = st.selectbox(
        t("upload.template_period", lang),
        choices,
        index=choices.index(default) if default in choices else 0,
        format_func=lambda p: Period.parse(p).label(lang),
        key="upload_template_period",
    )
    name, content = template_file(period)
    st.download_button(
        t("upload.template_download", lang, period=Period.parse(period).label(lang)),
        content,
        file_name=name,
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="upload_template_download",
    )

st.subheader(t("upload.file_heading", lang))
limit = get_settings().max_upload_mb
uploaded = st.file_uploader(
    t("upload.file_label", lang, limit=limit),
    type=["xlsx", "xls", "ods", "xlsm"],
    key="upload_file",
)
if uploaded is None:
    st.caption(t("upload.file_help", lang))
    st.stop()

content = uploaded.getvalue()
sha = hashlib.sha256(content).hexdigest()
state_key = f"upload_report_{sha}_{lang}_{actor.name}"
if state_key not in st.session_state:
    st.session_state[state_key] = check_upload(
        data.engine(), content, uploaded.name, lang=lang, actor=actor
    )
report = st.session_state[state_key]

if report.status == "imported":
    st.success(t("upload.imported", lang, batch=report.batch) + " " + report.summary())
    st.stop()
if report.status == "unchanged":
    st.info(t("upload.unchanged", lang, batch=report.batch))
    st.stop()
if report.errors:
    st.error(t("upload.rejected", lang, errors=len(report.errors)))
elif report.warnings:
    st.warning(t("upload.warnings", lang, warnings=len(report.warnings)))
if report.problems:
    st.dataframe(pd.DataFrame(report.problem_table()), hide_index=True, key="upload_problems")
if report.status != "valid":
    st.stop()

st.subheader(t("upload.preview_heading", lang, period=Period.parse(report.period).label(lang)))
counts = report.counts
cols = st.columns(3)
cols[0].metric(t("upload.count_new", lang), counts["inserted"])
cols[1].metric(t("upload.count_revised", lang), counts["revised"])
cols[2].metric(t("upload.count_unchanged", lang), counts["unchanged"])
revised = report.preview_table(("revised",))
if revised:
    st.markdown(t("upload.revised_heading", lang))
    st.dataframe(pd.DataFrame(revised), hide_index=True, key="upload_preview_revised")
with st.expander(t("upload.all_changes", lang)):
    st.dataframe(pd.DataFrame(report.preview_table()), hide_index=True, key="upload_preview_all")

if not counts["inserted"] and not counts["revised"]:
    st.info(t("upload.nothing_to_change", lang))
    st.stop()
if st.button(t("upload.confirm", lang), type="primary", key="upload_confirm"):
    st.session_state[state_key] = commit_upload(data.engine(), report, actor)
    st.rerun()
