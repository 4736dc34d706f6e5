"""The frame around every page: language, the logged-in user, the role a page needs, the
fresh-server deep link, the demo banner, the source of a figure.

Every page script starts with ``ctx = frame.page(needs=...)``. ``app.py`` runs first in every
script run (it calls :func:`start`, registers the pages with ``st.navigation`` and runs the chosen
one inside :func:`running`). A page that finds no frame around it was run by Streamlit's old
multipage mode, which a ``pages/`` folder triggers on a fresh server until some session has set up
``st.navigation``: it remembers its own address and query and switches to ``app.py``, which sends
the user on to it (:func:`resume`). A page the user may not see sends an anonymous visitor to the
login page with the page's address and query as ``next``, and tells a logged-in user why not.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from kpi.access import Actor
from kpi.config import LANGUAGES, get_settings
from kpi.display import local_time
from kpi.i18n import t
from kpi.ui import auth

LANG_LABELS = {"vi": "Tiếng Việt", "en": "English"}
_PENDING = "_kpi_pending_page"


@dataclass(frozen=True)
class PageContext:
    """What every page knows: the language, the user, and the address of the page."""

    lang: str
    user: Actor
    url_path: str = ""

    def can(self, action: str) -> bool:
        return self.user.can(action)


_CURRENT: ContextVar[PageContext | None] = ContextVar("kpi_page_context", default=None)


def language_picker() -> str:
    """The language switch in the sidebar (drawn once, by app.py); the choice is kept in the
    session, and a page address with ``?lang=en`` opens in that language."""
    if "lang" not in st.session_state:
        from_url = st.query_params.get("lang")
        st.session_state["lang"] = from_url if from_url in LANGUAGES else get_settings().lang
    lang = st.sidebar.radio(
        "Ngôn ngữ / Language",
        LANGUAGES,
        format_func=LANG_LABELS.__getitem__,
        key="lang",
        horizontal=True,
    )
    return str(lang)


def apply_server_limits() -> None:
    """Streamlit's server upload limit from the one table of limits (``kpi.limits``). The
    public ``st.set_option`` refuses server options; the server reads this one at each upload
    request, so setting it when the app runs is in time for every upload."""
    from streamlit import config

    from kpi.limits import server_limit_mb

    limit = server_limit_mb()
    if config.get_option("server.maxUploadSize") != limit:
        config.set_option("server.maxUploadSize", limit)


def language() -> str:
    """The language the page is drawn in."""
    ctx = _CURRENT.get()
    if ctx is not None:
        return ctx.lang
    lang = st.session_state.get("lang") or get_settings().lang
    return str(lang)


def query() -> dict[str, list[str]]:
    """The page's query string, every value of every parameter."""
    return {key: st.query_params.get_all(key) for key in st.query_params}


def address(url_path: str, params: Mapping[str, list[str]]) -> str:
    """``/explore?indicator=a&indicator=b``: a local address for ``next``."""
    qs = urlencode([(k, v) for k, vs in params.items() for v in vs])
    return f"/{url_path}" + (f"?{qs}" if qs else "")


def start() -> PageContext:
    """app.py's first step: the language and the user of this run."""
    lang = language_picker()
    return PageContext(lang, auth.current_user())


def resume(pages: Mapping[str, Any]) -> None:
    """After ``st.navigation``: a page that ran without the frame asked to be shown; show it,
    with its query. ``pages`` maps a script path (``pages/explore.py``) to its st.Page."""
    pending = st.session_state.pop(_PENDING, None)
    if pending and pending.get("script") in pages:
        st.switch_page(pages[pending["script"]], query_params=pending.get("query") or None)


@contextlib.contextmanager
def running(ctx: PageContext) -> Iterator[None]:
    """Run the chosen page inside the frame (app.py: ``with frame.running(ctx): nav.run()``)."""
    token = _CURRENT.set(ctx)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def page_context() -> PageContext:
    """The context of the page being drawn (after :func:`page`)."""
    ctx = _CURRENT.get()
    if ctx is None:
        raise RuntimeError("no page is being drawn inside the frame")
    return ctx


