"""``kpi export [filters] --format csv|xlsx|parquet|json -o FILE``: the analyst's table.

The options are the filters of :data:`kpi.filters.FIELDS` (the page keeps the same ones in its
address), read through :meth:`Filters.from_params`, and the table is built and written by
:mod:`kpi.export`, the code path of the page's download buttons: the same filters give the
same CSV bytes. Without ``--indicator`` or ``--unit``, all of them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from kpi.accounts import AccountError
from kpi.catalogue import load_catalogue
from kpi.cli import EXIT_OK, EXIT_REFUSED, EXIT_USAGE
from kpi.cli.common import acting_user, engine_from_settings, refuse_user
from kpi.config import get_settings
from kpi.db import session_scope
from kpi.export import FORMATS, ExportRefused, build, check_xlsx, record_export, write
from kpi.filters import FIELDS, FilterError, Filters
from kpi.i18n import t
from kpi.units import all_units


def register(sub: Any) -> None:
    p = sub.add_parser(
        "export",
        help="export the filtered table as CSV, XLSX, Parquet or JSON",
        description=t("export.help.layout", "en"),
    )
    for field in FIELDS:
        option = f"--{field.param}"
        helptext = field.help("en")
        if field.kind == "codes":
            p.add_argument(option, action="append", metavar="CODE", dest=field.param, help=helptext)
        elif field.kind == "flag":
            p.add_argument(option, action="store_true", dest=field.param, help=helptext)
        elif field.kind == "choice":
            p.add_argument(option, choices=field.choices, dest=field.param, help=helptext)
        else:
            p.add_argument(option, metavar="QUARTER", dest=field.param, help=helptext)
    p.add_argument("--format", choices=FORMATS, required=True, help="file format")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="file to write")
    p.add_argument(
        "--user",
        help="the account that exports, recorded in the audit log (default: the shell user)",
    )
    p.set_defaults(handler=run)


def filters_from_args(args: argparse.Namespace) -> Filters:
    """The options as URL-style parameters, so that both front ends read filters one way."""
    params: dict[str, str | list[str]] = {}
    for field in FIELDS:
        value = getattr(args, field.param, None)
        if value is None or value is False:
            continue
        params[field.param] = (
            value if isinstance(value, list) else ("1" if value is True else str(value))
        )
    params.setdefault("lang", get_settings().lang)
    return Filters.from_params(params)


def run(args: argparse.Namespace) -> int:
    lang = args.lang or get_settings().lang
    try:
        filters = filters_from_args(args)
    except FilterError as exc:
        print(exc.message(lang), file=sys.stderr)
        return EXIT_USAGE
    output = Path(args.output)
    engine = engine_from_settings()
    try:
        actor = acting_user(engine, args.user)
    except AccountError as exc:
        engine.dispose()
        return refuse_user("export", exc)
    try:
        with session_scope(engine) as session:
            table = build(session, load_catalogue(), all_units(session), filters)
        if args.format == "xlsx":
            check_xlsx(len(table))
        partial = output.with_name(output.name + ".partial")
        try:
            with partial.open("wb") as fh:
                write(table, args.format, fh)
            partial.replace(output)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            error = exc.strerror or str(exc)
            print(
                t("export.error.cannot_write", lang, value=str(output), error=error),
                file=sys.stderr,
            )
            return EXIT_USAGE
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        with session_scope(engine) as session:
            record_export(session, actor, table, args.format)
    except FilterError as exc:
        print(exc.message(lang), file=sys.stderr)
        return EXIT_USAGE if exc.is_usage else EXIT_REFUSED
    except ExportRefused as exc:
        print(exc.message(lang), file=sys.stderr)
        return EXIT_REFUSED
    finally:
        engine.dispose()
    print(
        t(
            "export.cli.done",
            lang,
            rows=len(table),
            format=args.format.upper(),
            file=str(output),
            description=table.description,
        )
    )
    return EXIT_OK
