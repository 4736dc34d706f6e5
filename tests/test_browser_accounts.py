"""Logins in Chromium, through the real login route and cookie: a viewer gets no upload, a wrong
password slows down and then locks, and a deep link with its query, as a fresh server's first
request, opens inside the full frame (every test here starts its own server)."""

from __future__ import annotations

import datetime as dt

import pytest

from kpi import db
from kpi.models import LoginAttempt, utcnow
from tests.conftest import screenshot
from tests.support.accounts import PASSWORD
from tests.support.server import log_in

pytestmark = pytest.mark.browser

LINK = "/explore?indicator=dossiers_received&unit=84&from=2016-Q2&to=2019-Q1&freq=year"


def test_a_deep_link_with_a_query_on_a_fresh_server_opens_in_the_full_frame(  # type: ignore[no-untyped-def]
    page, live_app: str
) -> None:
    page.goto(live_app + LINK)
    page.get_by_text("Quý II/2016 - Quý I/2019, theo năm").first.wait_for()
    sidebar = page.locator('[data-testid="stSidebar"]')
    for entry in ("Tổng quan", "Xu hướng", "Các huyện", "Khám phá và xuất số liệu"):
        sidebar.get_by_text(entry, exact=True).first.wait_for()
    sidebar.get_by_text("Ngôn ngữ / Language").wait_for()
    assert "from=2016-Q2" in page.url and "freq=year" in page.url
    page.goto(f"{live_app}/overview")  # the default page answers at its own address too
    page.locator('[data-testid="stMetricValue"]').first.wait_for()
    assert "Page not found" not in page.content()


def test_a_shared_staff_link_survives_the_login(page, live_app: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_app}/history?lang=vi")
    page.locator("#kpi-login-name").wait_for()  # anonymous: asked to log in first
    page.locator("#kpi-login-name").fill("nguoi-xem")
    page.locator("#kpi-login-password").fill(PASSWORD)
    page.locator("#kpi-login-submit").click()
    page.wait_for_url(f"{live_app}/history?lang=vi")
    page.get_by_text("Lịch sử nhập liệu").first.wait_for()


def test_a_viewer_gets_no_upload(page, live_app: str) -> None:  # type: ignore[no-untyped-def]
    log_in(page, live_app, "nguoi-xem", PASSWORD, "/upload")
    page.wait_for_url(f"{live_app}/upload")
    page.get_by_text("không được dùng trang này").wait_for()
    assert page.locator('input[type="file"]').count() == 0
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.get_by_text("Nhập số liệu", exact=True).count() == 0  # not in the menu
    screenshot(page, "viewer-no-upload-vi")


def test_wrong_passwords_slow_down_then_lock(page, live_app: str, writable_demo_url: str) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        log_in(page, live_app, "chi-lan", "sai-mat-khau", "/upload")
        page.get_by_text("Tên đăng nhập hoặc mật khẩu không đúng.").wait_for()
    log_in(page, live_app, "chi-lan", "sai-mat-khau", "/upload")  # too soon after the third
    page.get_by_text("Hãy chờ").wait_for()
    # Seven more failures from this address within the window, as if they had been typed slowly.
    engine = db.make_engine(writable_demo_url)
    try:
        with db.session_scope(engine) as session:
            now = utcnow()
            session.add_all(
                LoginAttempt(
                    user_name="chi-lan",
                    address="127.0.0.1",
                    at=now - dt.timedelta(minutes=10 - i),
                    success=False,
                )
                for i in range(7)
            )
    finally:
        engine.dispose()
    log_in(page, live_app, "chi-lan", PASSWORD, "/upload")  # even the right password now
    page.get_by_text("tạm khoá đăng nhập").wait_for()
    assert page.locator('input[type="file"]').count() == 0
    screenshot(page, "login-locked-vi")
