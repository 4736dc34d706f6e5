"""Who may do what: the one place every write passes through (DESIGN.md section 12).

An :class:`Actor` is whoever acts: a logged-in user of the web pages, the person at the shell
(a local administrator), or an anonymous visitor. It carries its role and its scope. Every write
function of the core calls :func:`require` (the role) and, for figures, :func:`require_units`
(the scope) before it touches the database; the pages only hide what the core would refuse.

Roles: ``viewer`` reads and exports, and sees the import history; ``editor`` also imports, confirms report figures and rolls
back their own batches; ``admin`` does everything (users, targets, catalogue, any batch, the
audit log). An anonymous visitor may read and export when the site is public, and nothing else.

Scope: the province code (``84``) covers every unit; a district code covers that district and
its communes. Province-level figures and the provincial agencies (``84-CQ``) need the province.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from kpi.units import PROVINCE_CODE

ROLES = ("viewer", "editor", "admin")

PERMISSIONS: dict[str, frozenset[str]] = {
    "anonymous": frozenset({"read", "export"}),
    "viewer": frozenset({"read", "export", "history"}),
    "editor": frozenset({"read", "export", "history", "import", "rollback"}),
    "admin": frozenset(
        {"read", "export", "history", "import", "rollback", "rollback_any", "admin"}
    ),
}


class PermissionDenied(PermissionError):
    """An action the actor's role or scope does not allow."""

    def __init__(
        self, actor: Actor, action: str, detail: str = "", units: tuple[str, ...] = ()
    ) -> None:
        text = f"{actor.name} ({actor.role}) may not {action}"
        super().__init__(f"{text}: {detail}" if detail else text)
        self.actor = actor
        self.action = action
        self.detail = detail
        self.units = units  # the unit codes outside the scope, for a scope refusal


@dataclass(frozen=True)
class Actor:
    """Whoever acts. ``scope`` is a tuple of unit codes (the province, or districts)."""

    name: str
    role: str
    scope: tuple[str, ...] = (PROVINCE_CODE,)
    address: str | None = None
    user_id: int | None = None
    authenticated: bool = field(default=True)

    def can(self, action: str) -> bool:
        return action in PERMISSIONS.get(self.role, frozenset())

    @property
    def province_wide(self) -> bool:
        return self.role == "admin" or PROVINCE_CODE in self.scope

    def covers(self, unit_code: str, district_code: str | None) -> bool:
        """Whether figures of the unit ``unit_code`` (whose district is ``district_code``, None
        for the province and its agencies) fall within this actor's scope."""
        if self.province_wide:
            return True
        if district_code is None:
            return False
        return district_code in self.scope

    def describe_scope(self) -> str:
        return ", ".join(self.scope)


ANONYMOUS = Actor("anonymous", "anonymous", (), authenticated=False)
SYSTEM = Actor("system", "admin")


def require(actor: Actor, action: str) -> None:
    """Raise PermissionDenied unless ``actor``'s role allows ``action``."""
    if not actor.authenticated and action not in ("read", "export"):
        raise PermissionDenied(actor, action)
    if not actor.can(action):
        raise PermissionDenied(actor, action)


def out_of_scope(
    actor: Actor, unit_ids: Iterable[int], districts: Mapping[int, tuple[str, str | None]]
) -> list[int]:
    """The unit ids (among ``unit_ids``) outside the actor's scope; ``districts`` maps a unit id
    to (its code, the code of its district or None)."""
    return [
        uid
        for uid in dict.fromkeys(unit_ids)
        if not actor.covers(*districts.get(uid, (str(uid), None)))
    ]


def require_units(
    actor: Actor, unit_ids: Iterable[int], districts: Mapping[int, tuple[str, str | None]]
) -> None:
    """Raise PermissionDenied when any of the units lies outside the actor's scope."""
    outside = out_of_scope(actor, unit_ids, districts)
    if outside:
        codes = sorted({districts.get(u, (str(u), None))[0] for u in outside})
        raise PermissionDenied(
            actor, "write", "units outside the scope: " + ", ".join(codes), tuple(codes)
        )
