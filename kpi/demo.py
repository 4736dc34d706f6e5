"""Demo data: the real Q1/2019 province figures, and a generated history around them.

(a) The Q1/2019 province figures of the seed report, exactly as decoded in
``data/demo/q1-2019-report.csv``, each with the report line it came from. These are real figures
(``source_kind = report_text``), not demo data.

(b) A generated history, marked as demo data (``import_batch.is_demo``): the twelve quarters
2016-Q1 to 2018-Q4 of the province, leading into the real quarter; the one-stop figures that the
report does not give; a breakdown by agencies and districts, and by communes, for every quarter,
which adds up exactly to the province figures; and a few targets for 2019. A fixed seed makes it
the same on every machine, so ``init --demo`` is idempotent.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kpi import audit
from kpi.access import Actor
from kpi.catalogue import Catalogue
from kpi.config import DATA_DIR
from kpi.models import Target
from kpi.periods import Period, period_range
from kpi.store import BatchInfo, CommitResult, Figure, commit_figures
from kpi.units import AGENCIES_CODE, PROVINCE_CODE, UnitDirectory, all_units

DEMO_DIR = DATA_DIR / "demo"
REPORT_FILE = DEMO_DIR / "seed-report-q1-2019.txt"
REPORT_FIGURES = DEMO_DIR / "q1-2019-report.csv"
REAL_PERIOD = Period(2019, 1)
FIRST_DEMO = Period(2016, 1)
SEED = 2019

#: how large a stock was in 2016-Q1 compared with Q1/2019 (default 0.7)
STOCK_START = {
    "one_stop_units_province": 0.83,
    "one_stop_units_district": 1.0,
    "one_stop_units_commune": 1.0,
    "portal_languages": 1.0,
    "dedicated_network_agencies": 0.75,
    "portal_component_sites": 0.85,
    "admin_procedures_listed": 0.9,
    "online_services_l3": 0.35,
    "online_services_l4": 0.1,
    "e_document_share_pct": 0.7,
}

#: agencies' and districts' shares of the province's one-stop dossiers and accounts
UNIT_WEIGHTS = {
    AGENCIES_CODE: 0.34,
    "842": 0.12,
    "844": 0.07,
    "845": 0.06,
    "846": 0.06,
    "847": 0.07,
    "848": 0.08,
    "849": 0.09,
    "850": 0.05,
    "851": 0.06,
}

DISTRICT_CODES = (
    "dossiers_received",
    "dossiers_resolved",
    "dossiers_resolved_on_time",
    "dossiers_resolved_late",
    "dossiers_received_online",
    "dossiers_received_direct",
    "dossiers_pending",
    "doc_system_users",
    "email_accounts_total",
)

DEMO_TARGETS = {
    "doc_system_users": Decimal(8500),
    "e_document_share_pct": Decimal(95),
    "dossiers_received": Decimal(160000),
    "online_services_total": Decimal(600),
    "online_dossier_rate": Decimal("0.15"),
    "email_accounts_total": Decimal(7000),
    "digital_certificates_active": Decimal(600),
    "dossier_resolution_rate": Decimal("0.99"),
}


@dataclass(frozen=True)
class ReportFigure:
    code: str
    value: Decimal
    qualifier: str
    line: int


def report_figures(path: Path = REPORT_FIGURES) -> list[ReportFigure]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            ReportFigure(r["code"], Decimal(r["value"]), r["qualifier"], int(r["line"]))
            for r in csv.DictReader(fh)
        ]


def split(
    total: int, weights: Sequence[float], rng: random.Random, noise: float = 0.15
) -> list[int]:
    """Split a whole number into whole parts that add up to it exactly (largest remainder)."""
    if total <= 0:
        return [0] * len(weights)
    w = [max(x * (1 + rng.uniform(-noise, noise)), 1e-9) for x in weights]
    scale = total / sum(w)
    raw = [x * scale for x in w]
    parts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _province_history(
    cat: Catalogue, real: dict[str, ReportFigure], rng: random.Random
) -> dict[str, dict[str, tuple[int, str]]]:
    """code -> period -> (value, qualifier) for the province, 2016-Q1 .. 2019-Q1."""
    periods = period_range(FIRST_DEMO, REAL_PERIOD)
    n = len(periods) - 1
    out: dict[str, dict[str, tuple[int, str]]] = {}
    for code, fig in real.items():
        ind = cat[code]
        v = float(fig.value)
        series: list[int] = []
        if ind.kind in ("stock", "level"):
            start = STOCK_START.get(code, 0.7)
            level = 0
            for i in range(n):
                target = v * (start + (1 - start) * i / n) * rng.uniform(0.97, 1.0)
                level = max(level, round(target))
                series.append(min(level, int(v)))
        else:
            for i, p in enumerate(periods[:-1]):
                seasonal = 1.12 if p.quarter == 4 else (0.9 if p.quarter == 1 else 1.0)
                mean = v * (0.75 + 0.25 * i / n) * seasonal
                series.append(
                    max(0, round(mean * rng.uniform(0.85, 1.15)))
                    if v >= 20
                    else rng.randint(max(0, int(v) - 3), int(v) + 3)
                )
        out[code] = {p.code: (x, "exact") for p, x in zip(periods[:-1], series, strict=True)}
        out[code][REAL_PERIOD.code] = (int(fig.value), fig.qualifier)
    # Parts never exceed their totals, in the history too.
    for p in periods[:-1]:
        q = p.code
        org, person = (
            out["digital_certificates_org"][q][0],
            out["digital_certificates_person"][q][0],
        )
        out["digital_certificates_active"][q] = (org + person, "exact")
        insp = out["inspected_entities"][q][0]
        out["entities_with_violations"][q] = (
            min(out["entities_with_violations"][q][0], insp),
            "exact",
        )
        posted = out["portal_articles_posted"][q][0]
        for lang in ("en", "km"):
            code = f"articles_translated_{lang}"
            out[code][q] = (min(out[code][q][0], posted), "exact")
        received = out["dossiers_received"][q][0]
        out["dossiers_resolved"][q] = (round(received * rng.uniform(0.96, 0.998)), "exact")
    return out


def _one_stop_breakdown(prov: dict[str, dict[str, tuple[int, str]]], rng: random.Random) -> None:
    """The province's one-stop figures the report does not give, consistent with those it does:
    online = level-3 and level-4 online dossiers, direct = the rest; on time + late = resolved."""
    for q in prov["dossiers_received"]:
        received = prov["dossiers_received"][q][0]
        resolved = prov["dossiers_resolved"][q][0]
        online = prov["l3_dossiers_online"][q][0] + prov["l4_dossiers_online"][q][0]
        late = round(resolved * rng.uniform(0.01, 0.05))
        prov.setdefault("dossiers_received_online", {})[q] = (online, "exact")
        prov.setdefault("dossiers_received_direct", {})[q] = (received - online, "exact")
        prov.setdefault("dossiers_resolved_late", {})[q] = (late, "exact")
        prov.setdefault("dossiers_resolved_on_time", {})[q] = (resolved - late, "exact")
        prov.setdefault("dossiers_pending", {})[q] = (
            round(received * rng.uniform(0.01, 0.03)),
            "exact",
        )


def _split_units(
    values: dict[str, int], codes: Sequence[str], weights: Sequence[float], rng: random.Random
) -> dict[str, dict[str, int]]:
    """unit code -> indicator -> value, keeping online + direct = received and on time + late =
    resolved in every unit."""
    out: dict[str, dict[str, int]] = {c: {} for c in codes}
    for code in (
        "dossiers_received",
        "dossiers_resolved",
        "dossiers_received_online",
        "dossiers_resolved_late",
        "dossiers_pending",
        "doc_system_users",
        "email_accounts_total",
    ):
        if code not in values:
            continue
        if code == "dossiers_resolved" and "dossiers_received" in values:
            # Each unit resolves about what it receives: a resolution ratio near the province's.
            parts = split(
                values[code], [out[u]["dossiers_received"] for u in codes], rng, noise=0.02
            )
        else:
            parts = split(values[code], weights, rng)
        for unit, part in zip(codes, parts, strict=True):
            out[unit][code] = part
    for unit in codes:
        row = out[unit]
        if "dossiers_received" in row:
            row["dossiers_received_online"] = min(
                row["dossiers_received_online"], row["dossiers_received"]
            )
            row["dossiers_received_direct"] = (
                row["dossiers_received"] - row["dossiers_received_online"]
            )
            row["dossiers_resolved_late"] = min(
                row["dossiers_resolved_late"], row["dossiers_resolved"]
            )
            row["dossiers_resolved_on_time"] = (
                row["dossiers_resolved"] - row["dossiers_resolved_late"]
            )
    return out


def _fix_online_sum(parts: dict[str, dict[str, int]], total_online: int) -> None:
    """After capping, online parts must still add up to the total: move the difference to the
    unit with the most room."""
    diff = total_online - sum(p.get("dossiers_received_online", 0) for p in parts.values())
    while diff:
        unit = max(
            parts,
            key=lambda u: parts[u]["dossiers_received"] - parts[u]["dossiers_received_online"],
        )
        room = parts[unit]["dossiers_received"] - parts[unit]["dossiers_received_online"]
        step = min(diff, room)
        parts[unit]["dossiers_received_online"] += step
        parts[unit]["dossiers_received_direct"] -= step
        diff -= step
        if step == 0:
            break


def _sha(label: str, figures: Sequence[Figure]) -> str:
    payload = json.dumps(
        [label]
        + [[f.indicator_code, f.unit_id, f.period, str(f.value), f.qualifier] for f in figures],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def load_demo(session: Session, cat: Catalogue, actor: Actor) -> list[CommitResult]:
    """Load the seed figures and the generated demo data (idempotent)."""
    rng = random.Random(SEED)
    results: list[CommitResult] = []
    units = all_units(session)
    real = {f.code: f for f in report_figures()}
    q1 = REAL_PERIOD
    directory = UnitDirectory(units, q1.start, q1.end)
    province = directory.by_code[PROVINCE_CODE]

    lines = REPORT_FILE.read_text(encoding="utf-8").splitlines()
    report = [
        Figure(
            f.code,
            province.id,
            q1.code,
            f.value,
            f.qualifier,
            source_sheet=None,
            source_cell=str(f.line),
            source_text=lines[f.line - 1].strip(),
        )
        for f in real.values()
    ]
    sha = hashlib.sha256(REPORT_FILE.read_bytes() + REPORT_FIGURES.read_bytes()).hexdigest()
    results.append(
        commit_figures(
            session,
            actor,
            BatchInfo(
                "report_text",
                REPORT_FILE.name,
                sha,
                period=q1.code,
                note="Báo cáo Quý I/2019 của Sở Thông tin và Truyền thông Trà Vinh (14/03/2019)",
            ),
            report,
        )
    )

    prov = _province_history(cat, real, rng)
    _one_stop_breakdown(prov, rng)
    unit_codes = list(UNIT_WEIGHTS)
    weights = [UNIT_WEIGHTS[c] for c in unit_codes]
    for period in period_range(FIRST_DEMO, REAL_PERIOD):
        q = period.code
        directory = UnitDirectory(units, period.start, period.end)
        figs: list[Figure] = []
        for code, series in prov.items():
            if code in real and q == q1.code:
                continue  # the real figure, stored above
            value, qual = series[q]
            figs.append(Figure(code, province.id, q, Decimal(value), qual))
        parts = _split_units({c: prov[c][q][0] for c in DISTRICT_CODES}, unit_codes, weights, rng)
        _fix_online_sum(parts, prov["dossiers_received_online"][q][0])
        for ucode, values in parts.items():
            unit = directory.by_code[ucode]
            figs.extend(Figure(code, unit.id, q, Decimal(v)) for code, v in values.items())
            children = directory.children(unit.id)
            if not children:
                continue
            commune_values = {k: v for k, v in values.items() if "commune" in cat[k].levels}
            cw = [1.0 + (int(c.code) % 7) / 3 for c in children]
            cparts = _split_units(commune_values, [c.code for c in children], cw, rng)
            _fix_online_sum(cparts, values["dossiers_received_online"])
            for c in children:
                figs.extend(Figure(code, c.id, q, Decimal(v)) for code, v in cparts[c.code].items())
        info = BatchInfo(
            "demo",
            f"demo-{q}",
            _sha(q, figs),
            period=q,
            is_demo=True,
            note="Dữ liệu minh hoạ, sinh tự động (không phải số liệu thật)",
        )
        results.append(commit_figures(session, actor, info, figs))

    existing = {
        (t.indicator_code, t.unit_id, t.year, t.quarter) for t in session.scalars(select(Target))
    }
    added = 0
    for code, target_value in DEMO_TARGETS.items():
        if (code, province.id, 2019, 0) not in existing:
            session.add(
                Target(
                    indicator_code=code,
                    unit_id=province.id,
                    year=2019,
                    quarter=0,
                    value=target_value,
                    is_demo=True,
                )
            )
            added += 1
    if added:
        audit.record(session, actor, "targets", added=added, demo=True)
    session.flush()
    return results
