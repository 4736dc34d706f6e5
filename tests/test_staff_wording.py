"""Issue 9's staff wording: words that say what happened. Each test fails if the old wording
comes back (an undone batch "đã được thay", "Sửa các ô dưới đây" for a whole-file error, "chưa
chọn quý" while a quarter is chosen, a silently ignored quarter, a template that names a page
that does not exist or a command, the batch number twice, codes on screen, cut messages,
tables in no clear order)."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook, load_workbook
from streamlit.testing.v1 import AppTest

from kpi import db
from kpi.catalogue import load_catalogue
from kpi.i18n import t
from kpi.page_models import _history_lines
from kpi.periods import Period
from kpi.units import UnitInfo, all_units
from loaders.importer import batches, import_file, rollback
from loaders.template import make_template
from tests.conftest import ADMIN, ROOT
from tests.support.apptest import open_app

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILES = ROOT / "tests" / "golden" / "files"


def _upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.get("file_uploader")[0].set_value((name, content, XLSX)).run()  # type: ignore[attr-defined]
    assert not at.exception, [e.message for e in at.exception]
    return at


def _texts(at: AppTest) -> list[str]:
    return [e.value for kind in (at.error, at.warning, at.info, at.success) for e in kind]


def test_an_undone_value_is_called_undone_in_the_source_popover() -> None:
    ind = load_catalogue()["dossiers_received"]
    rows = [
        {"value": 5, "qualifier": "exact", "is_current": False, "status": "rolled_back", "line": "x"},
        {"value": 4, "qualifier": "exact", "is_current": False, "status": "committed", "line": "y"},
    ]  # fmt: skip
    undone, revised = _history_lines(ind, rows, "vi")
    assert "(đã huỷ)" in undone and "được thay" not in undone
    assert "(đã được sửa bởi lần nhập sau)" in revised


def test_history_calls_an_undone_value_undone(editor_login: str, writable_demo_url: str) -> None:
    engine = db.make_engine(writable_demo_url)
    try:
        done = import_file(engine, FILES / "format_percent_cell.xlsx", actor=ADMIN)
        assert done.batch is not None
        assert rollback(engine, ADMIN, done.batch).status == "rolled_back"
    finally:
        engine.dispose()
    at = open_app("vi", "pages/history.py")
    at.selectbox(key="history_indicator").set_value("e_document_share_pct").run()
    at.selectbox(key="history_period").set_value("2019-Q1").run()
    table = at.dataframe[-1].value  # newest first: the undone 92 %, then the 90 % back in use
    assert list(table["Hiện trạng"]) == ["Đã huỷ", "Đang dùng"]
    assert list(table["Giá trị"]) == ["92%", ">90%"]


def test_a_whole_file_error_says_what_is_wrong_with_the_file(
    editor_login: str, writable_demo_url: str
) -> None:
    at = _upload(open_app("vi", "pages/upload.py"), "so-lieu.xlsx", b"ma,gia tri\nx,1\n")
    (message,) = [e.value for e in at.error]
    assert message.startswith("Tệp bị từ chối, không có số liệu nào được ghi: Tệp không phải")
    assert "Sửa các ô" not in message


def test_a_workbook_that_is_not_the_template_is_not_told_no_quarter_is_chosen(
    editor_login: str,
    writable_demo_url: str,
) -> None:
    wb = Workbook()
    wb.active["A1"] = "Báo cáo tự làm"  # type: ignore[index]
    buffer = io.BytesIO()
    wb.save(buffer)
    at = _upload(open_app("vi", "pages/upload.py"), "tu-lam.xlsx", buffer.getvalue())
    texts = _texts(at) + [str(v) for v in at.table[0].value["Nội dung"]]
    assert not any("chưa chọn quý" in x for x in texts), texts
    assert any("Quý II/2019, quý đang chọn ở trên" in x for x in texts)
    assert any("Không tìm thấy trang số liệu" in x for x in texts)


def test_the_quarter_read_from_the_file_is_stated_and_asked_when_it_differs(
    editor_login: str,
    writable_demo_url: str,
) -> None:
    content = (FILES / "format_percent_cell.xlsx").read_bytes()  # revises a Q1/2019 figure
    at = _upload(open_app("vi", "pages/upload.py"), "q1.xlsx", content)  # Quý II/2019 chosen
    (warning,) = [w.value for w in at.warning if "khác quý đang chọn" in w.value]
    assert "Quý I/2019" in warning and "(Quý II/2019)" in warning
    assert at.subheader[-1].value == "3. Xem trước thay đổi của Quý I/2019"
    box = at.checkbox(key="upload_other_quarter")
    assert box.label == "Đúng, tôi muốn nhập số liệu cho Quý I/2019"
    assert at.button(key="upload_confirm").disabled
    box.check().run()
    at.button(key="upload_confirm").click().run()
    assert at.success


def test_the_success_message_names_the_batch_once(
    editor_login: str, writable_demo_url: str
) -> None:
    content = (FILES / "typo_separator_slip_q2_2019.xlsx").read_bytes()
    at = _upload(open_app("vi", "pages/upload.py"), "q2.xlsx", content)
    at.checkbox(key="upload_acknowledge").check().run()
    at.button(key="upload_confirm").click().run()
    (success,) = [s.value for s in at.success]
    engine = db.make_engine(writable_demo_url)
    try:
        newest = batches(engine)[0]["batch"]
    finally:
        engine.dispose()
    assert success.count(str(newest)) == 1 and "Lô nhập số" not in success


def test_the_template_names_the_real_page_and_no_command(demo_url: str) -> None:
    engine = db.make_engine(demo_url)
    try:
        content = make_template(engine, Period.parse("2019-Q2"))
    finally:
        engine.dispose()
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert f"«{t('nav.upload', 'vi')}»" in text and f"«{t('nav.upload', 'en')}»" in text
    assert "python -m" not in text and "Tải dữ liệu lên" not in text


def test_the_problem_table_shows_words_and_whole_messages(
    editor_login: str, writable_demo_url: str
) -> None:
    content = (FILES / "bad_parts_sum_mismatch.xlsx").read_bytes()
    at = _upload(open_app("vi", "pages/upload.py"), "bad.xlsx", content)
    assert not [d for d in at.dataframe if "Nội dung" in d.value.columns]  # a table, not a grid
    table = at.table[0].value
    assert "Mã lỗi" not in table.columns
    longest = max(table["Nội dung"], key=len)
    assert len(longest) > 150 and longest.endswith(".")  # the whole message, not cut
    assert not any("_" in str(v) and " " not in str(v) for v in table["Mức"])


def test_history_tables_in_a_clear_order(editor_login: str, writable_demo_url: str) -> None:
    at = open_app("vi", "pages/history.py")
    batch_ids = [int(b) for b in at.dataframe[0].value["Lô"]]
    assert batch_ids == sorted(batch_ids, reverse=True)  # newest first
    figures = at.dataframe[1].value
    cat = load_catalogue()
    names = {ind.name("vi"): i for i, ind in enumerate(cat.ordered())}
    ranks = [names[n] for n in figures["Chỉ tiêu"]]
    assert ranks == sorted(ranks)  # the report's order of indicators
    levels = {u.name: u.level for u in _units(writable_demo_url)}
    order = ["province", "agencies", "district", "commune"]
    first = figures[figures["Chỉ tiêu"] == figures["Chỉ tiêu"].iloc[0]]["Đơn vị"]
    seen = [order.index(levels[n]) for n in first]
    assert seen == sorted(seen)  # the province, its agencies, the districts, the communes


def _units(url: str) -> list[UnitInfo]:
    engine = db.make_engine(url)
    try:
        with db.session_scope(engine) as session:
            return all_units(session)
    finally:
        engine.dispose()


def test_no_template_path_is_left_out(tmp_path: Path) -> None:
    """The template's instructions are the only place the upload page is named in a file."""
    assert t("nav.upload", "vi") == "Nhập số liệu"
