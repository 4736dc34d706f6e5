"""Accounts: users with hashed passwords, server-side sessions, and the throttle on logins.

- Passwords are hashed with argon2id (argon2-cffi); a hash made with older parameters is
  renewed at the next successful login.
- A session is a row of ``user_session``; the browser's cookie carries only its id, signed with
  ``KPI_SECRET_KEY`` (itsdangerous). Every page run looks the row up, so logout, expiry or an
  admin's revocation ends it at the next click in every open tab, and a copied cookie stops
  working once its row has ended.
- Failed logins slow down and then lock, per user *and* address, so that nobody can lock a user
  out from elsewhere: :data:`DELAY_SCHEDULE` gives the wait after the n-th consecutive failure;
  :data:`LOCK_FAILURES` failures within :data:`LOCK_WINDOW` lock that user from that address
  until the window has passed since the last of them.

Every function takes a session and a clock (``now``) so tests can drive time; none commits.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from kpi import audit
from kpi.access import ROLES, Actor, require
from kpi.models import AppUser, LoginAttempt, Unit, UserSession, utcnow
from kpi.units import PROVINCE_CODE

Clock = Callable[[], dt.datetime]

MIN_PASSWORD_LENGTH = 10
#: seconds to wait before the next attempt after n consecutive failures (index n, capped)
DELAY_SCHEDULE = (0, 0, 0, 5, 10, 20, 30, 60, 120, 300)
LOCK_FAILURES = 10
LOCK_WINDOW = dt.timedelta(minutes=15)
COOKIE_NAME = "kpi_session"
_SALT = "kpi-session"

_hasher = PasswordHasher()


class AccountError(ValueError):
    """A request about accounts that cannot be carried out; ``code`` names why."""

    def __init__(self, code: str, **detail: object) -> None:
        super().__init__(code)
        self.code = code  # unknown_user | user_exists | bad_role | bad_scope | weak_password ...
        self.detail = detail


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(stored_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check_password_strength(password: str, name: str = "") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("weak_password", min=MIN_PASSWORD_LENGTH)
    if name and password.strip().lower() == name.strip().lower():
        raise AccountError("weak_password", min=MIN_PASSWORD_LENGTH)


def generate_password() -> str:
    """A random password for a new or reset account (shown once)."""
    return secrets.token_urlsafe(12)


# ---- users -------------------------------------------------------------------------------


def _valid_scope(session: Session, role: str, scope: Sequence[str]) -> list[str]:
    """The scope as stored: the province, or districts that exist (an editor must have one)."""
    codes = list(dict.fromkeys(c.strip() for c in scope if c and c.strip()))
    if role != "editor":
        return [PROVINCE_CODE]
    if not codes:
        raise AccountError("bad_scope", scope="")
    if PROVINCE_CODE in codes:
        return [PROVINCE_CODE]
    districts = set(
        session.scalars(select(Unit.code).where(Unit.level == "district", Unit.code.in_(codes)))
    )
    unknown = [c for c in codes if c not in districts]
    if unknown:
        raise AccountError("bad_scope", scope=", ".join(unknown))
    return codes


def get_user(session: Session, name: str) -> AppUser | None:
    return session.scalars(select(AppUser).where(AppUser.name == name.strip())).first()


def actor_for(user: AppUser, address: str | None = None) -> Actor:
    return Actor(user.name, user.role, tuple(user.scope or ()), address, user.id)


def add_user(
    session: Session,
    actor: Actor,
    name: str,
    role: str,
    scope: Sequence[str],
    password: str,
    *,
    is_demo: bool = False,
) -> AppUser:
    require(actor, "admin")
    name = name.strip()
    if not name or len(name) > 100 or any(c.isspace() for c in name):
        raise AccountError("bad_name", name=name)
    if role not in ROLES:
        raise AccountError("bad_role", role=role)
    if get_user(session, name) is not None:
        raise AccountError("user_exists", name=name)
    check_password_strength(password, name)
    user = AppUser(
        name=name,
        password_hash=hash_password(password),
        role=role,
        scope=_valid_scope(session, role, scope),
        active=True,
        is_demo=is_demo,
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "user_add", user=name, role=role, scope=user.scope, demo=is_demo)
    return user


def _require_user(session: Session, name: str) -> AppUser:
    user = get_user(session, name)
    if user is None:
        raise AccountError("unknown_user", name=name)
    return user


def update_user(
    session: Session,
    actor: Actor,
    name: str,
    *,
    role: str | None = None,
    scope: Sequence[str] | None = None,
    active: bool | None = None,
    now: Clock = utcnow,
) -> AppUser:
    """Change a user's role, scope or active flag (admin). Disabling ends their sessions."""
    require(actor, "admin")
    user = _require_user(session, name)
    before = {"role": user.role, "scope": list(user.scope), "active": user.active}
    if role is not None:
        if role not in ROLES:
            raise AccountError("bad_role", role=role)
        user.role = role
    if role is not None or scope is not None:
        user.scope = _valid_scope(session, user.role, scope if scope is not None else user.scope)
    if active is not None:
        if not active and user.name == actor.name:
            raise AccountError("self_disable", name=name)
        user.active = active
    after = {"role": user.role, "scope": list(user.scope), "active": user.active}
    if after == before:
        return user
    if not user.active or after["role"] != before["role"] or after["scope"] != before["scope"]:
        end_sessions(session, user.id, now=now)
    session.flush()
    audit.record(session, actor, "user_update", user=name, before=before, after=after)
    return user


