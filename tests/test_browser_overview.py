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
