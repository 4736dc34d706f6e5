"""``kpi init``: create or upgrade the schema, load the catalogue and the units, and (``--demo``)
the demo data. Every step is idempotent: a second run adds, removes and records nothing. The demo's accounts are made once, on the
first ``--demo`` run (unless ``KPI_DEMO_ACCOUNTS=false``), with random passwords that are printed
once and never stored in clear."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from kpi import audit, db
from kpi.access import Actor, require
from kpi.accounts import add_user, generate_password, get_user
from kpi.catalogue import load_catalogue, sync_catalogue
from kpi.demo import load_demo
from kpi.models import Observation
from kpi.units import load_lineage_defs, load_unit_defs, sync_units


@dataclass
class InitReport:
    revision_before: str | None
    revision_after: str | None
    catalogue_changes: int = 0
    unit_changes: int = 0
    demo_batches: list[tuple[int, str]] = field(default_factory=list)
    #: demo accounts created by this run: (name, role, scope, password), shown once
    demo_accounts: list[tuple[str, str, str, str]] = field(default_factory=list)


#: the demo's accounts: an administrator and a district editor of Càng Long (844)
DEMO_ACCOUNTS = (("demo-admin", "admin", ("84",)), ("demo-canglong", "editor", ("844",)))


def create_demo_accounts(session: Session, actor: Actor) -> list[tuple[str, str, str, str]]:
    """The demo accounts that do not exist yet, with random passwords (returned, shown once)."""
    made = []
    for name, role, scope in DEMO_ACCOUNTS:
        if get_user(session, name) is None:
            password = generate_password()
            add_user(session, actor, name, role, scope, password, is_demo=True)
            made.append((name, role, ", ".join(scope), password))
    return made


def init_database(
    engine: Engine,
    actor: Actor,
    *,
    demo: bool = False,
    if_empty: bool = False,
    demo_accounts: bool = False,
) -> InitReport:
    """Bring the database up to date. With ``if_empty``, demo data is loaded only into a
    database that holds no figures yet (``make run`` on an existing database keeps it as is)."""
    require(actor, "admin")
    before = db.current_revision(engine)
    db.upgrade(engine)
    report = InitReport(before, db.current_revision(engine))
    cat = load_catalogue()
    with db.session_scope(engine) as session:
        report.catalogue_changes = sync_catalogue(session, cat)
        report.unit_changes = sync_units(session, load_unit_defs(), load_lineage_defs())
        if report.catalogue_changes or report.unit_changes:
            audit.record(
                session,
                actor,
                "catalogue",
                indicators=report.catalogue_changes,
                units=report.unit_changes,
            )
    if demo:
        with db.session_scope(engine) as session:
            has_figures = session.execute(select(func.count()).select_from(Observation)).scalar()
            if not (if_empty and has_figures):
                report.demo_batches = [
                    (r.batch_id, r.status) for r in load_demo(session, cat, actor)
                ]
            # Only on the run that brings the demo data in: an existing site that runs
            # `init --demo` later never gets accounts with printed passwords it did not ask for.
            if demo_accounts and any(s == "imported" for _, s in report.demo_batches):
                report.demo_accounts = create_demo_accounts(session, actor)
    return report
