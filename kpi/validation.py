"""Validating figures read from a workbook, before anything is written (DESIGN.md section 7).

The reader (``loaders.workbook``) knows where cells are; this module knows what they mean. It
takes the reader's :class:`RawEntry` objects (one per filled value cell, with the codes or names
found along the edges of its sheet), the workbook's :class:`Metadata` and the reader's structural
:class:`Issue` objects, and returns :class:`Validated`: the figures to store
(``kpi.store.Figure`` with their sheet and cell) and every :class:`Problem`.

A problem is ``severity`` (``error`` | ``warning``), a stable ``code``, the ``sheet`` and ``cell``
(A1 form) it is about, what was ``found``, what was ``expected`` and a ``message`` in the user's
language (``t("import.problem.<code>")`` from ``kpi/locales/import.*.toml``). One error anywhere
means nothing of the file is stored; warnings are shown and the file may still be imported.

The rules, with their codes:

- codes: ``unknown_indicator`` (a code along the code edge that the catalogue does not know, when
  its cells hold values), ``wrong_level`` (an indicator not reported at that unit's level),
  ``unknown_unit``, ``ambiguous_unit`` (a name that fits two units: type the code),
  ``unit_not_in_period`` (the unit did not exist in that quarter), ``unit_name_mismatch`` (the
  code and the name of a row are two different units: a row sorted without its code);
- the period and province: ``period_missing``, ``period_invalid``, ``period_mismatch`` (the
  metadata against the quarter the user chose), ``province_mismatch``, ``metadata_missing`` and
  ``template_version_unknown`` (warnings);
- values: ``formula_without_value``, ``formula_error``, ``date_value``, ``not_a_number``,
  ``ambiguous_number``, ``not_whole_number`` (``kpi.numbers.parse_number``, whole numbers for
  counts), ``unexpected_percent``, ``negative_count``, ``negative_value``,
  ``number_too_long`` (a figure the database would not keep exactly: 10^18 or more, or over 15
  significant digits with a fraction; :func:`kpi.numbers.storable`),
  ``percent_out_of_range`` (percentages outside 0-100), ``percent_as_fraction`` (warning: 0,9
  typed for 90 %), ``unknown_qualifier``, ``qualifier_conflict``, ``duplicate_figure``;
- number formats (``RawEntry.shown_as``): a cell shown as a percentage is its shown value in a
  0-100 percentage (0,92 shown as 92% is 92) and ``unexpected_percent`` elsewhere; a date or a
  time shown in a number cell is ``date_value`` naming what the spreadsheet shows (``1-May``); a
  format that scales what is shown (``#,##0,`` shows 38751 as 39) is ``scaled_format``;
- between cells (only when every figure involved is exact): ``part_exceeds_total`` and
  ``parts_exceed_total`` (reported at the part, naming the total and the other parts),
  ``parts_sum_mismatch`` (online + in person = received), ``derived_mismatch`` (a derived figure
  typed in, such as the 516 services, differs from its parts; derived figures are never stored),
  ``derived_not_checked`` (warning: typed without its parts), ``province_sum_mismatch`` (warning:
  agencies + districts differ from the province) and ``district_sum_mismatch`` (warning: the
  communes add up to a different figure than their district);
- structure (found by the reader): ``no_data_sheet``, ``no_unit_column``, ``no_figures``,
  ``row_without_unit``, ``total_row_ignored`` and ``note_row_ignored`` (warnings).

Units given by name are matched with :meth:`kpi.units.UnitDirectory.find`, within their district
when the sheet names one, tone- and case-insensitively; a name that still fits two units is an
error that asks for the code.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from typing import Any

from kpi.access import Actor
from kpi.catalogue import Catalogue, IndicatorDef
from kpi.display import format_figure
from kpi.i18n import has, t
from kpi.numbers import STORED_DECIMALS, NumberError, format_number, nfc, parse_number, storable
from kpi.numformats import ShownAs, render_date, render_number
from kpi.periods import Period, PeriodError
from kpi.queries import Previous
from kpi.store import Figure
from kpi.units import UnitDirectory, UnitInfo, UnitMatchError, fold, loose_key, normalise_code

#: the version of the template layout written by ``loaders.template`` and understood here
TEMPLATE_VERSION = "1"
KNOWN_TEMPLATE_VERSIONS = frozenset({TEMPLATE_VERSION})

#: values are kept to this many decimals (the database stores six)
MAX_DECIMALS = STORED_DECIMALS

WARNING_CODES = frozenset(
    {
        "metadata_missing",
        "template_version_unknown",
        "percent_as_fraction",
        "derived_not_checked",
        "province_sum_mismatch",
        "district_sum_mismatch",
        "row_without_unit",
        "total_row_ignored",
        "note_row_ignored",
        "jump_from_previous",
        "stock_drop",
        "flow_to_zero",
    }
)

#: warnings that must be acknowledged before anything is stored: likely typos, each at its cell
#: (the Upload page's "Tôi đã kiểm tra các số liệu này", ``kpi import --accept-warnings``)
ACK_CODES = frozenset({"jump_from_previous", "stock_drop", "flow_to_zero", "percent_as_fraction"})

#: problems that make a file unreadable (the command line exits with 2 for them)
FILE_CODES = frozenset(
    {
        "file_not_found",
        "file_too_large",
        "empty_file",
        "not_a_spreadsheet",
        "not_a_workbook",
        "unsupported_format",
        "encrypted",
        "corrupt",
        "macro_enabled",
        "external_links",
        "xml_bomb",
        "sheet_too_large",
    }
)

#: every code a problem can have (the locale files carry a message for each)
PROBLEM_CODES = (
    FILE_CODES
    | WARNING_CODES
    | frozenset(
        {
            "no_data_sheet",
            "no_unit_column",
            "no_figures",
            "period_missing",
            "period_invalid",
            "period_mismatch",
            "province_mismatch",
            "formula_without_value",
            "formula_error",
            "date_value",
            "not_a_number",
            "ambiguous_number",
            "not_whole_number",
            "unexpected_percent",
            "negative_count",
            "negative_value",
            "number_too_long",
            "percent_out_of_range",
            "unknown_qualifier",
            "qualifier_conflict",
            "unknown_indicator",
            "wrong_level",
            "unknown_unit",
            "ambiguous_unit",
            "unit_not_in_period",
            "unit_name_mismatch",
            "duplicate_figure",
            "part_exceeds_total",
            "parts_exceed_total",
            "parts_sum_mismatch",
            "derived_mismatch",
            "scaled_format",
            "units_exceed_existing",
        }
    )
)

#: what the qualifier column (and its list) accepts, by folded text
_QUALIFIER_WORDS = {
    "exact": ("chính xác", "đúng", "exact", "=", "exactly"),
    "approx": ("khoảng", "xấp xỉ", "gần", "ước tính", "about", "approx", "approximately", "~", "≈"),
    "at_least": (
        "trên",
        "hơn",
        "ít nhất",
        "tối thiểu",
        "over",
        "more than",
        "at least",
        ">",
        ">=",
        "≥",
    ),
    "at_most": ("dưới", "không quá", "tối đa", "under", "less than", "at most", "<", "<=", "≤"),
}
QUALIFIER_BY_WORD: dict[str, str] = {
    fold(word): code for code, words in _QUALIFIER_WORDS.items() for word in (*words, code)
}
#: the Vietnamese labels offered by the template's list, in order
QUALIFIER_LIST_VI = ("chính xác", "khoảng", "trên", "dưới")

_EXCEL_ERRORS = (
    "#DIV/0!",
    "#N/A",
    "#NAME?",
    "#NULL!",
    "#NUM!",
    "#REF!",
    "#VALUE!",
    "#SPILL!",
    "#CALC!",
)


# --------------------------------------------------------------------------------------------
# What the reader hands over
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RawEntry:
    """One filled value cell, as the reader found it (nothing interpreted yet).

    ``unit_code``/``unit_name`` are what the row (or column) of the cell says about its unit;
    ``parent_code``/``parent_name`` the district it belongs to, when the sheet has such a column.
    ``levels`` are the unit levels a unit *named* in this sheet may have (a name in the district
    grid is a district or the agencies, never the commune of the same name).
    ``formula`` is ``"no_value"`` for a formula saved without its result, or the Excel error it
    evaluated to (``#DIV/0!``).
    """

    sheet: str
    cell: str
    indicator: str
    indicator_cell: str
    value: object
    unit_code: object = None
    unit_name: str | None = None
    unit_cell: str | None = None
    parent_code: object = None
    parent_name: str | None = None
    parent_cell: str | None = None
    qualifier: str | None = None
    qualifier_cell: str | None = None
    formula: str | None = None
    levels: tuple[str, ...] = ()
    #: what the cell's number format does to the number shown (``kpi.numformats``): a percent,
    #: a date or a scaling format; None when the cell shows the number it stores
    shown_as: ShownAs | None = None


@dataclass(frozen=True)
class MetaValue:
    value: object
    sheet: str
    cell: str


@dataclass(frozen=True)
class Metadata:
    """The key/value pairs of the template's metadata sheet (``period``, ``province_code``,
    ``template_version`` …), each with where it was found."""

    values: Mapping[str, MetaValue] = field(default_factory=dict)

    def get(self, key: str) -> MetaValue | None:
        return self.values.get(key)

    def text(self, key: str) -> str | None:
        found = self.values.get(key)
        if found is None:
            return None
        return cell_text(found.value) or None


@dataclass(frozen=True)
class Issue:
    """A problem the reader found in the layout, language-free; validation gives it words."""

    code: str
    sheet: str | None = None
    cell: str | None = None
    found: str | None = None
    params: tuple[tuple[str, str], ...] = ()


# --------------------------------------------------------------------------------------------
# Problems
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    severity: str  # error | warning
    code: str
    sheet: str | None
    cell: str | None
    found: str | None
    expected: str | None
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def needs_ack(self) -> bool:
        """A likely typo: the figures are stored only once a person says they checked it."""
        return not self.is_error and self.code in ACK_CODES

    def to_dict(self) -> dict[str, str | bool | None]:
        return {**asdict(self), "needs_ack": self.needs_ack}


def make_problem(
    code: str,
    lang: str,
    *,
    sheet: str | None = None,
    cell: str | None = None,
    found: object = None,
    expected: str | None = None,
    severity: str | None = None,
    **params: object,
) -> Problem:
    """A problem with its message in ``lang``; ``expected`` defaults to the locale's
    ``import.expected.<code>`` when there is one."""
    if expected is None and has(f"import.expected.{code}", lang):
        expected = t(f"import.expected.{code}", lang)
    found_text = None if found is None else found_in(found, lang)
    if sheet and cell:
        where = t("import.where.cell", lang, sheet=sheet, cell=cell)
    elif sheet:
        where = t("import.where.sheet", lang, sheet=sheet)
    else:
        where = ""
    values = {"found": found_text or "", "expected": expected or "", **params}
    body = t(f"import.problem.{code}", lang, **values)
    return Problem(
        severity or ("warning" if code in WARNING_CODES else "error"),
        code,
        sheet,
        cell,
        found_text,
        expected,
        where + body,
    )


def found_in(value: object, lang: str) -> str:
    """What a cell held, as the user reads it: numbers in the user's style (``0,9``, ``4.650``),
    texts as typed."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        exponent = number.as_tuple().exponent
        decimals = max(0, -exponent) if isinstance(exponent, int) else 0
        if number == number.to_integral_value():
            decimals = 0
        return format_number(number, lang, decimals=min(decimals, MAX_DECIMALS))
    return cell_text(value)


