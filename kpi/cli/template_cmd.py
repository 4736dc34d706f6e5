"""``kpi template --period 2019-Q2 [--level province|agencies|district|commune …] -o FILE.xlsx``"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from kpi.cli.common import engine_from_settings, period_arg, print_json

LEVELS = ("province", "agencies", "district", "commune")


def register(sub: Any) -> None:
    p = sub.add_parser("template", help="write the Excel template of a quarter")
    p.add_argument("--period", required=True, help="the quarter, e.g. 2019-Q2 or 'Quý II/2019'")
    p.add_argument(
        "--level",
        action="append",
        default=[],
        help="province, agencies, district or commune (repeat or separate by commas; default: all)",
    )
    p.add_argument("-o", "--output", required=True, help="the .xlsx file to write")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from loaders.template import make_template

    period = period_arg(args.period)
    levels = [lv.strip() for item in args.level for lv in item.split(",") if lv.strip()] or list(
        LEVELS
    )
    unknown = [lv for lv in levels if lv not in LEVELS]
    if unknown:
        print(
            f"kpi template: unknown level(s) {', '.join(unknown)}; choose from {', '.join(LEVELS)}",
            file=sys.stderr,
        )
        return 2
    engine = engine_from_settings()
    try:
        data = make_template(engine, period, levels=levels)
    finally:
        engine.dispose()
    out = Path(args.output)
    try:
        out.write_bytes(data)
    except OSError as exc:
        print(f"kpi template: cannot write {out}: {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        print_json({"file": str(out), "period": period.code, "levels": levels, "bytes": len(data)})
    else:
        print(f"{out}: {period.label('vi')} ({', '.join(levels)}), {len(data)} bytes")
    return 0
