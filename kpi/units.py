"""Administrative units: data in ``data/units.csv`` and ``data/unit_lineage.csv``.

(code, valid_from) identifies a unit, because codes are reused after mergers (29242 was Phường 3
of Trà Vinh city and is Phường Trà Vinh of Vĩnh Long from 01/07/2025). Names are matched by a
tone- and case-insensitive key, within their district.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kpi.config import DATA_DIR
from kpi.models import OPEN_START, Unit, UnitLineage
from kpi.numbers import nfc

UNITS_FILE = DATA_DIR / "units.csv"
LINEAGE_FILE = DATA_DIR / "unit_lineage.csv"
PROVINCE_CODE = "84"
AGENCIES_CODE = "84-CQ"

# Words that name the kind of unit, dropped when a name is matched loosely ("huyện Trà Cú").
_TYPE_WORDS = ("thanh pho", "thi xa", "thi tran", "huyen", "phuong", "xa")


def fold(text: str) -> str:
    """Tone-, case- and space-insensitive form of a name: 'TRÀ CÚ' -> 'tra cu'."""
    nfd = unicodedata.normalize("NFD", nfc(text))
    bare = "".join(c for c in nfd if unicodedata.category(c) != "Mn")
    bare = bare.replace("đ", "d").replace("Đ", "D").lower()
    return re.sub(r"\s+", " ", bare).strip()


# Abbreviations of the kinds of unit, as staff type them: "TX Duyên Hải" is the town, not the
# rural district of the same name.
_ABBREVIATIONS = {
    "tp.": "thanh pho",
    "tp": "thanh pho",
    "tx.": "thi xa",
    "tx": "thi xa",
    "tt.": "thi tran",
    "tt": "thi tran",
    "h.": "huyen",
    "p.": "phuong",
    "x.": "xa",
}


def full_key(text: str) -> str:
    """The folded name with an abbreviated kind written out: 'TX Duyên Hải' -> 'thi xa duyen hai'."""
    key = fold(text)
    for short, full in _ABBREVIATIONS.items():
        if key.startswith(short + " ") or (
            short.endswith(".") and key.startswith(short) and len(key) > len(short)
        ):
            return full + " " + key[len(short) :].strip()
    return key


def loose_key(text: str) -> str:
    """The folded name without the word for its kind: 'huyện Trà Cú' -> 'tra cu'."""
    key = full_key(text)
    for word in _TYPE_WORDS:
        if key.startswith(word + " "):
            return key[len(word) + 1 :].strip()
    return key


def normalise_code(raw: object) -> str:
    """A unit code as typed: Excel turns '842' into 842.0; the text is the code."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = nfc(str(raw)).strip().upper()
    return text


@dataclass(frozen=True)
class UnitDef:
    code: str
    valid_from: dt.date
    valid_to: dt.date | None
    name: str
    type: str
    level: str
    parent_code: str | None


@dataclass(frozen=True)
class LineageDef:
    predecessor_code: str
    predecessor_valid_from: dt.date
    successor_code: str | None
    successor_valid_from: dt.date | None
    relation: str
    date: dt.date
    legal_act: str


def _date(text: str | None) -> dt.date | None:
    text = (text or "").strip()
    return dt.date.fromisoformat(text) if text else None


def load_unit_defs(path: Path = UNITS_FILE) -> list[UnitDef]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [
            UnitDef(
                code=row["code"].strip(),
                valid_from=_date(row["valid_from"]) or OPEN_START,
                valid_to=_date(row["valid_to"]),
                name=nfc(row["name"].strip()),
                type=row["type"].strip(),
                level=row["level"].strip(),
                parent_code=row["parent_code"].strip() or None,
            )
            for row in csv.DictReader(fh)
        ]


