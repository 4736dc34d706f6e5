"""The files of the briefing: chart images through the system Chromium (and the document whole
without them), the leaders' summary as .docx and as PDF (LibreOffice), ``python -m kpi briefing``
and its exit codes, and the Overview's download button (AppTest)."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader
from streamlit.runtime import media_file_manager

from kpi import db
from kpi.briefing import images, pdf
from kpi.briefing.model import Draft, build_draft
from kpi.briefing.report import write_draft
from kpi.briefing.summary import write_summary
from kpi.cli import main
from tests.support.postgres import TRUTHY
from tests.support.server import chromium_path, require_browser

PNG = b"\x89PNG\r\n\x1a\n"


def _draft(url: str, period: str = "2019-Q1", lang: str = "vi", unit: str | None = None) -> Draft:
    eng = db.make_engine(url)
    try:
        with db.session_scope(eng) as session:
            return build_draft(session, period, lang, unit)
    finally:
        eng.dispose()


def _chromium() -> str:
    path = chromium_path()
    if path is None:
        if require_browser():
            pytest.fail("KPI_REQUIRE_BROWSER is set but there is no /usr/bin/chromium")
        pytest.skip("no Chromium: apt-get install chromium (gives /usr/bin/chromium)")
    return path


def _soffice() -> str:
    path = pdf.soffice_path()
    if path is None:
        if os.environ.get("KPI_REQUIRE_OFFICE", "").strip().lower() in TRUTHY:
            pytest.fail("KPI_REQUIRE_OFFICE is set but LibreOffice (soffice) is not installed")
        pytest.skip("no LibreOffice: apt-get install libreoffice-writer-nogui fonts-liberation")
    return path


def _texts(data: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(data)).paragraphs]


def test_the_draft_is_whole_without_a_chart_renderer(demo_url: str, tmp_path: Path) -> None:
    draft = _draft(demo_url)
    missing = str(tmp_path / "no-chromium")
    without = write_draft(draft, browser=missing)
    assert without.charts == 0
    assert missing in (without.charts_reason or "")
    texts = _texts(without.data)
    assert f"Không vẽ được biểu đồ: không tìm thấy trình duyệt Chromium tại {missing}" in " ".join(
        texts
    )
    plain = _texts(write_draft(draft, browser=None).data)
    # everything but the note on the charts is there
    assert [t for t in texts if t not in plain] == [
        "Phụ lục 3. Biểu đồ",
        f"Không vẽ được biểu đồ: không tìm thấy trình duyệt Chromium tại {missing} (cài gói "
        "Debian chromium hoặc đặt KPI_CHART_BROWSER).",
    ]
    assert len(Document(io.BytesIO(without.data)).inline_shapes) == 0


def test_the_setting_turns_charts_off_or_points_at_a_browser(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KPI_CHART_BROWSER", raising=False)
    assert images.browser_path() == images.DEFAULT_BROWSER
    for off in ("none", "", "0", "off"):
        monkeypatch.setenv("KPI_CHART_BROWSER", off)
        assert images.browser_path() is None
    monkeypatch.setenv("KPI_CHART_BROWSER", "/opt/chrome/chrome")
    assert images.browser_path() == "/opt/chrome/chrome"


def test_charts_are_drawn_by_the_system_chromium(demo_url: str) -> None:
    browser = _chromium()
    draft = _draft(demo_url)
    written = write_draft(draft, browser=browser)
    assert written.charts_reason is None
    assert written.charts == 3
    doc = Document(io.BytesIO(written.data))
    assert len(doc.inline_shapes) == 3
    blobs = [rel.target_part.blob for rel in doc.part.rels.values() if "image" in rel.reltype]
    assert len(blobs) == 3 and all(b.startswith(PNG) for b in blobs)
    texts = [p.text for p in doc.paragraphs]
    assert "Hồ sơ tiếp nhận, Hồ sơ giải quyết: tám quý gần nhất" in texts
    assert "Hồ sơ tiếp nhận, Quý I/2019: xếp hạng các đơn vị" in texts
    assert written.startup_s > 0


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_summary_has_the_key_figures_and_the_ranking(demo_url: str, lang: str) -> None:
    draft = _draft(demo_url, lang=lang)
    doc = Document(io.BytesIO(write_summary(draft, browser=None).data))
    texts = [p.text for p in doc.paragraphs]
    assert (
        "TÓM TẮT SỐ LIỆU QUÝ I/2019" if lang == "vi" else "SUMMARY OF THE FIGURES, Q1 2019"
    ) in texts
    key = doc.tables[1]
    rows = {r.cells[0].text: [c.text for c in r.cells[1:]] for r in key.rows[1:]}
    users = (
        "Người sử dụng phần mềm quản lý văn bản và điều hành"
        if lang == "vi"
        else ("Users of the document management system")
    )
    assert rows[users][0] == ("7.848" if lang == "vi" else "7,848")
    assert rows[users][1] == ("↑ +406 (+5,5%)" if lang == "vi" else "↑ +406 (+5.5%)")
    assert len(rows) == 10
    ranking = doc.tables[2]
    ranked = [r.cells[1].text for r in ranking.rows[1:]]
    assert len(ranked) == 9
    first = draft.breakdown.ranking
    assert first is not None
    assert ranked[0] == first.table.iloc[0]["label"]
    values = [int(r.cells[2].text.replace(".", "").replace(",", "")) for r in ranking.rows[1:]]
    assert values == sorted(values, reverse=True)


@pytest.mark.parametrize("unit", [None, "844"])
def test_the_summary_pdf_fits_on_two_a4_pages(demo_url: str, unit: str | None) -> None:
    soffice = _soffice()
    draft = _draft(demo_url, unit=unit)
    browser = chromium_path()
    data = pdf.to_pdf(write_summary(draft, browser=browser).data, "vi", soffice=soffice)
    reader = PdfReader(io.BytesIO(data))
    assert 1 <= len(reader.pages) <= 2
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    text = " ".join(page.extract_text() for page in reader.pages)
    expected = ["TÓM TẮT SỐ LIỆU QUÝ I/2019", draft.cards["dossiers_received"].text]
    expected += [u.name for u in draft.breakdown.units if u.level == unit_level(unit)]
    if unit is None:
        expected += ["7.848", "38.751", "99,57%", ">90%"]
    for words in expected:
        assert words in text
    fonts = {
        str(f["/BaseFont"])
        for page in reader.pages
        for f in (page["/Resources"].get("/Font") or {}).values()  # type: ignore[union-attr]
        for f in [f.get_object()]
    }
    assert any("LiberationSerif" in f or "TimesNewRoman" in f for f in fonts), fonts


def unit_level(unit: str | None) -> str:
    return "district" if unit is None else "commune"


def test_the_draft_pdf_numbers_its_pages_from_the_second(demo_url: str) -> None:
    soffice = _soffice()
    data = pdf.to_pdf(write_draft(_draft(demo_url), browser=None).data, "vi", soffice=soffice)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 3
    first = reader.pages[0].extract_text().strip()
    assert first.startswith("ỦY BAN NHÂN DÂN")
    for number in (2, 3):
        assert reader.pages[number - 1].extract_text().strip().startswith(str(number))


def test_pdf_without_libreoffice_names_the_package(
    demo_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("KPI_SOFFICE", str(tmp_path / "no-soffice"))
    out = tmp_path / "summary.pdf"
    code = main(
        ["briefing", "--period", "2019-Q1", "--summary", "--pdf", "--no-charts", "-o", str(out)]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "libreoffice-writer-nogui" in err and str(tmp_path / "no-soffice") in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--period", "2019-Q5"], 2, "not a quarter"),
        (["--period", "2019-Q1", "--unit", "999"], 1, "Không có đơn vị mã 999 trong Quý I/2019."),
        (["--period", "2019-Q1", "--unit", "29236"], 1, "không có dự thảo báo cáo quý"),
        (["--period", "2019-Q1", "--unit", "84-CQ"], 1, "chỉ tỉnh và các đơn vị cấp huyện"),
        (["--period", "2019-Q1", "--lang", "fr"], 2, "invalid choice"),
    ],
)
def test_refusals_write_nothing(
    demo_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    code: int,
    message: str,
) -> None:
    out = tmp_path / "draft.docx"
    assert _run(["briefing", *args, "--no-charts", "-o", str(out)]) == code
    assert message in capsys.readouterr().err
    assert not out.exists()


def _run(argv: list[str]) -> int:
    """The exit code of a command, usage errors (argparse exits) included."""
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


@pytest.mark.parametrize(
    ("args", "kind", "title"),
    [
        (["--lang", "en"], "draft", "REPORT"),
        (["--unit", "844"], "draft", "BÁO CÁO"),
        (["--summary"], "summary", "TÓM TẮT SỐ LIỆU QUÝ I/2019"),
    ],
)
def test_the_command_writes_the_file_and_says_what(
    demo_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    kind: str,
    title: str,
) -> None:
    out = tmp_path / "file.docx"
    code = main(
        [
            "briefing",
            "--period",
            "Quý I/2019",
            *args,
            "--no-charts",
            "--format",
            "json",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["kind"] == kind and report["period"] == "2019-Q1"
    assert report["bytes"] == out.stat().st_size
    assert title in _texts(out.read_bytes())


@pytest.fixture
def captured_downloads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[object, str]]]:
    """The deferred downloads the page registered: (the callable, the file name)."""
    found: list[tuple[object, str]] = []
    original = media_file_manager.MediaFileManager.add_deferred

    def spy(self, fn, mimetype, coordinates, file_name=None, **kwargs):  # type: ignore[no-untyped-def]
        found.append((fn, str(file_name)))
        return original(self, fn, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(media_file_manager.MediaFileManager, "add_deferred", spy)
    yield found


@pytest.mark.parametrize(
    ("lang", "label"),
    [("vi", "Tải dự thảo báo cáo quý"), ("en", "Download the draft quarterly report")],
)
def test_the_overview_offers_the_draft_of_the_chosen_quarter(
    demo_url: str,
    captured_downloads: list[tuple[object, str]],
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    label: str,
) -> None:
    from tests.support.apptest import open_app

    monkeypatch.setenv("KPI_CHART_BROWSER", "none")
    at = open_app(lang)
    buttons = [b for b in at.get("download_button") if b.proto.label == label]
    assert len(buttons) == 1
    fn, name = captured_downloads[-1]
    assert name.endswith("2019-Q1.docx")
    texts = _texts(fn())  # type: ignore[operator]
    assert ("quý I/2019" if lang == "vi" else "Q1 2019") in texts[1]
    at.selectbox(key="overview_period").set_value("2018-Q4").run()
    assert not at.exception
    fn, name = captured_downloads[-1]
    assert name.endswith("2018-Q4.docx")
    assert ("quý IV/2018" if lang == "vi" else "Q4 2018") in _texts(fn())[1]  # type: ignore[operator]
