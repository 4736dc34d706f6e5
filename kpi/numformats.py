"""Spreadsheet number formats: what a person saw in a cell, as opposed to what the file stores.

A spreadsheet stores 0.92 and shows ``92%``; stores 38751 and, with the format ``#,##0,``, shows
``39``; stores 43586 and shows ``1-May``. The reader (``loaders.workbook``) finds each value
cell's format (the .xlsx styles, the .ods value types and data styles, the .xls formats) and
:func:`classify` tells which of them change the meaning of a figure:

- ``percent``: the shown value is the stored one times 100 (``0%``, ``0.00%``, an .ods
  ``percentage`` cell);
- ``date``: a date or a time (``d-mmm``, ``dd/mm/yyyy``, ``h:mm``; an .ods ``date`` or ``time``
  cell);
- ``scaled``: commas after the last digit placeholder divide what is shown by 1000 each
  (``#,##0,`` shows 38751 as 39; an .ods data style with ``number:display-factor``).

Every other format (``General``, ``#,##0``, ``0.00``, text) shows the number that is stored.
The ``render_*`` functions give the text the person saw, for messages.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from babel.dates import format_date

from kpi.numbers import LOCALES, format_number

#: Excel's built-in number formats that matter here (ECMA-376 part 1, 18.8.30)
BUILTIN_FORMATS: dict[int, str] = {
    0: "General",
    1: "0",
    2: "0.00",
    3: "#,##0",
    4: "#,##0.00",
    9: "0%",
    10: "0.00%",
    11: "0.00E+00",
    12: "# ?/?",
    13: "# ??/??",
    14: "dd/mm/yyyy",  # shown in the system's short date form; Vietnamese Windows: dd/mm/yyyy
    15: "d-mmm-yy",
    16: "d-mmm",
    17: "mmm-yy",
    18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM",
    20: "h:mm",
    21: "h:mm:ss",
    22: "dd/mm/yyyy h:mm",
    37: "#,##0 ;(#,##0)",
    38: "#,##0 ;[Red](#,##0)",
    39: "#,##0.00;(#,##0.00)",
    40: "#,##0.00;[Red](#,##0.00)",
    45: "mm:ss",
    46: "[h]:mm:ss",
    47: "mmss.0",
    48: "##0.0E+0",
    49: "@",
}
#: built-in ids of date and time formats whose text depends on the system (27-36, 50-58: East
#: Asian dates)
_BUILTIN_DATE_IDS = frozenset({*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)})

_QUOTED = re.compile(r'"[^"]*"')
_ESCAPED = re.compile(r"\\.|_.|\*.")
_BRACKET = re.compile(r"\[[^\]]*\]")
_ELAPSED = re.compile(r"\[(h+|m+|s+)\]", re.IGNORECASE)
_DATE_LETTERS = re.compile(r"[dmyhs]|am/pm|a/p", re.IGNORECASE)
_PLACEHOLDERS = "0#?"


@dataclass(frozen=True)
class ShownAs:
    """How a cell's format changes the number a person reads: ``kind`` ``percent`` | ``date`` |
    ``scaled``; ``code`` the format code (``None`` for .ods value types); ``scale`` the power of
    1000 a scaled format divides by; ``decimals`` the decimals shown."""

    kind: str
    code: str | None = None
    scale: int = 0
    decimals: int = 0


def _first_section(code: str) -> str:
    """The section of a format for positive numbers (sections are split by ``;``)."""
    depth = 0
    quoted = False
    for i, ch in enumerate(code):
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "[":
            depth += 1
        elif not quoted and ch == "]":
            depth = max(0, depth - 1)
        elif ch == ";" and not quoted and depth == 0:
            return code[:i]
    return code


def _bare(section: str) -> str:
    """A format section without literal text, escapes, padding and bracketed parts."""
    text = _QUOTED.sub("", section)
    text = _ESCAPED.sub("", text)
    return _BRACKET.sub("", text)


@lru_cache(maxsize=512)
def classify(code: str | None, builtin_id: int | None = None) -> ShownAs | None:
    """What a number format does to the number shown, or ``None`` when it shows it as stored."""
    if builtin_id is not None and builtin_id in _BUILTIN_DATE_IDS:
        return ShownAs("date", code or BUILTIN_FORMATS.get(builtin_id))
    if not code:
        return None
    section = _first_section(code)
    if _ELAPSED.search(section):
        return ShownAs("date", code)
    bare = _bare(section)
    if bare.strip().lower() in ("general", "@", ""):
        return None
    decimals = _decimals(bare)
    if "%" in bare:
        return ShownAs("percent", code, decimals=decimals)
    without_general = re.sub("general", "", bare, flags=re.IGNORECASE)
    if _DATE_LETTERS.search(without_general) and not any(c in without_general for c in "0#?"):
        return ShownAs("date", code)
    last = max((without_general.rfind(c) for c in _PLACEHOLDERS), default=-1)
    if last >= 0:
        commas = len(without_general[last + 1 :]) - len(without_general[last + 1 :].lstrip(","))
        if commas:
            return ShownAs("scaled", code, scale=commas, decimals=decimals)
    return None


def _decimals(bare: str) -> int:
    if "." not in bare:
        return 0
    after = bare.split(".", 1)[1]
    return sum(1 for ch in after if ch in _PLACEHOLDERS)


# --------------------------------------------------------------------------------------------
# What the person saw
# --------------------------------------------------------------------------------------------

_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def as_datetime(value: object) -> dt.datetime | None:
    """A date, a time or an Excel serial number as a datetime (a time on 30/12/1899)."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, dt.time):
        return dt.datetime.combine(_EXCEL_EPOCH.date(), value)
    if isinstance(value, dt.timedelta):
        return _EXCEL_EPOCH + value
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 2958466:
        return _EXCEL_EPOCH + dt.timedelta(days=float(value))
    return None


