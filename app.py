"""The web frame: page config, language, the user, navigation by role. Served by ``server.py``
(``streamlit run server.py``), which adds the login routes; every page in ``pages/`` starts with
``frame.page()`` (kpi/ui/frame.py)."""

import streamlit as st

from kpi.i18n import t
from kpi.ui import data, frame

st.set_page_config(page_title="KPI CQĐT Trà Vinh", page_icon="📊", layout="wide")
ctx = frame.start()
lang = ctx.lang
try:
    data.data_version()
except Exception as exc:  # a database that is absent, unreachable or not initialised
    st.error(t("app.database_error", lang, error=type(exc).__name__))
    st.stop()

# (script, url path, title key, what the user must be allowed to do to see it in the menu).
# Every page is registered for everyone, so that a deep link always reaches its page, which
# then asks for a login or says why not; the menu shows only what the user may use.
PAGES = {
    "dashboard": [
        ("pages/overview.py", "overview", "nav.overview", "read"),
        ("pages/trends.py", "trends", "nav.trends", "read"),
        ("pages/districts.py", "districts", "nav.districts", "read"),
    ],
    "staff": [
        ("pages/upload.py", "upload", "nav.upload", "import"),
        ("pages/history.py", "history", "nav.history", "read"),
    ],
    "analysis": [
        ("pages/explore.py", "explore", "explore.title", "read"),
    ],
    "admin": [
        ("pages/admin.py", "admin", "nav.admin", "admin"),
    ],
    "account": [
        ("pages/account.py", "account", "nav.account", "__user__"),
        ("pages/login.py", "login", "nav.login", "__anonymous__"),
    ],
}


def _visible(needs: str) -> bool:
    if needs == "__user__":
        return ctx.user.authenticated
    if needs == "__anonymous__":
        return not ctx.user.authenticated
    return ctx.can(needs)


registry: dict[str, st.Page] = {}
sections: dict[str, list[st.Page]] = {}
for section, entries in PAGES.items():
    for script, url_path, title, needs in entries:
        registry[script] = st.Page(
            script,
            title=t(title, lang),
            url_path=url_path,
            visibility="visible" if _visible(needs) else "hidden",
        )
        sections.setdefault(t(f"nav.{section}", lang), []).append(registry[script])


def _home() -> None:
    """The root address shows the Overview at its own address (Streamlit ignores url_path on
    the default page), with the query it came with."""
    st.switch_page(registry["pages/overview.py"], query_params=frame.query() or None)


home = st.Page(
    _home, title=t("nav.overview", lang), url_path="home", default=True, visibility="hidden"
)
nav = st.navigation({"": [home], **sections})
frame.resume(registry)
frame.user_box(ctx)
with frame.running(frame.PageContext(lang, ctx.user, nav.url_path)):
    nav.run()
