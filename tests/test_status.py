"""Who has reported (``kpi.status``, ``kpi status``, the Upload page) on hand-made data."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from kpi.catalogue import load_catalogue
from kpi.cli import main
from kpi.db import session_scope
from kpi.periods import Period
from kpi.status import reporting_status, status_rows
from kpi.store import BatchInfo, Figure, commit_figures, rollback_batch
from kpi.units import UnitDirectory, all_units
from tests.conftest import ADMIN
from tests.support.apptest import open_app

CAT = load_catalogue()
PROVINCE_CODES = [i.code for i in CAT.stored() if "province" in i.levels]
DISTRICT_CODES = [i.code for i in CAT.stored() if "district" in i.levels]
COMMUNE_CODES = [i.code for i in CAT.stored() if "commune" in i.levels]


def _commit(engine: Engine, rows: list[tuple[str, str, str, int]], name: str) -> int:
    """Figures (indicator, unit code, period, value) as one batch; returns its id."""
    with session_scope(engine) as session:
        units = all_units(session)
        figures = []
        for code, unit, period, value in rows:
            p = Period.parse(period)
            uid = UnitDirectory(units, p.start, p.end).by_code[unit].id
            figures.append(Figure(code, uid, period, Decimal(value)))
        result = commit_figures(session, ADMIN, BatchInfo("csv", file_name=name), figures)
        assert result.batch_id is not None
        return result.batch_id


@pytest.fixture
def reported(engine: Engine) -> tuple[Engine, dict[str, int]]:
    """Q1/2019: the province complete, Càng Long (844) without its pending dossiers, one
    commune of 844 complete. Q2/2019: the province's users and dossiers received only, 844
    complete in one batch that is then undone, and the agencies' dossiers received."""
    b1 = _commit(
        engine,
        [(c, "84", "2019-Q1", 5) for c in PROVINCE_CODES]
        + [(c, "844", "2019-Q1", 5) for c in DISTRICT_CODES if c != "dossiers_pending"]
        + [(c, "29266", "2019-Q1", 1) for c in COMMUNE_CODES],
        "q1.csv",
    )
    b2 = _commit(
        engine,
        [
            ("doc_system_users", "84", "2019-Q2", 7900),
            ("dossiers_received", "84", "2019-Q2", 40000),
        ],
        "q2a.csv",
    )
    b3 = _commit(engine, [(c, "844", "2019-Q2", 7) for c in DISTRICT_CODES], "q2b.csv")
    b4 = _commit(engine, [("dossiers_received", "84-CQ", "2019-Q2", 900)], "q2c.csv")
    with session_scope(engine) as session:
        rollback_batch(session, ADMIN, b3)
    return engine, {"q1": b1, "q2a": b2, "q2b": b3, "q2c": b4}


def test_each_unit_with_present_missing_and_the_last_batch(
    reported: tuple[Engine, dict[str, int]],
) -> None:
    engine, b = reported
    with session_scope(engine) as session:
        status = reporting_status(session, CAT, "2019-Q2")
    assert status.period == "2019-Q2" and status.previous == "2019-Q1"
    by_code = {u.code: u for u in status.units}
    assert [u.level for u in status.units][:3] == ["province", "agencies", "district"]
    assert len(status.units) == 11  # province, agencies, 9 districts; communes folded
    prov = by_code["84"]
    assert set(prov.now.present) == {"doc_system_users", "dossiers_received"}
    assert len(prov.now.expected) == len(PROVINCE_CODES)
    assert set(prov.now.missing) == set(PROVINCE_CODES) - {"doc_system_users", "dossiers_received"}
    assert prov.now.last_batch == b["q2a"]
    assert prov.before.complete and prov.before.last_batch == b["q1"]
    assert by_code["84-CQ"].now.present == ("dossiers_received",)
    assert by_code["84-CQ"].now.last_batch == b["q2c"]
    cang_long = by_code["844"]
    assert cang_long.now.present == () and cang_long.now.last_batch is None  # undone batch
    assert cang_long.before.missing == ("dossiers_pending",)
    assert cang_long.communes and all(not c.now.present for c in cang_long.communes)
    assert cang_long.communes_before is not None
    assert len(cang_long.communes_before.present) == len(COMMUNE_CODES)


def test_status_rows_in_words(reported: tuple[Engine, dict[str, int]]) -> None:
    engine, b = reported
    with session_scope(engine) as session:
        rows = status_rows(reporting_status(session, CAT, "2019-Q1"), CAT, "vi")
    by_unit = {r["Đơn vị"]: r for r in rows}
    assert by_unit["Trà Vinh (84)"]["Đã có"] == f"{len(PROVINCE_CODES)}/{len(PROVINCE_CODES)}"
    assert by_unit["Trà Vinh (84)"]["Còn thiếu"] == "Không"
    assert by_unit["Trà Vinh (84)"]["Lần nhập gần nhất"].startswith(f"lô #{b['q1']}, ")
    assert by_unit["Huyện Càng Long (844)"]["Còn thiếu"] == CAT["dossiers_pending"].name("vi")
    assert by_unit["Huyện Càng Long (844)"]["Các xã"].startswith("1/14 xã đủ số liệu")
    assert by_unit["Huyện Cầu Kè (845)"]["Còn thiếu"] == "Chưa báo cáo"
    assert by_unit["Huyện Cầu Kè (845)"]["Các xã"] == "Chưa xã nào báo cáo (11 xã)"


def test_cli_status_json(
    reported: tuple[Engine, dict[str, int]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    engine, b = reported
    monkeypatch.setenv("KPI_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert main(["status", "--period", "2019-Q2", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    prov = doc["units"][0]
    assert (prov["code"], prov["present"], prov["last_batch"]) == ("84", 2, b["q2a"])
    assert prov["previous"]["present"] == len(PROVINCE_CODES)
    cang_long = next(u for u in doc["units"] if u["code"] == "844")
    assert cang_long["communes"]["count"] == 14 and cang_long["communes"]["present"] == 0
    assert cang_long["communes"]["previous"]["present"] == len(COMMUNE_CODES)
    assert "missing" not in cang_long["communes"]
    lacking = cang_long["communes"]["incomplete"]
    assert len(lacking) == 14 and lacking[0]["missing"] == COMMUNE_CODES
    assert main(["status", "--period", "2019-Q2", "--lang", "vi"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Tình hình báo cáo Quý II/2019 (quý trước: Quý I/2019)")
    assert "Chưa báo cáo" in text
    assert main(["status", "--period", "2019-Q5"]) == 2


def test_upload_page_shows_who_has_reported(editor_login: str, writable_demo_url: str) -> None:
    at = open_app("vi", "pages/upload.py")
    heads = [s.value for s in at.subheader]
    assert "Tình hình báo cáo Quý II/2019" in heads  # the next quarter to report
    table = at.dataframe[0].value
    assert list(table.columns)[:4] == ["Đơn vị", "Cấp", "Đã có", "Còn thiếu"]
    assert table.iloc[0]["Đơn vị"] == "Trà Vinh (84)"
    assert set(table["Còn thiếu"]) == {"Chưa báo cáo"}  # nothing of Q2/2019 yet
    assert all(
        v.split(" ")[0].split("/")[0] == v.split(" ")[0].split("/")[1] for v in table["Quý trước"]
    )
    at.selectbox(key="upload_template_period").set_value("2019-Q1").run()
    table = at.dataframe[0].value
    assert set(table["Còn thiếu"]) == {"Không"}
