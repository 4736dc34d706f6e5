"""Logged-in users for AppTest: a real account and a real session in the test's database, whose
signed cookie is fed to the app's one resolver (AppTest cannot set cookies)."""

from __future__ import annotations

import pytest

from kpi import accounts, db
from kpi.access import Actor
from kpi.config import get_settings

PASSWORD = "mat-khau-thu-nghiem"
ADMIN = Actor("setup-admin", "admin")


def ensure_user(url: str, name: str, role: str, scope: tuple[str, ...] = ("84",)) -> None:
    engine = db.make_engine(url)
    try:
        with db.session_scope(engine) as session:
            if accounts.get_user(session, name) is None:
                accounts.add_user(session, ADMIN, name, role, scope, PASSWORD)
    finally:
        engine.dispose()


def session_cookie(url: str, name: str, address: str = "127.0.0.1") -> str:
    """Log ``name`` in (through kpi.accounts.login) and return the cookie's value."""
    settings = get_settings()
    engine = db.make_engine(url)
    try:
        with db.session_scope(engine) as session:
            result = accounts.login(
                session,
                name,
                PASSWORD,
                address,
                secret=settings.secret_key(),
                hours=settings.session_hours,
            )
    finally:
        engine.dispose()
    assert result.status == "ok" and result.token, result
    return result.token


def log_in(
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    name: str,
    role: str,
    scope: tuple[str, ...] = ("84",),
) -> str:
    """Make the app's pages see ``name`` as logged in; returns the cookie value."""
    from kpi.ui import auth

    ensure_user(url, name, role, scope)
    token = session_cookie(url, name)
    monkeypatch.setattr(auth, "cookie_source", lambda: {accounts.COOKIE_NAME: token})
    return token
