"""``kpi briefing --period 2019-Q1 [--unit 84|DISTRICT] [--lang vi|en] [--summary] [--pdf]
-o FILE``: the draft quarterly report (or the leaders' summary) as .docx, or as PDF."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from kpi.cli.common import engine_from_settings, period_arg, print_json
from kpi.config import LANGUAGES, get_settings
from kpi.i18n import t


def register(sub: Any) -> None:
    p = sub.add_parser("briefing", help="write the draft quarterly report (.docx) or its summary")
    p.add_argument("--period", required=True, help="the quarter, e.g. 2019-Q1 or 'Quý I/2019'")
    p.add_argument("--unit", help="the unit's code: the province (default) or a district")
    p.add_argument("--lang", choices=LANGUAGES, help="language (default KPI_LANG)")
    p.add_argument("--summary", action="store_true", help="the one- or two-page summary instead")
    p.add_argument("--pdf", action="store_true", help="write PDF (LibreOffice) instead of .docx")
    p.add_argument("--no-charts", action="store_true", help="leave the chart images out")
    p.add_argument("-o", "--output", required=True, help="the file to write")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from kpi import db
    from kpi.briefing import images, pdf
    from kpi.briefing.model import BriefingError, build_draft
    from kpi.briefing.report import write_draft
    from kpi.briefing.summary import write_summary
    from kpi.briefing.templates import TemplateError

    lang = args.lang or get_settings().lang
    period = period_arg(args.period)
    browser = None if args.no_charts else images.browser_path()
    engine = engine_from_settings()
    try:
        with db.session_scope(engine) as session:
            draft = build_draft(session, period, lang, args.unit)
    except (BriefingError, TemplateError) as exc:
        print(f"kpi briefing: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    writer = write_summary if args.summary else write_draft
    written = writer(draft, browser=browser)
    data = written.data
    if args.pdf:
        try:
            data = pdf.to_pdf(data, lang)
        except (pdf.OfficeMissing, pdf.ConversionFailed) as exc:
            print(f"kpi briefing: {exc}", file=sys.stderr)
            return 1
    out = Path(args.output)
    try:
        out.write_bytes(data)
    except OSError as exc:
        print(f"kpi briefing: cannot write {out}: {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        print_json(
            {
                "file": str(out),
                "period": period.code,
                "unit": draft.unit.code,
                "lang": lang,
                "kind": "summary" if args.summary else "draft",
                "format": "pdf" if args.pdf else "docx",
                "bytes": len(data),
                "charts": written.charts,
                "charts_reason": written.charts_reason,
                "browser_startup_s": round(written.startup_s, 3),
            }
        )
        return 0
    print(
        t(
            "briefing.cli.written",
            lang,
            file=out,
            label=period.label(lang),
            unit=draft.unit.name,
            language=lang,
            size=len(data),
        )
    )
    if written.charts:
        startup = f"{written.startup_s:.2f}"
        print(t("briefing.cli.charts", lang, count=written.charts, startup=startup))
    elif written.charts_reason:
        print(t("briefing.cli.no_charts", lang, reason=written.charts_reason))
    return 0
