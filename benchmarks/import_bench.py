"""Importing a whole quarter: the province, the agencies, 9 districts and 106 communes in one
filled template (DESIGN.md section 7: "well under a second").

``run()`` times, on a fresh SQLite database, the steps a user waits for: reading the workbook
(python-calamine, one pass per sheet, plus the number formats from the styles), the same with a
format to check on every value cell (the worst case for reading formats), reading + validating
+ planning the changes (the preview), the same for the next quarter once this one is stored
(every figure compared with its previous value for likely typos), and the commit (one
transaction). Medians of a few runs.
"""

from __future__ import annotations

import io
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook

from kpi.access import Actor
from kpi.bootstrap import init_database
from kpi.catalogue import load_catalogue
from kpi.db import make_engine, session_scope
from kpi.demo import report_figures
from kpi.units import all_units
from loaders.importer import check_upload, commit_upload
from loaders.template import make_template
from loaders.workbook import read_workbook

PERIOD = "2019-Q1"
NEXT = "2019-Q2"
ACTOR = Actor("bench", "admin")


def filled_quarter(template: bytes) -> bytes:
    """The template with every input cell filled: the Q1/2019 report on the province sheet and
    consistent one-stop figures for every agency, district and commune."""
    wb = load_workbook(io.BytesIO(template))
    province = wb.worksheets[2]
    rows = {province.cell(row=r, column=1).value: r for r in range(1, province.max_row + 1)}
    for fig in report_figures():
        province.cell(row=rows[fig.code], column=5, value=int(fig.value))
    for ws in wb.worksheets[3:]:
        codes = {str(c.value): c.column for c in ws[5] if c.value}
        unit_col = codes["unit_code"]
        for n, r in enumerate(range(6, ws.max_row + 1)):
            if not ws.cell(row=r, column=unit_col).value:
                continue
            received = 200 + (n * 37) % 500
            resolved = received - received // 50
            values = {
                "dossiers_received": received,
                "dossiers_received_online": received // 10,
                "dossiers_received_direct": received - received // 10,
                "dossiers_resolved": resolved,
                "dossiers_resolved_late": resolved // 25,
                "dossiers_resolved_on_time": resolved - resolved // 25,
                "dossiers_pending": received // 30,
                "doc_system_users": 300 + n * 7,
                "email_accounts_total": 250 + n * 5,
            }
            for code, value in values.items():
                if code in codes:
                    ws.cell(row=r, column=codes[code], value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def every_cell_styled(data: bytes) -> bytes:
    """The filled quarter with a scaling format (``#,##0,``) on every filled value cell: the
    worst case for reading number formats, since each such cell is matched and located."""
    wb = load_workbook(io.BytesIO(data))
    for ws in wb.worksheets[2:]:
        for row in ws.iter_rows(min_row=6):
            for cell in row:
                if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                    cell.number_format = "#,##0,"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _median(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run() -> list[tuple[str, float, str]]:
    cat = load_catalogue()
    with tempfile.TemporaryDirectory() as tmp:
        engines = []
        for i in range(3):
            engine = make_engine(f"sqlite:///{Path(tmp) / f'bench{i}.sqlite3'}")
            init_database(engine, ACTOR)
            engines.append(engine)
        try:
            start = time.perf_counter()
            template = make_template(engines[0], PERIOD)
            template_s = time.perf_counter() - start
            data = filled_quarter(template)
            with session_scope(engines[0]) as session:
                units = all_units(session)
            read_s = _median(lambda: read_workbook(data, cat.indicators.keys(), units))
            styled = every_cell_styled(data)
            styled_s = _median(lambda: read_workbook(styled, cat.indicators.keys(), units))
            check_s = _median(lambda: check_upload(engines[0], data, "quarter.xlsx", period=PERIOD))
            report = check_upload(engines[0], data, "quarter.xlsx", period=PERIOD)
            assert report.status == "valid", [p.message for p in report.errors]
            figures = len(report.figures)
            commits = []
            for engine in engines:
                checked = check_upload(engine, data, "quarter.xlsx", period=PERIOD)
                start = time.perf_counter()
                done = commit_upload(engine, checked, ACTOR)
                commits.append(time.perf_counter() - start)
                assert done.status == "imported" and done.counts["inserted"] == figures
            commit_s = statistics.median(commits)
            # the next quarter against the one just stored: every figure has a previous value
            following = filled_quarter(make_template(engines[0], NEXT))
            history_s = _median(
                lambda: check_upload(engines[0], following, "next.xlsx", period=NEXT)
            )
        finally:
            for engine in engines:
                engine.dispose()
    note = f"s, {figures} figures: province, agencies, 9 districts, 106 communes"
    return [
        ("import: template for a quarter (openpyxl)", template_s, "s"),
        ("import: read the filled workbook (calamine)", read_s, note),
        ("import: read, every value cell with a number format to check", styled_s, note),
        ("import: read + validate + preview", check_s, note),
        ("import: read + validate + preview, quarter before stored", history_s, note),
        ("import: commit in one transaction (SQLite)", commit_s, note),
        ("import: whole quarter, upload to stored", check_s + commit_s, note),
    ]


if __name__ == "__main__":
    for name, value, unit in run():
        print(f"{name:50} {value:8.3f} {unit}")
