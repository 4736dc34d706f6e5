"""Exporting a national-scale table: a million rows to CSV and Parquet, and the XLSX refusal.

The input is built directly as a DataFrame shaped like :func:`kpi.queries.figures` returns it
(no database: this measures the table builder and the writers, not the query): 4 indicators x
10,000 communes x 25 quarters = 1,000,000 rows, with 100 districts and a province as parents,
and with a few approximate figures. Each case runs in its own Python process so that its peak
memory is its own: the resident size once the input frame is made, then the peak (VmHWM, reset
to the current size just before the export) during the build and the write; their difference
is what the export itself held. The baseline, in the same run, is the obvious way: pandas'
``to_csv`` / ``to_parquet`` of the same built frame (no BOM, no neutralising, no metadata).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.core import Case, Context

ROOT = Path(__file__).resolve().parent.parent
INDICATORS = (
    "dossiers_received",
    "dossiers_resolved",
    "dossiers_pending",
    "dossier_resolution_rate",
)
QUARTERS = 25


def _inputs(communes: int) -> tuple[object, object]:
    import numpy as np
    import pandas as pd

    from kpi import metrics
    from kpi.catalogue import load_catalogue
    from kpi.filters import Filters, resolve
    from kpi.periods import Period
    from kpi.units import UnitInfo

    day = dt.date(1900, 1, 1)
    districts = max(1, communes // 100)
    units = [UnitInfo(1, "84", "Tỉnh mẫu", "tinh", "province", None, day, None)]
    units += [
        UnitInfo(2 + d, f"9{d:04d}", f"Huyện số {d}", "huyen", "district", 1, day, None)
        for d in range(districts)
    ]
    first_commune = 2 + districts
    units += [
        UnitInfo(
            first_commune + c,
            f"{10000 + c}",
            f"Xã Định An {c}",
            "xa",
            "commune",
            2 + c % districts,
            day,
            None,
        )
        for c in range(communes)
    ]
    periods = [Period(2016, 1).shift(q).code for q in range(QUARTERS)]
    ids = np.arange(first_commune, first_commune + communes)
    n = len(INDICATORS) * communes * QUARTERS
    rng = np.random.default_rng(2019)
    frame = pd.DataFrame(
        {
            "indicator": np.repeat(np.array(INDICATORS, dtype=object), communes * QUARTERS),
            "unit_id": np.tile(np.repeat(ids, QUARTERS), len(INDICATORS)),
            "period": np.tile(np.array(periods, dtype=object), len(INDICATORS) * communes),
            "value": rng.integers(0, 5000, n).astype(float),
            "qualifier": np.where(rng.random(n) < 0.01, "approx", "exact").astype(object),
            "complete": True,
            "is_demo": False,
            "numerator": np.nan,
            "denominator": np.nan,
            "batch_id": None,
        }
    )[metrics.COLUMNS]
    ratio = frame["indicator"] == "dossier_resolution_rate"
    frame.loc[ratio, "value"] = frame.loc[ratio, "value"] / 5000
    filters = Filters(indicators=INDICATORS, units=(), first=periods[0], last=periods[-1])
    return frame, resolve(filters, load_catalogue(), units)


def _status_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (the peak) of this process, from /proc, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> None:
    """Start the peak (VmHWM) again from the current size (Linux: clear_refs 5)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def child(case: str, communes: int) -> None:
    """One case in this process; prints a JSON line with the figures."""
    import gc

    from kpi import export

    frame, selection = _inputs(communes)
    gc.collect()
    input_mb = _status_mb("VmRSS")
    _reset_peak()
    started = time.perf_counter()
    table = export.build_table(frame, selection, data_version=1)  # type: ignore[arg-type]
    built = time.perf_counter() - started
    out: dict[str, object] = {"rows": len(table), "input_mb": input_mb, "build_s": built}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"table.{case}"
        started = time.perf_counter()
        try:
            if case == "pandas-csv":
                table.frame.to_csv(path, index=False)
            elif case == "pandas-parquet":
                table.frame.to_parquet(path, index=False)
            else:
                with path.open("wb") as fh:
                    export.write(table, case, fh)
        except export.ExportRefused as exc:
            out["refused"] = exc.message("en")
        out["write_s"] = time.perf_counter() - started
        out["bytes"] = path.stat().st_size
    out["peak_mb"] = _status_mb("VmHWM")
    print(json.dumps(out))


def _measure(case: str, communes: int) -> dict[str, float | str]:
    code = f"from benchmarks.export_bench import child; child({case!r}, {communes})"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def run(ctx: Context) -> list[Case]:
    repeat = max(1, min(ctx.repeat, 3))
    cases: list[Case] = []
    for case in ("csv", "parquet"):
        runs = [_measure(case, 10_000) for _ in range(repeat)]
        base = [_measure(f"pandas-{case}", 10_000) for _ in range(repeat)]
        n = f"{int(runs[0]['rows']):,} rows"
        baseline = f"export baseline: pandas to_{case}"
        cases += [
            Case(f"export {case}: build the table ({n})", [float(r["build_s"]) for r in runs]),
            Case(
                f"export {case}: write the file",
                [float(r["write_s"]) for r in runs],
                baseline=baseline,
                note=f"{float(runs[0]['bytes']) / 1e6:.0f} MB",
            ),
            Case(
                f"export {case}: peak memory during build + write",
                [float(r["peak_mb"]) for r in runs],
                unit="MB",
                note=f"input frame {float(runs[0]['input_mb']):.0f} MB of it",
            ),
            Case(baseline, [float(r["write_s"]) for r in base]),
            Case(f"{baseline}, peak memory", [float(r["peak_mb"]) for r in base], unit="MB"),
        ]
    got = _measure("xlsx", 11_000)
    cases.append(
        Case(
            f"export xlsx: {int(got['rows']):,} rows refused, nothing written",
            [float(got["write_s"])],
            note=f"{int(got['bytes'])} bytes written",
        )
    )
    return cases


if __name__ == "__main__":
    from benchmarks.__main__ import report

    report("export_bench", run(Context(repeat=1)))
