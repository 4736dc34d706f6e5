"""The HTTP routes beside the Streamlit app: logging in and out (served by ``server.py``).

Logging in is a plain HTML form posted to ``POST /account/login``: the route checks where the
form came from (the request's ``Origin`` against ``KPI_PUBLIC_URL``, or the request's own host),
finds the client's address (``X-Forwarded-For`` only from a peer in ``KPI_TRUSTED_PROXIES``),
checks the password through :mod:`kpi.accounts` (which throttles and locks), and answers with a
303 redirect to the page the user asked for (a checked local ``next``), setting an HttpOnly,
SameSite=Lax cookie that holds only the signed session id. Streamlit reads cookies when the
browser's websocket opens, so the redirect's full page load is what makes the pages see the
login. ``POST /account/logout`` ends the session (in every tab at their next click) and clears
the cookie. The paths avoid Streamlit's own ``/auth/...`` routes (``st.login``).
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Sequence
from functools import lru_cache
from urllib.parse import urlencode, urlsplit

from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from kpi import accounts, audit
from kpi.access import Actor
from kpi.config import Settings, get_settings
from kpi.db import make_engine, session_scope

LOGIN_PATH = "/account/login"
LOGOUT_PATH = "/account/logout"
LOGIN_PAGE = "/login"


def safe_next(value: str | None) -> str:
    """A local path (with its query) to send the user on to; anything else becomes ``/``."""
    if not value:
        return "/"
    value = value.strip()
    if not value.startswith("/") or value.startswith(("//", "/\\")) or "\\" in value:
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    if any(ord(c) < 32 for c in value):
        return "/"
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def client_address(peer: str | None, forwarded_for: str | None, trusted: Sequence[str]) -> str:
    """The client's address: the peer, or, when the peer is a trusted proxy, the last address
    in ``X-Forwarded-For`` that is not itself a trusted proxy."""
    address = (peer or "").strip() or "unknown"
    if address not in trusted or not forwarded_for:
        return address
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop if _is_ip(hop) else address
    return address


def origin_allowed(origin: str | None, host: str | None, public_url: str | None) -> bool:
    """Whether a form post comes from this site: its Origin equals ``KPI_PUBLIC_URL``'s, or,
    without that setting, the request's own host."""
    if not origin or origin == "null":
        return False
    parts = urlsplit(origin)
    if not parts.scheme or not parts.netloc:
        return False
    if public_url:
        want = urlsplit(public_url)
        return (parts.scheme, parts.netloc) == (want.scheme, want.netloc)
    return bool(host) and parts.netloc == host


def _secure(request: Request, settings: Settings, address_is_proxied: bool) -> bool:
    if settings.public_url:
        return settings.public_url.startswith("https://")
    if address_is_proxied:
        return request.headers.get("x-forwarded-proto", "") == "https"
    return request.url.scheme == "https"


@lru_cache(maxsize=4)
def _engine(url: str) -> Engine:
    return make_engine(url)


def _request_address(request: Request, settings: Settings) -> tuple[str, bool]:
    peer = request.client.host if request.client else None
    address = client_address(peer, request.headers.get("x-forwarded-for"), settings.trusted_proxies)
    return address, (peer or "") in settings.trusted_proxies


def _refuse_origin(request: Request, settings: Settings, address: str, action: str) -> Response:
    audit.record_refusal(
        _engine(settings.database_url),
        Actor("?", "anonymous", (), address, authenticated=False),
        action,
        reason="origin",
        origin=request.headers.get("origin"),
    )
    return PlainTextResponse("Forbidden: the form did not come from this site", status_code=403)


def _from_this_site(request: Request, action: str) -> tuple[Settings, str, bool, Response | None]:
    """The settings, the client's address, whether it came through a trusted proxy, and a 403
    (audited) when the form did not come from this site."""
    settings = get_settings()
    address, proxied = _request_address(request, settings)
    if origin_allowed(
        request.headers.get("origin"), request.headers.get("host"), settings.public_url
    ):
        return settings, address, proxied, None
    return settings, address, proxied, _refuse_origin(request, settings, address, action)


async def login_route(request: Request) -> Response:
    settings, address, proxied, refused = _from_this_site(request, "login")
    if refused is not None:
        return refused
    form = await request.form()
    name = str(form.get("username") or "")
    password = str(form.get("password") or "")
    target = safe_next(str(form.get("next") or ""))
    lang = str(form.get("lang") or "")
    engine = _engine(settings.database_url)
    secret = settings.secret_key()

    def check() -> accounts.LoginResult:
        with session_scope(engine) as session:
            return accounts.login(
                session, name, password, address, secret=secret, hours=settings.session_hours
            )

    result = await asyncio.to_thread(check)  # argon2 takes ~0.1 s: off the event loop
    if result.status != "ok" or result.token is None:
        query = {"error": result.status, "next": target}
        if result.retry_after:
            query["wait"] = str(result.retry_after)
        if name:
            query["name"] = name
        if lang:
            query["lang"] = lang
        return RedirectResponse(f"{LOGIN_PAGE}?{urlencode(query)}", status_code=303)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        accounts.COOKIE_NAME,
        result.token,
        max_age=int(settings.session_hours * 3600),
        path="/",
        httponly=True,
        samesite="lax",
        secure=_secure(request, settings, proxied),
    )
    return response


async def logout_route(request: Request) -> Response:
    settings, _, _, refused = _from_this_site(request, "logout")
    if refused is not None:
        return refused
    form = await request.form()
    token = request.cookies.get(accounts.COOKIE_NAME)
    engine = _engine(settings.database_url)
    secret = settings.secret_key()

    def end() -> None:
        with session_scope(engine) as session:
            accounts.logout(session, token, secret=secret, hours=settings.session_hours)

    await asyncio.to_thread(end)
    response = RedirectResponse(safe_next(str(form.get("next") or "/")), status_code=303)
    response.delete_cookie(accounts.COOKIE_NAME, path="/", httponly=True, samesite="lax")
    return response


def routes() -> list[Route]:
    return [
        Route(LOGIN_PATH, login_route, methods=["POST"]),
        Route(LOGOUT_PATH, logout_route, methods=["POST"]),
    ]
