"""Who may do what, checked where figures are written: roles and district scopes in kpi.store,
scope problems at their cells in validation, every page for every kind of user (AppTest), and
refusals that write nothing but their own audit entry."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, func, select

from kpi import db
from kpi.access import ANONYMOUS, Actor, PermissionDenied
from kpi.models import AuditEvent, ImportBatch, Observation
from kpi.store import BatchInfo, Figure, commit_figures, rollback_batch
from kpi.units import all_units
from loaders.importer import check_upload, commit_upload, rollback
from tests.golden.make_corpus import base, fill_grid
from tests.support.accounts import log_in
from tests.support.apptest import open_app

PROVINCE_EDITOR = Actor("lan", "editor", ("84",))
CANG_LONG = Actor("binh", "editor", ("844",))
VIEWER = Actor("xem", "viewer", ())


def _bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _unit_id(engine: Engine, code: str) -> int:
    with db.session_scope(engine) as session:
        return next(u.id for u in all_units(session) if u.code == code)


def _count(engine: Engine, model: type) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def _figure(engine: Engine, code: str, value: int = 100) -> Figure:
    return Figure("dossiers_received", _unit_id(engine, code), "2019-Q1", Decimal(value))


def _commit(engine: Engine, actor: Actor, figures: list[Figure], name: str) -> int:
    with db.session_scope(engine) as session:
        return commit_figures(session, actor, BatchInfo("excel", name, name), figures).batch_id


@pytest.mark.parametrize(
    ("actor", "units", "allowed"),
    [
        (PROVINCE_EDITOR, ["84", "84-CQ", "844", "29266"], True),
        (CANG_LONG, ["844", "29266"], True),
        (CANG_LONG, ["29236"], False),
        (CANG_LONG, ["844", "845"], False),
        (CANG_LONG, ["84"], False),
        (CANG_LONG, ["84-CQ"], False),
        (VIEWER, ["844"], False),
        (ANONYMOUS, ["844"], False),
    ],
)
def test_the_store_checks_role_and_scope(
    engine: Engine, actor: Actor, units: list[str], allowed: bool
) -> None:
    figures = [_figure(engine, code) for code in units]
    if allowed:
        _commit(engine, actor, figures, "ok.xlsx")
        assert _count(engine, Observation) == len(units)
        return
    with pytest.raises(PermissionDenied):
        _commit(engine, actor, figures, "refused.xlsx")
    assert _count(engine, Observation) == 0 and _count(engine, ImportBatch) == 0
    with db.session_scope(engine) as session:
        refusals = session.execute(
            select(AuditEvent.actor, AuditEvent.action).where(AuditEvent.outcome == "refused")
        ).all()
    assert [tuple(r) for r in refusals] == [(actor.name, "import")]


def test_communes_belong_to_their_districts_scope(engine: Engine) -> None:
    with db.session_scope(engine) as session:
        units = all_units(session)
    cang_long = next(u for u in units if u.code == "844")
    commune = next(u for u in units if u.parent_id == cang_long.id)
    other = next(u for u in units if u.level == "commune" and u.parent_id != cang_long.id)
    _commit(
        engine, CANG_LONG, [Figure("dossiers_received", commune.id, "2019-Q1", Decimal(5))], "c"
    )
    with pytest.raises(PermissionDenied):
        _commit(
            engine, CANG_LONG, [Figure("dossiers_received", other.id, "2019-Q1", Decimal(5))], "d"
        )


def test_an_editor_rolls_back_only_their_own_batches(engine: Engine) -> None:
    theirs = _commit(engine, PROVINCE_EDITOR, [_figure(engine, "844")], "lan.xlsx")
    own = _commit(engine, CANG_LONG, [_figure(engine, "844", 120)], "binh.xlsx")
    with db.session_scope(engine) as session, pytest.raises(PermissionDenied):
        rollback_batch(session, CANG_LONG, theirs)
    report = rollback(engine, CANG_LONG, theirs, "vi")
    assert report.status == "refused" and report.code == "not_own_batch"
    assert rollback(engine, VIEWER, own, "vi").code == "not_allowed"
    assert rollback(engine, CANG_LONG, own, "vi").status == "rolled_back"
    assert rollback(engine, Actor("root", "admin"), theirs, "vi").status == "rolled_back"
    with db.session_scope(engine) as session:
        refused = session.scalars(
            select(AuditEvent.actor).where(
                AuditEvent.action == "rollback", AuditEvent.outcome == "refused"
            )
        ).all()
    assert sorted(refused) == ["binh", "binh", "xem"]


def test_a_district_editors_upload_with_another_districts_figure_is_rejected_at_that_cell(
    engine: Engine,
) -> None:
    wb = base()
    fill_grid(
        wb, "district", {("844", "dossiers_received"): 3000, ("845", "dossiers_received"): 2500}
    )
    content = _bytes(wb)
    report = check_upload(engine, content, "huyen.xlsx", lang="vi", actor=CANG_LONG)
    assert report.status == "rejected"
    scope = [p for p in report.errors if p.code == "out_of_scope"]
    assert len(scope) == 1 and scope[0].cell and scope[0].sheet
    assert scope[0].message.startswith(f"Ô {scope[0].cell}") or scope[0].cell in scope[0].message
    assert "Huyện Cầu Kè nằm ngoài phạm vi của tài khoản" in scope[0].message
    assert check_upload(engine, content, "huyen.xlsx", actor=PROVINCE_EDITOR).status == "valid"
    with pytest.raises(ValueError):  # a rejected report cannot be committed at all
        commit_upload(engine, report, CANG_LONG)
    assert _count(engine, Observation) == 0


def test_a_viewer_forcing_the_commit_writes_nothing(engine: Engine) -> None:
    wb = base()
    fill_grid(wb, "district", {("844", "dossiers_received"): 3000})
    report = check_upload(engine, _bytes(wb), "x.xlsx")  # a valid report, made by anyone
    assert report.status == "valid"
    for actor in (VIEWER, ANONYMOUS):
        with pytest.raises(PermissionDenied):
            commit_upload(engine, report, actor)
    assert _count(engine, Observation) == 0 and _count(engine, ImportBatch) == 0


# -- every page, every kind of user (AppTest) ------------------------------------------------

PAGES = ["overview", "trends", "districts", "explore", "history", "upload", "admin", "account"]
# what each kind of user finds on each page: "page" (its own title), "login", "refused"
EXPECTED = {
    "anonymous": dict.fromkeys(["overview", "trends", "districts", "explore"], "page")
    | dict.fromkeys(["history", "upload", "admin", "account"], "login"),
    "viewer": dict.fromkeys(PAGES, "page") | {"upload": "refused", "admin": "refused"},
    "editor": dict.fromkeys(PAGES, "page") | {"admin": "refused"},
    "district": dict.fromkeys(PAGES, "page") | {"admin": "refused"},
    "admin": dict.fromkeys(PAGES, "page"),
}
ACCOUNTS = {
    "viewer": ("xem", "viewer", ("84",)),
    "editor": ("lan", "editor", ("84",)),
    "district": ("binh", "editor", ("844",)),
    "admin": ("quan-tri", "admin", ("84",)),
}
TITLES = {
    "overview": "Tổng quan",
    "trends": "Xu hướng",
    "districts": "Các huyện",
    "explore": "Khám phá và xuất số liệu",
    "history": "Lịch sử nhập liệu",
    "upload": "Nhập số liệu",
    "admin": "Quản trị",
    "account": "Tài khoản của tôi",
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_who_sees_what_on_every_page(
    who: str, writable_demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if who != "anonymous":
        log_in(monkeypatch, writable_demo_url, *ACCOUNTS[who])
    for page in PAGES:
        at = open_app("vi", f"pages/{page}.py")
        title = at.title[0].value if at.title else ""
        outcome = EXPECTED[who][page]
        if outcome == "page":
            assert title.startswith(TITLES[page]), (who, page, title)
        elif outcome == "login":
            assert title == "Đăng nhập", (who, page, title)
        else:
            assert title == "Không có quyền truy cập", (who, page, title)
            assert not at.get("file_uploader") and not at.get("data_editor")
    upload = open_app("vi", "pages/upload.py")
    assert bool(upload.get("file_uploader")) == (EXPECTED[who]["upload"] == "page")


def test_a_leftover_web_role_setting_grants_nothing(
    writable_demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KPI_WEB_ROLE", "admin")  # the setting from before accounts existed
    for page in ("upload", "admin", "history"):
        at = open_app("vi", f"pages/{page}.py")
        assert at.title[0].value == "Đăng nhập", page
        assert not at.get("file_uploader")