def set_password(
    session: Session,
    actor: Actor,
    name: str,
    password: str,
    *,
    current: str | None = None,
    now: Clock = utcnow,
) -> None:
    """A user changes their own password (giving the current one), or an admin resets one.
    Every session of that user ends."""
    user = _require_user(session, name)
    own = actor.user_id is not None and actor.user_id == user.id
    if own:
        if current is None or not verify_password(user.password_hash, current):
            raise AccountError("wrong_password")
    else:
        require(actor, "admin")
    check_password_strength(password, name)
    user.password_hash = hash_password(password)
    user.password_changed_at = now()
    end_sessions(session, user.id, now=now)
    session.flush()
    audit.record(session, actor, "password_change" if own else "password_reset", user=name)


def list_users(session: Session) -> list[AppUser]:
    return list(session.scalars(select(AppUser).order_by(AppUser.name)))


# ---- logins and sessions -----------------------------------------------------------------


@dataclass(frozen=True)
class LoginResult:
    status: str  # ok | bad_credentials | wait | locked
    token: str | None = None
    actor: Actor | None = None
    retry_after: int = 0  # seconds, for wait and locked


def _failures(session: Session, name: str, address: str, now: dt.datetime) -> list[dt.datetime]:
    """The failed attempts of ``name`` from ``address`` in the lock window since their last
    success, oldest first."""
    since = now - LOCK_WINDOW
    last_ok = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.user_name == name,
            LoginAttempt.address == address,
            LoginAttempt.success.is_(True),
        )
    )
    if last_ok is not None and last_ok > since:
        since = last_ok
    return list(
        session.scalars(
            select(LoginAttempt.at)
            .where(
                LoginAttempt.user_name == name,
                LoginAttempt.address == address,
                LoginAttempt.success.is_(False),
                LoginAttempt.at > since,
            )
            .order_by(LoginAttempt.at)
        )
    )


def throttle(session: Session, name: str, address: str, now: dt.datetime) -> tuple[str, int]:
    """Whether ``name`` may try a password from ``address`` now: ("ok", 0), ("wait", seconds)
    or ("locked", seconds)."""
    failures = _failures(session, name, address, now)
    if len(failures) >= LOCK_FAILURES:
        until = failures[-1] + LOCK_WINDOW
        return "locked", max(1, int((until - now).total_seconds()) + 1)
    if failures:
        delay = DELAY_SCHEDULE[min(len(failures), len(DELAY_SCHEDULE) - 1)]
        ready = failures[-1] + dt.timedelta(seconds=delay)
        if now < ready:
            return "wait", max(1, int((ready - now).total_seconds()) + 1)
    return "ok", 0


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=_SALT)


