"""Number formats: which ones change the number a person reads, and what they showed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kpi.numformats import classify, render_date, render_number


@pytest.mark.parametrize(
    ("code", "builtin", "kind", "scale", "decimals"),
    [
        ("General", 0, None, 0, 0),
        ("[$-42A]#,##0", None, None, 0, 0),  # the template's count format
        ("[$-42A]#,##0.00", None, None, 0, 0),
        ("#,##0.00_);(#,##0.00)", None, None, 0, 0),
        ('"Tổng: "#,##0', None, None, 0, 0),  # literal text with letters of dates in it
        ("0.00E+00", None, None, 0, 0),
        ("@", 49, None, 0, 0),
        ("0%", 9, "percent", 0, 0),
        ("0.00%", 10, "percent", 0, 2),
        ("#,##0,", None, "scaled", 1, 0),
        ("#,##0.0,,", None, "scaled", 2, 1),
        ('#,##0,"k"', None, "scaled", 1, 0),
        ("#,##0,;-#,##0,", None, "scaled", 1, 0),
        ("d-mmm", 16, "date", 0, 0),
        ("dd/mm/yyyy", None, "date", 0, 0),
        ("h:mm", 20, "date", 0, 0),
        ("[h]:mm:ss", 46, "date", 0, 0),
        ("mmm-yy", None, "date", 0, 0),
        (None, 14, "date", 0, 0),  # the system's short date: built-in id, no code in the file
    ],
)
def test_classify(
    code: str | None, builtin: int | None, kind: str | None, scale: int, decimals: int
) -> None:
    shown = classify(code, builtin)
    if kind is None:
        assert shown is None
    else:
        assert shown is not None
        assert (shown.kind, shown.scale, shown.decimals) == (kind, scale, decimals)


@pytest.mark.parametrize(
    ("value", "code", "lang", "text"),
    [
        (dt.date(2019, 5, 1), "d-mmm", "en", "1-May"),
        (dt.date(2019, 5, 1), "d-mmm", "vi", "1-thg 5"),
        (dt.datetime(2019, 5, 1), "dd/mm/yyyy", "vi", "01/05/2019"),
        (43586.0, "dd/mm/yyyy", "vi", "01/05/2019"),  # the serial number Excel keeps
        (dt.time(1, 30), "h:mm", "vi", "1:30"),
        (dt.time(13, 5), "hh:mm AM/PM", "en", "01:05 PM"),
        (dt.date(2019, 5, 1), None, "vi", "01/05/2019"),  # an .ods date: no format code
    ],
)
def test_render_date(value: object, code: str | None, lang: str, text: str) -> None:
    assert render_date(value, code, lang) == text


@pytest.mark.parametrize(
    ("value", "code", "lang", "text"),
    [
        ("38751", "#,##0,", "vi", "39"),
        ("38751", "#,##0.0,", "en", "38.8"),
        ("12345678", "0,,", "vi", "12"),
        ("0.92", "0%", "vi", "92%"),
        ("0.9957", "0.00%", "vi", "99,57%"),
        ("46.5", "0%", "vi", "4.650%"),
    ],
)
def test_render_number(value: str, code: str, lang: str, text: str) -> None:
    shown = classify(code)
    assert shown is not None
    assert render_number(Decimal(value), shown, lang) == text
