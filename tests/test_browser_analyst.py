"""An analyst opens a link to the Explore page in Chromium, changes a filter, downloads CSV and
XLSX, and the files read back as the table she chose (the same bytes as the command line)."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kpi import db, export
from kpi.catalogue import load_catalogue
from kpi.filters import Filters
from kpi.units import all_units
from tests.conftest import screenshot

pytestmark = pytest.mark.browser

LINK = "/explore?indicator=dossiers_received&indicator=dossiers_resolved&unit=849&children=1&from=2018-Q1&to=2019-Q1"
SENTENCE = (
    "Hồ sơ tiếp nhận; Hồ sơ giải quyết, các xã, phường, thị trấn của Huyện Trà Cú, "
    "Quý I/2018 - Quý I/2019, theo năm"
)


def _expected_csv(filters: Filters) -> bytes:
    engine = db.make_engine(os.environ["KPI_DATABASE_URL"])
    try:
        with db.session_scope(engine) as session:
            table = export.build(session, load_catalogue(), all_units(session), filters)
    finally:
        engine.dispose()
    return export.to_bytes(table, "csv")


def _download(page, label: str, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    button = page.locator('[data-testid="stDownloadButton"]').filter(has_text=label)
    with page.expect_download() as info:
        button.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path


def test_analyst_sets_filters_and_downloads_csv_and_xlsx(
    page, live_app: str, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_app + LINK)
    page.get_by_text("Quý I/2018 - Quý I/2019, theo quý").wait_for()
    page.get_by_text("theo năm", exact=True).click()  # the frequency radio
    page.get_by_role("heading", name=SENTENCE).wait_for()
    assert "freq=year" in page.url
    screenshot(page, "explore-vi")

    csv_file = _download(page, "CSV", tmp_path)
    assert csv_file.name == "kpi-2018-Q1-2019-Q1.csv"
    raw = csv_file.read_bytes()
    filters = Filters(
        indicators=("dossiers_received", "dossiers_resolved"),
        units=("849",),
        children=True,
        first="2018-Q1",
        last="2019-Q1",
        freq="year",
    )
    assert raw == _expected_csv(filters)
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 2 * 17 * 2
    assert {r["Kỳ"] for r in rows} == {"2018", "2019"}
    assert {r["Đủ số liệu"] for r in rows if r["Kỳ"] == "2019"} == {"false"}

    xlsx_file = _download(page, "XLSX", tmp_path)
    wb = load_workbook(xlsx_file)
    assert wb.sheetnames == ["Bảng", "Về bảng này"]
    sheet = wb["Bảng"]
    assert sheet.max_row == len(rows) + 1
    first = next(r for r in rows)
    assert sheet["F2"].value == int(first["Giá trị"])
    assert sheet["F2"].number_format == "#,##0"
    about = {r[0]: r[1] for r in wb["Về bảng này"].iter_rows(values_only=True) if r[0]}
    assert about["Nội dung"] == SENTENCE


def test_a_shared_link_opens_inside_the_app_frame(page, live_app: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_app + LINK)
    page.get_by_text("Quý I/2018 - Quý I/2019, theo quý").wait_for()
    # The language switch is drawn by app.py, which checks KPI_PUBLIC_READ before any page.
    page.locator('[data-testid="stSidebar"]').get_by_text("Ngôn ngữ / Language").wait_for()
