"""A throwaway PostgreSQL server and databases for the tests.

The server comes from ``KPI_TEST_POSTGRES_URL`` when it is set (CI starts one with
``tests/support/pgcluster.sh``). Otherwise, when the PostgreSQL 15 binaries are installed, the
first call to :func:`postgres_admin_url` starts a cluster of its own in a temporary directory,
shared by the whole test session and stopped when the interpreter exits.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import socket
import subprocess
import tempfile
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PGCLUSTER = Path(__file__).with_name("pgcluster.sh")
TRUTHY = {"1", "true", "yes"}
_DB_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")

_session_url: str | None = None


def require_postgres() -> bool:
    """Whether a missing PostgreSQL must fail the tests instead of skipping them (CI)."""
    return os.environ.get("KPI_REQUIRE_POSTGRES", "").strip().lower() in TRUTHY


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_admin_url() -> str | None:
    """URL of a superuser connection to the ``postgres`` database, or None without PostgreSQL."""
    global _session_url
    url = os.environ.get("KPI_TEST_POSTGRES_URL", "").strip()
    if url:
        return url
    if _session_url is None and (PG_BIN / "initdb").exists() and (PG_BIN / "pg_ctl").exists():
        _session_url = _start_session_cluster()
    return _session_url


def _start_session_cluster() -> str:
    # The parent is private to this process; pgcluster.sh makes the cluster directory inside it
    # and hands it to the postgres user when run as root.
    parent = Path(tempfile.mkdtemp(prefix="kpi-pg-"))
    os.chmod(parent, 0o755)
    directory = parent / "cluster"
    errors = []
    for _ in range(3):  # the free port may be taken between choosing and binding it
        port = free_port()
        result = subprocess.run(
            ["bash", str(PGCLUSTER), "start", str(directory), str(port)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode == 0:
            atexit.register(_stop_session_cluster, parent, directory)
            return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        errors.append(result.stderr.strip())
    _stop_session_cluster(parent, directory)
    raise RuntimeError("could not start a PostgreSQL cluster:\n" + "\n---\n".join(errors))


def _stop_session_cluster(parent: Path, directory: Path) -> None:
    subprocess.run(
        ["bash", str(PGCLUSTER), "stop", str(directory)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=False,
    )
    with contextlib.suppress(OSError):
        parent.rmdir()


def _database_url(admin_url: str, name: str) -> str:
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _check_name(name: str) -> str:
    if not _DB_NAME.fullmatch(name):
        raise ValueError(f"not a safe database name: {name!r}")
    return name


def _admin_execute(admin_url: str, statement: str) -> None:
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(statement))
    finally:
        engine.dispose()


def create_database(admin_url: str, name: str, template: str | None = None) -> str:
    """Create a fresh database ``name`` (dropping an old one), empty or a copy of ``template``,
    and return its URL."""
    _check_name(name)
    _admin_execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if template is None:
        _admin_execute(admin_url, f'CREATE DATABASE "{name}"')
    else:
        _check_name(template)
        _admin_execute(admin_url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return _database_url(admin_url, name)


def drop_database(admin_url: str, name: str) -> None:
    """Drop database ``name``, closing any connection still open to it."""
    _check_name(name)
    _admin_execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
