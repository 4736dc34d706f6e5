"""Upload (staff): download the quarter's template, upload it filled, read every problem with its
sheet and cell, see what would change, confirm. Nothing is written before the confirmation."""

import hashlib

import pandas as pd
import streamlit as st

from kpi.i18n import t
from kpi.periods import Period
from kpi.ui import data, frame
from kpi.ui.staff import (
    check_for_upload,
    quarter_notice,
    status_table,
    template_file,
    template_periods,
)
from kpi.ui.uploads import file_input
from loaders.importer import commit_upload

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
        placeholder=t("picker.choose", lang),
    )
    name, content = template_file(period)
    st.download_button(
        t("upload.template_download", lang, period=Period.parse(period).label(lang)),
        content,
        file_name=name,
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="upload_template_download",
    )

    st.subheader(t("status.heading", lang, period=Period.parse(period).label(lang)))
    st.caption(t("status.caption", lang, previous=Period.parse(period).shift(-1).label(lang)))
    st.dataframe(status_table(period, lang), hide_index=True, key="upload_status")

st.subheader(t("upload.file_heading", lang))
uploaded = file_input("template", lang, key="upload_file")
if uploaded is None:
    st.caption(t("upload.file_help", lang))
    st.stop()

content = uploaded.getvalue()
chosen = period if choices else None
state_key = f"upload_report_{hashlib.sha256(content).hexdigest()}_{lang}_{chosen}_{actor.name}"
if state_key not in st.session_state:
    st.session_state[state_key] = check_for_upload(content, uploaded.name, chosen, lang, actor)
report = st.session_state[state_key]

if report.status == "imported":
    st.success(t("upload.imported", lang, batch=report.batch) + " " + report.summary(batch=False))
    st.stop()
if report.status == "unchanged":
    st.info(t("upload.unchanged", lang, batch=report.batch))
    st.stop()
other_quarter = quarter_notice(report, uploaded.name, chosen, lang)
if report.errors:
    if report.whole_file:
        st.error(t("upload.rejected_file", lang, reason=report.errors[0].message))
    else:
        st.error(t("upload.rejected", lang, errors=len(report.errors)))
elif report.warnings:
    st.warning(t("upload.warnings", lang, warnings=len(report.warnings)))
if report.problems:
    show_codes = st.toggle(t("upload.show_codes", lang), key="upload_show_codes")
    st.table(pd.DataFrame(report.problem_table(codes=show_codes)), hide_index=True)
if report.status != "valid":
    st.stop()

st.subheader(t("upload.preview_heading", lang, period=Period.parse(report.period).label(lang)))
if report.to_acknowledge:
    st.warning(t("upload.typos", lang, count=len(report.to_acknowledge)))
    questioned = [r for r in report.preview_table() if r[t("import.column.check", lang)]]
    st.dataframe(pd.DataFrame(questioned), hide_index=True, key="upload_preview_questioned")
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
typos = report.to_acknowledge
left, right = st.columns([3, 2], vertical_alignment="center")
checked = left.checkbox(t("upload.acknowledge", lang), key="upload_acknowledge") if typos else False
quarter_ok = (
    left.checkbox(
        t("upload.other_quarter_ok", lang, period=Period.parse(report.period).label(lang)),
        key="upload_other_quarter",
    )
    if other_quarter
    else True
)
if right.button(
    t("upload.confirm", lang),
    type="primary",
    key="upload_confirm",
    disabled=(bool(typos) and not checked) or not quarter_ok,
):
    st.session_state[state_key] = commit_upload(
        data.engine(), report, actor, accept_warnings=checked
    )
    st.rerun()
