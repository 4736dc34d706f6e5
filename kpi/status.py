"""Who has reported: for a quarter, each unit with how many of its expected figures are present.

:func:`reporting_status` ``(session, catalogue, period) -> QuarterStatus`` answers, for the
province, its agencies (``84-CQ``) and each district (their communes folded under it): which of
the figures expected of the unit are stored, which are missing, and when and by which batch the
latest of them arrived; and the same for the quarter before, so a staff member sees at a glance
whom to call. The expected figures of a unit are the catalogue's typed-in indicators (not the
derived ones) reported at the unit's level (``levels`` in ``data/indicators.toml``). Only current
figures count: a batch that was undone no longer reports anything.

Used by ``python -m kpi status`` and by the Upload page.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kpi.catalogue import Catalogue
from kpi.i18n import t
from kpi.models import CURRENT, ImportBatch, Observation
from kpi.periods import Period
from kpi.units import UnitDirectory, UnitInfo, all_units

#: the levels shown as rows; communes are folded under their district
ROW_LEVELS = ("province", "agencies", "district")


@dataclass(frozen=True)
class Reported:
    """What one unit (or the communes of a district, together) has for one quarter."""

    expected: tuple[str, ...]
    present: tuple[str, ...]
    last_batch: int | None = None
    last_at: dt.datetime | None = None

    @property
    def missing(self) -> tuple[str, ...]:
        have = set(self.present)
        return tuple(c for c in self.expected if c not in have)

    @property
    def complete(self) -> bool:
        return not self.missing

    def to_json(self) -> dict[str, Any]:
        return {
            "expected": len(self.expected),
            "present": len(self.present),
            "missing": list(self.missing),
            "last_batch": self.last_batch,
            "last_at": self.last_at.replace(microsecond=0).isoformat() if self.last_at else None,
        }


@dataclass(frozen=True)
class CommuneStatus:
    code: str
    name: str
    now: Reported


@dataclass(frozen=True)
class UnitStatus:
    code: str
    name: str
    level: str
    now: Reported
    before: Reported
    #: for a district, its communes (each with the figures expected of a commune)
    communes: tuple[CommuneStatus, ...] = ()
    communes_before: Reported | None = None

    @property
    def communes_now(self) -> Reported | None:
        """The communes together: every commune figure expected, present and latest."""
        if not self.communes:
            return None
        return _merge([c.now for c in self.communes])

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "code": self.code,
            "name": self.name,
            "level": self.level,
            **self.now.to_json(),
            "previous": self.before.to_json(),
        }
        together = self.communes_now
        if together is not None:
            # the communes together: counts and the latest batch; what each one lacks is in
            # "incomplete" (the merged lists would repeat an indicator once per commune)
            before = self.communes_before.to_json() if self.communes_before else None
            if before is not None:
                before.pop("missing")
            doc["communes"] = {
                "count": len(self.communes),
                "complete": sum(1 for c in self.communes if c.now.complete),
                **{k: v for k, v in together.to_json().items() if k != "missing"},
                "incomplete": [
                    {"code": c.code, "name": c.name, "missing": list(c.now.missing)}
                    for c in self.communes
                    if not c.now.complete
                ],
                "previous": before,
            }
        return doc


@dataclass(frozen=True)
class QuarterStatus:
    period: str
    previous: str
    units: list[UnitStatus] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "previous": self.previous,
            "units": [u.to_json() for u in self.units],
        }


def _merge(parts: list[Reported]) -> Reported:
    latest = max(
        (p for p in parts if p.last_at is not None),
        key=lambda p: p.last_at or dt.datetime.min,
        default=None,
    )
    return Reported(
        tuple(f"{i}:{c}" for i, p in enumerate(parts) for c in p.expected),
        tuple(f"{i}:{c}" for i, p in enumerate(parts) for c in p.present),
        latest.last_batch if latest else None,
        latest.last_at if latest else None,
    )


def _present(session: Session, period: str) -> dict[int, list[tuple[str, int, dt.datetime]]]:
    """unit id -> (indicator, batch, batch time) of the current figures of the quarter."""
    stmt = (
        select(
            Observation.unit_id,
            Observation.indicator_code,
            Observation.batch_id,
            ImportBatch.created_at,
        )
        .join(ImportBatch, ImportBatch.id == Observation.batch_id)
        .where(CURRENT, Observation.period == period)
    )
    out: dict[int, list[tuple[str, int, dt.datetime]]] = defaultdict(list)
    for unit_id, code, batch, at in session.execute(stmt):
        out[unit_id].append((code, batch, at))
    return out


def _reported(expected: tuple[str, ...], rows: list[tuple[str, int, dt.datetime]]) -> Reported:
    wanted = set(expected)
    mine = [r for r in rows if r[0] in wanted]
    last = max(mine, key=lambda r: (r[2], r[1]), default=None)
    return Reported(
        expected,
        tuple(c for c in expected if any(r[0] == c for r in mine)),
        last[1] if last else None,
        last[2] if last else None,
    )


def reporting_status(session: Session, catalogue: Catalogue, period: Period | str) -> QuarterStatus:
    """Who has reported what for ``period`` and for the quarter before (see the module doc)."""
    p = Period.parse(period)
    before = p.shift(-1)
    units = all_units(session)
    now_dir = UnitDirectory(units, p.start, p.end)
    before_dir = UnitDirectory(units, before.start, before.end)
    expected = {
        level: tuple(i.code for i in catalogue.stored() if level in i.levels)
        for level in (*ROW_LEVELS, "commune")
    }
    now_rows = _present(session, p.code)
    before_rows = _present(session, before.code)

    def previous_of(u: UnitInfo) -> Reported:
        same = before_dir.by_code.get(u.code)
        rows = before_rows.get(same.id, []) if same is not None else []
        return _reported(expected[u.level], rows)

    out = QuarterStatus(p.code, before.code)
    order = {lv: i for i, lv in enumerate(ROW_LEVELS)}
    rows = sorted(
        (u for u in now_dir.units if u.level in ROW_LEVELS),
        key=lambda u: (order[u.level], u.code),
    )
    for u in rows:
        communes: tuple[CommuneStatus, ...] = ()
        communes_before = None
        if u.level == "district":
            kids = sorted(now_dir.children(u.id), key=lambda c: c.code)
            communes = tuple(
                CommuneStatus(
                    c.code, c.name, _reported(expected["commune"], now_rows.get(c.id, []))
                )
                for c in kids
                if c.level == "commune"
            )
            same = before_dir.by_code.get(u.code)
            if same is not None:
                communes_before = _merge(
                    [
                        _reported(expected["commune"], before_rows.get(c.id, []))
                        for c in before_dir.children(same.id)
                        if c.level == "commune"
                    ]
                )
        out.units.append(
            UnitStatus(
                u.code,
                u.name,
                u.level,
                _reported(expected[u.level], now_rows.get(u.id, [])),
                previous_of(u),
                communes,
                communes_before,
            )
        )
    return out


# --------------------------------------------------------------------------------------------
# As a table, in the user's language (the Upload page and ``kpi status``)
# --------------------------------------------------------------------------------------------

COLUMNS = ("unit", "level", "present", "missing", "communes", "last", "previous")


def _when(at: dt.datetime | None) -> str:
    return at.strftime("%d/%m/%Y %H:%M") if at else ""


def _last(r: Reported, lang: str) -> str:
    if r.last_batch is None:
        return ""
    return t("status.last", lang, batch=r.last_batch, when=_when(r.last_at))


def _missing(r: Reported, catalogue: Catalogue, lang: str) -> str:
    if not r.present:
        return t("status.nothing", lang)
    if r.complete:
        return t("status.complete", lang)
    return "; ".join(catalogue[c].name(lang) for c in r.missing)


def status_rows(status: QuarterStatus, catalogue: Catalogue, lang: str) -> list[dict[str, str]]:
    """One row per unit with localised column names, as the Upload page shows them."""
    out = []
    for u in status.units:
        communes = ""
        together = u.communes_now
        if together is not None and not together.present:
            communes = t("status.communes_none", lang, count=len(u.communes))
        elif together is not None:
            lacking = [c.name for c in u.communes if not c.now.complete]
            communes = t(
                "status.communes",
                lang,
                complete=len(u.communes) - len(lacking),
                count=len(u.communes),
            )
            if lacking:
                communes += " " + t("status.communes_lacking", lang, names=", ".join(lacking))
        previous = t(
            "status.count", lang, present=len(u.before.present), expected=len(u.before.expected)
        )
        if u.before.last_batch is not None:
            previous += f" ({_last(u.before, lang)})"
        values = {
            "unit": f"{u.name} ({u.code})",
            "level": t(f"level.{u.level}", lang),
            "present": t(
                "status.count", lang, present=len(u.now.present), expected=len(u.now.expected)
            ),
            "missing": _missing(u.now, catalogue, lang),
            "communes": communes,
            "last": _last(u.now, lang),
            "previous": previous,
        }
        out.append({t(f"status.column.{k}", lang): v for k, v in values.items()})
    return out
