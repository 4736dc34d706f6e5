"""``kpi extract FILE [--period P] [--format text|json|review]`` proposes the figures of a
narrative report; ``kpi extract FILE --review REVIEW.toml --confirm [--user NAME]`` stores what
a person reviewed as one import batch.

Exit codes: 0 read (or confirmed, or unchanged); 1 refused (a review that cannot be applied,
nothing written); 2 usage error or unreadable file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from kpi.access import PermissionDenied
from kpi.accounts import AccountError
from kpi.cli.common import (
    acting_user,
    engine_from_settings,
    period_arg,
    print_json,
    refusal,
    refuse_user,
    unusable_database,
)
from kpi.config import LANGUAGES, get_settings
from kpi.i18n import t


def register(sub: Any) -> None:
    p = sub.add_parser("extract", help="propose the figures of a narrative report")
    p.add_argument("file")
    p.add_argument("--period", help="the quarter the report is for (overrides what is found)")
    p.add_argument("--format", choices=("text", "json", "review"), default="text")
    p.add_argument("--review", help="a review file (TOML): accept, correct, reject, add")
    p.add_argument("--confirm", action="store_true", help="store the reviewed figures")
    p.add_argument("--user", help="who confirms (default: the shell user)")
    p.add_argument("--lang", choices=LANGUAGES, help="language of the messages (default KPI_LANG)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from kpi.catalogue import load_catalogue
    from loaders.report.model import ReportError
    from loaders.report.reader import read_report
    from loaders.report.review import ReviewError, confirm, load_review, review_toml

    lang = args.lang or get_settings().lang
    if args.confirm and not args.review:
        print("kpi extract: --confirm needs --review REVIEW.toml", file=sys.stderr)
        return 2
    period = period_arg(args.period) if args.period else None
    path = Path(args.file)
    try:
        content = path.read_bytes()
    except OSError as exc:
        print(
            f"kpi extract: {t('report.error.no_file', lang, file=path)} ({exc.strerror})",
            file=sys.stderr,
        )
        return 2
    cat = load_catalogue()
    try:
        reading = read_report(content, path.name, period=period, cat=cat)
    except ReportError as exc:
        print(f"kpi extract: {exc.message(lang)}", file=sys.stderr)
        return 2
    if not args.review:
        if args.format == "json":
            print_json(reading.to_json())
        elif args.format == "review":
            sys.stdout.write(review_toml(reading, lang))
        else:
            _print_text(reading, lang)
        return 0
    try:
        review = load_review(Path(args.review))
    except OSError as exc:
        print(f"kpi extract: {args.review}: {exc.strerror}", file=sys.stderr)
        return 2
    except ReviewError as exc:
        return _refused(exc, args.format, lang)
    if period is not None and review.period is None:
        review.period = period.code
    if not args.confirm:
        from loaders.report.review import apply_review

        try:
            figures = apply_review(reading, review, cat)
        except ReviewError as exc:
            return _refused(exc, args.format, lang)
        doc = {"status": "valid", "figures": len(figures)}
        print_json(doc) if args.format == "json" else print(
            t("report.cli.valid", lang, n=len(figures))
        )
        return 0
    from kpi import db

    engine = engine_from_settings()
    try:
        actor = acting_user(engine, args.user)
        with db.session_scope(engine) as session:
            result = confirm(session, actor, reading, review, cat)
    except AccountError as exc:
        return refuse_user("extract", exc)
    except PermissionDenied as exc:
        return refusal("extract", exc, lang)
    except ReviewError as exc:
        return _refused(exc, args.format, lang)
    except SQLAlchemyError as exc:
        return unusable_database("extract", exc)
    finally:
        engine.dispose()
    if args.format == "json":
        print_json({"status": result.status, "batch": result.batch_id, "counts": result.counts})
    else:
        print(t(f"report.cli.{result.status}", lang, batch=result.batch_id, **result.counts))
    return 0


def _refused(exc: Any, fmt: str, lang: str) -> int:
    messages = exc.messages(lang)
    if fmt == "json":
        print_json(
            {
                "status": "refused",
                "problems": [
                    {"code": c, "indicator": i, "message": m}
                    for (c, i, _p), m in zip(exc.problems, messages, strict=True)
                ],
            }
        )
    else:
        print(t("report.cli.refused", lang), file=sys.stderr)
        for m in messages:
            print(f"  {m}", file=sys.stderr)
    return 1


def _print_text(reading: Any, lang: str) -> None:
    from kpi.catalogue import load_catalogue
    from kpi.display import format_figure

    cat = load_catalogue()
    period = reading.period.label(lang) if reading.period else "?"
    print(
        t(
            "report.cli.head",
            lang,
            file=reading.file_name,
            period=period,
            source=reading.finding.source,
            province=reading.province or "?",
        )
    )
    if reading.number or reading.date:
        print(
            t(
                "report.cli.document",
                lang,
                number=reading.number or "?",
                date=reading.date.strftime("%d/%m/%Y") if reading.date else "?",
            )
        )
    for p in reading.proposals:
        ind = cat[p.indicator]
        mark = "⚑" if p.needs_review else " "
        value = format_figure(ind, p.value, lang, p.qualifier)
        where = f"{p.evidence.line}" if p.evidence.cell is None else p.evidence.where
        print(
            f" {mark} {p.indicator:<30} {value:>10}  {p.confidence:4.2f}  {where:>6}: "
            f"{p.evidence.text.strip()[:70]}"
        )
    for c in reading.checks:
        print(t("report.cli.check", lang, check=c.code, status=c.status))
    flagged = sum(1 for p in reading.proposals if p.needs_review)
    print(t("report.cli.summary", lang, n=len(reading.proposals), flagged=flagged))
