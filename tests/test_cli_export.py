"""``python -m kpi export``: the files it writes, its exit codes, its audit event.

An export is recorded in the audit log, so the tests that export use a private copy of the demo
database; the refusals, which write nothing, read the shared one.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from kpi import db, export
from kpi.catalogue import load_catalogue
from kpi.cli import main
from kpi.filters import FIELDS, Filters
from kpi.models import AuditEvent
from kpi.units import all_units
from tests.support.accounts import ensure_user

ROOT = Path(__file__).resolve().parent.parent
TRA_CU = [
    "--indicator",
    "dossiers_received",
    "--unit",
    "849",
    "--children",
    "--from",
    "2018-Q1",
    "--to",
    "2019-Q1",
]


def _built(url: str, filters: Filters) -> export.Table:
    engine = db.make_engine(url)
    try:
        with db.session_scope(engine) as session:
            return export.build(session, load_catalogue(), all_units(session), filters)
    finally:
        engine.dispose()


def test_csv_is_the_table_of_the_same_filters(
    writable_demo_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "tra-cu.csv"
    assert main(["export", *TRA_CU, "--format", "csv", "-o", str(out)]) == 0
    filters = Filters(
        indicators=("dossiers_received",),
        units=("849",),
        children=True,
        first="2018-Q1",
        last="2019-Q1",
    )
    assert out.read_bytes() == export.to_bytes(_built(writable_demo_url, filters), "csv")
    said = capsys.readouterr().out
    assert "Đã xuất 85 dòng (CSV)" in said
    assert (
        "Hồ sơ tiếp nhận, các xã, phường, thị trấn của Huyện Trà Cú, Quý I/2018 - Quý I/2019, theo quý"
        in said
    )


def test_without_indicator_or_unit_every_one_is_exported(
    writable_demo_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "all.csv"
    assert (
        main(
            [
                "export",
                "--from",
                "2019-Q1",
                "--to",
                "2019-Q1",
                "--header",
                "codes",
                "--format",
                "csv",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert {r["unit"] for r in rows} >= {"84", "84-CQ", "842", "849", "29461"}
    assert len({r["indicator"] for r in rows}) > 40
    province = {r["indicator"]: r["value"] for r in rows if r["unit"] == "84"}
    assert province["dossiers_received"] == "38751"
    assert province["doc_system_users"] == "7848"


@pytest.mark.parametrize("fmt", ["xlsx", "parquet", "json"])
def test_every_format_is_written(writable_demo_url: str, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"table.{fmt}"
    assert main(["export", *TRA_CU, "--lang", "en", "--format", fmt, "-o", str(out)]) == 0
    assert out.stat().st_size > 0
    assert not list(tmp_path.glob("*.partial"))
    if fmt == "xlsx":
        assert load_workbook(out).sheetnames == ["Table", "About"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--unit", "999"], 1, "Không có đơn vị mã «999»"),
        (["--indicator", "no_such"], 1, "Không có chỉ tiêu mã «no_such»"),
        (["--from", "2019-Q5"], 2, "Không phải một quý: «2019-Q5»"),
        (["--from", "2019-Q2", "--to", "2019-Q1"], 2, "đứng sau quý cuối"),
        (["--history", "--layout", "wide"], 2, "bảng dọc theo quý"),
        (["--freq", "month"], 2, "invalid choice"),
    ],
)
def test_refusals_and_usage_errors_write_nothing(
    demo_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    code: int,
    message: str,
) -> None:
    out = tmp_path / "x.csv"
    assert _run(["export", *args, "--format", "csv", "-o", str(out)]) == code
    assert message in capsys.readouterr().err
    assert not out.exists()


def _run(argv: list[str]) -> int:
    """The exit code, also when argparse exits by itself."""
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


def test_an_unwritable_file_is_a_usage_error(
    writable_demo_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "no-such-dir" / "x.csv"
    assert main(["export", *TRA_CU, "--format", "csv", "-o", str(out)]) == 2
    assert "Không ghi được tệp" in capsys.readouterr().err


def test_each_export_is_audited(writable_demo_url: str, tmp_path: Path) -> None:
    out = tmp_path / "x.json"
    ensure_user(writable_demo_url, "analyst", "viewer")
    assert main(["export", *TRA_CU, "--format", "json", "-o", str(out), "--user", "analyst"]) == 0
    engine = db.make_engine(writable_demo_url)
    with db.session_scope(engine) as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
        assert [(e.actor, e.detail["format"], e.detail["rows"]) for e in events] == [
            ("analyst", "json", 85)
        ]
    engine.dispose()


def test_help_lists_every_filter() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kpi", "export", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    for field in FIELDS:
        assert f"--{field.param}" in done.stdout
