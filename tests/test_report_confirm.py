"""``python -m kpi extract``: the JSON document, exit codes, the review file, and the
confirmation that stores a batch (on SQLite and PostgreSQL): evidence, the report's number and
date, the same file twice, a revision, nothing written on refusal; the demo through the reader."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from kpi import db
from kpi.catalogue import load_catalogue
from kpi.cli import main
from kpi.demo import REPORT_FILE, REPORT_REVIEW, report_figures
from kpi.models import ImportBatch, Observation
from loaders.report.reader import read_report
from loaders.report.review import (
    Review,
    ReviewError,
    apply_review,
    confirm,
    load_review,
    parse_review,
)
from tests.conftest import ADMIN, ROOT
from tests.support.accounts import ensure_user

GOLDEN = ROOT / "tests" / "golden" / "reports"
SEED_EXPECTED = GOLDEN / "seed-q1-2019.expected.json"
WORDING = GOLDEN / "q3-2020-wording.txt"


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from kpi.bootstrap import init_database

    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    engine = db.make_engine(url)
    init_database(engine, ADMIN)
    engine.dispose()
    monkeypatch.setenv("KPI_DATABASE_URL", url)
    ensure_user(url, "lan", "editor", ("84",))
    yield url


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    out: Any = captured.out
    if "--format" in argv and "json" in argv and out.strip():
        out = json.loads(out)
    return code, out, captured.err


def test_extract_prints_one_json_document(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc, _ = _run(capsys, "extract", str(REPORT_FILE), "--format", "json")
    assert code == 0
    assert (doc["period"], doc["province"]) == ("2019-Q1", "84")
    first = doc["figures"][0]
    assert set(first) >= {
        "indicator",
        "unit",
        "value",
        "qualifier",
        "confidence",
        "needs_review",
        "evidence",
    }
    assert set(first["evidence"]) >= {"line", "text", "read"}
    assert first["qualifier"] in ("exact", "approx", "at_least", "at_most")
    expected = json.loads(SEED_EXPECTED.read_text(encoding="utf-8"))["figures"]
    right = {(f["indicator"], f["value"], f["qualifier"]) for f in expected}
    got = {(f["indicator"], f["value"], f["qualifier"]) for f in doc["figures"]}
    assert len(right & got) >= 35
    unflagged_false = [
        f
        for f in doc["figures"]
        if not f["needs_review"] and (f["indicator"], f["value"], f["qualifier"]) not in right
    ]
    assert unflagged_false == []
    assert doc["checks"]


def test_the_seed_expectation_is_the_shared_decoded_table() -> None:
    shared = ROOT / "data" / "demo" / "seed-figures-q1-2019.md"  # the copy of shared/domain's
    table = re.findall(
        r"^\| ([a-z][a-z0-9_]+) \|[^|]+\|[^|]+\| (\d+) \| (\w+) \|[^|]+\|(.*)\|$",
        shared.read_text(encoding="utf-8"),
        re.M,
    )
    expected = json.loads(SEED_EXPECTED.read_text(encoding="utf-8"))["figures"]
    assert [(f["indicator"], f["value"], f["qualifier"], f["damaged"]) for f in expected] == [
        (c, int(v), q, "damaged" in rest) for c, v, q, rest in table
    ]


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["extract", "no-such-file.txt"], 2),
        (["extract", str(REPORT_FILE), "--period", "2019-Q9"], 2),
        (["extract", str(REPORT_FILE), "--confirm"], 2),
        (["extract", str(ROOT / "README.md").replace("README.md", "data/units.csv")], 2),
    ],
)
def test_extract_usage_errors_and_unreadable_files_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], code: int
) -> None:
    assert _run(capsys, *argv)[0] == code


def test_a_review_template_is_refused_until_flagged_figures_are_decided(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cli_db: str
) -> None:
    code, template, _ = _run(capsys, "extract", str(REPORT_FILE), "--format", "review")
    assert code == 0 and "[figures.l4_dossiers_online]" in template
    review = tmp_path / "review.toml"
    review.write_text(template, encoding="utf-8")
    code, doc, _ = _run(
        capsys,
        "extract",
        str(REPORT_FILE),
        "--review",
        str(review),
        "--confirm",
        "--format",
        "json",
    )
    assert code == 1 and doc["status"] == "refused"
    undecided = {p["indicator"] for p in doc["problems"] if p["code"] == "undecided"}
    assert "l4_dossiers_online" in undecided and "digital_certificates_active" in undecided
    assert _count(cli_db) == 0


def _count(url: str) -> int:
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(ImportBatch)).scalar_one())
    finally:
        engine.dispose()


def test_confirm_from_the_command_line_then_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cli_db: str
) -> None:
    argv = [
        "extract",
        str(REPORT_FILE),
        "--review",
        str(REPORT_REVIEW),
        "--confirm",
        "--user",
        "lan",
        "--format",
        "json",
    ]
    code, doc, _ = _run(capsys, *argv)
    assert code == 0 and doc["status"] == "imported"
    assert doc["counts"] == {"inserted": 38, "revised": 0, "unchanged": 0}
    code, again, _ = _run(capsys, *argv)
    assert (code, again["status"], again["batch"]) == (0, "unchanged", doc["batch"])
    engine = db.make_engine(cli_db)
    try:
        with db.session_scope(engine) as s:
            batch = s.get(ImportBatch, doc["batch"])
            assert batch is not None
            assert (batch.source_kind, batch.user, batch.period) == (
                "report_text",
                "lan",
                "2019-Q1",
            )
            assert batch.report_number == "198/BC-STTTT-VP"
            assert batch.report_date is not None and batch.report_date.isoformat() == "2019-03-14"
            assert batch.sha256 == read_report(REPORT_FILE.read_bytes(), "x").sha256
    finally:
        engine.dispose()


def _review(data: dict[str, Any]) -> Review:
    return parse_review(data)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"figures": {"dossiers_received": {"action": "maybe"}}}, "bad_action"),
        ({"figures": {"dossiers_received": {"action": "correct"}}}, "value_missing"),
        (
            {"figures": {"dossiers_received": {"action": "accept", "qualifier": "roughly"}}},
            "bad_qualifier",
        ),
        ({"default": "sometimes"}, "bad_default"),
        ({"report_date": "yesterday"}, "bad_date"),
    ],
)
def test_a_malformed_review_is_refused(data: dict[str, Any], code: str) -> None:
    with pytest.raises(ReviewError) as info:
        parse_review(data)
    assert info.value.problems[0][0] == code
    assert all("{" not in m for m in info.value.messages("vi") + info.value.messages("en"))


@pytest.mark.parametrize(
    ("figures", "code"),
    [
        ({"no_such_code": {"action": "add", "value": 1}}, "unknown_indicator"),
        ({"online_services_total": {"action": "add", "value": 516}}, "derived"),
        ({"dossiers_received_online": {"action": "correct", "value": 3}}, "not_proposed"),
        ({"dossiers_received": {"action": "add", "value": 3}}, "already_proposed"),
        ({"dossiers_received": {"action": "correct", "value": -3}}, "negative"),
        ({"dossiers_received": {"action": "correct", "value": 3.5}}, "not_whole"),
        ({"e_document_share_pct": {"action": "correct", "value": 120}}, "percent_range"),
        # figures a database would not keep exactly (kpi.numbers.storable)
        ({"dossiers_received": {"action": "correct", "value": 10**18}}, "too_long"),
        ({"e_document_share_pct": {"action": "correct", "value": "12.3456789"}}, "too_long"),
    ],
)
def test_review_decisions_that_make_no_sense_are_refused(
    figures: dict[str, Any], code: str
) -> None:
    cat = load_catalogue()
    reading = read_report(WORDING.read_bytes(), WORDING.name, cat=cat)
    with pytest.raises(ReviewError) as info:
        apply_review(reading, _review({"figures": figures}), cat)
    assert code in {c for c, _i, _p in info.value.problems}


def test_confirm_stores_evidence_and_revises_on_other_figures(engine: Engine) -> None:
    cat = load_catalogue()
    reading = read_report(WORDING.read_bytes(), WORDING.name, cat=cat)
    review = _review(
        {
            "figures": {
                "dossiers_received": {"action": "correct", "value": 41237},
                "email_accounts_new": {"action": "reject"},
                "dossiers_received_online": {"action": "add", "value": 1402, "line": 25},
            }
        }
    )
    with db.session_scope(engine) as s:
        first = confirm(s, ADMIN, reading, review, cat)
    assert first.status == "imported"
    assert first.counts["inserted"] == len(reading.proposals)  # one rejected, one added
    with db.session_scope(engine) as s:
        rows = {
            o.indicator_code: o
            for o in s.scalars(select(Observation).where(Observation.batch_id == first.batch_id))
        }
        assert "email_accounts_new" not in rows
        assert rows["dossiers_received"].value == Decimal(41237)
        assert rows["dossiers_received"].source_cell == "24"
        assert "41.236" in (rows["dossiers_received"].source_text or "")
        assert rows["dossiers_received_online"].source_cell == "25"
        assert rows["e_documents_exchanged"].qualifier == "approx"
        batch = s.get(ImportBatch, first.batch_id)
        assert batch is not None and batch.report_number == "2154/BC-STTTT"
    with db.session_scope(engine) as s:
        again = confirm(s, ADMIN, reading, review, cat)
    assert (again.status, again.batch_id) == ("unchanged", first.batch_id)
    other = _review(
        {
            "figures": {
                "dossiers_received": {"action": "accept"},
                "email_accounts_new": {"action": "reject"},
                "dossiers_received_online": {"action": "add", "value": 1402, "line": 25},
            }
        }
    )
    with db.session_scope(engine) as s:
        revision = confirm(s, ADMIN, reading, other, cat)
    assert revision.status == "imported" and revision.batch_id != first.batch_id
    assert revision.counts["revised"] == 1
    with db.session_scope(engine) as s:
        current = s.scalars(
            select(Observation).where(
                Observation.indicator_code == "dossiers_received", Observation.is_current
            )
        ).one()
        assert current.value == Decimal(41236) and current.batch_id == revision.batch_id


def test_a_refused_review_writes_nothing(engine: Engine) -> None:
    cat = load_catalogue()
    reading = read_report(REPORT_FILE.read_bytes(), REPORT_FILE.name, cat=cat)
    with db.session_scope(engine) as s, pytest.raises(ReviewError):
        confirm(s, ADMIN, reading, Review(), cat)  # the flagged figures are undecided
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Observation)).scalar_one() == 0


def test_the_demo_figures_are_the_decoded_table_of_the_seed() -> None:
    expected = json.loads(SEED_EXPECTED.read_text(encoding="utf-8"))["figures"]
    loaded = {(f.code, int(f.value), f.qualifier) for f in report_figures()}
    assert loaded == {(f["indicator"], f["value"], f["qualifier"]) for f in expected}


def test_the_demo_review_adds_little_beyond_what_the_reader_flagged() -> None:
    """The review is a person's corrections of flagged readings, not the old CSV again."""
    cat = load_catalogue()
    reading = read_report(REPORT_FILE.read_bytes(), REPORT_FILE.name, cat=cat)
    review = load_review(REPORT_REVIEW)
    flagged = {p.indicator for p in reading.proposals if p.needs_review}
    beyond = [
        d
        for d in review.decisions.values()
        if d.action == "add" or (d.indicator not in flagged and d.action != "accept")
    ]
    assert len(beyond) <= 3
    assert {d.indicator for d in review.decisions.values() if d.action == "correct"} <= flagged


