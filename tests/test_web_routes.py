"""The login and logout routes on a bare Starlette app (no Streamlit runtime): the redirect to a
checked local ``next``, the cookie's flags, the Origin check, the forwarded address."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from kpi import accounts, db
from kpi.models import AuditEvent, UserSession
from kpi.web import client_address, origin_allowed, routes, safe_next
from tests.support.accounts import PASSWORD, ensure_user

BASE = "http://testserver"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            "/explore?indicator=a&indicator=b&from=2016-Q2",
            "/explore?indicator=a&indicator=b&from=2016-Q2",
        ),
        ("/upload", "/upload"),
        ("", "/"),
        (None, "/"),
        ("https://evil.example/x", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("explore", "/"),
        ("/a\r\nSet-Cookie: x=1", "/"),
    ],
)
def test_next_is_a_local_address_or_the_root(given: str | None, expected: str) -> None:
    assert safe_next(given) == expected


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        ("10.0.0.5", None, (), "10.0.0.5"),
        ("10.0.0.5", "1.2.3.4", (), "10.0.0.5"),  # an untrusted peer cannot claim an address
        ("127.0.0.1", "1.2.3.4", ("127.0.0.1",), "1.2.3.4"),
        (
            "127.0.0.1",
            "6.6.6.6, 1.2.3.4",
            ("127.0.0.1",),
            "1.2.3.4",
        ),  # the client could forge the first
        ("127.0.0.1", "1.2.3.4, 10.0.0.2", ("127.0.0.1", "10.0.0.2"), "1.2.3.4"),
        ("127.0.0.1", "not-an-address", ("127.0.0.1",), "127.0.0.1"),
        (None, None, (), "unknown"),
    ],
)
def test_the_client_address(
    peer: str | None, forwarded: str | None, trusted: tuple[str, ...], expected: str
) -> None:
    assert client_address(peer, forwarded, trusted) == expected


@pytest.mark.parametrize(
    ("origin", "host", "public", "ok"),
    [
        ("http://127.0.0.1:8501", "127.0.0.1:8501", None, True),
        ("http://evil.example", "127.0.0.1:8501", None, False),
        (None, "127.0.0.1:8501", None, False),
        ("null", "127.0.0.1:8501", None, False),
        ("https://kpi.travinh.gov.vn", "10.0.0.3:8501", "https://kpi.travinh.gov.vn", True),
        ("http://kpi.travinh.gov.vn", "10.0.0.3:8501", "https://kpi.travinh.gov.vn", False),
        ("http://10.0.0.3:8501", "10.0.0.3:8501", "https://kpi.travinh.gov.vn", False),
    ],
)
def test_forms_must_come_from_this_site(
    origin: str | None, host: str, public: str | None, ok: bool
) -> None:
    assert origin_allowed(origin, host, public) is ok


@pytest.fixture
def client(writable_demo_url: str) -> Iterator[TestClient]:
    ensure_user(writable_demo_url, "chi-lan", "editor")
    with TestClient(Starlette(routes=routes()), base_url=BASE) as c:
        yield c


def _events(url: str, action: str) -> list[tuple[str, str]]:
    engine = db.make_engine(url)
    try:
        with db.session_scope(engine) as session:
            return [
                (e.actor, e.outcome)
                for e in session.scalars(select(AuditEvent).where(AuditEvent.action == action))
            ]
    finally:
        engine.dispose()


def test_a_login_sets_an_httponly_cookie_and_goes_on_to_next(
    client: TestClient, writable_demo_url: str
) -> None:
    form = {
        "username": "chi-lan",
        "password": PASSWORD,
        "next": "/explore?indicator=a&from=2016-Q2",
    }
    response = client.post(
        "/account/login", data=form, headers={"Origin": BASE}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/explore?indicator=a&from=2016-Q2"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{accounts.COOKIE_NAME}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=28800" in cookie
    assert _events(writable_demo_url, "login") == [("chi-lan", "ok")]

    response = client.post(
        "/account/logout",
        data={"next": "/overview"},
        headers={"Origin": BASE},
        follow_redirects=False,
    )
    assert (response.status_code, response.headers["location"]) == (303, "/overview")
    assert 'kpi_session=""' in response.headers["set-cookie"]
    engine = db.make_engine(writable_demo_url)
    try:
        with db.session_scope(engine) as session:
            assert all(s.ended_at is not None for s in session.scalars(select(UserSession)))
    finally:
        engine.dispose()


def test_a_wrong_password_goes_back_to_the_login_page(client: TestClient) -> None:
    form = {"username": "chi-lan", "password": "sai", "next": "/upload", "lang": "en"}
    response = client.post(
        "/account/login", data=form, headers={"Origin": BASE}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == (
        "/login?error=bad_credentials&next=%2Fupload&name=chi-lan&lang=en"
    )
    assert "set-cookie" not in response.headers


def test_a_form_from_elsewhere_is_refused_and_audited(
    client: TestClient, writable_demo_url: str
) -> None:
    form = {"username": "chi-lan", "password": PASSWORD}
    response = client.post("/account/login", data=form, headers={"Origin": "http://evil.example"})
    assert response.status_code == 403
    assert _events(writable_demo_url, "login") == [("?", "refused")]
    assert client.post("/account/login", data=form).status_code == 403  # no Origin at all
