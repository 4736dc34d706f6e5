"""The import pipeline end to end, on SQLite and PostgreSQL: the template from the database,
filled with openpyxl, imported, and the figures read back; atomicity; the same file twice;
revisions with history; rollback; two commits of the same quarter at the same moment."""

from __future__ import annotations

import io
import threading
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine, func, select

from kpi.access import Actor, PermissionDenied
from kpi.catalogue import load_catalogue
from kpi.db import session_scope
from kpi.models import ImportBatch, Observation
from kpi.queries import Query, figure_history, figures
from kpi.store import BatchInfo, Figure, commit_figures
from kpi.units import UnitDirectory, all_units
from loaders.importer import ImportReport, check_upload, commit_upload, import_file, rollback
from loaders.template import make_template
from tests.conftest import ADMIN, EDITOR
from tests.golden.make_corpus import (
    BREAKDOWN,
    SHEET,
    fill_full,
    fill_grid,
    level_of,
    province_values,
    to_bytes,
)

Q1 = "2019-Q1"


def _template(engine: Engine) -> Workbook:
    return load_workbook(io.BytesIO(make_template(engine, Q1)))


def _full_file(engine: Engine, **changes: int) -> bytes:
    """The whole quarter (875 figures), with ``changes`` as unit__indicator=value."""
    wb = _template(engine)
    fill_full(wb)
    for key, value in changes.items():
        unit, code = key.split("__")
        fill_grid(wb, level_of(unit), {(unit, code): value})
    return to_bytes(wb)


def _counts(engine: Engine) -> tuple[int, int]:
    with session_scope(engine) as s:
        obs = s.execute(select(func.count()).select_from(Observation)).scalar_one()
        batches = s.execute(select(func.count()).select_from(ImportBatch)).scalar_one()
    return int(obs), int(batches)


def _current(engine: Engine, code: str, unit: str, period: str = Q1) -> tuple[Decimal, str] | None:
    with session_scope(engine) as s:
        units = all_units(s)
        p = UnitDirectory(units, *_bounds(period))
        row = s.execute(
            select(Observation.value, Observation.qualifier).where(
                Observation.indicator_code == code,
                Observation.unit_id == p.by_code[unit].id,
                Observation.period == period,
                Observation.is_current.is_(True),
            )
        ).one_or_none()
    return None if row is None else (Decimal(row[0]), row[1])


def _bounds(period: str) -> tuple[object, object]:
    from kpi.periods import Period

    p = Period.parse(period)
    return p.start, p.end


def _import(engine: Engine, data: bytes, name: str = "q1.xlsx", **kw: object) -> ImportReport:
    return import_file(engine, data, actor=EDITOR, file_name=name, period=Q1, **kw)  # type: ignore[arg-type]


def test_round_trip_figures_read_back_equal_the_figures_written(engine: Engine) -> None:
    report = _import(engine, _full_file(engine))
    assert report.status == "imported", [p.message for p in report.errors]
    assert report.counts == {"inserted": 875, "revised": 0, "unchanged": 0}
    assert report.exit_code == 0 and report.batch is not None

    written = {("84", code): (Decimal(v), q) for code, (v, q) in province_values().items()}
    written |= {(unit, code): (Decimal(v), "exact") for (unit, code), v in BREAKDOWN.items()}
    cat = load_catalogue()
    with session_scope(engine) as s:
        units = all_units(s)
        directory = UnitDirectory(units, *_bounds(Q1))  # type: ignore[arg-type]
        ids = tuple(sorted({directory.by_code[u].id for u, _ in written}))
        codes = tuple(sorted({c for _, c in written}))
        frame = figures(s, cat, units, Query(codes, ids, Q1, Q1))
        history = figure_history(s, "dossiers_received", directory.by_code["845"].id, Q1)
        stored_codes = set(s.scalars(select(Observation.indicator_code).distinct()))
    code_of = {u.id: u.code for u in units}
    read = {
        (code_of[int(r.unit_id)], str(r.indicator)): (
            Decimal(repr(float(r.value))),
            str(r.qualifier),
        )
        for r in frame.dropna(subset=["value"]).itertuples()
    }
    assert {k: (v.normalize(), q) for k, (v, q) in read.items() if k in written} == {
        k: (v.normalize(), q) for k, (v, q) in written.items()
    }
    assert read[("84", "e_document_share_pct")] == (Decimal("90.0"), "at_least")
    assert read[("84", "e_documents_exchanged")][1] == "approx"
    # The derived 516 was typed as a check: never stored.
    assert "online_services_total" not in stored_codes
    # Each figure knows its file, sheet and cell.
    top = history.iloc[0]
    assert (top["file_name"], top["source_sheet"], top["source_cell"]) == (
        "q1.xlsx",
        SHEET["district"],
        "E8",
    )


