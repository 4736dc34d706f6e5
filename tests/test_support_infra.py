"""The test infrastructure itself: a throwaway PostgreSQL, Chromium, the app server.

Without PostgreSQL or Chromium these tests skip, saying why; in CI (KPI_REQUIRE_POSTGRES=1,
KPI_REQUIRE_BROWSER=1) a missing one fails them instead.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser

from tests.support.postgres import (
    PG_BIN,
    create_database,
    drop_database,
    postgres_admin_url,
    require_postgres,
)
from tests.support.server import (
    new_context,
    running_app,
)


@pytest.fixture(scope="module")
def admin_url() -> str:
    url = postgres_admin_url()
    if url is None:
        reason = (
            "no PostgreSQL: set KPI_TEST_POSTGRES_URL or install the PostgreSQL 15 server "
            f"binaries ({PG_BIN})"
        )
        if require_postgres():
            pytest.fail(f"KPI_REQUIRE_POSTGRES is set but there is {reason}")
        pytest.skip(reason)
    return url


@pytest.mark.postgres
def test_throwaway_database_is_created_used_and_dropped(admin_url: str) -> None:
    name = f"kpi_infra_{uuid.uuid4().hex[:12]}"
    url = create_database(admin_url, name)
    try:
        assert sa.make_url(url).database == name
        engine = sa.create_engine(url)
        try:
            with engine.connect() as conn:
                assert conn.execute(sa.text("SELECT 1")).scalar_one() == 1
                assert conn.execute(sa.text("SELECT current_database()")).scalar_one() == name
                version = conn.execute(sa.text("SHOW server_version")).scalar_one()
                assert version.startswith("15"), version
                encoding = conn.execute(sa.text("SHOW server_encoding")).scalar_one()
                assert encoding == "UTF8"
        finally:
            engine.dispose()
    finally:
        drop_database(admin_url, name)

    admin = sa.create_engine(admin_url)
    try:
        with admin.connect() as conn:
            left = conn.execute(
                sa.text("SELECT count(*) FROM pg_database WHERE datname = :name"), {"name": name}
            ).scalar_one()
    finally:
        admin.dispose()
    assert left == 0


@pytest.mark.postgres
def test_dropping_closes_connections_still_open(admin_url: str) -> None:
    name = f"kpi_infra_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(create_database(admin_url, name))
    try:
        conn = engine.connect()
        conn.execute(sa.text("SELECT 1"))
        drop_database(admin_url, name)  # WITH (FORCE): a forgotten connection must not block it
        conn.invalidate()
        conn.close()
    finally:
        engine.dispose()


@pytest.mark.browser
def test_chromium_renders_vietnamese_text(browser: Browser) -> None:
    context = new_context(browser)
    try:
        page = context.new_page()
        # Without a charset Chromium decodes a data: URL as windows-1252 and shows "TrÃ\xa0 Vinh".
        page.goto("data:text/html;charset=utf-8,<h1>Trà Vinh</h1>")
        assert page.locator("h1").inner_text() == "Trà Vinh"
    finally:
        context.close()


@pytest.mark.browser
def test_context_aborts_requests_off_this_machine(browser: Browser) -> None:
    context = new_context(browser)
    try:
        page = context.new_page()
        failed: list[str] = []
        page.on("requestfailed", lambda request: failed.append(request.url))
        page.set_content('<img src="https://fonts.gstatic.com/s/x.woff2">')
        page.wait_for_timeout(200)
        assert failed == ["https://fonts.gstatic.com/s/x.woff2"]
    finally:
        context.close()


@pytest.mark.browser
def test_app_server_runs_a_streamlit_script_for_the_browser(
    browser: Browser, tmp_path: Path
) -> None:
    (tmp_path / "server.py").write_text(
        "import os\nimport streamlit as st\n\nst.title(os.environ['KPI_INFRA_TITLE'])\n",
        encoding="utf-8",
    )
    with running_app({"KPI_INFRA_TITLE": "Trà Vinh"}, tmp_path) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        context = new_context(browser)
        try:
            page = context.new_page()
            page.goto(base_url)
            title = page.locator("h1")
            title.wait_for(timeout=15_000)
            assert title.inner_text() == "Trà Vinh"
        finally:
            context.close()


def test_app_server_reports_why_it_did_not_start(tmp_path: Path) -> None:
    no_app = r"(?s)streamlit exited with code \d+.*server\.py"  # tmp_path has no server.py
    with pytest.raises(RuntimeError, match=no_app), running_app({}, tmp_path):
        pass  # pragma: no cover