_DATE_TOKEN = re.compile(
    r'"[^"]*"|\\.|\[[^\]]*\]|am/pm|a/p|yyyy|yy|mmmmm|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|.',
    re.IGNORECASE,
)


def render_date(value: object, code: str | None, lang: str) -> str:
    """A date or time as the format shows it (``1-May``, ``01/05/2019``); without a format code
    in the user's short form (``01/05/2019``)."""
    when = as_datetime(value)
    if when is None:
        return str(value)
    if not code:
        if when.time() != dt.time(0) and when.date() == _EXCEL_EPOCH.date():
            return when.strftime("%H:%M:%S")
        return when.strftime("%d/%m/%Y" if lang == "vi" else "%Y-%m-%d")
    section = _first_section(code)
    tokens = [m.group(0) for m in _DATE_TOKEN.finditer(section)]
    has_ampm = any(t.lower() in ("am/pm", "a/p") for t in tokens)
    locale = LOCALES.get(lang, "vi_VN")
    out: list[str] = []
    for i, tok in enumerate(tokens):
        low = tok.lower()
        if tok.startswith('"'):
            out.append(tok[1:-1])
        elif tok.startswith("\\"):
            out.append(tok[1:])
        elif tok.startswith("["):
            inner = tok[1:-1].lower()
            if inner and set(inner) <= set("hms"):
                total = (when - _EXCEL_EPOCH).total_seconds()
                unit = {"h": 3600, "m": 60, "s": 1}[inner[0]]
                out.append(str(int(total // unit)).zfill(len(inner)))
        elif low in ("am/pm", "a/p"):
            out.append("AM" if when.hour < 12 else "PM")
        elif low in ("yyyy", "yy"):
            out.append(f"{when.year:04d}" if low == "yyyy" else f"{when.year % 100:02d}")
        elif low in ("m", "mm") and _is_minute(tokens, i):
            out.append(f"{when.minute:02d}" if low == "mm" else str(when.minute))
        elif low in ("m", "mm"):
            out.append(f"{when.month:02d}" if low == "mm" else str(when.month))
        elif low in ("mmm", "mmmm", "mmmmm"):
            width = {"mmm": "MMM", "mmmm": "MMMM", "mmmmm": "MMMMM"}[low]
            out.append(format_date(when.date(), width, locale=locale))
        elif low in ("d", "dd"):
            out.append(f"{when.day:02d}" if low == "dd" else str(when.day))
        elif low in ("ddd", "dddd"):
            out.append(format_date(when.date(), "EEE" if low == "ddd" else "EEEE", locale=locale))
        elif low in ("h", "hh"):
            hour = when.hour % 12 or 12 if has_ampm else when.hour
            out.append(f"{hour:02d}" if low == "hh" else str(hour))
        elif low in ("s", "ss"):
            out.append(f"{when.second:02d}" if low == "ss" else str(when.second))
        else:
            out.append(tok)
    return "".join(out)


def _is_minute(tokens: list[str], i: int) -> bool:
    """``m`` is minutes right after an hour or right before seconds, months otherwise."""
    for j in range(i - 1, -1, -1):
        low = tokens[j].lower()
        if low in ("h", "hh") or (low.startswith("[") and "h" in low):
            return True
        if low.strip() and low[0].isalpha() and low not in ("am/pm", "a/p"):
            break
    for j in range(i + 1, len(tokens)):
        low = tokens[j].lower()
        if low in ("s", "ss"):
            return True
        if low.strip() and low[0].isalpha():
            break
    return False


def render_number(value: Decimal, shown: ShownAs, lang: str) -> str:
    """A number as a percent or scaled format shows it: ``92%``, ``39``."""
    if shown.kind == "percent":
        return format_number(value * 100, lang, decimals=shown.decimals) + "%"
    if shown.kind == "scaled":
        return format_number(value / Decimal(1000) ** shown.scale, lang, decimals=shown.decimals)
    return format_number(value, lang)
