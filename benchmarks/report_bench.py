"""The report reader: seconds to read (first, then again) a text report, a .docx with a table, a PDF text layer,
and a two-page A4 scan at 200 dpi bound as an image-only PDF (pdftoppm + Tesseract), with how
many figures each gave."""

from __future__ import annotations

import io
import random
import shutil
import time
from pathlib import Path

from kpi.catalogue import load_catalogue

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "reports"
FILES = [
    ROOT / "data" / "demo" / "seed-report-q1-2019.txt",
    GOLDEN / "q3-2020-wording.txt",
    GOLDEN / "q2-2021-table.docx",
    GOLDEN / "q4-2019-tcvn3.docx",
    GOLDEN / "q1-2021-textlayer.pdf",
]


def two_page_scan() -> bytes:
    """The wording report typeset on two A4 pages (Liberation Serif 13 pt at 200 dpi), slightly
    rotated, speckled and blurred, as an image-only PDF."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    rng = random.Random(7)
    font = ImageFont.truetype(
        "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf", 36
    )
    width, height, margin = 1654, 2339, 200
    lines: list[str] = []
    for para in (GOLDEN / "q3-2020-wording.txt").read_text(encoding="utf-8").splitlines():
        words, current = para.split(), ""
        for w in words:
            trial = f"{current} {w}".strip()
            if font.getlength(trial) > width - 2 * margin:
                lines.append(current)
                current = w
            else:
                current = trial
        lines.append(current)
    per_page = (height - 2 * margin) // 52
    pages = []
    for start in range(0, len(lines), per_page):
        img = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(img)
        for i, line in enumerate(lines[start : start + per_page]):
            draw.text((margin, margin + 52 * i), line, fill=25, font=font)
        for _ in range(6000):
            img.putpixel((rng.randrange(width), rng.randrange(height)), rng.choice((0, 120)))
        img = img.rotate(0.4, fillcolor=255).filter(ImageFilter.GaussianBlur(0.6))
        pages.append(img)
    out = io.BytesIO()
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:2], resolution=200)
    return out.getvalue()


def run() -> list[tuple[str, float, str]]:
    from loaders.report.reader import read_report

    cat = load_catalogue()
    rows: list[tuple[str, float, str]] = []
    for path in FILES:
        content = path.read_bytes()
        times = []
        for _ in range(3):  # the first read is cold (word similarities not yet cached)
            started = time.perf_counter()
            reading = read_report(content, path.name, cat=cat)
            times.append(time.perf_counter() - started)
        flagged = sum(p.needs_review for p in reading.proposals)
        note = (
            f"s, again {min(times[1:]):.2f} s ({len(reading.proposals)} figures, {flagged} flagged)"
        )
        rows.append((f"read {path.name} (first read)", times[0], note))
    if shutil.which("tesseract") and shutil.which("pdftoppm"):
        scan = two_page_scan()
        started = time.perf_counter()
        reading = read_report(scan, "scan-2-pages.pdf", cat=cat)
        took = time.perf_counter() - started
        rows.append(
            (
                "read a two-page 200 dpi scan (image-only PDF, OCR)",
                took,
                f"s ({len(reading.proposals)} of 41 figures, pages {reading.document.pages})",
            )
        )
    else:
        rows.append(("two-page scan", float("nan"), "skipped: no tesseract/pdftoppm"))
    return rows
