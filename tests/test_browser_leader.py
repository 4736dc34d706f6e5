"""A leader's journey in Chromium: the Overview of the quarter, then Trends and Districts,
changing the indicator on each; a screenshot of every page is kept in test-artifacts/."""

from __future__ import annotations

import re

import pytest

from tests.conftest import screenshot
from tests.support.server import settled

pytestmark = pytest.mark.browser


def _keep(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """A screenshot of the whole page: Streamlit scrolls inside its main area, so the window is
    made as tall as the page first."""
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], section')]"
        ".map(e => e.scrollHeight))"
    )
    page.set_viewport_size({"width": 1400, "height": min(int(height) + 60, 8000)})
    page.wait_for_timeout(800)
    screenshot(page, name)
    page.set_viewport_size({"width": 1400, "height": 1000})


def _svg_text(page) -> str:  # type: ignore[no-untyped-def]
    return str(
        page.evaluate(
            "() => [...document.querySelectorAll('.js-plotly-plot text')].map(t => {"
            " const lines = [...t.querySelectorAll('tspan.line')];"
            " return lines.length ? lines.map(l => l.textContent).join(' ') : t.textContent;"
            " }).join(' ')"
        )
    )


def test_a_leader_reads_the_quarter_then_its_trends_and_districts(page, live_app: str) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(live_app)

    # Overview: the real quarter's figures, the whole indicator names, a figure's source
    page.locator('[data-testid="stMetricValue"]').first.wait_for()
    settled(page)
    values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    for expected in ("7.848", "38.751", "38.584", "516", "99,57%", ">90%", "~28.474"):
        assert expected in values, (expected, values)
    assert page.get_by_text(
        "Người sử dụng phần mềm quản lý văn bản và điều hành", exact=True
    ).first.is_visible()
    assert page.get_by_text("Đạt 92,3% chỉ tiêu năm 2019 (7.848 / 8.500)").is_visible()
    _keep(page, "leader-overview-vi")
    page.get_by_role("button", name="Nguồn").first.click()
    assert page.get_by_text(re.compile("dòng 107")).first.is_visible()
    page.keyboard.press("Escape")

    # Trends: the dossiers by quarter; then the users of the document system too
    page.get_by_role("link", name="Xu hướng").click()
    page.locator(".js-plotly-plot").first.wait_for()
    settled(page)
    assert "Quý I/2019" in _svg_text(page)
    cells = page.locator('[data-testid="stDataFrame"] td').all_inner_texts()
    assert "38.751" in cells and "99,57%" in cells
    search = page.get_by_label("Tìm theo tên")
    search.fill("nguoi su dung")  # without tones: the picker folds them
    search.press("Enter")
    settled(page)
    page.get_by_text(
        "Người sử dụng phần mềm quản lý văn bản và điều hành", exact=True
    ).first.click()
    settled(page)
    page.get_by_role(
        "heading", name="Người sử dụng phần mềm quản lý văn bản và điều hành"
    ).wait_for()
    users = page.locator('[data-testid="stDataFrame"]').first  # report order: documents first
    users.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    cells = users.locator("td").all_inner_texts()
    assert "7.848" in cells, cells
    _keep(page, "leader-trends-vi")

    # Districts: ranked on dossiers received; then on the resolution rate
    page.get_by_role("link", name="Các huyện").click()
    page.locator(".js-plotly-plot").first.wait_for()
    settled(page)
    text = _svg_text(page)
    # the units as they were in Quý I/2019 (no †), the province total explained
    assert "†" not in text and "4.578" in text
    assert "Toàn tỉnh 38.751 = 9 huyện" in text and "các cơ quan cấp tỉnh" in text
    indicator = page.get_by_role("combobox", name="Chỉ tiêu")
    assert indicator.input_value() == "Hồ sơ tiếp nhận"
    indicator.click()
    indicator.fill("Tỷ số hồ sơ")
    page.get_by_role("option", name="Tỷ số hồ sơ giải quyết trên hồ sơ tiếp nhận").click()
    settled(page)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot text')]"
        ".some(t => t.textContent.includes('Toàn tỉnh: 99,57%'))"
    )
    assert "%" in _svg_text(page)
    _keep(page, "leader-districts-vi")