def page(needs: str | None = "read") -> PageContext:
    """The first call of every page script: the frame's context, after checking that the
    user may ``needs`` (None: anyone, such as the login page)."""
    ctx = _CURRENT.get()
    if ctx is None:
        here = inspect.currentframe()
        caller = Path(here.f_back.f_code.co_filename if here and here.f_back else "app.py")
        params = query()
        st.session_state[_PENDING] = {"script": f"pages/{caller.name}", "query": params}
        # the query goes along, so that app.py reads the address's language (?lang=en) too
        st.switch_page("app.py", query_params=params or None)
        raise RuntimeError("unreachable")  # pragma: no cover - switch_page raises
    if needs is None or ctx.can(needs):
        return ctx
    if not ctx.user.authenticated:
        go_to_login(ctx)
    st.title(t("access.not_allowed_title", ctx.lang))
    st.warning(t("access.not_allowed", ctx.lang, role=t(f"access.role.{ctx.user.role}", ctx.lang)))
    st.stop()
    raise RuntimeError("unreachable")  # pragma: no cover - st.stop raises


def go_to_login(ctx: PageContext) -> None:
    """To the login page, coming back to this page (and its query) afterwards."""
    params = {"next": address(ctx.url_path, query()), "lang": ctx.lang}
    st.switch_page("pages/login.py", query_params=params)


def user_box(ctx: PageContext) -> None:
    """The sidebar's account box: who is logged in, with the logout button, or a login link."""
    box = st.sidebar.container(border=True)
    user = ctx.user
    if user.authenticated:
        role = t(f"access.role.{user.role}", ctx.lang)
        box.markdown(t("access.logged_in_as", ctx.lang, name=user.name, role=role))
        if user.role == "editor":
            box.caption(t("access.scope", ctx.lang, scope=user.describe_scope()))
        box.page_link("pages/account.py", label=t("nav.account", ctx.lang))
        box.html(logout_form(t("access.logout", ctx.lang), address(ctx.url_path, query())))
    else:
        params = {"next": address(ctx.url_path, query()), "lang": ctx.lang}
        box.page_link("pages/login.py", label=t("access.login_link", ctx.lang), query_params=params)


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


def logout_form(label: str, next_address: str) -> str:
    return (
        '<form method="post" action="/account/logout" style="margin:0">'
        f'<input type="hidden" name="next" value="{_escape(next_address)}">'
        f'<button type="submit" class="kpi-logout">{_escape(label)}</button></form>'
    )


def login_form(ctx: PageContext, next_address: str, name: str = "") -> str:
    """The login form (posted to the login route, which answers with a redirect)."""
    lang = ctx.lang
    return f"""
<form method="post" action="/account/login" class="kpi-login" autocomplete="on">
  <input type="hidden" name="next" value="{_escape(next_address)}">
  <input type="hidden" name="lang" value="{_escape(lang)}">
  <label>{_escape(t("access.name", lang))}<br>
    <input name="username" id="kpi-login-name" autocomplete="username" required
           value="{_escape(name)}" style="width:100%;padding:6px"></label><br>
  <label>{_escape(t("access.password", lang))}<br>
    <input name="password" id="kpi-login-password" type="password"
           autocomplete="current-password" required style="width:100%;padding:6px"></label><br>
  <button type="submit" id="kpi-login-submit" style="margin-top:8px;padding:6px 16px">
    {_escape(t("access.login_button", lang))}</button>
</form>"""


def time_text(value: Any) -> str:
    """A stored time as people read it: dd/mm/yyyy HH:MM in the province's time zone."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return local_time(pd.Timestamp(value).to_pydatetime(), get_settings().timezone)


def demo_banner(frame: pd.DataFrame, lang: str) -> None:
    """Say so when any figure shown is generated demo data."""
    if not frame.empty and bool(frame["is_demo"].fillna(False).any()):
        st.info(t("app.demo_banner", lang), icon="ℹ️")
