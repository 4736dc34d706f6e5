"""What the commands share: the engine from the settings, the acting user, JSON output."""

from __future__ import annotations

import getpass
import json
import os
import sys
from typing import Any

from sqlalchemy import Engine

from kpi.access import Actor, PermissionDenied
from kpi.accounts import AccountError, cli_actor
from kpi.config import get_settings
from kpi.db import make_engine, session_scope
from kpi.i18n import t
from kpi.periods import Period, PeriodError
from kpi.units import PROVINCE_CODE


class UsageError(Exception):
    """A command used wrongly: :func:`kpi.cli.main` prints ``kpi <command>: <message>`` on
    stderr and exits 2."""


def period_arg(text: str) -> Period:
    """The quarter a command was given (``2019-Q1``, ``Quý I/2019``), or a UsageError."""
    try:
        return Period.parse(text)
    except PeriodError as exc:
        raise UsageError(str(exc)) from exc


def engine_from_settings() -> Engine:
    return make_engine(get_settings().database_url)


def shell_name() -> str:
    """The operating-system user at the shell."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "cli")


def shell_actor() -> Actor:
    """Whoever runs the command line has the shell, and with it the database: a local
    administrator, recorded under the operating-system user name."""
    return Actor(shell_name(), "admin", (PROVINCE_CODE,), "local")


def acting_user(engine: Engine, name: str | None) -> Actor:
    """``--user NAME``: that account's role and scope (it must exist and be active); without
    it, the shell's local administrator. Raises AccountError."""
    if not name:
        return shell_actor()
    with session_scope(engine) as session:
        return cli_actor(session, name)


def refuse_user(command: str, exc: AccountError) -> int:
    """The message and exit code of a ``--user`` that cannot act."""
    why = {"unknown_user": "no such user", "disabled_user": "the account is disabled"}
    print(f"kpi {command}: --user {exc.detail.get('name')}: {why.get(exc.code, exc.code)}",
          file=sys.stderr)  # fmt: skip
    return 1


def print_json(document: Any) -> None:
    json.dump(document, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def unusable_database(command: str, exc: Exception) -> int:
    """The message and exit code (2) when the database cannot be used."""
    print(
        f"kpi {command}: the database cannot be used ({exc.__class__.__name__}); "
        "run `python -m kpi init` first",
        file=sys.stderr,
    )
    return 2


def refusal(command: str, exc: PermissionDenied, lang: str) -> int:
    """A refused write in the user's language (exit 1): the units outside the account's scope,
    or the role that may not do it."""
    actor = exc.actor
    if exc.units:
        text = t(
            "access.cli_out_of_scope",
            lang,
            name=actor.name,
            scope=actor.describe_scope(),
            units=", ".join(exc.units),
        )
    else:
        text = t(
            "access.cli_not_allowed",
            lang,
            name=actor.name,
            role=t(f"access.role.{actor.role}", lang),
        )
    print(f"kpi {command}: {text}", file=sys.stderr)
    return 1
