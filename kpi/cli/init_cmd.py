"""``kpi init [--demo] [--if-empty]``"""

from __future__ import annotations

import argparse
from typing import Any

from kpi.bootstrap import init_database
from kpi.cli.common import engine_from_settings, print_json, shell_actor
from kpi.config import get_settings


def register(sub: Any) -> None:
    p = sub.add_parser("init", help="create or upgrade the schema, load catalogue and units")
    p.add_argument("--demo", action="store_true", help="also load the demo data")
    p.add_argument(
        "--if-empty", action="store_true", help="with --demo: only into a database without figures"
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    engine = engine_from_settings()
    try:
        report = init_database(
            engine,
            shell_actor(),
            demo=args.demo,
            if_empty=args.if_empty,
            demo_accounts=args.demo and get_settings().demo_accounts,
        )
    finally:
        engine.dispose()
    imported = [b for b, s in report.demo_batches if s == "imported"]
    if args.format == "json":
        print_json(
            {
                "revision": report.revision_after,
                "catalogue_changes": report.catalogue_changes,
                "unit_changes": report.unit_changes,
                "batches_imported": imported,
                "demo_accounts": [
                    {"name": n, "role": r, "scope": sc, "password": pw}
                    for n, r, sc, pw in report.demo_accounts
                ],
            }
        )
    else:
        print(f"schema: {report.revision_before or 'empty'} -> {report.revision_after}")
        print(
            f"catalogue: {report.catalogue_changes} change(s); units: {report.unit_changes} change(s)"
        )
        if args.demo:
            print(
                f"demo data: {len(imported)} batch(es) imported, {len(report.demo_batches) - len(imported)} already there"
            )
        if report.demo_accounts:
            print("demo accounts (passwords shown this once; log in at /login):")
            for name, role, scope, password in report.demo_accounts:
                print(f"  {name:<16} {role:<7} scope {scope:<6} password {password}")
            print("  turn them off: python -m kpi users disable demo-admin (and demo-canglong)")
    return 0
