"""The Overview page through Streamlit's AppTest, in both languages, on the demo database."""

from __future__ import annotations

from pathlib import Path

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
    at = open_app("vi", "pages/overview.py")
    assert not at.metric  # no figure before a login
    assert at.title[0].value == "Đăng nhập"
    assert "chỉ dành cho người có tài khoản" in at.caption[0].value


# ---------------------------------------------------------------------------------------------
# Cards in full: both changes, the sparkline, the target, the source; the report's groups
# ---------------------------------------------------------------------------------------------


def _card_texts(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


@pytest.mark.parametrize(
    ("lang", "name", "year_ago", "target"),
    [
        (
            "vi",
            "Người sử dụng phần mềm quản lý văn bản và điều hành",
            ":blue[↑ +821 (+11,7%)] :gray[so với cùng kỳ năm trước]",
            "Đạt 92,3% chỉ tiêu năm 2019 (7.848 / 8.500)",
        ),
        (
            "en",
            "Users of the document management system",
            ":blue[↑ +821 (+11.7%)] :gray[on the same quarter last year]",
            "92.3% of the 2019 target (7,848 / 8,500)",
        ),
    ],
)
def test_a_card_has_both_changes_a_sparkline_and_its_target(
    demo_url: str, lang: str, name: str, year_ago: str, target: str
) -> None:
    at = _overview(lang)
    card = next(m for m in at.metric if m.label == name)
    assert card.proto.delta_description == (
        "so với quý trước" if lang == "vi" else "on the previous quarter"
    )
    assert len(card.proto.chart_data) == 8  # the last eight quarters
    assert card.proto.chart_data[-1] == 7848
    assert f"**{name}**" in _card_texts(at)  # the whole name, never cut
    assert year_ago in _card_texts(at)
    assert target in [p.proto.text for p in at.get("progress")]


def test_a_fall_in_a_figure_where_up_is_good_points_down_in_the_bad_colour(demo_url: str) -> None:
    at = _overview("vi")
    received = next(m for m in at.metric if m.label == "Hồ sơ tiếp nhận")
    assert received.delta == "-937 (-2,4%)"
    assert received.proto.direction == received.proto.MetricDirection.DOWN
    assert received.proto.color == received.proto.MetricColor.ORANGE
    users = next(m for m in at.metric if m.label.startswith("Người sử dụng"))
    assert users.proto.color == users.proto.MetricColor.BLUE


def test_every_card_tells_where_its_figure_came_from(demo_url: str) -> None:
    at = _overview("vi")
    popovers = at.get("popover")
    assert len(popovers) == len(at.metric)
    texts = [" ".join(str(getattr(e, "value", "")) for e in p.children.values()) for p in popovers]
    users = next(t for t in texts if "Người sử dụng phần mềm" in t)
    assert "7.848: Lô nhập \\#1 (Báo cáo)" in users
    assert "dòng 107" in users
    rate = next(t for t in texts if "Tỷ số hồ sơ giải quyết" in t)
    assert "Số tính toán: Hồ sơ giải quyết chia cho Hồ sơ tiếp nhận" in rate
    assert "Hồ sơ giải quyết = 38.584" in rate and "Hồ sơ tiếp nhận = 38.751" in rate


def test_the_report_groups_are_sections_with_every_figure(demo_url: str) -> None:
    at = _overview("en")
    labels = [e.label for e in at.expander]
    assert labels == [
        "Electronic documents, digital signatures and the dedicated network — all 8 figures in",
        "Official e-mail and the provincial portal — all 10 figures in",
        "E-one-stop system and online public services — all 25 figures in",
        "Inspection and handling of complaints — all 4 figures in",
        "Press, publishing, broadcasting, e-games and banners — all 4 figures in",
    ]
    one_stop = at.dataframe[2].value.set_index("Indicator")
    assert one_stop.loc["Dossiers received", "Value"] == "38,751"
    assert one_stop.loc["Dossiers received", "On the previous quarter"] == "↓ -937 (-2.4%)"
    assert one_stop.loc["Dossiers received", "Year's target"] == "24.2% of 160,000"
    assert "line" in one_stop.loc["Dossiers received", "Source"]


def test_a_new_quarter_shows_at_the_next_rerun_with_its_missing_figures_named(
    writable_demo_url: str,
) -> None:
    from decimal import Decimal

    from kpi import db
    from kpi.store import BatchInfo, Figure, commit_figures
    from kpi.units import all_units
    from tests.conftest import EDITOR

    at = _overview("vi")
    assert at.selectbox(key="overview_period").value == "2019-Q1"
    engine = db.make_engine(writable_demo_url)
    try:
        with db.session_scope(engine) as s:
            province = next(u for u in all_units(s) if u.code == "84")
            figs = [
                Figure("dossiers_received", province.id, "2019-Q2", Decimal(41249)),
                Figure("dossiers_resolved", province.id, "2019-Q2", Decimal(41000)),
            ]
            commit_figures(
                s, EDITOR, BatchInfo("excel", "q2.xlsx", "c" * 64, period="2019-Q2"), figs
            )
    finally:
        engine.dispose()
    at.run()
    assert not at.exception
    assert at.selectbox(key="overview_period").options[0] == "Quý II/2019"
    at.selectbox(key="overview_period").set_value("2019-Q2").run()
    cards = _cards(at)
    assert cards["Hồ sơ tiếp nhận"] == "41.249"
    assert cards["Tỷ số hồ sơ giải quyết trên hồ sơ tiếp nhận"] == "99,40%"
    assert cards["Hộp thư điện tử công vụ"] == "Chưa có số liệu"
    progress = [p.proto.text for p in at.get("progress")]
    assert "Lũy kế năm 2019: 80.000, đạt 50,0% chỉ tiêu (160.000)" in progress
    one_stop = next(e for e in at.expander if e.label.startswith("Một cửa điện tử"))
    assert one_stop.label.endswith("thiếu 22/25 số liệu")
    assert any(
        "Chưa có số liệu: " in w.value and "Hồ sơ giải quyết quá hạn" in w.value for w in at.warning
    )
    assert "Quý II/2019: có 3/51 số liệu của tỉnh; thiếu 48." in [c.value for c in at.caption]


def test_an_uninitialised_database_gets_a_message_not_a_traceback(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KPI_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    at = AppTest.from_file(
        str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=30
    )
    at.run()
    assert not at.exception
    assert "python -m kpi init" in at.error[0].value
