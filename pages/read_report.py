"""Read a report (staff): paste a report or upload it (.txt, .docx, .pdf, a scan), see the
figures the reader proposes highlighted in the text, accept, correct or reject each, confirm.
Nothing is written before the confirmation."""

import streamlit as st

from kpi import db
from kpi.access import PermissionDenied
from kpi.i18n import t
from kpi.periods import Period
from kpi.ui import data, frame
from kpi.ui.report import (
    column_config,
    highlighted_text,
    period_choices,
    proposal_table,
    reading,
    review_from_table,
)
from kpi.ui.uploads import file_input
from loaders.report.model import ReportError
from loaders.report.review import ReviewError, confirm, review_file

ctx = frame.page("import")
lang = ctx.lang
actor = ctx.user
cat = data.catalogue()
st.title(t("report.page.title", lang))

uploaded = file_input("report", lang, "read_report_file", label=t("report.page.file_label", lang))
pasted = st.text_area(t("report.page.paste_label", lang), height=150, key="read_report_paste")
if uploaded is not None:
    content, name = uploaded.getvalue(), uploaded.name
elif pasted.strip():
    content, name = pasted.encode("utf-8"), "pasted.txt"
else:
    st.caption(t("report.page.help", lang))
    st.stop()

first = reading(content, name, None)
if isinstance(first, ReportError):
    st.error(first.message(lang))
    st.stop()
choices = period_choices(first.finding.period)
period = st.selectbox(
    t("report.page.period", lang),
    choices,
    format_func=lambda p: Period.parse(p).label(lang),
    placeholder=t("picker.choose", lang),
    key="read_report_period",
)
found = first.finding.period
if found is None:
    st.warning(t("report.page.period_not_found", lang))
elif first.finding.needs_review:
    st.warning(t("report.page.period_doubt", lang, found=found.label(lang)))
sure = True
if found is not None and period != found.code:
    sure = st.checkbox(
        t(
            "report.page.period_differs",
            lang,
            found=found.label(lang),
            chosen=Period.parse(period).label(lang),
        ),
        key="read_report_period_ok",
    )
result = reading(content, name, period)
assert not isinstance(result, ReportError)

st.caption(
    t(
        "report.page.summary",
        lang,
        n=len(result.proposals),
        flagged=sum(p.needs_review for p in result.proposals),
        number=result.number or "?",
        date=result.date.strftime("%d/%m/%Y") if result.date else "?",
    )
)
with st.container(height=360, key="read_report_text"):
    st.markdown(highlighted_text(result), unsafe_allow_html=True)
for check in result.checks:
    if check.status == "failed":
        st.warning(
            t(
                "report.page.check_failed",
                lang,
                check=check.code,
                found=check.found,
                expected=check.expected,
            )
        )

st.subheader(t("report.page.table_heading", lang))
edited = st.data_editor(
    proposal_table(result, cat, lang),
    column_config=column_config(cat, lang),
    num_rows="dynamic",
    hide_index=True,
    key="read_report_table",
)
review = review_from_table(result, edited, period)
st.download_button(
    t("report.page.download_review", lang),
    review_file(review, result),
    file_name=f"{name.rsplit('.', 1)[0]}-review.toml",
    mime="application/toml",
    key="read_report_download_review",
)
if st.button(
    t("report.page.confirm", lang), type="primary", key="read_report_confirm", disabled=not sure
):
    try:
        with db.session_scope(data.engine()) as session:
            done = confirm(session, actor, result, review, cat)
    except PermissionDenied:
        st.error(t("report.page.out_of_scope", lang, scope=actor.describe_scope()))
    except ReviewError as exc:
        st.error(t("report.page.refused", lang))
        for message in exc.messages(lang):
            st.markdown(f"- {message}")
    else:
        key = "report.page.unchanged" if done.status == "unchanged" else "report.page.stored"
        st.success(t(key, lang, batch=done.batch_id, **done.counts))