def test_awkward_texts_and_exact_values_are_stored_as_given(engine: Engine) -> None:
    """PostgreSQL stores an import with one COPY, whose text format has its own escapes (tab,
    line break, backslash, ``\\N`` for null): each must come back as it was given, as on SQLite."""
    texts = [
        "Tỉnh\tTrà Vinh",
        "dòng 1\ndòng 2\r\n",
        "C:\\báo cáo\\N",
        "\\N",
        "\"ngoặc kép\" 'đơn', phẩy; 38.751",
        None,
    ]
    values = [
        Decimal("38751"),
        Decimal("0.000001"),
        Decimal("123456789.123456"),  # 15 digits: SQLite keeps them through its float
        Decimal("-0"),
        Decimal(10**18 - 1),  # the largest: an exact integer on both
        Decimal("0"),
    ]
    codes = sorted(load_catalogue().indicators)[: len(texts)]
    with session_scope(engine) as s:
        province = next(u for u in all_units(s) if u.code == "84")
        given = [
            Figure(code, province.id, Q1, value, "approx" if i % 2 else "exact",
                   f"Trang {i}", f"E{i + 6}", text, text and text.upper())
            for i, (code, value, text) in enumerate(zip(codes, values, texts, strict=True))
        ]  # fmt: skip
        result = commit_figures(s, ADMIN, BatchInfo("report_text", file_name="bc.docx"), given)
    with session_scope(engine) as s:
        rows = s.scalars(select(Observation).where(Observation.batch_id == result.batch_id))
        stored = {
            r.indicator_code: Figure(
                r.indicator_code, r.unit_id, r.period, Decimal(r.value), r.qualifier,
                r.source_sheet, r.source_cell, r.source_text, r.source_read,
            )
            for r in rows
            if r.is_current
        }  # fmt: skip
    assert stored == {f.indicator_code: f for f in given}


@pytest.mark.parametrize("value", ["123456789012345678.123456", "1234567890.123456", "1E+18"])
def test_the_store_refuses_a_figure_it_would_not_keep_exactly(engine: Engine, value: str) -> None:
    with session_scope(engine) as s:
        province = next(u for u in all_units(s) if u.code == "84")
    figure = Figure("portal_languages", province.id, Q1, Decimal(value))
    with pytest.raises(ValueError, match="exactly"), session_scope(engine) as s:
        commit_figures(s, ADMIN, BatchInfo("report_text"), [figure])
    assert _counts(engine) == (0, 0)


def test_one_bad_cell_among_875_good_ones_writes_nothing(engine: Engine) -> None:
    before = _counts(engine)
    report = _import(engine, _full_file(engine, **{"29371__dossiers_received": -1}))
    assert report.status == "rejected" and report.exit_code == 1
    assert [(p.code, p.sheet) for p in report.errors] == [("negative_count", SHEET["commune"])]
    assert report.batch is None and report.figures == []
    assert _counts(engine) == before == (0, 0)


def test_a_figure_no_database_keeps_exactly_is_refused_at_its_cell(engine: Engine) -> None:
    """10^18 does not fit NUMERIC(24, 6); one less is the largest figure, kept to the unit."""
    too_big = _import(
        engine, _full_file(engine, **{"29371__dossiers_pending": "1.000.000.000.000.000.000"})
    )
    assert too_big.status == "rejected"
    assert [(p.code, p.sheet) for p in too_big.errors] == [("number_too_long", SHEET["commune"])]
    assert "1.000.000.000.000.000.000" in too_big.errors[0].message
    assert _counts(engine) == (0, 0)
    largest = _import(
        engine, _full_file(engine, **{"29371__dossiers_pending": "999.999.999.999.999.999"})
    )
    assert largest.status == "imported", [p.message for p in largest.errors]
    assert _current(engine, "dossiers_pending", "29371") == (Decimal(10**18 - 1), "exact")


def test_a_commit_that_fails_halfway_leaves_nothing_behind(engine: Engine) -> None:
    checked = check_upload(engine, _full_file(engine), "q1.xlsx", period=Q1)
    assert checked.status == "valid"
    broken = Figure("dossiers_received", 999_999, Q1, Decimal(1))  # no such unit: the insert fails
    checked.figures = [*checked.figures, broken]
    with pytest.raises(Exception):  # noqa: B017 - the database's integrity error, whichever driver
        commit_upload(engine, checked, EDITOR)
    assert _counts(engine) == (0, 0)


def test_a_dry_run_previews_and_writes_nothing(engine: Engine) -> None:
    report = _import(engine, _full_file(engine), dry_run=True)
    assert report.status == "valid" and report.exit_code == 0 and report.batch is None
    assert report.counts["inserted"] == 875
    assert {r.status for r in report.preview} == {"new"}
    row = next(
        r for r in report.preview if r.indicator == "dossiers_received" and r.unit_code == "84"
    )
    assert (row.old_text, row.new_text, row.sheet) == ("–", "38.751", SHEET["province"])
    assert _counts(engine) == (0, 0)


