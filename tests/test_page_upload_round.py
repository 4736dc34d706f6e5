"""The Upload page of the import round (AppTest): likely typos must be acknowledged next to the
confirm button before anything is stored."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from kpi import db
from kpi.models import Observation
from tests.conftest import ROOT
from tests.support.apptest import open_app

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SLIP = ROOT / "tests" / "golden" / "files" / "typo_separator_slip_q2_2019.xlsx"


def _count(url: str, period: str) -> int:
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count())
                    .select_from(Observation)
                    .where(Observation.period == period)
                ).scalar_one()
            )
    finally:
        engine.dispose()


def _upload(at: AppTest, path: str = str(SLIP)) -> AppTest:
    content = Path(path).read_bytes()
    at.get("file_uploader")[0].set_value((Path(path).name, content, XLSX)).run()  # type: ignore[attr-defined]
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_likely_typos_are_acknowledged_before_the_commit(
    editor_login: str, writable_demo_url: str
) -> None:
    at = _upload(open_app("vi", "pages/upload.py"))
    assert any("2 số liệu khác thường" in w.value for w in at.warning)
    questioned = next(d.value for d in at.dataframe if "Cần kiểm tra" in d.value.columns)
    assert list(questioned["Cần kiểm tra"]) and all(
        m.startswith("⚠ ") and "Quý I/2019" in m for m in questioned["Cần kiểm tra"]
    )
    box = at.checkbox(key="upload_acknowledge")
    assert box.label == "Tôi đã kiểm tra các số liệu này" and not box.value
    assert at.button(key="upload_confirm").disabled
    box.check().run()
    assert not at.button(key="upload_confirm").disabled
    assert _count(writable_demo_url, "2019-Q2") == 0
    at.button(key="upload_confirm").click().run()
    assert not at.exception and at.success
    assert _count(writable_demo_url, "2019-Q2") == 2


def test_a_file_without_typos_has_no_box(editor_login: str, writable_demo_url: str) -> None:
    path = ROOT / "tests" / "golden" / "files" / "format_percent_cell.xlsx"
    at = open_app("vi", "pages/upload.py")
    at.selectbox(key="upload_template_period").set_value("2019-Q1").run()
    # Q1/2019 is in the demo database: this file revises it, without likely typos
    _upload(at, str(path))
    notice = "Tệp «format_percent_cell.xlsx» là biểu mẫu Quý I/2019."
    assert [i.value for i in at.info][-1] == notice
    assert not at.get("checkbox") or all(c.key != "upload_acknowledge" for c in at.checkbox)
    assert not at.button(key="upload_confirm").disabled
