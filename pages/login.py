"""Log in: a form posted to the login route, which sends the user on to the page they asked for
(``next``, kept through the redirects) with a session cookie."""

import streamlit as st

from kpi.i18n import t
from kpi.ui import account, frame

ctx = frame.page(None)
lang = ctx.lang
st.title(t("access.login_title", lang))
if ctx.user.authenticated:
    st.info(t("access.already", lang, name=ctx.user.name))
    st.stop()
st.caption(t(account.login_intro_key(), lang))
problem = account.login_problem(lang)
if problem:
    st.error(problem)
st.html(frame.login_form(ctx, account.next_address(), name=st.query_params.get("name", "")))
