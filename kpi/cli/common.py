"""What the commands share: the engine from the settings, the acting user, JSON output."""

from __future__ import annotations

import getpass
import json
import os
import sys
from typing import Any

from sqlalchemy import Engine

from kpi.access import Actor
from kpi.config import get_settings
from kpi.db import make_engine


def engine_from_settings() -> Engine:
    return make_engine(get_settings().database_url)


def shell_actor(name: str | None = None) -> Actor:
    """Whoever runs the command line has the shell, and with it the database: an admin."""
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = os.environ.get("USER", "cli")
    return Actor(name, "admin")


def print_json(document: Any) -> None:
    json.dump(document, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