def load_lineage_defs(path: Path = LINEAGE_FILE) -> list[LineageDef]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [
            LineageDef(
                predecessor_code=row["predecessor_code"].strip(),
                predecessor_valid_from=_date(row["predecessor_valid_from"]) or OPEN_START,
                successor_code=row["successor_code"].strip() or None,
                successor_valid_from=(
                    (_date(row["successor_valid_from"]) or OPEN_START)
                    if row["successor_code"].strip()
                    else None
                ),
                relation=row["relation"].strip(),
                date=_date(row["date"]) or OPEN_START,
                legal_act=row["legal_act"].strip(),
            )
            for row in csv.DictReader(fh)
        ]


def _overlaps(a_from: dt.date, a_to: dt.date | None, b_from: dt.date, b_to: dt.date | None) -> bool:
    return a_from <= (b_to or dt.date.max) and b_from <= (a_to or dt.date.max)


def sync_units(session: Session, defs: Sequence[UnitDef], lineage: Sequence[LineageDef]) -> int:
    """Write units and lineage into the database (idempotent); returns rows added or changed."""
    changed = 0
    rows = {(u.code, u.valid_from): u for u in session.scalars(select(Unit))}
    for d in defs:
        values = {
            "valid_to": d.valid_to,
            "name": d.name,
            "name_key": fold(d.name),
            "type": d.type,
            "level": d.level,
        }
        row = rows.get((d.code, d.valid_from))
        if row is None:
            row = Unit(code=d.code, valid_from=d.valid_from, **values)
            session.add(row)
            rows[(d.code, d.valid_from)] = row
            changed += 1
        else:
            for name, value in values.items():
                if getattr(row, name) != value:
                    setattr(row, name, value)
                    changed += 1
    session.flush()
    by_code: dict[str, list[Unit]] = defaultdict(list)
    for row in rows.values():
        by_code[row.code].append(row)
    for d in defs:
        row = rows[(d.code, d.valid_from)]
        parent_id = None
        if d.parent_code:
            candidates = [
                p
                for p in by_code.get(d.parent_code, [])
                if _overlaps(p.valid_from, p.valid_to, d.valid_from, d.valid_to)
            ]
            if len(candidates) != 1:
                raise ValueError(
                    f"unit {d.code}: parent {d.parent_code} not found once in its time"
                )
            parent_id = candidates[0].id
        if row.parent_id != parent_id:
            row.parent_id = parent_id
            changed += 1
    existing = {
        (r.predecessor_id, r.successor_id, r.relation, r.date)
        for r in session.scalars(select(UnitLineage))
    }
    for ln in lineage:
        pred = rows[(ln.predecessor_code, ln.predecessor_valid_from)]
        succ = (
            rows[(ln.successor_code, ln.successor_valid_from)]
            if ln.successor_code and ln.successor_valid_from
            else None
        )
        key = (pred.id, succ.id if succ else None, ln.relation, ln.date)
        if key not in existing:
            session.add(
                UnitLineage(
                    predecessor_id=pred.id,
                    successor_id=succ.id if succ else None,
                    relation=ln.relation,
                    date=ln.date,
                    legal_act=ln.legal_act,
                )
            )
            existing.add(key)
            changed += 1
    session.flush()
    return changed


@dataclass(frozen=True)
class UnitInfo:
    """A unit as the queries and the importer see it."""

    id: int
    code: str
    name: str
    type: str
    level: str
    parent_id: int | None
    valid_from: dt.date
    valid_to: dt.date | None

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def valid_during(self, start: dt.date, end: dt.date) -> bool:
        return _overlaps(self.valid_from, self.valid_to, start, end)

    def valid_until_at_least(self, day: dt.date) -> bool:
        """Still existing on ``day`` (or later): no end, or an end on or after it."""
        return self.valid_to is None or self.valid_to >= day


def all_units(session: Session) -> list[UnitInfo]:
    """Every unit, as plain rows (a country's 11,000 units: 0.27 s as ORM objects, a tenth of
    that as rows)."""
    stmt = select(
        Unit.id,
        Unit.code,
        Unit.name,
        Unit.type,
        Unit.level,
        Unit.parent_id,
        Unit.valid_from,
        Unit.valid_to,
    ).order_by(Unit.code, Unit.valid_from)
    return [UnitInfo(*row) for row in session.execute(stmt)]


