"""The golden workbooks (tests/golden/README.md): each file, made from the real template, gives
exactly the status, problem codes, cells and figures written by hand in expected.json."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from kpi.db import make_engine
from kpi.i18n import has
from kpi.validation import FILE_CODES, PROBLEM_CODES
from loaders.importer import ImportReport, import_file
from tests.conftest import EDITOR
from tests.golden.make_corpus import make_junk

GOLDEN = Path(__file__).resolve().parent / "golden"
FILES = GOLDEN / "files"
EXPECTED: dict[str, dict[str, Any]] = json.loads(
    (GOLDEN / "expected.json").read_text(encoding="utf-8")
)


@pytest.fixture(scope="module")
def demo_engine(demo_db: Path) -> Iterator[Engine]:
    """The session demo database: a dry run reads it and writes nothing."""
    engine = make_engine(f"sqlite:///{demo_db}")
    yield engine
    engine.dispose()


def _figures(name: str) -> list[list[str]]:
    figures = EXPECTED[name]["figures"]
    if isinstance(figures, str):
        return _figures(figures.removeprefix("same_as:"))
    return sorted(figures)


def _check(engine: Engine, name: str, tmp_path: Path, lang: str = "vi") -> ImportReport:
    exp = EXPECTED[name]
    path = make_junk(tmp_path / name) if exp.get("generated") else FILES / name
    return import_file(engine, path, actor=EDITOR, period=exp["period"], dry_run=True, lang=lang)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_golden_workbook(demo_engine: Engine, name: str, tmp_path: Path) -> None:
    exp = EXPECTED[name]
    report = _check(demo_engine, name, tmp_path)
    found = [[p.code, p.sheet, p.cell] for p in report.problems]
    assert report.status == exp["status"], found
    assert sorted({p.code for p in report.errors}) == exp["errors"], found
    assert sorted({p.code for p in report.warnings}) == exp["warnings"], found
    if "problems" in exp:
        assert sorted(found, key=lambda p: [str(x) for x in p]) == exp["problems"]
    if "found" in exp:
        shown = {(p.code, p.cell): p.found for p in report.problems}
        assert [shown.get((code, cell)) for code, cell, _ in exp["found"]] == [
            f for _, _, f in exp["found"]
        ]
    if "figures" in exp:
        got = sorted([r.indicator, r.unit_code, str(r.new), r.qualifier] for r in report.preview)
        assert got == _figures(name)
    unreadable = bool(exp["errors"]) and set(exp["errors"]) <= FILE_CODES
    refused = exp["status"] in ("rejected", "unconfirmed")
    assert report.exit_code == (2 if unreadable else 1 if refused else 0)
    for p in report.problems:
        assert p.message and "{" not in p.message, p
        if p.cell:
            assert p.message.startswith(f"Trang «{p.sheet}», ô {p.cell}: ")


def test_messages_in_english_name_the_same_cells(demo_engine: Engine, tmp_path: Path) -> None:
    vi = _check(demo_engine, "bad_parts_sum_mismatch.xlsx", tmp_path, "vi")
    en = _check(demo_engine, "bad_parts_sum_mismatch.xlsx", tmp_path, "en")
    assert [(p.code, p.cell) for p in vi.problems] == [(p.code, p.cell) for p in en.problems]
    assert all(p.message.startswith(f"Sheet «{p.sheet}», cell {p.cell}: ") for p in en.problems)
    assert vi.problems[0].message != en.problems[0].message


def test_every_problem_code_has_a_message_and_the_corpus_exercises_the_rules() -> None:
    for code in PROBLEM_CODES:
        assert has(f"import.problem.{code}", "vi") and has(f"import.problem.{code}", "en"), code
    exercised = {c for e in EXPECTED.values() for c in e["errors"] + e["warnings"]}
    not_in_corpus = {"file_not_found"}  # tests/test_cli_import.py: a path that does not exist
    assert PROBLEM_CODES - exercised == not_in_corpus


def test_the_corpus_has_enough_bad_and_good_files() -> None:
    bad = [n for n, e in EXPECTED.items() if e["status"] == "rejected" or e["warnings"]]
    good = [n for n, e in EXPECTED.items() if "figures" in e and e["status"] == "valid"]
    assert len(bad) >= 25 and len(good) >= 10
    assert {Path(n).suffix for n in EXPECTED} >= {".xlsx", ".xls", ".ods", ".xlsm", ".bin"}
    readme = (GOLDEN / "README.md").read_text(encoding="utf-8")
    assert all(f"`{n}`" in readme for n in EXPECTED)
