"""My account: who I am, my role and scope, and changing my own password."""

import streamlit as st

from kpi.accounts import MIN_PASSWORD_LENGTH
from kpi.i18n import t
from kpi.ui import account, frame

ctx = frame.page("read")
lang = ctx.lang
if not ctx.user.authenticated:
    frame.go_to_login(ctx)
st.title(t("account.title", lang))
st.markdown(t("access.logged_in_as", lang, name=ctx.user.name, role=account.role_name(ctx, lang)))
st.subheader(t("account.change_heading", lang))
with st.form("account_password", clear_on_submit=True):
    current = st.text_input(t("account.current", lang), type="password", key="account_current")
    new = st.text_input(
        t("account.new", lang, min=MIN_PASSWORD_LENGTH), type="password", key="account_new"
    )
    repeat = st.text_input(t("account.repeat", lang), type="password", key="account_repeat")
    submitted = st.form_submit_button(t("account.submit", lang))
if submitted:
    ok, message = account.change_own_password(ctx, current, new, repeat)
    (st.success if ok else st.error)(message)
