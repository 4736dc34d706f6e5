"""The draft quarterly report (``kpi.briefing``): its structure read back with python-docx in
both languages, every seed figure in its sentence with its qualifier in words, the numbers the
Overview shows, missing figures, a quarter without a previous year, a district version, the
letterhead chosen by date, the page (A4, margins, fonts, page numbers), the editable templates."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_COLOR_INDEX
from docx.shared import Pt
from sqlalchemy import Engine

from kpi import db
from kpi.briefing import templates
from kpi.briefing.layout import FONT
from kpi.briefing.model import MISSING, Draft, build_draft, report_day
from kpi.briefing.report import write_draft
from kpi.briefing.templates import PLACEHOLDER, TemplateError, load_report
from kpi.catalogue import load_catalogue
from kpi.store import BatchInfo, Figure, commit_figures
from kpi.units import all_units
from tests.conftest import ADMIN

# Every figure of seed-figures-q1-2019.md as the draft must write it, qualifier in words.
SEED_WORDS: dict[str, tuple[str, str]] = {
    "directive_docs_issued": ("trên 50", "over 50"),
    "press_directive_docs": ("9", "9"),
    "publishing_licences_issued": ("9", "9"),
    "egame_point_certificates": ("10", "10"),
    "dedicated_network_agencies": ("27", "27"),
    "doc_system_users": ("7.848", "7,848"),
    "e_document_share_pct": ("trên 90%", "over 90%"),
    "e_documents_exchanged": ("khoảng 28.474", "about 28,474"),
    "digital_certificates_active": ("479", "479"),
    "digital_certificates_org": ("453", "453"),
    "digital_certificates_person": ("26", "26"),
    "email_accounts_new": ("27", "27"),
    "email_accounts_total": ("6.339", "6,339"),
    "portal_languages": ("3", "3"),
    "portal_component_sites": ("41", "41"),
    "one_stop_units_province": ("18", "18"),
    "one_stop_units_district": ("9", "9"),
    "one_stop_units_commune": ("106", "106"),
    "admin_procedures_listed": ("1.931", "1,931"),
    "dossiers_received": ("38.751", "38,751"),
    "dossiers_resolved": ("38.584", "38,584"),
    "online_services_l3": ("306", "306"),
    "online_services_l4": ("210", "210"),
    "l3_dossiers_direct": ("3.797", "3,797"),
    "l3_dossiers_online": ("124", "124"),
    "l4_dossiers_direct": ("2.219", "2,219"),
    "l4_dossiers_online": ("494", "494"),
    "complaints_received": ("1", "1"),
    "inspections": ("1", "1"),
    "inspected_entities": ("16", "16"),
    "entities_with_violations": ("10", "10"),
    "portal_articles_posted": ("101", "101"),
    "articles_translated_en": ("42", "42"),
    "articles_translated_km": ("64", "64"),
    "citizen_questions_received": ("7", "7"),
    "draft_docs_for_comment": ("13", "13"),
    "legal_docs_published": ("88", "88"),
    "expired_banners_removed": ("7", "7"),
    # derived, as the Overview computes them
    "online_services_total": ("516", "516"),
    "dossier_resolution_rate": ("99,57%", "99.57%"),
    "online_dossier_rate": ("9,32%", "9.32%"),
}

HEADINGS = {
    "vi": [
        "I. KẾT QUẢ TRIỂN KHAI THỰC HIỆN NHIỆM VỤ PHÁT TRIỂN KINH TẾ - XÃ HỘI",
        "1. Công tác tham mưu và ban hành các văn bản chỉ đạo, điều hành",
        "2. Công tác thực hiện nhiệm vụ chuyên môn",
        "2.1. Về Thông tin - Báo chí - Xuất bản",
        "2.2. Về Bưu chính - Viễn thông, Công nghệ thông tin",
        "2.3. Về công tác thanh tra, kiểm tra, giải quyết khiếu nại, tố cáo",
        "2.4. Triển khai thực hiện các dự án đầu tư công",
        "2.5. Hoạt động của Cổng thông tin điện tử tỉnh",
        "II. ĐÁNH GIÁ KẾT QUẢ ĐẠT ĐƯỢC",
        "III. MỘT SỐ NHIỆM VỤ TRỌNG TÂM QUÝ TIẾP THEO",
        "PHỤ LỤC",
        "Phụ lục 1. Số liệu Quý I/2019 so với quý trước và cùng kỳ năm trước",
        "Phụ lục 2. Hệ thống một cửa điện tử theo cơ quan cấp tỉnh và đơn vị cấp huyện, Quý I/2019",
    ],
    "en": [
        "I. RESULTS OF THE SOCIO-ECONOMIC DEVELOPMENT TASKS",
        "1. Advice and steering documents",
        "2. Professional tasks",
        "2.1. Information, press and publishing",
        "2.2. Posts and telecommunications, information technology",
        "2.3. Inspection and complaints",
        "2.4. Public investment projects",
        "2.5. The provincial portal",
        "II. ASSESSMENT",
        "III. MAIN TASKS FOR THE NEXT QUARTER",
        "APPENDIX",
        "Appendix 1. Figures of Q1 2019 with the previous quarter and the same quarter last year",
        "Appendix 2. The e-one-stop system by provincial agencies and districts, Q1 2019",
    ],
}

LETTERHEAD = {
    "vi": (
        "ỦY BAN NHÂN DÂN TỈNH TRÀ VINH",
        "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
        "Số: …/BC-STTTT",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Trà Vinh, ngày … tháng … năm 2019",
    ),
    "en": (
        "PEOPLE'S COMMITTEE OF TRÀ VINH PROVINCE",
        "DEPARTMENT OF INFORMATION AND COMMUNICATIONS",
        "No.: …/BC-STTTT",
        "SOCIALIST REPUBLIC OF VIETNAM",
        "Independence - Freedom - Happiness",
        "Trà Vinh, … 2019",
    ),
}
TITLE = {
    "vi": (
        "BÁO CÁO",
        "Tình hình thực hiện nhiệm vụ phát triển kinh tế - xã hội ngành thông tin và truyền "
        "thông quý I/2019",
    ),
    "en": (
        "REPORT",
        "Implementation of the socio-economic development tasks of the information and "
        "communications sector, Q1 2019",
    ),
}
SIGN = {"~": "approx", ">": "at_least", "<": "at_most"}
WORDS = {
    "vi": {"approx": "khoảng", "at_least": "trên", "at_most": "dưới"},
    "en": {"approx": "about", "at_least": "over", "at_most": "under"},
}


def _draft(url: str, period: str, lang: str, unit: str | None = None) -> Draft:
    eng = db.make_engine(url)
    try:
        with db.session_scope(eng) as session:
            return build_draft(session, period, lang, unit)
    finally:
        eng.dispose()


def _docx(draft: Draft) -> Document:
    return Document(io.BytesIO(write_draft(draft, browser=None).data))


def _body(doc: Document) -> list[str]:
    """The paragraphs of the report before the appendix."""
    texts = [p.text for p in doc.paragraphs]
    end = next(i for i, p in enumerate(doc.paragraphs) if p.text in ("PHỤ LỤC", "APPENDIX"))
    return texts[:end]


def _headings(doc: Document) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]


def _words(lang: str, code: str) -> str:
    return SEED_WORDS[code][0 if lang == "vi" else 1]


@pytest.fixture(scope="module")
def seed_drafts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Document]]:
    """The Q1/2019 province drafts of the demo database, in both languages (read-only)."""
    from kpi.bootstrap import init_database

    path = tmp_path_factory.mktemp("briefing") / "demo.sqlite3"
    eng = db.make_engine(f"sqlite:///{path}")
    init_database(eng, ADMIN, demo=True)
    eng.dispose()
    url = f"sqlite:///{path}"
    yield {lang: _docx(_draft(url, "2019-Q1", lang)) for lang in ("vi", "en")}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_letterhead_title_and_headings_are_the_departments_form(
    seed_drafts: dict[str, Document], lang: str
) -> None:
    doc = seed_drafts[lang]
    left, right = doc.tables[0].rows[0].cells
    lines = [p.text for p in left.paragraphs if p.text] + [
        p.text for p in right.paragraphs if p.text
    ]
    assert tuple(lines) == LETTERHEAD[lang]
    body = _body(doc)
    assert body[0:2] == list(TITLE[lang])
    assert _headings(doc) == HEADINGS[lang]
    signature = doc.tables[1].rows[0].cells
    assert signature[0].paragraphs[0].text == ("Nơi nhận:" if lang == "vi" else "Recipients:")
    assert signature[1].paragraphs[0].text == ("GIÁM ĐỐC" if lang == "vi" else "DIRECTOR")


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("code", sorted(SEED_WORDS))
def test_every_seed_figure_stands_in_its_sentence_with_its_qualifier_in_words(
    seed_drafts: dict[str, Document], lang: str, code: str
) -> None:
    """The figure follows the words its template puts before it ("ban hành trên 50")."""
    template = load_report(load_catalogue())
    texts = [
        p.text[lang]
        for s in template.sections
        for p in s.paragraphs
        if re.search(r"\{" + code + r"\}", p.text[lang])
    ]
    assert texts, f"no sentence carries {code}"
    body = "\n".join(_body(seed_drafts[lang]))
    for text in texts:
        m = re.search(r"\{" + code + r"\}", text)
        assert m is not None
        before = PLACEHOLDER.split(text[: m.start()])[-1][-12:]
        after = PLACEHOLDER.split(text[m.end() :])[0][:8]
        assert f"{before}{_words(lang, code)}{after}" in body, (before, after)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "vi",
            [
                "tổng số người sử dụng là 7.848, tăng 406 người (5,5%) so với quý trước",
                "đạt 92,3% chỉ tiêu năm 2019",
                # a fall, and a change of an approximate figure, is approximate too
                "khoảng 28.474 văn bản, giảm khoảng 6.142 văn bản (17,7%) so với quý trước",
                # percentages change in points
                "trên 90% các văn bản, tài liệu chính thức trao đổi giữa các cơ quan nhà nước dưới "
                "dạng điện tử, tăng khoảng 4 điểm phần trăm so với quý trước",
                "đạt 99,57%, tăng 0,30 điểm phần trăm so với quý trước",
                # a flow's target is the year so far
                "tăng 10.563 hồ sơ (37,5%) so với cùng kỳ năm trước, đạt 24,2% chỉ tiêu năm 2019",
            ],
        ),
        ("en", ["number 7,848, up 406 users (5.5%) on the previous quarter", "of the 2019 target"]),
    ],
)
def test_changes_and_targets_are_worded_as_changes(
    seed_drafts: dict[str, Document], lang: str, expected: list[str]
) -> None:
    body = "\n".join(_body(seed_drafts[lang]))
    for text in expected:
        assert text in body


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_figure_is_the_one_the_overview_shows(
    demo_url: str, seed_drafts: dict[str, Document], lang: str
) -> None:
    """The Overview's group tables, read through AppTest, against the draft's appendix and its
    sentences: the same text, the qualifier sign written as a word in the sentences."""
    from tests.support.apptest import open_app

    at = open_app(lang)
    shown: dict[str, str] = {}
    for frame in at.dataframe:
        table = frame.value
        name_col, value_col = table.columns[0], table.columns[1]
        shown.update(dict(zip(table[name_col], table[value_col], strict=True)))
    doc = seed_drafts[lang]
    appendix = {row.cells[0].text: row.cells[2].text for row in doc.tables[2].rows[1:]}
    assert set(appendix) == set(shown)
    cat = load_catalogue()
    body = "\n".join(_body(doc))
    for name, text in shown.items():
        assert appendix[name] == (MISSING if text == "–" else text), name
    for code in SEED_WORDS:
        text = shown[cat[code].name(lang)]
        qualifier = SIGN.get(text[0])
        words = f"{WORDS[lang][qualifier]} {text[1:]}" if qualifier else text
        assert words == _words(lang, code)
        assert words in body


def _commit(engine: Engine, figures: dict[str, tuple[str, str]], period: str) -> None:
    with db.session_scope(engine) as session:
        province = next(u for u in all_units(session) if u.code == "84")
        commit_figures(
            session,
            ADMIN,
            BatchInfo("csv", file_name="test.csv", period=period),
            [
                Figure(code, province.id, period, Decimal(value), qualifier)
                for code, (value, qualifier) in figures.items()
            ],
        )


def test_a_missing_figure_is_written_as_dots_and_highlighted_never_as_zero(
    engine: Engine,
) -> None:
    _commit(
        engine,
        {"doc_system_users": ("7848", "exact"), "dossiers_received": ("0", "exact")},
        "2019-Q1",
    )
    with db.session_scope(engine) as session:
        draft = build_draft(session, "2019-Q1", "vi")
    doc = _docx(draft)
    body = "\n".join(_body(doc))
    assert "tổng số người sử dụng là 7.848" in body
    # a real zero stays a zero; the figure that is missing is "…"
    assert "đã tiếp nhận 0 hồ sơ và giải quyết … hồ sơ" in body
    assert "Sở đã ban hành … văn bản" in body
    highlighted = [
        r.text
        for p in doc.paragraphs
        for r in p.runs
        if r.font.highlight_color == WD_COLOR_INDEX.YELLOW
    ]
    assert MISSING in highlighted
    assert "chưa có số liệu của quý" in highlighted
    rows = {row.cells[0].text: row.cells[2] for row in doc.tables[2].rows[1:]}
    resolved = rows["Hồ sơ giải quyết"]
    assert resolved.text == MISSING
    assert resolved.paragraphs[0].runs[0].font.highlight_color == WD_COLOR_INDEX.YELLOW
    assert rows["Hồ sơ tiếp nhận"].text == "0"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "vi",
            (
                "chưa có số liệu quý trước để so sánh và chưa có số liệu cùng kỳ năm trước để "
                "so sánh"
            ),
        ),
        (
            "en",
            (
                "no figure of the previous quarter to compare with and no figure of the same "
                "quarter last year to compare with"
            ),
        ),
    ],
)
def test_a_quarter_without_a_previous_year(demo_url: str, lang: str, expected: str) -> None:
    doc = _docx(_draft(demo_url, "2016-Q1", lang))
    body = "\n".join(_body(doc))
    assert expected in body
    assert _headings(doc)[0].startswith("I. ")
    rows = doc.tables[2].rows
    assert rows[0].cells[4].text == ("Quý I/2015" if lang == "vi" else "Q1 2015")
    assert {row.cells[4].text for row in rows[1:]} == {MISSING}
    assert {row.cells[3].text for row in rows[1:]} == {MISSING}


def test_a_later_quarter_compares_with_the_year_before(demo_url: str) -> None:
    body = "\n".join(_body(_docx(_draft(demo_url, "2017-Q1", "vi"))))
    assert "so với cùng kỳ năm trước" in body
    assert "chưa có số liệu cùng kỳ năm trước" not in body


def test_a_district_version_covers_the_district_and_its_communes(demo_url: str) -> None:
    draft = _draft(demo_url, "2019-Q1", "vi", "844")
    doc = _docx(draft)
    body = "\n".join(_body(doc))
    assert TITLE["vi"][1].replace("quý I/2019", "trên địa bàn huyện Càng Long quý I/2019") in body
    users = draft.cards["doc_system_users"].text
    assert f"trên địa bàn huyện Càng Long, tổng số người sử dụng là {users}," in body
    received = draft.cards["dossiers_received"].text
    assert f"trên địa bàn huyện Càng Long đã tiếp nhận {received} hồ sơ" in body
    # only the figures a district reports: no portal, no press, no inspections
    assert "Cổng thông tin điện tử của tỉnh" not in body
    assert "giấy phép xuất bản" not in body
    assert "2.1. Về Bưu chính - Viễn thông, Công nghệ thông tin" not in _headings(doc)
    assert _headings(doc)[:3] == [
        "I. KẾT QUẢ TRIỂN KHAI THỰC HIỆN NHIỆM VỤ PHÁT TRIỂN KINH TẾ - XÃ HỘI",
        "1. Công tác thực hiện nhiệm vụ chuyên môn",
        "1.1. Về Bưu chính - Viễn thông, Công nghệ thông tin",
    ]
    communes = doc.tables[3]
    names = [row.cells[0].text for row in communes.rows[1:-1]]
    assert names == [u.name for u in draft.breakdown.units]
    assert "Thị trấn Càng Long" in names and len(names) == 14
    assert communes.rows[-1].cells[0].text == "Toàn huyện Càng Long"
    assert communes.rows[-1].cells[1].text == received
    appendix_names = [row.cells[0].text for row in doc.tables[2].rows[1:]]
    assert "Cổng thông tin" not in " ".join(appendix_names)


@pytest.mark.parametrize(
    ("period", "province", "department", "symbol"),
    [
        ("2019-Q1", "ỦY BAN NHÂN DÂN TỈNH TRÀ VINH", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG", "BC-STTTT"),
        ("2024-Q4", "ỦY BAN NHÂN DÂN TỈNH TRÀ VINH", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG", "BC-STTTT"),
        ("2025-Q1", "ỦY BAN NHÂN DÂN TỈNH TRÀ VINH", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "BC-SKHCN"),
        ("2025-Q2", "ỦY BAN NHÂN DÂN TỈNH TRÀ VINH", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "BC-SKHCN"),
        ("2025-Q3", "ỦY BAN NHÂN DÂN TỈNH VĨNH LONG", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "BC-SKHCN"),
    ],
)
def test_the_letterhead_names_are_those_valid_in_the_quarter(
    period: str, province: str, department: str, symbol: str
) -> None:
    from kpi.periods import Period

    heads = templates.load_letterhead()
    day = report_day(Period.parse(period))
    assert heads.province(day).text("name", "vi") == province
    assert heads.department(day).text("name", "vi") == department
    assert heads.department(day).text("symbol", "vi") == symbol


def test_a_quarter_of_vinh_long_has_its_letterhead_and_no_figures_yet(engine: Engine) -> None:
    with db.session_scope(engine) as session:
        draft = build_draft(session, "2025-Q3", "vi")
    assert draft.unit.code == "86"
    doc = _docx(draft)
    left, right = doc.tables[0].rows[0].cells
    assert left.paragraphs[0].text == "ỦY BAN NHÂN DÂN TỈNH VĨNH LONG"
    assert left.paragraphs[1].text == "SỞ KHOA HỌC VÀ CÔNG NGHỆ"
    assert right.paragraphs[-1].text == "Vĩnh Long, ngày … tháng … năm 2025"
    body = "\n".join(_body(doc))
    assert "ngành khoa học và công nghệ quý III/2025" in body
    assert "tổng số người sử dụng là …, chưa có số liệu của quý" in body


def test_the_page_is_the_decrees(seed_drafts: dict[str, Document]) -> None:
    doc = seed_drafts["vi"]
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert tuple(round(m.mm) for m in margins) == (20, 20, 30, 15)
    assert 20 <= section.top_margin.mm <= 25 and 30 <= section.left_margin.mm <= 35
    assert doc.styles["Normal"].font.name == FONT
    assert doc.styles["Normal"].font.size == Pt(14)
    fonts = {r.font.name for p in doc.paragraphs for r in p.runs if r.text.strip()}
    assert fonts == {FONT}
    sizes = {r.font.size.pt for p in _body_paragraphs(doc) for r in p.runs if r.text.strip()}
    assert sizes <= {12.0, 13.0, 14.0}
    # page numbers centred in the header, none on the first page
    assert section.different_first_page_header_footer
    assert all(not p.text for p in section.first_page_header.paragraphs)
    header = section.header.paragraphs[0]
    assert header.alignment == 1  # centre
    assert "PAGE" in header._p.xml


def _body_paragraphs(doc: Document) -> list[object]:
    out = []
    for p in doc.paragraphs:
        if p.text in ("PHỤ LỤC", "APPENDIX"):
            break
        out.append(p)
    return out


def test_the_text_is_nfc(seed_drafts: dict[str, Document]) -> None:
    import unicodedata

    for p in seed_drafts["vi"].paragraphs:
        assert unicodedata.is_normalized("NFC", p.text)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ("{directive_docs_issued} văn bản", "{no_such_code} văn bản"),
            "unknown indicator 'no_such_code'",
        ),
        (('style = "body"', 'style = "bold"'), "style 'bold' is not one of"),
        (("{press_directive_docs} văn bản", "văn bản"), "vi and en name different figures"),
        (
            ("{dossiers_received.change}", "{dossiers_received.trend}"),
            "unknown {dossiers_received.trend}",
        ),
    ],
)
def test_a_broken_template_file_names_the_paragraph(
    tmp_path: Path, edit: tuple[str, str], message: str
) -> None:
    text = templates.REPORT_FILE.read_text(encoding="utf-8").replace(edit[0], edit[1], 1)
    path = tmp_path / "report.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TemplateError) as err:
        templates.load_report(load_catalogue(), path)
    assert message in str(err.value)
    assert "report.toml: section #" in str(err.value)


def test_overlapping_letterhead_dates_are_refused(tmp_path: Path) -> None:
    text = templates.LETTERHEAD_FILE.read_text(encoding="utf-8").replace(
        'valid_from = "2025-07-01"', 'valid_from = "2025-06-01"'
    )
    path = tmp_path / "letterhead.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TemplateError, match=r"\[\[province\]\] entries overlap"):
        templates.load_letterhead(path)


def test_every_key_figure_of_the_province_has_its_change_in_a_sentence() -> None:
    cat = load_catalogue()
    template = load_report(cat)
    text = " ".join(p.text["vi"] for s in template.sections for p in s.paragraphs)
    for ind in cat.key_indicators():
        assert "{" + ind.code + ".change}" in text, ind.code


@pytest.mark.parametrize("level", ["province", "district"])
def test_every_figure_of_a_level_has_a_sentence(level: str) -> None:
    cat = load_catalogue()
    template = load_report(cat)
    named = {c for s in template.sections for p in s.paragraphs for c in p.codes}
    stored = {i.code for i in cat.at_level(level) if not i.is_derived}
    assert stored - named == set()
