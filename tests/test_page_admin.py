"""The Administration page (AppTest, as a logged-in admin): accounts, targets validated like an
upload and kept on the 0-100 scale, indicators turned off without losing their figures, and the
audit log read and downloaded."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from kpi import accounts, db
from kpi.models import AuditEvent, Indicator, Target
from tests.support.accounts import log_in
from tests.support.apptest import open_app


@pytest.fixture
def admin_page(writable_demo_url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    log_in(monkeypatch, writable_demo_url, "quan-tri", "admin")
    return open_app("vi", "pages/admin.py")


def _engine(url: str):  # type: ignore[no-untyped-def]
    return db.make_engine(url)


def test_an_admin_adds_a_district_editor(admin_page: AppTest, writable_demo_url: str) -> None:
    at = admin_page
    at.text_input(key="admin_add_name").input("tran-binh")
    at.selectbox(key="admin_add_role").set_value("editor")
    at.text_input(key="admin_add_scope").input("844, 845")
    at.button(key="FormSubmitter:admin_add_user-Thêm").click().run()
    assert not at.exception
    assert at.success and "tran-binh" in at.success[0].value
    password = at.success[0].value.rsplit(": ", 1)[1]
    engine = _engine(writable_demo_url)
    try:
        with db.session_scope(engine) as session:
            user = accounts.get_user(session, "tran-binh")
            assert user is not None and (user.role, user.scope) == ("editor", ["844", "845"])
            assert accounts.verify_password(user.password_hash, password)
            events = session.scalars(
                select(AuditEvent.actor).where(AuditEvent.action == "user_add")
            ).all()
            assert "quan-tri" in events
    finally:
        engine.dispose()


def test_targets_are_validated_before_anything_is_saved(
    admin_page: AppTest, writable_demo_url: str
) -> None:
    at = admin_page
    engine = _engine(writable_demo_url)
    with db.session_scope(engine) as session:
        before = {
            (t.indicator_code, t.year): Decimal(t.value) for t in session.scalars(select(Target))
        }
    table = at.get("data_editor")
    assert table, "the targets editor"
    rows = pd.DataFrame(
        [
            {"indicator": "dossier_resolution_rate", "unit": "84", "year": 2020, "value": "99,5"},
            {"indicator": "doc_system_users", "unit": "84", "year": 2020, "value": "1.5"},
        ]
    )
    from kpi import admin
    from kpi.catalogue import load_catalogue

    with db.session_scope(engine) as session:
        counts, problems = admin.save_targets(
            session,
            accounts.actor_for(accounts.get_user(session, "quan-tri")),
            load_catalogue(),  # type: ignore[arg-type]
            rows.to_dict("records"),
        )
    assert [(p.row, p.code) for p in problems] == [(2, "bad_number")]
    assert counts == {"added": 0, "changed": 0, "removed": 0}
    with db.session_scope(engine) as session:
        after = {
            (t.indicator_code, t.year): Decimal(t.value) for t in session.scalars(select(Target))
        }
    assert after == before
    engine.dispose()


def test_saving_targets_keeps_the_percent_scale(writable_demo_url: str) -> None:
    from kpi import admin
    from kpi.access import Actor
    from kpi.catalogue import load_catalogue

    engine = _engine(writable_demo_url)
    boss = Actor("quan-tri", "admin")
    cat = load_catalogue()
    with db.session_scope(engine) as session:
        rows = admin.target_table(session, cat).to_dict("records")
        rows.append(
            {"indicator": "dossier_resolution_rate", "unit": "84", "year": 2020, "value": "99,5"}
        )
        counts, problems = admin.save_targets(session, boss, cat, rows)
    assert problems == [] and counts == {"added": 1, "changed": 0, "removed": 0}
    with db.session_scope(engine) as session:
        row = session.scalars(select(Target).where(Target.year == 2020)).one()
        assert Decimal(row.value) == Decimal("99.5")
        assert session.scalars(
            select(AuditEvent.detail)
            .where(AuditEvent.action == "targets")
            .order_by(AuditEvent.id.desc())
        ).first() == {"counts": {"added": 1, "changed": 0, "removed": 0}}
    with db.session_scope(engine) as session:
        rows = [
            r | {"value": "120"} if r["year"] == 2020 else r
            for r in admin.target_table(session, cat).to_dict("records")
        ]
        _, problems = admin.save_targets(session, boss, cat, rows)
    assert [p.code for p in problems] == ["percent_out_of_range"]
    engine.dispose()


def test_an_indicator_turned_off_keeps_its_figures(writable_demo_url: str) -> None:
    from kpi import admin
    from kpi.access import Actor
    from kpi.catalogue import load_catalogue
    from kpi.models import Observation

    engine = _engine(writable_demo_url)
    boss = Actor("quan-tri", "admin")
    with db.session_scope(engine) as session:
        figures = len(
            session.scalars(
                select(Observation.id).where(Observation.indicator_code == "email_accounts_new")
            ).all()
        )
        assert admin.set_active(session, boss, "email_accounts_new", False)
        assert not admin.set_active(session, boss, "email_accounts_new", False)  # no change
    with db.session_scope(engine) as session:
        assert session.get(Indicator, "email_accounts_new").active is False  # type: ignore[union-attr]
        cat = admin.apply_activation(load_catalogue(), session)
        assert not cat["email_accounts_new"].active and cat["doc_system_users"].active
        assert (
            len(
                session.scalars(
                    select(Observation.id).where(Observation.indicator_code == "email_accounts_new")
                ).all()
            )
            == figures
        )
    engine.dispose()


def test_the_audit_log_is_shown_in_local_time_and_downloaded(admin_page: AppTest) -> None:
    at = admin_page
    tables = [d.value for d in at.dataframe]
    log = next(t for t in tables if "Hành động" in t.columns)
    assert "đăng nhập" in set(log["Hành động"])  # in words; the CSV keeps the code
    assert all(len(v) == 16 and v[2] == "/" for v in log["Thời gian"])  # dd/mm/yyyy HH:MM
    assert any(b.label == "Tải nhật ký (CSV)" for b in at.get("download_button"))  # type: ignore[attr-defined]


def test_revoking_a_users_sessions_logs_them_out_at_the_next_click(
    writable_demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.support.accounts import ensure_user, session_cookie

    ensure_user(writable_demo_url, "chi-lan", "editor")
    token = session_cookie(writable_demo_url, "chi-lan")
    engine = _engine(writable_demo_url)
    from kpi.config import get_settings

    settings = get_settings()
    with db.session_scope(engine) as session:
        assert accounts.resolve(session, token, secret=settings.secret_key(), hours=8) is not None
    log_in(monkeypatch, writable_demo_url, "quan-tri", "admin")
    at = open_app("vi", "pages/admin.py")
    at.selectbox(key="admin_edit_user").set_value("chi-lan").run()
    at.button(key="admin_revoke_sessions").click().run()
    assert not at.exception and "chi-lan" in at.success[0].value
    with db.session_scope(engine) as session:
        assert accounts.resolve(session, token, secret=settings.secret_key(), hours=8) is None
        assert session.scalars(
            select(AuditEvent.actor).where(AuditEvent.action == "sessions_revoked")
        ).all() == ["quan-tri"]
    engine.dispose()
