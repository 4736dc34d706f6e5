"""The indicator catalogue: domain data in ``data/indicators.toml``, mirrored into the database.

Names in each language, units of measure and definitions belong here (not in the locale files).
Derived figures are defined by formulas over other codes and are computed, never typed in.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kpi.config import DATA_DIR
from kpi.models import KINDS, LEVELS, Indicator, IndicatorGroup
from kpi.numbers import nfc

CATALOGUE_FILE = DATA_DIR / "indicators.toml"
DIRECTIONS = ("up", "down", "neutral")
RULE_KINDS = ("parts_le_total", "parts_eq_total", "part_le_total")


class CatalogueError(ValueError):
    """The catalogue file contradicts itself."""


@dataclass(frozen=True)
class Group:
    code: str
    order: int
    name_vi: str
    name_en: str

    def name(self, lang: str) -> str:
        return self.name_vi if lang == "vi" else self.name_en


@dataclass(frozen=True)
class HistoryCheck:
    """How a new figure is compared with the same unit's previous quarter before it is stored
    (``[history_check]`` in the catalogue, overridden per indicator): a value ``jump_factor``
    times larger or smaller than the previous one, when both are at least ``jump_floor`` (the
    separator slip: 3.875 for 38.751); a stock that falls by more than ``stock_drop`` (a share
    of the previous value); a flow at zero after a non-zero quarter (``flow_zero``). ``None``
    (``false`` in the file) turns a check off."""

    jump_factor: Decimal | None = Decimal(8)
    jump_floor: Decimal = Decimal(20)
    stock_drop: Decimal | None = Decimal("0.5")
    flow_zero: bool = True


@dataclass(frozen=True)
class IndicatorDef:
    code: str
    group: str
    order: int
    name_vi: str
    name_en: str
    unit_vi: str
    unit_en: str
    kind: str
    direction: str
    decimals: int
    levels: tuple[str, ...]
    definition_vi: str
    definition_en: str
    definition_version: str
    percent: bool = False
    key: bool = False
    active: bool = True
    formula: tuple[str, ...] = ()
    numerator: tuple[str, ...] = ()
    denominator: tuple[str, ...] = ()
    history: HistoryCheck = HistoryCheck()
    #: the figure counts units of this level (agencies, district, commune): it cannot exceed
    #: how many the province has in the quarter
    at_most_units: str | None = None

    def name(self, lang: str) -> str:
        return self.name_vi if lang == "vi" else self.name_en

    def unit(self, lang: str) -> str:
        return self.unit_vi if lang == "vi" else self.unit_en

    def definition(self, lang: str) -> str:
        return self.definition_vi if lang == "vi" else self.definition_en

    @property
    def is_ratio(self) -> bool:
        return self.kind == "ratio"

    @property
    def is_derived(self) -> bool:
        """Computed from other figures (a formula or a ratio), never typed in."""
        return bool(self.formula) or self.is_ratio

    @property
    def inputs(self) -> tuple[str, ...]:
        """The codes a derived figure is computed from."""
        return self.formula or (self.numerator + self.denominator)

    @property
    def whole(self) -> bool:
        """Counts are whole numbers: ``1,5`` dossiers is an error."""
        return self.kind in ("flow", "stock") and not self.percent and self.decimals == 0

    @property
    def fraction(self) -> bool:
        """Stored as a share (0.9957) and shown as a percentage."""
        return self.is_ratio


@dataclass(frozen=True)
class Rule:
    code: str
    kind: str
    total: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    version: str
    groups: dict[str, Group]
    indicators: dict[str, IndicatorDef]
    rules: tuple[Rule, ...] = field(default=())
    #: province code -> how many provincial agencies it has (they report as one unit, 84-CQ,
    #: so the units table cannot tell)
    agency_counts: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, code: str) -> IndicatorDef:
        return self.indicators[code]

    def __contains__(self, code: object) -> bool:
        return code in self.indicators

    def ordered(self, codes: Iterable[str] | None = None) -> list[IndicatorDef]:
        """Indicators in report order (group, then order in the group)."""
        chosen = self.indicators.values() if codes is None else [self.indicators[c] for c in codes]
        return sorted(chosen, key=lambda i: (self.groups[i.group].order, i.order, i.code))

    def stored(self) -> list[IndicatorDef]:
        """Indicators whose values are typed in (not derived)."""
        return [i for i in self.ordered() if not i.is_derived and i.active]

    def at_level(self, level: str) -> list[IndicatorDef]:
        return [i for i in self.ordered() if level in i.levels and i.active]

    def key_indicators(self) -> list[IndicatorDef]:
        return [i for i in self.ordered() if i.key and i.active]

    def derived_from(self, code: str) -> list[IndicatorDef]:
        return [i for i in self.ordered() if code in i.inputs]


def _tuple(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    raise CatalogueError(f"expected a list of codes, not {value!r}")


_HISTORY_KEYS = ("jump_factor", "jump_floor", "stock_drop", "flow_zero")


def _history(raw: object, default: HistoryCheck, where: str) -> HistoryCheck:
    """A ``history_check`` table over ``default``; ``false`` for a number turns that check off,
    ``history_check = false`` all of them."""
    if raw is None:
        return default
    if raw is False:
        return HistoryCheck(None, default.jump_floor, None, False)
    if not isinstance(raw, dict) or set(raw) - set(_HISTORY_KEYS):
        raise CatalogueError(f"{where}: history_check takes {', '.join(_HISTORY_KEYS)}")

    def number(key: str, current: Decimal | None) -> Decimal | None:
        if key not in raw:
            return current
        value = raw[key]
        if value is False:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise CatalogueError(f"{where}: history_check.{key} is a number >= 0 or false")
        return Decimal(str(value))

    floor = number("jump_floor", default.jump_floor)
    return HistoryCheck(
        number("jump_factor", default.jump_factor),
        default.jump_floor if floor is None else floor,
        number("stock_drop", default.stock_drop),
        bool(raw.get("flow_zero", default.flow_zero)),
    )


def parse_catalogue(data: dict[str, object]) -> Catalogue:
    defaults = _history(data.get("history_check"), HistoryCheck(), "history_check")
    groups = {}
    for raw in data.get("group", []):  # type: ignore[attr-defined]
        g = Group(raw["code"], int(raw["order"]), nfc(raw["name_vi"]), nfc(raw["name_en"]))
        groups[g.code] = g
    indicators: dict[str, IndicatorDef] = {}
    for raw in data.get("indicator", []):  # type: ignore[attr-defined]
        ind = IndicatorDef(
            code=raw["code"],
            group=raw["group"],
            order=int(raw.get("order", 0)),
            name_vi=nfc(raw["name_vi"]),
            name_en=nfc(raw["name_en"]),
            unit_vi=nfc(raw["unit_vi"]),
            unit_en=nfc(raw["unit_en"]),
            kind=raw["kind"],
            direction=raw.get("direction", "up"),
            decimals=int(raw.get("decimals", 0)),
            levels=_tuple(raw.get("levels", ["province"])),
            definition_vi=nfc(raw["definition_vi"]),
            definition_en=nfc(raw["definition_en"]),
            definition_version=str(raw.get("definition_version", "")),
            percent=bool(raw.get("percent", False)),
            key=bool(raw.get("key", False)),
            active=bool(raw.get("active", True)),
            formula=_tuple(raw.get("formula")),
            numerator=_tuple(raw.get("numerator")),
            denominator=_tuple(raw.get("denominator")),
            history=_history(raw.get("history_check"), defaults, f"indicator {raw['code']}"),
            at_most_units=raw.get("at_most_units"),
        )
        if ind.code in indicators:
            raise CatalogueError(f"indicator {ind.code} is defined twice")
        indicators[ind.code] = ind
    rules = tuple(
        Rule(r["code"], r["kind"], r["total"], _tuple(r["parts"]))
        for r in data.get("rule", [])  # type: ignore[attr-defined]
    )
    agencies = data.get("agency_count", {})
    if not isinstance(agencies, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in agencies.values()
    ):
        raise CatalogueError("agency_count maps a province code to a whole number of agencies")
    cat = Catalogue(
        str(data.get("catalogue_version", "")),
        groups,
        indicators,
        rules,
        {str(k): int(v) for k, v in agencies.items()},
    )
    check_catalogue(cat)
    return cat


def check_catalogue(cat: Catalogue) -> None:
    """Raise CatalogueError on the first contradiction in the catalogue."""
    for ind in cat.indicators.values():
        where = f"indicator {ind.code}"
        if ind.group not in cat.groups:
            raise CatalogueError(f"{where}: unknown group {ind.group}")
        if ind.kind not in KINDS:
            raise CatalogueError(f"{where}: kind must be one of {KINDS}")
        if ind.direction not in DIRECTIONS:
            raise CatalogueError(f"{where}: direction must be one of {DIRECTIONS}")
        if not set(ind.levels) <= set(LEVELS) or not ind.levels:
            raise CatalogueError(f"{where}: levels must be among {LEVELS}")
        if ind.is_ratio and (not ind.numerator or not ind.denominator or ind.formula):
            raise CatalogueError(f"{where}: a ratio has a numerator and a denominator, no formula")
        if not ind.is_ratio and (ind.numerator or ind.denominator):
            raise CatalogueError(f"{where}: only ratios have a numerator and a denominator")
        if ind.at_most_units is not None and ind.at_most_units not in (
            "agencies",
            "district",
            "commune",
        ):
            raise CatalogueError(f"{where}: at_most_units is agencies, district or commune")
        if ind.formula and ind.kind not in ("flow", "stock"):
            raise CatalogueError(f"{where}: a derived sum is a flow or a stock")
        for code in ind.inputs:
            if code not in cat.indicators:
                raise CatalogueError(f"{where}: refers to unknown indicator {code}")
            if cat.indicators[code].is_derived:
                raise CatalogueError(f"{where}: refers to derived indicator {code}")
    for rule in cat.rules:
        if rule.kind not in RULE_KINDS:
            raise CatalogueError(f"rule {rule.code}: kind must be one of {RULE_KINDS}")
        for code in (rule.total, *rule.parts):
            if code not in cat.indicators:
                raise CatalogueError(f"rule {rule.code}: unknown indicator {code}")


@lru_cache(maxsize=4)
def load_catalogue(path: Path = CATALOGUE_FILE) -> Catalogue:
    with path.open("rb") as fh:
        return parse_catalogue(tomllib.load(fh))


def sync_catalogue(session: Session, cat: Catalogue) -> int:
    """Write the catalogue into the database; returns how many rows were added or changed.

    Idempotent: a second run changes nothing. Indicators no longer in the file are marked
    inactive (their figures stay).
    """
    changed = 0
    existing_groups = {g.code: g for g in session.scalars(select(IndicatorGroup))}
    for g in cat.groups.values():
        values = {"order": g.order, "name_vi": g.name_vi, "name_en": g.name_en}
        changed += _upsert(
            session, existing_groups.get(g.code), IndicatorGroup, {"code": g.code}, values
        )
    session.flush()
    existing = {i.code: i for i in session.scalars(select(Indicator))}
    for ind in cat.indicators.values():
        values = {
            "group_code": ind.group,
            "order": ind.order,
            "name_vi": ind.name_vi,
            "name_en": ind.name_en,
            "unit_vi": ind.unit_vi,
            "unit_en": ind.unit_en,
            "kind": ind.kind,
            "direction": ind.direction,
            "decimals": ind.decimals,
            "percent": ind.percent,
            "key": ind.key,
            "levels": list(ind.levels),
            "formula": list(ind.formula) or None,
            "numerator": list(ind.numerator) or None,
            "denominator": list(ind.denominator) or None,
            "definition_vi": ind.definition_vi,
            "definition_en": ind.definition_en,
            "definition_version": ind.definition_version,
            "active": ind.active,
        }
        changed += _upsert(session, existing.get(ind.code), Indicator, {"code": ind.code}, values)
    for code, row in existing.items():
        if code not in cat.indicators and row.active:
            row.active = False
            changed += 1
    session.flush()
    return changed


def _upsert(
    session: Session,
    row: object | None,
    model: type,
    key: dict[str, object],
    values: dict[str, object],
) -> int:
    if row is None:
        session.add(model(**key, **values))
        return 1
    dirty = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            dirty = True
    return int(dirty)
