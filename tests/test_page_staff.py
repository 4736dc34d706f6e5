"""The staff pages through AppTest: a filled template is checked, previewed, confirmed and then
visible in the History, which can undo it; a bad file shows its cells and writes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from kpi import db
from kpi.models import Observation
from tests.support.accounts import log_in
from tests.support.apptest import open_app
from tests.support.workbooks import fill_province

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filled_template(url: str, values: dict[str, object], period: str = "2019-Q2") -> bytes:
    """The real template of ``period`` with province figures typed in by indicator code."""
    from kpi.periods import Period
    from loaders.template import make_template

    engine = db.make_engine(url)
    try:
        content = make_template(engine, Period.parse(period))
    finally:
        engine.dispose()
    return fill_province(content, values)


def _count(url: str, period: str) -> int:
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(
                select(func.count()).select_from(Observation).where(Observation.period == period)
            ).scalar_one()
    finally:
        engine.dispose()


@pytest.fixture
def editor(writable_demo_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A province editor logged in (a real account and session)."""
    log_in(monkeypatch, writable_demo_url, "chi-lan", "editor", ("84",))
    return "chi-lan"


def _upload(at: AppTest, content: bytes, name: str = "bao-cao.xlsx") -> AppTest:
    at.get("file_uploader")[0].set_value((name, content, XLSX)).run()  # type: ignore[attr-defined]
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_filled_template_is_previewed_then_stored_on_confirmation(
    writable_demo_url: str, editor: str, lang: str
) -> None:
    content = _filled_template(
        writable_demo_url, {"dossiers_received": "41.002", "doc_system_users": 8120}
    )
    at = open_app(lang, "pages/upload.py")
    assert at.get("download_button")
    _upload(at, content)
    cards = {m.label: m.value for m in at.metric}
    assert cards[("Số liệu mới" if lang == "vi" else "New figures")] == "2"
    assert _count(writable_demo_url, "2019-Q2") == 0  # nothing written before the confirmation
    at.button(key="upload_confirm").click().run()
    assert not at.exception
    assert at.success
    engine = db.make_engine(writable_demo_url)
    try:
        with engine.connect() as conn:
            values = dict(
                conn.execute(
                    select(Observation.indicator_code, Observation.value).where(
                        Observation.period == "2019-Q2"
                    )
                ).all()
            )
    finally:
        engine.dispose()
    assert {k: Decimal(v) for k, v in values.items()} == {
        "dossiers_received": Decimal(41002),
        "doc_system_users": Decimal(8120),
    }


def test_a_bad_file_shows_its_cells_and_writes_nothing(writable_demo_url: str, editor: str) -> None:
    content = _filled_template(
        writable_demo_url, {"dossiers_received": "1.5", "doc_system_users": -3}
    )
    at = _upload(open_app("vi", "pages/upload.py"), content)
    assert at.error and "Không có số liệu nào được ghi" in at.error[0].value
    problems = at.dataframe[0].value
    assert len(problems) >= 2
    assert all(problems["Ô"])  # every problem names its cell
    assert {"ambiguous_number", "negative_count"} <= set(problems["Mã lỗi"])
    assert not [b for b in at.button if b.key == "upload_confirm"]
    assert _count(writable_demo_url, "2019-Q2") == 0


def test_a_viewer_cannot_upload(writable_demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    log_in(monkeypatch, writable_demo_url, "nguoi-xem", "viewer")
    at = open_app("vi", "pages/upload.py")
    assert at.warning and "người xem" in at.warning[0].value
    assert not at.get("file_uploader")


def test_history_lists_batches_and_undoes_one(writable_demo_url: str, editor: str) -> None:
    content = _filled_template(writable_demo_url, {"dossiers_received": "41.002"})
    at = _upload(open_app("vi", "pages/upload.py"), content)
    at.button(key="upload_confirm").click().run()
    at.switch_page("pages/history.py").run()
    assert not at.exception
    batches = at.dataframe[0].value
    newest = int(batches.iloc[0]["Lô"])
    assert batches.iloc[0]["Tệp"] == "bao-cao.xlsx"
    assert at.selectbox(key="history_batch").value == newest
    at.checkbox(key="history_rollback_confirm").check().run()
    at.button(key="history_rollback").click().run()
    assert not at.exception
    assert at.success, [e.value for e in at.error]
    assert _count(writable_demo_url, "2019-Q2") == 1  # the row stays in history, no longer current
    engine = db.make_engine(writable_demo_url)
    try:
        with engine.connect() as conn:
            current = conn.execute(
                select(func.count())
                .select_from(Observation)
                .where(Observation.period == "2019-Q2", Observation.is_current.is_(True))
            ).scalar_one()
    finally:
        engine.dispose()
    assert current == 0


def test_history_shows_every_value_of_a_figure_with_its_source(
    writable_demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    log_in(monkeypatch, writable_demo_url, "nguoi-xem", "viewer")
    at = open_app("vi", "pages/history.py")
    at.selectbox(key="history_indicator").set_value("doc_system_users").run()
    at.selectbox(key="history_period").set_value("2019-Q1").run()
    table = at.dataframe[-1].value
    assert list(table["Giá trị"]) == ["7.848"]
    assert "dòng 107" in table["Nguồn"].iloc[0]
