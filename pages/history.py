"""History (staff): every import batch, what each stored, and rollback; every revision of a
figure, so no figure is ever lost."""

import streamlit as st

from kpi.i18n import t
from kpi.periods import Period
from kpi.ui import data, frame
from kpi.ui.staff import batch_figures_table, batch_table, figure_history_table
from loaders.importer import batches, rollback

ctx = frame.page("history")
lang = ctx.lang
actor = ctx.user
st.title(t("history.title", lang))
rows = batches(data.engine())
if not rows:
    st.info(t("history.empty", lang))
    st.stop()
st.dataframe(batch_table(rows, lang), hide_index=True, key="history_batches")

by_id = {r["batch"]: r for r in rows}
chosen = st.selectbox(
    t("history.batch_label", lang),
    list(by_id),
    format_func=lambda b: t(
        "history.batch_choice",
        lang,
        batch=b,
        file=by_id[b]["file"] or "",
        when=frame.time_text(by_id[b]["created_at"]),
    ),
    key="history_batch",
)
st.dataframe(batch_figures_table(chosen, lang), hide_index=True, key="history_batch_figures")

flash = st.session_state.pop("history_flash", None)
if flash:
    (st.success if flash[0] == "ok" else st.error)(flash[1])
may_undo = actor.can("rollback_any") or (
    actor.can("rollback") and by_id[chosen]["user"] == actor.name
)
if by_id[chosen]["status"] == "committed" and may_undo:
    sure = st.checkbox(
        t("history.rollback_confirm", lang, batch=chosen), key="history_rollback_confirm"
    )
    if st.button(t("history.rollback", lang), disabled=not sure, key="history_rollback"):
        result = rollback(data.engine(), actor, chosen, lang)
        st.session_state["history_flash"] = (
            "ok" if result.status == "rolled_back" else "error",
            result.message,
        )
        st.rerun()

st.subheader(t("history.figure_heading", lang))
cat = data.catalogue()
periods = data.periods_with_data()
cols = st.columns(3)
code = cols[0].selectbox(
    t("history.indicator", lang),
    [i.code for i in cat.stored()],
    format_func=lambda c: cat[c].name(lang),
    key="history_indicator",
)
period = cols[2].selectbox(
    t("history.period", lang),
    list(reversed(periods)),
    format_func=lambda p: Period.parse(p).label(lang),
    key="history_period",
)
units = [u for u in data.directory(period).units if u.level in cat[code].levels]
unit_id = cols[1].selectbox(
    t("history.unit", lang),
    [u.id for u in units],
    format_func={u.id: f"{u.name} ({u.code})" for u in units}.__getitem__,
    key="history_unit",
)
table = figure_history_table(code, unit_id, period, lang)
if table.empty:
    st.caption(t("history.no_figure", lang))
else:
    st.dataframe(table, hide_index=True, key="history_figure")
