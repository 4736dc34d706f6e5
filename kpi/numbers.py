"""Reading numbers written the Vietnamese way, and writing them in the user's language.

``38.751`` is thirty-eight thousand seven hundred and fifty-one; ``99,57`` is a decimal;
``1.234.567,5`` is both. A text that could be read two ways, or that is malformed, is an error
(never a guess). Qualifiers come from words or signs: "trên 90", ">90", "khoảng 28.474", "~28474".
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel.numbers import format_decimal

LOCALES = {"vi": "vi_VN", "en": "en_US"}

#: the sign a qualifier is shown with, before the number
QUALIFIER_SIGNS = {"exact": "", "approx": "~", "at_least": ">", "at_most": "<"}

# Longest first, so that "khoảng chừng" wins over "khoảng".
_QUALIFIER_WORDS: list[tuple[str, str]] = sorted(
    [
        ("trên", "at_least"),
        ("hơn", "at_least"),
        ("ít nhất", "at_least"),
        ("tối thiểu", "at_least"),
        ("over", "at_least"),
        ("more than", "at_least"),
        ("at least", "at_least"),
        (">=", "at_least"),
        ("≥", "at_least"),
        (">", "at_least"),
        ("khoảng", "approx"),
        ("khoảng chừng", "approx"),
        ("xấp xỉ", "approx"),
        ("gần", "approx"),
        ("ước tính", "approx"),
        ("about", "approx"),
        ("approx.", "approx"),
        ("approximately", "approx"),
        ("~", "approx"),
        ("≈", "approx"),
        ("dưới", "at_most"),
        ("không quá", "at_most"),
        ("tối đa", "at_most"),
        ("under", "at_most"),
        ("at most", "at_most"),
        ("<=", "at_most"),
        ("≤", "at_most"),
        ("<", "at_most"),
    ],
    key=lambda item: -len(item[0]),
)

_VI_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$")  # 38.751 | 1.234.567,5
_DECIMAL_COMMA = re.compile(r"^\d+,\d+$")  # 99,57
_PLAIN = re.compile(r"^\d+$")
_DOT_DECIMAL = re.compile(r"^\d+\.\d+$")  # 99.5: a decimal point, or a mistyped grouping


class NumberError(ValueError):
    """A value that is not a number of the expected kind.

    ``code`` is stable (``not_a_number``, ``ambiguous_number``, ``not_whole_number``), ``expected``
    says in English what would have been accepted; messages in the user's language come from the
    locale files by code.
    """

    def __init__(self, code: str, found: str, expected: str) -> None:
        super().__init__(f"{code}: {found!r} (expected {expected})")
        self.code = code
        self.found = found
        self.expected = expected


@dataclass(frozen=True)
class ParsedNumber:
    value: Decimal
    qualifier: str = "exact"
    had_percent_sign: bool = False


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def parse_number(raw: object, *, whole: bool = False) -> ParsedNumber:
    """Read a cell's value: an int, a float, a Decimal or a text in Vietnamese form.

    ``whole`` asks for a whole number (a count): ``1,5`` is then an error.
    """
    if isinstance(raw, bool):
        raise NumberError("not_a_number", str(raw), "a number")
    if isinstance(raw, int | Decimal):
        return _checked(ParsedNumber(Decimal(raw)), str(raw), whole)
    if isinstance(raw, float):
        if math.isnan(raw) or math.isinf(raw):
            raise NumberError("not_a_number", str(raw), "a number")
        # repr() gives the shortest text that reads back as the same float: 0.1 stays 0.1.
        return _checked(ParsedNumber(Decimal(repr(raw))), repr(raw), whole)
    if not isinstance(raw, str):
        raise NumberError("not_a_number", str(raw), "a number")
    text = nfc(raw).strip()
    found = text
    qualifier = "exact"
    lowered = text.lower()
    for word, qual in _QUALIFIER_WORDS:
        if lowered.startswith(word):
            qualifier = qual
            text = text[len(word) :].strip()
            break
    percent = False
    if text.endswith("%"):
        percent = True
        text = text[:-1].strip()
    negative = False
    if text[:1] in ("-", "−"):
        negative = True
        text = text[1:].strip()
    # Spaces (also no-break ones) may group thousands: "38 751".
    if re.fullmatch(r"\d{1,3}([ \u00a0\u202f]\d{3})+(,\d+)?", text):
        text = re.sub(r"[ \u00a0\u202f]", ".", text)
    if _PLAIN.match(text):
        number = Decimal(text)
    elif _VI_GROUPED.match(text):
        number = Decimal(text.replace(".", "").replace(",", "."))
    elif _DECIMAL_COMMA.match(text):
        number = Decimal(text.replace(",", "."))
    elif _DOT_DECIMAL.match(text):
        # "1.5": a decimal point in English, or a grouping typed wrong. In a count it cannot be
        # told apart, so it is an error; elsewhere a dot with other than three digits after it
        # can only be a decimal point.
        if whole:
            raise NumberError("ambiguous_number", found, "a whole number such as 1.234 or 1234")
        number = Decimal(text)
    else:
        raise NumberError("not_a_number", found, "a number such as 38.751, 99,57 or >90")
    if negative:
        number = -number
    return _checked(ParsedNumber(number, qualifier, percent), found, whole)


def _checked(parsed: ParsedNumber, found: str, whole: bool) -> ParsedNumber:
    try:
        is_whole = parsed.value == parsed.value.to_integral_value()
    except InvalidOperation as exc:
        raise NumberError("not_a_number", found, "a number") from exc
    if whole and not is_whole:
        raise NumberError("not_whole_number", found, "a whole number (a count)")
    return parsed


#: the largest decimals a figure keeps (the database column is NUMERIC(24, 6))
STORED_DECIMALS = 6
#: figures are below this in magnitude: NUMERIC(24, 6) has 18 digits before the point
STORED_LIMIT = Decimal(10) ** 18
#: significant digits of a figure with a fraction. SQLite stores a decimal text in a NUMERIC
#: column as a binary float, which keeps 15 (a whole number stays an exact 64-bit integer);
#: Excel keeps 15 digits of any number too.
STORED_DIGITS = 15


def storable(value: Decimal) -> bool:
    """Whether both databases keep ``value`` exactly: finite, below 10^18, at most six decimals
    and, with a fraction, at most 15 significant digits. A figure that is not would come back
    changed (PostgreSQL rounds or refuses it, SQLite rounds it to 15 digits), so it is refused
    before it is written."""
    if not value.is_finite() or abs(value) >= STORED_LIMIT:
        return False
    if value == value.to_integral_value():
        return True
    _sign, digits, exponent = value.normalize().as_tuple()
    return -int(exponent) <= STORED_DECIMALS and len(digits) <= STORED_DIGITS


def format_number(
    value: Decimal | float | int | None,
    lang: str = "vi",
    *,
    decimals: int = 0,
    percent: bool = False,
    fraction: bool = False,
    qualifier: str = "exact",
    missing: str = "–",
) -> str:
    """A figure as the user reads it: ``38.751``, ``99,57%``, ``>90%``, ``~28.474``.

    ``fraction`` means the value is stored as a share (0.9957) and is shown as a percentage.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if fraction:
        number = number * 100
        percent = True
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    text = format_decimal(number, format=pattern, locale=LOCALES.get(lang, "vi_VN"))
    if text.startswith("-0") and set(text[1:]) <= set("0.,"):
        text = text[1:]  # no "-0" after rounding
    return QUALIFIER_SIGNS.get(qualifier, "") + text + ("%" if percent else "")


def plotly_separators(lang: str) -> str:
    """Plotly's ``separators``: the decimal mark, then the thousands mark."""
    return ",." if lang == "vi" else ".,"
