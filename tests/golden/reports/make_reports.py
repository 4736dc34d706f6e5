"""Makes the golden reports that are not plain text, from texts in this file, and their expected
JSON from the facts written here: `python -m tests.golden.reports.make_reports` (run from the
repository root). The files are committed; run this again only to change them.

- q2-2021-table.docx: a Word report with an appendix table whose columns include the previous
  quarter, the same quarter last year, the year's plan and a comparison in %.
- q4-2019-tcvn3.docx: a report typed in the legacy TCVN3 fonts (.VnTime, headings in .VnTimeH).
- q4-2019-tcvn3.txt: the same kind of text saved as a single-byte TCVN3 text file.
- q1-2021-textlayer.pdf: a PDF with a text layer (made by LibreOffice from a .docx).
- q1-2020-scan.png: a short report rendered as a noisy, slightly rotated 200 dpi scan.
- q2-2021-table-as-pdf.pdf: the Word report with its table printed to PDF by LibreOffice, whose
  text layer flattens the table (no expected file: its figures must be right or flagged).
"""

from __future__ import annotations

import io
import random
import shutil
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

TABLE_INTRO = [
    "UBND TỈNH TRÀ VINH",
    "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
    "Số: 1460/BC-STTTT",
    "Trà Vinh, ngày 21 tháng 6 năm 2021",
    "BÁO CÁO",
    "Tình hình thực hiện nhiệm vụ Quý II năm 2021",
    "Căn cứ Quyết định số 45/2016/QĐ-TTg ngày 19/10/2016 của Thủ tướng Chính phủ, Sở Thông tin và "
    "Truyền thông báo cáo kết quả quý II năm 2021 như sau:",
    "1. Trong quý, Sở tham mưu ban hành 58 văn bản chỉ đạo, điều hành; cấp 11 giấy phép xuất bản "
    "tài liệu không kinh doanh và gỡ bỏ 18 băng rôn hết hạn.",
    "2. Hệ thống thư điện tử công vụ: cấp mới 52 tài khoản thư điện tử; kinh phí duy trì "
    "hệ thống 320 triệu đồng.",
    "3. Số liệu chi tiết tại phụ lục kèm theo.",
    "PHỤ LỤC: SỐ LIỆU CHUYỂN ĐỔI SỐ QUÝ II/2021",
]
TABLE_HEADER = [
    "STT",
    "Chỉ tiêu",
    "Đơn vị tính",
    "Quý II/2021",
    "Quý I/2021",
    "Cùng kỳ năm 2020",
    "Kế hoạch năm 2021",
    "So sánh cùng kỳ (%)",
]
TABLE_ROWS = [
    (
        "1",
        "Người sử dụng phần mềm quản lý văn bản và điều hành",
        "người",
        "8.905",
        "8.760",
        "8.214",
        "9.000",
        "108,4",
    ),
    ("2", "Tỷ lệ văn bản trao đổi dưới dạng điện tử", "%", "96", "95", "92", "98", "104,3"),
    ("3", "Hồ sơ tiếp nhận", "hồ sơ", "44.120", "39.870", "41.236", "160.000", "107,0"),
    ("4", "Hồ sơ giải quyết", "hồ sơ", "43.877", "39.502", "40.877", "", "107,3"),
    ("5", "Dịch vụ công trực tuyến mức độ 3", "dịch vụ", "366", "362", "358", "", "102,2"),
    ("6", "Dịch vụ công trực tuyến mức độ 4", "dịch vụ", "301", "280", "244", "350", "123,4"),
    ("7", "Chứng thư số đang hoạt động", "chứng thư", "705", "690", "612", "", "115,2"),
    ("8", "Hộp thư điện tử công vụ", "hộp thư", "6.951", "6.899", "6.702", "", "103,7"),
]
TABLE_FACTS = [
    ("directive_docs_issued", 58, "exact"),
    ("publishing_licences_issued", 11, "exact"),
    ("expired_banners_removed", 18, "exact"),
    ("email_accounts_new", 52, "exact"),
    ("doc_system_users", 8905, "exact"),
    ("e_document_share_pct", 96, "exact"),
    ("dossiers_received", 44120, "exact"),
    ("dossiers_resolved", 43877, "exact"),
    ("online_services_l3", 366, "exact"),
    ("online_services_l4", 301, "exact"),
    ("digital_certificates_active", 705, "exact"),
    ("email_accounts_total", 6951, "exact"),
]

