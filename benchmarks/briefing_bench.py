"""The draft quarterly report of Q1/2019 on the demo database: the model and the .docx without
charts (the target is under 2 s), with the charts drawn by the system Chromium (its start-up and
the drawing apart), the summary, and its PDF by LibreOffice where these are installed."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

RUNS = 5


def run() -> list[tuple[str, float, str]]:
    from kpi import db
    from kpi.access import Actor
    from kpi.bootstrap import init_database
    from kpi.briefing import images, pdf
    from kpi.briefing.model import build_draft
    from kpi.briefing.report import write_draft
    from kpi.briefing.summary import write_summary

    rows: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.sqlite3'}"
        engine = db.make_engine(url)
        init_database(engine, Actor("bench", "admin"), demo=True)

        def model(unit: str | None = None):  # type: ignore[no-untyped-def]
            with db.session_scope(engine) as session:
                return build_draft(session, "2019-Q1", "vi", unit)

        for unit, name in ((None, "province"), ("844", "district 844")):
            model_s, total_s = [], []
            for _ in range(RUNS):
                started = time.perf_counter()
                draft = model(unit)
                built = time.perf_counter()
                write_draft(draft, browser=None)
                model_s.append(built - started)
                total_s.append(time.perf_counter() - started)
            rows.append(
                (f"draft {name}: model (median of {RUNS})", statistics.median(model_s), "s")
            )
            rows.append(
                (
                    f"draft {name}: model + .docx, no charts (median)",
                    statistics.median(total_s),
                    "s",
                )
            )
        browser = images.browser_path()
        draft = model()
        if browser is not None and Path(browser).exists():
            started = time.perf_counter()
            written = write_draft(draft, browser=browser)
            rows.append(("draft with 3 charts: whole", time.perf_counter() - started, "s"))
            rows.append(("  Chromium start-up (kaleido, one browser)", written.startup_s, "s"))
            rows.append(("  drawing the 3 charts", written.render_s, "s"))
        else:
            rows.append(("draft with charts", float("nan"), f"no browser at {browser}"))
        started = time.perf_counter()
        summary = write_summary(draft, browser=None)
        rows.append(("summary .docx, no chart", time.perf_counter() - started, "s"))
        soffice = pdf.soffice_path()
        if soffice is not None:
            started = time.perf_counter()
            pdf.to_pdf(summary.data, soffice=soffice)
            rows.append(
                ("summary PDF by LibreOffice (cold profile)", time.perf_counter() - started, "s")
            )
        else:
            rows.append(("summary PDF", float("nan"), "no LibreOffice"))
        engine.dispose()
    return rows
