"""The frame on a fresh server: a page that Streamlit's old multipage mode runs without app.py
(what a ``pages/`` folder causes for a fresh server's first request) goes through app.py and comes
back with its query, inside the full frame."""

from __future__ import annotations

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest, app_test

from tests.support.apptest import ROOT


def test_a_page_run_without_the_frame_comes_back_through_app_py_with_its_query(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_test, "PagesManager", PagesManager)  # a fresh server, for real
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.query_params["indicator"] = "dossiers_received"
    at.query_params["unit"] = "84"
    at.query_params["from"] = "2016-Q2"
    at.query_params["to"] = "2019-Q1"
    at.query_params["freq"] = "year"
    at.switch_page(str(ROOT / "pages" / "explore.py"))
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "Khám phá và xuất số liệu"
    assert any("Quý II/2016 - Quý I/2019, theo năm" in s.value for s in at.subheader)
    assert at.radio(key="lang").value == "vi"  # drawn by app.py: the frame ran
    assert at.query_params["from"] == "2016-Q2" and at.query_params["freq"] == "year"


def test_the_root_address_opens_the_overview_at_its_own_address(demo_url: str) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Overview"  # ?lang=en is read, and kept
    assert at.query_params["lang"] == "en"
    assert at.metric  # the cards


def test_a_deep_link_keeps_its_language_through_the_frame(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``/explore?lang=en`` as a fresh server's first request: app.py reads the address's
    language, since the frame carries the query into app.py too."""
    monkeypatch.setattr(app_test, "PagesManager", PagesManager)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.query_params["lang"] = "en"
    at.switch_page(str(ROOT / "pages" / "explore.py"))
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "Explore and export"
    assert at.radio(key="lang").value == "en"
