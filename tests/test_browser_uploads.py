"""The upload widget in Chromium: no English of Streamlit's on the Vietnamese screen, the size
line in the user's notation, our own message for a file of another type."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.accounts import PASSWORD
from tests.support.server import log_in

pytestmark = pytest.mark.browser


def test_the_upload_widget_in_vietnamese(page, live_app: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    log_in(page, live_app, "chi-lan", PASSWORD, "/upload")  # an editor
    widget = page.locator(".st-key-upload_file")
    widget.locator('[data-testid="stFileUploaderDropzone"]').wait_for()
    text = widget.inner_text()
    for english in ("Upload", "per file", "Drag and drop", "Browse", "XLSX"):
        assert english not in text, text
    button = widget.locator(
        '[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"]'
    )
    after = button.evaluate("b => getComputedStyle(b, '::after').content")
    assert after == '"Chọn tệp"'
    page.get_by_text("Tối đa 10,0 MB mỗi tệp • .xlsx, .xls, .ods").wait_for()
    dropzone = widget.locator('[data-testid="stFileUploaderDropzone"]')
    files = page.evaluate_handle(
        "() => { const d = new DataTransfer(); d.items.add(new File(['x'], 'a.xlsx')); return d; }"
    )
    dropzone.dispatch_event("dragenter", {"dataTransfer": files})
    overlay = dropzone.locator("xpath=./div[span]")
    overlay.wait_for()
    assert "Drag and drop" not in dropzone.inner_text()
    assert overlay.evaluate("s => getComputedStyle(s, '::after').content") == '"Thả tệp vào đây"'
    dropzone.dispatch_event("dragleave", {"dataTransfer": files})
    csv = tmp_path / "so-lieu.csv"
    csv.write_text("a,b\n1,2\n", encoding="utf-8")
    page.locator('input[type="file"]').set_input_files(str(csv))
    page.get_by_text("Tệp «so-lieu.csv» không đúng loại: chỉ nhận .xlsx, .xls, .ods.").wait_for()
    assert "not allowed" not in page.locator("body").inner_text()
    chip = widget.locator('[data-testid="stFileChip"]')
    assert "KB" not in chip.inner_text()  # Streamlit's "0.0KB": ours is in the caption
    page.get_by_text("Tệp đã chọn: «so-lieu.csv» (0,0 KB)").wait_for()
    # with a file chosen, nothing of ours stands where it does not belong
    assert "Thả tệp vào đây" not in widget.evaluate(
        "w => [...w.querySelectorAll('*')].map(e => getComputedStyle(e, '::after').content)"
        ".join(' ')"
    )
    delete = chip.locator("button")
    assert delete.evaluate("b => getComputedStyle(b, '::after').content") in ("none", "normal")


def test_a_file_over_the_limit_is_refused_in_vietnamese(
    page, live_app: str, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The browser refuses a file over the widget's limit before sending it; Streamlit's
    "File must be 10.0MB or smaller." is replaced by our words."""
    log_in(page, live_app, "chi-lan", PASSWORD, "/upload")  # an editor
    widget = page.locator(".st-key-upload_file")
    widget.locator('[data-testid="stFileUploaderDropzone"]').wait_for()
    big = tmp_path / "qua-lon.xlsx"
    big.write_bytes(b"PK" + b"\0" * (11 * 1024 * 1024))
    page.locator('input[type="file"]').set_input_files(str(big))
    chip = widget.locator('[data-testid="stFileChip"]')
    chip.wait_for()
    page.wait_for_function(
        "() => document.querySelector('.st-key-upload_file [role=alert]') !== null"
    )
    after = chip.evaluate("c => getComputedStyle(c, '::after').content")
    assert after == '"Tệp lớn hơn giới hạn 10,0 MB."'
    assert "must be" not in widget.inner_text() and "Error" not in widget.inner_text()