TCVN3_TEXT = [
    ("SỞ THÔNG TIN VÀ TRUYỀN THÔNG TỈNH TRÀ VINH", True),
    ("Số: 3021/BC-STTTT, Trà Vinh, ngày 16 tháng 12 năm 2019", False),
    ("BÁO CÁO KẾT QUẢ CÔNG TÁC QUÝ IV NĂM 2019", True),
    (
        "Trong quý IV/2019, Sở đã ban hành 47 văn bản chỉ đạo, điều hành về thông tin và "
        "truyền thông và có 08 văn bản chỉ đạo các cơ quan báo, đài trong tỉnh.",
        False,
    ),
    (
        "Hệ thống một cửa điện tử đã tiếp nhận 40.512 hồ sơ, đã giải quyết 40.101 hồ sơ; "
        "tổng số người sử dụng phần mềm quản lý văn bản và điều hành là 8.002.",
        False,
    ),
    (
        "Cổng thông tin điện tử đăng 298 tin, bài; tiếp nhận 09 câu hỏi của người dân. "
        "Tổ chức 03 cuộc kiểm tra đối với 21 tổ chức, cá nhân.",
        False,
    ),
]
TCVN3_FACTS = [
    ("directive_docs_issued", 47, "exact"),
    ("press_directive_docs", 8, "exact"),
    ("dossiers_received", 40512, "exact"),
    ("dossiers_resolved", 40101, "exact"),
    ("doc_system_users", 8002, "exact"),
    ("portal_articles_posted", 298, "exact"),
    ("citizen_questions_received", 9, "exact"),
    ("inspections", 3, "exact"),
    ("inspected_entities", 21, "exact"),
]

PDF_TEXT = [
    "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
    "Số: 402/BC-STTTT                    Trà Vinh, ngày 19 tháng 3 năm 2021",
    "BÁO CÁO Kết quả thực hiện nhiệm vụ Quý I/2021",
    "Trong quý I/2021, hệ thống một cửa điện tử đã tiếp nhận 39.870 hồ sơ và giải quyết 39.502 "
    "hồ sơ. Hiện có trên 95% văn bản được trao đổi dưới dạng điện tử giữa các cơ quan nhà nước.",
    "Mạng truyền số liệu chuyên dùng đã kết nối cho 33 cơ quan. Tổng số chứng thư số đang hoạt "
    "động là 690 chứng thư. Cổng thông tin điện tử có 44 trang thông tin điện tử thành phần.",
    "Đường dây nóng 0294 3855 123; địa chỉ https://travinh.gov.vn; kinh phí 2,5 tỷ đồng.",
]
PDF_FACTS = [
    ("dossiers_received", 39870, "exact"),
    ("dossiers_resolved", 39502, "exact"),
    ("e_document_share_pct", 95, "at_least"),
    ("dedicated_network_agencies", 33, "exact"),
    ("digital_certificates_active", 690, "exact"),
    ("portal_component_sites", 44, "exact"),
]

SCAN_TEXT = [
    "BÁO CÁO KẾT QUẢ QUÝ I/2020",
    "Sở Thông tin và Truyền thông tỉnh Trà Vinh",
    "Trong quý, hệ thống đã tiếp nhận 37.904 hồ sơ,",
    "đã giải quyết 37.611 hồ sơ; cấp mới 31 tài khoản",
    "thư điện tử; tổ chức 02 cuộc kiểm tra.",
]
SCAN_FACTS = [
    ("dossiers_received", 37904, "exact"),
    ("dossiers_resolved", 37611, "exact"),
    ("email_accounts_new", 31, "exact"),
    ("inspections", 2, "exact"),
]


def to_tcvn3(text: str) -> str:
    from loaders.report.decode import TCVN3

    back = {v: k for k, v in TCVN3.items()}
    return "".join(back.get(c, back.get(c.lower(), c)) for c in text)


