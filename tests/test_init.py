"""``kpi init --demo``: the real Q1/2019 figures with their report lines, demo data that adds
up and is marked as such, and a second run that changes nothing."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from kpi import db
from kpi.bootstrap import init_database
from kpi.catalogue import load_catalogue
from kpi.demo import report_figures
from kpi.models import Base, ImportBatch, Observation, Unit
from kpi.periods import Period, period_range
from kpi.queries import Query, figures
from kpi.units import UnitDirectory, all_units
from tests.conftest import ADMIN, ROOT


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
            for name in Base.metadata.tables
        }


def test_init_demo_twice_gains_and_loses_no_row(db_url: str) -> None:
    engine = db.make_engine(db_url)
    try:
        init_database(engine, ADMIN, demo=True)
        first = _counts(engine)
        with engine.connect() as conn:
            version = db.data_version(conn)
        init_database(engine, ADMIN, demo=True)
        assert _counts(engine) == first
        with engine.connect() as conn:
            assert db.data_version(conn) == version
        assert first["observation"] > 10_000
        assert first["unit"] == 159
    finally:
        engine.dispose()


def test_the_command_line_init_is_idempotent(tmp_path: Path) -> None:
    env = {"KPI_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}", "PATH": "/usr/bin:/bin"}
    for expected in ("14 batch(es) imported", "0 batch(es) imported"):
        out = subprocess.run(
            [sys.executable, "-m", "kpi", "init", "--demo"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert expected in out


def test_the_seed_figures_are_stored_exactly_with_their_report_lines(demo_db: Path) -> None:
    engine = db.make_engine(f"sqlite:///{demo_db}")
    try:
        with db.session_scope(engine) as s:
            rows = s.execute(
                select(
                    Observation.indicator_code,
                    Observation.value,
                    Observation.qualifier,
                    Observation.source_cell,
                    Observation.source_text,
                    ImportBatch.is_demo,
                )
                .join(ImportBatch, ImportBatch.id == Observation.batch_id)
                .join(Unit, Unit.id == Observation.unit_id)
                .where(
                    Observation.period == "2019-Q1",
                    Unit.code == "84",
                    ImportBatch.source_kind == "report_text",
                )
            ).all()
    finally:
        engine.dispose()
    stored = {r[0]: r for r in rows}
    expected = report_figures()
    assert len(stored) == len(expected) == 38
    for fig in expected:
        code, value, qualifier, line, sentence, is_demo = stored[fig.code]
        assert (value, qualifier, int(line), is_demo) == (
            fig.value,
            fig.qualifier,
            fig.line,
            False,
        ), code
        assert sentence
    assert stored["l4_dossiers_online"][1] == Decimal(494)
    assert "7.848" in stored["doc_system_users"][4]
    assert "28.474" in stored["e_documents_exchanged"][4]


@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("online_services_total", 516),
        ("dossier_resolution_rate", 0.9957),
        ("online_dossier_rate_l3", 0.0316),
        ("online_dossier_rate_l4", 0.1821),
        ("online_dossier_rate", 0.0932),
        ("l4_service_share", 0.4070),
    ],
)
def test_the_derived_figures_of_the_seed_quarter(demo_db: Path, code: str, value: float) -> None:
    engine = db.make_engine(f"sqlite:///{demo_db}")
    try:
        with db.session_scope(engine) as s:
            units = all_units(s)
            province = next(u for u in units if u.code == "84")
            f = figures(
                s, load_catalogue(), units, Query((code,), (province.id,), "2019-Q1", "2019-Q1")
            )
    finally:
        engine.dispose()
    assert f["value"].iloc[0] == pytest.approx(value, abs=5e-5)
    assert not f["is_demo"].iloc[0]


def test_demo_breakdowns_add_up_to_the_province_in_every_quarter(demo_db: Path) -> None:
    engine = db.make_engine(f"sqlite:///{demo_db}")
    cat = load_catalogue()
    codes = (
        "dossiers_received",
        "dossiers_resolved_on_time",
        "dossiers_received_online",
        "email_accounts_total",
    )
    try:
        with db.session_scope(engine) as s:
            units = all_units(s)
            for period in period_range("2016-Q1", "2019-Q1"):
                d = UnitDirectory(units, period.start, period.end)
                province = d.by_code["84"]
                top = d.children(province.id)
                ids = (
                    province.id,
                    *(u.id for u in top),
                    *(c.id for u in top for c in d.children(u.id)),
                )
                f = figures(s, cat, units, Query(codes, ids, period.code, period.code))
                value = {(r.indicator, r.unit_id): r.value for r in f.itertuples()}
                for code in codes:
                    assert sum(value[(code, u.id)] for u in top) == value[(code, province.id)], (
                        code,
                        period,
                    )
                for u in top:
                    kids = d.children(u.id)
                    if kids and "commune" in cat[codes[0]].levels:
                        assert (
                            sum(value[("dossiers_received", c.id)] for c in kids)
                            == value[("dossiers_received", u.id)]
                        )
                    on_line = value[("dossiers_received_online", u.id)]
                    assert 0 <= on_line <= value[("dossiers_received", u.id)]
    finally:
        engine.dispose()


def test_demo_history_is_marked_as_demo_and_stocks_never_fall_below_their_parts(
    demo_db: Path,
) -> None:
    engine = db.make_engine(f"sqlite:///{demo_db}")
    try:
        with db.session_scope(engine) as s:
            periods = s.execute(
                select(ImportBatch.period, ImportBatch.is_demo).where(
                    ImportBatch.source_kind == "demo"
                )
            ).all()
            units = all_units(s)
            province = next(u for u in units if u.code == "84")
            f = figures(
                s,
                load_catalogue(),
                units,
                Query(
                    (
                        "digital_certificates_active",
                        "digital_certificates_org",
                        "digital_certificates_person",
                    ),
                    (province.id,),
                    "2016-Q1",
                    "2019-Q1",
                ),
            )
    finally:
        engine.dispose()
    assert len(periods) == 13 and all(is_demo for _, is_demo in periods)
    wide = f.pivot(index="period", columns="indicator", values="value")
    assert len(wide) == 13
    assert (
        wide["digital_certificates_active"]
        >= wide["digital_certificates_org"] + wide["digital_certificates_person"]
    ).all()
    assert wide["digital_certificates_active"].is_monotonic_increasing
    assert Period.parse(wide.index[-1]) == Period(2019, 1)


def test_the_first_demo_run_creates_the_demo_accounts_once(db_url: str) -> None:
    from kpi import accounts
    from kpi.models import AppUser

    engine = db.make_engine(db_url)
    try:
        first = init_database(engine, ADMIN, demo=True, demo_accounts=True)
        made = {name: (role, scope, pw) for name, role, scope, pw in first.demo_accounts}
        assert {n: v[:2] for n, v in made.items()} == {
            "demo-admin": ("admin", "84"),
            "demo-canglong": ("editor", "844"),
        }
        with db.session_scope(engine) as session:
            for user in session.scalars(select(AppUser)):
                assert user.is_demo and accounts.verify_password(
                    user.password_hash, made[user.name][2]
                )
        again = init_database(engine, ADMIN, demo=True, demo_accounts=True)
        assert again.demo_accounts == []
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(AppUser)).scalar_one() == 2
    finally:
        engine.dispose()


def test_demo_accounts_can_be_turned_off(tmp_path: Path) -> None:
    env = {
        "KPI_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "PATH": "/usr/bin:/bin",
        "KPI_DEMO_ACCOUNTS": "false",
        "KPI_SECRET_KEY": "x",
    }
    out = subprocess.run(
        [sys.executable, "-m", "kpi", "init", "--demo"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "demo-admin" not in out
    env["KPI_DEMO_ACCOUNTS"] = "true"
    out = subprocess.run(
        [sys.executable, "-m", "kpi", "init", "--demo"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "demo-admin" not in out  # the demo data came in earlier: no accounts behind its back
