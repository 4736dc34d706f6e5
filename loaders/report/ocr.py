"""Scans read by Tesseract's Vietnamese model (word confidences from its TSV output); scanned PDF
pages turned into images by poppler's pdftoppm. Without the programs: a clear message."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from kpi.config import Settings
from loaders.report.decode import nfc
from loaders.report.model import Line, ReportError

PACKAGES = "tesseract-ocr, tesseract-ocr-vie, poppler-utils"
DPI = 200
TIMEOUT_S = 120


def _program(path: str) -> str:
    found = shutil.which(path)
    if not found:
        raise ReportError("ocr_missing", program=path, packages=PACKAGES)
    return found


def check_tesseract(settings: Settings) -> str:
    """The Tesseract program, with its Vietnamese model, or a ReportError naming the packages."""
    exe = _program(settings.tesseract)
    try:
        langs = subprocess.run(
            [exe, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise ReportError("ocr_missing", program=exe, packages=PACKAGES) from exc
    if "vie" not in (langs.stdout + langs.stderr).split():
        raise ReportError("ocr_missing", program=f"{exe} (vie)", packages=PACKAGES)
    return exe


def ocr_image(path: Path, settings: Settings, first_line: int = 1) -> list[Line]:
    """The lines of one page image, each with its words' confidences."""
    exe = check_tesseract(settings)
    try:
        done = subprocess.run(
            [exe, str(path), "stdout", "-l", "vie", "tsv"],
            capture_output=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ReportError("ocr_failed", detail="timeout") from exc
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
        raise ReportError("ocr_failed", detail=detail[0])
    return _tsv_lines(done.stdout.decode("utf-8", "replace"), first_line)


def _tsv_lines(tsv: str, first_line: int) -> list[Line]:
    rows = csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    grouped: dict[tuple[str, str, str, str], list[tuple[str, float]]] = {}
    for row in rows:
        if row.get("level") != "5":
            continue
        word = nfc((row.get("text") or "").strip())
        if not word:
            continue
        key = (row["page_num"], row["block_num"], row["par_num"], row["line_num"])
        grouped.setdefault(key, []).append((word, float(row.get("conf") or 0)))
    lines: list[Line] = []
    for n, words in enumerate(grouped.values(), start=first_line):
        text = " ".join(w for w, _ in words)
        lines.append(Line(n, text, text, word_conf=words))
    return lines


def ocr_pdf(content: bytes, pages: int, settings: Settings) -> list[Line]:
    """Every page of an image-only PDF, rendered at 200 dpi in grey, then read."""
    exe = _program(settings.pdftoppm)
    check_tesseract(settings)
    lines: list[Line] = []
    with tempfile.TemporaryDirectory(prefix="kpi-ocr-") as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(content)
        try:
            done = subprocess.run(
                [exe, "-r", str(DPI), "-gray", "-png", "-l", str(pages), str(src), f"{tmp}/p"],
                capture_output=True,
                timeout=TIMEOUT_S * max(1, pages),
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise ReportError("ocr_failed", detail="pdftoppm timeout") from exc
        if done.returncode != 0:
            raise ReportError("unreadable", detail=done.stderr.decode("utf-8", "replace")[:200])
        for image in sorted(Path(tmp).glob("p*.png")):
            lines.extend(ocr_image(image, settings, first_line=len(lines) + 1))
    return lines
