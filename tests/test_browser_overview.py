"""A leader opens the app in Chromium and reads the Overview of the real quarter."""

from __future__ import annotations

import pytest

from tests.conftest import screenshot

pytestmark = pytest.mark.browser


def test_leader_sees_the_q1_2019_figures(page, live_app: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_app)
    values = page.locator('[data-testid="stMetricValue"]')
    values.first.wait_for()
    texts = values.all_inner_texts()
    for expected in ("7.848", "38.751", "38.584", "516", "99,57%", ">90%", "~28.474"):
        assert expected in texts, (expected, texts)
    screenshot(page, "overview-vi")


def test_a_deep_link_to_a_private_site_shows_no_figure(browser, writable_demo_url: str) -> None:  # type: ignore[no-untyped-def]
    """The first request of a fresh server is a deep link: the page still runs inside the frame,
    which sends an anonymous visitor of a private site to the login page."""
    from tests.conftest import ROOT
    from tests.support.server import new_context, running_app

    env = {"KPI_DATABASE_URL": writable_demo_url, "KPI_PUBLIC_READ": "false"}
    with running_app(env, ROOT) as base_url:
        context = new_context(browser)
        try:
            tab = context.new_page()
            tab.goto(f"{base_url}/overview")
            tab.locator("#kpi-login-name").wait_for(timeout=20_000)
            assert "next=%2Foverview" in tab.url
            assert tab.locator('[data-testid="stMetricValue"]').count() == 0
        finally:
            context.close()
