"""Running the real app (``app.py``) in Streamlit's AppTest."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest, app_test

ROOT = Path(__file__).resolve().parent.parent.parent


class WarmPagesManager(PagesManager):
    """AppTest forgets, at every run, that app.py has set up ``st.navigation``, so with a
    ``pages/`` folder every rerun would take Streamlit's old multipage path (which a real server
    takes only for a fresh server's first request, and the frame then sends through app.py) and
    run the app twice. This manager keeps what a warmed server knows."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        PagesManager.uses_pages_directory = False


@contextlib.contextmanager
def warm_server_pages() -> Iterator[None]:
    """AppTests made inside run the app as a server does after its first request (the tests'
    autouse fixture and the page benchmarks)."""
    before = app_test.PagesManager
    app_test.PagesManager = WarmPagesManager  # type: ignore[misc]
    try:
        yield
    finally:
        app_test.PagesManager = before  # type: ignore[misc]


def open_app(lang: str = "vi", page: str | None = None, timeout: float = 30) -> AppTest:
    """The app in ``lang``, run once (and switched to ``page``, e.g. ``pages/trends.py``)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.session_state["lang"] = lang
    at.run()
    if page is not None:
        at.switch_page(str(ROOT / page)).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def choose_indicators(at: AppTest, key: str, codes: list[str]) -> AppTest:
    """Choose exactly ``codes`` in an indicator picker (:mod:`kpi.ui.pickers`) as a user does:
    "clear all", then tick each box (with every group shown and no search typed)."""
    at.selectbox(key=f"{key}_group").set_value("all").run()
    at.text_input(key=f"{key}_search").set_value("").run()
    clear = at.button(key=f"{key}_clear")
    if not clear.disabled:
        clear.click().run()
    for code in codes:
        at.checkbox(key=f"{key}_box_{code}").check().run()
    return at


def chosen_indicators(at: AppTest, key: str) -> list[str]:
    """The codes chosen in an indicator picker, in the order the page uses them; every box
    shown agrees (ticked exactly when chosen)."""
    chosen = list(at.session_state[key])
    prefix = f"{key}_box_"
    for box in at.checkbox:
        if box.key and box.key.startswith(prefix):
            assert box.value == (box.key.removeprefix(prefix) in chosen), box.key
    return chosen
