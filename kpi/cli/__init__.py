"""``python -m kpi <command>``: the command line (DESIGN.md section 10).

Each command lives in its own module with ``register(subparsers)``; the module's handler returns
the exit code: 0 done, 1 refused (rejected input, unknown batch, a rule; nothing written),
2 usage error or unreadable file. ``--format json`` prints one JSON document on stdout.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from kpi.cli.common import UsageError

#: the modules of kpi.cli that define commands, in the order of ``--help``
COMMANDS = (
    "init",
    "batches",
    "export",
    "template",
    "import",
    "rollback",
    "users",
    "briefing",
    "status",
    "extract",
)

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m kpi", description="Provincial e-government KPI dashboard")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMANDS:
        importlib.import_module(f"kpi.cli.{name}_cmd").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except UsageError as exc:
        print(f"kpi {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
