"""A staff member, in Chromium: downloads the template, fills it (openpyxl stands in for Excel),
uploads it, reads the preview, confirms, and finds the new figures on the Overview."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import screenshot
from tests.support.accounts import PASSWORD
from tests.support.workbooks import fill_province

pytestmark = pytest.mark.browser


def test_staff_member_uploads_a_quarter(page, live_app: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_app}/upload")  # anonymous: the login page, coming back here afterwards
    page.locator("#kpi-login-name").fill("chi-lan")
    page.locator("#kpi-login-password").fill(PASSWORD)
    page.locator("#kpi-login-submit").click()
    page.wait_for_url(f"{live_app}/upload")
    button = page.get_by_role("button", name="Tải biểu mẫu Quý II/2019 (.xlsx)")
    with page.expect_download() as info:
        button.click()
    template = Path(info.value.path()).read_bytes()
    assert info.value.suggested_filename.endswith("2019-Q2.xlsx")

    filled = tmp_path / "bao-cao-quy-2-2019.xlsx"
    filled.write_bytes(
        fill_province(template, {"dossiers_received": "41.002", "dossiers_resolved": 40870})
    )
    page.locator('input[type="file"]').set_input_files(str(filled))
    page.get_by_text("Xem trước thay đổi của Quý II/2019").wait_for()
    screenshot(page, "upload-preview-vi")
    page.get_by_role("button", name="Xác nhận ghi số liệu").click()
    page.get_by_text("Đã ghi số liệu").wait_for()

    page.goto(f"{live_app}/overview")
    values = page.locator('[data-testid="stMetricValue"]')
    values.first.wait_for()
    page.get_by_text("41.002").first.wait_for()
    texts = values.all_inner_texts()
    assert "41.002" in texts and "40.870" in texts
    screenshot(page, "overview-after-upload-vi")

    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(f"{live_app}/overview")
    page.locator('[data-testid="stSidebar"]').get_by_text("Đăng nhập").first.wait_for()
    page.goto(f"{live_app}/upload")  # logged out: the upload asks for a login again
    page.locator("#kpi-login-name").wait_for()
    assert page.locator('input[type="file"]').count() == 0
