"""``kpi batches [--format text|json]``"""

from __future__ import annotations

import argparse
from typing import Any

from kpi.cli.common import engine_from_settings, print_json
from kpi.db import session_scope
from kpi.store import batch_rows


def register(sub: Any) -> None:
    p = sub.add_parser("batches", help="list import batches, newest first")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    engine = engine_from_settings()
    try:
        with session_scope(engine) as session:
            rows = batch_rows(session)
    finally:
        engine.dispose()
    if args.format == "json":
        print_json({"batches": rows})
        return 0
    print(
        f"{'batch':>5}  {'status':<11}  {'source':<11}  {'period':<7}  {'new':>5}  {'revised':>7}  file"
    )
    for r in rows:
        print(
            f"{r['batch']:>5}  {r['status']:<11}  {r['source']:<11}  {r['period'] or '':<7}  "
            f"{r['inserted']:>5}  {r['revised']:>7}  {r['file'] or ''}{'  (demo)' if r['demo'] else ''}"
        )
    return 0
