"""The round trip: the report reader reads the generated Vietnamese draft of the province back
and recovers every stored figure of the quarter (indicator, value, qualifier, period), and
proposes nothing else: not the changes, not the previous quarter's or last year's columns."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kpi import db, queries
from kpi.briefing.model import build_draft
from kpi.briefing.report import write_draft
from kpi.catalogue import load_catalogue
from kpi.units import PROVINCE_CODE, all_units
from loaders.report.reader import read_report

CAT = load_catalogue()


def _stored(url: str, period: str) -> dict[str, tuple[Decimal, str]]:
    """The province's stored (typed, not derived, not added up) figures of the quarter."""
    engine = db.make_engine(url)
    try:
        with db.session_scope(engine) as session:
            units = all_units(session)
            province = next(u for u in units if u.code == PROVINCE_CODE and u.valid_to)
            frame = queries.figure_sources(
                session, [i.code for i in CAT.at_level("province")], [province.id], period, period
            )
    finally:
        engine.dispose()
    current = frame[frame["is_current"]]
    return {
        r.indicator: (Decimal(str(r.value)), r.qualifier)
        for r in current.itertuples()
        if not CAT[r.indicator].is_derived
    }


def _draft(url: str, period: str) -> bytes:
    engine = db.make_engine(url)
    try:
        with db.session_scope(engine) as session:
            draft = build_draft(session, period, "vi")
    finally:
        engine.dispose()
    return write_draft(draft, browser=None).data


@pytest.mark.parametrize("period", ["2019-Q1", "2018-Q4"])
def test_the_reader_reads_the_draft_back(demo_url: str, demo_db: Path, period: str) -> None:
    stored = _stored(demo_url, period)
    assert len(stored) >= 30
    reading = read_report(_draft(demo_url, period), f"du-thao-{period}.docx", cat=CAT)
    assert reading.finding.period is not None and reading.finding.period.code == period
    province = [p for p in reading.proposals if p.unit == PROVINCE_CODE]
    others = [p for p in reading.proposals if p.unit != PROVINCE_CODE]
    proposed = {p.indicator: (p.value, p.qualifier) for p in province}
    assert len(proposed) == len(province), "an indicator proposed twice"
    missing = sorted(set(stored) - set(proposed))
    extra = sorted(set(proposed) - set(stored))
    wrong = {
        code: (proposed[code], stored[code])
        for code in set(stored) & set(proposed)
        if proposed[code][0] is None
        or Decimal(proposed[code][0]) != stored[code][0]
        or proposed[code][1] != stored[code][1]
    }
    assert (missing, extra, wrong) == ([], [], {})
    assert others == []  # nothing for any other unit either
    assert not [p.indicator for p in reading.proposals if p.needs_review]
