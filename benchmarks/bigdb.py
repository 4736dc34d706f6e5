"""A province database at full size for benchmarks: ten years of quarters for every commune.

``build(path)`` writes a SQLite file with the catalogue and the units (``init``), then one batch
per quarter from 2015-Q3 to 2025-Q2 (the forty quarters before the 2025 reform, during which
every old commune existed; Phường 2 and Phường 6 of Trà Vinh city stop at 2024-Q4):

- every commune: the one-stop figures reported by commune (received, resolved, on time, late,
  online, in person, pending), consistent with each other;
- the provincial agencies: the same, plus users and e-mail accounts;
- every district: users and e-mail accounts only, so that district and province one-stop
  figures are added up from the communes by the query layer, as they would be in a province
  that reports by commune;
- the province: the figures reported for the province only.

Rows are written with one bulk insert per quarter (the store's checks would only slow the
generator down: the data are consistent by construction). ``python -m benchmarks.bigdb PATH``
builds one by hand.
"""

from __future__ import annotations

import random
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from kpi import db
from kpi.access import Actor
from kpi.bootstrap import init_database
from kpi.catalogue import load_catalogue
from kpi.models import ImportBatch, Observation
from kpi.periods import Period, period_range
from kpi.units import PROVINCE_CODE, UnitInfo, all_units

FIRST = Period(2015, 3)
LAST = Period(2025, 2)
SEED = 84
ADMIN = Actor("bench", "admin")
#: indicators reported by districts without communes (the rest of a district adds up)
DISTRICT_ONLY = ("doc_system_users", "email_accounts_total")


def _one_stop(rng: random.Random, size: float, growth: float) -> dict[str, int]:
    received = max(1, round(size * growth * rng.uniform(0.8, 1.2)))
    online = round(received * rng.uniform(0.02, 0.3))
    resolved = round(received * rng.uniform(0.95, 1.0))
    late = round(resolved * rng.uniform(0.0, 0.05))
    return {
        "dossiers_received": received,
        "dossiers_received_online": online,
        "dossiers_received_direct": received - online,
        "dossiers_resolved": resolved,
        "dossiers_resolved_late": late,
        "dossiers_resolved_on_time": resolved - late,
        "dossiers_pending": round(received * rng.uniform(0.01, 0.03)),
    }


def _rows(
    units: list[UnitInfo],
    period: Period,
    batch_id: int,
    rng: random.Random,
    province_codes: list[str],
) -> list[dict[str, Any]]:
    growth = 1 + (period.index - FIRST.index) / 40
    rows: list[dict[str, Any]] = []

    def add(code: str, unit: UnitInfo, value: int, qualifier: str = "exact") -> None:
        rows.append(
            {
                "indicator_code": code,
                "unit_id": unit.id,
                "period": period.code,
                "value": Decimal(value),
                "qualifier": qualifier,
                "batch_id": batch_id,
                "is_current": True,
                "source_sheet": "Xa",
                "source_cell": f"C{len(rows) + 2}",
            }
        )

    alive = [u for u in units if u.valid_during(period.start, period.end)]
    for unit in alive:
        if unit.level == "commune":
            for code, value in _one_stop(rng, 60 + int(unit.code) % 90, growth).items():
                add(code, unit, value)
        elif unit.level == "agencies":
            for code, value in _one_stop(rng, 12000, growth).items():
                add(code, unit, value)
            add("doc_system_users", unit, round(3000 * growth))
            add("email_accounts_total", unit, round(2500 * growth))
        elif unit.level == "district":
            add("doc_system_users", unit, round((300 + int(unit.code) % 7 * 40) * growth))
            add("email_accounts_total", unit, round((250 + int(unit.code) % 5 * 30) * growth))
        elif unit.level == "province" and unit.code == PROVINCE_CODE:
            for code in province_codes:
                qualifier = "approx" if rng.random() < 0.05 else "exact"
                add(code, unit, max(1, round(rng.uniform(50, 5000) * growth)), qualifier)
    return rows


def build(path: Path) -> dict[str, float]:
    """Write the database at ``path`` (replaced if there); returns counts and seconds."""
    started = time.perf_counter()
    if path.exists():
        path.unlink()
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        init_database(engine, ADMIN)
        cat = load_catalogue()
        # Stored province-only figures (the agencies and the districts add up to the rest);
        # percentages that are typed in stay under 100.
        province_codes = [
            i.code for i in cat.stored() if i.levels == ("province",) and not i.percent
        ]
        rng = random.Random(SEED)
        observations = 0
        with db.session_scope(engine) as session:
            units = all_units(session)
            for period in period_range(FIRST, LAST):
                batch = ImportBatch(
                    source_kind="csv",
                    file_name=f"bench-{period.code}.csv",
                    period=period.code,
                    user=ADMIN.name,
                    is_demo=True,
                    note="benchmark data",
                )
                session.add(batch)
                session.flush()
                rows = _rows(units, period, batch.id, rng, province_codes)
                session.execute(insert(Observation), rows)
                batch.inserted = len(rows)
                observations += len(rows)
            db.bump_data_version(session)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    return {
        "quarters": float(len(period_range(FIRST, LAST))),
        "observations": float(observations),
        "seconds": time.perf_counter() - started,
    }


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "bigdb.sqlite3")
    print(build(target))
