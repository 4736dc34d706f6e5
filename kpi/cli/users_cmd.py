"""``kpi users add|list|disable|enable|passwd``: accounts from the shell (DESIGN.md section 10).

The person at the shell acts as a local administrator (recorded under the operating-system user
name). A password is read from the prompt without echo, or from ``KPI_NEW_PASSWORD``.
Exit codes: 0 done, 1 refused (unknown user, a name taken, a weak password, a bad scope), 2 usage.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from kpi import accounts
from kpi.access import ROLES
from kpi.cli.common import engine_from_settings, print_json, shell_actor
from kpi.db import session_scope


def register(sub: Any) -> None:
    p = sub.add_parser("users", help="user accounts: add, list, disable, enable, passwd")
    cmds = p.add_subparsers(dest="users_command", required=True)
    add = cmds.add_parser("add", help="create an account")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument(
        "--scope",
        nargs="+",
        default=[],
        help="for an editor: 84 (the province) or district codes, e.g. --scope 844 845",
    )
    add.set_defaults(handler=_add)
    ls = cmds.add_parser("list", help="list the accounts")
    ls.add_argument("--format", choices=("text", "json"), default="text")
    ls.set_defaults(handler=_list)
    for verb, helptext in (("disable", "disable an account (its sessions end)"),
                           ("enable", "enable a disabled account")):  # fmt: skip
        c = cmds.add_parser(verb, help=helptext)
        c.add_argument("name")
        c.set_defaults(handler=_toggle, active=verb == "enable")
    pw = cmds.add_parser("passwd", help="set a new password (its sessions end)")
    pw.add_argument("name")
    pw.set_defaults(handler=_passwd)


def _read_password() -> str:
    from_env = os.environ.get("KPI_NEW_PASSWORD")
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise accounts.AccountError("no_password")
    first = getpass.getpass("New password: ")
    if getpass.getpass("Repeat it: ") != first:
        raise accounts.AccountError("password_mismatch")
    return first


_MESSAGES = {
    "unknown_user": "no such user: {name}",
    "user_exists": "a user named {name} exists already",
    "bad_role": "unknown role: {role}",
    "bad_scope": "an editor's scope must be 84 or district codes that exist (got: {scope})",
    "bad_name": "a user name is one word of at most 100 characters",
    "weak_password": "the password must have at least {min} characters and differ from the name",
    "no_password": "no password: set KPI_NEW_PASSWORD or run in a terminal",
    "password_mismatch": "the two passwords differ",
    "self_disable": "you cannot disable your own account",
}


def _refused(exc: accounts.AccountError) -> int:
    text = _MESSAGES.get(exc.code, exc.code).format(**exc.detail)
    print(f"kpi users: {text}", file=sys.stderr)
    return 1


def _add(args: argparse.Namespace) -> int:
    engine = engine_from_settings()
    try:
        password = _read_password()
        with session_scope(engine) as session:
            user = accounts.add_user(
                session, shell_actor(), args.name, args.role, args.scope, password
            )
            print(f"user {user.name}: {user.role}, scope {', '.join(user.scope)}")
    except accounts.AccountError as exc:
        return _refused(exc)
    finally:
        engine.dispose()
    return 0


def _list(args: argparse.Namespace) -> int:
    engine = engine_from_settings()
    try:
        with session_scope(engine) as session:
            rows: list[dict[str, Any]] = [
                {
                    "name": u.name,
                    "role": u.role,
                    "scope": list(u.scope),
                    "active": u.active,
                    "demo": u.is_demo,
                    "created_at": u.created_at.isoformat(timespec="seconds") + "Z",
                }
                for u in accounts.list_users(session)
            ]
    finally:
        engine.dispose()
    if args.format == "json":
        print_json({"users": rows})
        return 0
    for r in rows:
        flags = ("" if r["active"] else " (disabled)") + (" (demo)" if r["demo"] else "")
        print(f"{r['name']:<24} {r['role']:<7} {','.join(r['scope']):<16}{flags}")
    return 0


def _toggle(args: argparse.Namespace) -> int:
    engine = engine_from_settings()
    try:
        with session_scope(engine) as session:
            accounts.update_user(session, shell_actor(), args.name, active=args.active)
    except accounts.AccountError as exc:
        return _refused(exc)
    finally:
        engine.dispose()
    print(f"user {args.name}: {'enabled' if args.active else 'disabled'}")
    return 0


def _passwd(args: argparse.Namespace) -> int:
    engine = engine_from_settings()
    try:
        password = _read_password()
        with session_scope(engine) as session:
            accounts.set_password(session, shell_actor(), args.name, password)
    except accounts.AccountError as exc:
        return _refused(exc)
    finally:
        engine.dispose()
    print(f"user {args.name}: password changed; their sessions have ended")
    return 0