def test_the_same_file_twice_changes_nothing(engine: Engine) -> None:
    data = _full_file(engine)
    first = _import(engine, data)
    before = _counts(engine)
    again = _import(engine, data, name="copy-of-q1.xlsx")
    assert again.status == "unchanged" and again.exit_code == 0
    assert again.batch == first.batch
    assert again.counts == {"inserted": 0, "revised": 0, "unchanged": 875}
    assert _counts(engine) == before


def test_a_revision_supersedes_and_keeps_the_earlier_value(engine: Engine) -> None:
    first = _import(engine, _full_file(engine))
    second = _import(
        engine, _full_file(engine, **{"842__dossiers_pending": 999}), name="q1-v2.xlsx"
    )
    assert second.status == "imported"
    assert second.counts == {"inserted": 0, "revised": 1, "unchanged": 874}
    assert _current(engine, "dossiers_pending", "842") == (Decimal(999), "exact")
    with session_scope(engine) as s:
        unit_id = UnitDirectory(all_units(s), *_bounds(Q1)).by_code["842"].id  # type: ignore[arg-type]
        history = figure_history(s, "dossiers_pending", unit_id, Q1)
    assert list(history["batch_id"]) == [second.batch, first.batch]
    assert list(history["is_current"]) == [True, False]
    assert Decimal(history.iloc[1]["value"]) == BREAKDOWN[("842", "dossiers_pending")]


def test_rollback_restores_and_is_refused_while_a_later_batch_changed_the_figures(
    engine: Engine,
) -> None:
    first = _import(engine, _full_file(engine))
    second = _import(engine, _full_file(engine, **{"842__dossiers_pending": 999}), name="v2.xlsx")
    assert first.batch is not None and second.batch is not None

    refused = rollback(engine, EDITOR, first.batch, "en")
    assert (
        refused.status == "refused" and refused.code == "changed_later" and refused.exit_code == 1
    )
    assert refused.later == [
        {
            "indicator": "dossiers_pending",
            "indicator_name": "Dossiers being processed",
            "unit": "842",
            "unit_name": "Thành phố Trà Vinh",
            "period": Q1,
            "batch": second.batch,
        }
    ]
    assert f"batch {second.batch}" in refused.message
    assert _current(engine, "dossiers_pending", "842") == (Decimal(999), "exact")

    undone = rollback(engine, EDITOR, second.batch)
    assert undone.status == "rolled_back" and undone.counts == {"removed": 0, "restored": 1}
    assert _current(engine, "dossiers_pending", "842") == (
        Decimal(BREAKDOWN[("842", "dossiers_pending")]),
        "exact",
    )
    assert rollback(engine, EDITOR, first.batch).status == "rolled_back"
    assert _current(engine, "dossiers_received", "84") is None
    again = rollback(engine, EDITOR, first.batch)
    assert (again.status, again.code) == ("refused", "already_rolled_back")
    assert rollback(engine, EDITOR, 4242).code == "unknown_batch"


def test_a_rolled_back_file_counts_as_new_again(engine: Engine) -> None:
    data = _full_file(engine)
    first = _import(engine, data)
    assert first.batch is not None
    assert rollback(engine, EDITOR, first.batch).status == "rolled_back"
    again = _import(engine, data)
    assert again.status == "imported" and again.batch != first.batch
    assert again.counts["inserted"] == 875


def test_a_viewer_cannot_commit(engine: Engine) -> None:
    checked = check_upload(engine, _full_file(engine), "q1.xlsx", period=Q1)
    with pytest.raises(PermissionDenied):
        commit_upload(engine, checked, Actor("guest", "viewer"))
    assert _counts(engine) == (0, 0)


def test_two_commits_of_the_same_quarter_at_the_same_moment_both_land(engine: Engine) -> None:
    files = {v: _full_file(engine, **{"842__dossiers_pending": v}) for v in (111, 222)}
    checked = {
        v: check_upload(engine, data, f"q1-{v}.xlsx", period=Q1) for v, data in files.items()
    }
    assert all(c.status == "valid" for c in checked.values())
    start = threading.Barrier(2)
    results: dict[int, ImportReport] = {}
    failures: list[BaseException] = []

    def commit(value: int) -> None:
        try:
            start.wait()
            results[value] = commit_upload(engine, checked[value], EDITOR)
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=commit, args=(v,)) for v in checked]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert not failures, failures
    assert {r.status for r in results.values()} == {"imported"}
    later = max(results, key=lambda v: results[v].batch or 0)
    earlier = min(results, key=lambda v: results[v].batch or 0)
    # The later commit saw the earlier one: it revised exactly the one figure they differ in.
    assert results[later].counts == {"inserted": 0, "revised": 1, "unchanged": 874}
    assert _current(engine, "dossiers_pending", "842") == (Decimal(later), "exact")
    with session_scope(engine) as s:
        unit_id = UnitDirectory(all_units(s), *_bounds(Q1)).by_code["842"].id  # type: ignore[arg-type]
        history = figure_history(s, "dossiers_pending", unit_id, Q1)
    assert [Decimal(v) for v in history["value"]] == [Decimal(later), Decimal(earlier)]