def login(
    session: Session,
    name: str,
    password: str,
    address: str,
    *,
    secret: str,
    hours: float,
    now: Clock = utcnow,
) -> LoginResult:
    """Check a password and open a session. Every outcome is recorded (attempts and audit)."""
    name = name.strip()[:100]
    at = now()
    who = Actor(name or "?", "anonymous", (), address, authenticated=False)
    state, wait = throttle(session, name, address, at)
    if state != "ok":
        audit.record(session, who, "login", outcome="refused", reason=state, retry_after=wait)
        return LoginResult(state, retry_after=wait)
    user = get_user(session, name) if name else None
    ok = (
        user is not None
        and user.active
        and bool(password)
        and verify_password(user.password_hash, password)
    )
    if user is None:
        # Spend the same time as a real check, so that timing does not tell which names exist.
        verify_password(_DUMMY_HASH, password or "x")
    session.add(LoginAttempt(user_name=name, address=address, at=at, success=ok))
    if not ok or user is None:
        session.flush()
        audit.record(session, who, "login", outcome="failed")
        state, wait = throttle(session, name, address, at)
        if state == "locked":
            audit.record(session, who, "lockout", outcome="refused", retry_after=wait)
            return LoginResult("locked", retry_after=wait)
        return LoginResult("bad_credentials", retry_after=wait if state == "wait" else 0)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    sid = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            id=sid,
            user_id=user.id,
            created_at=at,
            expires_at=at + dt.timedelta(hours=hours),
            address=address,
        )
    )
    session.flush()
    actor = actor_for(user, address)
    audit.record(session, actor, "login")
    return LoginResult("ok", _serializer(secret).dumps(sid), actor)


_DUMMY_HASH = _hasher.hash("not a password of anyone")


def resolve(
    session: Session,
    token: str | None,
    *,
    secret: str,
    hours: float,
    address: str | None = None,
    now: Clock = utcnow,
) -> Actor | None:
    """The logged-in user behind a cookie, or None (no cookie, bad signature, ended, expired,
    or a disabled user)."""
    sid = session_id(token, secret=secret, hours=hours)
    if sid is None:
        return None
    row = session.get(UserSession, sid)
    if row is None or row.ended_at is not None or row.expires_at <= now():
        return None
    user = session.get(AppUser, row.user_id)
    if user is None or not user.active:
        return None
    return actor_for(user, address)


def session_id(token: str | None, *, secret: str, hours: float) -> str | None:
    if not token:
        return None
    try:
        sid = _serializer(secret).loads(token, max_age=int(hours * 3600) + 60)
    except BadSignature:
        return None
    return sid if isinstance(sid, str) else None


def logout(
    session: Session, token: str | None, *, secret: str, hours: float, now: Clock = utcnow
) -> Actor | None:
    """End the session behind ``token``; the user it belonged to, if any."""
    sid = session_id(token, secret=secret, hours=hours)
    row = session.get(UserSession, sid) if sid else None
    if row is None or row.ended_at is not None:
        return None
    row.ended_at = now()
    user = session.get(AppUser, row.user_id)
    session.flush()
    if user is None:
        return None
    actor = actor_for(user, row.address)
    audit.record(session, actor, "logout")
    return actor


def end_sessions(session: Session, user_id: int, *, now: Clock = utcnow) -> int:
    """End every open session of a user (password change, disabling, revocation)."""
    result = session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=now())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def revoke_sessions(session: Session, actor: Actor, name: str, *, now: Clock = utcnow) -> int:
    require(actor, "admin")
    user = _require_user(session, name)
    ended = end_sessions(session, user.id, now=now)
    audit.record(session, actor, "sessions_revoked", user=name, sessions=ended)
    return ended


def cli_actor(session: Session, name: str) -> Actor:
    """``--user NAME`` on the command line: that account, which must exist and be active."""
    user = get_user(session, name)
    if user is None:
        raise AccountError("unknown_user", name=name)
    if not user.active:
        raise AccountError("disabled_user", name=name)
    return actor_for(user, "local")
