"""``kpi status --period P [--format text|json] [--lang vi|en]``: who has reported for a quarter.

For the province, its agencies and each district (communes folded under their district): how
many of the expected figures are present, which are missing, the latest batch and its time, and
the same for the quarter before. Exit 0; 2 for a period that is not a quarter or a database that
cannot be used.
"""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from kpi.catalogue import load_catalogue
from kpi.cli.common import engine_from_settings, period_arg, print_json, unusable_database
from kpi.config import LANGUAGES, get_settings
from kpi.db import session_scope
from kpi.i18n import t
from kpi.periods import Period


def register(sub: Any) -> None:
    p = sub.add_parser("status", help="which units have reported which figures for a quarter")
    p.add_argument("--period", required=True, help="the quarter, e.g. 2019-Q2")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--lang", choices=LANGUAGES, help="language of the text (default KPI_LANG)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from kpi.status import reporting_status, status_rows

    lang = args.lang or get_settings().lang
    period = period_arg(args.period)
    catalogue = load_catalogue()
    engine = engine_from_settings()
    try:
        with session_scope(engine) as session:
            status = reporting_status(session, catalogue, period)
    except SQLAlchemyError as exc:
        return unusable_database("status", exc)
    finally:
        engine.dispose()
    if args.format == "json":
        print_json(status.to_json())
        return 0
    print(
        t(
            "status.cli_header",
            lang,
            period=period.label(lang),
            previous=Period.parse(status.previous).label(lang),
        )
    )
    for row in status_rows(status, catalogue, lang):
        values = list(row.values())
        unit, _, present, missing, communes, last, previous = values
        heads = list(row)
        line = f"  {unit:<34} {present:>7}  {heads[5]}: {last or '–'}  {heads[6]}: {previous}"
        print(line)
        print(f"      {heads[3]}: {missing}")
        if communes:
            print(f"      {heads[4]}: {communes}")
    return 0
