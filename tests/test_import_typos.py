"""Likely typos are questioned before anything is stored: against the same unit's previous
quarter (thresholds per indicator in the catalogue), acknowledged on the page or with
``kpi import --accept-warnings``; and the bound of the units that exist."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine

from kpi.catalogue import CatalogueError, HistoryCheck, load_catalogue, parse_catalogue
from kpi.cli import main
from kpi.db import make_engine, session_scope
from kpi.queries import Previous, previous_figures
from kpi.store import BatchInfo, Figure, commit_figures
from kpi.units import all_units
from kpi.validation import history_problems
from loaders.importer import WarningsNotAcknowledged, batches, check_upload, commit_upload
from tests.conftest import ADMIN, EDITOR, ROOT

FILES = ROOT / "tests" / "golden" / "files"
SLIP = FILES / "typo_separator_slip_q2_2019.xlsx"
CAT = load_catalogue()


@pytest.mark.parametrize(
    ("code", "old", "new", "expected"),
    [
        ("dossiers_received", "38751", "3875", "jump_from_previous"),  # the separator slip
        ("dossiers_received", "3875", "38751", "jump_from_previous"),  # the other way round
        ("doc_system_users", "7848", "799", "jump_from_previous"),
        ("dossiers_received", "38751", "38584", None),
        ("dossiers_received", "160", "21", None),  # 7.6 times: under the factor of 8
        ("dossiers_received", "19", "190", None),  # under the floor of 20: small numbers vary
        ("doc_system_users", "479", "200", "stock_drop"),  # falls by 58 %
        ("doc_system_users", "479", "240", None),  # by 49.9 %
        ("doc_system_users", "19", "2", "stock_drop"),  # under the floor, still halved
        ("dossiers_pending", "812", "150", None),  # a backlog may be cleared: stock_drop = false
        ("dossiers_pending", "812", "80", "jump_from_previous"),  # ... but not slip a separator
        ("legal_docs_published", "88", "0", "flow_to_zero"),
        ("complaints_received", "1", "0", None),  # flow_zero = false for it
        ("legal_docs_published", "0", "0", None),
        ("dossiers_received", "0", "5", None),
    ],
)
def test_history_checks(code: str, old: str, new: str, expected: str | None) -> None:
    figure = Figure(code, 1, "2019-Q2", Decimal(new), source_sheet="Tỉnh", source_cell="E9")
    previous = {(code, 1): Previous("2019-Q1", Decimal(old), "exact")}
    problems = history_problems([figure], previous, CAT, {}, "vi")
    assert [p.code for p in problems] == ([expected] if expected else [])
    for p in problems:
        assert p.needs_ack and p.severity == "warning" and (p.sheet, p.cell) == ("Tỉnh", "E9")
        assert "Quý I/2019" in p.message and "Quý I/2019" in (p.expected or "")


def test_history_check_thresholds_come_from_the_catalogue() -> None:
    base = {
        "catalogue_version": "t",
        "group": [{"code": "g", "order": 1, "name_vi": "g", "name_en": "g"}],
    }
    ind = {
        "code": "x_count", "group": "g", "name_vi": "x", "name_en": "x", "unit_vi": "u",
        "unit_en": "u", "kind": "stock", "definition_vi": "d", "definition_en": "d",
    }  # fmt: skip
    cat = parse_catalogue(
        {
            **base,
            "history_check": {"jump_factor": 5, "stock_drop": 0.2},
            "indicator": [ind, {**ind, "code": "y_count", "history_check": False}],
        }
    )
    assert cat["x_count"].history == HistoryCheck(Decimal(5), Decimal(20), Decimal("0.2"), True)
    assert cat["y_count"].history.jump_factor is None and cat["y_count"].history.stock_drop is None
    with pytest.raises(CatalogueError, match="history_check"):
        parse_catalogue({**base, "indicator": [{**ind, "history_check": {"factor": 3}}]})
    with pytest.raises(CatalogueError, match="agency_count"):
        parse_catalogue({**base, "indicator": [ind], "agency_count": {"84": 0}})


def test_previous_figures_are_the_latest_current_ones_before_the_quarter(engine: Engine) -> None:
    with session_scope(engine) as session:
        province = next(u for u in all_units(session) if u.code == "84")
        figures = [
            Figure("dossiers_received", province.id, "2018-Q3", Decimal(30000)),
            Figure("dossiers_received", province.id, "2018-Q4", Decimal(35000)),
            Figure("doc_system_users", province.id, "2018-Q1", Decimal(7000)),  # 5 quarters back
            Figure("dossiers_received", province.id, "2019-Q2", Decimal(99)),  # the quarter itself
        ]
        commit_figures(session, ADMIN, BatchInfo("csv", file_name="t.csv"), figures)
    with session_scope(engine) as session:
        found = previous_figures(
            session,
            [("dossiers_received", province.id), ("doc_system_users", province.id)],
            "2019-Q2",
        )
    assert found == {
        ("dossiers_received", province.id): Previous("2018-Q4", Decimal(35000), "exact")
    }


def test_preview_lists_the_questioned_figures_first_and_marks_them(writable_demo_url: str) -> None:
    engine = make_engine(writable_demo_url)
    try:
        report = check_upload(engine, SLIP.read_bytes(), SLIP.name, period="2019-Q2")
        assert report.status == "valid"
        assert [p.code for p in report.problems] == ["jump_from_previous"] * 2
        table = report.preview_table()
        marks = [row["Cần kiểm tra"] for row in table]
        assert marks[:2] == ["⚠ 7.848 (Quý I/2019)", "⚠ 38.751 (Quý I/2019)"] or marks[:2] == [
            "⚠ 38.751 (Quý I/2019)",
            "⚠ 7.848 (Quý I/2019)",
        ]
        assert all(m == "" for m in marks[2:])
        with pytest.raises(WarningsNotAcknowledged):
            commit_upload(engine, report, EDITOR)
        assert len(batches(engine)) == len(batches(engine))  # nothing was written above
        before = len(batches(engine))
        done = commit_upload(engine, report, EDITOR, accept_warnings=True)
        assert done.status == "imported" and len(batches(engine)) == before + 1
    finally:
        engine.dispose()


def test_cli_refuses_likely_typos_without_accept_warnings(
    writable_demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_engine(writable_demo_url)
    before = len(batches(engine))
    args = ["import", str(SLIP), "--period", "2019-Q2", "--format", "json"]
    assert main(args) == 1
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert doc["status"] == "unconfirmed" and doc["to_acknowledge"] == 2 and doc["batch"] is None
    assert [(w["code"], w["needs_ack"]) for w in doc["warnings"]] == [
        ("jump_from_previous", True)
    ] * 2
    assert "--accept-warnings" in captured.err
    assert len(batches(engine)) == before
    assert main([*args, "--accept-warnings"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["status"] == "imported" and doc["counts"]["inserted"] == 2
    assert len(batches(engine)) == before + 1
    engine.dispose()


def test_text_output_lists_the_typos(
    writable_demo_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["import", str(SLIP), "--period", "2019-Q2", "--dry-run"]) == 1
    out = capsys.readouterr()
    assert out.out.count("jump_from_previous") == 2 and "38.751" in out.out
    assert "--accept-warnings" in out.err
