"""Settings, read from the environment by a function (never at import time).

Every setting is documented in the README; a test checks that.
"""

from __future__ import annotations

import os
import secrets
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
LANGUAGES = ("vi", "en")

#: name -> (default shown in the README, one-line description)
SETTINGS: dict[str, str] = {
    "KPI_DATABASE_URL": "SQLAlchemy URL of the database (default: SQLite file data/kpi.sqlite3)",
    "KPI_PUBLIC_READ": "true (default): reading and exporting need no login; false/0/no: every page needs one",
    "KPI_SECRET_KEY": "key that signs session cookies (default: a random key kept in data/secret_key)",
    "KPI_MAX_UPLOAD_MB": "largest accepted upload in megabytes (default 10)",
    "KPI_LANG": "default language, vi (default) or en",
    "KPI_SESSION_HOURS": "hours a login lasts before it must be renewed (default 8)",
    "KPI_TRUSTED_PROXIES": "comma-separated addresses of reverse proxies whose X-Forwarded-For is believed (default none)",
    "KPI_PUBLIC_URL": "the site's public address (https://kpi.example.vn); login forms must come from it (default: the request's own host)",
    "KPI_TIMEZONE": "time zone of the times shown (default Asia/Ho_Chi_Minh)",
    "KPI_DEMO_ACCOUNTS": "true (default): init --demo creates a demo admin and a demo district editor; false: it does not",
    "KPI_CHART_BROWSER": "Chromium that draws the draft report's charts (default /usr/bin/chromium; none: no charts)",
    "KPI_SOFFICE": "LibreOffice program for PDF of the briefing (default soffice on the PATH)",
}

_FALSE = {"0", "false", "no", "off"}


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() not in _FALSE


@dataclass(frozen=True)
class Settings:
    database_url: str
    public_read: bool
    max_upload_mb: int
    lang: str
    secret_key_env: str | None
    session_hours: float = 8.0
    trusted_proxies: tuple[str, ...] = ()
    public_url: str | None = None
    timezone: str = "Asia/Ho_Chi_Minh"
    demo_accounts: bool = True

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    def secret_key(self) -> str:
        """The cookie-signing key: the setting, or one created once under data/."""
        if self.secret_key_env:
            return self.secret_key_env
        path = DATA_DIR / "secret_key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
            path.chmod(0o600)
        return path.read_text(encoding="utf-8").strip()


def default_database_url() -> str:
    return f"sqlite:///{DATA_DIR / 'kpi.sqlite3'}"


def get_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    lang = env.get("KPI_LANG", "vi").strip().lower() or "vi"
    if lang not in LANGUAGES:
        raise ValueError(f"KPI_LANG must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    try:
        hours = float(env.get("KPI_SESSION_HOURS", "8") or "8")
    except ValueError as exc:
        raise ValueError("KPI_SESSION_HOURS must be a number of hours") from exc
    if not 0 < hours <= 24 * 30:
        raise ValueError("KPI_SESSION_HOURS must be between 0 and 720")
    timezone = env.get("KPI_TIMEZONE", "").strip() or "Asia/Ho_Chi_Minh"
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"KPI_TIMEZONE is not a known time zone: {timezone!r}") from exc
    proxies = tuple(p.strip() for p in env.get("KPI_TRUSTED_PROXIES", "").split(",") if p.strip())
    try:
        max_mb = int(env.get("KPI_MAX_UPLOAD_MB", "10") or "10")
    except ValueError as exc:
        raise ValueError("KPI_MAX_UPLOAD_MB must be a whole number of megabytes") from exc
    return Settings(
        database_url=env.get("KPI_DATABASE_URL", "").strip() or default_database_url(),
        public_read=_bool(env.get("KPI_PUBLIC_READ"), True),
        max_upload_mb=max_mb,
        lang=lang,
        secret_key_env=env.get("KPI_SECRET_KEY") or None,
        session_hours=hours,
        trusted_proxies=proxies,
        public_url=(env.get("KPI_PUBLIC_URL", "").strip().rstrip("/") or None),
        timezone=timezone,
        demo_accounts=_bool(env.get("KPI_DEMO_ACCOUNTS"), True),
    )