def table_docx() -> bytes:
    import docx

    d = docx.Document()
    for line in TABLE_INTRO:
        d.add_paragraph(line)
    table = d.add_table(rows=1, cols=len(TABLE_HEADER))
    for cell, text in zip(table.rows[0].cells, TABLE_HEADER, strict=True):
        cell.text = text
    for row in TABLE_ROWS:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    d.add_paragraph("Nơi nhận: Sở Kế hoạch và Đầu tư; Lưu: VT.")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def tcvn3_docx() -> bytes:
    import docx

    d = docx.Document()
    for text, heading in TCVN3_TEXT:
        p = d.add_paragraph()
        run = p.add_run(to_tcvn3(text.lower() if heading else text))
        run.font.name = ".VnTimeH" if heading else ".VnTime"
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def docx_to_pdf(content: bytes) -> bytes:
    soffice = shutil.which("soffice")
    if soffice is None:
        raise SystemExit("libreoffice-writer-nogui is needed to make the PDF")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "report.docx"
        src.write_bytes(content)
        subprocess.run(
            [soffice, "--headless", "--convert-to", "pdf", "--outdir", tmp, str(src)],
            check=True,
            capture_output=True,
        )
        return (Path(tmp) / "report.pdf").read_bytes()


def text_layer_pdf() -> bytes:
    import docx

    soffice = shutil.which("soffice")
    if soffice is None:
        raise SystemExit("libreoffice-writer-nogui is needed to make the PDF")
    d = docx.Document()
    for line in PDF_TEXT:
        d.add_paragraph(line)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "report.docx"
        d.save(str(src))
        subprocess.run(
            [soffice, "--headless", "--convert-to", "pdf", "--outdir", tmp, str(src)],
            check=True,
            capture_output=True,
        )
        return (Path(tmp) / "report.pdf").read_bytes()


def scan_png() -> bytes:
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    rng = random.Random(2020)
    font = ImageFont.truetype(
        "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf", 36
    )
    img = Image.new("L", (1500, 60 + 62 * len(SCAN_TEXT)), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(SCAN_TEXT):
        draw.text((80, 40 + 62 * i), line, fill=20, font=font)
    for _ in range(2500):  # speckles
        x, y = rng.randrange(img.width), rng.randrange(img.height)
        img.putpixel((x, y), rng.choice((0, 90, 160)))
    img = img.rotate(0.6, fillcolor=255, resample=Image.Resampling.BICUBIC)
    img = img.filter(ImageFilter.GaussianBlur(0.7))
    out = io.BytesIO()
    img.save(out, format="PNG", dpi=(200, 200))
    return out.getvalue()


def expected(
    name: str,
    period: str,
    number: str | None,
    facts: list[tuple[str, int, str]],
    damaged: tuple[str, ...] = (),
) -> str:
    import json

    doc = {
        "file": name,
        "period": period,
        "province": "84",
        "report_number": number,
        "figures": [
            {"indicator": c, "value": v, "qualifier": q, "damaged": c in damaged}
            for c, v, q in facts
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def main() -> None:
    (HERE / "q2-2021-table.docx").write_bytes(table_docx())
    (HERE / "q2-2021-table-as-pdf.pdf").write_bytes(docx_to_pdf(table_docx()))
    (HERE / "q2-2021-table.expected.json").write_text(
        expected("q2-2021-table.docx", "2021-Q2", "1460/BC-STTTT", TABLE_FACTS), encoding="utf-8"
    )
    (HERE / "q4-2019-tcvn3.docx").write_bytes(tcvn3_docx())
    (HERE / "q4-2019-tcvn3.docx.expected.json").write_text(
        expected("q4-2019-tcvn3.docx", "2019-Q4", "3021/BC-STTTT", TCVN3_FACTS), encoding="utf-8"
    )
    text = "\n".join(to_tcvn3(t.lower() if h else t) for t, h in TCVN3_TEXT) + "\n"
    (HERE / "q4-2019-tcvn3.txt").write_bytes(text.encode("latin-1"))
    (HERE / "q4-2019-tcvn3.txt.expected.json").write_text(
        expected("q4-2019-tcvn3.txt", "2019-Q4", "3021/BC-STTTT", TCVN3_FACTS), encoding="utf-8"
    )
    (HERE / "q1-2021-textlayer.pdf").write_bytes(text_layer_pdf())
    (HERE / "q1-2021-textlayer.expected.json").write_text(
        expected("q1-2021-textlayer.pdf", "2021-Q1", "402/BC-STTTT", PDF_FACTS), encoding="utf-8"
    )
    (HERE / "q1-2020-scan.png").write_bytes(scan_png())
    (HERE / "q1-2020-scan.expected.json").write_text(
        expected("q1-2020-scan.png", "2020-Q1", None, SCAN_FACTS), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