def test_a_district_figure_is_reviewed_and_stored_under_its_district(engine: Engine) -> None:
    from kpi.models import Unit

    cat = load_catalogue()
    text = "BÁO CÁO QUÝ I/2020\nToàn tỉnh tiếp nhận 40.000 hồ sơ; huyện Càng Long tiếp nhận 4.120 hồ sơ."
    reading = read_report(text.encode(), "d.txt", cat=cat)
    review = _review({"figures": {"dossiers_received@844": {"action": "correct", "value": 4121}}})
    with db.session_scope(engine) as s:
        done = confirm(s, ADMIN, reading, review, cat)
        assert done.counts["inserted"] == 2
        rows = s.execute(
            select(Unit.code, Observation.value)
            .join(Unit, Unit.id == Observation.unit_id)
            .where(Observation.batch_id == done.batch_id)
        ).all()
    assert sorted((c, int(v)) for c, v in rows) == [("84", 40000), ("844", 4121)]


@pytest.mark.parametrize(
    ("lang", "summary"),
    [("vi", "38 số liệu đề xuất"), ("en", "38 figures proposed")],
)
def test_extract_text_marks_flagged_figures(
    capsys: pytest.CaptureFixture[str], lang: str, summary: str
) -> None:
    code, out, _ = _run(capsys, "extract", str(REPORT_FILE), "--lang", lang)
    assert code == 0 and summary in out
    flagged = [ln for ln in out.splitlines() if ln.startswith(" ⚑")]
    assert any("l4_dossiers_online" in ln and "494" in ln for ln in flagged)
    assert any("e_document_share_pct" in ln and ">90%" in ln for ln in out.splitlines())


def test_a_district_editor_cannot_confirm_the_provinces_report(
    capsys: pytest.CaptureFixture[str], cli_db: str
) -> None:
    ensure_user(cli_db, "binh", "editor", ("844",))
    argv = ["extract", str(REPORT_FILE), "--review", str(REPORT_REVIEW), "--confirm"]
    code, _, err = _run(capsys, *argv, "--user", "binh")
    assert code == 1 and _count(cli_db) == 0
    assert "(phạm vi 844) không được ghi số liệu của 84" in err
    code, _, _ = _run(capsys, *argv, "--user", "khong-co")
    assert code == 1 and _count(cli_db) == 0
