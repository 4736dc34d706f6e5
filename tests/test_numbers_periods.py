"""Reading Vietnamese numbers and quarters, writing them back in each language."""

from decimal import Decimal

import pytest

from kpi.numbers import NumberError, format_number, parse_number, storable
from kpi.periods import Period, PeriodError, period_range


@pytest.mark.parametrize(
    ("raw", "whole", "value", "qualifier"),
    [
        ("38.751", True, "38751", "exact"),  # thirty-eight thousand, never 38.751
        ("7.848", True, "7848", "exact"),
        ("99,57", False, "99.57", "exact"),
        ("1.234.567,5", False, "1234567.5", "exact"),
        ("trên 90", False, "90", "at_least"),
        ("Trên 90%", False, "90", "at_least"),
        (">90", False, "90", "at_least"),
        ("khoảng 28.474", True, "28474", "approx"),
        ("~28474", True, "28474", "approx"),
        ("dưới 5", True, "5", "at_most"),
        ("38 751", True, "38751", "exact"),
        ("  516 ", True, "516", "exact"),
        ("-3", True, "-3", "exact"),
        (38751, True, "38751", "exact"),
        (38751.0, True, "38751", "exact"),
        (0.1, False, "0.1", "exact"),
        ("99.57", False, "99.57", "exact"),  # a dot with two digits after it: a decimal point
        ("khoa\u0309ng 12", True, "12", "approx"),  # NFD input
    ],
)
def test_reads_vietnamese_numbers(raw: object, whole: bool, value: str, qualifier: str) -> None:
    parsed = parse_number(raw, whole=whole)
    assert parsed.value == Decimal(value)
    assert parsed.qualifier == qualifier


@pytest.mark.parametrize(
    ("raw", "whole", "code"),
    [
        ("1.5", True, "ambiguous_number"),  # 1.5 dossiers, or 15 typed wrong: never guess
        ("1,5", True, "not_whole_number"),
        ("12.34.5", False, "not_a_number"),
        ("38,751.5", False, "not_a_number"),
        ("abc", False, "not_a_number"),
        ("", False, "not_a_number"),
        (True, False, "not_a_number"),
        (float("nan"), False, "not_a_number"),
        (2.5, True, "not_whole_number"),
    ],
)
def test_refuses_ambiguous_or_malformed_numbers(raw: object, whole: bool, code: str) -> None:
    with pytest.raises(NumberError) as info:
        parse_number(raw, whole=whole)
    assert info.value.code == code


@pytest.mark.parametrize(
    ("value", "lang", "kwargs", "text"),
    [
        (38751, "vi", {}, "38.751"),
        (38751, "en", {}, "38,751"),
        (Decimal("0.995741"), "vi", {"decimals": 2, "fraction": True}, "99,57%"),
        (Decimal("0.995741"), "en", {"decimals": 2, "fraction": True}, "99.57%"),
        (90, "vi", {"percent": True, "qualifier": "at_least"}, ">90%"),
        (28474, "vi", {"qualifier": "approx"}, "~28.474"),
        (1234567.5, "vi", {"decimals": 1}, "1.234.567,5"),
        (None, "vi", {}, "–"),
    ],
)
def test_formats_in_the_users_language(value: object, lang: str, kwargs: dict, text: str) -> None:
    assert format_number(value, lang, **kwargs) == text  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text", ["2019-Q1", "2019Q1", "Quý I/2019", "quý 1/2019", "QI/2019", "Q1 2019", "QUY I/2019"]
)
def test_reads_quarters_written_any_way(text: str) -> None:
    assert Period.parse(text) == Period(2019, 1)


@pytest.mark.parametrize("text", ["2019-Q5", "Quý V/2019", "2019", "Q1"])
def test_refuses_what_is_not_a_quarter(text: str) -> None:
    with pytest.raises(PeriodError):
        Period.parse(text)


def test_quarter_labels_and_arithmetic() -> None:
    p = Period(2019, 1)
    assert p.label("vi") == "Quý I/2019"
    assert p.label("en") == "Q1 2019"
    assert p.previous() == Period(2018, 4)
    assert p.year_ago() == Period(2018, 1)
    assert str(p.end) == "2019-03-31"
    assert [x.code for x in period_range("2018-Q3", "2019-Q2")] == [
        "2018-Q3",
        "2018-Q4",
        "2019-Q1",
        "2019-Q2",
    ]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("38751", True),
        ("999999999999999999", True),  # 10^18 - 1: NUMERIC(24, 6) holds 18 digits
        ("1E+18", False),
        ("-1E+18", False),
        ("123456789.123456", True),  # 15 digits with a fraction: SQLite's float keeps them
        ("1234567890.123456", False),  # 16
        ("12345678901234567", True),  # whole: an exact integer on SQLite
        ("0.000001", True),
        ("0.0000001", False),  # a seventh decimal: PostgreSQL would round it away
        ("99.5000000", True),  # trailing zeros are not digits kept
        ("-0", True),
        ("NaN", False),
        ("Infinity", False),
    ],
)
def test_storable_says_which_figures_both_databases_keep_exactly(text: str, kept: bool) -> None:
    assert storable(Decimal(text)) is kept
