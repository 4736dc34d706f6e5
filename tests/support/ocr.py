"""Tesseract for the OCR tests: skipped with a reason where it is missing, a failure when CI
requires it (``KPI_REQUIRE_OCR=1``, as ``KPI_REQUIRE_BROWSER`` does for the browser)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

TRUTHY = {"1", "true", "yes", "on"}


def require_ocr() -> bool:
    return os.environ.get("KPI_REQUIRE_OCR", "").strip().lower() in TRUTHY


def tesseract_or_skip() -> None:
    exe = shutil.which("tesseract")
    langs = ""
    if exe:
        done = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, check=False)
        langs = done.stdout + done.stderr
    if exe and "vie" in langs.split():
        return
    why = "Tesseract with its Vietnamese model is not installed (tesseract-ocr, tesseract-ocr-vie)"
    if require_ocr():
        pytest.fail(f"OCR is required (KPI_REQUIRE_OCR) but {why}")
    pytest.skip(why)
