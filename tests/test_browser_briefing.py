"""A leader downloads the draft quarterly report from the Overview in Chromium and opens it:
the department's form, the quarter's figures in their sentences, the charts drawn."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

pytestmark = pytest.mark.browser


def test_a_leader_downloads_the_draft_report_of_the_quarter(page, live_app: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_app)
    button = page.get_by_role("button", name="Tải dự thảo báo cáo quý")
    button.wait_for()
    with page.expect_download(timeout=60_000) as info:
        button.click()
    assert info.value.suggested_filename == "du-thao-bao-cao-2019-Q1.docx"
    doc = Document(str(Path(info.value.path())))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "BÁO CÁO"
    assert texts[1].endswith("ngành thông tin và truyền thông quý I/2019")
    body = "\n".join(texts)
    assert "tổng số người sử dụng là 7.848, tăng 406 người (5,5%) so với quý trước" in body
    assert "đã tiếp nhận 38.751 hồ sơ và giải quyết 38.584 hồ sơ" in body
    assert doc.tables[0].rows[0].cells[0].paragraphs[0].text == "ỦY BAN NHÂN DÂN TỈNH TRÀ VINH"
    # the server has the system Chromium too: the appendix has its charts
    assert len(doc.inline_shapes) == 3