def cell_text(value: object) -> str:
    """A cell's value as text for messages: 38751.0 -> '38751', dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return nfc(str(value)).strip()


_A1 = re.compile(r"^([A-Z]+)(\d+)$")


def a1_key(cell: str | None) -> tuple[int, int]:
    """(row, column) of an A1 reference, for sorting; (0, 0) when there is none."""
    m = _A1.match(cell or "")
    if not m:
        return (0, 0)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return (int(m.group(2)), col)


def sort_problems(problems: Iterable[Problem], sheet_order: Sequence[str] = ()) -> list[Problem]:
    """Errors first, then the warnings to acknowledge (likely typos), then the other warnings;
    each in sheet order, then row by row."""
    rank = {name: i for i, name in enumerate(sheet_order)}

    def key(p: Problem) -> tuple[int, int, int, int, str]:
        row, col = a1_key(p.cell)
        order = 0 if p.is_error else 1 if p.needs_ack else 2
        return (order, rank.get(p.sheet or "", -1), row, col, p.code)

    return sorted(problems, key=key)


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


@dataclass
class Validated:
    """What validation made of a workbook."""

    period: Period | None
    province: UnitInfo | None
    template_version: str | None
    figures: list[Figure]
    problems: list[Problem]
    units_by_id: dict[int, UnitInfo] = field(default_factory=dict)
    #: derived figures typed in and found equal to their parts (indicator, unit id, sheet, cell)
    checked: list[tuple[str, int, str, str]] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


@dataclass(frozen=True)
class _Item:
    """A value cell that passed the per-cell checks."""

    entry: RawEntry
    ind: IndicatorDef
    unit: UnitInfo
    value: Decimal
    qualifier: str

    @property
    def ref(self) -> str:
        return f"{self.entry.sheet}!{self.entry.cell}"


def _number_in(raw: object) -> object:
    """Excel stores every number as a float: 38751.0 is the whole number 38751."""
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str):
        return nfc(raw).strip()
    return raw


def _is_number(raw: object) -> bool:
    return isinstance(raw, int | float | Decimal) and not isinstance(raw, bool)


def _tidy(value: Decimal) -> Decimal:
    """Whole numbers without a fraction part; at most MAX_DECIMALS decimals."""
    if value == value.to_integral_value():
        return Decimal(int(value))
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMALS:
        return value.quantize(Decimal(1).scaleb(-MAX_DECIMALS))
    return value


class _Validator:
    def __init__(
        self,
        catalogue: Catalogue,
        units: Sequence[UnitInfo],
        lang: str,
    ) -> None:
        self.cat = catalogue
        self.all_units = list(units)
        self.lang = lang
        self.problems: list[Problem] = []
        self._reported: set[tuple[str, str | None, str | None]] = set()
        self.directory: UnitDirectory | None = None
        self._codes_ever: dict[str, list[UnitInfo]] = defaultdict(list)
        for u in self.all_units:
            self._codes_ever[u.code].append(u)

    # -- helpers ---------------------------------------------------------------------------
    def add(
        self, code: str, *, sheet: str | None = None, cell: str | None = None, **kw: Any
    ) -> None:
        self.problems.append(make_problem(code, self.lang, sheet=sheet, cell=cell, **kw))

    def add_once(self, code: str, sheet: str | None, cell: str | None, **kw: Any) -> None:
        """The same problem at the same cell is reported once (a bad unit cell, not per value)."""
        if (code, sheet, cell) in self._reported:
            return
        self._reported.add((code, sheet, cell))
        self.add(code, sheet=sheet, cell=cell, **kw)

    def ind_name(self, code: str) -> str:
        return self.cat[code].name(self.lang) if code in self.cat else code

    def fmt(self, value: Decimal, ind: IndicatorDef | None = None) -> str:
        decimals = (
            max(0, -int(value.as_tuple().exponent)) if value != value.to_integral_value() else 0
        )
        return format_number(value, self.lang, decimals=min(decimals, MAX_DECIMALS))

    # -- period and province ---------------------------------------------------------------
    def period(
        self, metadata: Metadata, chosen: Period | None, has_metadata: bool
    ) -> Period | None:
        meta = metadata.get("period")
        meta_period: Period | None = None
        if meta is not None:
            try:
                meta_period = Period.parse(cell_text(meta.value))
            except PeriodError:
                self.add("period_invalid", sheet=meta.sheet, cell=meta.cell, found=meta.value)
                return None
        if meta_period and chosen and meta_period != chosen:
            self.add(
                "period_mismatch",
                sheet=meta.sheet if meta else None,
                cell=meta.cell if meta else None,
                found=meta_period.label(self.lang),
                expected=chosen.label(self.lang),
            )
            return None
        period = meta_period or chosen
        if period is None:
            self.add("period_missing")
            return None
        if not has_metadata:
            self.add("metadata_missing", period=period.label(self.lang))
        version = metadata.get("template_version")
        if version is not None and cell_text(version.value) not in KNOWN_TEMPLATE_VERSIONS:
            self.add(
                "template_version_unknown",
                sheet=version.sheet,
                cell=version.cell,
                found=version.value,
                expected=TEMPLATE_VERSION,
            )
        return period

    # -- units -----------------------------------------------------------------------------
    def unit_for(self, e: RawEntry, province: UnitInfo | None) -> UnitInfo | None:
        d = self.directory
        assert d is not None
        code_text = "" if e.unit_code is None else cell_text(e.unit_code)
        if code_text:
            code = normalise_code(_number_in(e.unit_code))
            unit = d.by_code.get(code)
            if unit is None:
                problem = "unit_not_in_period" if code in self._codes_ever else "unknown_unit"
                self.add_once(problem, e.sheet, e.unit_cell, found=code_text)
                return None
            if e.unit_name and cell_text(e.unit_name) and not _names_agree(e.unit_name, unit.name):
                self.add_once(
                    "unit_name_mismatch",
                    e.sheet,
                    e.unit_cell,
                    found=e.unit_name,
                    expected=unit.name,
                    unit_code=unit.code,
                    unit=unit.name,
                )
                return None
            return unit
        name = cell_text(e.unit_name)
        found_parent, within = self._parent(e, province)
        if not found_parent:
            return None
        try:
            return d.find(name=name, within=within, levels=e.levels)
        except UnitMatchError as exc:
            if exc.code == "ambiguous_unit":
                self.add_once(
                    "ambiguous_unit",
                    e.sheet,
                    e.unit_cell,
                    found=name,
                    candidates=", ".join(f"{u.code} {u.name}" for u in exc.candidates),
                )
            else:
                self.add_once("unknown_unit", e.sheet, e.unit_cell, found=name)
            return None

    def _parent(self, e: RawEntry, province: UnitInfo | None) -> tuple[bool, UnitInfo | None]:
        """The district a named unit belongs to: (True, None) when the sheet gives none,
        (False, None) when the one given cannot be found (the problem is reported)."""
        d = self.directory
        assert d is not None
        code_text = "" if e.parent_code is None else cell_text(e.parent_code)
        if code_text:
            code = normalise_code(_number_in(e.parent_code))
            unit = d.by_code.get(code)
            if unit is None:
                problem = "unit_not_in_period" if code in self._codes_ever else "unknown_unit"
                self.add_once(problem, e.sheet, e.parent_cell or e.unit_cell, found=code_text)
                return False, None
            return True, unit
        name = cell_text(e.parent_name)
        if not name:
            return True, None
        try:
            return True, d.find(name=name, within=province, levels=("district", "province"))
        except UnitMatchError as exc:
            self.add_once(
                exc.code,
                e.sheet,
                e.parent_cell or e.unit_cell,
                found=name,
                candidates=", ".join(f"{u.code} {u.name}" for u in exc.candidates),
            )
            return False, None

    # -- one value cell --------------------------------------------------------------------
    def item(self, e: RawEntry, unit: UnitInfo) -> _Item | None:
        ind = self.cat[e.indicator]
        where = {"sheet": e.sheet, "cell": e.cell}
        if unit.level not in ind.levels:
            self.add(
                "wrong_level",
                **where,
                found=unit.name,
                indicator=ind.name(self.lang),
                levels=", ".join(t(f"level.{lv}", self.lang) for lv in ind.levels),
            )
            return None
        if e.formula == "no_value":
            self.add("formula_without_value", **where)
            return None
        if e.formula:
            self.add("formula_error", **where, found=e.formula)
            return None
        raw = _number_in(e.value)
        shown = e.shown_as
        if isinstance(raw, dt.datetime | dt.date | dt.time | dt.timedelta) or (
            shown is not None and shown.kind == "date" and _is_number(raw)
        ):
            code = shown.code if shown is not None else None
            self.add("date_value", **where, found=render_date(raw, code, self.lang))
            return None
        percent_format = False
        stored = Decimal(0)
        if shown is not None and _is_number(raw):
            stored = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(str(raw))
            raw, percent_format = self._shown_number(e, ind, stored, shown)
            if raw is None:
                return None
        if isinstance(raw, str) and raw.upper() in _EXCEL_ERRORS:
            self.add("formula_error", **where, found=raw)
            return None
        try:
            parsed = parse_number(raw, whole=ind.whole)
        except NumberError as exc:
            expected_key = f"import.expected.{exc.code}"
            self.add(
                exc.code,
                **where,
                found=exc.found if isinstance(raw, str) else raw,
                expected=t(expected_key, self.lang)
                if has(expected_key, self.lang)
                else exc.expected,
                indicator=ind.name(self.lang),
            )
            return None
        value = _tidy(parsed.value)
        if not storable(value):
            self.add(
                "number_too_long",
                **where,
                found=e.value,
                expected=t("import.expected.number_too_long", self.lang),
                indicator=ind.name(self.lang),
            )
            return None
        qualifier = parsed.qualifier
        if e.qualifier is not None and cell_text(e.qualifier):
            column = QUALIFIER_BY_WORD.get(fold(cell_text(e.qualifier)))
            if column is None:
                self.add(
                    "unknown_qualifier",
                    sheet=e.sheet,
                    cell=e.qualifier_cell or e.cell,
                    found=e.qualifier,
                    expected=", ".join(QUALIFIER_LIST_VI if self.lang == "vi" else _EN_LIST),
                )
                return None
            if column != "exact" and qualifier not in ("exact", column):
                self.add(
                    "qualifier_conflict",
                    **where,
                    found=e.value,
                    expected=t(f"qualifier.{column}", self.lang),
                    column=cell_text(e.qualifier),
                )
                return None
            if column != "exact":
                qualifier = column
        seen: object = (
            render_number(stored, shown, self.lang) if percent_format and shown else e.value
        )
        if percent_format:
            parsed = replace(parsed, had_percent_sign=True)
        if parsed.had_percent_sign and not ind.percent:
            self.add("unexpected_percent", **where, found=seen, indicator=ind.name(self.lang))
            return None
        if value < 0:
            self.add(
                "negative_count" if ind.whole else "negative_value",
                **where,
                found=seen,
                indicator=ind.name(self.lang),
            )
            return None
        if ind.percent and not ind.fraction:
            if value > 100:
                self.add("percent_out_of_range", **where, found=seen, indicator=ind.name(self.lang))
                return None
            if 0 < value < 1 and qualifier == "exact" and not parsed.had_percent_sign:
                self.add(
                    "percent_as_fraction",
                    **where,
                    found=seen,
                    expected=self.fmt(value * 100) + " %",
                    indicator=ind.name(self.lang),
                )
        return _Item(e, ind, unit, value, qualifier)

    def _shown_number(
        self, e: RawEntry, ind: IndicatorDef, stored: Decimal, shown: ShownAs
    ) -> tuple[Decimal | None, bool]:
        """The number the person saw in a percent or scaling format: 0.92 shown as 92% is 92 in
        a 0-100 percentage; a percent format on a count, or a format that shows another number
        than the one stored, is an error at the cell. Returns (value or None, shown as %)."""
        where = {"sheet": e.sheet, "cell": e.cell}
        text = render_number(stored, shown, self.lang)
        if shown.kind == "percent":
            if not ind.percent:
                self.add("unexpected_percent", **where, found=text, indicator=ind.name(self.lang))
                return None, False
            value = stored * 100
            return (_tidy(value) if value == value.to_integral_value() else value.normalize()), True
        if shown.kind == "scaled":
            self.add(
                "scaled_format",
                **where,
                found=text,
                expected=self.fmt(_tidy(stored)),
                format=shown.code or "",
                indicator=ind.name(self.lang),
            )
            return None, False
        return stored, False

    # -- rules between cells ---------------------------------------------------------------
    def rules(self, items: Mapping[tuple[str, int], _Item]) -> None:
        by_unit: dict[int, dict[str, _Item]] = defaultdict(dict)
        for (code, uid), it in items.items():
            by_unit[uid][code] = it
        for rule in self.cat.rules:
            for codes in by_unit.values():
                total = codes.get(rule.total)
                parts = [codes[p] for p in rule.parts if p in codes]
                if total is None or not parts:
                    continue
                if any(x.qualifier != "exact" for x in (total, *parts)):
                    continue
                self._rule(rule.kind, total, parts, all_parts=len(parts) == len(rule.parts))

    def _rule(self, kind: str, total: _Item, parts: list[_Item], all_parts: bool) -> None:
        for part in parts:
            if part.value > total.value:
                self.add(
                    "part_exceeds_total",
                    sheet=part.entry.sheet,
                    cell=part.entry.cell,
                    found=self.fmt(part.value),
                    expected=t("import.expected.at_most", self.lang, value=self.fmt(total.value)),
                    part=part.ind.name(self.lang),
                    total=total.ind.name(self.lang),
                    total_ref=total.ref,
                    unit=total.unit.name,
                )
                return
        if kind == "part_le_total":
            return
        parts_sum = sum((p.value for p in parts), Decimal(0))
        if kind == "parts_le_total" and parts_sum > total.value:
            largest = max(parts, key=lambda p: p.value)
            others = ", ".join(  # written only for the message: most rules hold
                f"{p.ind.name(self.lang)} {p.ref} = {self.fmt(p.value)}"
                for p in parts
                if p is not largest
            )
            self.add(
                "parts_exceed_total",
                sheet=largest.entry.sheet,
                cell=largest.entry.cell,
                found=self.fmt(parts_sum),
                expected=t("import.expected.at_most", self.lang, value=self.fmt(total.value)),
                part=largest.ind.name(self.lang),
                others=others or "–",
                total=total.ind.name(self.lang),
                total_ref=total.ref,
                unit=total.unit.name,
            )
        elif kind == "parts_eq_total" and all_parts and parts_sum != total.value:
            # Either side may be wrong: the total's cell, naming every part.
            self.add(
                "parts_sum_mismatch",
                sheet=total.entry.sheet,
                cell=total.entry.cell,
                found=self.fmt(parts_sum),
                expected=self.fmt(total.value),
                parts=", ".join(
                    f"{p.ind.name(self.lang)} {p.ref} = {self.fmt(p.value)}" for p in parts
                ),
                total=total.ind.name(self.lang),
                total_ref=total.ref,
                unit=total.unit.name,
            )

    def derived(
        self,
        typed: list[_Item],
        items: Mapping[tuple[str, int], _Item],
        checked: list[tuple[str, int, str, str]],
    ) -> None:
        for it in typed:
            ind = it.ind
            inputs = [items.get((c, it.unit.id)) for c in ind.inputs]
            present = [x for x in inputs if x is not None]
            if len(present) != len(inputs):
                self.add(
                    "derived_not_checked",
                    sheet=it.entry.sheet,
                    cell=it.entry.cell,
                    found=it.entry.value,
                    indicator=ind.name(self.lang),
                    parts=", ".join(self.ind_name(c) for c in ind.inputs),
                )
                continue
            if it.qualifier != "exact" or any(x.qualifier != "exact" for x in present):
                continue
            refs = ", ".join(
                f"{x.ind.name(self.lang)} {x.ref} = {self.fmt(x.value)}" for x in present
            )
            if ind.is_ratio:
                num = sum((items[(c, it.unit.id)].value for c in ind.numerator), Decimal(0))
                den = sum((items[(c, it.unit.id)].value for c in ind.denominator), Decimal(0))
                if den == 0:
                    continue
                computed = num / den * 100
                exponent = it.value.as_tuple().exponent
                places = max(0, -exponent) if isinstance(exponent, int) else 0
                if it.value <= 1 < computed:  # typed as a share (0,9957), not as 99,57
                    typed_pct, places = it.value * 100, max(0, places - 2)
                else:
                    typed_pct = it.value
                tolerance = Decimal("0.5") * Decimal(10) ** -places
                ok = abs(typed_pct - computed) <= max(tolerance, Decimal("0.005"))
                expected = self.fmt(computed.quantize(Decimal("0.01"))) + " %"
            else:
                computed = sum((x.value for x in present), Decimal(0))
                ok = computed == it.value
                expected = self.fmt(computed)
            if ok:
                checked.append((ind.code, it.unit.id, it.entry.sheet, it.entry.cell))
            else:
                self.add(
                    "derived_mismatch",
                    sheet=it.entry.sheet,
                    cell=it.entry.cell,
                    found=it.entry.value,
                    expected=expected,
                    indicator=ind.name(self.lang),
                    parts=refs,
                )

    def sums(self, items: Mapping[tuple[str, int], _Item], province: UnitInfo) -> None:
        d = self.directory
        assert d is not None
        top = [u for u in d.children(province.id) if u.level in ("agencies", "district")]
        for ind in self.cat.stored():
            if ind.kind not in ("flow", "stock"):
                continue
            levels = set(ind.levels)
            prov = items.get((ind.code, province.id))
            if prov is not None and top and {"agencies", "district"} <= levels:
                self._sum(
                    "province_sum_mismatch", ind, prov, [items.get((ind.code, u.id)) for u in top]
                )
            if "commune" in levels and "district" in levels:
                for district in (u for u in top if u.level == "district"):
                    dist = items.get((ind.code, district.id))
                    communes = d.children(district.id)
                    if dist is not None and communes:
                        self._sum(
                            "district_sum_mismatch",
                            ind,
                            dist,
                            [items.get((ind.code, c.id)) for c in communes],
                        )

    def _sum(self, code: str, ind: IndicatorDef, total: _Item, parts: list[_Item | None]) -> None:
        present = [p for p in parts if p is not None]
        if len(present) != len(parts):
            return
        if any(p.qualifier != "exact" for p in (total, *present)):
            return
        parts_sum = sum((p.value for p in present), Decimal(0))
        if parts_sum == total.value:
            return
        sheets = sorted({p.entry.sheet for p in present})
        self.add(
            code,
            sheet=total.entry.sheet,
            cell=total.entry.cell,
            found=self.fmt(total.value),
            expected=self.fmt(parts_sum),
            indicator=ind.name(self.lang),
            unit=total.unit.name,
            sheets=", ".join(sheets),
            count=str(len(present)),
        )


_EN_LIST = ("exact", "about", "more than", "less than")


def _names_agree(typed: str, official: str) -> bool:
    a, b = fold(cell_text(typed)), fold(official)
    return a == b or loose_key(a) == loose_key(b)


def validate(
    entries: Sequence[RawEntry],
    metadata: Metadata,
    issues: Sequence[Issue],
    *,
    catalogue: Catalogue,
    units: Sequence[UnitInfo],
    chosen_period: Period | str | None = None,
    lang: str = "vi",
    has_metadata: bool | None = None,
    sheet_order: Sequence[str] = (),
) -> Validated:
    """Check everything a workbook says; return the figures to store and every problem.

    ``units`` are all units of every period (a unit of another period is reported as such);
    ``chosen_period`` is the quarter the user chose (command line ``--period``, the Upload page),
    compared with the metadata sheet's.
    """
    v = _Validator(catalogue, units, lang)
    for issue in issues:
        v.add(
            issue.code, sheet=issue.sheet, cell=issue.cell, found=issue.found, **dict(issue.params)
        )
    chosen = Period.parse(chosen_period) if chosen_period is not None else None
    if has_metadata is None:
        has_metadata = bool(metadata.values)
    period = v.period(metadata, chosen, has_metadata)
    version = metadata.text("template_version")
    if period is None:
        return Validated(None, None, version, [], sort_problems(v.problems, sheet_order))
    v.directory = directory = UnitDirectory(units, period.start, period.end)
    provinces = [u for u in directory.units if u.level == "province"]
    province = provinces[0] if len(provinces) == 1 else None
    meta_province = metadata.get("province_code")
    if meta_province is not None and province is not None:
        code = normalise_code(_number_in(meta_province.value))
        if code != province.code:
            v.add(
                "province_mismatch",
                sheet=meta_province.sheet,
                cell=meta_province.cell,
                found=cell_text(meta_province.value),
                expected=f"{province.code} ({province.name})",
            )

    items: dict[tuple[str, int], _Item] = {}
    typed_derived: list[_Item] = []
    unit_cache: dict[tuple[object, ...], UnitInfo | None] = {}
    for e in entries:
        if e.indicator not in catalogue or not catalogue[e.indicator].active:
            v.add_once("unknown_indicator", e.sheet, e.indicator_cell, found=e.indicator)
            continue
        key = (
            e.sheet,
            e.unit_cell,
            cell_text(e.unit_code),
            cell_text(e.unit_name),
            cell_text(e.parent_code),
            cell_text(e.parent_name),
            e.levels,
        )
        if key not in unit_cache:
            unit_cache[key] = v.unit_for(e, province)
        unit = unit_cache[key]
        if unit is None:
            continue
        it = v.item(e, unit)
        if it is None:
            continue
        fkey = (it.ind.code, unit.id)
        earlier = items.get(fkey) or next(
            (x for x in typed_derived if (x.ind.code, x.unit.id) == fkey), None
        )
        if earlier is not None:
            v.add(
                "duplicate_figure",
                sheet=e.sheet,
                cell=e.cell,
                found=e.value,
                first=earlier.ref,
                first_value=found_in(earlier.entry.value, lang),
                indicator=it.ind.name(lang),
                unit=unit.name,
            )
            continue
        if it.ind.is_derived:
            typed_derived.append(it)
        else:
            items[fkey] = it

    checked: list[tuple[str, int, str, str]] = []
    v.rules(items)
    v.derived(typed_derived, items, checked)
    if province is not None:
        v.sums(items, province)
        unit_bounds(v, items, province)
    if not items and not any(p.is_error for p in v.problems):
        v.add("no_figures")
    figures = [
        Figure(
            it.ind.code,
            it.unit.id,
            period.code,
            it.value,
            it.qualifier,
            source_sheet=it.entry.sheet,
            source_cell=it.entry.cell,
            source_text=cell_text(it.entry.value) if isinstance(it.entry.value, str) else None,
        )
        for it in items.values()
    ]
    return Validated(
        period,
        province,
        version,
        figures,
        sort_problems(v.problems, sheet_order),
        {u.id: u for u in directory.units},
        checked,
    )


# --------------------------------------------------------------------------------------------
# Scope: figures a district editor may not write, at their cells
# --------------------------------------------------------------------------------------------


def scope_problems(
    figures: Sequence[Figure],
    actor: Actor,
    districts: Mapping[int, tuple[str, str | None]],
    units_by_id: Mapping[int, UnitInfo],
    lang: str,
) -> list[Problem]:
    """An error at each cell whose figure lies outside the actor's scope ("Ô E12: số liệu của
    Huyện Trà Cú nằm ngoài phạm vi của tài khoản"). kpi.store refuses the same figures again at
    the commit; this says where they are before anything is tried."""
    if actor.province_wide:
        return []
    problems = []
    for fig in figures:
        code, district = districts.get(fig.unit_id, (str(fig.unit_id), None))
        if actor.covers(code, district):
            continue
        unit = units_by_id.get(fig.unit_id)
        problems.append(
            make_problem(
                "out_of_scope",
                lang,
                sheet=fig.source_sheet,
                cell=fig.source_cell,
                found=unit.name if unit else code,
                unit=unit.name if unit else code,
                scope=actor.describe_scope(),
            )
        )
    return problems


# --------------------------------------------------------------------------------------------
# Against what exists: the units bound, and the same unit's previous quarter
# --------------------------------------------------------------------------------------------


def unit_bounds(v: _Validator, items: Mapping[tuple[str, int], _Item], province: UnitInfo) -> None:
    """A count of units (the units on the e-one-stop system) cannot exceed the units of that
    level the province has in the quarter; the number of provincial agencies is in the
    catalogue (``agency_count``), since they are one unit in the units table."""
    d = v.directory
    assert d is not None
    for it in items.values():
        level = it.ind.at_most_units
        if level is None or it.unit.id != province.id:
            continue
        if level == "agencies":
            limit = v.cat.agency_counts.get(province.code)
        else:
            limit = sum(1 for u in d.units if u.level == level)
        if limit is None or it.value <= limit:
            continue
        v.add(
            "units_exceed_existing",
            sheet=it.entry.sheet,
            cell=it.entry.cell,
            found=v.fmt(it.value),
            expected=t("import.expected.at_most", v.lang, value=v.fmt(Decimal(limit))),
            indicator=it.ind.name(v.lang),
            level=t(f"import.units_of.{level}", v.lang),
            count=v.fmt(Decimal(limit)),
            unit=province.name,
        )


def history_problems(
    figures: Sequence[Figure],
    previous: Mapping[tuple[str, int], Previous],
    catalogue: Catalogue,
    units_by_id: Mapping[int, UnitInfo],
    lang: str,
) -> list[Problem]:
    """Likely typos, each a warning at its cell that names the previous value and must be
    acknowledged (``ACK_CODES``): against the same unit's latest figure of the quarters before
    (``kpi.queries.previous_figures``), with the thresholds of each indicator's
    ``history_check`` in the catalogue. One problem per cell: a jump by a factor (the separator
    slip) first, then a stock that falls by more than its share, then a flow at zero."""
    problems: list[Problem] = []
    for f in figures:
        prev = previous.get((f.indicator_code, f.unit_id))
        if prev is None or f.indicator_code not in catalogue:
            continue
        ind = catalogue[f.indicator_code]
        check = ind.history
        new, old = f.value, prev.value
        unit = units_by_id.get(f.unit_id)
        params = {
            "indicator": ind.name(lang),
            "unit": unit.name if unit else "",
            "previous": format_figure(ind, old, lang, prev.qualifier),
            "previous_period": Period.parse(prev.period).label(lang),
        }
        found = format_figure(ind, new, lang, f.qualifier)
        where = {"sheet": f.source_sheet, "cell": f.source_cell, "found": found}
        expected = f"{params['previous']} ({params['previous_period']})"
        low, high = sorted((new, old))
        if (
            check.jump_factor is not None
            and low >= check.jump_floor
            and high >= check.jump_factor * low
        ):
            factor = high / low
            problems.append(
                make_problem(
                    "jump_from_previous",
                    lang,
                    **where,
                    expected=expected,
                    factor=format_number(factor, lang, decimals=0 if factor >= 10 else 1),
                    direction=t(
                        "import.direction.larger" if new > old else "import.direction.smaller",
                        lang,
                    ),
                    **params,
                )
            )
        elif (
            ind.kind == "stock"
            and check.stock_drop is not None
            and old > 0
            and new < old * (1 - check.stock_drop)
        ):
            share = (old - new) / old * 100
            problems.append(
                make_problem(
                    "stock_drop",
                    lang,
                    **where,
                    expected=expected,
                    share=format_number(share, lang, decimals=0) + "%",
                    limit=format_number(check.stock_drop * 100, lang, decimals=0) + "%",
                    **params,
                )
            )
        elif ind.kind == "flow" and check.flow_zero and new == 0 and old != 0:
            problems.append(
                make_problem("flow_to_zero", lang, **where, expected=expected, **params)
            )
    return problems
