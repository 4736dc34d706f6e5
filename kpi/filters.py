"""The filters of an analyst's table, declared as data (DESIGN.md sections 1 and 10).

One frozen :class:`Filters` value says which table to build: indicators, units (a unit itself,
or with ``children`` the units one level down), a quarter range, quarterly or yearly figures,
revised values and sources or not, a long or a wide layout, the language and the kind of
column headers. :data:`FIELDS` declares every filter once, with its URL parameter (also the
command line's option) and its choices; the labels, help texts and the words of each choice
live in the locale files under ``export.filter``, ``export.help`` and ``export.choice``. From
that one declaration come the page address (:meth:`Filters.to_params`,
:meth:`Filters.from_params`), the command line's options, and the filters in words
(:meth:`Selection.describe`, :meth:`Selection.in_words`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from kpi.catalogue import Catalogue
from kpi.config import LANGUAGES
from kpi.i18n import t
from kpi.models import LEVELS
from kpi.numbers import nfc
from kpi.periods import Period, PeriodError, year_label
from kpi.queries import Query
from kpi.units import UnitInfo, normalise_code

FREQS = ("quarter", "year")
LAYOUTS = ("long", "wide")
ACROSS = ("periods", "units")
HEADERS = ("names", "codes")

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


@dataclass(frozen=True)
class Field:
    """One filter: the attribute of :class:`Filters`, its URL parameter and command-line option
    (``--param``), its kind (``codes`` repeatable, ``flag``, ``choice``, ``period``) and the
    allowed values of a choice."""

    attr: str
    param: str
    kind: str
    choices: tuple[str, ...] = ()

    def label(self, lang: str) -> str:
        return t(f"export.filter.{self.attr}", lang)

    def help(self, lang: str) -> str:
        return t(f"export.help.{self.attr}", lang)


FIELDS: tuple[Field, ...] = (
    Field("indicators", "indicator", "codes"),
    Field("units", "unit", "codes"),
    Field("children", "children", "flag"),
    Field("first", "from", "period"),
    Field("last", "to", "period"),
    Field("freq", "freq", "choice", FREQS),
    Field("history", "history", "flag"),
    Field("sources", "sources", "flag"),
    Field("layout", "layout", "choice", LAYOUTS),
    Field("across", "across", "choice", ACROSS),
    Field("lang", "lang", "choice", LANGUAGES),
    Field("header", "header", "choice", HEADERS),
)

#: errors that are the user's typing (exit code 2 on the command line) rather than a refusal
USAGE_ERRORS = frozenset(
    {"bad_choice", "bad_period", "bad_flag", "empty_range", "history_long_quarter", "sources_long"}
)


class FilterError(ValueError):
    """A filter that cannot be used; ``code`` names the message ``export.error.<code>``."""

    def __init__(self, code: str, value: str = "", field: str = "") -> None:
        super().__init__(f"{code}: {field} {value!r}".replace("  ", " "))
        self.code = code
        self.value = value
        self.field = field

    def message(self, lang: str) -> str:
        return t(f"export.error.{self.code}", lang, value=self.value, field=self.field)

    @property
    def is_usage(self) -> bool:
        return self.code in USAGE_ERRORS


@dataclass(frozen=True)
class Filters:
    """What table to build. Every value is checked and normalised when the object is made:
    codes are stripped (unit codes upper-cased), quarters become ``2019-Q1``."""

    indicators: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    children: bool = False
    first: str | None = None
    last: str | None = None
    freq: str = "quarter"
    history: bool = False
    sources: bool = False
    layout: str = "long"
    across: str = "periods"
    lang: str = "vi"
    header: str = "names"

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "indicators", _dedupe(nfc(str(c)).strip() for c in self.indicators))
        put(self, "units", _dedupe(normalise_code(c) for c in self.units))
        for field in FIELDS:
            value = getattr(self, field.attr)
            if field.kind == "choice" and value not in field.choices:
                raise FilterError("bad_choice", str(value), field.param)
            if field.kind == "period" and value is not None:
                try:
                    put(self, field.attr, Period.parse(str(value)).code)
                except PeriodError as exc:
                    raise FilterError("bad_period", str(value), field.param) from exc
        if self.first and self.last and Period.parse(self.first) > Period.parse(self.last):
            raise FilterError("empty_range", self.first)
        if self.history and (self.freq != "quarter" or self.layout != "long"):
            raise FilterError("history_long_quarter")
        if self.sources and self.layout != "long":
            raise FilterError("sources_long")

    def replace(self, **changes: object) -> Filters:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    # -- the page address and the command line -------------------------------------------

    def to_params(self) -> dict[str, str | list[str]]:
        """The filters as URL query parameters, defaults left out, in the order of FIELDS."""
        default = Filters()
        out: dict[str, str | list[str]] = {}
        for field in FIELDS:
            value = getattr(self, field.attr)
            if value == getattr(default, field.attr):
                continue
            if field.kind == "codes":
                out[field.param] = list(value)
            elif field.kind == "flag":
                out[field.param] = "1"
            else:
                out[field.param] = str(value)
        return out

    def to_query(self) -> str:
        """``indicator=a&indicator=b&from=2019-Q1…``: a link's query string."""
        return urlencode(self.to_params(), doseq=True)

    @classmethod
    def from_params(cls, params: Mapping[str, str | Sequence[str]]) -> Filters:
        """Filters from URL parameters or command-line options. A repeated parameter gives a
        list; a list parameter also takes comma-separated codes. Unknown parameters are left
        alone (the page address carries others)."""
        values: dict[str, object] = {}
        for field in FIELDS:
            if field.param not in params:
                continue
            raw = params[field.param]
            items = [raw] if isinstance(raw, str) else [str(r) for r in raw]
            if field.kind == "codes":
                values[field.attr] = tuple(
                    code.strip() for item in items for code in item.split(",") if code.strip()
                )
                continue
            last = items[-1].strip() if items else ""
            if field.kind == "flag":
                if last.lower() not in _TRUE + _FALSE:
                    raise FilterError("bad_flag", last, field.param)
                values[field.attr] = last.lower() in _TRUE
            elif field.kind == "period":
                values[field.attr] = last or None
            else:
                values[field.attr] = last.lower()
        return cls(**values)  # type: ignore[arg-type]


