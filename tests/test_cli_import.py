"""``python -m kpi template | import | rollback``: exit codes, JSON documents, nothing written on
refusal. Most runs call ``kpi.cli.main`` in the process; one goes through ``python -m kpi``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from kpi.cli import main
from kpi.db import make_engine
from kpi.i18n import t
from loaders.importer import batches
from tests.conftest import ADMIN, ROOT
from tests.golden.make_corpus import fill_province, to_bytes
from tests.support.accounts import ensure_user

FILES = ROOT / "tests" / "golden" / "files"
GOOD = FILES / "good_province_q1_2019.xlsx"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An initialised SQLite database (catalogue and units, no figures) as the CLI's database."""
    from kpi.bootstrap import init_database

    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    engine = make_engine(url)
    init_database(engine, ADMIN)
    engine.dispose()
    monkeypatch.setenv("KPI_DATABASE_URL", url)
    ensure_user(url, "lan", "editor", ("84",))
    yield url


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any]:
    code = main(list(argv))
    out = capsys.readouterr().out
    return code, json.loads(out) if "--format" in argv and "json" in argv else out


def _batches(url: str) -> list[dict[str, Any]]:
    engine = make_engine(url)
    try:
        return batches(engine)
    finally:
        engine.dispose()


def test_import_json_then_the_same_file_again(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = _run(
        capsys, "import", str(GOOD), "--period", "2019-Q1", "--format", "json", "--user", "lan"
    )
    assert code == 0
    assert {k: doc[k] for k in ("status", "errors", "warnings", "counts")} == {
        "status": "imported",
        "errors": [],
        "warnings": [],
        "counts": {"inserted": 38, "revised": 0, "unchanged": 0},
    }
    assert isinstance(doc["batch"], int) and doc["file"] == GOOD.name
    code, again = _run(capsys, "import", str(GOOD), "--format", "json")
    assert code == 0
    assert (again["status"], again["batch"], again["counts"]) == (
        "unchanged",
        doc["batch"],
        {"inserted": 0, "revised": 0, "unchanged": 38},
    )
    assert [(b["batch"], b["user"], b["inserted"]) for b in _batches(db)] == [
        (doc["batch"], "lan", 38)
    ]


def test_a_dry_run_is_valid_and_writes_nothing(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = _run(capsys, "import", str(GOOD), "--dry-run", "--format", "json", "--changes")
    assert (code, doc["status"], doc["batch"]) == (0, "valid", None)
    assert doc["counts"]["inserted"] == 38 and len(doc["changes"]) == 38
    assert {"indicator": "doc_system_users", "unit": "84", "new": "7848"}.items() <= next(
        c for c in doc["changes"] if c["indicator"] == "doc_system_users"
    ).items()
    assert _batches(db) == []


@pytest.mark.parametrize(
    ("name", "period", "exit_code", "codes"),
    [
        ("bad_negative_count.xlsx", "2019-Q1", 1, ["negative_count"]),
        ("bad_period_mismatch.xlsx", "2019-Q2", 1, ["period_mismatch"]),
        ("copy_bad_negative_count.ods", "2019-Q1", 1, ["negative_count"]),
        ("junk_small.bin", "2019-Q1", 2, ["not_a_spreadsheet"]),
        ("encrypted.xlsx", "2019-Q1", 2, ["encrypted"]),
        ("macro_enabled.xlsm", "2019-Q1", 2, ["macro_enabled"]),
        ("missing.xlsx", "2019-Q1", 2, ["file_not_found"]),
    ],
)
def test_refused_files_exit_1_or_2_and_write_nothing(
    db: str,
    capsys: pytest.CaptureFixture[str],
    name: str,
    period: str,
    exit_code: int,
    codes: list[str],
) -> None:
    code, doc = _run(capsys, "import", str(FILES / name), "--period", period, "--format", "json")
    assert code == exit_code
    assert doc["status"] == "rejected" and doc["batch"] is None
    assert [e["code"] for e in doc["errors"]] == codes
    assert set(doc["errors"][0]) == {
        "severity",
        "code",
        "sheet",
        "cell",
        "found",
        "expected",
        "message",
        "needs_ack",
    }
    assert _batches(db) == []


def test_text_output_names_sheet_and_cell_in_the_chosen_language(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run(capsys, "import", str(FILES / "bad_negative_count.xlsx"), "--lang", "en")
    assert code == 1
    assert "negative_count" in out and "Cấp huyện!E8" in out
    assert "A count cannot be negative: «-5» (Dossiers received)." in out
    assert t("import.summary.nothing_written", "en") in out


def test_usage_errors_exit_2(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(GOOD), "--period", "quarter five"]) == 2
    assert main(["template", "--period", "2019-Q5", "-o", "x.xlsx"]) == 2
    # every command that takes a quarter refuses a wrong one the same way, naming itself
    for argv in (
        ["status", "--period", "2019-Q5"],
        ["extract", str(GOOD), "--period", "2019-Q5"],
        ["briefing", "--period", "2019-Q5", "-o", "x.docx"],
    ):
        capsys.readouterr()
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith(f"kpi {argv[0]}: ") and "2019-Q5" in err, err
    assert main(["template", "--period", "2019-Q2", "--level", "village", "-o", "x.xlsx"]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["rollback", "not-a-number"])
    assert exc.value.code == 2


def test_template_command_writes_the_quarter(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "q2.xlsx"
    code, doc = _run(
        capsys,
        "template",
        "--period",
        "Quý II/2019",
        "--level",
        "province,district",
        "-o",
        str(out),
        "--format",
        "json",
    )
    assert code == 0 and doc["period"] == "2019-Q2" and doc["levels"] == ["province", "district"]
    wb = load_workbook(out)
    assert wb.sheetnames == [
        t(f"import.template.sheet.{s}", "vi")
        for s in ("instructions", "metadata", "province", "district")
    ]


def test_rollback_refused_while_a_later_batch_changed_the_figures(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, first = _run(capsys, "import", str(GOOD), "--format", "json")
    wb = load_workbook(GOOD)
    fill_province(wb, {"doc_system_users": 7900})
    revised = tmp_path / "revised.xlsx"
    revised.write_bytes(to_bytes(wb))
    _, second = _run(capsys, "import", str(revised), "--format", "json", "--user", "lan")
    assert second["counts"] == {"inserted": 0, "revised": 1, "unchanged": 37}

    code, doc = _run(capsys, "rollback", str(first["batch"]), "--format", "json")
    assert code == 1 and doc["status"] == "refused" and doc["code"] == "changed_later"
    assert [(x["indicator"], x["unit"], x["batch"]) for x in doc["later"]] == [
        ("doc_system_users", "84", second["batch"])
    ]
    code, text = _run(capsys, "rollback", str(first["batch"]), "--lang", "en")
    assert (
        code == 1
        and f"batch {second['batch']}" in text
        and "Roll back the later batch first" in text
    )

    code, doc = _run(capsys, "rollback", str(second["batch"]), "--format", "json", "--user", "lan")
    assert (code, doc["status"], doc["counts"]) == (0, "rolled_back", {"removed": 0, "restored": 1})
    assert _run(capsys, "rollback", str(second["batch"]))[0] == 1  # already rolled back
    assert _run(capsys, "rollback", "999")[0] == 1  # unknown batch
    statuses = {b["batch"]: b["status"] for b in _batches(db)}
    assert statuses == {first["batch"]: "committed", second["batch"]: "rolled_back"}


def test_python_dash_m_kpi_import_in_a_subprocess(db: str) -> None:
    env = {**os.environ, "KPI_DATABASE_URL": db}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kpi",
            "import",
            str(FILES / "bad_derived_mismatch_516.xlsx"),
            "--format",
            "json",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    doc = json.loads(done.stdout)
    assert doc["status"] == "rejected"
    assert [(e["code"], e["found"], e["expected"]) for e in doc["errors"]] == [
        ("derived_mismatch", "517", "516")
    ]
