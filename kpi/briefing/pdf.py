"""PDF from a .docx by LibreOffice (``soffice --headless --convert-to pdf``; the Debian package
libreoffice-writer-nogui), with a message naming the package where it is absent."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from kpi.i18n import t

DEFAULT_SOFFICE = "soffice"
TIMEOUT = 180


class OfficeMissing(RuntimeError):
    """LibreOffice is not installed (or not where ``KPI_SOFFICE`` says)."""


class ConversionFailed(RuntimeError):
    """LibreOffice ran but gave no PDF."""


def soffice_path(env: Mapping[str, str] | None = None) -> str | None:
    """The LibreOffice program from ``KPI_SOFFICE`` (default ``soffice`` on the PATH)."""
    env = os.environ if env is None else env
    raw = (env.get("KPI_SOFFICE") or DEFAULT_SOFFICE).strip()
    if os.sep in raw:
        return raw if Path(raw).is_file() and os.access(raw, os.X_OK) else None
    return shutil.which(raw)


def to_pdf(docx: bytes, lang: str = "vi", *, soffice: str | None = None) -> bytes:
    """The PDF of a .docx. Each conversion has its own LibreOffice profile, so conversions
    run side by side (and beside a user's open LibreOffice) without locking each other."""
    program = soffice or soffice_path()
    if program is None:
        shown = os.environ.get("KPI_SOFFICE") or DEFAULT_SOFFICE
        raise OfficeMissing(t("briefing.pdf.missing", lang, path=shown))
    with tempfile.TemporaryDirectory(prefix="kpi-pdf-") as tmp:
        work = Path(tmp)
        source = work / "draft.docx"
        source.write_bytes(docx)
        profile = (work / "profile").as_uri()
        try:
            done = subprocess.run(
                [
                    program,
                    f"-env:UserInstallation={profile}",
                    "--headless",
                    "--norestore",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(work),
                    str(source),
                ],
                capture_output=True,
                timeout=TIMEOUT,
                check=False,
                stdin=subprocess.DEVNULL,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ConversionFailed(t("briefing.pdf.failed", lang, error=exc)) from exc
        result = work / "draft.pdf"
        if done.returncode != 0 or not result.is_file():
            error = (done.stderr or done.stdout).decode("utf-8", "replace").strip()
            raise ConversionFailed(
                t("briefing.pdf.failed", lang, error=error or f"exit {done.returncode}")
            )
        return result.read_bytes()
