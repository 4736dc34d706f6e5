"""Who is looking at the page: the one resolver every page gets its user from.

The browser's cookie (set by ``POST /account/login``, see kpi/web.py) carries a signed session
id; :func:`current_user` looks the session up on every run, so logout, expiry and revocation take
effect at the next click. Tests feed :func:`cookie_source` (AppTest cannot set cookies) with a
real signed cookie of a real session, so the same checks run.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from kpi import accounts, db
from kpi.access import ANONYMOUS, Actor
from kpi.config import get_settings
from kpi.ui import data
from kpi.web import client_address

#: an anonymous visitor of a private site (KPI_PUBLIC_READ=false): may do nothing but log in
NOBODY = Actor("anonymous", "none", (), authenticated=False)


def cookie_source() -> Mapping[str, str]:
    """The request's cookies (a snapshot taken when the browser's websocket opened)."""
    return dict(st.context.cookies)


def request_address() -> str:
    settings = get_settings()
    peer = st.context.ip_address
    forwarded = st.context.headers.get("X-Forwarded-For")
    return client_address(
        peer if isinstance(peer, str) and peer else "127.0.0.1",
        forwarded if isinstance(forwarded, str) else None,
        settings.trusted_proxies,
    )


def current_user() -> Actor:
    """The logged-in user, or the anonymous visitor (who may read and export on a public site,
    and nothing at all on a private one)."""
    settings = get_settings()
    address = request_address()
    token = cookie_source().get(accounts.COOKIE_NAME)
    if token:
        with db.session_scope(data.engine()) as session:
            user = accounts.resolve(
                session,
                token,
                secret=settings.secret_key(),
                hours=settings.session_hours,
                address=address,
            )
        if user is not None:
            return user
    base = ANONYMOUS if settings.public_read else NOBODY
    return Actor(base.name, base.role, (), address, authenticated=False)
