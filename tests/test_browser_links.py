"""A link keeps the screen, in Chromium (issue 9): each leader's page and Explore opened from an
address with its choices shows exactly those choices, writes the same address back, and the
address it shows reopens the page unchanged in a new visit; switching the language redraws
every label in the other language at once, keeping the choices."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import screenshot
from tests.support.server import new_context, settled

pytestmark = pytest.mark.browser

#: (page, address, what the widgets must show)
LINKS = [
    ("overview", "?period=2018-Q4", ["Quý IV/2018"]),
    (
        "trends",
        "trends?indicator=dossiers_received&indicator=dossier_resolution_rate&unit=849"
        "&from=2016-Q2&to=2019-Q1&freq=year",
        ["Hồ sơ tiếp nhận", "Huyện Trà Cú", "Năm", "Năm 2016", "Năm 2019"],
    ),
    (
        "districts",
        "districts?indicator=dossiers_resolved&period=2018-Q3&unit=849",
        ["Hồ sơ giải quyết", "Quý III/2018", "Huyện Trà Cú"],
    ),
    (
        "explore",
        "explore?indicator=dossiers_received&unit=849&children=1&from=2018-Q1&to=2019-Q1&freq=year",
        ["Hồ sơ tiếp nhận", "Huyện Trà Cú", "Quý I/2018", "Quý I/2019", "theo năm"],
    ),
]

#: what each widget shows: select boxes, slider ends, ticked boxes, chosen radio buttons
WIDGETS = """() => {
  const out = [];
  for (const box of document.querySelectorAll('[data-testid=stSelectbox] [role=combobox]'))
    out.push(box.value);
  for (const v of document.querySelectorAll('[data-testid=stSliderThumbValue]'))
    out.push(v.textContent);
  for (const input of document.querySelectorAll('input[type=checkbox]:checked, input[type=radio]:checked')) {
    const label = input.closest('label');
    out.push(label ? label.innerText.trim() : '');
  }
  return out;
}"""


def _stable(page) -> list[str]:  # type: ignore[no-untyped-def]
    """What the widgets show, once two readings half a second apart agree (the page has
    finished drawing)."""
    before: list[str] | None = None
    for _ in range(40):
        now = [str(v) for v in page.evaluate(WIDGETS)]
        if now == before:
            return now
        before = now
        page.wait_for_timeout(500)
    raise AssertionError(f"the page kept changing: {before}")


def _open(page, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.locator('[data-testid="stMainBlockContainer"] h1').first.wait_for()
    settled(page)
    return _stable(page)


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


@pytest.mark.parametrize(("name", "address", "shown"), LINKS, ids=[link[0] for link in LINKS])
def test_a_link_reopens_its_page_unchanged(  # type: ignore[no-untyped-def]
    browser, live_app: str, name: str, address: str, shown: list[str]
) -> None:
    first = new_context(browser).new_page()
    first.set_default_timeout(20_000)
    widgets = _open(first, f"{live_app}/{address}")
    for text in shown:
        assert text in widgets, (text, widgets)
    written = _query(first.url)
    for key, values in _query(f"{live_app}/{address}").items():
        assert written.get(key) == values, (key, written)
    screenshot(first, f"link-{name}")
    # the address on screen, in a new visit (another browser context: a new session)
    again = new_context(browser).new_page()
    again.set_default_timeout(20_000)
    assert _open(again, first.url) == widgets
    assert _query(again.url) == written
    first.context.close()
    again.context.close()


def test_switching_the_language_redraws_every_label_and_keeps_the_choices(
    page, live_app: str
) -> None:  # type: ignore[no-untyped-def]
    widgets = _open(page, f"{live_app}/?period=2018-Q4")
    assert "Quý IV/2018" in widgets
    page.get_by_text("English", exact=True).click()
    settled(page)
    widgets = _stable(page)
    assert "Q4 2018" in widgets and "Quý IV/2018" not in widgets, widgets
    assert _query(page.url) == {"period": ["2018-Q4"], "lang": ["en"]}
    page.goto(f"{live_app}/trends?from=2018-Q1&to=2019-Q1")
    page.locator('[data-testid="stMainBlockContainer"] h1').first.wait_for()
    settled(page)
    page.get_by_text("Tiếng Việt", exact=True).click()
    settled(page)
    widgets = _stable(page)
    assert "Quý I/2018" in widgets and "Quý I/2019" in widgets, widgets
    assert not any(w.startswith("Q1 ") for w in widgets), widgets


def test_on_a_phone_the_toolbar_and_the_heat_map_figures_give_way(page, live_app: str) -> None:  # type: ignore[no-untyped-def]
    """At 390 pixels the Plotly toolbar no longer covers titles, and the heat map keeps its
    figures for the hover; on a wide screen the figures are in the cells."""
    page.goto(f"{live_app}/districts")
    page.locator("g.heatmap-label").first.wait_for(state="attached")
    settled(page)
    assert page.locator("g.heatmap-label").first.is_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(800)
    assert not page.locator("g.heatmap-label").first.is_visible()
    bars = page.locator(".modebar-container")
    assert bars.count() == 0 or not any(bars.nth(i).is_visible() for i in range(bars.count()))
    screenshot(page, "districts-phone")
