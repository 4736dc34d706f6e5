"""Administration (admins only): users, targets, indicators active or not, the audit log."""

import streamlit as st

from kpi.i18n import t
from kpi.ui import admin, frame

ctx = frame.page("admin")
lang = ctx.lang
st.title(t("admin.title", lang))
users_tab, targets_tab, indicators_tab, audit_tab = st.tabs(
    [t("admin.tab.users", lang), t("admin.tab.targets", lang),
     t("admin.tab.indicators", lang), t("admin.tab.audit", lang)]
)  # fmt: skip
with users_tab:
    admin.users_section(ctx)
with targets_tab:
    admin.targets_section(ctx)
with indicators_tab:
    admin.indicators_section(ctx)
with audit_tab:
    admin.audit_section(ctx)
