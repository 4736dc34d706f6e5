"""Running the real app (``app.py``) in Streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent.parent


def open_app(lang: str = "vi", page: str | None = None, timeout: float = 30) -> AppTest:
    """The app in ``lang``, run once (and switched to ``page``, e.g. ``pages/trends.py``)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.session_state["lang"] = lang
    at.run()
    if page is not None:
        at.switch_page(str(ROOT / page)).run()
    assert not at.exception, [e.message for e in at.exception]
    return at
