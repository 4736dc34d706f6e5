"""What the login and account pages need: the login page's messages, the checked ``next``,
changing one's own password."""

from __future__ import annotations

import streamlit as st

from kpi import accounts, db
from kpi.config import get_settings
from kpi.i18n import t
from kpi.numbers import format_number
from kpi.ui import data
from kpi.ui.frame import PageContext
from kpi.web import safe_next


def login_intro_key() -> str:
    return "access.login_intro" if get_settings().public_read else "access.login_intro_private"


def next_address() -> str:
    return safe_next(st.query_params.get("next"))


def login_problem(lang: str) -> str | None:
    """What the login route said about the last attempt (``?error=...&wait=...``)."""
    error = st.query_params.get("error")
    if error not in ("bad_credentials", "wait", "locked"):
        return None
    try:
        wait = max(1, int(st.query_params.get("wait", "1")))
    except ValueError:
        wait = 1
    if error == "locked":
        wait = max(1, -(-wait // 60))  # minutes, rounded up
    return t(f"access.error.{error}", lang, wait=format_number(wait, lang))


def role_name(ctx: PageContext, lang: str) -> str:
    return t(f"access.role.{ctx.user.role}", lang)


def account_error(exc: accounts.AccountError, lang: str) -> str:
    detail = {"min": accounts.MIN_PASSWORD_LENGTH, "name": "", "role": "", "scope": ""}
    detail.update({k: str(v) for k, v in exc.detail.items()})
    return t(f"account.error.{exc.code}", lang, **detail)


def change_own_password(ctx: PageContext, current: str, new: str, repeat: str) -> tuple[bool, str]:
    lang = ctx.lang
    if new != repeat:
        return False, t("account.mismatch", lang)
    try:
        with db.session_scope(data.engine()) as session:
            accounts.set_password(session, ctx.user, ctx.user.name, new, current=current)
    except accounts.AccountError as exc:
        return False, account_error(exc, lang)
    return True, t("account.changed", lang)
