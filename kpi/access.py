"""Who may do what: the one place every write passes through (DESIGN.md section 12).

Accounts and logins come with their own issue; until then the web pages act with the role of
``KPI_WEB_ROLE`` and the command line with the admin role of the person at the shell. Every write
function in the core calls :func:`require` with the acting user before it touches the database,
so the login check has exactly one home.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("viewer", "editor", "admin")

PERMISSIONS: dict[str, frozenset[str]] = {
    "viewer": frozenset({"read", "export"}),
    "editor": frozenset({"read", "export", "import", "rollback"}),
    "admin": frozenset({"read", "export", "import", "rollback", "admin"}),
}


class PermissionDenied(PermissionError):
    def __init__(self, actor: Actor, action: str) -> None:
        super().__init__(f"{actor.name} ({actor.role}) may not {action}")
        self.actor = actor
        self.action = action


@dataclass(frozen=True)
class Actor:
    name: str
    role: str

    def can(self, action: str) -> bool:
        return action in PERMISSIONS.get(self.role, frozenset())


def require(actor: Actor, action: str) -> None:
    """Raise PermissionDenied unless ``actor`` may do ``action``."""
    if not actor.can(action):
        raise PermissionDenied(actor, action)


SYSTEM = Actor("system", "admin")
