"""Accounts on SQLite and PostgreSQL: hashing, sessions that end, the throttle and the lock (an
injectable clock drives time), scopes, the command line, and the audit log's append-only rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, delete, select, text, update
from sqlalchemy.exc import DBAPIError

from kpi import accounts, db
from kpi.access import Actor, PermissionDenied
from kpi.models import AppUser, AuditEvent
from tests.conftest import ADMIN

SECRET = "a-secret-for-tests"
T0 = dt.datetime(2026, 12, 1, 8, 0, 0)


class Clock:
    def __init__(self, start: dt.datetime = T0) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def users(engine: Engine) -> Iterator[Engine]:
    with db.session_scope(engine) as session:
        accounts.add_user(session, ADMIN, "lan", "editor", ["84"], "mat-khau-cua-lan")
        accounts.add_user(session, ADMIN, "binh", "editor", ["844"], "mat-khau-cua-binh")
        accounts.add_user(session, ADMIN, "xem", "viewer", [], "mat-khau-nguoi-xem")
    yield engine


def _login(engine: Engine, name: str, password: str, clock: Clock, address: str = "10.0.0.5"):  # type: ignore[no-untyped-def]
    with db.session_scope(engine) as session:
        return accounts.login(session, name, password, address, secret=SECRET, hours=8, now=clock)


def _resolve(engine: Engine, token: str | None, clock: Clock) -> Actor | None:
    with db.session_scope(engine) as session:
        return accounts.resolve(session, token, secret=SECRET, hours=8, now=clock)


def test_passwords_are_hashed_with_argon2id_and_verified() -> None:
    stored = accounts.hash_password("mat-khau-cua-lan")
    assert stored.startswith("$argon2id$") and "mat-khau" not in stored
    assert accounts.verify_password(stored, "mat-khau-cua-lan")
    assert not accounts.verify_password(stored, "mat-khau-cua-LAN")
    assert not accounts.verify_password("not a hash", "x")


@pytest.mark.parametrize(
    ("password", "name", "ok"),
    [
        ("ngan", "lan", False),
        ("lan-lan-lan", "lan", True),
        ("mat-khau-cua-lan", "mat-khau-cua-lan", False),
    ],
)
def test_weak_passwords_are_refused(password: str, name: str, ok: bool) -> None:
    if ok:
        accounts.check_password_strength(password, name)
    else:
        with pytest.raises(accounts.AccountError, match="weak_password"):
            accounts.check_password_strength(password, name)


def test_a_session_lasts_its_hours_and_ends_at_logout(users: Engine) -> None:
    clock = Clock()
    result = _login(users, "lan", "mat-khau-cua-lan", clock)
    assert result.status == "ok" and result.token
    actor = _resolve(users, result.token, clock)
    assert actor is not None and (actor.name, actor.role, actor.scope) == ("lan", "editor", ("84",))
    clock.advance(hours=7, minutes=59)
    assert _resolve(users, result.token, clock) is not None
    clock.advance(minutes=2)
    assert _resolve(users, result.token, clock) is None  # expired
    second = _login(users, "lan", "mat-khau-cua-lan", clock)
    with db.session_scope(users) as session:
        accounts.logout(session, second.token, secret=SECRET, hours=8, now=clock)
    assert _resolve(users, second.token, clock) is None  # a copied cookie stops working too


def test_a_tampered_or_foreign_cookie_is_nobody(users: Engine) -> None:
    clock = Clock()
    token = _login(users, "lan", "mat-khau-cua-lan", clock).token
    assert token
    assert _resolve(users, token[:-2] + "xx", clock) is None
    with db.session_scope(users) as session:
        assert accounts.resolve(session, token, secret="another", hours=8, now=clock) is None
    assert _resolve(users, None, clock) is None


def test_disabling_a_user_or_changing_the_password_ends_their_sessions(users: Engine) -> None:
    clock = Clock()
    token = _login(users, "binh", "mat-khau-cua-binh", clock).token
    with db.session_scope(users) as session:
        accounts.update_user(session, ADMIN, "binh", active=False, now=clock)
    assert _resolve(users, token, clock) is None
    assert _login(users, "binh", "mat-khau-cua-binh", clock).status == "bad_credentials"
    with db.session_scope(users) as session:
        accounts.update_user(session, ADMIN, "binh", active=True, now=clock)
    token = _login(users, "binh", "mat-khau-cua-binh", clock).token
    binh = _resolve(users, token, clock)
    assert binh is not None
    with db.session_scope(users) as session, pytest.raises(accounts.AccountError):
        accounts.set_password(session, binh, "binh", "mat-khau-moi-cua-binh", current="sai")
    with db.session_scope(users) as session:
        accounts.set_password(
            session, binh, "binh", "mat-khau-moi-cua-binh", current="mat-khau-cua-binh", now=clock
        )
    assert _resolve(users, token, clock) is None
    assert _login(users, "binh", "mat-khau-moi-cua-binh", clock).status == "ok"


def test_only_an_admin_manages_users(users: Engine) -> None:
    lan = Actor("lan", "editor")
    with db.session_scope(users) as session, pytest.raises(PermissionDenied):
        accounts.add_user(session, lan, "moi", "admin", [], "mat-khau-dai-du")
    with db.session_scope(users) as session, pytest.raises(PermissionDenied):
        accounts.set_password(session, lan, "binh", "mat-khau-dai-du")


@pytest.mark.parametrize(
    ("role", "scope", "stored"),
    [
        ("editor", ["844"], ["844"]),
        ("editor", ["844", "845"], ["844", "845"]),
        ("editor", ["84", "844"], ["84"]),
        ("viewer", ["844"], ["84"]),
        ("admin", [], ["84"]),
    ],
)
def test_scopes_are_the_province_or_real_districts(
    engine: Engine, role: str, scope: list[str], stored: list[str]
) -> None:
    with db.session_scope(engine) as session:
        user = accounts.add_user(session, ADMIN, "u1", role, scope, "mat-khau-dai-du")
        assert user.scope == stored


@pytest.mark.parametrize("scope", [[], ["999"], ["29242"], ["84-CQ"]])
def test_an_editor_needs_a_real_district_or_the_province(engine: Engine, scope: list[str]) -> None:
    with (
        db.session_scope(engine) as session,
        pytest.raises(accounts.AccountError, match="bad_scope"),
    ):
        accounts.add_user(session, ADMIN, "u1", "editor", scope, "mat-khau-dai-du")


def test_failed_logins_slow_down_then_lock_that_user_from_that_address(users: Engine) -> None:
    clock = Clock()
    statuses = []
    for _ in range(3):
        statuses.append(_login(users, "lan", "sai", clock).status)
    assert statuses == ["bad_credentials"] * 3
    # After the third failure the schedule asks for DELAY_SCHEDULE[3] seconds.
    early = _login(users, "lan", "mat-khau-cua-lan", clock)
    assert (early.status, early.retry_after) == ("wait", accounts.DELAY_SCHEDULE[3] + 1)
    failures = 3
    while failures < accounts.LOCK_FAILURES:
        clock.advance(seconds=accounts.DELAY_SCHEDULE[failures])
        result = _login(users, "lan", "sai", clock)
        failures += 1
        assert result.status == (
            "locked" if failures == accounts.LOCK_FAILURES else "bad_credentials"
        )
    assert (clock.now - T0) < accounts.LOCK_WINDOW  # the whole schedule fits in the window
    assert _login(users, "lan", "mat-khau-cua-lan", clock).status == "locked"
    # Someone else elsewhere cannot lock lan out: another address still logs in.
    assert _login(users, "lan", "mat-khau-cua-lan", clock, address="10.0.0.9").status == "ok"
    clock.advance(seconds=accounts.LOCK_WINDOW.total_seconds() + 1)
    assert _login(users, "lan", "mat-khau-cua-lan", clock).status == "ok"


def test_an_unknown_name_fails_like_a_wrong_password(users: Engine) -> None:
    assert _login(users, "khong-co", "x", Clock()).status == "bad_credentials"


def test_every_login_event_is_audited(users: Engine) -> None:
    clock = Clock()
    _login(users, "lan", "sai", clock)
    token = _login(users, "lan", "mat-khau-cua-lan", clock).token
    with db.session_scope(users) as session:
        accounts.logout(session, token, secret=SECRET, hours=8, now=clock)
    with db.session_scope(users) as session:
        rows = session.execute(
            select(AuditEvent.actor, AuditEvent.action, AuditEvent.outcome, AuditEvent.address)
            .where(AuditEvent.action.in_(["login", "logout"]))
            .order_by(AuditEvent.id)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("lan", "login", "failed", "10.0.0.5"),
        ("lan", "login", "ok", "10.0.0.5"),
        ("lan", "logout", "ok", "10.0.0.5"),
    ]


def test_the_audit_log_refuses_update_and_delete_in_the_database(users: Engine) -> None:
    with db.session_scope(users) as session:
        first = session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).first()
    assert first is not None
    for statement in (
        update(AuditEvent).where(AuditEvent.id == first).values(actor="someone else"),
        delete(AuditEvent).where(AuditEvent.id == first),
    ):
        with pytest.raises(DBAPIError, match="append-only"), db.session_scope(users) as session:
            session.execute(statement)
    with users.connect() as conn:
        assert (
            conn.execute(text("SELECT actor FROM audit_event WHERE id = :i"), {"i": first}).scalar()
            == ADMIN.name
        )


def test_no_code_path_updates_or_deletes_audit_rows() -> None:
    """Besides the triggers: nothing in the code writes an UPDATE or DELETE of audit_event."""
    import re

    from tests.conftest import ROOT

    pattern = re.compile(
        r"(update|delete)\(\s*AuditEvent|UPDATE\s+audit_event|DELETE\s+FROM\s+audit_event", re.I
    )
    for path in [*(ROOT / "kpi").rglob("*.py"), *(ROOT / "loaders").rglob("*.py")]:
        assert not pattern.search(path.read_text(encoding="utf-8")), path


def test_users_on_the_command_line(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from kpi.cli import main

    monkeypatch.setenv("KPI_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("KPI_NEW_PASSWORD", "mat-khau-cua-mai")
    assert main(["users", "add", "mai", "--role", "editor", "--scope", "844", "845"]) == 0
    assert main(["users", "add", "mai", "--role", "viewer"]) == 1  # the name is taken
    assert "exists already" in capsys.readouterr().err
    assert main(["users", "add", "hoa", "--role", "editor", "--scope", "999"]) == 1
    assert main(["users", "list", "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert '"name": "mai"' in out and '"845"' in out and "mat-khau" not in out
    monkeypatch.setenv("KPI_NEW_PASSWORD", "mat-khau-moi-cua-mai")
    assert main(["users", "passwd", "mai"]) == 0
    assert main(["users", "disable", "mai"]) == 0
    with db.session_scope(engine) as session:
        mai = session.scalars(select(AppUser).where(AppUser.name == "mai")).one()
        assert not mai.active and accounts.verify_password(
            mai.password_hash, "mat-khau-moi-cua-mai"
        )
        actions = [a for (a,) in session.execute(select(AuditEvent.action).order_by(AuditEvent.id))]
    assert actions[-3:] == ["user_add", "password_reset", "user_update"]
    assert main(["users", "passwd", "khong-co"]) == 1