@dataclass(frozen=True)
class Lineage:
    """What became of a unit: its successor (None when abolished), the relation, the day."""

    predecessor_id: int
    successor_id: int | None
    relation: str
    date: dt.date
    legal_act: str


def lineage(session: Session) -> dict[int, list[Lineage]]:
    """The lineage table by predecessor id. Units are told apart by id, that is by (code,
    valid_from): a code reused after a merger is another unit, and a row naming a unit as its
    own successor is left out."""
    out: dict[int, list[Lineage]] = defaultdict(list)
    rows = session.scalars(select(UnitLineage).order_by(UnitLineage.date, UnitLineage.id))
    for r in rows:
        if r.successor_id == r.predecessor_id:
            continue
        out[r.predecessor_id].append(
            Lineage(r.predecessor_id, r.successor_id, r.relation, r.date, r.legal_act)
        )
    return dict(out)


class UnitMatchError(LookupError):
    def __init__(self, code: str, found: str, candidates: Sequence[UnitInfo] = ()) -> None:
        super().__init__(f"{code}: {found!r}")
        self.code = code  # unknown_unit | ambiguous_unit
        self.found = found
        self.candidates = list(candidates)


class UnitDirectory:
    """The units that existed during one quarter, found by code or by name."""

    def __init__(self, units: Iterable[UnitInfo], start: dt.date, end: dt.date) -> None:
        self.units = [u for u in units if u.valid_during(start, end)]
        self.by_id = {u.id: u for u in self.units}
        self.by_code = {u.code: u for u in self.units}

    @functools.cached_property
    def _names(self) -> tuple[dict[str, list[UnitInfo]], dict[str, list[UnitInfo]]]:
        """Units by folded name and by name without its kind, made at the first search by
        name (uploads and reports; the leaders' pages never search by name, and folding a
        country's names takes 0.35 s)."""
        by_name: dict[str, list[UnitInfo]] = defaultdict(list)
        by_loose: dict[str, list[UnitInfo]] = defaultdict(list)
        for u in self.units:
            by_name[fold(u.name)].append(u)
            by_loose[loose_key(u.name)].append(u)
        return by_name, by_loose

    def children(self, unit_id: int) -> list[UnitInfo]:
        return [u for u in self.units if u.parent_id == unit_id]

    def find(
        self,
        code: object = None,
        name: str | None = None,
        within: UnitInfo | None = None,
        levels: Sequence[str] = (),
    ) -> UnitInfo:
        """A unit by code (preferred) or by name, within a parent unit and among the given
        levels when those are given."""
        if code is not None and str(code).strip():
            key = normalise_code(code)
            unit = self.by_code.get(key)
            if unit is not None and (not levels or unit.level in levels):
                return unit
            raise UnitMatchError("unknown_unit", key)
        if not name or not name.strip():
            raise UnitMatchError("unknown_unit", "")
        by_name, by_loose = self._names
        for table, key in ((by_name, full_key(name)), (by_loose, loose_key(name))):
            found = table.get(key, [])
            if within is not None:
                found = [u for u in found if u.parent_id == within.id or u.id == within.id]
            if levels:
                found = [u for u in found if u.level in levels]
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise UnitMatchError("ambiguous_unit", name, found)
        raise UnitMatchError("unknown_unit", name)


def district_codes(session: Session) -> dict[int, tuple[str, str | None]]:
    """Each unit id -> (its code, the code of its district): a district is its own district, a
    commune its parent's; the province and its agencies have none. Scope checks use this."""
    rows = session.execute(select(Unit.id, Unit.code, Unit.level, Unit.parent_id)).all()
    by_id = {r.id: r for r in rows}
    out: dict[int, tuple[str, str | None]] = {}
    for r in rows:
        if r.level == "district":
            out[r.id] = (r.code, r.code)
        elif r.level == "commune" and r.parent_id in by_id:
            out[r.id] = (r.code, by_id[r.parent_id].code)
        else:
            out[r.id] = (r.code, None)
    return out
