"""``kpi init``: create or upgrade the schema, load the catalogue and the units, and (``--demo``)
the demo data. Every step is idempotent: a second run adds, removes and records nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select

from kpi import db
from kpi.access import Actor, require
from kpi.catalogue import load_catalogue, sync_catalogue
from kpi.demo import load_demo
from kpi.models import Observation
from kpi.store import audit
from kpi.units import load_lineage_defs, load_unit_defs, sync_units


@dataclass
class InitReport:
    revision_before: str | None
    revision_after: str | None
    catalogue_changes: int = 0
    unit_changes: int = 0
    demo_batches: list[tuple[int, str]] = field(default_factory=list)


def init_database(
    engine: Engine, actor: Actor, *, demo: bool = False, if_empty: bool = False
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
            audit(
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
    return report