def _dedupe(items: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for item in items:
        if item and item not in out:
            out.append(item)
    return tuple(out)


# -- resolution: codes to indicators, unit ids and quarters ------------------------------------


def unit_sort_key(unit: UnitInfo) -> tuple[int, int, str, str]:
    """Province, provincial agencies, districts, communes; by code within a level."""
    rank = LEVELS.index(unit.level) if unit.level in LEVELS else len(LEVELS)
    return (rank, len(unit.code), unit.code, unit.valid_from.isoformat())


def resolve_units(
    codes: Sequence[str], children: bool, units: Sequence[UnitInfo], first: str, last: str
) -> list[UnitInfo]:
    """The units of ``codes`` among those valid during any quarter of ``first``..``last``.

    A code selects that unit itself (a code reused after a merger selects each unit that bore
    it during the range); with ``children``, the units one level down instead. No codes: every
    unit of the range.
    """
    start, end = Period.parse(first).start, Period.parse(last).end
    valid = [u for u in units if u.valid_during(start, end)]
    if not codes:
        chosen = valid
    else:
        chosen = []
        for code in codes:
            hits = [u for u in valid if u.code == code]
            if not hits:
                raise FilterError("unknown_unit", code)
            if children:
                ids = {h.id for h in hits}
                kids = [u for u in valid if u.parent_id in ids]
                if not kids:
                    raise FilterError("no_children", code)
                chosen.extend(kids)
            else:
                chosen.extend(hits)
    seen: set[int] = set()
    out = []
    for unit in sorted(chosen, key=unit_sort_key):
        if unit.id not in seen:
            seen.add(unit.id)
            out.append(unit)
    return out


@dataclass(frozen=True)
class Selection:
    """Filters made concrete: the indicator codes in report order, the units, the quarters."""

    filters: Filters
    catalogue: Catalogue
    indicators: tuple[str, ...]
    units: tuple[UnitInfo, ...]
    first: str
    last: str
    all_units: tuple[UnitInfo, ...] = ()

    @property
    def query(self) -> Query:
        return Query(
            self.indicators,
            tuple(u.id for u in self.units),
            self.first,
            self.last,
            self.filters.freq,
        )

    @property
    def lang(self) -> str:
        return self.filters.lang

    # -- in words ----------------------------------------------------------------------------

    def describe(self, lang: str | None = None) -> str:
        """The table in one sentence: "Hồ sơ tiếp nhận, 9 huyện, Quý I/2019 - Quý IV/2020,
        theo quý"."""
        lang = lang or self.lang
        parts = [
            self.indicators_in_words(lang, short=True),
            self.units_in_words(lang, short=True),
            self.periods_in_words(lang),
            t(f"export.choice.freq.{self.filters.freq}", lang),
        ]
        if self.filters.history:
            parts.append(t("export.describe.history", lang))
        if self.filters.sources:
            parts.append(t("export.describe.sources", lang))
        return ", ".join(parts)

    def indicators_in_words(self, lang: str, short: bool = False) -> str:
        if not self.filters.indicators:
            return t("export.describe.all_indicators", lang)
        names = [self.catalogue[c].name(lang) for c in self.indicators]
        if short and len(names) > 3:
            chosen = set(self.indicators)
            for group in sorted(self.catalogue.groups.values(), key=lambda g: g.order):
                members = {
                    i.code for i in self.catalogue.ordered() if i.group == group.code and i.active
                }
                if members == chosen:
                    return group.name(lang)
            return t("export.describe.n_indicators", lang, n=len(names))
        return "; ".join(names)

    def units_in_words(self, lang: str, short: bool = False) -> str:
        f = self.filters
        if not f.units:
            return t("export.describe.all_units", lang)
        if f.children:
            parts = []
            for code in f.units:
                parents = [u for u in self.all_units if u.code == code] or [
                    u for u in self.units if u.code == code
                ]
                name = parents[0].name if parents else code
                ids = {p.id for p in parents}
                kids = [u for u in self.units if u.parent_id in ids]
                key = (
                    "communes_of"
                    if kids and all(k.level == "commune" for k in kids)
                    else "units_under"
                )
                parts.append(t(f"export.describe.{key}", lang, parent=name))
            return "; ".join(parts)
        if len(self.units) <= 3 or not short:
            return "; ".join(u.name for u in self.units)
        counts: dict[str, int] = {}
        for u in self.units:
            counts[u.level] = counts.get(u.level, 0) + 1
        return ", ".join(
            t(f"export.describe.count.{level}", lang, n=n) for level, n in counts.items()
        )

    def periods_in_words(self, lang: str) -> str:
        a, b = Period.parse(self.first), Period.parse(self.last)
        if self.filters.freq == "year" and a.quarter == 1 and b.quarter == 4:
            first, last = year_label(a.year, lang), year_label(b.year, lang)
        else:
            first, last = a.label(lang), b.label(lang)
        return first if first == last else t("export.describe.range", lang, first=first, last=last)

    def in_words(self, lang: str | None = None) -> list[tuple[str, str]]:
        """Every filter as (label, value in words), in the order of FIELDS (the About sheet)."""
        lang = lang or self.lang
        rows: list[tuple[str, str]] = []
        for field in FIELDS:
            value = getattr(self.filters, field.attr)
            if field.attr == "indicators":
                text = self.indicators_in_words(lang)
            elif field.attr == "units":
                text = self.units_in_words(lang)
            elif field.attr in ("first", "last"):
                text = Period.parse(self.first if field.attr == "first" else self.last).label(lang)
            elif field.kind == "flag":
                text = t(f"export.choice.flag.{'yes' if value else 'no'}", lang)
            else:
                text = t(f"export.choice.{field.attr}.{value}", lang)
            rows.append((field.label(lang), text))
        return rows


def resolve(
    filters: Filters,
    catalogue: Catalogue,
    units: Sequence[UnitInfo],
    periods: Sequence[str] | Callable[[], Sequence[str]] = (),
) -> Selection:
    """The concrete selection of ``filters``. ``periods`` (the quarters with figures, or a
    function giving them) is only read when the range is open at one end."""
    if filters.indicators:
        for code in filters.indicators:
            if code not in catalogue:
                raise FilterError("unknown_indicator", code)
        codes = tuple(i.code for i in catalogue.ordered(filters.indicators))
    else:
        codes = tuple(i.code for i in catalogue.ordered() if i.active)
    first, last = filters.first, filters.last
    if first is None or last is None:
        known = list(periods() if callable(periods) else periods)
        if not known:
            raise FilterError("no_data")
        first = first or min(known)
        last = last or max(known)
        if Period.parse(first) > Period.parse(last):
            raise FilterError("empty_range", first)
    chosen = resolve_units(filters.units, filters.children, units, first, last)
    return Selection(filters, catalogue, codes, tuple(chosen), first, last, tuple(units))
