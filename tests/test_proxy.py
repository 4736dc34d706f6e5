"""Many users for real: two Streamlit processes on one PostgreSQL database behind the
repository's nginx configuration (``deploy/nginx.conf``), driven by two browsers.

Which process served a browser is read from nginx's own access log: the configuration logs
every request with the browser's route cookie and the upstream address (the process's port)
that answered it. The test proves that each browser stays on one process for all its requests
(page, websocket, upload), that the two browsers are on different processes, and that a figure
uploaded through one process is seen by the other at its next rerun (cached results are keyed
by the data version stored in the database).
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kpi import db
from kpi.access import Actor
from kpi.bootstrap import init_database
from loaders.template import make_template
from tests.support.accounts import PASSWORD, ensure_user
from tests.support.postgres import create_database, drop_database
from tests.support.proxy import nginx_path, require_nginx, running_nginx
from tests.support.server import new_context, running_app
from tests.support.workbooks import fill_province

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.proxy]

ROOT = Path(__file__).resolve().parent.parent
ROUTE_COOKIE = "kpi_route"
EDITOR = "chi-lan"


@pytest.fixture
def demo_postgres() -> Iterator[str]:
    """A PostgreSQL database with the demo data (the Q1/2019 report among it)."""
    from tests.conftest import _postgres_or_skip

    admin = _postgres_or_skip()
    name = f"kpi_proxy_{uuid.uuid4().hex[:10]}"
    url = create_database(admin, name)
    engine = db.make_engine(url)
    try:
        init_database(engine, Actor("test", "admin"), demo=True)
    finally:
        engine.dispose()
    ensure_user(url, EDITOR, "editor", ("84",))
    try:
        yield url
    finally:
        drop_database(admin, name)


@pytest.fixture
def nginx() -> str:
    binary = nginx_path()
    if binary is None:
        if require_nginx():
            pytest.fail("KPI_REQUIRE_NGINX is set but nginx is not installed")
        pytest.skip("no nginx: apt-get install nginx (CI runs this test)")
    return binary


def _route(context: Any) -> str:
    cookies = {c["name"]: c["value"] for c in context.cookies()}
    assert ROUTE_COOKIE in cookies, f"nginx set no {ROUTE_COOKIE} cookie: {cookies}"
    return str(cookies[ROUTE_COOKIE])


def _open_overview(browser: Any, url: str) -> tuple[Any, Any]:
    context = new_context(browser)
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    tab.goto(f"{url}/")
    tab.locator('[data-testid="stMetricValue"]').first.wait_for()
    tab.get_by_text("7.848").first.wait_for()
    return context, tab


def test_two_browsers_on_two_processes_see_one_database(
    browser: Any, nginx: str, demo_postgres: str, tmp_path: Path
) -> None:
    env = {
        "KPI_DATABASE_URL": demo_postgres,
        "KPI_LANG": "vi",
        "KPI_TRUSTED_PROXIES": "127.0.0.1",
        "KPI_SECRET_KEY": "the-same-key-on-every-process",
    }
    with (
        running_app(env, ROOT) as first,
        running_app(env, ROOT) as second,
        running_nginx([int(first.rsplit(":", 1)[1]), int(second.rsplit(":", 1)[1])]) as proxy,
    ):
        processes = {first.removeprefix("http://"), second.removeprefix("http://")}
        contexts = []
        try:
            # Browsers arrive until two of them sit on different processes (each new browser
            # gets a random route: the chance that ten all land on one process is 1 in 512).
            a_context, a_tab = _open_overview(browser, proxy.url)
            contexts.append(a_context)
            a_route = _route(a_context)
            a_process = proxy.upstreams_of(a_route)
            assert len(a_process) == 1 and a_process <= processes, a_process
            for _ in range(10):
                b_context, b_tab = _open_overview(browser, proxy.url)
                contexts.append(b_context)
                b_route = _route(b_context)
                b_process = proxy.upstreams_of(b_route)
                assert len(b_process) == 1 and b_process <= processes, b_process
                if b_process != a_process:
                    break
            assert b_process != a_process, "ten browsers all landed on one process"

            # A staff member logs in through the proxy (the login form's Origin is checked
            # against the Host nginx forwards) and revises a figure of Q1/2019 on the Upload
            # page of process A.
            template = make_template_for(demo_postgres, "2019-Q1")
            filled = tmp_path / "bao-cao-quy-1-2019-sua.xlsx"
            filled.write_bytes(fill_province(template, {"doc_system_users": 7901}))
            a_tab.goto(f"{proxy.url}/upload")
            a_tab.locator("#kpi-login-name").fill(EDITOR)
            a_tab.locator("#kpi-login-password").fill(PASSWORD)
            a_tab.locator("#kpi-login-submit").click()
            a_tab.wait_for_url(f"{proxy.url}/upload")
            a_tab.locator('input[type="file"]').set_input_files(str(filled))
            a_tab.get_by_text("Xem trước thay đổi của Quý I/2019").wait_for()
            # the page had Quý II/2019 chosen (the next to report): it asks about the file's own
            a_tab.locator(".st-key-upload_other_quarter label").click()
            a_tab.get_by_role("button", name="Xác nhận ghi số liệu").click()
            a_tab.get_by_text("Đã ghi số liệu").wait_for()

            # The leader on process B sees it at the next rerun of the same session.
            assert b_tab.get_by_text("7.901").count() == 0
            b_tab.get_by_role("link", name="Xu hướng").click()
            b_tab.get_by_role("heading", name=re.compile("Xu hướng")).first.wait_for()
            b_tab.get_by_role("link", name="Tổng quan").click()
            b_tab.get_by_text("7.901").first.wait_for()

            # Every request of each browser, the login and the upload included, went to its own
            # process.
            assert proxy.upstreams_of(a_route) == a_process
            assert proxy.upstreams_of(b_route) == b_process
            uploads = [
                line
                for line in proxy.lines()
                if "/_stcore/upload_file" in line["request"] and line["status"].startswith("2")
            ]
            assert uploads and {u["route"] for u in uploads} == {a_route}, uploads
            assert {u["upstream"] for u in uploads} == a_process
            logins = [line for line in proxy.lines() if "/account/login" in line["request"]]
            assert logins and {(x["route"], x["status"]) for x in logins} == {(a_route, "303")}
        finally:
            for context in contexts:
                context.close()
        # The websockets' log lines are written when they close: each on its browser's process.
        wanted = {(a_route, next(iter(a_process))), (b_route, next(iter(b_process)))}
        deadline = time.monotonic() + 10
        while True:
            streams = {
                (line["route"], line["upstream"])
                for line in proxy.lines()
                if "/_stcore/stream" in line["request"]
            }
            if wanted <= streams or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert wanted <= streams, (wanted, streams)
        assert {u for r, u in streams if r in (a_route, b_route)} == a_process | b_process


def make_template_for(url: str, period: str) -> bytes:
    engine = db.make_engine(url)
    try:
        return make_template(engine, period)
    finally:
        engine.dispose()
