"""Shared fixtures.

- ``db_url``: an empty, migrated database per test, on SQLite and (parametrised) PostgreSQL;
- ``demo_db``: a session-wide SQLite database with ``init --demo``, for read-only tests;
- ``writable_demo_db``: a private copy of it for a test that writes;
- an autouse fixture clears Streamlit's caches (they survive between AppTests) and points the
  app at the test's database through the environment.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from kpi import db
from kpi.access import Actor
from kpi.bootstrap import init_database
from tests.support.apptest import warm_server_pages
from tests.support.postgres import (
    create_database,
    drop_database,
    postgres_admin_url,
    require_postgres,
)

ROOT = Path(__file__).resolve().parent.parent
ADMIN = Actor("test-admin", "admin")
EDITOR = Actor("test-editor", "editor")


@pytest.fixture(autouse=True)
def _warm_server_pages() -> Iterator[None]:
    """Tests run the app as a server does after its first request (see
    :class:`tests.support.apptest.WarmPagesManager`); the fresh-server path has its own tests
    (tests/test_frame.py and a browser test)."""
    with warm_server_pages():
        yield


@pytest.fixture(autouse=True)
def _isolated_streamlit(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    for name in (
        "KPI_DATABASE_URL",
        "KPI_LANG",
        "KPI_PUBLIC_READ",
        "KPI_MAX_UPLOAD_MB",
        "KPI_SESSION_HOURS",
        "KPI_TRUSTED_PROXIES",
        "KPI_PUBLIC_URL",
        "KPI_TIMEZONE",
        "KPI_DEMO_ACCOUNTS",
        "KPI_MAX_REPORT_MB",
    ):
        monkeypatch.delenv(name, raising=False)
    # A leftover KPI_WEB_ROLE (the setting before accounts) must grant nothing: keep one set.
    monkeypatch.setenv("KPI_WEB_ROLE", "admin")
    monkeypatch.setenv("KPI_SECRET_KEY", "test-secret-key-not-for-production")
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def _postgres_or_skip() -> str:
    url = postgres_admin_url()
    if url is None:
        if require_postgres():
            pytest.fail("PostgreSQL is required (KPI_REQUIRE_POSTGRES) but not available")
        pytest.skip("no PostgreSQL on this machine (CI runs these)")
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database URL, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'kpi.sqlite3'}"
        return
    yield from _new_postgres_database()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """An empty PostgreSQL database URL, for what only PostgreSQL does."""
    yield from _new_postgres_database()


def _new_postgres_database() -> Iterator[str]:
    admin = _postgres_or_skip()
    name = f"kpi_test_{uuid.uuid4().hex[:12]}"
    url = create_database(admin, name)
    try:
        yield url
    finally:
        drop_database(admin, name)


@pytest.fixture(scope="session")
def _sqlite_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with the catalogue and the units, copied for each test."""
    path = tmp_path_factory.mktemp("base") / "base.sqlite3"
    eng = db.make_engine(f"sqlite:///{path}")
    init_database(eng, ADMIN)
    with eng.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    eng.dispose()
    return path


@pytest.fixture(scope="session")
def _postgres_base() -> Iterator[tuple[str, str]]:
    """The same on PostgreSQL: a template database that each test's database is made from."""
    admin = _postgres_or_skip()
    name = f"kpi_base_{uuid.uuid4().hex[:12]}"
    eng = db.make_engine(create_database(admin, name))
    init_database(eng, ADMIN)
    eng.dispose()
    try:
        yield admin, name
    finally:
        drop_database(admin, name)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated database with the catalogue and the units, no figures, once on SQLite and
    once on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "kpi.sqlite3"
        shutil.copy(request.getfixturevalue("_sqlite_base"), path)
        eng = db.make_engine(f"sqlite:///{path}")
        try:
            yield eng
        finally:
            eng.dispose()
        return
    admin, base = request.getfixturevalue("_postgres_base")
    name = f"kpi_test_{uuid.uuid4().hex[:12]}"
    eng = db.make_engine(create_database(admin, name, template=base))
    try:
        yield eng
    finally:
        eng.dispose()
        drop_database(admin, name)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with ``init --demo``: read it, never write it."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    eng = db.make_engine(f"sqlite:///{path}")
    init_database(eng, ADMIN, demo=True)
    with eng.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    eng.dispose()
    return path


@pytest.fixture
def demo_url(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The shared demo database, also set as the app's database."""
    url = f"sqlite:///{demo_db}"
    monkeypatch.setenv("KPI_DATABASE_URL", url)
    return url


@pytest.fixture
def writable_demo_url(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A private copy of the demo database, also set as the app's database."""
    path = tmp_path / "demo.sqlite3"
    shutil.copy(demo_db, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("KPI_DATABASE_URL", url)
    return url


@pytest.fixture
def editor_login(writable_demo_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A province editor logged in to the app (a real account and session in the private copy
    of the demo database)."""
    from tests.support.accounts import log_in

    log_in(monkeypatch, writable_demo_url, "chi-lan", "editor", ("84",))
    return "chi-lan"


ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Chromium through Playwright: skipped without it, failed without it in CI."""
    from playwright.sync_api import sync_playwright

    from tests.support.server import chromium_path, launch_browser, require_browser

    if chromium_path() is None:
        reason = "no Chromium: apt-get install chromium (gives /usr/bin/chromium)"
        if require_browser():
            pytest.fail(f"KPI_REQUIRE_BROWSER is set but there is {reason}")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        chromium = launch_browser(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def live_app(writable_demo_url: str) -> Iterator[str]:
    """The real app served by ``streamlit run`` on a private copy of the demo database."""
    from tests.support.accounts import ensure_user
    from tests.support.server import running_app

    ensure_user(writable_demo_url, "chi-lan", "editor", ("84",))
    ensure_user(writable_demo_url, "nguoi-xem", "viewer")
    with running_app({"KPI_DATABASE_URL": writable_demo_url, "KPI_LANG": "vi"}, ROOT) as base_url:
        yield base_url


@pytest.fixture
def page(browser: object, live_app: str) -> Iterator[object]:
    """A browser tab on the live app (requests off this machine are aborted: no network)."""
    from tests.support.server import new_context

    context = new_context(browser, accept_downloads=True)  # type: ignore[arg-type]
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    try:
        yield tab
    finally:
        context.close()


def screenshot(tab: object, name: str) -> Path:
    """Keep a screenshot of the page as a test artifact (test-artifacts/NAME.png)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path
