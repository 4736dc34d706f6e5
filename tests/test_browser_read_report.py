"""A staff member, in Chromium, reads a Word report: uploads the .docx, sees the proposed
figures (the report's quarter column of its appendix table, not the others), confirms, and finds
them on the Overview."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT, screenshot
from tests.support.accounts import PASSWORD
from tests.support.server import log_in

pytestmark = pytest.mark.browser

DOCX = ROOT / "tests" / "golden" / "reports" / "q2-2021-table.docx"


def test_staff_member_reads_a_word_report(page, live_app: str) -> None:  # type: ignore[no-untyped-def]
    log_in(page, live_app, "chi-lan", PASSWORD, "/read_report")  # an editor
    page.get_by_text("Đọc báo cáo").first.wait_for()
    page.locator('input[type="file"]').set_input_files(str(DOCX))
    page.get_by_text("Số liệu đề xuất", exact=True).wait_for()
    page.get_by_text("12 số liệu đề xuất, 0 cần kiểm tra").wait_for()
    marks = page.locator("mark")
    marks.first.wait_for()
    assert "58" in marks.all_inner_texts()
    screenshot(page, "read-report-vi")
    page.get_by_role("button", name="Xác nhận và lưu").click()
    page.get_by_text("Đã lưu lô").wait_for()

    page.goto(f"{live_app}/overview")
    page.get_by_text("44.120").first.wait_for()
    texts = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert "44.120" in texts and "8.905" in texts
    assert "41.236" not in texts  # the same quarter last year stayed in its column
