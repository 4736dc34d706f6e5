"""The Overview page through Streamlit's AppTest, in both languages, on the demo database."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.apptest import open_app


def _overview(lang: str) -> AppTest:
    return open_app(lang)


def _cards(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "vi",
            {
                "Người sử dụng phần mềm quản lý văn bản và điều hành": "7.848",
                "Hồ sơ tiếp nhận": "38.751",
                "Hồ sơ giải quyết": "38.584",
                "Dịch vụ công trực tuyến mức độ 3, 4": "516",
                "Tỷ lệ văn bản trao đổi dưới dạng điện tử": ">90%",
                "Văn bản trao đổi trên môi trường mạng": "~28.474",
            },
        ),
        (
            "en",
            {
                "Users of the document management system": "7,848",
                "Dossiers received": "38,751",
                "Dossiers resolved": "38,584",
                "Documents exchanged over the network": "~28,474",
            },
        ),
    ],
)
def test_overview_opens_on_the_real_quarter_with_its_figures(
    demo_url: str, lang: str, expected: dict[str, str]
) -> None:
    at = _overview(lang)
    assert at.selectbox(key="overview_period").value == "2019-Q1"
    cards = _cards(at)
    for label, value in expected.items():
        assert cards[label] == value, label
    rates = [v for k, v in cards.items() if "99" in v]
    assert ("99,57%" if lang == "vi" else "99.57%") in rates


def test_overview_follows_the_chosen_quarter(demo_url: str) -> None:
    at = _overview("vi")
    at.selectbox(key="overview_period").set_value("2018-Q4").run()
    assert not at.exception
    cards = _cards(at)
    assert cards["Hồ sơ tiếp nhận"] != "38.751"
    assert any("minh hoạ" in i.value for i in at.info)  # the history is demo data, and says so


def test_a_private_site_shows_no_figure(demo_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KPI_PUBLIC_READ", "false")
    at = open_app("vi")
    assert not at.metric
    assert "KPI_PUBLIC_READ" in at.error[0].value
