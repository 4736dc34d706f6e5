"""``kpi rollback BATCH [--user NAME] [--format text|json] [--lang vi|en]``

Exit codes: 0 rolled back; 1 refused (unknown batch, already rolled back, or a later batch changed
some of its figures: the message names them); 2 usage error.
"""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from kpi.accounts import AccountError
from kpi.cli.common import (
    acting_user,
    engine_from_settings,
    print_json,
    refuse_user,
    unusable_database,
)
from kpi.config import LANGUAGES, get_settings


def register(sub: Any) -> None:
    p = sub.add_parser("rollback", help="undo an import batch")
    p.add_argument("batch", type=int)
    p.add_argument("--user", help="who rolls back (default: the shell user)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--lang", choices=LANGUAGES, help="language of the message (default KPI_LANG)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from loaders.importer import rollback

    lang = args.lang or get_settings().lang
    engine = engine_from_settings()
    try:
        report = rollback(engine, acting_user(engine, args.user), args.batch, lang)
    except AccountError as exc:
        return refuse_user("rollback", exc)
    except SQLAlchemyError as exc:
        return unusable_database("rollback", exc)
    finally:
        engine.dispose()
    if args.format == "json":
        print_json(report.to_json())
    else:
        print(report.message)
        for item in report.later:
            print(
                f"  {item['indicator']:<28} {item['unit']:<6} {item['period']}  batch {item['batch']}"
            )
    return report.exit_code
