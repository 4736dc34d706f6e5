"""The "Đọc báo cáo" / "Read a report" page through AppTest: paste a report, see the proposals
highlighted and in a table, correct one, confirm; the figures are then in the database with their
evidence. Flagged figures left undecided refuse; a chosen quarter other than the one found asks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from kpi import db
from kpi.models import ImportBatch, Observation, Unit
from kpi.page_models import source_lines
from tests.conftest import ROOT
from tests.support.apptest import open_app

PAGE = "pages/read_report.py"
pytestmark = pytest.mark.usefixtures("editor_login")  # the page is for editors

WORDING = (ROOT / "tests" / "golden" / "reports" / "q3-2020-wording.txt").read_text("utf-8")
SEED = (ROOT / "data" / "demo" / "seed-report-q1-2019.txt").read_text("utf-8")


def _paste(text: str, lang: str = "vi") -> AppTest:
    at = open_app(lang, PAGE)
    at.text_area(key="read_report_paste").input(text).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _rows(url: str, period: str) -> dict[str, Observation]:
    engine = db.make_engine(url)
    try:
        with db.session_scope(engine) as s:
            rows = s.scalars(
                select(Observation).where(Observation.period == period, Observation.is_current)
            ).all()
            s.expunge_all()
            return {r.indicator_code: r for r in rows}
    finally:
        engine.dispose()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_paste_correct_one_confirm_and_the_figures_are_stored(
    writable_demo_url: str, lang: str
) -> None:
    at = _paste(WORDING, lang)
    assert at.title[0].value == ("Đọc báo cáo" if lang == "vi" else "Read a report")
    assert at.selectbox(key="read_report_period").value == "2020-Q3"
    text = "".join(m.value for m in at.markdown)
    assert "<mark" in text and "41.236" in text
    table = at.data_editor(key="read_report_table").value
    assert len(table) == 41
    row = int(table.index[table["indicator"] == "dossiers_received"][0])
    at.session_state["read_report_table"] = {
        "edited_rows": {row: {"value": 41237}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.button(key="read_report_confirm").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.success, [e.value for e in at.error]
    stored = _rows(writable_demo_url, "2020-Q3")
    assert len(stored) == 41
    assert stored["dossiers_received"].value == Decimal(41237)
    assert stored["e_documents_exchanged"].qualifier == "approx"
    assert "31.902" in (stored["e_documents_exchanged"].source_text or "")
    engine = db.make_engine(writable_demo_url)
    try:
        with db.session_scope(engine) as s:
            batch = s.get(ImportBatch, stored["dossiers_received"].batch_id)
            assert batch is not None
            assert (batch.source_kind, batch.report_number) == ("report_text", "2154/BC-STTTT")
            assert batch.report_date is not None
    finally:
        engine.dispose()
    # confirmed again: nothing changes
    at.button(key="read_report_confirm").click().run()
    assert at.success and "#" in at.success[0].value


def test_flagged_figures_left_undecided_refuse_and_nothing_is_written(
    writable_demo_url: str,
) -> None:
    before = _rows(writable_demo_url, "2019-Q1")
    at = _paste(SEED)
    table = at.data_editor(key="read_report_table").value
    assert table["flagged"].sum() >= 6
    assert table.loc[table["flagged"], "decision"].isna().all()
    at.button(key="read_report_confirm").click().run()
    assert at.error
    assert _rows(writable_demo_url, "2019-Q1").keys() == before.keys()


def test_a_quarter_other_than_the_one_found_asks_first(writable_demo_url: str) -> None:
    at = _paste(WORDING)
    at.selectbox(key="read_report_period").set_value("2020-Q4").run()
    assert at.checkbox(key="read_report_period_ok").value is False
    assert at.button(key="read_report_confirm").disabled
    at.checkbox(key="read_report_period_ok").check().run()
    assert not at.button(key="read_report_confirm").disabled


def test_a_refused_file_shows_its_message(writable_demo_url: str) -> None:
    at = open_app("vi", PAGE)
    at.get("file_uploader")[0].set_value(  # type: ignore[attr-defined]
        ("bao-cao.docx", b"not a word file", "application/octet-stream")
    ).run()
    assert at.error and "không đúng như tên gọi" in at.error[0].value


def test_the_source_of_a_report_figure_names_the_report_and_the_line_as_read(
    demo_url: str,
) -> None:
    import pandas as pd

    from kpi.queries import figure_history

    engine = db.make_engine(demo_url)
    try:
        with db.session_scope(engine) as s:
            unit = s.scalars(select(Unit.id).where(Unit.code == "84")).first()
            assert unit is not None
            history = figure_history(s, "l4_dossiers_online", unit, "2019-Q1")
    finally:
        engine.dispose()
    assert isinstance(history, pd.DataFrame) and len(history)
    line = source_lines(history, "vi")[0]
    assert "a94" in line and "báo cáo số 198/BC-STTTT-VP" in line and "14/03/2019" in line
