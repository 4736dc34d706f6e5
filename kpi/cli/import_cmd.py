"""``kpi import FILE [--period P] [--dry-run] [--accept-warnings] [--user NAME]
[--format text|json] [--lang vi|en]``

Exit codes: 0 imported, valid (dry run) or unchanged (the same file again); 1 rejected, or
likely typos not acknowledged with ``--accept-warnings`` (nothing written; the list is printed);
2 unusable command or unreadable file.
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
    p = sub.add_parser("import", help="validate and import a filled template (.xlsx, .xls, .ods)")
    p.add_argument("file")
    p.add_argument("--period", help="the quarter the file is for (checked against the file)")
    p.add_argument("--dry-run", action="store_true", help="check and preview only; write nothing")
    p.add_argument(
        "--accept-warnings",
        action="store_true",
        help="store the figures even though some look like typos (after checking them)",
    )
    p.add_argument("--user", help="who imports (default: the shell user)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--lang", choices=LANGUAGES, help="language of the messages (default KPI_LANG)")
    p.add_argument("--changes", action="store_true", help="also list every figure and its change")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from loaders.importer import import_file

    lang = args.lang or get_settings().lang
    period = period_arg(args.period) if args.period else None
    engine = engine_from_settings()
    try:
        actor = acting_user(engine, args.user)
        report = import_file(
            engine,
            Path(args.file),
            actor=actor,
            period=period,
            dry_run=args.dry_run,
            accept_warnings=args.accept_warnings,
            lang=lang,
        )
    except AccountError as exc:
        return refuse_user("import", exc)
    except PermissionDenied as exc:
        return refusal("import", exc, lang)
    except SQLAlchemyError as exc:
        return unusable_database("import", exc)
    finally:
        engine.dispose()
    if report.status == "unconfirmed":
        print(t("import.cli.accept_hint", lang, count=len(report.to_acknowledge)), file=sys.stderr)
    if args.format == "json":
        print_json(report.to_json(include_preview=args.changes))
        return report.exit_code
    print(f"{report.file_name}: {report.status_label()} ({report.status})")
    for p in report.problems:
        where = f"{p.sheet}!{p.cell}" if p.sheet and p.cell else (p.sheet or "-")
        print(
            f"  {t(f'import.severity.{p.severity}', lang):<9} {p.code:<24} {where:<22} {p.message}"
        )
    if args.changes:
        for r in report.preview:
            print(
                f"  {t(f'import.change.{r.status}', lang):<10} {r.indicator:<28} {r.unit_code:<6} "
                f"{r.old_text:>12} -> {r.new_text:<12} {r.sheet}!{r.cell}"
            )
    print(report.summary())
    return report.exit_code
