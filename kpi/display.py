"""Figures as people read them: the value with its qualifier, in the user's language."""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from decimal import Decimal

from kpi.catalogue import IndicatorDef
from kpi.i18n import t
from kpi.numbers import format_number


def format_figure(
    ind: IndicatorDef,
    value: Decimal | float | int | None,
    lang: str = "vi",
    qualifier: str = "exact",
    missing: str = "–",
) -> str:
    """``7.848``, ``99,57%``, ``>90%``, ``~28.474`` (``7,848`` … ``99.57%`` in English).

    Ratios are stored as shares and shown as percentages with their decimals; typed-in
    percentages show at most their decimals (``90%``, ``90,81%``).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    decimals = ind.decimals
    if ind.percent and not ind.fraction:
        number = Decimal(str(value))
        if number == number.to_integral_value():
            decimals = 0
    return format_number(
        value,
        lang,
        decimals=decimals,
        percent=ind.percent and not ind.fraction,
        fraction=ind.fraction,
        qualifier=qualifier,
        missing=missing,
    )


def format_change(
    ind: IndicatorDef, diff: float | None, share: float | None, lang: str = "vi"
) -> str | None:
    """A change for a card: ``+1.234 (+3,2%)``; for percentages the change is in points."""
    if diff is None:
        return None
    # An ASCII minus: Streamlit turns the arrow down for a delta that starts with "-".
    sign = "+" if diff > 0 else ("-" if diff < 0 else "±")
    if ind.fraction or ind.percent:
        points = abs(diff) * (100 if ind.fraction else 1)
        return t("change.points", lang, value=sign + format_number(points, lang, decimals=2))
    text = sign + format_number(abs(diff), lang, decimals=ind.decimals)
    if share is not None:
        text += f" ({sign}{format_number(abs(share) * 100, lang, decimals=1)}%)"
    return text


def local_time(value: dt.datetime | None, timezone: str, *, seconds: bool = False) -> str:
    """A stored time (naive UTC) as people read it: ``dd/mm/yyyy HH:MM`` in the province's
    time zone (``KPI_TIMEZONE``). Machine formats keep ISO 8601 UTC instead."""
    if value is None:
        return ""
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    local = aware.astimezone(zoneinfo.ZoneInfo(timezone))
    return local.strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")
